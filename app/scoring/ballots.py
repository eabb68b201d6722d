"""Ballot tallies (DOMAIN.md "Ballots"): what a campaign's votes give the assessment, and
the validation of one ballot's answers. Pure: plain values in, plain values out.

- members: the source score is the mean of the ballots' totals (five standards, 0..20 each);
  the secretary rate is (满意 + 基本满意) / ballots cast.
- masses: the mass rate is (满意 + 基本满意) / ballots cast.
- Below the campaign's minimum turnout a figure is missing (None), and says so.
"""
from __future__ import annotations

from dataclasses import dataclass

from .engine import MAX_SUBSCORE, SUBSCORES_PER_SHEET, round_score

ANSWERS = ("satisfied", "basic", "unsatisfied")
CONTENT = frozenset({"satisfied", "basic"})
DEFAULT_MIN_TURNOUT = 5
MAX_MIN_TURNOUT = 10_000


class BallotInputError(ValueError):
    """An answer of a ballot is missing or out of range; `.field` names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True, slots=True)
class CampaignTally:
    """The votes of one campaign, aggregated: turnout, sum of totals, satisfied + basic."""

    kind: str                 # 'members' | 'masses'
    turnout: int = 0
    score_sum: float = 0.0    # members: the sum of the ballots' totals
    content: int = 0          # members: secretary answers, masses: role answers, in CONTENT
    min_turnout: int = DEFAULT_MIN_TURNOUT
    closed: bool = False

    @property
    def enough(self) -> bool:
        return self.turnout >= self.min_turnout

    def member_score(self) -> float | None:
        """The members source: mean of the totals, or None below the minimum turnout."""
        if self.kind != "members" or not self.enough or not self.turnout:
            return None
        return round_score(self.score_sum / self.turnout)

    def rate(self) -> float | None:
        """The satisfaction rate of this campaign, or None below the minimum turnout."""
        if not self.enough or not self.turnout:
            return None
        return self.content / self.turnout

    def plus(self, ballots) -> "CampaignTally":
        """This tally with some more ballots (dicts of answers) added."""
        turnout, total, content = self.turnout, self.score_sum, self.content
        for b in ballots:
            turnout += 1
            if self.kind == "members":
                total += sum(b[f"s{i}"] for i in range(1, SUBSCORES_PER_SHEET + 1))
                content += b.get("secretary") in CONTENT
            else:
                content += b.get("role") in CONTENT
        return CampaignTally(self.kind, turnout, total, content, self.min_turnout, self.closed)


@dataclass(frozen=True, slots=True)
class UpwardTally:
    """The votes of one 联评 campaign: turnout and the sum of each item's scores."""

    turnout: int = 0
    item_sums: tuple = (0, 0, 0, 0, 0)
    min_turnout: int = DEFAULT_MIN_TURNOUT
    closed: bool = False

    @property
    def enough(self) -> bool:
        return self.turnout >= self.min_turnout and self.turnout > 0

    def item_means(self) -> tuple | None:
        """Each item's mean (0..20), or None below the minimum turnout."""
        if not self.enough:
            return None
        return tuple(round_score(s / self.turnout) for s in self.item_sums)

    def score(self) -> float | None:
        """The evaluation: the mean of the ballots' totals (0..100), or None below the minimum turnout."""
        if not self.enough:
            return None
        return round_score(sum(self.item_sums) / self.turnout)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an assessment figure came from, for the explanation.

    figure: 'members' (the source), 'secretary' or 'mass' (the rates);
    kind: 'ballots' (a campaign's tally) or 'typed' (entered from paper forms)."""

    figure: str
    kind: str
    turnout: int = 0
    min_turnout: int = 0
    closed: bool = False


def _integer(field: str, text) -> int:
    raw = "" if text is None else str(text).strip()
    if not raw:
        raise BallotInputError(field, "missing")
    if len(raw) > 3 or not raw.isascii() or not raw.isdigit():
        raise BallotInputError(field, f"not a whole number between 0 and {MAX_SUBSCORE:g}")
    value = int(raw)
    if not 0 <= value <= MAX_SUBSCORE:
        raise BallotInputError(field, f"not a whole number between 0 and {MAX_SUBSCORE:g}")
    return value


def _answer(field: str, text) -> str:
    value = "" if text is None else str(text).strip()
    if value not in ANSWERS:
        raise BallotInputError(field, "choose satisfied, basic or unsatisfied")
    return value


def parse_answers(kind: str, form) -> dict:
    """The answers of one ballot from its form fields; BallotInputError for the first bad one.

    members: s1..s5 (whole numbers 0..20) and secretary; masses and upward: role / s1..s5."""
    if kind == "members":
        answers = {f"s{i}": _integer(f"s{i}", form.get(f"s{i}")) for i in range(1, SUBSCORES_PER_SHEET + 1)}
        answers["secretary"] = _answer("secretary", form.get("secretary"))
        return answers
    if kind == "masses":
        return {"role": _answer("role", form.get("role"))}
    if kind == "upward":
        return {f"s{i}": _integer(f"s{i}", form.get(f"s{i}")) for i in range(1, SUBSCORES_PER_SHEET + 1)}
    raise ValueError(f"unknown ballot kind {kind!r}")


def check_min_turnout(value) -> int:
    """A campaign's minimum turnout: a whole number 1..10000."""
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_MIN_TURNOUT:
        raise ValueError(f"minimum turnout must be a whole number between 1 and {MAX_MIN_TURNOUT}")
    return value
