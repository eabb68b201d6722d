"""分类互评 assignments: the scoped list, add form and REST API, and the planning page where a
general branch generates its own pairs and the committee sees the single-branch groups (thin:
the rules are in app/services/peers.py)."""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.models import AssessmentRound, GeneralBranch, PeerAssignment
from app.models.labels import COLUMN_LABELS
from app.security.rules import may
from app.security.scope import current_org
from app.services import peers as service
from app.views.base import ScopedModelRestApi, ScopedModelView
from app.views.boundary import id_arg, parse_id

PEER_LABELS = {**COLUMN_LABELS, "branch": _l("被评议党支部"), "rater_branch": _l("评议党支部")}
PEER_LIST = ["round", "branch_name", "general_branch_name", "rater_branch_name", "rater_general_branch_name",
             "peer_group", "assigned_by"]
PEER_ADD = ["round", "branch", "rater_branch", "note"]


def _prepare(item):
    """A new row is checked and filled by the service; an existing one changes its note only."""
    if item.id is None:
        service.prepare_pair(item, current_org(), getattr(g, "user", None))


class PeerAssignmentView(ScopedModelView):
    model = PeerAssignment
    class_permission_name = "PeerAssignment"
    label_columns = PEER_LABELS
    list_title = show_title = _l("互评安排")
    add_title = _l("新增互评安排")
    edit_title = _l("编辑互评安排")
    list_template = "peers/list.html"
    list_columns = PEER_LIST
    show_columns = PEER_LIST + ["note", "created_at"]
    add_columns = PEER_ADD
    edit_columns = ["note"]
    search_columns = ["round", "branch_name", "rater_branch_name", "general_branch_name",
                      "rater_general_branch_name", "assigned_by"]
    quick_search = "branch_name"
    order_columns = ["branch_name", "rater_branch_name", "general_branch_name", "assigned_by"]
    base_order = ("id", "asc")
    formatters_columns = {"peer_group": service.group_label}
    add_form_query_rel_fields = {"round": [["status", FilterEqual, "open"]]}
    description_columns = {
        "rater_branch": _l("同类党支部（学生党支部含本科生、研究生）；跨党总支的互评由党委为只有一个同类党支部的党总支安排。"),
    }
    write_checks = (_prepare,)


class PeerAssignmentApi(ScopedModelRestApi):
    resource_name = "peerassignment"
    model = PeerAssignment
    class_permission_name = "PeerAssignment"
    list_columns = show_columns = [
        "id", "round.id", "branch.id", "branch_name", "general_branch_name", "rater_branch.id", "rater_branch_name",
        "rater_general_branch_name", "peer_group", "assigned_by", "note", "created_at",
    ]
    add_columns = PEER_ADD
    edit_columns = ["note"]
    write_checks = (_prepare,)


def _open_rounds():
    return db.session.scalars(select(AssessmentRound).where(AssessmentRound.status == "open")
                              .order_by(AssessmentRound.opens_on.desc(), AssessmentRound.id.desc())).all()


def _scoped(model, pk):
    row = db.session.get(model, pk) if pk is not None else None  # the guard scopes it: foreign is a 404
    if row is None:
        abort(404)
    return row


class PeerPlanView(BaseView):
    """互评安排 of a round: a general branch generates its own pairs; the committee sees which
    general branches have a single branch of a group and need peers from another one."""

    route_base = "/peers"
    class_permission_name = "PeerAssignment"
    method_permission_name = {"index": "read", "generate": "write"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        actor = current_org()
        rounds = _open_rounds()
        chosen = id_arg("round")
        round_ = _scoped(AssessmentRound, chosen) if chosen is not None else (rounds[0] if rounds else None)
        above_branch = actor is not None and actor.kind != "branch"
        general_branches = db.session.scalars(select(GeneralBranch).order_by(*GeneralBranch.by_name())).all() \
            if above_branch else []
        needs = service.cross_needs(round_) if round_ is not None and above_branch else []
        return self.render_template(
            "peers/plan.html", rounds=rounds, round=round_, general_branches=general_branches, needs=needs,
            above_branch=above_branch,
            may_write=may(PeerAssignment, actor, "create") if actor is not None else False,
            reviewers=service.DEFAULT_REVIEWERS, max_reviewers=service.MAX_REVIEWERS,
            is_committee=actor is not None and actor.kind in ("committee", "all"))

    @expose("/generate", methods=["POST"])
    @has_access
    def generate(self):
        actor = current_org()
        round_ = _scoped(AssessmentRound, parse_id(request.form.get("round", "")))
        gb_id = actor.general_branch_id if actor is not None and actor.kind == "general_branch" \
            else parse_id(request.form.get("general_branch", ""))
        general_branch = _scoped(GeneralBranch, gb_id)
        back = url_for("PeerPlanView.index", round=round_.id)
        raw = (request.form.get("reviewers") or "").strip()
        k = (parse_id(raw) or 0) if raw else service.DEFAULT_REVIEWERS   # not a number: the service says why
        try:
            run = service.assign_peers(round_, general_branch, k, actor, getattr(g, "user", None))
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(back)
        flash(_("「%(gb)s」的互评安排已生成：新增 %(created)d 对，保留已有 %(kept)d 对。",
                gb=general_branch.name, created=run.created, kept=run.kept), "success")
        for group, branch in run.single:
            flash(_("「%(branch)s」是本党总支唯一的%(group)s类党支部，其互评党支部由党委从其他党总支安排。",
                    branch=branch, group=group), "warning")
        return redirect(back)
