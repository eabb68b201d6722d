"""The scoring view: a round's matrix per general branch, explanations, committee actions."""
from urllib.parse import quote

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import get_locale
from flask_babel import gettext as _

from app.extensions import db
from app.models import BRANCH_CATEGORIES, GRADE_LABELS, ROUND_KINDS, SHEET_SOURCES, Assessment, AssessmentRound, ScoreSheet, label
from app.errors import DomainError
from app.models.labels import COLUMN_LABELS
from app.security.scope import current_org
from app.services import assessment as service
from app.services import job_kinds
from app.services.rectification import create_for_weak
from app.views.base import audit_panel
from app.services.scoring_report import round_report, rounds_in_scope, totals, undergrad_goal
from app.views.jobs import start_and_show
from app.views.paging import matches, page_of


def _scoped(model, pk):
    """Fetch a row through the scope; a foreign or unknown id is a 404."""
    row = db.session.get(model, pk)  # the guard scopes it
    if row is None:
        abort(404)
    return row


def _run(action, target, done, back):
    """Run a service action; a refusal is flashed and rolled back; then go back."""
    try:
        action(target)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        if done:
            flash(done, "success")
    return redirect(back)


class AmbiguousRate(ValueError):
    """A rate between 0 and 1 without "%": 1 could be 1% or 100%."""


def _percent(text):
    """A satisfaction rate typed as a percentage: '82' or '82%' -> 0.82, '1%' -> 0.01, '0' -> 0,
    '' -> None. A number in (0, 1] without '%' is ambiguous ('1': 1% or 100%?) and refused."""
    raw = (text or "").strip()
    number = raw.rstrip("%％").strip()
    if not number:
        return None
    value = float(number)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(raw)
    if number == raw and 0 < value <= 1:
        raise AmbiguousRate(raw)
    return value / 100


def _resolved(choices) -> dict:
    """code -> label text in the request's language, translated once."""
    return {code: str(text) for code, text in choices.items()}


SUMMARY_PAGE = 50   # general branches per page of the summary


class ScoringView(BaseView):
    """评分汇总: pick a round, see its matrix; a branch row opens its explanation."""

    route_base = "/scoring"
    class_permission_name = "Scoring"
    method_permission_name = {
        "index": "read", "round_matrix": "read", "assessment": "read",
        "recompute": "confirm", "confirm": "confirm", "override": "confirm", "rates": "rate",
        "close_round": "confirm", "reopen_round": "confirm",
        "rectify": "rectify",
    }
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        rounds = rounds_in_scope(current_org())
        if not rounds:
            return self.render_template("scoring/empty.html")
        return redirect(url_for("ScoringView.round_matrix", round_id=rounds[0].id))

    @expose("/round/<int:round_id>")
    @has_access
    def round_matrix(self, round_id):
        org = current_org()
        round_ = _scoped(AssessmentRound, round_id)
        sort = request.args.get("sort", "branch")
        # a committee sees each general branch's counts; its rows on demand (?general_branch=ID)
        expand = [i for i in request.args.getlist("general_branch", type=int) if 0 < i < 2**31]
        groups = round_report(round_, sort, expand)
        good, all_undergrad = undergrad_goal(groups)
        # the summary: a page of the general branches (a city's committee holds thousands), by name
        search = request.args.get("q", "").strip()
        chosen = [group for group in groups if matches(group.name, search)]
        page, pages = page_of(len(chosen), SUMMARY_PAGE)
        pager = {"page": page, "pages": pages, "total": len(chosen), "args": {
            "round_id": round_.id, "sort": sort, "q": search or None, "general_branch": expand or None}}
        # labels and links resolved once per request, not per row and cell
        return self.render_template(
            "scoring/matrix.html", round=round_, rounds=rounds_in_scope(org), groups=groups, sort=sort,
            shown=chosen[page * SUMMARY_PAGE:(page + 1) * SUMMARY_PAGE], pager=pager, search=search,
            totals=totals(groups), grade_labels=_resolved(GRADE_LABELS), undergrad_good=good,
            undergrad_total=all_undergrad, can_confirm=self._can("confirm"),
            categories=_resolved(BRANCH_CATEGORIES), round_kind=label(ROUND_KINDS, round_.kind),
            can_rectify=self._can("rectify"),
            keep="".join(f"&general_branch={i}" for i in expand) + (f"&page={page}" if page else "")
            + (f"&q={quote(search)}" if search else ""),
            assessment_url=url_for("ScoringView.assessment", pk=0).removesuffix("0"),
            matrix_url=url_for("ScoringView.round_matrix", round_id=round_.id),
        )

    @expose("/assessment/<int:pk>")
    @has_access
    def assessment(self, pk):
        item = _scoped(Assessment, pk)
        result = service.result_of(item)
        lang = "en" if str(get_locale()).startswith("en") else "zh"
        sheets = db.session.scalars(
            db.select(ScoreSheet).where(ScoreSheet.assessment_id == item.id).order_by(ScoreSheet.source)
        ).all()
        return self.render_template(
            "scoring/assessment.html", item=item, lines=result.explain(lang), sheets=sheets,
            grade_labels=GRADE_LABELS, sources=SHEET_SOURCES, label=label,
            standards=[f"{n}. {COLUMN_LABELS[f's{n}']}" for n in range(1, 6)],
            can_confirm=self._can("confirm"), can_rate=self._can("rate"),
            balloted=service.balloted_rates(item), **audit_panel(Assessment, item.id),
        )

    @expose("/round/<int:round_id>/recompute", methods=["POST"])
    @has_access
    def recompute(self, round_id):
        """Recompute the whole round as a background job (a refusal is flashed at once)."""
        round_ = _scoped(AssessmentRound, round_id)
        try:
            return start_and_show(job_kinds.start_recompute, g.user, round_, current_org())
        except DomainError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("ScoringView.round_matrix", round_id=round_id))

    @expose("/round/<int:round_id>/close", methods=["POST"])
    @has_access
    def close_round(self, round_id):
        """The committee closes a round: its sheets, rates and grades become final."""
        return self._round_action(round_id, service.close_round, _("考评批次已结束，评分和等次已定稿。"))

    @expose("/round/<int:round_id>/reopen", methods=["POST"])
    @has_access
    def reopen_round(self, round_id):
        """The committee reopens a closed round, with a reason (audited)."""
        return self._round_action(
            round_id, lambda r: service.reopen_round(r, request.form.get("reason", ""), g.user),
            _("考评批次已重新开启，理由已记入审计日志。"))

    def _round_action(self, round_id, action, done):
        return _run(action, _scoped(AssessmentRound, round_id), done,
                    url_for("ScoringView.round_matrix", round_id=round_id))

    @expose("/round/<int:round_id>/rectify", methods=["POST"])
    @has_access
    def rectify(self, round_id):
        """推动一般、整顿后进: rectification items for the weak branches in scope, prefilled."""
        round_ = _scoped(AssessmentRound, round_id)
        try:
            created = create_for_weak(round_, current_org())
        except DomainError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("ScoringView.round_matrix", round_id=round_id))
        flash(_("已为评为一般或较差的党支部新建 %(count)d 条整改事项。", count=created), "success")
        return redirect(url_for("RectificationView.list"))

    def _act(self, pk, action):
        return _run(action, _scoped(Assessment, pk), None, url_for("ScoringView.assessment", pk=pk))

    @expose("/assessment/<int:pk>/confirm", methods=["POST"])
    @has_access
    def confirm(self, pk):
        def run(item):
            service.confirm(item, g.user)
            flash(_("已确认考评等次。"), "success")
        return self._act(pk, run)

    @expose("/assessment/<int:pk>/override", methods=["POST"])
    @has_access
    def override(self, pk):
        def run(item):
            service.override(item, request.form.get("grade", ""), request.form.get("reason", ""), g.user)
            flash(_("已调整最终考评等次，理由已记入审计日志。"), "success")
        return self._act(pk, run)

    @expose("/assessment/<int:pk>/rates", methods=["POST"])
    @has_access
    def rates(self, pk):
        def run(item):
            def typed(name):  # a rate not on the form (a ballot campaign gives it) stays as it is
                return service.UNCHANGED if name not in request.form else _percent(request.form.get(name))
            try:
                mass, secretary = typed("mass"), typed("secretary")
            except AmbiguousRate as exc:
                raise service.AssessmentError(_(
                    "「%(value)s」有歧义：满意率请写成百分数并带上 %%，例如 1%% 或 100%%。", value=str(exc))) from exc
            except ValueError as exc:
                raise service.AssessmentError(_("满意率请填写百分数，例如 85 或 85%。")) from exc
            service.set_rates(item, mass, secretary)
            flash(_("已保存满意率并重新计算。"), "success")
        return self._act(pk, run)

    def _can(self, verb):
        return self.appbuilder.sm.has_access(f"can_{verb}", self.class_permission_name)

