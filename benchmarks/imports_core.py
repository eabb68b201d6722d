"""Benchmark of the roster import core: 100,000 member rows.

    /work/venv/bin/python benchmarks/imports_core.py [--rows N]

Builds two files of N rows (in a subprocess): an export by export_members
(XlsxWriter, constant memory: inline strings) and a "typed by hand" file
(XlsxWriter: shared strings, number cells for the member numbers, a mix of
date forms, padded names). Each is parsed and planned against N existing rows
in a fresh subprocess, which reports wall times and its peak resident memory
(ru_maxrss) before the parse and at the end. The parent never holds the data,
so the children's ru_maxrss (kept across fork and exec) starts small.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def make_rows(n: int, seed: int = 1):
    from app.imports import MemberRow

    rnd = random.Random(seed)
    gbs = [f"第{i}学院党委" for i in range(1, 21)]
    branches = [(gb, f"{gb[:-2]}第{j}党支部") for gb in gbs for j in range(1, 26)]
    rows = []
    start = date(1960, 1, 1)
    for i in range(n):
        gb, br = branches[i % len(branches)]
        rows.append(MemberRow(
            number=f"{2000000000 + i}",
            name=rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN),
            gender=rnd.choice(("M", "F", None)),
            member_type=rnd.choice(("formal", "formal", "probationary")),
            joined_on=start + timedelta(days=rnd.randrange(0, 23000)) if i % 10 else None,
            unit=f"{gb[:-2]}{2010 + i % 14}级{i % 9 + 1}班",
            is_teacher_backbone=(i % 7 == 0),
            general_branch=gb,
            branch=br,
        ))
    return rows, branches


def hand_typed_file(rows, path):
    """Like a file filled in by people and saved by Excel: a shared-string
    table, member numbers as number cells, dates as real dates and in several
    text forms, names padded with spaces (full-width too), labels in Chinese."""
    import xlsxwriter

    from app.imports import MEMBER_SPEC

    wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet(MEMBER_SPEC.sheet_zh)
    datefmt = wb.add_format({"num_format": "yyyy/m/d"})
    for c, h in enumerate(MEMBER_SPEC.headers()):
        ws.write_string(0, c, h)
    g = {"M": "男", "F": "女"}
    t = {"formal": "正式党员", "probationary": "预备党员"}
    for i, r in enumerate(rows, start=1):
        ws.write_number(i, 0, int(r.number))
        ws.write_string(i, 1, f" {r.name}\u3000")
        if r.gender:
            ws.write_string(i, 2, g[r.gender])
        ws.write_string(i, 3, t[r.member_type])
        d = r.joined_on
        if d is not None:
            form = i % 4
            if form == 0:
                ws.write_datetime(i, 4, d, datefmt)
            else:
                ws.write_string(i, 4, f"{d.year}年{d.month}月{d.day}日" if form == 1
                                else f"{d.year}/{d.month}/{d.day}" if form == 2 else d.strftime("%Y%m%d"))
        ws.write_string(i, 5, r.unit)
        ws.write_string(i, 6, "是" if r.is_teacher_backbone else "否")
        ws.write_string(i, 7, r.general_branch)
        ws.write_string(i, 8, r.branch)
    wb.close()


def child(path: str, n_existing: int) -> None:
    """Runs in a fresh process: parse + plan one file, print JSON figures."""
    from app.imports import parse_members, plan_members

    rows, branches = make_rows(n_existing)
    existing = {r.number: r for r in rows}
    with open(path, "rb") as fh:
        data = fh.read()
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    parsed = parse_members(data)
    t1 = time.perf_counter()
    plan = plan_members(parsed, existing, set(branches))
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "vm_hwm_mb": _vm_hwm_mb(),
        "parse_s": round(t1 - t0, 2), "plan_s": round(t2 - t1, 2),
        "rows": len(parsed.rows), "errors": len(parsed.errors), "summary": plan.summary(),
        "rss_before_mb": round(base_rss / 1024, 1), "rss_peak_mb": round(peak / 1024, 1),
    }))


def generate(tmp: str, n: int) -> None:
    """Runs in a subprocess, so that the parent stays small and the measuring
    children (forked from it) start with a small ru_maxrss."""
    from app.imports import export_members

    rows, _ = make_rows(n)
    t0 = time.perf_counter()
    data = export_members(rows)
    t_export = time.perf_counter() - t0
    with open(os.path.join(tmp, "export.xlsx"), "wb") as fh:
        fh.write(data)
    typed = os.path.join(tmp, "typed.xlsx")
    hand_typed_file(rows, typed)
    print(json.dumps({"export_s": round(t_export, 2), "export_mb": round(len(data) / 1e6, 1),
                      "typed_mb": round(os.path.getsize(typed) / 1e6, 1)}))


def _vm_hwm_mb() -> float | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _run(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--generate", help=argparse.SUPPRESS)
    ap.add_argument("--existing", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.existing)
        return
    if args.generate:
        generate(args.generate, args.rows)
        return

    n = args.rows
    with tempfile.TemporaryDirectory() as tmp:
        gen = _run("--generate", tmp, "--rows", str(n))
        print(f"rows: {n:,}")
        print(f"export_members: {gen['export_s']} s, {gen['export_mb']} MB "
              f"(hand-typed input file: {gen['typed_mb']} MB)")
        for label, name in (("export (inline strings)", "export.xlsx"),
                            ("hand-typed (shared strings, number cells, text dates)", "typed.xlsx")):
            fig = _run("--child", os.path.join(tmp, name), "--existing", str(n))
            print(f"{label}: parse {fig['parse_s']} s, plan {fig['plan_s']} s, "
                  f"rows {fig['rows']:,}, errors {fig['errors']}, plan {fig['summary']}, "
                  f"peak RSS (ru_maxrss) {fig['rss_peak_mb']} MB, of which before parse "
                  f"{fig['rss_before_mb']} MB (interpreter, libraries, 100,000 existing rows, "
                  f"the file's bytes)")


if __name__ == "__main__":
    main()
