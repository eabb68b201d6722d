"""The home page: what is in the user's scope, counted."""
from flask import g
from flask_appbuilder import IndexView, expose
from sqlalchemy import func, select

from app.extensions import db
from app.models import Branch, ContactCadre, GeneralBranch, Member, Secretary, label, ORG_KINDS
from app.security.scope import current_org, scope_clause

COUNTED = [
    (GeneralBranch, "general_branches"),
    (Branch, "branches"),
    (Member, "members"),
    (Secretary, "secretaries"),
    (ContactCadre, "contact_cadres"),
]


def scope_counts(org) -> dict:
    """How many rows of each main table the organization sees."""
    counts = {key: db.session.scalar(select(func.count()).select_from(model).where(scope_clause(model, org)))
              for model, key in COUNTED}
    counts["formal"] = db.session.scalar(
        select(func.count()).select_from(Member).where(scope_clause(Member, org), Member.member_type == "formal"))
    counts["probationary"] = counts["members"] - counts["formal"]
    return counts


class ZhibuIndexView(IndexView):
    """Tells each role what its scope holds."""

    index_template = "zhibu/index.html"

    @expose("/")
    def index(self):
        user = g.user if getattr(g, "user", None) is not None and g.user.is_authenticated else None
        if user is None:
            return self.render_template(self.index_template, org=None, org_name=None, counts=None)
        org = current_org()
        org_name, kind = None, None
        if org is not None:
            from app.models import UserOrg
            link = db.session.get(UserOrg, user.id)
            if link is not None:
                org_name, kind = str(link.org), label(ORG_KINDS, link.kind)
        counts = scope_counts(org) if org is not None else None
        return self.render_template(self.index_template, org=org, org_name=org_name, kind=kind, counts=counts)
