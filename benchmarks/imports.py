"""Benchmark of the roster import service: dry run and apply of 100,000 member rows on SQLite.

    /work/venv/bin/python benchmarks/imports.py [--rows N] [--keep DIR]

A subprocess builds a SQLite database with the demo university (`zhibu demo`) and two
files of N member rows spread over all the committee's branches: new.xlsx (N new members)
and edited.xlsx (the same members, every one with a changed unit). Each step then runs in
a fresh subprocess as the user `committee`, through app.services.imports exactly as the
web page and the CLI call it, and reports its wall time and its peak resident memory
(ru_maxrss: interpreter, Flask app, the file's bytes, parse, plan and write):

  1. dry run of new.xlsx      (parse, plan against the database, keep file + outcome)
  2. apply of that record     (re-parse and re-plan the stored file, N bulk inserts, commit)
  3. dry run of edited.xlsx   (N updates planned)
  4. apply of that record     (N bulk updates, commit)

Goal (issue #5): each step under 60 s and 500 MB.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PASSWORD = "bench-pass-123"
OVERRIDES = {"FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "WTF_CSRF_ENABLED": False}


def _app(workdir: str):
    from app import create_app

    return create_app({**OVERRIDES, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench.db"})


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def setup(workdir: str, n: int) -> None:
    """Database with the demo university, and the two roster files."""
    from dataclasses import replace

    from sqlalchemy import select

    from app.extensions import db
    from app.imports import MemberRow, export_members
    from app.models import Branch, GeneralBranch
    from app.services.demo import load_demo
    from app.services.setup import initialize

    app = _app(workdir)
    with app.app_context():
        t0 = time.perf_counter()
        initialize()
        load_demo(password=PASSWORD)
        t_demo = time.perf_counter() - t0
        branches = db.session.execute(
            select(GeneralBranch.name, Branch.name).join(Branch, Branch.general_branch_id == GeneralBranch.id)
            .order_by(Branch.id)
        ).all()
        db.session.remove()
    rows = [
        MemberRow(number=f"B{100000000 + i}", name=f"测试党员{i}", gender=("M", "F", None)[i % 3],
                  member_type=("formal", "formal", "probationary")[i % 3], joined_on=None,
                  unit=f"第{i % 97}班", is_teacher_backbone=(i % 7 == 0),
                  general_branch=branches[i % len(branches)][0], branch=branches[i % len(branches)][1])
        for i in range(n)
    ]
    with open(os.path.join(workdir, "new.xlsx"), "wb") as fh:
        fh.write(export_members(rows))
    with open(os.path.join(workdir, "edited.xlsx"), "wb") as fh:
        fh.write(export_members(replace(r, unit=f"{r.unit}（已调整）") for r in rows))
    print(json.dumps({"demo_s": round(t_demo, 1), "branches": len(branches),
                      "file_mb": round(os.path.getsize(os.path.join(workdir, "new.xlsx")) / 1e6, 1)}))


def measure(workdir: str, step: str, arg: str) -> None:
    """One step in a fresh process; prints its figures as JSON."""
    from app.security.scope import acting_as, org_of_user
    from app.services import imports as service

    app = _app(workdir)
    with app.app_context():
        user = app.appbuilder.sm.find_user(username="committee")
        with acting_as(org_of_user(user)):   # as the web page and the CLI (--as) run it
            data = None
            if step == "dry_run":
                with open(os.path.join(workdir, arg), "rb") as fh:
                    data = fh.read()
            before = _rss_mb()
            t0 = time.perf_counter()
            if step == "dry_run":
                outcome = service.dry_run(user, "members", arg, data)
            else:
                outcome = service.apply(user, int(arg))
            seconds = time.perf_counter() - t0
            s = outcome.summary
            print(json.dumps({
                "seconds": round(seconds, 2), "rss_before_mb": before, "rss_peak_mb": _rss_mb(),
                "record": outcome.record.id, "status": outcome.record.status,
                "summary": {k: s[k] for k in ("new", "updated", "unchanged", "errors")},
            }))


def _run(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        sys.exit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--keep", help="work in this folder and keep it (default: a temporary one)")
    ap.add_argument("--setup", help=argparse.SUPPRESS)
    ap.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.setup:
        setup(args.setup, args.rows)
        return
    if args.measure:
        measure(*args.measure)
        return

    def bench(workdir: str) -> None:
        made = _run("--setup", workdir, "--rows", str(args.rows))
        print(f"rows: {args.rows:,} over {made['branches']} branches; file {made['file_mb']} MB; "
              f"demo database built in {made['demo_s']} s (not measured)")
        worst = (0.0, 0.0)
        for label, name in (("new members", "new.xlsx"), ("every row edited", "edited.xlsx")):
            dry = _run("--measure", workdir, "dry_run", name)
            done = _run("--measure", workdir, "apply", str(dry["record"]))
            for step, fig in (("dry run", dry), ("apply", done)):
                print(f"{label:17} {step:8} {fig['seconds']:6.2f} s   peak RSS {fig['rss_peak_mb']:6.1f} MB "
                      f"(before the step {fig['rss_before_mb']} MB)   {fig['status']:8} {fig['summary']}")
                worst = (max(worst[0], fig["seconds"]), max(worst[1], fig["rss_peak_mb"]))
        verdict = "met" if worst[0] < 60 and worst[1] < 500 else "NOT met"
        print(f"goal (each step < 60 s and < 500 MB): {verdict}; slowest {worst[0]} s, largest {worst[1]} MB")

    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        bench(args.keep)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            bench(tmp)


if __name__ == "__main__":
    main()
