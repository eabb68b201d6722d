"""Synthetic city-scale data (issue 12): committees, general branches, branches, members,
secretaries, one assessment round with sheets, meetings and training, through bulk Core inserts.

Deterministic: the same options and seed give the same rows (ids are assigned here, after the
largest id already stored). Rows are streamed into the tables — COPY on PostgreSQL (psycopg),
executemany elsewhere — as the system actor, since a generator belongs to no user; ANALYZE
follows so that the planner knows the new sizes. Grades are then computed by the round's own
recompute (app/services/assessment.py), so the data is exactly what the service would store.
"""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice

from sqlalchemy import func, select, text

from app.data.collation import sort_key
from app.data.demo_names import make_name
from app.extensions import db
from app.models.naming import number_key
from app.models import (
    Assessment, AssessmentRound, Branch, Committee, GeneralBranch, Meeting, Member, ScoreSheet, Secretary,
    TrainingAttendance, TrainingEvent,
)
from app.services.health_summary import forget as forget_health

ROUND_DAY = date(2012, 4, 10)
CHUNK = 20_000

CITIES = ("北京", "首都", "华北", "中央", "中国", "北方", "京华", "燕山", "京师", "华夏")
KINDS = ("理工", "师范", "农业", "医科", "交通", "财经", "外国语", "工业", "林业", "体育", "科技",
         "化工", "信息", "建筑", "政法", "传媒", "石油", "航空")
SCHOOLS = ("机械工程", "材料科学与工程", "土木工程", "电子信息工程", "计算机科学与技术", "自动化", "化学与化工",
           "生命科学", "数学与统计", "物理", "经济管理", "马克思主义", "外国语", "文法", "艺术与设计", "体育",
           "环境科学与工程", "能源与动力工程", "资源与安全工程", "建筑与规划")
OFFICES = ("机关", "后勤服务", "图书馆", "离退休工作处")
# (category, weight): teacher and student branches dominate a university
CATEGORY_WEIGHTS = (("teacher", 30), ("undergraduate", 30), ("graduate", 25), ("admin", 7), ("service", 4),
                    ("retired", 4))
CATEGORY_NAMES = {"teacher": "教工", "undergraduate": "本科生", "graduate": "研究生", "admin": "管理",
                  "service": "服务", "retired": "离退休"}
ERA = {"teacher": "mid", "admin": "mid", "service": "mid", "retired": "old", "undergraduate": "young",
       "graduate": "young"}
PROBATIONARY_SHARE = {"undergraduate": 0.30, "graduate": 0.15}
MEETING_KINDS = (("general_meeting", "支部党员大会"), ("committee_meeting", "支委会"), ("group_meeting", "党小组会"),
                 ("party_lecture", "党课"), ("theme_day", "主题党日"), ("life_meeting", "组织生活会"))
TOPICS = ("党支部书记专题培训", "党的基本理论学习", "基层党建工作实务", "党员教育网络课程", "党风廉政建设专题")
TITLE_WEIGHTS = (("senior", 25), ("associate", 40), ("intermediate", 25), ("junior", 5), ("none", 5))
DIGITS = "一二三四五六七八九十"


@dataclass
class SynthOptions:
    """What to generate: totals over the installation, or all under one committee."""

    committees: int = 90
    general_branches: int = 2000
    branches: int = 50_000
    members: int = 1_000_000
    meetings: int = 4           # per branch, in the year before the round
    training: int = 1           # training events per branch (its secretary and two members attend)
    seed: int = 12
    one_committee: bool = False


@dataclass
class SynthReport:
    """Rows written per table, and the first committee, general branch and branch made."""

    counts: dict = field(default_factory=dict)
    committee_id: int | None = None
    general_branch_id: int | None = None
    branch_id: int | None = None
    round_ids: list = field(default_factory=list)


def _spread(total: int, parts: int, rng: random.Random, spread: float) -> list[int]:
    """total split into parts, each at least 1 when total allows, log-normally around the mean."""
    if parts <= 0:
        return []
    weights = [rng.lognormvariate(0, spread) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [int(w * scale) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % parts] += 1
    return sizes


def _next_id(conn, model) -> int:
    return (conn.execute(select(func.max(model.id))).scalar() or 0) + 1


def _bulk(conn, model, columns, rows) -> int:
    """Stream rows (tuples in `columns` order) into the model's table; returns how many."""
    table = model.__table__
    count = 0
    if conn.dialect.name == "postgresql":
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                          f"(SELECT coalesce(max(id), 1) FROM {table.name}))"))
        return count
    insert = table.insert()
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK)):
        conn.execute(insert, [dict(zip(columns, row)) for row in chunk])
        count += len(chunk)
    return count


def _committee_names(n: int) -> list[str]:
    names = [f"{city}{kind}大学党委" for kind in KINDS for city in CITIES]
    return [names[i] if i < len(names) else f"{names[i % len(names)]}（{i // len(names) + 1}）" for i in range(n)]


def _general_branch_name(i: int) -> str:
    units = SCHOOLS + OFFICES
    unit = units[i % len(units)]
    suffix = "" if i < len(units) else f"（{i // len(units) + 1}）"
    return f"{unit}{'学院' if unit in SCHOOLS else ''}党委{suffix}"


def _branch_name(category: str, k: int, rng: random.Random) -> str:
    if category == "undergraduate":
        return f"本科生{2008 + k % 4}级第{k + 1}党支部"
    if category == "graduate":
        return f"研究生{'博士' if k % 3 == 0 else '硕士'}第{k + 1}党支部"
    return f"{CATEGORY_NAMES[category]}第{k + 1}党支部"


def _joined(rng: random.Random, era: str) -> date:
    start = {"old": 1960, "mid": 1985, "young": 2006}[era]
    end = {"old": 1995, "mid": 2010, "young": 2012}[era]
    return date(start, 1, 1) + timedelta(days=rng.randrange((date(end, 3, 31) - date(start, 1, 1)).days))


def _pick(rng: random.Random, weighted) -> str:
    codes, weights = zip(*weighted)
    return rng.choices(codes, weights=weights, k=1)[0]


def synthesize(opts: SynthOptions, progress=lambda msg: None) -> SynthReport:
    """Write the synthetic data set and commit; the caller acts as a system actor."""
    from app.services.assessment import recompute_round

    rng = random.Random(opts.seed)
    # the pinyin sort key of every name (app/models/naming); COPY and executemany bypass the
    # column default, and a roster repeats names, so each distinct name is keyed once
    key = functools.lru_cache(maxsize=None)(sort_key)
    report = SynthReport()
    conn = db.session.connection()
    ids = {m: _next_id(conn, m) for m in (Committee, GeneralBranch, Branch, Member, Secretary, AssessmentRound,
                                          Assessment, ScoreSheet, Meeting, TrainingEvent, TrainingAttendance)}
    ncom = max(1, opts.committees)
    names = _committee_names(ncom)
    taken = set(conn.execute(select(Committee.name)).scalars())
    committees = [(ids[Committee] + i, name if name not in taken else f"{name}（{opts.seed}-{i}）", name[:-2][:60])
                  for i, name in enumerate(names)]
    report.counts["committees"] = _bulk(conn, Committee, ("id", "name", "short_name", "name_key"),
                                        [(*c, key(c[1])) for c in committees])
    report.committee_id = committees[0][0]

    # general branches over committees (all in the first with one_committee)
    gb_committee = [committees[0][0] if opts.one_committee else committees[i % ncom][0]
                    for i in range(opts.general_branches)]
    gbs = [(ids[GeneralBranch] + i, f"G{i + 1:04d}", _general_branch_name(i // (1 if opts.one_committee else ncom)),
            gb_committee[i], f"010-6{rng.randrange(10**6, 10**7)}") for i in range(opts.general_branches)]
    report.counts["general_branches"] = _bulk(conn, GeneralBranch, ("id", "code", "name", "committee_id", "phone",
                                                                    "name_key"), [(*g, key(g[2])) for g in gbs])
    report.general_branch_id = gbs[0][0] if gbs else None
    progress(f"{len(committees)} committees, {len(gbs)} general branches")

    # branches: spread over general branches, a category each
    per_gb = _spread(opts.branches, len(gbs), rng, 0.3) if gbs else []
    branches = []  # (id, gb id, committee id, category)
    rows = []
    for gb, count in zip(gbs, per_gb):
        for k in range(count):
            bid = ids[Branch] + len(branches)
            category = _pick(rng, CATEGORY_WEIGHTS)
            elected = date(2008 + rng.randrange(5), rng.randrange(1, 13), rng.randrange(1, 29))
            name = _branch_name(category, k, rng)
            rows.append((bid, f"{gb[1]}-{k + 1:03d}", name, gb[0], category,
                         rng.random() < 0.05, date(1990 + rng.randrange(20), 9, 1), elected, 3, None, None, key(name)))
            branches.append((bid, gb[0], gb[3], category))
    report.counts["branches"] = _bulk(conn, Branch, (
        "id", "code", "name", "general_branch_id", "category", "is_joint", "founded_on", "elected_on",
        "term_years", "election_exemption", "note", "name_key"), rows)
    report.branch_id = branches[0][0] if branches else None
    del rows
    progress(f"{len(branches)} branches")

    # members: spread over branches; the first member of each branch is its secretary
    sizes = _spread(opts.members, len(branches), rng, 0.45) if branches else []
    first_member = {}

    def members():
        mid = ids[Member]
        for (bid, _gb, committee_id, category), size in zip(branches, sizes):
            era = ERA[category]
            share = PROBATIONARY_SHARE.get(category, 0.03)
            student = category in ("undergraduate", "graduate")
            for k in range(size):
                gender = "M" if rng.random() < 0.55 else "F"
                if k == 0:
                    first_member[bid] = mid
                member_type = "probationary" if k and rng.random() < share else "formal"
                unit = f"{2008 + k % 4}级{k % 6 + 1}班" if student else f"{SCHOOLS[bid % len(SCHOOLS)]}系"
                name = make_name(rng, gender, era)
                number = f"{'S' if student else 'T'}{mid:09d}"
                # the import's match key of the number (models/naming), bypassed by COPY like name_key
                yield (mid, number, name, gender, member_type, _joined(rng, era), unit,
                       (not student) and rng.random() < 0.2, bid, committee_id, key(name), number_key(number))
                mid += 1

    report.counts["members"] = _bulk(conn, Member, (
        "id", "number", "name", "gender", "member_type", "joined_on", "unit", "is_teacher_backbone",
        "branch_id", "committee_id", "name_key", "number_key"), members())
    progress(f"{report.counts['members']} members")

    secretaries = [(ids[Secretary] + i, first_member[bid], bid,
                    date(2009 + rng.randrange(3), rng.randrange(1, 13), 1), None,
                    _pick(rng, TITLE_WEIGHTS) if category == "teacher" else "none")
                   for i, (bid, _gb, _c, category) in enumerate(b for b in branches if b[0] in first_member)]
    report.counts["secretaries"] = _bulk(conn, Secretary, (
        "id", "member_id", "branch_id", "appointed_on", "left_on", "title_rank"), secretaries)

    # one open round per committee that has branches, an assessment and four sheets per branch
    used = sorted({b[2] for b in branches})
    rounds = {c: ids[AssessmentRound] + i for i, c in enumerate(used)}
    report.round_ids = list(rounds.values())
    report.counts["rounds"] = _bulk(conn, AssessmentRound, (
        "id", "committee_id", "name", "year", "kind", "base_round_id", "opens_on", "deadline", "status", "note"),
        [(rid, c, "2012年度基层党支部分类定级（初评）", 2012, "initial", None, ROUND_DAY, date(2012, 4, 18), "open", None)
         for c, rid in rounds.items()])
    quality = {b[0]: rng.uniform(11.0, 19.5) for b in branches}
    report.counts["assessments"] = _bulk(conn, Assessment, (
        "id", "round_id", "branch_id", "mass_satisfaction", "secretary_satisfaction", "vetoes", "capped",
        "missing_sources"),
        ((ids[Assessment] + i, rounds[c], bid, round(rng.uniform(0.55, 1.0), 3), round(rng.uniform(0.65, 1.0), 3),
          "", False, "") for i, (bid, _gb, c, _cat) in enumerate(branches)))

    def sheets():
        sid = ids[ScoreSheet]
        for i, (bid, _gb, _c, _cat) in enumerate(branches):
            for source, rater in (("self", "支委会"), ("members", "党员评议"), ("peer", "分类互评"), ("superior", "党总支")):
                scores = [round(min(20.0, max(0.0, rng.gauss(quality[bid], 1.2))), 1) for _ in range(5)]
                yield (sid, ids[Assessment] + i, source, rater, None, *scores)
                sid += 1

    report.counts["sheets"] = _bulk(conn, ScoreSheet, (
        "id", "assessment_id", "source", "rater", "rater_branch_id", "s1", "s2", "s3", "s4", "s5"), sheets())
    progress(f"{len(rounds)} rounds, {report.counts['sheets']} sheets")

    def meetings():
        mid = ids[Meeting]
        for bid, size in zip((b[0] for b in branches), sizes):
            for _ in range(opts.meetings):
                kind, title = MEETING_KINDS[rng.randrange(len(MEETING_KINDS))]
                held = ROUND_DAY - timedelta(days=rng.randrange(1, 400))
                # 实到 as typed (no attendance rows: a million members times a dozen meetings)
                yield (mid, bid, kind, title, held, held, max(1, size - rng.randrange(0, 3)))
                mid += 1

    report.counts["meetings"] = _bulk(conn, Meeting, (
        "id", "branch_id", "kind", "title", "planned_on", "held_on", "typed_present"), meetings())

    events, attendances = [], []
    for (bid, gb_id, committee_id, _cat), size in zip(branches, sizes):
        if bid not in first_member:
            continue
        for _ in range(opts.training):
            eid = ids[TrainingEvent] + len(events)
            events.append((eid, committee_id, gb_id, bid, ROUND_DAY - timedelta(days=rng.randrange(1, 365)),
                           float(rng.choice((4, 8, 16, 24, 40))), rng.random() < 0.4,
                           TOPICS[rng.randrange(len(TOPICS))], "党委组织部"))
            for member in sorted({first_member[bid]} | {first_member[bid] + rng.randrange(size) for _ in range(2)}):
                attendances.append((ids[TrainingAttendance] + len(attendances), eid, member, committee_id))
    report.counts["training"] = _bulk(conn, TrainingEvent, (
        "id", "committee_id", "general_branch_id", "branch_id", "held_on", "hours", "online", "topic", "organizer"),
        events)
    report.counts["training_attendances"] = _bulk(conn, TrainingAttendance, ("id", "event_id", "member_id", "committee_id"),
                                                  attendances)
    forget_health(conn)      # the bulk rows leave no trail, so no health marks: the kept summary restarts
    db.session.commit()
    analyze()
    for round_id in report.round_ids:
        recompute_round(round_id)
    progress("grades computed")
    return report


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load (autovacuum may be off)."""
    db.session.execute(text("ANALYZE"))
    db.session.commit()
