"""Time app.scoring.score() over generated inputs; prints µs per call and the total.

    python benchmarks/scoring_engine.py [--n 50000] [--seed 2012] [--explain]

Inputs are built before timing (construction validates, and is not what is measured);
about a fifth carry a veto fact and a fifth a missing source, like a real round.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.scoring import AssessmentInput, ScoringPolicy, score  # noqa: E402

ROUND = date(2012, 4, 10)


def generate(n: int, seed: int) -> list[AssessmentInput]:
    """n varied inputs: mostly clean branches, some with gaps, violations, late elections, inactivity."""
    rnd = random.Random(seed)

    def maybe_score():
        return None if rnd.random() < 0.05 else round(rnd.uniform(50, 100), 2)

    def maybe_rate():
        roll = rnd.random()
        if roll < 0.05:
            return None
        return round(rnd.uniform(0.3, 0.5) if roll < 0.08 else rnd.uniform(0.5, 1.0), 3)

    def days_back(usual, rare, share):
        return rnd.randint(0, rare if rnd.random() < share else usual)

    out = []
    for _ in range(n):
        out.append(AssessmentInput(
            round_date=ROUND,
            self_score=maybe_score(), member_score=maybe_score(),
            peer_score=maybe_score(), superior_score=maybe_score(),
            mass_satisfaction=maybe_rate(), secretary_satisfaction=maybe_rate(),
            secretary_violation_dates=(ROUND - timedelta(rnd.randint(0, 1500)),) if rnd.random() < 0.05 else (),
            elected_on=None if rnd.random() < 0.05 else ROUND - timedelta(days_back(1400, 2500, 0.1)),
            term_years=rnd.choice((2, 3, 3, 3, 5)),
            election_exemption="合并重组" if rnd.random() < 0.02 else None,
            last_activity_on=None if rnd.random() < 0.02 else ROUND - timedelta(days_back(120, 700, 0.05)),
        ))
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the best is reported")
    parser.add_argument("--explain", action="store_true", help="also time explain() in zh on every result")
    args = parser.parse_args(argv)

    inputs = generate(args.n, args.seed)
    policy = ScoringPolicy()
    score(inputs[0], policy)  # warm up

    # Results are kept, as a round's are: their allocation and garbage collection count too.
    passes = []
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        results = [score(a, policy) for a in inputs]
        passes.append(time.perf_counter() - start)
    total = min(passes)

    vetoed = sum(1 for r in results if r.vetoes)
    partial = sum(1 for r in results if r.partial)
    print(f"score(): {args.n} calls in {total * 1000:.1f} ms = {total / args.n * 1e6:.2f} µs per call "
          f"(best of {len(passes)}; {vetoed} vetoed, {partial} partial)")
    if args.explain:
        start = time.perf_counter()
        for r in results:
            r.explain()
        total = time.perf_counter() - start
        print(f"explain(): {args.n} calls in {total * 1000:.1f} ms = {total / args.n * 1e6:.2f} µs per call")


if __name__ == "__main__":
    main()
