"""Health-check benchmark: the committee's /health/committee page at city scale, with the bare
rule queries (app.services.health.health_report, no HTTP, no template) timed beside it.

Builds its own database: roles and one committee user, then --branches branches (default
50,000) under --general-branches general branches, --members members per branch, a secretary
each, and --rows meeting + training-attendance rows (default 1,000,000: two thirds meetings,
one third training credits), a funding row, documents and a handbook check per branch. Rows go
in through SQLAlchemy Core in chunks (the ORM guard is for users, not for loading a benchmark).

    python benchmarks/health.py [--branches 50000] [--rows 1000000] [--repeat 3] [--db URL] [--json FILE]

Default database: a temporary SQLite file. For PostgreSQL pass a fresh, empty database:
    --db postgresql+psycopg://postgres@127.0.0.1:5432/zhibu_bench_health
"""
import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta

PASSWORD = "bench-pass-1"
YEAR = 2026
AS_OF = date(YEAR, 12, 31)
CHUNK = 20000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL of an empty database (default: temp SQLite file)")
    parser.add_argument("--branches", type=int, default=50000)
    parser.add_argument("--general-branches", type=int, default=100)
    parser.add_argument("--members", type=int, default=8, help="members per branch")
    parser.add_argument("--rows", type=int, default=1000000, help="meeting + training attendance rows")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    return parser.parse_args(argv)


def _insert(conn, table, rows):
    for i in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[i:i + CHUNK])


def build(url, args):
    """A fresh app on URL with the big committee loaded; returns (app, counts)."""
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        from app.extensions import db
        from app.models import (
            Branch, BranchDocument, Committee, Funding, GeneralBranch, HandbookCheck, Meeting, Member, Secretary,
            TrainingAttendance, TrainingEvent,
        )
        from app.services.accounts import create_user
        from app.services.setup import initialize

        initialize()
        rnd = random.Random(9)
        n_b, n_gb, n_m = args.branches, args.general_branches, args.members
        meetings = args.rows * 2 // 3
        credits = args.rows - meetings
        with db.engine.begin() as conn:
            committee_id = conn.execute(Committee.__table__.insert().values(name="城市党委", short_name="城市")
                                        .returning(Committee.__table__.c.id)).scalar_one()
            _insert(conn, GeneralBranch.__table__, [
                {"id": g + 1, "code": f"G{g:04d}", "name": f"第{g + 1}党总支", "committee_id": committee_id}
                for g in range(n_gb)])
            categories = ("teacher", "undergraduate", "graduate", "admin")
            _insert(conn, Branch.__table__, [
                {"id": b + 1, "code": f"B{b:06d}", "name": f"第{b + 1}党支部", "general_branch_id": b % n_gb + 1,
                 "category": categories[b % 4], "is_joint": b % 10 == 0, "term_years": 3,
                 "elected_on": date(YEAR - 1 - b % 4, 1 + b % 12, 1)} for b in range(n_b)])
            _insert(conn, Member.__table__, [
                {"id": b * n_m + k + 1, "number": f"M{b:06d}{k:02d}", "name": f"党员{b}-{k}",
                 "member_type": "formal" if k % 5 else "probationary", "unit": f"单位{k % 3}",
                 "branch_id": b + 1, "committee_id": committee_id, "is_teacher_backbone": False}
                for b in range(n_b) for k in range(n_m)])
            _insert(conn, Secretary.__table__, [
                {"id": b + 1, "member_id": b * n_m + 1, "branch_id": b + 1,
                 "appointed_on": date(YEAR - b % 3, 1 + b % 12, 1),
                 "title_rank": ("associate", "senior", "intermediate")[b % 3]} for b in range(n_b)])
            _insert(conn, Meeting.__table__, [
                {"branch_id": i % n_b + 1, "kind": ("general_meeting", "committee_meeting", "theme_day")[i % 3],
                 "title": "会议", "held_on": date(YEAR, 1 + (i // n_b) % 12, 1 + i % 28)} for i in range(meetings)])
            events = max(1, n_b // 10)
            _insert(conn, TrainingEvent.__table__, [
                {"id": e + 1, "committee_id": committee_id, "held_on": date(YEAR, 1 + e % 12, 10),
                 "hours": float(4 + e % 20), "online": e % 2 == 0, "topic": f"培训{e}"} for e in range(events)])
            seen, rows = set(), []
            while len(rows) < credits:
                member = rnd.randrange(n_b * n_m) + 1
                event = rnd.randrange(events) + 1
                if (event, member) not in seen:
                    seen.add((event, member))
                    rows.append({"event_id": event, "member_id": member})
            _insert(conn, TrainingAttendance.__table__, rows)
            _insert(conn, Funding.__table__, [
                {"branch_id": b + 1, "year": YEAR, "activity_funds": 100 * n_m - (b % 7), "training_funds": 100 * n_m}
                for b in range(n_b)])
            _insert(conn, BranchDocument.__table__, [
                {"branch_id": b + 1, "year": YEAR, "kind": "work_plan", "title": "计划", "file_name": "p.pdf",
                 "stored_name": f"p{b}", "content_type": "application/pdf", "file_size": 1, "file_sha256": "0" * 64}
                for b in range(n_b)])
            _insert(conn, HandbookCheck.__table__, [
                {"branch_id": b + 1, "school_year": YEAR - 1, "term": "spring", "checked_on": date(YEAR, 4, 1),
                 "checker": "组织部", "result": "pass"} for b in range(n_b)])
        create_user("committee", PASSWORD, "committee", "城市党委")
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        else:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
    return app, {"branches": n_b, "members": n_b * n_m, "meetings": meetings, "training_credits": credits}


def login(app):
    client = app.test_client()
    client.get("/login/")
    resp = client.post("/login/", data={"username": "committee", "password": PASSWORD})
    if resp.status_code != 302 or "/login" in resp.headers.get("Location", ""):
        sys.exit(f"!!! LOGIN FAILED: HTTP {resp.status_code}")
    return client


def timed(fn, repeat):
    """(last result, median wall s, min wall s, median CPU s of this process): the machine may be
    shared, and CPU time (app + SQLite; not a PostgreSQL server's) is the steadier figure."""
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return result, round(statistics.median(times), 2), round(min(times), 2), round(statistics.median(cpu), 2)


def run(app, repeat):
    from sqlalchemy import event

    from app.extensions import db
    from app.security.scope import OrgRef, acting_as
    from app.services.health import health_report

    with app.app_context():
        engine = db.engine
        committee_id = db.session.execute(db.text("select id from zb_committee")).scalar_one()
    count, sql = [0], [0.0]

    def before(conn, *_args):
        count[0] += 1
        conn.info["zhibu_bench_t"] = time.perf_counter()

    def after(conn, *_args):
        sql[0] += time.perf_counter() - conn.info.pop("zhibu_bench_t", time.perf_counter())

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    actor = OrgRef("committee", committee_id=committee_id, name="bench")

    def bare():
        with app.app_context(), acting_as(actor):
            return health_report(YEAR, as_of=AS_OF, detail=False)   # what the committee page asks

    count[0], sql[0] = 0, 0.0
    report, bare_p50, bare_min, bare_cpu = timed(bare, repeat)
    bare_statements, sql_s = count[0] // repeat, round(sql[0] / repeat, 2)
    client = login(app)
    path = f"/health/committee?year={YEAR}"
    client.get(path)
    count[0] = 0
    resp, page_p50, page_min, page_cpu = timed(lambda: client.get(path), repeat)
    return {"branches_checked": len(report.branches), "bare_p50_s": bare_p50, "bare_min_s": bare_min,
            "bare_cpu_s": bare_cpu, "bare_sql_s": sql_s, "bare_statements": bare_statements, "page_status": resp.status_code,
            "page_p50_s": page_p50, "page_min_s": page_min, "page_cpu_s": page_cpu,
            "page_statements": count[0] // repeat, "page_kb": round(len(resp.data) / 1024, 1)}


def main(argv=None):
    args = parse_args(argv)
    tmp = None if args.db else tempfile.mkdtemp(prefix="zhibu-health-")
    url = args.db or f"sqlite:///{os.path.join(tmp, 'bench.db')}"
    try:
        start = time.perf_counter()
        app, counts = build(url, args)
        built = round(time.perf_counter() - start)
        print(f"database {url.split('@')[-1]} built in {built} s: {counts}", file=sys.stderr)
        figures = {"db": url.split("://")[0], **counts, **run(app, args.repeat)}
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    for key, value in figures.items():
        print(f"{key:20} {value}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(figures, fh, indent=2)
    if figures["page_status"] != 200:
        sys.exit("!!! THE COMMITTEE PAGE DID NOT RETURN 200")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    main()
