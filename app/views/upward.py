"""联述联评联考 (五、(三)): the committee opens upward campaigns about its general branches and
itself, follows their results and exports them; a general branch reads the result about itself."""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.models import BALLOT_KINDS, CAMPAIGN_STATUSES, AssessmentRound, GeneralBranch, label
from app.security.scope import current_org
from app.services import ballots as service
from app.services import upward
from app.services.forms import Export
from app.views.ballots import _int, _scoped, issue_and_redirect
from app.views.boundary import id_arg
from app.views.forms import send_export


class UpwardView(BaseView):
    """联评结果: the upward campaigns in scope, their tallies, the committee's open form and export."""

    route_base = "/upward"
    class_permission_name = "UpwardReport"
    method_permission_name = {"index": "read", "open": "write", "export": "export"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        round_id = id_arg("round")
        org = current_org()
        organizer = org is not None and org.kind in ("committee", "all")
        rounds = db.session.scalars(select(AssessmentRound).where(AssessmentRound.status == "open")
                                    .order_by(AssessmentRound.id.desc())).all() if organizer else []
        general_branches = db.session.scalars(select(GeneralBranch).order_by(*GeneralBranch.by_name())).all() \
            if organizer else []
        return self.render_template(
            "ballots/upward.html", results=upward.results(round_id), items=service.upward_items(),
            rounds=rounds, general_branches=general_branches, organizer=organizer,
            may_export=self.appbuilder.sm.has_access("can_export", "UpwardReport"),
            statuses=CAMPAIGN_STATUSES, kinds=BALLOT_KINDS, label=label, round_id=round_id)

    @expose("/open", methods=["POST"])
    @has_access
    def open(self):
        try:
            round_ = _scoped(AssessmentRound, _int("round") or 0)
            target = (request.form.get("target") or "").strip()
            general_branch = None if target == "committee" else _scoped(GeneralBranch, _int("target") or 0)
            campaign = service.open_upward_campaign(round_, general_branch, _int("min_turnout", 5), current_org(),
                                                    g.user)
            return issue_and_redirect(campaign, _int("count", 0))
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for("UpwardView.index"))

    @expose("/export.xlsx")
    @has_access
    def export(self):
        """The committee's report for its annual cadre assessment (one round, or all)."""
        round_id = id_arg("round")
        round_ = None
        if round_id is not None:
            round_ = db.session.get(AssessmentRound, round_id)  # scoped: foreign or unknown is a 404
            if round_ is None:
                abort(404)
        name, data = upward.export(round_)
        if round_ is None:
            name = _("联评结果") + ".xlsx"
        return send_export(Export(name, data))
