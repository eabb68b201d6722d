"""The scoring policy: every number of DOMAIN.md "Assessment" as configuration, validated once.

Defaults are the plan's (附件1 三、考评方法 and DOMAIN.md). A policy is built either
directly (``ScoringPolicy(grace_months=6)``) or from a plain config dict with
``policy_from_mapping``; the keys are the field names (see app/scoring/__init__.py).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType

from .model import GRADE_A, GRADE_B, GRADE_C, SOURCES

DEFAULT_WEIGHTS = {"self": 0.30, "members": 0.20, "peer": 0.20, "superior": 0.30}
DEFAULT_CUTOFFS = {"A": 90.0, "B": 80.0, "C": 60.0}
_CUT_GRADES = (("A", GRADE_A), ("B", GRADE_B), ("C", GRADE_C))
WEIGHT_TOLERANCE = 1e-9


class PolicyError(ValueError):
    """A policy value is wrong; `.key` names the policy key, `.detail` says what is wrong."""

    def __init__(self, key: str, detail: str):
        super().__init__(f"{key}: {detail}")
        self.key = key
        self.detail = detail


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.10g}%"


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_weights(value) -> dict:
    key = "weights"
    example = "{'self': 0.3, 'members': 0.2, 'peer': 0.2, 'superior': 0.3}"
    if not isinstance(value, Mapping):
        raise PolicyError(key, f"must be a mapping of source to weight, e.g. {example} (got {value!r})")
    for name in value:
        if name not in SOURCES:
            raise PolicyError(key, f"unknown source {name!r} (expected {', '.join(SOURCES)})")
    out = {}
    for name in SOURCES:
        if name not in value:
            raise PolicyError(key, f"missing weight for {name!r} (give 0 to leave a source out)")
        w = value[name]
        if not _number(w):
            raise PolicyError(key, f"weight for {name!r} must be a number such as 0.3 (got {w!r})")
        if w < 0:
            raise PolicyError(key, f"weight for {name!r} must not be negative (got {w!r})")
        out[name] = float(w)
    total = math.fsum(out.values())
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        hint = " — weights are fractions such as 0.3, not percentages" if abs(total - 100) < 1e-6 else ""
        raise PolicyError(key, f"weights must sum to 100% (got {_pct(total)}){hint}")
    return out


def _check_cutoffs(value) -> dict:
    key = "cutoffs"
    if not isinstance(value, Mapping):
        raise PolicyError(key, f"must be a mapping of grade to lowest score, e.g. {{'A': 90, 'B': 80, 'C': 60}} (got {value!r})")
    for code in value:
        if code not in DEFAULT_CUTOFFS:
            raise PolicyError(key, f"unknown grade {code!r} (give the lowest scores of A, B and C; D is everything below C)")
    out = {}
    for code in DEFAULT_CUTOFFS:
        if code not in value:
            raise PolicyError(key, f"missing cut-off for {code!r}")
        c = value[code]
        if not _number(c) or not 0 <= c <= 100:
            raise PolicyError(key, f"cut-off for {code!r} must be a number between 0 and 100 (got {c!r})")
        out[code] = float(c)
    if not out["A"] > out["B"] > out["C"]:
        raise PolicyError(key, "cut-offs must decrease from A to C (got A={A:g}, B={B:g}, C={C:g})".format(**out))
    return out


def _check_rate(key: str, value) -> float:
    if not _number(value) or not 0 <= value <= 1:
        hint = " — rates are fractions such as 0.7, not percentages" if _number(value) and 1 < value <= 100 else ""
        raise PolicyError(key, f"must be a rate between 0 and 1 (got {value!r}){hint}")
    return float(value)


def _check_bool(key: str, value) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(key, f"must be true or false (got {value!r})")
    return value


def _check_int(key: str, value, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise PolicyError(key, f"must be a whole number >= {minimum} (got {value!r})")
    return value


_RATES = ("satisfaction_mass", "satisfaction_secretary", "veto_satisfaction")
_BOOLS = ("satisfaction_cap", "v2_v3_separate", "v1_enabled", "v2_enabled", "v3_enabled", "v4_enabled")
_INTS = {"veto_violation_years": 1, "grace_months": 0, "veto_inactive_days": 1}


@dataclass(frozen=True, slots=True)
class ScoringPolicy:
    """How a composite becomes a grade; defaults are DOMAIN.md's. Invalid values raise PolicyError."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    cutoffs: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_CUTOFFS))
    satisfaction_mass: float = 0.70
    satisfaction_secretary: float = 0.80
    satisfaction_cap: bool = True
    veto_satisfaction: float = 0.50
    veto_violation_years: int = 2
    grace_months: int = 12
    veto_inactive_days: int = 365
    v2_v3_separate: bool = True
    v1_enabled: bool = True
    v2_enabled: bool = True
    v3_enabled: bool = True
    v4_enabled: bool = True
    # Derived once here so that score() does no dict look-ups on its hot path.
    weight_tuple: tuple = field(init=False, repr=False, compare=False)
    grade_steps: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        put = object.__setattr__
        weights = _check_weights(self.weights)
        cutoffs = _check_cutoffs(self.cutoffs)
        put(self, "weights", MappingProxyType(weights))
        put(self, "cutoffs", MappingProxyType(cutoffs))
        for key in _RATES:
            put(self, key, _check_rate(key, getattr(self, key)))
        for key in _BOOLS:
            _check_bool(key, getattr(self, key))
        for key, minimum in _INTS.items():
            _check_int(key, getattr(self, key), minimum)
        put(self, "weight_tuple", tuple(weights[s] for s in SOURCES))
        put(self, "grade_steps", tuple((cutoffs[code], grade) for code, grade in _CUT_GRADES))

    def to_mapping(self) -> dict:
        """A plain dict that policy_from_mapping turns back into this policy (store it with a grade)."""
        out = {}
        for f in fields(self):
            if f.init:
                value = getattr(self, f.name)
                out[f.name] = dict(value) if isinstance(value, Mapping) else value
        return out

    def __hash__(self):
        return hash(tuple((k, tuple(v.items()) if isinstance(v, dict) else v) for k, v in self.to_mapping().items()))

    def __reduce__(self):
        return (policy_from_mapping, (self.to_mapping(),))


POLICY_KEYS = tuple(f.name for f in fields(ScoringPolicy) if f.init)


def policy_from_mapping(mapping: Mapping | None, *, name: str = "ZHIBU_SCORING") -> ScoringPolicy:
    """Build a ScoringPolicy from a config dict; missing keys keep their defaults.

    Raises ValueError (a PolicyError) whose message names the config entry, e.g.
    "ZHIBU_SCORING['weights']: weights must sum to 100% (got 90%)". Unknown keys are errors.
    """
    if mapping is None:
        return ScoringPolicy()
    if not isinstance(mapping, Mapping):
        raise ValueError(f"{name} must be a mapping (dict) of policy keys (got {type(mapping).__name__})")
    for key in mapping:
        if key not in POLICY_KEYS:
            close = difflib.get_close_matches(str(key), POLICY_KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise PolicyError(f"{name}[{key!r}]", f"unknown key (known keys: {', '.join(POLICY_KEYS)}){hint}")
    try:
        return ScoringPolicy(**mapping)
    except PolicyError as exc:
        raise PolicyError(f"{name}[{exc.key!r}]", exc.detail) from None
