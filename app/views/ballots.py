"""Ballot campaigns for their organizers (/ballots/) and the anonymous voting page (/ballot/<code>)."""
from base64 import b64encode

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.forms.slips import codes_text, qr_svg
from app.models import BALLOT_KINDS, CAMPAIGN_STATUSES, AssessmentRound, BallotCampaign, Branch, label
from app.security.scope import current_org
from app.services import ballots as service
from app.views.boundary import parse_id


def _html_lang() -> str:
    return "en" if str(get_locale() or "zh").startswith("en") else "zh-CN"


def _scoped(model, pk):
    row = db.session.get(model, pk)  # the guard scopes it: foreign or unknown is a 404
    if row is None:
        abort(404)
    return row


def _int(name, default=None):
    text = (request.form.get(name) or "").strip()
    if not text:
        return default
    value = parse_id(text)
    if value is None:
        raise service.BallotError(_("「%(field)s」须为整数。", field=name))
    return value


PENDING = "zhibu_ballot_batch"  # session key: the seed of the batch issued, until it is shown


def issue_and_redirect(campaign, count):
    """Issue a batch, keep its seed in the session for one view, redirect to it (PRG)."""
    seed = service.new_seed()
    codes = service.issue_codes(campaign, count, current_org(), seed=seed)
    session[PENDING] = {"campaign": campaign.id, "seed": seed.hex(), "count": len(codes)}
    return redirect(url_for("BallotsView.codes", pk=campaign.id))


class BallotsView(BaseView):
    """匿名测评: campaigns the general branch or the committee organizes, codes issued once."""

    route_base = "/ballots"
    class_permission_name = "Ballots"
    method_permission_name = {"index": "read", "open": "write", "issue": "write", "close": "write",
                              "codes": "write"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        rounds = db.session.scalars(select(AssessmentRound).where(AssessmentRound.status == "open")
                                    .order_by(AssessmentRound.id.desc())).all()
        branches = db.session.scalars(select(Branch).order_by(Branch.general_branch_id, *Branch.by_name())).all()
        return self.render_template(
            "ballots/index.html", campaigns=service.campaigns_in_scope(), rounds=rounds, branches=branches,
            kinds={k: v for k, v in BALLOT_KINDS.items() if k != "upward"}, statuses=CAMPAIGN_STATUSES,
            all_kinds=BALLOT_KINDS, label=label)

    def _back(self, campaign):
        return url_for("UpwardView.index") if campaign.kind == "upward" else url_for("BallotsView.index")

    def _codes_page(self, campaign, codes):
        slips = [(service.pretty(c), url_for("BallotVoteView.vote", code=c, _external=True)) for c in codes]
        slips = [(text, link, qr_svg(link)) for text, link in slips]
        plain = "data:text/plain;charset=utf-8;base64," + b64encode(codes_text(codes).encode()).decode()
        target = service.target_name(campaign) if campaign.kind == "upward" else campaign.branch.name
        return self.render_template("ballots/codes.html", campaign=campaign, slips=slips, plain=plain, target=target,
                                    back=self._back(campaign), kinds=BALLOT_KINDS, label=label,
                                    html_lang=_html_lang())

    def _issued(self, campaign, count):
        return issue_and_redirect(campaign, count)

    @expose("/open", methods=["POST"])
    @has_access
    def open(self):
        try:
            round_ = _scoped(AssessmentRound, _int("round") or 0)
            branch = _scoped(Branch, _int("branch") or 0)
            campaign = service.open_campaign(round_, branch, request.form.get("kind", ""),
                                             _int("min_turnout", 5), current_org(), g.user)
            return self._issued(campaign, _int("count", 0))
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for("BallotsView.index"))

    @expose("/<int:pk>/issue", methods=["POST"])
    @has_access
    def issue(self, pk):
        campaign = _scoped(BallotCampaign, pk)
        back = self._back(campaign)
        try:
            return self._issued(campaign, _int("count", 0))
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(back)

    @expose("/<int:pk>/codes")
    @has_access
    def codes(self, pk):
        """The batch just issued, shown once: the seed leaves the session as the page is made.

        A refresh (or any later visit) finds no seed and says so; the codes exist nowhere else."""
        campaign = _scoped(BallotCampaign, pk)
        pending = session.get(PENDING)
        if not isinstance(pending, dict) or pending.get("campaign") != campaign.id:
            flash(_("选票代码只显示一次，已经显示过了；如需更多代码，请追加发放。"), "warning")
            return redirect(self._back(campaign))
        session.pop(PENDING, None)
        try:
            codes = service.codes_from_seed(bytes.fromhex(pending["seed"]), int(pending["count"]))
        except (KeyError, TypeError, ValueError):
            abort(404)
        return self._codes_page(campaign, codes)

    @expose("/<int:pk>/close", methods=["POST"])
    @has_access
    def close(self, pk):
        campaign = _scoped(BallotCampaign, pk)
        back = self._back(campaign)
        try:
            service.close_campaign(campaign, current_org())
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash(_("测评已结束，统计结果为最终结果。"), "success")
        return redirect(back)


STATUS_OF = {service.UnknownCode: 404, service.CodeUsed: 409, service.CampaignClosed: 410,
             service.TooManyLookups: 429}


def _refusal(exc):
    status = STATUS_OF.get(type(exc), 400)
    return render_template("ballots/message.html", message=str(exc), status=status, html_lang=_html_lang()), status


class BallotVoteView(BaseView):
    """The voting page: no login, one form, CSRF-protected; anonymous by construction."""

    route_base = "/ballot"
    default_view = "vote"

    @expose("/<code>", methods=["GET", "POST"])
    def vote(self, code):
        address = request.remote_addr or ""
        try:
            page = service.ballot_page(code, address)
        except service.BallotError as exc:
            return _refusal(exc)
        error, field = None, None
        if request.method == "POST":
            try:
                service.cast(code, request.form, address)
            except service.BadAnswers as exc:
                error, field = str(exc), exc.field
            except service.BallotError as exc:
                return _refusal(exc)
            else:
                return render_template("ballots/message.html", status=200, thanks=True, html_lang=_html_lang(),
                                       message=_("投票成功，感谢您的参与！您的选票是匿名的。")), 200
        return render_template("ballots/vote.html", page=page, form=request.form, error=error, field=field,
                               kinds=BALLOT_KINDS, label=label, html_lang=_html_lang()), (400 if error else 200)
