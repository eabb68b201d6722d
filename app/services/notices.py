"""Notices (提醒): deadlines near, items overdue and 换届 due, in each user's inbox and by e-mail.

generate_notices(today)  the notices due today for every user, from aggregate queries (the same
                         number of statements for three branches as for fifty thousand), made
                         once each (a unique dedupe key; the insert skips the ones that exist)
send_notice_mail()       mail the notices not yet mailed to their recipients (off unless
                         ZHIBU_MAIL_SERVER is set), one message per user, once each
run_daily(today)         both, at most once a day per process: the home page calls it, so an
                         installation with no cron still gets its notices (the CLI
                         `flask --app app zhibu notices` does the same from cron)
inbox(user, page)        the user's notices, newest first; unread_count(user) for the bell
mark_read(user, pk)      / mark_all_read(user): the recipient's only write

Who is told what (the roles that act on it, DOMAIN.md):
- a round's deadline in 7 days and in 1 day: every user of the round's committee;
- an unfinished rectification item past its due date: the users of its branch and of its
  general branch (the branch records measures, the general branch follows and closes it);
- 换届: 6 and 4 months before the committee's term ends, and once it has ended (the teacher-
  branch rules' notices, as on the home page): the users of the branch and of its general branch.
"""
from __future__ import annotations

import json
import logging
import threading
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import AssessmentRound, Branch, GeneralBranch, Notice, Rectification, UserOrg, label
from app.models.notices import NOTICE_KINDS
from app.security.scope import system_actor
from app.services import home

log = logging.getLogger(__name__)
ROUND_DAYS = (7, 1)            # notices this many days before a round's deadline
MAIL_WINDOW_DAYS = 3           # mail only notices this recent (turning mail on sends no backlog)
PAGE_SIZE = 20
CHUNK = 500                    # rows per INSERT batch (SQLite's limit on bound parameters)
SYSTEM = "notices"


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


# ---------------------------------------------------------------- who is there

def _recipients():
    """(user id, org kind, committee id, general branch id, branch id, e-mail) of every active user
    with an organization: one statement (a branch user's general branch and committee by join)."""
    from flask_appbuilder.security.sqla.models import User

    gb_of_user, gb_of_branch = aliased(GeneralBranch), aliased(GeneralBranch)
    return db.session.execute(
        select(UserOrg.user_id, UserOrg.kind,
               func.coalesce(UserOrg.committee_id, gb_of_user.committee_id, gb_of_branch.committee_id),
               func.coalesce(UserOrg.general_branch_id, Branch.general_branch_id),
               UserOrg.branch_id, User.email)
        .join(User, User.id == UserOrg.user_id)
        .outerjoin(gb_of_user, gb_of_user.id == UserOrg.general_branch_id)
        .outerjoin(Branch, Branch.id == UserOrg.branch_id)
        .outerjoin(gb_of_branch, gb_of_branch.id == Branch.general_branch_id)
        .where(User.active.is_(True))).all()


class _People:
    """The recipients indexed by where they sit."""

    def __init__(self, rows):
        self.by_committee, self.by_general_branch, self.by_branch = defaultdict(list), defaultdict(list), \
            defaultdict(list)
        for row in rows:
            user_id, kind, committee_id, gb_id, branch_id, _email = row
            if committee_id is not None:
                self.by_committee[committee_id].append(row)
            if kind == "general_branch":
                self.by_general_branch[gb_id].append(row)
            elif kind == "branch":
                self.by_branch[branch_id].append(row)

    def of_branch_and_general_branch(self, branch_id, gb_id):
        return self.by_branch.get(branch_id, []) + self.by_general_branch.get(gb_id, [])


# ---------------------------------------------------------------- what is due

def round_kind(left: int) -> str | None:
    """The deadline notice for `left` days to go: the 1-day one from 1 day on, the 7-day one
    within a week (a day without a run is caught up the next day, never skipped)."""
    if 0 <= left <= ROUND_DAYS[1]:
        return "round_deadline_1"
    if ROUND_DAYS[1] < left <= ROUND_DAYS[0]:
        return "round_deadline_7"
    return None


def term_kind(left_months: int, notice_months: int) -> str | None:
    """The 换届 notice for a term ending in `left_months` whole months: the first notice from the
    committee's policy (term_notice_months), the second at home.SECOND_TERM_NOTICE, as the home says."""
    if left_months < 0:
        return "term_expired"
    if left_months < min(home.SECOND_TERM_NOTICE, notice_months):
        return "term_due_4"
    if left_months < notice_months:
        return "term_due_6"
    return None


def _row(person, kind, table, subject_id, due_on, params):
    user_id, org_kind, committee_id, gb_id, branch_id, _email = person
    return {
        "recipient_id": user_id, "kind": kind, "subject_table": table, "subject_id": subject_id,
        "due_on": due_on, "params": json.dumps(params, ensure_ascii=False, sort_keys=True),
        "dedupe_key": f"{kind}:{table}:{subject_id}:{due_on.isoformat() if due_on else ''}:{user_id}",
        "org_kind": org_kind,
        "committee_id": committee_id if org_kind == "committee" else None,
        "general_branch_id": gb_id if org_kind in ("general_branch", "branch") else None,
        "branch_id": branch_id if org_kind == "branch" else None,
    }


def due_notices(today: date) -> list[dict]:
    """Every notice due today, for every user, as rows to insert (four statements in all)."""
    people = _People(_recipients())
    rows = []
    rounds = db.session.execute(
        select(AssessmentRound.id, AssessmentRound.committee_id, AssessmentRound.name, AssessmentRound.deadline)
        .where(AssessmentRound.status == "open", AssessmentRound.deadline >= today,
               AssessmentRound.deadline <= today + timedelta(days=ROUND_DAYS[0])))
    for round_id, committee_id, name, deadline in rounds:
        kind = round_kind((deadline - today).days)
        rows += [_row(p, kind, "zb_round", round_id, deadline, {"round": name})
                 for p in people.by_committee.get(committee_id, [])]
    items = db.session.execute(
        select(Rectification.id, Rectification.branch_id, Branch.general_branch_id, Branch.name,
               AssessmentRound.name, Rectification.due_on)
        .join(Branch, Branch.id == Rectification.branch_id)
        .join(AssessmentRound, AssessmentRound.id == Rectification.round_id)
        .where(Rectification.status != "done", Rectification.due_on.is_not(None), Rectification.due_on < today))
    for item_id, branch_id, gb_id, branch_name, round_name, due_on in items:
        rows += [_row(p, "rectification_overdue", "zb_rectification", item_id, due_on,
                      {"branch": branch_name, "round": round_name})
                 for p in people.of_branch_and_general_branch(branch_id, gb_id)]
    policies = home.committee_policies()
    branches = db.session.execute(
        select(Branch.id, Branch.general_branch_id, Branch.name, Branch.elected_on, Branch.term_years,
               GeneralBranch.committee_id)
        .join(GeneralBranch, GeneralBranch.id == Branch.general_branch_id)
        .where(Branch.elected_on.is_not(None), func.coalesce(Branch.election_exemption, "") == ""))
    for branch_id, gb_id, name, elected_on, years, committee_id in branches:
        end = home.term_end(elected_on, years)
        policy = policies.get(committee_id)
        notice_months = policy.term_notice_months if policy is not None else 0
        kind = term_kind(home.months_between(today, end), notice_months)
        if kind is not None:
            months = notice_months if kind == "term_due_6" else min(home.SECOND_TERM_NOTICE, notice_months)
            rows += [_row(p, kind, "zb_branch", branch_id, end, {"branch": name, "months": months})
                     for p in people.of_branch_and_general_branch(branch_id, gb_id)]
    return rows


def _insert_new(rows: list[dict]) -> list[int]:
    """INSERT the rows, skipping those whose dedupe key exists (ON CONFLICT DO NOTHING: two
    processes generating at once make each notice once); the ids of the rows really made.

    One statement compiled once and sent as an executemany (SQLAlchemy's "insertmanyvalues"
    batches it, CHUNK rows a batch): a multi-row VALUES is compiled anew for every chunk, which
    cost more than the database's work (5,000 branches: 10 s of 14 s)."""
    if not rows:
        return []
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = _now()
    table = Notice.__table__
    stmt = insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)
    result = db.session.execute(stmt.execution_options(insertmanyvalues_page_size=CHUNK),
                                [{**r, "created_at": now} for r in rows])
    return [row[0] for row in result]


def generate_notices(today: date | None = None) -> Counter:
    """Make the notices due today for every user, as the system actor "notices"; committed.

    Idempotent: a second run on the same day (or a later day, for what is still due) makes
    nothing new. Returns the new notices counted by kind."""
    today = today or date.today()
    with system_actor(SYSTEM):
        rows = due_notices(today)
        made = set(_insert_new(rows))
        db.session.commit()
    kinds = {}
    if made:
        with system_actor(SYSTEM):
            kinds = Counter(k for (k,) in db.session.execute(
                select(Notice.kind).where(Notice.id.in_(sorted(made)))))
            db.session.rollback()
    return Counter(kinds)


# ---------------------------------------------------------------- words

def text_of(notice) -> str:
    """The notice's sentence in the current locale, from its kind and parameters (the home's
    sentences where the home says the same)."""
    p, day = notice.params_dict, notice.due_on.isoformat() if notice.due_on else ""
    kind = notice.kind
    if kind == "round_deadline_7":
        return _("「%(round)s」将于 %(day)s 截止，还有不到 7 天。", round=p.get("round", ""), day=day)
    if kind == "round_deadline_1":
        return _("「%(round)s」将于 %(day)s 截止，只剩最后 1 天。", round=p.get("round", ""), day=day)
    if kind == "rectification_overdue":
        return _("「%(name)s」在「%(round)s」中的整改事项已于 %(day)s 逾期。", name=p.get("branch", ""),
                 round=p.get("round", ""), day=day)
    if kind == "term_expired":
        return _("「%(name)s」支部委员会任期已于 %(day)s 届满，请尽快换届。", name=p.get("branch", ""), day=day)
    if kind == "term_due_4":  # the same sentences as the home's (index._term_todo)
        return _("「%(name)s」支部委员会任期将于 %(day)s 届满（不足 %(n)d 个月），请准备换届。",
                 name=p.get("branch", ""), day=day, n=p.get("months", home.SECOND_TERM_NOTICE))
    if kind == "term_due_6":
        return _("「%(name)s」支部委员会任期将于 %(day)s 届满（不足 %(n)d 个月），请提前筹备换届。",
                 name=p.get("branch", ""), day=day, n=p.get("months", 6))
    return str(label(NOTICE_KINDS, kind))


def mail_of(notices) -> tuple[str, str]:
    """One user's mail: subject and body, in Chinese and then English (a mail has no locale)."""
    parts = []
    for lang in ("zh", "en"):
        with force_locale(lang):
            parts.append([text_of(n) for n in notices])
    n = len(notices)
    subject = f"支部提醒：{n} 条新提醒 / zhibu: {n} new notice{'s' if n != 1 else ''}"
    base = current_app.config.get("ZHIBU_BASE_URL") or ""
    link = [f"{base}/notices/"] if base else []
    body = "\n".join(["您有以下新提醒：", *(f"- {t}" for t in parts[0]), *link, "",
                      "Your new notices:", *(f"- {t}" for t in parts[1]), *link, ""])
    return subject, body


# ---------------------------------------------------------------- e-mail

def mail_enabled() -> bool:
    """Mail goes out only when ZHIBU_MAIL_SERVER is set (config: ZHIBU_MAIL_ENABLED)."""
    return bool(current_app.config.get("ZHIBU_MAIL_ENABLED"))


def send_notice_mail() -> int:
    """Mail each user its notices not yet mailed (of the last MAIL_WINDOW_DAYS days), one message
    per user with an e-mail address (not a placeholder in the reserved .invalid domain, as
    `create-user` and the demo give), and stamp them emailed_at; returns the messages sent.

    A failed connection leaves the notices unmailed for the next run."""
    if not mail_enabled():
        return 0
    from flask_appbuilder.security.sqla.models import User
    from flask_mail import Message

    mail = current_app.extensions["mail"]
    since = _now() - timedelta(days=MAIL_WINDOW_DAYS)
    with system_actor(SYSTEM):
        pending = db.session.execute(
            select(Notice, User.email).join(User, User.id == Notice.recipient_id)
            .where(Notice.emailed_at.is_(None), Notice.created_at >= since,
                   User.email.is_not(None), User.email != "", ~User.email.like("%.invalid"),
                   User.active.is_(True))
            .order_by(Notice.recipient_id, Notice.id)).all()
        by_user = defaultdict(list)
        for notice, email in pending:
            by_user[email].append(notice)
        sent, stamped = 0, []
        try:
            with mail.connect() as connection:
                for email, notices in by_user.items():
                    subject, body = mail_of(notices)
                    connection.send(Message(subject=subject, recipients=[email], body=body))
                    sent += 1
                    stamped += [n.id for n in notices]
        except OSError:   # smtplib's errors are OSErrors: try again on the next run
            log.exception("notice mail: the SMTP server %s failed", current_app.config.get("MAIL_SERVER"))
        if stamped:
            db.session.execute(update(Notice).where(Notice.id.in_(stamped)).values(emailed_at=_now()))
        db.session.commit()
    return sent


# ---------------------------------------------------------------- once a day

_daily_lock = threading.Lock()


def run_daily(today: date | None = None) -> bool:
    """generate_notices and send_notice_mail at most once a day in this process (the home page
    calls it: a second process, or a day's cron run, only finds every notice made already).
    Never raises: the page that calls it must not fail because of it."""
    app = current_app._get_current_object()
    if not app.config.get("ZHIBU_NOTICES_ON_HOME", True):
        return False
    today = today or date.today()
    if app.extensions.get("zhibu_notices_day") == today or not _daily_lock.acquire(blocking=False):
        return False
    try:
        if app.extensions.get("zhibu_notices_day") == today:
            return False
        app.extensions["zhibu_notices_day"] = today
        generate_notices(today)
        send_notice_mail()
        return True
    except Exception:
        db.session.rollback()
        log.exception("notices: the daily run failed")
        return False
    finally:
        _daily_lock.release()


# ---------------------------------------------------------------- the inbox

def _own(user):
    """The user's own notices (the rule table scopes them too; the operator, whom no rule
    scopes, also sees only its own)."""
    return Notice.recipient_id == user.id


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Notice.id)).where(_own(user), Notice.read_at.is_(None))) or 0


def inbox(user, page: int = 0, size: int = PAGE_SIZE) -> tuple[list, int]:
    """(the page's notices, newest first; how many the user has)."""
    total = db.session.scalar(select(func.count(Notice.id)).where(_own(user))) or 0
    rows = db.session.scalars(select(Notice).where(_own(user)).order_by(Notice.id.desc())
                              .limit(size).offset(max(page, 0) * size)).all()
    return rows, total


def notice_of(user, pk: int) -> Notice | None:
    """The user's notice with that id, or None (a foreign id is not found)."""
    return db.session.scalars(select(Notice).where(Notice.id == pk, _own(user))).first()


def mark_read(notice: Notice) -> None:
    if notice.read_at is None:
        notice.read_at = _now()
        db.session.commit()


def mark_all_read(user) -> int:
    """Every unread notice of the user, read now; returns how many."""
    ids = db.session.scalars(select(Notice.id).where(_own(user), Notice.read_at.is_(None))).all()
    if ids:
        db.session.execute(update(Notice).where(Notice.id.in_(ids)).values(read_at=_now()))
    db.session.commit()
    return len(ids)
