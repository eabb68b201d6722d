"""The city-scale benchmark (issue 12): every figure beside its limit, measured in the same run.

    flask --app app zhibu synth --one-committee --password bench-pass-1 ...   # once, into a file
    python -m benchmarks all --db sqlite:////work/bench-data/L.db [--repeat 10] [--json FILE]

Against a database made by `zhibu synth` (accounts synth-committee, synth-gb, synth-branch):
- list pages and REST lists (first page, page 100, sorted by name, filtered by name) as each of
  the three users, beside (a) FAB's stock ModelView / ModelRestApi over the same table (same
  permissions; the record-rule guard scopes its reads as it scopes every ORM read) and (b) a
  hand-written indexed query rendered by a bare Jinja table (or jsonify), the limit;
- the scoring view (committee summary, one general branch's rows, a general branch's view)
  beside a hand-written grouped query with a bare table;
- the homes; 附件2 and 附件3 beside bare XlsxWriter writing the same cells from a hand-written
  query (附件3: one rectification item per 一般/较差 branch, added once if synth made none);
- recompute of the round beside the pure engine on the same inputs: with nothing to change
  (a re-run) and with every row's stored figures stale (each row written and audited);
- the dry run of a 100,000-row roster import beside openpyxl's bare read of the same file: of
  new members, and of as many existing members changed (numbers in another case).
Times are wall-clock milliseconds through Flask's test client (in-process: no network), p50
and p95 of --repeat requests after one warm-up; "stmts" is the SQL statements of one request.
"""
from __future__ import annotations

import argparse
import gc
import io
import json
import statistics
import sys
import time
from urllib.parse import quote

USERS = ("synth-committee", "synth-gb", "synth-branch")
BARE_PAGE = 20


# -- the comparison views, registered only in the benchmark's app ----------------------------

def _register_limits(app):
    """FAB's stock views and APIs over the same tables, and the bare hand-written pages."""
    from flask import jsonify, request
    from flask_appbuilder import ModelView
    from flask_appbuilder.api import ModelRestApi
    from flask_appbuilder.models.sqla.interface import SQLAInterface
    from jinja2 import Environment

    from app.extensions import db
    from app.models import Branch, Member
    from app.views.base import API_VERBS, VIEW_VERBS
    from app.views.org import BranchApi, BranchView
    from app.views.people import MemberApi, MemberView

    class StockInterface(SQLAInterface):
        """FAB's interface, with only the fix it needs to start on a column_property (secretary_name)."""

        def is_unique(self, col_name):
            try:
                return super().is_unique(col_name)
            except AttributeError:
                return False

    def stock_view(model, mine):
        return type(f"Stock{model.__name__}View", (ModelView,), {
            "route_base": f"/stock/{model.__name__.lower()}", "datamodel": StockInterface(model, db.session),
            "class_permission_name": mine.class_permission_name, "method_permission_name": VIEW_VERBS,
            "list_columns": mine.list_columns, "search_columns": mine.search_columns,
            "order_columns": mine.order_columns, "base_order": mine.base_order, "page_size": 20,
            "add_columns": mine.add_columns, "edit_columns": mine.edit_columns, "show_columns": mine.show_columns})

    def stock_api(model, mine):
        return type(f"Stock{model.__name__}Api", (ModelRestApi,), {
            "resource_name": f"stock{model.__name__.lower()}", "datamodel": StockInterface(model, db.session),
            "class_permission_name": mine.class_permission_name, "method_permission_name": API_VERBS,
            "list_columns": mine.list_columns, "show_columns": mine.show_columns, "add_columns": mine.add_columns,
            "edit_columns": mine.edit_columns, "allow_browser_login": True})

    with app.app_context():
        for model, view, api in ((Member, MemberView, MemberApi), (Branch, BranchView, BranchApi)):
            app.appbuilder.add_view_no_menu(stock_view(model, view))
            app.appbuilder.add_api(stock_api(model, api))

    table = Environment(autoescape=True).from_string(
        "<html><body><p>{{ count }}</p><table>{% for r in rows %}<tr>{% for c in r %}<td>{{ c }}</td>"
        "{% endfor %}</tr>{% endfor %}</table></body></html>")

    def bare(name):
        from sqlalchemy import text

        from app.security.scope import current_org
        org = current_org()
        rows, count = BARE[name](db.session, text, org, request.args)
        if request.args.get("json"):
            return jsonify(count=count, result=[[str(c) for c in r] for r in rows])
        return table.render(rows=rows, count=count)

    app.add_url_rule("/bare/<name>", view_func=bare)


def _scope(org, alias, kind):
    """The hand-written scope of the actor: members by committee_id, branches by general branch."""
    if kind == "member":
        return {"committee": f"{alias}.committee_id = {org.committee_id}",
                "general_branch": f"{alias}.branch_id IN (SELECT id FROM zb_branch WHERE general_branch_id = "
                                  f"{org.general_branch_id})",
                "branch": f"{alias}.branch_id = {org.branch_id}"}[org.kind]
    return {"committee": f"{alias}.general_branch_id IN (SELECT id FROM zb_general_branch WHERE committee_id = "
                         f"{org.committee_id})",
            "general_branch": f"{alias}.general_branch_id = {org.general_branch_id}",
            "branch": f"{alias}.id = {org.branch_id}"}[org.kind]


def _page_args(args, default_order):
    order = "name" if args.get("sort") else default_order
    offset = int(args.get("page", 0)) * BARE_PAGE
    like = args.get("q")
    return order, offset, like


def bare_members(session, text, org, args):
    order, offset, like = _page_args(args, "number")
    where = _scope(org, "m", "member") + (" AND m.name LIKE :q" if like else "")
    params = {"q": f"%{like}%"} if like else {}
    count = session.execute(text(f"SELECT count(*) FROM zb_member m WHERE {where}"), params).scalar()
    rows = session.execute(text(
        f"SELECT m.number, m.name, m.gender, m.member_type, m.joined_on, m.unit, b.name FROM zb_member m "
        f"JOIN zb_branch b ON b.id = m.branch_id WHERE {where} ORDER BY m.{order}, m.id "
        f"LIMIT {BARE_PAGE} OFFSET {offset}"), params).all()
    return rows, count


def bare_branches(session, text, org, args):
    order, offset, like = _page_args(args, "code")
    where = _scope(org, "b", "branch") + (" AND b.name LIKE :q" if like else "")
    params = {"q": f"%{like}%"} if like else {}
    count = session.execute(text(f"SELECT count(*) FROM zb_branch b WHERE {where}"), params).scalar()
    page = session.execute(text(
        f"SELECT b.id, b.code, b.name, g.name, b.category, b.is_joint, b.elected_on FROM zb_branch b "
        f"JOIN zb_general_branch g ON g.id = b.general_branch_id WHERE {where} ORDER BY b.{order}, b.id "
        f"LIMIT {BARE_PAGE} OFFSET {offset}"), params).all()
    ids = ",".join(str(r[0]) for r in page) or "0"
    counts = {r[0]: r[1:] for r in session.execute(text(
        f"SELECT branch_id, sum(CASE WHEN member_type = 'formal' THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN member_type = 'probationary' THEN 1 ELSE 0 END) FROM zb_member "
        f"WHERE branch_id IN ({ids}) GROUP BY branch_id"))}
    secretaries = dict(session.execute(text(
        f"SELECT s.branch_id, m.name FROM zb_secretary s JOIN zb_member m ON m.id = s.member_id "
        f"WHERE s.branch_id IN ({ids}) AND s.left_on IS NULL")).all())
    return [(*r[1:], *counts.get(r[0], (0, 0)), secretaries.get(r[0], "")) for r in page], count


def bare_scoring(session, text, org, args):
    where = _scope(org, "b", "branch")
    rows = session.execute(text(
        "SELECT g.name, coalesce(a.override_grade, a.computed_grade), count(*) FROM zb_assessment a "
        "JOIN zb_branch b ON b.id = a.branch_id JOIN zb_general_branch g ON g.id = b.general_branch_id "
        f"WHERE a.round_id = :r AND {where} GROUP BY g.code, g.name, 2 ORDER BY g.code"),
        {"r": int(args.get("round", 1))}).all()
    return rows, len(rows)


BARE = {"member": bare_members, "branch": bare_branches, "scoring": bare_scoring}


# -- measuring -----------------------------------------------------------------------------

def login(app, username, password):
    client = app.test_client()
    client.get("/login/")
    response = client.post("/login/", data={"username": username, "password": password})
    if response.status_code != 302 or "/login" in response.headers.get("Location", ""):
        sys.exit(f"!!! login failed for {username} (run zhibu synth with --password)")
    return client


def timed(client, path, counter, repeat):
    """p50/p95 wall ms over `repeat` GETs after one warm-up, the statements of one, status, bytes.
    The garbage of the case before is collected first: FAB's stock member list leaves its search
    form's 50,000 branches in reference cycles, and the full collection that frees them (300-400
    ms, benchmarks/RESULTS.md) would otherwise land in whichever request of the next case comes
    first."""
    return timed_together(client, {"ours": path}, counter, {"ours": repeat})["ours"]


def timed_together(client, paths, counter, repeats):
    """As timed, for several paths whose requests take turns (one of each, then the next round:
    a machine that slows down mid-case slows all of them alike): name -> figures."""
    measured = {}
    for name, path in paths.items():
        client.get(path)
        counter[0] = 0
        response = client.get(path)
        measured[name] = {"status": response.status_code, "stmts": counter[0], "kb": len(response.data) / 1024,
                          "times": []}
    gc.collect()
    for turn in range(max(repeats.values())):
        for name, path in paths.items():
            if turn < repeats[name]:
                start = time.perf_counter()
                client.get(path)
                measured[name]["times"].append((time.perf_counter() - start) * 1000)
    for figures in measured.values():
        times = sorted(figures.pop("times"))
        figures.update(p50=statistics.median(times), p95=times[min(len(times) - 1, round(0.95 * (len(times) - 1)))])
    return measured


def _rison(**kw) -> str:
    parts = []
    for key, value in kw.items():
        parts.append(f"{key}:{value}")
    return quote("(" + ",".join(parts) + ")", safe="():,!'")


LIST_VARIANTS = {
    # variant: (web args for view V, REST rison, bare args)
    "first page": ("", _rison(page=0, page_size=20), ""),
    "page 100": ("page_{V}=100", _rison(page=100, page_size=20), "page=100"),
    "sorted": ("_oc_{V}=name&_od_{V}=asc", _rison(order_column="name", order_direction="asc", page=0, page_size=20),
               "sort=1"),
    "filtered": ("_flt_2_name={Q}", _rison(filters="!((col:name,opr:ct,value:'{Q}'))", page=0, page_size=20),
                 "q={Q}"),
}
LISTS = {  # name: (zhibu view, zhibu api, search text)
    "member": ("MemberView", "member", "王"),
    "branch": ("BranchView", "branch", "本科生"),
}


def list_cases():
    for name, (view, api, text) in LISTS.items():
        stock_view = f"Stock{view[:-4]}View"
        for variant, (web, rison, bare_args) in LIST_VARIANTS.items():
            q = quote(text)
            ours = web.format(V=view, Q=q)
            theirs = web.format(V=stock_view, Q=q)
            yield (f"{name} list · {variant}", f"/{view.lower()}/list/?{ours}",
                   f"/stock/{name}/list/?{theirs}", f"/bare/{name}?{bare_args.format(Q=q)}")
            rest = rison.replace(quote("{Q}"), q)   # the placeholder was quoted with the rest of the rison
            yield (f"{name} REST · {variant}", f"/api/v1/{api}/?q={rest}", f"/api/v1/stock{name}/?q={rest}",
                   f"/bare/{name}?json=1&{bare_args.format(Q=q)}")


def run_pages(app, clients, counter, repeat, stock_repeat, round_id, out, only_cases=None, together=False):
    cases = list(list_cases())
    cases += [("scoring view · summary", f"/scoring/round/{round_id}", None, f"/bare/scoring?round={round_id}"),
              ("scoring view · one general branch", None, None, None),
              ("home", "/", None, None)]
    if only_cases:
        cases = [c for c in cases if any(text in c[0] for text in only_cases)]
    for label, ours, stock, bare in cases:
        for user, client in clients.items():
            if label == "scoring view · one general branch":
                from app.extensions import db
                from app.models import GeneralBranch
                with app.app_context():
                    gb = db.session.query(GeneralBranch.id).order_by(GeneralBranch.code).first()[0]
                ours = f"/scoring/round/{round_id}?general_branch={gb}"
            paths = {"ours": ours, "stock": stock, "bare": bare}
            if together:    # the three take turns, request by request
                paths = {name: path for name, path in paths.items() if path}
                row = {"case": label, "user": user, **timed_together(
                    client, paths, counter, {"ours": repeat, "stock": stock_repeat, "bare": repeat})}
            else:           # one after the other, each case's requests in a row
                row = {"case": label, "user": user, **{
                    name: timed(client, path, counter, stock_repeat if name == "stock" else repeat)
                    for name, path in paths.items() if path}}
            out.append(row)
            print_row(row)


def run_forms(app, round_id, repeat, out):
    """附件2 through the service (query + builder) beside a hand-written query + bare XlsxWriter."""
    import xlsxwriter
    from sqlalchemy import select, text

    from app.extensions import db
    from app.models import AssessmentRound
    from app.security.scope import OrgRef, acting_as
    from app.services.forms import export_annex2

    def bare():
        rows = db.session.execute(text(
            "SELECT g.name, b.name, coalesce(a.override_grade, a.computed_grade) FROM zb_branch b "
            "JOIN zb_general_branch g ON g.id = b.general_branch_id LEFT JOIN zb_assessment a "
            "ON a.branch_id = b.id AND a.round_id = :r WHERE g.committee_id = :c ORDER BY g.code, g.name, b.name"),
            {"r": round_id, "c": committee_id})
        labels = {"A": "好", "B": "较好", "C": "一般", "D": "较差"}
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False})
        cell = book.add_format({"font_name": "SimSun", "border": 1})
        sheet = book.add_worksheet("附件2")
        for r, (gb, branch, grade) in enumerate(rows, start=4):
            sheet.write_number(r, 0, r - 3, cell)
            sheet.write_string(r, 1, gb, cell)
            sheet.write_string(r, 2, branch, cell)
            sheet.write_string(r, 3, labels.get(grade, ""), cell)
            sheet.write_blank(r, 4, None, cell)
        book.close()
        return buffer.getvalue()

    with app.app_context():
        committee_id = db.session.scalar(select(AssessmentRound.committee_id).where(AssessmentRound.id == round_id))
        org = OrgRef("committee", committee_id=committee_id, name="bench")

        def ours():
            with acting_as(org):
                return export_annex2(org, None, round_id).data
        row = {"case": "附件2 (committee, whole round)", "user": "synth-committee",
               "ours": _best(ours, repeat), "bare": _best(bare, repeat)}
    out.append(row)
    print_row(row)


def _ensure_rectifications(round_id, committee_id):
    """synth makes no rectification items: one per 一般/较差 branch of the round, once (setup,
    written outside the app: not measured)."""
    from datetime import date

    from sqlalchemy import text

    from app.extensions import db
    with db.engine.begin() as conn:
        if conn.execute(text("SELECT count(*) FROM zb_rectification WHERE round_id = :r"), {"r": round_id}).scalar():
            return
        rows = conn.execute(text(
            "SELECT a.branch_id FROM zb_assessment a WHERE a.round_id = :r "
            "AND coalesce(a.override_grade, a.computed_grade) IN ('C', 'D')"), {"r": round_id}).scalars().all()
        conn.execute(text(
            "INSERT INTO zb_rectification (branch_id, round_id, problems, measures, due_on, status, version) "
            "VALUES (:b, :r, :p, :m, :d, 'not_started', 1)"),
            [{"b": b, "r": round_id, "d": date(2012, 6, 30) if i % 5 else None,
              "p": f"组织生活会召开不规范，党员教育管理薄弱（第{i % 7 + 1}项）；发展党员程序需进一步规范。",
              "m": "制定整改台账，按月召开支委会；书记带头讲党课，落实“三会一课”制度。" * (1 + i % 3)}
             for i, b in enumerate(rows)])
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE zb_rectification"))


def run_annex3(app, round_id, repeat, out):
    """附件3 through the service beside a hand-written query + bare XlsxWriter of the same cells."""
    import xlsxwriter
    from sqlalchemy import select, text

    from app.extensions import db
    from app.models import AssessmentRound
    from app.security.scope import OrgRef, acting_as
    from app.services.forms import export_annex3

    with app.app_context():
        committee_id = db.session.scalar(select(AssessmentRound.committee_id).where(AssessmentRound.id == round_id))
        _ensure_rectifications(round_id, committee_id)
        count = db.session.execute(text("SELECT count(*) FROM zb_rectification WHERE round_id = :r"),
                                   {"r": round_id}).scalar()

        def bare():
            rows = db.session.execute(text(
                "SELECT b.name, r.problems, r.measures, r.due_on, c.name, r.remark FROM zb_rectification r "
                "JOIN zb_branch b ON b.id = r.branch_id JOIN zb_general_branch g ON g.id = b.general_branch_id "
                "LEFT JOIN zb_contact_cadre c ON c.id = r.contact_id WHERE r.round_id = :r AND g.committee_id = :c "
                "ORDER BY g.code, g.name, b.name, r.id"), {"r": round_id, "c": committee_id})
            buffer = io.BytesIO()
            book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False})
            cell = book.add_format({"font_name": "SimSun", "border": 1, "text_wrap": True, "valign": "top"})
            sheet = book.add_worksheet("附件3")
            for r, (branch, problems, measures, due, contact, remark) in enumerate(rows, start=4):
                sheet.write_number(r, 0, r - 3, cell)
                for col, value in enumerate((branch, problems, measures, str(due or ""), contact or "",
                                             remark or ""), start=1):
                    sheet.write_string(r, col, value, cell)
            book.close()
            return buffer.getvalue()

        org = OrgRef("committee", committee_id=committee_id, name="bench")

        def ours():
            with acting_as(org):
                return export_annex3(org, None, round_id).data
        row = {"case": f"附件3 (committee, {count} items)", "user": "synth-committee",
               "ours": _best(ours, repeat), "bare": _best(bare, repeat)}
    out.append(row)
    print_row(row)


def run_import(app, n, out):
    """A roster import of n new members (the dry run: parse, plan against the database, record)
    beside the bare parse of the same file (openpyxl read-only, every value)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.imports import MemberRow, export_members
    from app.models import Branch, GeneralBranch
    from app.security.scope import acting_as, org_of_user
    from app.services import imports as service

    with app.app_context():
        user = app.appbuilder.sm.find_user(username="synth-committee")
        branches = db.session.execute(
            select(GeneralBranch.name, Branch.name).join(Branch, Branch.general_branch_id == GeneralBranch.id)
            .where(GeneralBranch.committee_id == user_committee(user)).order_by(Branch.id).limit(5000)).all()
        data = export_members(
            MemberRow(number=f"BENCH{100000000 + i}", name=f"测试党员{i}", gender=("M", "F", None)[i % 3],
                      member_type=("formal", "formal", "probationary")[i % 3], joined_on=None,
                      unit=f"第{i % 97}班", is_teacher_backbone=(i % 7 == 0),
                      general_branch=branches[i % len(branches)][0], branch=branches[i % len(branches)][1])
            for i in range(n))

        def bare():
            return _bare_read(data)

        def ours():
            with acting_as(org_of_user(user)):
                outcome = service.dry_run(user, "members", "bench.xlsx", data)
                assert outcome.summary["new"] == n, outcome.summary
        row = {"case": f"import dry run ({n} rows)", "user": "synth-committee",
               "ours": _best(ours, 1), "bare": _best(bare, 1)}
    out.append(row)
    print_row(row)


def _bare_read(data) -> int:
    """The limit of an import: openpyxl reading the file's rows, nothing else."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))


def run_import_update(app, n, out):
    """A roster import that changes n existing members (their numbers typed in lower case, a unit
    changed): the dry run matches every row to its member by the number's match key."""
    from sqlalchemy import select

    from app.extensions import db
    from app.imports import MemberRow, export_members
    from app.models import Branch, GeneralBranch, Member
    from app.security.scope import acting_as, org_of_user
    from app.services import imports as service

    with app.app_context():
        user = app.appbuilder.sm.find_user(username="synth-committee")
        rows = db.session.execute(
            select(Member.number, Member.name, Member.gender, Member.member_type, Member.joined_on, Member.unit,
                   Member.is_teacher_backbone, GeneralBranch.name, Branch.name)
            .join(Branch, Member.branch_id == Branch.id).join(GeneralBranch, Branch.general_branch_id == GeneralBranch.id)
            .where(Member.committee_id == user_committee(user)).order_by(Member.id).limit(n)).all()
        data = export_members(
            MemberRow(number=r[0].lower(), name=r[1], gender=r[2], member_type=r[3], joined_on=r[4],
                      unit=f"{r[5] or ''}（已调整）", is_teacher_backbone=bool(r[6]), general_branch=r[7], branch=r[8])
            for r in rows)

        def bare():
            return _bare_read(data)

        def ours():
            with acting_as(org_of_user(user)):
                outcome = service.dry_run(user, "members", "bench.xlsx", data)
                assert outcome.summary["updated"] == len(rows), outcome.summary
        row = {"case": f"import dry run, {len(rows)} members changed", "user": "synth-committee",
               "ours": _best(ours, 1), "bare": _best(bare, 1)}
    out.append(row)
    print_row(row)


def user_committee(user):
    from app.security.scope import org_of_user
    return org_of_user(user).committee_id


def _best(fn, repeat):
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"status": 200, "p50": statistics.median(times), "p95": times[-1], "stmts": None, "kb": None}


def run_recompute(app, round_id, out):
    """recompute_round (load, score, save) beside the pure engine on the same inputs."""
    from app.scoring import score
    from app.security.scope import system_actor
    from app.services.assessment import policy, recompute_round
    from benchmarks.scoring import inputs_of

    from sqlalchemy import text

    from app.extensions import db

    from benchmarks.replay import capturing, fetch_raw

    with app.app_context(), system_actor("bench"):
        recompute_round(round_id)   # the stored figures up to date: what a re-run finds
        ours = _best(lambda: recompute_round(round_id), 3)
        inputs, pol = inputs_of(round_id), policy()
        engine = _best(lambda: [score(i, pol) for i in inputs], 3)
        # the reads a re-run sends (it writes nothing), replayed bare: the database's part
        with capturing(db.engine) as sent:
            recompute_round(round_id)
        reads = [(s, p) for s, p in sent if s.lstrip().upper().startswith("SELECT")]
        raw = db.engine.raw_connection()
        try:
            bare_reads = _best(lambda: [fetch_raw(raw, s, p) for s, p in reads], 3)
        finally:
            raw.rollback()
            raw.close()
        floor = {**bare_reads, "p50": bare_reads["p50"] + engine["p50"], "p95": bare_reads["p95"] + engine["p95"]}

        def stale_then_recompute():
            # every row's stored composite blanked behind the app's back (not timed): the
            # recompute writes and audits all of them
            with db.engine.begin() as conn:
                conn.execute(text("UPDATE zb_assessment SET composite = NULL WHERE round_id = :r"), {"r": round_id})
            start = time.perf_counter()
            recompute_round(round_id)
            return (time.perf_counter() - start) * 1000
        every = sorted(stale_then_recompute() for _ in range(2))
        every = {"status": 200, "p50": statistics.median(every), "p95": every[-1], "stmts": None, "kb": None}
    for label, measured, limit in (
            ("recompute, nothing changed", ours, engine),
            (f"recompute, nothing changed, beside its {len(reads)} reads replayed bare + the engine", ours, floor),
            ("the reads alone, replayed bare", bare_reads, engine),
            ("recompute, every row changed + audited", every, engine)):
        row = {"case": f"{label} ({len(inputs)} branches)", "user": "system", "ours": measured, "engine": limit}
        out.append(row)
        print_row(row)


# -- output ----------------------------------------------------------------------------------

def _fmt(m):
    return "—" if m is None else f"{m['p50']:.0f}/{m['p95']:.0f}"


def _ratio(a, b):
    return "—" if not a or not b or not b["p50"] else f"{a['p50'] / b['p50']:.2f}×"


def print_row(row):
    ours, stock = row["ours"], row.get("stock")
    limit = row.get("bare") or row.get("engine")
    # a figure of a request that failed is no figure: flagged (the bare limit's too)
    bad = " !!!" if any(m and m.get("status") != 200 for m in (ours, stock, row.get("bare"))) else ""
    print(f"| {row['case']} | {row['user']} | {_fmt(ours)} | {ours['stmts'] if ours['stmts'] is not None else '—'} "
          f"| {_fmt(stock)} | {_ratio(ours, stock)} | {_fmt(limit)} | {_ratio(ours, limit)} |{bad}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description="zhibu at city scale: each figure beside its limit")
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of a database made by `zhibu synth`")
    parser.add_argument("--password", default="bench-pass-1")
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per case (zhibu, bare)")
    parser.add_argument("--stock-repeat", type=int, default=5, help="timed requests per FAB stock case")
    parser.add_argument("--only", choices=("pages", "forms", "recompute", "imports"), action="append")
    parser.add_argument("--case", action="append",
                        help="pages: only the cases whose label contains this (e.g. home, 'branch list')")
    parser.add_argument("--user", action="append", choices=USERS, help="pages: only as this user")
    parser.add_argument("--together", action="store_true",
                        help="pages: zhibu, FAB stock and the limit take turns request by request (use with "
                             "--case REST: a stock member list's garbage would land in zhibu's requests)")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args(argv)

    from sqlalchemy import event, func, select

    from app import create_app
    from app.extensions import db
    from app.models import AssessmentRound

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.db, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    _register_limits(app)
    counter = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: counter.__setitem__(0, counter[0] + 1))
        round_id = db.session.scalar(select(func.min(AssessmentRound.id)))
        backend = db.engine.dialect.name
    from app.serving import freeze_startup_objects

    freeze_startup_objects()   # as the gunicorn worker and run.py do once their app is built
    print(f"# {backend}, round {round_id}, repeat {args.repeat} (FAB stock {args.stock_repeat}); "
          f"ms p50/p95", flush=True)
    print("| case | user | zhibu ms | stmts | FAB stock ms | zhibu/stock | limit ms | zhibu/limit |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    only = set(args.only or ("pages", "forms", "recompute", "imports"))
    if "pages" in only:
        clients = {user: login(app, user, args.password) for user in args.user or USERS}
        run_pages(app, clients, counter, args.repeat, args.stock_repeat, round_id, rows, args.case, args.together)
    if "forms" in only:
        run_forms(app, round_id, 3, rows)
        run_annex3(app, round_id, 3, rows)
    if "recompute" in only:
        run_recompute(app, round_id, rows)
    if "imports" in only:
        run_import(app, args.import_rows, rows)
        run_import_update(app, args.import_rows, rows)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"db": backend, "repeat": args.repeat, "rows": rows}, fh, ensure_ascii=False, indent=1)
