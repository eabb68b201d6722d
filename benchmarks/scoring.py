"""Recompute a round of N branches (default 50,000) through the service, and the pure engine
alone on the same inputs; print both times and their ratio.

    python benchmarks/scoring.py [--branches 50000] [--url sqlite:////tmp/zhibu-bench.db]
"""
import argparse
import os
import random
import tempfile
import time
from datetime import date, timedelta


def build(n: int, url: str):
    """A fresh database holding one committee, N branches, their assessments and sheets."""
    from app import create_app
    from app.extensions import db
    from app.models import Assessment, AssessmentRound, Branch, Committee, GeneralBranch, Meeting, ScoreSheet
    from app.services.setup import initialize

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    rng = random.Random(7)
    with app.app_context():
        initialize()
        committee = Committee(name="基准测试党委")
        db.session.add(committee)
        db.session.flush()
        gbs = [{"code": f"g{i:03d}", "name": f"第{i}党总支", "committee_id": committee.id} for i in range(100)]
        db.session.execute(GeneralBranch.__table__.insert(), gbs)
        gb_ids = [g.id for g in db.session.query(GeneralBranch.id).order_by(GeneralBranch.id)]
        cats = ["teacher", "undergraduate", "graduate", "admin", "service", "retired"]
        db.session.execute(Branch.__table__.insert(), [
            {"code": f"b{i}", "name": f"第{i}党支部", "general_branch_id": gb_ids[i % 100], "category": cats[i % 6],
             "is_joint": False, "term_years": 3, "elected_on": date(2008 + i % 4, 9, 1)} for i in range(n)])
        branch_ids = [b.id for b in db.session.query(Branch.id).order_by(Branch.id)]
        round_ = AssessmentRound(committee_id=committee.id, name="基准批次", year=2012, kind="initial",
                                 opens_on=date(2012, 4, 10), deadline=date(2012, 4, 18), status="open")
        db.session.add(round_)
        db.session.flush()
        db.session.execute(Meeting.__table__.insert(), [
            {"branch_id": b, "held_on": date(2012, 4, 10) - timedelta(days=rng.randint(1, 420)),
             "kind": "general_meeting", "title": "支部党员大会", "typed_present": 10} for b in branch_ids])
        db.session.execute(Assessment.__table__.insert(), [
            {"round_id": round_.id, "branch_id": b, "vetoes": "", "capped": False, "missing_sources": "",
             "mass_satisfaction": rng.uniform(0.45, 1.0), "secretary_satisfaction": rng.uniform(0.6, 1.0)}
            for b in branch_ids])
        ids = [a.id for a in db.session.query(Assessment.id).filter(Assessment.round_id == round_.id)]
        sheets = []
        for a in ids:
            for source in ("self", "members", "members", "peer", "superior"):
                s = [round(rng.uniform(10, 20), 1) for _ in range(5)]
                sheets.append({"assessment_id": a, "source": source, "rater": "r",
                               "s1": s[0], "s2": s[1], "s3": s[2], "s4": s[3], "s5": s[4]})
        db.session.execute(ScoreSheet.__table__.insert(), sheets)
        db.session.commit()
        return app, round_.id


def inputs_of(round_id):
    """The engine inputs the service built, rebuilt from the stored rows."""
    from app.extensions import db
    from app.models import Assessment, Branch, Meeting
    from app.scoring import AssessmentInput
    from sqlalchemy import func, select

    last = dict(db.session.execute(select(Meeting.branch_id, func.max(Meeting.held_on)).group_by(Meeting.branch_id)).all())
    rows = db.session.execute(select(Assessment, Branch).join(Branch).where(Assessment.round_id == round_id)).all()
    return [AssessmentInput(
        round_date=date(2012, 4, 10), self_score=a.self_score, member_score=a.member_score, peer_score=a.peer_score,
        superior_score=a.superior_score, mass_satisfaction=a.mass_satisfaction,
        secretary_satisfaction=a.secretary_satisfaction, elected_on=b.elected_on, term_years=b.term_years,
        last_activity_on=last.get(b.id)) for a, b in rows]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--branches", type=int, default=50_000)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{os.path.join(tempfile.mkdtemp(), 'bench.db')}"
    t = time.perf_counter()
    app, round_id = build(args.branches, url)
    print(f"built {args.branches} branches with 5 sheets each in {time.perf_counter() - t:.1f} s ({url})")
    from app.scoring import score
    from app.services.assessment import policy, recompute_round

    with app.app_context():
        t = time.perf_counter()
        counts = recompute_round(round_id)
        service = time.perf_counter() - t
        inputs = inputs_of(round_id)
        pol = policy()
        t = time.perf_counter()
        for item in inputs:
            score(item, pol)
        engine = time.perf_counter() - t
    print(f"grades: {counts}")
    print(f"recompute_round (load, score, save): {service:.2f} s  = {service / args.branches * 1e6:.0f} µs per branch")
    print(f"pure engine on the same inputs:       {engine:.2f} s  = {engine / args.branches * 1e6:.1f} µs per branch")
    print(f"ratio service / engine: {service / engine:.1f}x")


if __name__ == "__main__":
    main()
