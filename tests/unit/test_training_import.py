"""The training-attendees sheet (app.imports, pure): hours as decimals, one event per date, topic,
hours, mode and organizer, a member credited once per event, the template round-trips."""
from datetime import date

import openpyxl
import io

from app.imports import (
    TRAINING_SPEC, TrainingRow, export_trainings, parse_trainings, plan_trainings, training_template,
)
from app.imports.plan import event_key

HEADERS = [c.header_zh for c in TRAINING_SPEC.columns]
MEMBERS = {"T001": "张三", "T002": "李四", "2012001": "王五"}


def _sheet(rows, headers=HEADERS) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = TRAINING_SPEC.sheet_zh
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _plan(rows, credited=(), today=date(2024, 1, 1)):
    return plan_trainings(parse_trainings(_sheet(rows)), credited, MEMBERS, today=today)


def test_hours_take_one_decimal_and_refuse_zero_text_and_too_many():
    parsed = parse_trainings(_sheet([
        ["T001", None, "2012-03-20", "党课", 3.5, "否", None],
        ["T002", None, "2012-03-20", "党课", "2.5学时", "是", None],
        ["T001", None, "2012-03-21", "党课", 0, "否", None],
        ["T001", None, "2012-03-22", "党课", "三个", "否", None],
        ["T001", None, "2012-03-23", "党课", 3.25, "否", None],
        ["T001", None, "2012-03-24", "党课", 200.5, "否", None],
    ]))
    assert [(n, r.hours, r.online) for n, r in parsed.rows] == [(2, 3.5, False), (3, 2.5, True)]
    assert [e.row for e in parsed.errors] == [4, 5, 6, 7]
    assert all(e.code == "invalid_number" for e in parsed.errors)


def test_rows_of_one_event_credit_each_member_once():
    plan = _plan([
        ["T001", "张三", "2012-03-20", "党课", 3, "否", "党总支"],
        ["T002", "李四", "2012-03-20", "党课", 3, "否", "党总支"],
        ["t001", None, "2012-03-20", "党课", 3, "否", "党总支"],      # the same number, other spelling
        ["T001", None, "2012-03-20", "党课", 2, "否", "党总支"],      # other hours: another event
    ])
    assert [n for n, _ in plan.new] == [2, 3, 5]
    assert [(e.row, e.code) for e in plan.errors] == [(4, "duplicate_key")]
    assert len({event_key(r) for _, r in plan.new}) == 2


def test_unknown_numbers_wrong_names_and_future_dates_are_row_errors():
    plan = _plan([
        ["X999", None, "2012-03-20", "党课", 3, "否", None],
        ["T002", "张三", "2012-03-20", "党课", 3, "否", None],
        ["T001", None, "2030-03-20", "党课", 3, "否", None],
    ])
    assert plan.new == [] and [(e.row, e.code) for e in plan.errors] == [
        (2, "unknown_member"), (3, "name_mismatch"), (4, "invalid_date")]
    assert "X999" in plan.errors[0].message_zh and "X999" in plan.errors[0].message_en


def test_a_credit_already_held_is_unchanged_and_the_export_reads_back_the_same():
    row = TrainingRow("T001", "张三", date(2012, 3, 20), "党课", 3.0, False, "党总支")
    plan = _plan([["T001", None, "2012-03-20", " 党课 ", 3, "否", "党总支"]], credited=[("T001", event_key(row))])
    assert plan.new == [] and len(plan.unchanged) == 1
    parsed = parse_trainings(export_trainings([row]))
    assert [r for _, r in parsed.rows] == [row] and parsed.errors == []


def test_the_template_imports_zero_rows():
    for lang in ("zh", "en"):
        parsed = parse_trainings(training_template(lang))
        assert parsed.rows == [] and parsed.errors == []
