"""The pure scoring engine of 附件1 三、考评方法 (DOMAIN.md "Assessment").

Dataclasses in, dataclasses out; imports nothing from Flask, Flask-Babel or SQLAlchemy.

    from app.scoring import AssessmentInput, ScoringPolicy, score
    result = score(AssessmentInput(round_date=date(2012, 4, 10), self_score=92.0, ...), ScoringPolicy())
    result.composite, result.grade, result.vetoes, result.capped, result.missing_sources
    result.explain()            # zh sentences; result.explain(lang="en") for English

Rules
- composite = Σ weight × score over the sources that have a score (weight > 0), divided by
  the sum of their weights: a missing source is left out and the rest re-weighted in
  proportion (``missing_sources``, ``partial``). Rounded half up to 2 decimals; the grade is
  decided on that rounded figure, so what the secretary sees is what was graded.
- grade: composite >= cutoffs['A'] is 好 (A), >= 'B' 较好, >= 'C' 一般, else 较差 (D).
- satisfaction cap: a rate below its standard keeps a branch from 好 (lowered to 较好).
  A rate equal to the standard meets it ("达到70%"); None means not measured, not checked.
- vetoes (直接定为"较差"): V1 secretary violation dated within veto_violation_years before
  the round date, both ends inclusive; V2 elected_on + term_years + grace_months is before
  the round date and no election_exemption; V3 no last activity, or more than
  veto_inactive_days before the round date; V4 a rate below veto_satisfaction (0.50 itself
  is no veto). With v2_v3_separate=False, V2 and V3 fire only together (the text's 和).

Policy keys (``policy_from_mapping`` and ``ScoringPolicy`` fields; omitted keys keep defaults)
=========================  =============================================  ================
key                        meaning                                        default
=========================  =============================================  ================
weights                    {'self','members','peer','superior'} -> share  .30/.20/.20/.30
                           of the composite; all four keys, >= 0, sum 1
cutoffs                    {'A','B','C'} -> lowest score of that grade,   90 / 80 / 60
                           0..100, A > B > C; D is everything below C
satisfaction_mass          standard for 群众对党员发挥作用的满意率          0.70
satisfaction_secretary     standard for 支部书记在党员中的满意率            0.80
satisfaction_cap           below a standard -> 好 lowered to 较好          True
veto_satisfaction          V4 fires for a rate below this                 0.50
veto_violation_years       V1 look-back window in years                   2
grace_months               V2 grace after the term ends                   12
veto_inactive_days         V3 fires beyond this many days without activity 365
v2_v3_separate             V2 and V3 are separate triggers                True
v1_enabled .. v4_enabled   switch a veto rule off                         True
=========================  =============================================  ================
Rates are fractions (0.7, not 70). Errors are ValueError (PolicyError) naming the key:
"ZHIBU_SCORING['weights']: weights must sum to 100% (got 90%)". ``policy.to_mapping()``
gives the dict back, e.g. to store with an assessment which policy graded it.
"""

from .ballots import BallotInputError, CampaignTally, Origin, UpwardTally, check_min_turnout, parse_answers
from .engine import ScoringResult, SourceLine, VetoFact, add_months, round_score, score, source_score
from .model import (
    GRADE_A,
    GRADE_B,
    GRADE_C,
    GRADE_D,
    GRADES,
    SOURCES,
    AssessmentInput,
    Grade,
    InputError,
    grade_by_code,
)
from .policy import POLICY_KEYS, PolicyError, ScoringPolicy, policy_from_mapping

__all__ = [
    "BallotInputError",
    "CampaignTally", "UpwardTally",
    "Origin",
    "check_min_turnout",
    "parse_answers",
    "AssessmentInput",
    "GRADE_A",
    "GRADE_B",
    "GRADE_C",
    "GRADE_D",
    "GRADES",
    "Grade",
    "InputError",
    "POLICY_KEYS",
    "PolicyError",
    "SOURCES",
    "ScoringPolicy",
    "ScoringResult",
    "SourceLine",
    "VetoFact",
    "add_months",
    "grade_by_code",
    "policy_from_mapping",
    "round_score",
    "score",
    "source_score",
]
