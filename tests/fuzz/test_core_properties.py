"""Hypothesis against the pure core: the import parser, the scoring engine, the form builders.

Whatever they are given, they answer or raise only their documented errors
(ImportFileError with a FILE_ERROR_CODES code, row errors with ROW_ERROR_CODES codes;
InputError / PolicyError; ValueError for an unknown grade), and an error leaves nothing
written (no temp file of a form). The import through the app: tests/fuzz/test_import_fuzz.py.
"""
from __future__ import annotations

import io
import math
import os
import tempfile
import zipfile
from contextlib import contextmanager
from datetime import date

import openpyxl
import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.forms import Annex2Row, Annex3Row, FormHeader, annex2_workbook, annex3_workbook
from app.forms._sheet import cell_text
from app.forms.annex2 import GRADES as ANNEX2_GRADES
from app.imports import (
    FILE_ERROR_CODES, MEMBER_SPEC, ROW_ERROR_CODES, ImportFileError, MemberRow, ParseResult,
    export_members, parse_appraisals, parse_branches, parse_members,
)
from app.scoring import GRADES, AssessmentInput, InputError, ScoringPolicy, policy_from_mapping, score
from app.scoring.policy import PolicyError

FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
PARSERS = (parse_members, parse_branches, parse_appraisals)

# Any cell a user could type or paste: text with controls, formulas, numbers, dates, booleans.
cell_values = st.one_of(
    st.none(), st.text(max_size=40), st.sampled_from(["=1+1", "=SUM(A1:A2)", "#N/A", "男", "正式党员", "是"]),
    st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
    st.dates(date(1900, 1, 1), date(2100, 1, 1)),
)
# Text no form may choke on: control characters, lone surrogates, very long lines.
any_text = st.one_of(st.text(max_size=60), st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x3000),
                                                  max_size=60), st.just("x" * 40000))


def _valid_roster() -> bytes:
    rows = [MemberRow(number=f"T{i:07d}", name=f"党员{i}", gender="M", member_type="formal",
                      joined_on=date(2010, 7, 1), unit="中文系", is_teacher_backbone=False,
                      general_branch="文学院党总支", branch="文学院教师第一党支部") for i in range(3)]
    return export_members(rows)


VALID = _valid_roster()


def _storable(value):
    """openpyxl refuses to write control characters (Excel cannot hold them either)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _sheet_with(header, rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "党员名册"
    ws.append([_storable(v) for v in header])
    for row in rows:
        ws.append([_storable(v) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _parse_answers_documented(parser, data):
    """The parser returns a ParseResult whose row errors have documented codes, or raises
    ImportFileError with a documented code; any other exception fails the test."""
    try:
        result = parser(data)
    except ImportFileError as exc:
        assert exc.code in FILE_ERROR_CODES, exc.code
        assert exc.message_zh and exc.message_en
        return
    assert isinstance(result, ParseResult)
    for error in result.errors:
        assert error.code in ROW_ERROR_CODES, error.code


@FAST
@given(st.binary(max_size=2000))
def test_the_parser_takes_any_bytes(data):
    for parser in PARSERS:
        _parse_answers_documented(parser, data)


@FAST
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), min_size=1, max_size=8),
       st.integers(100, len(VALID)))
def test_the_parser_takes_a_damaged_roster(flips, keep):
    """A real roster with bytes changed and its end cut off: a broken zip, a broken sheet."""
    data = bytearray(VALID[:keep])
    for at, value in flips:
        if at < len(data):
            data[at] = value
    for parser in PARSERS:
        _parse_answers_documented(parser, bytes(data))


@FAST
@given(st.lists(st.lists(cell_values, min_size=1, max_size=len(MEMBER_SPEC.headers()) + 2), max_size=6))
def test_the_parser_takes_any_cells_under_the_real_header(rows):
    _parse_answers_documented(parse_members, _sheet_with(list(MEMBER_SPEC.headers()), rows))


@FAST
@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=12))
def test_the_parser_takes_any_header(header):
    _parse_answers_documented(parse_members, _sheet_with(header, [["x"] * len(header)]))


@FAST
@given(st.binary(min_size=1, max_size=300))
def test_the_parser_takes_a_zip_of_anything(member):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", member)
        zf.writestr("xl/workbook.xml", member)
        zf.writestr("xl/worksheets/sheet1.xml", member)
    for parser in PARSERS:
        _parse_answers_documented(parser, buffer.getvalue())


# ---------------------------------------------------------------- the scoring engine

loose_numbers = st.one_of(
    st.none(), st.floats(), st.integers(-10**6, 10**6), st.text(max_size=5), st.booleans(),
    st.just(float("nan")), st.decimals(allow_nan=False, allow_infinity=False, places=2).map(float),
)
loose_dates = st.one_of(st.none(), st.dates(), st.datetimes(), st.text(max_size=12), st.integers())


@FAST
@given(st.dictionaries(st.sampled_from(["self_score", "member_score", "peer_score", "superior_score",
                                        "mass_satisfaction", "secretary_satisfaction"]), loose_numbers),
       loose_dates, loose_dates, st.one_of(st.integers(-3, 10), st.text(max_size=3), st.none(), st.floats()),
       st.one_of(st.none(), st.lists(loose_dates, max_size=3), st.text(max_size=3), st.integers()))
def test_the_engine_answers_or_raises_input_error(numbers, elected_on, last_activity_on, term_years, violations):
    try:
        given_input = AssessmentInput(
            round_date=date(2012, 4, 10), elected_on=elected_on, last_activity_on=last_activity_on,
            term_years=term_years, secretary_violation_dates=violations, **numbers)
    except InputError as exc:
        assert exc.args and str(exc)
        return
    result = score(given_input, ScoringPolicy())
    assert result.grade is None or result.grade in GRADES
    assert result.composite is None or (0 <= result.composite <= 100 and not math.isnan(result.composite))
    assert result.explain() and result.explain(lang="en")


policy_values = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 200), st.floats(), st.text(max_size=6),
    st.dictionaries(st.sampled_from(["A", "B", "C", "self", "members", "peer", "superior", "x"]),
                    st.one_of(st.floats(), st.integers(-5, 120), st.text(max_size=3)), max_size=5),
)
policy_keys = st.sampled_from([
    "weights", "cutoffs", "satisfaction_mass", "satisfaction_secretary", "satisfaction_cap",
    "veto_satisfaction", "veto_violation_years", "grace_months", "veto_inactive_days", "v2_v3_separate",
    "v1_enabled", "v4_enabled", "no_such_key",
])


@FAST
@given(st.dictionaries(policy_keys, policy_values, max_size=4))
def test_a_policy_is_taken_or_refused_with_policy_error(mapping):
    try:
        policy = policy_from_mapping(mapping)
    except PolicyError as exc:
        assert "ZHIBU_SCORING" in str(exc)
        return
    result = score(AssessmentInput(round_date=date(2012, 4, 10), self_score=80.0), policy)
    assert result.grade is None or result.grade in GRADES


# ---------------------------------------------------------------- the form builders

headers = st.builds(FormHeader, unit=any_text, person=any_text, phone=any_text,
                    deadline_text=any_text, email=any_text)


@contextmanager
def private_tempdir():
    """XlsxWriter's constant_memory files go to tempfile's directory: a private one here, so
    that other processes' files do not count."""
    saved = tempfile.tempdir
    with tempfile.TemporaryDirectory() as directory:
        tempfile.tempdir = directory
        try:
            yield directory
        finally:
            tempfile.tempdir = saved


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(headers, st.lists(st.builds(Annex2Row, general_branch=any_text, branch=any_text,
                                   grade=st.sampled_from(("",) + ANNEX2_GRADES)), max_size=5),
       st.booleans())
def test_annex2_takes_any_text(header, rows, grouped):
    data = annex2_workbook(header, rows, grouped=grouped)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.max_row >= len(rows)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(headers, st.lists(st.builds(Annex3Row, branch=any_text, problems=any_text, measures=any_text,
                                   due=any_text, contact=any_text, remark=any_text), max_size=4))
def test_annex3_takes_any_text(header, rows):
    data = annex3_workbook(header, rows)
    assert openpyxl.load_workbook(io.BytesIO(data)).active.max_row >= len(rows)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(headers, st.text(min_size=1, max_size=6).filter(lambda g: cell_text(g).strip() not in ANNEX2_GRADES + ("",)))
def test_annex2_refuses_an_unknown_grade_and_leaves_no_file(header, grade):
    """A label that is not a grade once the cell is cleaned and trimmed is refused (" 好" is 好, and a
    blank or control-only cell is "not graded", as the builder documents)."""
    with private_tempdir() as directory:
        with pytest.raises(ValueError, match="grade"):
            annex2_workbook(header, [Annex2Row("党总支", "党支部", "好"), Annex2Row("党总支", "党支部", grade)])
        assert os.listdir(directory) == []
