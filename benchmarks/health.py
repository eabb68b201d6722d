"""Health-check benchmark (issue 9): the committee's /health/committee page at city scale, with
the bare rule queries timed beside it in the same run.

Against a database made by `zhibu synth` (account synth-committee), e.g. 50,000 branches and
1,000,000 meeting and training rows (12 meetings and 3 training events a branch):

    flask --app app zhibu synth --one-committee --meetings 12 --training 3 --password bench-pass-1
    python benchmarks/health.py --db sqlite:////work/bench-h/L.db [--year 2011] [--repeat 3] [--json FILE]

Three figures, each in the same process and run:
- bare: every SQL statement the committee's check sends (captured once from the service, the
  record-rule guard's conditions included), replayed on a raw DB-API cursor and fetched — the
  database's own cost of the rule queries, the limit;
- service: app.services.health.health_report as the committee (queries + the pure rules H1–H11
  for every branch, no HTTP, no template);
- page: GET /health/committee through Flask's test client (in-process: no network), which reads
  the kept summary (app/services/health_summary.py): first of a day (the summary computed whole:
  the service plus writing 50,000 rows), after 1 and after 100 edited meetings (those branches
  recomputed), and with nothing changed.
Wall seconds are the median of --repeat runs after one warm-up; CPU is this process's (app and
SQLite; not a PostgreSQL server's); "stmts" is the SQL statements of one run.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of a database made by `zhibu synth`")
    parser.add_argument("--password", default="bench-pass-1")
    parser.add_argument("--user", default="synth-committee")
    parser.add_argument("--year", type=int, default=2011, help="the year checked (synth's meetings are 2011–12)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--top", type=int, default=8, help="slowest bare statements listed")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    return parser.parse_args(argv)


def timed(fn, repeat):
    """(last result, median wall s, min wall s, median CPU s): one warm-up, then repeat runs."""
    result = fn()
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return result, round(statistics.median(times), 2), round(min(times), 2), round(statistics.median(cpu), 2)


def login(app, username, password):
    client = app.test_client()
    client.get("/login/")
    resp = client.post("/login/", data={"username": username, "password": password})
    if resp.status_code != 302 or "/login" in resp.headers.get("Location", ""):
        sys.exit(f"!!! login failed for {username} (run zhibu synth with --password)")
    return client


def sizes(db):
    from sqlalchemy import text
    out = {}
    for name, table in (("branches", "zb_branch"), ("members", "zb_member"), ("meetings", "zb_meeting"),
                        ("training_events", "zb_training_event"), ("training_credits", "zb_training_attendance")):
        out[name] = db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    out["meeting_and_training_rows"] = out["meetings"] + out["training_events"] + out["training_credits"]
    return out


def run(app, args):
    from sqlalchemy import event, func, select

    from app.extensions import db
    from app.models import Committee, Meeting
    from app.security.scope import OrgRef, acting_as, system_actor
    from app.services.health import health_report
    from benchmarks.replay import fetch_raw

    year, as_of = args.year, date(args.year, 12, 31)
    with app.app_context():
        committee_id = db.session.scalar(select(Committee.id).order_by(Committee.id).limit(1))
        figures = {"db": db.engine.dialect.name, "nproc": os.cpu_count(), "year": year, **sizes(db)}
        db.session.remove()
    engine = None
    with app.app_context():
        engine = db.engine
    count, captured, capture = [0], [], [False]

    def before(conn, cursor, statement, parameters, context, executemany):
        count[0] += 1
        if capture[0]:
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    actor = OrgRef("committee", committee_id=committee_id, name="bench")

    def service():
        with app.app_context(), acting_as(actor):
            return health_report(year, as_of=as_of, detail=False)   # what the committee page asks

    capture[0] = True
    report = service()
    capture[0] = False

    raw = engine.raw_connection()      # one transaction, as the service's (SET LOCAL holds in it)

    def bare_one(statement, parameters):
        return fetch_raw(raw, statement, parameters)

    per_statement = []
    for statement, parameters in captured:
        n, p50, _min, _cpu = timed(lambda: bare_one(statement, parameters), args.repeat)
        per_statement.append({"s": p50, "rows": n, "sql": " ".join(statement.split())[:160]})

    def bare_all():
        return sum(bare_one(s, p) for s, p in captured)

    bare_rows, bare_p50, bare_min, bare_cpu = timed(bare_all, args.repeat)
    raw.rollback()
    raw.close()
    count[0] = 0
    report, svc_p50, svc_min, svc_cpu = timed(service, args.repeat)
    svc_statements = count[0] // (args.repeat + 1)
    client = login(app, args.user, args.password)
    path = f"/health/committee?year={year}"

    def forget_then_get():          # the first view of a day: the kept summary computed whole
        with app.app_context():
            from app.services.health_summary import forget
            forget(db.session.connection())
            db.session.commit()
        return client.get(path)

    rng = random.Random(7)

    def change_then_get(n):         # n meetings edited (about one branch each) since the last view
        with app.app_context(), system_actor("bench"):
            top = db.session.scalar(select(func.max(Meeting.id)))
            for meeting in db.session.scalars(select(Meeting).where(Meeting.id.in_(rng.sample(range(1, top + 1), n)))):
                meeting.place = f"bench {time.perf_counter()}"
            db.session.commit()
        return client.get(path)

    count[0] = 0
    resp, cold_p50, cold_min, cold_cpu = timed(forget_then_get, args.repeat)
    cold_statements = count[0] // (args.repeat + 1)
    for n in (1, 100):
        _r, p50, pmin, pcpu = timed(lambda: change_then_get(n), args.repeat)
        figures.update({f"page_after_{n}_changes_p50_s": p50, f"page_after_{n}_changes_cpu_s": pcpu})
    count[0] = 0
    resp, page_p50, page_min, page_cpu = timed(lambda: client.get(path), args.repeat)
    page_statements = count[0] // (args.repeat + 1)
    figures.update({
        "page_first_of_day_p50_s": cold_p50, "page_first_of_day_min_s": cold_min,
        "page_first_of_day_cpu_s": cold_cpu, "page_first_of_day_statements": cold_statements,
        "branches_checked": len(report.branches),
        "bare_p50_s": bare_p50, "bare_min_s": bare_min, "bare_cpu_s": bare_cpu, "bare_rows": bare_rows,
        "bare_statements": len(captured),
        "service_p50_s": svc_p50, "service_min_s": svc_min, "service_cpu_s": svc_cpu,
        "service_statements": svc_statements,
        "page_status": resp.status_code, "page_p50_s": page_p50, "page_min_s": page_min, "page_cpu_s": page_cpu,
        "page_statements": page_statements, "page_kb": round(len(resp.data) / 1024, 1),
        "slowest_bare": sorted(per_statement, key=lambda r: -r["s"])[:args.top],
    })
    return figures


def main(argv=None):
    args = parse_args(argv)
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.db, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    figures = run(app, args)
    for key, value in figures.items():
        if key == "slowest_bare":
            print("slowest bare statements (median s, rows, SQL):")
            for r in value:
                print(f"  {r['s']:7.2f} {r['rows']:8d}  {r['sql']}")
        else:
            print(f"{key:22} {value}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(figures, fh, indent=2, ensure_ascii=False)
    if figures["page_status"] != 200:
        sys.exit("!!! THE COMMITTEE PAGE DID NOT RETURN 200")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    main()
