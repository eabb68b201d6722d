"""The home page: what each role has to do next, each item linking to where it is done."""
from collections import Counter
from datetime import date

from flask import current_app, g
from flask_appbuilder import IndexView, expose
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    GRADE_LABELS, MEETING_KINDS, ORG_KINDS, SHEET_SOURCES, Branch, ContactCadre, GeneralBranch, Secretary, UserOrg, label,
)
from app.rules.policy import ANY_MEETING
from app.security.rules import WHOLE_GENERAL_BRANCHES, sheet_sources
from app.security.scope import current_org
from app.services import home, notices
from app.services.home import Todo


def scope_counts(org) -> dict:
    """How many rows of each main table the actor sees: the record-rule guard scopes each count
    (a second, explicit scope would test every row twice: 50,000 secretaries at city scale).

    A committee and a general branch read whole general branches, so their branches, members
    and secretary records are the sums of what each general branch keeps about all its branches
    (zb_general_branch's counts, kept by the database): 2,000 rows for a committee, not 50,000
    branches and 50,000 secretary records. A branch counts its own rows."""
    counts = {"contact_cadres": db.session.scalar(select(func.count()).select_from(ContactCadre))}
    if org.kind in WHOLE_GENERAL_BRANCHES:
        gb = GeneralBranch
        counts["general_branches"], branches, formal, probationary, counts["secretaries"] = db.session.execute(
            select(func.count(gb.id), *(func.coalesce(func.sum(c), 0) for c in (
                gb.branch_count, gb.formal_count, gb.probationary_count, gb.secretary_count)))).one()
    else:
        counts["general_branches"] = db.session.scalar(select(func.count()).select_from(GeneralBranch))
        counts["secretaries"] = db.session.scalar(select(func.count()).select_from(Secretary))
        # the branches and their members in one pass: each row carries its roster's counts
        # (kept by the database), so the roster is never counted here
        branches, formal, probationary = db.session.execute(
            select(func.count(Branch.id), func.coalesce(func.sum(Branch.formal_count), 0),
                   func.coalesce(func.sum(Branch.probationary_count), 0))).one()
    counts.update(branches=branches, members=formal + probationary, formal=formal, probationary=probationary)
    return counts


def _deadline_text(round_, today) -> str:
    left = (round_.deadline - today).days
    if left >= 0:
        return _("截止 %(day)s，还剩 %(n)d 天", day=round_.deadline.isoformat(), n=left)
    return _("截止 %(day)s，已过 %(n)d 天", day=round_.deadline.isoformat(), n=-left)


def _term_todo(bid, name, end, left, notice_months) -> Todo:
    second = min(home.SECOND_TERM_NOTICE, notice_months)
    if left < 0:
        text, level = _("「%(name)s」支部委员会任期已于 %(day)s 届满，请尽快换届。", name=name, day=end.isoformat()), "danger"
    elif left < second:
        text, level = _("「%(name)s」支部委员会任期将于 %(day)s 届满（不足 %(n)d 个月），请准备换届。",
                        name=name, day=end.isoformat(), n=second), "warning"
    else:
        text, level = _("「%(name)s」支部委员会任期将于 %(day)s 届满（不足 %(n)d 个月），请提前筹备换届。",
                        name=name, day=end.isoformat(), n=notice_months), "info"
    return Todo(text, level, "BranchView.show", {"pk": bid}, "term")


def _term_todos(today, policy) -> list:
    return [_term_todo(*t, policy.term_notice_months) for t in home.terms_due(today, policy.term_notice_months)]


def _rectification_todo(item_id, name, due, overdue) -> Todo:
    if overdue:
        return Todo(_("「%(name)s」的整改事项已于 %(day)s 逾期。", name=name, day=due.isoformat()), "danger",
                    "RectificationView.show", {"pk": item_id}, "rectification")
    return Todo(_("「%(name)s」的整改事项将于 %(day)s 到期。", name=name, day=due.isoformat()), "warning",
                "RectificationView.show", {"pk": item_id}, "rectification")


def branch_home(org, today, scope) -> dict:
    """A branch secretary: sheets owed, items due, meetings, 换届, training, imports, the last grade
    (the numbers are its committee's health policy)."""
    policy = home.policy_of(org)
    todos = []
    rounds = home.open_rounds(today)
    counts = home.sheet_counts([r.id for r in rounds])
    for round_ in rounds:
        have = counts.get((round_.id, org.branch_id), Counter())
        for source in sheet_sources(org):
            if not have[source]:
                todos.append(Todo(_("「%(round)s」尚未提交%(source)s（%(deadline)s）。", round=round_.name,
                                    source=label(SHEET_SOURCES, source), deadline=_deadline_text(round_, today)),
                                  "danger" if round_.deadline < today else "warning", "ScoreSheetView.add", {},
                                  "sheet"))
    todos += [_rectification_todo(i, name, due, overdue)
              for i, _gb, name, due, overdue in home.rectifications_due(today)]
    held = home.meetings_this_month(today).get(org.branch_id, {})
    for kind in home.monthly_kinds_missing(policy, held, (scope or {}).get("formal", 0)):
        if kind == ANY_MEETING:
            text = _("本月（%(month)s）还没有组织生活记录。", month=today.strftime("%Y-%m"))
        else:
            text = _("本月（%(month)s）还没有%(kind)s记录。", month=today.strftime("%Y-%m"),
                     kind=label(MEETING_KINDS, kind))
        todos.append(Todo(text, "warning", "MeetingView.add", {}, "meeting"))
    todos += _term_todos(today, policy)
    for _bid, name, hours in home.secretary_hours(today.year):
        if hours < policy.secretary_hours - 1e-9:
            todos.append(Todo(_("支部书记 %(name)s 本年度培训 %(hours)s 学时，未达 %(target)s 学时。", name=name,
                                hours=f"{hours:g}", target=f"{policy.secretary_hours:g}"), "info",
                              "TrainingEventView.list", {}, "training"))
    todos += [Todo(_("名册导入「%(file)s」已预检通过，等待确认。", file=name), "info", "RosterImportView.result",
                   {"pk": i}, "import") for i, name in home.pending_imports(org.user_id)]
    last_round = home.latest_graded_round()
    last = home.assessments_of([last_round.id]).get((last_round.id, org.branch_id)) if last_round else None
    return {"todos": todos, "last_round": last_round, "last": last}


def general_branch_home(org, today, scope) -> dict:
    """A general branch: completion per branch in open rounds, weak branches, overdue items, 换届."""
    policy = home.policy_of(org)
    rounds = home.open_rounds(today)
    counts = home.sheet_counts([r.id for r in rounds])
    names = home.branch_names()
    progress = [(r, [(bid, name, counts.get((r.id, bid), Counter())) for bid, name in names.items()])
                for r in rounds]
    todos = []
    for round_, rows in progress:
        missing = Counter(s for _b, _n, have in rows for s in home.SOURCES if not have[s])
        for source, n in missing.items():
            todos.append(Todo(_("「%(round)s」还有 %(n)d 个党支部缺少%(source)s（%(deadline)s）。", round=round_.name,
                                n=n, source=label(SHEET_SOURCES, source), deadline=_deadline_text(round_, today)),
                              "warning", "ScoringView.round_matrix", {"round_id": round_.id}, "sheet"))
    round_names = {r.id: r.name for r in home.visible_rounds()}
    weak = home.weak_without_item(list(round_names))
    todos += [Todo(_("「%(name)s」在「%(round)s」中评为%(grade)s，尚未建立整改事项。", name=name,
                     round=round_names[round_id], grade=label(GRADE_LABELS, grade)),
                   "danger", "ScoringView.round_matrix", {"round_id": round_id}, "weak")
              for round_id, _bid, name, grade in weak]
    todos += [_rectification_todo(i, name, due, overdue)
              for i, _gb, name, due, overdue in home.rectifications_due(today) if overdue]
    todos += _term_todos(today, policy)
    return {"todos": todos, "progress": progress, "sources": home.SOURCES}


_NOTHING = dict.fromkeys(home.PROGRESS, 0)   # a general branch without assessments (read only)


def _total(counts, keys) -> Counter:
    """The sum of {key: n} dicts, key by key (summing 2,000 Counters made 2,000 new ones: 30 ms)."""
    counts = list(counts)
    return Counter({key: sum(c[key] for c in counts) for key in keys})


def committee_home(org, today, scope) -> dict:
    """The committee: progress per general branch, grades and the goal line, overdue items, size.

    Every figure is grouped per general branch (committee_progress and latest_grades read the
    rounds' tallies the database keeps, large_branches filters the branches' kept counts): the
    home reads as many rows for 50,000 branches as the committee has general branches, and shows
    the committee's totals and the ZHIBU_HOME_TOP general branches that need it most, with a link
    to the scoring view's summary of all of them (2,000 rows are not a home page)."""
    rounds = home.open_rounds(today)
    done = home.committee_progress([r.id for r in rounds])
    gb_names = home.general_branch_names()
    top = int(current_app.config.get("ZHIBU_HOME_TOP", HOME_TOP))
    progress = []
    for round_ in rounds:
        rows = [(gid, name, done.get((round_.id, gid), _NOTHING)) for gid, name in gb_names.items()]
        total = _total((c for _g, _n, c in rows), home.PROGRESS)
        # the general branches furthest behind first (share of their branches without a self sheet)
        rows.sort(key=lambda r: r[2]["self"] / r[2]["branches"] if r[2]["branches"] else 1.0)
        progress.append((round_, rows[:top], total, len(rows)))
    last_round, grades, goal = home.latest_grades()
    graded = [(gid, name, grades[gid]) for gid, name in gb_names.items() if grades.get(gid)]
    grade_total = _total((c for _g, _n, c in graded), home.GRADES)
    # the general branches with the largest share of 一般 and 较差 first
    graded.sort(key=lambda r: -(r[2]["C"] + r[2]["D"]) / max(1, sum(r[2].values())))
    # the to-dos: the ZHIBU_HOME_TOP general branches most overdue and branches most oversized,
    # then one line for the rest (a city's round can leave every general branch overdue)
    overdue = list(home.overdue_per_general_branch(today).items())
    large = home.large_branches(home.policy_of(org))
    todos = [Todo(_("「%(gb)s」有 %(n)d 条整改事项已逾期。", gb=gb_names.get(gid, ""), n=n), "danger",
                  "RectificationView.list", {}, "rectification") for gid, n in overdue[:top]]
    if len(overdue) > top:
        todos.append(Todo(_("另有 %(n)d 个党总支的 %(items)d 条整改事项已逾期。", n=len(overdue) - top,
                            items=sum(n for _g, n in overdue[top:])), "danger", "RectificationView.list", {},
                          "rectification_more"))
    todos += [Todo(_("「%(name)s」有 %(n)d 名党员，超过 %(limit)d 人，应考虑拆分。", name=name, n=n,
                     limit=limit), "info", "BranchView.show", {"pk": bid}, "size")
              for bid, name, n, limit in large[:top]]
    if len(large) > top:
        todos.append(Todo(_("另有 %(n)d 个党支部人数超过上限，应考虑拆分。", n=len(large) - top), "info",
                          "BranchView.list", {"_oc_BranchView": "formal_count", "_od_BranchView": "desc"},
                          "size_more"))
    return {"todos": todos, "progress": progress, "last_round": last_round, "graded": graded[:top],
            "graded_count": len(graded), "grade_total": grade_total, "goal": goal}


HOME_TOP = 20  # general branches shown per table on the committee home (ZHIBU_HOME_TOP); the rest: "查看全部"

HOMES = {"branch": branch_home, "general_branch": general_branch_home, "committee": committee_home}


class ZhibuIndexView(IndexView):
    """Tells each role what is to be done next."""

    index_template = "zhibu/index.html"

    @expose("/")
    def index(self):
        user = g.user if getattr(g, "user", None) is not None and g.user.is_authenticated else None
        if user is None:
            return self.render_template(self.index_template, org=None, org_name=None, counts=None)
        # the day's notices, on the first home page of the day in this process (services/notices)
        notices.run_daily()
        org = current_org()
        org_name, kind = None, None
        if org is not None:
            link = db.session.get(UserOrg, user.id)
            if link is not None:
                org_name, kind = str(link.org), label(ORG_KINDS, link.kind)
        counts = scope_counts(org) if org is not None else None
        today = date.today()
        context = HOMES[org.kind](org, today, counts) if org is not None and org.kind in HOMES else {}
        return self.render_template(self.index_template, org=org, org_name=org_name, kind=kind, counts=counts,
                                    today=today, label=label,
                                    # translated once per request, not once per table cell
                                    grade_labels={code: str(text) for code, text in GRADE_LABELS.items()},
                                    sheet_source_labels=SHEET_SOURCES, **context)
