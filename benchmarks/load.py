"""Load test: logged-in users driving a running zhibu deployment over HTTP for a fixed time.

    python benchmarks/load.py --base http://127.0.0.1:8000 --password PW [--users 12]
                              [--duration 60] [--seed 1] [--markdown FILE]

It starts nothing: point it at a deployment (gunicorn + PostgreSQL + an RQ worker, README
"Deployment") with the demo university loaded (`zhibu demo --password PW`). Standard library
only, so it runs from any Python on the machine.

--users virtual users (threads, each its own cookie jar; a new connection per request unless
--keepalive, so one session's requests, its CSRF token's GET and POST, meet every worker) log in
through the login form as demo accounts, cycling committee, gb01…, gb01-b01… (a bounded mix of
the three roles) and read their lists once; when all are ready, for --duration seconds each
picks one action at a time, with no pause (only these are reported):

  list     a roster or organization list page (members, branches, activities, trainings)
  show     the show page of a row taken from that user's own list
  edit     an activity's edit form, then the POST that changes its title (a real write, CSRF)
  scoring  the scoring view of the newest round
  export   a general branch's 附件2 (built in the request); a branch's roster export; the
           committee's whole-committee 附件2 as a background job: start (POST), poll its
           status until the RQ worker is done, download ("export_job" is start to file)

Every response must be what a browser expects (200, or 302 where the app redirects); anything
else, or a failed job, is an error. Prints requests, throughput, p50/p95 per kind and errors.
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import statistics
import threading
import time
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|id="csrf_token"[^>]*value="([^"]+)"')
LISTS = {
    "committee": ["/memberview/list/", "/branchview/list/", "/generalbranchview/list/", "/activityview/list/"],
    "general_branch": ["/memberview/list/", "/branchview/list/", "/activityview/list/", "/trainingview/list/"],
    "branch": ["/memberview/list/", "/activityview/list/", "/trainingview/list/"],
}
WEIGHTS = {"list": 35, "show": 25, "edit": 15, "scoring": 15, "export": 10}


class Failure(Exception):
    """A response a browser would not accept."""


def role_of(username: str) -> str:
    if username == "committee":
        return "committee"
    return "branch" if "-b" in username else "general_branch"


def accounts(count: int) -> list:
    """A bounded mix: the committee, general branches and branches in turn."""
    gbs = [f"gb{n:02d}" for n in range(1, 11)]
    branches = [f"gb{n:02d}-b{m:02d}" for n in range(1, 11) for m in range(1, 3)]
    pool, names = [], {"committee": ["committee"], "general_branch": gbs, "branch": branches}
    turn = {"committee": 0, "general_branch": 0, "branch": 0}
    order = ["committee", "general_branch", "branch", "general_branch", "branch", "branch"]
    for i in range(count):
        role = order[i % len(order)]
        pool.append(names[role][turn[role] % len(names[role])])
        turn[role] += 1
    return pool


class FormFields(HTMLParser):
    """The fields of the edit form as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.fields, self._select, self._textarea, self._text = {}, None, None, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields[a["name"]] = a.get("value", "y")
            elif kind not in ("submit", "button", "file"):
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.fields.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields[self._textarea] = "".join(self._text)
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


class Client:
    """One virtual user: a keep-alive connection and a cookie jar."""

    def __init__(self, base: str, stats, keepalive=False):
        self.keepalive = keepalive
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        self.cookies, self.stats = {}, stats

    def request(self, kind, method, path, body=None, expect=(200,)):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            body = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        if not self.keepalive:   # every request on a new connection: any worker may answer it
            headers["Connection"] = "close"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
            if not self.keepalive:
                self.conn.close()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            self.stats.error(kind, f"{method} {path}: {type(exc).__name__}: {exc}")
            raise Failure(str(exc)) from exc
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        self.stats.sample(kind, elapsed)
        if response.status not in expect:
            self.stats.error(kind, f"{method} {path}: HTTP {response.status}")
            raise Failure(f"{path}: {response.status}")
        return response, data.decode("utf-8", "replace")

    def token(self, html):
        match = CSRF.search(html)
        if not match:
            raise Failure("no CSRF token")
        return match.group(1) or match.group(2)


class Stats:
    """Latencies and errors per kind of request, shared by the threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.errors = defaultdict(list)

    def sample(self, kind, seconds):
        with self.lock:
            self.latency[kind].append(seconds)

    def error(self, kind, text):
        with self.lock:
            self.errors[kind].append(text)

    def snapshot(self) -> dict:
        with self.lock:
            return {kind: len(values) for kind, values in self.latency.items()}

    def since(self, counts: dict) -> "Stats":
        """The samples after a snapshot (errors are all kept: setup errors count too)."""
        out = Stats()
        with self.lock:
            for kind, values in self.latency.items():
                rest = values[counts.get(kind, 0):]
                if rest:
                    out.latency[kind] = list(rest)
            out.errors = defaultdict(list, {k: list(v) for k, v in self.errors.items()})
        return out


class Clock:
    """All users log in first; the fixed time starts when the last one is ready."""

    def __init__(self, users: int, duration: float):
        self.ready = threading.Barrier(users + 1, action=self._go)
        self.duration, self.deadline, self.started = duration, None, None

    def _go(self):   # run once, before any waiting thread is released
        self.started = time.monotonic()
        self.deadline = self.started + self.duration

    def start(self):
        self.ready.wait()


class VirtualUser(threading.Thread):
    def __init__(self, base, username, password, stats, clock, seed, keepalive=False):
        super().__init__(daemon=True, name=username)
        self.client = Client(base, stats, keepalive)
        self.username, self.password, self.role = username, password, role_of(username)
        self.clock, self.random, self.stats = clock, random.Random(seed), stats
        self.show_urls, self.edit_urls, self.round_id = [], [], None

    def login(self):
        _r, page = self.client.request("login", "GET", "/login/")
        response, _ = self.client.request("login", "POST", "/login/", {
            "username": self.username, "password": self.password, "csrf_token": self.client.token(page)},
            expect=(302,))
        if response.getheader("Location", "").rstrip("/").endswith("/login"):
            raise Failure(f"login of {self.username} refused")

    def discover(self):
        """Rows of the user's own lists (for show and edit) and the newest round."""
        for path in LISTS[self.role]:
            _r, page = self.client.request("list", "GET", path)
            base = path.rsplit("/list/", 1)[0]
            self.show_urls += sorted(set(re.findall(rf'href="({re.escape(base)}/show/\d+)', page)))[:10]
        _r, page = self.client.request("list", "GET", "/activityview/list/")
        self.edit_urls = sorted(set(re.findall(r'href="(/activityview/edit/\d+)', page)))[:5]
        response, _ = self.client.request("scoring", "GET", "/scoring/", expect=(302,))
        match = re.search(r"/scoring/round/(\d+)", response.getheader("Location", ""))
        self.round_id = int(match.group(1)) if match else None

    def act(self, action):
        c = self.client
        if action == "list":
            c.request("list", "GET", self.random.choice(LISTS[self.role]))
        elif action == "show" and self.show_urls:
            c.request("show", "GET", self.random.choice(self.show_urls))
        elif action == "edit" and self.edit_urls:
            url = self.random.choice(self.edit_urls)
            _r, page = c.request("edit_form", "GET", url)
            parser = FormFields()
            parser.feed(page)
            fields = parser.fields
            fields["title"] = re.sub(r"（负载\d+）$", "", fields.get("title", "")) + f"（负载{self.random.randint(1, 999)}）"
            c.request("edit_post", "POST", url, fields, expect=(302,))
        elif action == "scoring" and self.round_id:
            c.request("scoring", "GET", f"/scoring/round/{self.round_id}")
        elif action == "export" and self.round_id:
            self.export()

    def export(self):
        c = self.client
        if self.role == "general_branch":
            c.request("export", "GET", f"/forms/annex2.xlsx?round={self.round_id}")
        elif self.role == "branch":
            c.request("export", "GET", "/imports/export/members")
        else:
            started = time.perf_counter()
            _r, page = c.request("export_page", "GET", f"/forms/annex2.xlsx?round={self.round_id}")
            response, _ = c.request("job_start", "POST", "/forms/job/annex2",
                                    {"round": self.round_id, "csrf_token": c.token(page)}, expect=(302,))
            job = response.getheader("Location", "").rsplit("/", 1)[-1]
            while True:
                _r, body = c.request("job_status", "GET", f"/jobs/{job}/status.json")
                status = json.loads(body)
                if status["finished"]:
                    break
                if time.perf_counter() - started > 300:
                    raise Failure(f"job {job} still {status['state']} after 300 s")
                time.sleep(0.25)
            if status["state"] != "done":
                self.stats.error("export_job", f"job {job}: {status['message']}")
                raise Failure(status["message"])
            c.request("job_download", "GET", status["download"])
            self.stats.sample("export_job", time.perf_counter() - started)

    def run(self):
        try:
            self.login()
            self.discover()
        except Failure:
            self.clock.ready.wait()
            return
        self.clock.ready.wait()
        actions, weights = list(WEIGHTS), list(WEIGHTS.values())
        while time.monotonic() < self.clock.deadline:
            try:
                self.act(self.random.choices(actions, weights)[0])
            except Failure:
                pass
            except Exception as exc:  # noqa: BLE001 - a page the client cannot read is an error too
                self.stats.error("client", f"{type(exc).__name__}: {exc}")


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def report(stats, duration, users) -> str:
    total = sum(len(v) for k, v in stats.latency.items() if k != "export_job")
    errors = sum(len(v) for v in stats.errors.values())
    lines = [f"{users} users, {duration:.0f} s: {total} requests, {total / duration:.1f} requests/s, "
             f"{errors} errors", "",
             "| kind | requests | p50 ms | p95 ms | max ms | errors |", "|---|---:|---:|---:|---:|---:|"]
    for kind in sorted(set(stats.latency) | set(stats.errors)):
        values = stats.latency.get(kind, [])
        if values:
            p50, p95, top = (1000 * percentile(values, 0.5), 1000 * percentile(values, 0.95), 1000 * max(values))
            lines.append(f"| {kind} | {len(values)} | {p50:.0f} | {p95:.0f} | {top:.0f} | {len(stats.errors.get(kind, []))} |")
        else:
            lines.append(f"| {kind} | 0 | | | | {len(stats.errors[kind])} |")
    every = [v for k, vs in stats.latency.items() if k != "export_job" for v in vs]
    if every:
        lines += ["", f"all requests: p50 {1000 * statistics.median(every):.0f} ms, "
                      f"p95 {1000 * percentile(every, 0.95):.0f} ms"]
    for kind, texts in sorted(stats.errors.items()):
        for text in texts[:5]:
            lines.append(f"error [{kind}] {text}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--password", required=True, help="the demo accounts' password")
    parser.add_argument("--users", type=int, default=12, help="concurrent logged-in users (bounded)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load after the logins")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keepalive", action="store_true",
                        help="keep each user's connection (one worker serves it); default: a new "
                             "connection per request, so a session's requests land on every worker")
    parser.add_argument("--markdown", help="also write the report to this file")
    args = parser.parse_args(argv)
    if urlsplit(args.base).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("drives a deployment on this machine only (127.0.0.1)")
    stats = Stats()
    names = accounts(args.users)
    clock = Clock(len(names), args.duration)
    threads = [VirtualUser(args.base, name, args.password, stats, clock, args.seed * 1000 + i, args.keepalive)
               for i, name in enumerate(names)]
    for thread in threads:
        thread.start()
    clock.start()
    setup = stats.snapshot()   # the logins and each user's first pages are not the timed load
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - clock.started
    text = report(stats.since(setup), elapsed, len(names))
    print(text)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 1 if stats.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
