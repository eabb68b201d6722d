"""Views and APIs of standards, rounds, assessments and score sheets (thin: rules in services)."""
from flask import g
from flask_babel import lazy_gettext as _l
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2Widget
from wtforms import FloatField, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from app.extensions import db
from app.models import SHEET_SOURCES, Assessment, AssessmentRound, Branch, ScoreSheet, StandardItem
from app.models.labels import COLUMN_LABELS
from app.security.rules import sheet_sources
from app.security.scope import current_org
from app.services.assessment import enter_sheet, open_round
from app.views.base import ScopedModelRestApi, ScopedModelView

STANDARD_FIELDS = ["category", "number", "title", "connotation", "elements"]


class StandardView(ScopedModelView):
    model = StandardItem
    class_permission_name = "Standard"
    label_columns = {**COLUMN_LABELS, "number": _l("序号"), "title": _l("考评标准")}
    list_title = show_title = _l("考评标准")
    add_title = _l("新增考评标准")
    edit_title = _l("编辑考评标准")
    list_columns = ["category", "number", "title", "connotation"]
    add_columns = edit_columns = show_columns = STANDARD_FIELDS
    search_columns = ["category", "title", "connotation", "elements"]
    order_columns = ["category", "number", "title"]
    base_order = ("number", "asc")


ROUND_FIELDS = ["name", "year", "kind", "base_round", "opens_on", "deadline", "rectify_by", "status", "note"]


def _round_of_own_committee(item):
    open_round(item, current_org())


class RoundView(ScopedModelView):
    model = AssessmentRound
    class_permission_name = "Round"
    list_title = show_title = _l("考评批次")
    add_title = _l("新增考评批次")
    edit_title = _l("编辑考评批次")
    list_columns = ["name", "year", "kind", "base_round", "opens_on", "deadline", "status"]
    add_columns = edit_columns = ROUND_FIELDS
    show_columns = ["committee"] + ROUND_FIELDS
    search_columns = ["name", "year", "kind", "status"]
    order_columns = ["name", "year", "opens_on", "deadline"]
    base_order = ("opens_on", "desc")
    write_checks = (_round_of_own_committee,)


class AssessmentView(ScopedModelView):
    """A branch's grade in each round (read only: grades come from the sheets and the committee's
    confirmation on the scoring pages); the branch page's 考评结果 list."""

    model = Assessment
    class_permission_name = "Assessment"
    include_route_methods = {"list", "show"}
    list_title = show_title = _l("考评结果")
    list_columns = ["round", "branch", "composite", "computed_grade", "override_grade", "vetoes"]
    show_columns = ["round", "branch", "self_score", "member_score", "peer_score", "superior_score",
                    "mass_satisfaction", "secretary_satisfaction", "composite", "computed_grade", "vetoes",
                    "override_grade", "override_reason", "confirmed_at"]
    search_columns = ["round", "branch", "computed_grade", "override_grade"]
    order_columns = ["composite", "computed_grade", "override_grade"]
    base_order = ("id", "desc")


def _sheet_guard(item):
    enter_sheet(item, getattr(g, "user", None), current_org())


SHEET_FIELDS = ["assessment", "source", "rater", "rater_branch", "s1", "s2", "s3", "s4", "s5"]


class SheetSourceField(SelectField):
    """The source select, offering only the sources the user's organization enters."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = sheet_sources(current_org())
        self.choices = [(code, text) for code, text in SHEET_SOURCES.items() if code in allowed]


def _source_field():
    return SheetSourceField(COLUMN_LABELS["source"], validators=[DataRequired()])


def _open_assessments():
    """Sheets are entered for the open rounds only (a closed round refuses them anyway)."""
    return (db.session.query(Assessment).join(AssessmentRound, AssessmentRound.id == Assessment.round_id)
            .join(Branch, Branch.id == Assessment.branch_id)
            .filter(AssessmentRound.status == "open")
            .order_by(AssessmentRound.opens_on.desc(), *Branch.by_name()))


def _sheet_fields():
    """The assessment (of an open round) and the five standards, each named with its 0–20 range."""
    fields = {
        "source": _source_field(),
        "assessment": QuerySelectField(
            COLUMN_LABELS["assessment"], query_func=_open_assessments, get_pk_func=lambda a: a.id,
            widget=Select2Widget(), validators=[DataRequired()],
            description=_l("开放中的考评批次的党支部考评记录。")),
    }
    for number in range(1, 6):
        key = f"s{number}"
        fields[key] = FloatField(
            _l("%(n)d. %(title)s（0–20 分）", n=number, title=COLUMN_LABELS[key]),
            validators=[InputRequired(), NumberRange(min=0, max=20, message=_l("每项得分须在 0 到 20 之间。"))],
            widget=BS3TextFieldWidget(), render_kw={"type": "number", "min": 0, "max": 20, "step": 0.5})
    return fields


class ScoreSheetView(ScopedModelView):
    model = ScoreSheet
    class_permission_name = "ScoreSheet"
    list_title = show_title = _l("评分表")
    add_title = _l("录入评分表")
    edit_title = _l("编辑评分表")
    list_columns = ["assessment", "source", "rater", "rater_branch", "s1", "s2", "s3", "s4", "s5", "submitted_at"]
    add_columns = edit_columns = SHEET_FIELDS
    show_columns = SHEET_FIELDS + ["submitted_at"]
    search_columns = ["assessment", "source", "rater", "rater_branch"]
    order_columns = ["source", "rater", "submitted_at"]
    base_order = ("id", "desc")
    add_form_extra_fields = edit_form_extra_fields = _sheet_fields()
    write_checks = (_sheet_guard,)


class AssessmentRoundApi(ScopedModelRestApi):
    resource_name = "assessmentround"
    model = AssessmentRound
    class_permission_name = "Round"
    list_columns = show_columns = [
        "id", "name", "year", "kind", "base_round.id", "opens_on", "deadline", "status", "note",
    ]
    add_columns = edit_columns = ROUND_FIELDS
    write_checks = (_round_of_own_committee,)


class AssessmentApi(ScopedModelRestApi):
    resource_name = "assessment"
    model = Assessment
    class_permission_name = "Assessment"
    include_route_methods = {"get", "get_list", "info"}
    list_columns = show_columns = [
        "id", "round.id", "round.name", "branch.id", "branch.name", "self_score", "member_score",
        "peer_score", "superior_score", "mass_satisfaction", "secretary_satisfaction", "composite",
        "computed_grade", "override_grade", "override_reason", "vetoes", "capped", "missing_sources",
        "confirmed_at",
    ]


class ScoreSheetApi(ScopedModelRestApi):
    resource_name = "scoresheet"
    model = ScoreSheet
    class_permission_name = "ScoreSheet"
    list_columns = show_columns = [
        "id", "assessment.id", "source", "rater", "rater_branch.id", "s1", "s2", "s3", "s4", "s5", "submitted_at",
    ]
    add_columns = edit_columns = SHEET_FIELDS
    write_checks = ScoreSheetView.write_checks
