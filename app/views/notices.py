"""提醒: the user's inbox of notices, the navbar's bell, and the words of each notice.

Thin: app.services.notices makes, reads, words and marks the notices; this module says where
each is dealt with. A foreign notice id is a 404 on every route here.
"""
from flask import abort, current_app, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _

from app.models import label
from app.models.notices import NOTICE_KINDS
from app.services import notices as service


def target_of(notice) -> str:
    """The page where the thing the notice is about is done (as on the home's to-do list)."""
    if notice.subject_table == "zb_round":
        if notice.org_kind == "branch":
            return url_for("ScoreSheetView.add")
        return url_for("ScoringView.round_matrix", round_id=notice.subject_id)
    if notice.subject_table == "zb_rectification":
        return url_for("RectificationView.show", pk=notice.subject_id)
    if notice.subject_table == "zb_branch":
        return url_for("BranchView.show", pk=notice.subject_id)
    return url_for("NoticesView.index")


def unread_for_navbar() -> int | None:
    """The bell's count for the logged-in user (once per request); None for no one."""
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if "_zhibu_unread" not in g:
        try:
            g._zhibu_unread = service.unread_count(user)
        except Exception:   # an error page on a broken connection still renders its navbar
            current_app.logger.exception("notices: the unread count failed")
            g._zhibu_unread = None
    return g._zhibu_unread


def template_helpers(app) -> None:
    app.jinja_env.globals.update(zhibu_unread_notices=unread_for_navbar)


class NoticesView(BaseView):
    """The user's notices: newest first, unread in bold, each opening where it is dealt with."""

    route_base = "/notices"
    class_permission_name = "Notices"
    method_permission_name = {"index": "read", "follow": "read", "read": "read", "read_all": "read"}
    default_view = "index"

    def _notice(self, pk):
        notice = service.notice_of(g.user, pk)
        if notice is None:
            abort(404)
        return notice

    @expose("/")
    @has_access
    def index(self):
        page = request.args.get("page", 0, type=int) or 0
        rows, total = service.inbox(g.user, page)
        pages = max((total + service.PAGE_SIZE - 1) // service.PAGE_SIZE, 1)
        return self.render_template("notices/index.html", title=_("我的提醒"), notices=rows, page=min(page, pages - 1),
                                    pages=pages, total=total, text_of=service.text_of, kinds=NOTICE_KINDS, label=label)

    @expose("/<int:pk>/follow", methods=["POST"])
    @has_access
    def follow(self, pk):
        """Mark the notice read and go where it is dealt with."""
        notice = self._notice(pk)
        service.mark_read(notice)
        return redirect(target_of(notice))

    @expose("/<int:pk>/read", methods=["POST"])
    @has_access
    def read(self, pk):
        service.mark_read(self._notice(pk))
        return redirect(url_for("NoticesView.index", page=request.form.get("page", 0, type=int) or None))

    @expose("/read-all", methods=["POST"])
    @has_access
    def read_all(self):
        service.mark_all_read(g.user)
        return redirect(url_for("NoticesView.index"))
