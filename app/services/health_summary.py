"""The committee's 支部体检 at city scale: H1–H11 kept per branch, refreshed from the changes.

Checking 50,000 branches from their records takes seconds (the rule queries alone read over a
million meeting and training rows); a committee's page needs only each branch's eleven statuses,
H4's hours, the teacher secretaries' ranks and the meetings per month. Those are kept in
zb_health_status, one row per branch and year, for one day and one policy (zb_health_state).
Every audited write that can move a health fact leaves a mark naming its branch, general branch
or committee (app/security/audit.py, in the transaction of the write); a view of the page takes
the marks, recomputes those branches only — with the same service and the same pure rules as
every other health page — and deletes the marks it took. A new day, another policy or a change
above the branch level (the committee's profile, a committee-wide contact cadre, a deleted
training event) recomputes the committee whole.

Concurrency: a refresh computes without a lock and writes only if the state's version is the one
it started from (one UPDATE … WHERE version = v, which waits for a concurrent refresh on
PostgreSQL and sees its result); the loser writes nothing and reads what the winner wrote. A
mark committed while a refresh runs is not among those it read, so it stays for the next one.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, delete, func, insert, select, update

from flask_babel import gettext as _

from app.errors import Refused
from app.extensions import db
from app.models import (
    Branch, Committee, GeneralBranch, HealthMark, HealthState, HealthStatus, Member, Secretary, TrainingAttendance,
)
from app.models.health import MONTHS
from app.rules import RULE_IDS, check_h3_share, tally_counts
from app.rules.policy import PROFILE_2012
from app.security.scope import current_org
from app.services.health import configured_policies, health_report

CODE = {"pass": "p", "warn": "w", "fail": "f", "n/a": "n"}
PARTIAL_MAX = 2000            # changed branches recomputed by id; more: the committee whole
WRITE_CHUNK = 1000            # ids per DELETE … IN (…)
KEEP_YEARS = 3                # years kept per committee
FULL = None                   # _changed(): recompute the committee whole
_COMMITTEE_WIDE = frozenset({Committee.__tablename__})
_EVENT = "zb_training_event"


@dataclass
class CommitteeSummary:
    """What the committee's page shows, for every committee in the actor's scope."""

    year: int
    as_of: date
    general_branches: dict                   # id -> name, in order (those with branches)
    counts: dict                             # general branch id -> {rule: {status: n}}
    branches: dict                           # general branch id -> number of branches
    policies: dict                           # committee id -> HealthPolicy
    h3_share: object                         # the scope's H3 Result
    hours: dict                              # general branch id -> mean H4 hours (None: no secretary)
    months: dict                             # general branch id -> [12 meeting counts]
    refreshed: dict = field(default_factory=dict)   # committee id -> branches recomputed ("all": whole)

    def tally(self, rule: str, general_branch_id: int | None = None) -> dict:
        if general_branch_id is not None:
            return tally_counts(self.counts.get(general_branch_id, {}).get(rule, {}))
        total = Counter()
        for per_rule in self.counts.values():
            total.update(per_rule.get(rule, {}))
        return tally_counts(total)

    @property
    def total_branches(self) -> int:
        return sum(self.branches.values())


def policy_key(policy) -> str:
    """A short stable name of a policy's every threshold (a configuration change recomputes)."""
    return f"{policy.profile}:{hashlib.sha1(repr(policy).encode()).hexdigest()[:20]}"


def _policies() -> dict:
    """committee id -> HealthPolicy of every committee the actor reads."""
    by_profile = configured_policies()
    return {cid: by_profile.get(profile or PROFILE_2012, by_profile[PROFILE_2012]) for cid, profile in
            db.session.execute(select(Committee.id, Committee.health_profile).order_by(Committee.id))}


def committee_summary(year: int, as_of: date | None = None) -> CommitteeSummary:
    """The committee page's numbers for every committee the actor reads, each refreshed first."""
    as_of = as_of or date.today()
    policies = _policies()
    for committee_id, policy in policies.items():
        refresh(committee_id, year, as_of, policy)
    return _read(year, as_of, policies)


def refresh_all(year: int, as_of: date | None = None) -> dict:
    """committee id -> what refresh() recomputed, for every committee the actor reads."""
    as_of = as_of or date.today()
    return {cid: refresh(cid, year, as_of, policy) for cid, policy in _policies().items()}


def refresh(committee_id: int, year: int, as_of: date, policy) -> str | int:
    """Bring the committee's kept statuses of the year up to its records: "all" when it was
    recomputed whole, else the number of branches recomputed (0: nothing had changed)."""
    actor = current_org()   # a committee's own reads are scoped to it already: no extra condition
    own = actor is not None and actor.kind == "committee" and actor.committee_id == committee_id
    if not own and (actor is None or actor.kind not in ("all", "system")):
        raise Refused(_("只有党委可以更新全党委的支部体检汇总。"))
    connection = db.session.connection()
    key = policy_key(policy)
    state = connection.execute(select(HealthState.as_of, HealthState.policy, HealthState.version).where(
        HealthState.committee_id == committee_id, HealthState.year == year)).first()
    marks = connection.execute(select(HealthMark.id, HealthMark.general_branch_id, HealthMark.branch_id,
                                      HealthMark.table_name, HealthMark.record_id, HealthMark.action)
                               .where(HealthMark.committee_id == committee_id)).all()
    whole = state is None or state.as_of != as_of or state.policy != key
    changed = FULL if whole else _changed(connection, marks)
    if changed is not FULL and not changed:
        if marks:
            _take(connection, committee_id, year, marks)
            db.session.commit()
        return 0
    if changed is not FULL and len(changed) > PARTIAL_MAX:
        changed = FULL
    report = health_report(year, as_of=as_of, detail=False, committee_id=None if own else committee_id,
                           branch_ids=None if changed is FULL else changed)
    if not _claim(connection, committee_id, year, as_of, key, state):
        return 0                                   # another refresh wrote first: read its rows
    rows = [_row(committee_id, year, b) for b in report.branches]
    if changed is FULL:
        connection.execute(delete(HealthStatus).where(HealthStatus.committee_id == committee_id,
                                                      HealthStatus.year == year))
        _keep_recent_years(connection, committee_id)
    else:
        for chunk in _chunks(sorted(changed)):
            connection.execute(delete(HealthStatus).where(
                HealthStatus.committee_id == committee_id, HealthStatus.year == year,
                HealthStatus.branch_id.in_(chunk)))
    if rows:
        connection.execute(insert(HealthStatus), rows)
    _take(connection, committee_id, year, marks)
    db.session.commit()
    return "all" if changed is FULL else len(changed)


def _changed(connection, marks) -> set | None:
    """The branches the marks may have moved, or FULL."""
    branches, general_branches, events = set(), set(), set()
    for _id, gb_id, branch_id, table, record_id, action in marks:
        if table in _COMMITTEE_WIDE or (gb_id is None and branch_id is None) or (table == _EVENT and action == "delete"):
            return FULL
        if table == _EVENT:
            events.add(record_id)
        if branch_id is not None:
            branches.add(branch_id)
        else:
            general_branches.add(gb_id)
    for chunk in _chunks(sorted(general_branches)):
        branches.update(connection.execute(select(Branch.id).where(Branch.general_branch_id.in_(chunk))).scalars())
    for chunk in _chunks(sorted(events)):   # an event's hours count in every branch it credited:
        branches.update(connection.execute(   # its attendees' and those whose secretary attended (H4)
            select(Member.branch_id).join(TrainingAttendance, TrainingAttendance.member_id == Member.id)
            .where(TrainingAttendance.event_id.in_(chunk)).distinct()).scalars())
        branches.update(connection.execute(
            select(Secretary.branch_id).join(TrainingAttendance, TrainingAttendance.member_id == Secretary.member_id)
            .where(TrainingAttendance.event_id.in_(chunk)).distinct()).scalars())
    return branches


def _claim(connection, committee_id, year, as_of, key, state) -> bool:
    """Move the state to this refresh's; False when another refresh moved it first."""
    now = datetime.utcnow()
    if state is None:
        inserted = connection.execute(
            _insert_ignore(HealthState).values(committee_id=committee_id, year=year, as_of=as_of, policy=key,
                                               version=1, computed_at=now).returning(HealthState.version))
        return inserted.first() is not None     # (rowcount is -1 here on psycopg)
    moved = connection.execute(
        update(HealthState).where(HealthState.committee_id == committee_id, HealthState.year == year,
                                  HealthState.version == state.version)
        .values(as_of=as_of, policy=key, version=state.version + 1, computed_at=now))
    return moved.rowcount == 1


def _keep_recent_years(connection, committee_id):
    """At most KEEP_YEARS years kept per committee (the most recently refreshed): opening year
    after year does not pile up a copy of every branch per year."""
    mine = HealthState.committee_id == committee_id
    recent = select(HealthState.year).where(mine).order_by(HealthState.computed_at.desc()).limit(KEEP_YEARS)
    connection.execute(delete(HealthState).where(mine, HealthState.year.not_in(recent.scalar_subquery())))
    connection.execute(delete(HealthStatus).where(
        HealthStatus.committee_id == committee_id,
        HealthStatus.year.not_in(select(HealthState.year).where(mine).scalar_subquery())))


def _insert_ignore(model):
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(model).on_conflict_do_nothing()


def _take(connection, committee_id, year, marks):
    """Delete the marks this refresh read; the committee's other years recompute whole."""
    for chunk in _chunks([m[0] for m in marks]):
        connection.execute(delete(HealthMark).where(HealthMark.id.in_(chunk)))
    if marks:
        connection.execute(delete(HealthState).where(HealthState.committee_id == committee_id,
                                                     HealthState.year != year))


def _chunks(ids):
    ids = list(ids)
    for i in range(0, len(ids), WRITE_CHUNK):
        yield ids[i:i + WRITE_CHUNK]


def _row(committee_id, year, b) -> dict:
    h4 = b.results["H4"]
    rank = b.results["H3"].evidence.get("title_rank") if b.category == "teacher" else None
    per_month = b.results["H7"].evidence["per_month"]
    return {"committee_id": committee_id, "year": year, "branch_id": b.branch_id,
            "general_branch_id": b.general_branch_id,
            "statuses": "".join(CODE[b.results[r].status] for r in RULE_IDS),
            "secretary_hours": h4.evidence["hours"] if h4.status != "n/a" else None, "teacher_rank": rank,
            **{m: per_month.get(f"{year}-{n:02d}", 0) for n, m in enumerate(MONTHS, 1)}}


def _read(year, as_of, policies) -> CommitteeSummary:
    """The page's numbers from the kept rows: one grouped statement, the ranks, the names."""
    status_sums = [func.sum(case((func.substr(HealthStatus.statuses, i + 1, 1) == code, 1), else_=0))
                   for i in range(len(RULE_IDS)) for code in ("p", "w", "f")]
    month_sums = [func.sum(getattr(HealthStatus, m)) for m in MONTHS]
    rows = db.session.execute(
        select(HealthStatus.general_branch_id, func.count(), func.avg(HealthStatus.secretary_hours),
               *status_sums, *month_sums)
        .where(HealthStatus.year == year, HealthStatus.committee_id.in_(list(policies)))
        .group_by(HealthStatus.general_branch_id)).all()
    counts, branches, hours, months = {}, {}, {}, {}
    for r in rows:
        gb_id, n, mean = r[0], r[1], r[2]
        per_rule = {}
        for i, rule in enumerate(RULE_IDS):
            p, w, f = (int(v or 0) for v in r[3 + 3 * i:6 + 3 * i])
            per_rule[rule] = {"pass": p, "warn": w, "fail": f, "n/a": n - p - w - f}
        counts[gb_id], branches[gb_id] = per_rule, n
        hours[gb_id] = None if mean is None else float(mean)
        months[gb_id] = [int(v or 0) for v in r[3 + 3 * len(RULE_IDS):]]
    names = {gb_id: name for gb_id, name in db.session.execute(
        select(GeneralBranch.id, GeneralBranch.name).where(GeneralBranch.committee_id.in_(list(policies)))
        .order_by(GeneralBranch.code, GeneralBranch.name)) if gb_id in counts}
    ranks = [rank for rank, n in db.session.execute(
        select(HealthStatus.teacher_rank, func.count())
        .where(HealthStatus.year == year, HealthStatus.committee_id.in_(list(policies)),
               HealthStatus.teacher_rank.is_not(None))
        .group_by(HealthStatus.teacher_rank)) for _ in range(n)]
    any_policy = next(iter(policies.values()), configured_policies()[PROFILE_2012])
    return CommitteeSummary(year, as_of, names, counts, branches, policies, check_h3_share(ranks, any_policy),
                            hours, months)


def forget(connection) -> None:
    """Drop every kept status (after writes that leave no trail: `zhibu synth`, a restore)."""
    for model in (HealthMark, HealthStatus, HealthState):
        connection.execute(delete(model))


