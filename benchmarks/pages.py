"""Page benchmark: p50 latency and SQL statement count of the main list and scoring pages,
fetched by real logged-in demo users through Flask's test client.

Builds its own database (setup + demo university), then for each user (committee, gb01,
gb01-b01) GETs each page twice to warm up, once counting SQL statements, then --repeat times timed.

    python benchmarks/pages.py [--repeat 15] [--db URL] [--json FILE]

Default database: a temporary SQLite file. For PostgreSQL, pass a fresh, empty database:
    --db postgresql+psycopg://postgres@127.0.0.1:5432/zhibu_bench
Only the HTTP paths and create_app / initialize / load_demo / app.extensions.db are used.
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

PASSWORD = "bench-pass-1"
USERS = ("committee", "gb01", "gb01-b01")
WARMUP = 2


def parse_args(argv=None):
    """The command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL of an empty database (default: temp SQLite file)")
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page and user")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    return parser.parse_args(argv)


def build_app(url):
    """A fresh app on URL with roles, standards and the demo university loaded."""
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        from app.services.demo import load_demo
        from app.services.setup import initialize
        initialize()
        load_demo(password=PASSWORD)
    return app


def newest_round_id(app):
    """The id of the round with the highest opens_on (found by column name, not model)."""
    from sqlalchemy import select
    from app.extensions import db

    with app.app_context():
        tables = [t for t in db.metadata.tables.values() if "opens_on" in t.c]
        assert len(tables) == 1, f"expected one table with opens_on, got {[t.name for t in tables]}"
        table, = tables
        return db.session.scalar(select(table.c.id).order_by(table.c.opens_on.desc()).limit(1))


def pages(round_id):
    """(label, path) of each benchmarked page."""
    return [("branch list", "/branchview/list/"),
            ("branch list by name", "/branchview/list/?_oc_BranchView=name&_od_BranchView=asc"),
            ("member list", "/memberview/list/"), ("scoring newest round", f"/scoring/round/{round_id}")]


def login(app, username):
    """A test client logged in as USERNAME; exits loudly if the login fails."""
    client = app.test_client()
    client.get("/login/")
    resp = client.post("/login/", data={"username": username, "password": PASSWORD})
    if resp.status_code != 302 or "/login" in resp.headers.get("Location", ""):
        sys.exit(f"!!! LOGIN FAILED for {username}: HTTP {resp.status_code}")
    return client


def install_counter(app):
    """Count every SQL statement sent to the engine; returns the one-item counter list."""
    from sqlalchemy import event
    from app.extensions import db

    count = [0]

    def counter(*_args, **_kwargs):
        count[0] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter)
    return count


def measure(client, path, count, repeat):
    """Warm up, count one request's statements, then time REPEAT requests."""
    for _ in range(WARMUP):
        client.get(path)
    count[0] = 0
    resp = client.get(path)
    statements, times, cpu = count[0], [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    # CPU time of this process (app + SQLite) is steadier than wall time on a shared machine.
    return {"status": resp.status_code, "p50_ms": round(statistics.median(times), 1),
            "cpu_p50_ms": round(statistics.median(cpu), 1),
            "statements": statements, "kb": round(len(resp.data) / 1024, 1)}


def run(app, repeat):
    """Every page for every user (one logged-in client each), as result rows."""
    count = install_counter(app)
    clients = {user: login(app, user) for user in USERS}
    rows = []
    for label, path in pages(newest_round_id(app)):
        for user, client in clients.items():
            rows.append({"page": label, "path": path, "user": user, **measure(client, path, count, repeat)})
            if rows[-1]["status"] != 200:
                print(f"!!! NOT 200: {user} GET {path} -> HTTP {rows[-1]['status']}", file=sys.stderr)
    return rows


def print_table(rows):
    """The plain result table on stdout."""
    head = ("page", "user", "status", "p50 ms", "cpu p50 ms", "statements", "KB")
    cells = [head] + [(r["page"], r["user"], str(r["status"]), f"{r['p50_ms']:.1f}", f"{r['cpu_p50_ms']:.1f}",
                       str(r["statements"]), f"{r['kb']:.1f}") for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = [" | ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cs, widths)))
             for cs in cells]
    print("\n".join([lines[0], "-+-".join("-" * w for w in widths)] + lines[1:]))


def main(argv=None):
    """Build, measure, print (and optionally write JSON)."""
    args = parse_args(argv)
    tmp = None if args.db else tempfile.mkdtemp(prefix="zhibu-pages-")
    url = args.db or f"sqlite:///{os.path.join(tmp, 'bench.db')}"
    try:
        start = time.perf_counter()
        app = build_app(url)
        print(f"database {url.split('@')[-1]} built in {time.perf_counter() - start:.0f} s; "
              f"repeat {args.repeat}", file=sys.stderr)
        rows = run(app, args.repeat)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    print_table(rows)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"db": url.split("://")[0], "repeat": args.repeat, "rows": rows}, fh, indent=2)
    if any(r["status"] != 200 for r in rows):
        sys.exit("!!! SOME PAGES DID NOT RETURN 200")


if __name__ == "__main__":
    main()
