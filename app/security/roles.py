"""Roles as data (the Odoo way): which verbs each role has on each resource.

A resource is a class_permission_name shared by a resource's ModelView and REST API;
views map their methods onto the verbs read / write / delete (see views/base.py).
The organization a user belongs to decides *which rows*; this table decides *what verbs*.
"""

COMMITTEE = "committee"
GENERAL_BRANCH = "general_branch"
BRANCH = "branch"
ROLE_NAMES = (COMMITTEE, GENERAL_BRANCH, BRANCH)

# Which kind of organization each role must belong to.
ROLE_ORG_KIND = {COMMITTEE: "committee", GENERAL_BRANCH: "general_branch", BRANCH: "branch"}

R, RW, RWD = ("read",), ("read", "write"), ("read", "write", "delete")

PERMISSIONS = {
    #  resource        committee  general_branch  branch
    "Committee":      (RW,        (),             ()),
    "GeneralBranch":  (RWD,       RW,             ()),
    "Branch":         (RWD,       RWD,            R),
    "Member":         (RWD,       RWD,            RWD),
    "RosterImport":   (RW,        RW,             RW),    # upload/confirm; the roster needs write too
    "Secretary":      (RWD,       RWD,            R),
    "ContactCadre":   (RWD,       RWD,            R),
    "Meeting":        (RWD,       RWD,            RWD),   # meetings, their attendance, guests and files
    "Training":       (RWD,       RWD,            RWD),   # events and the members they credit
    "Funding":        (RWD,       RWD,            R),
    # 违纪违法 (V1's input) and 党总支委员 are kept above the branch
    "SecretaryViolation": (RWD,   RWD,            R),
    "GBCommittee":    (RWD,       RWD,            R),
    "Document":       (RWD,       RWD,            RWD),   # a branch's annual work plan and summary
    "HandbookCheck":  (RWD,       RWD,            R),     # the branch checked reads it
    "Standard":       (RWD,       R,              R),
    "Round":          (RWD,       R,              R),
    "Assessment":     (R,         R,              R),
    "ScoreSheet":     (RWD,       RWD,            RWD),   # which sources: app/services/assessment.py
    # 分类互评 assignments: organized above the branch; a branch reads whom it reviews
    "PeerAssignment": (RWD,       RWD,            R),
    # rates are typed from paper forms by the organizers; the branch being judged never does
    "Scoring":        (("read", "confirm", "rate", "rectify"), ("read", "rate", "rectify"), R),
    "Rectification":  (RWD,       RWD,            RW),
    # ballot campaigns are organized above the branch being judged, never by it
    "Ballots":        (RW,        RW,             ()),
    "Forms":          (R,         R,              ()),
    # 民主评议党员: the branch enters its own members' results after its meeting
    "MemberAppraisal": (RWD,      RWD,            RWD),
    # 述职: each level files its own report; the level above reads it
    "DutyReport":     (RWD,       RWD,            RWD),
    # 联评 results: the committee organizes and exports; a general branch reads its own
    "UpwardReport":   (("read", "write", "export"), R, ()),
    # background jobs: each user follows and downloads its own (which rows: rules.py)
    "Jobs":           (R,         R,              R),
    # notices: each user reads its own and marks them read (which rows: rules.py)
    "Notices":        (R,         R,              R),
    # the audit trail: read by everyone in its scope (rules.py), written by the guard alone
    "AuditLog":       (R,         R,              R),
    # 支部体检 H1–H11: every level reads its own scope's results (the rules scope the records)
    "Health":         (R,         R,              R),
}

# Menu entries (by menu name) each role sees; a menu is shown only with its view.
MENU_OF_RESOURCE = {
    "Committee": ("Committees", "Organization"),
    "GeneralBranch": ("General branches", "Organization"),
    "Branch": ("Branches", "Organization"),
    "Member": ("Members", "Members"),
    "RosterImport": ("Roster import", "Members"),
    "Secretary": ("Secretaries", "Members"),
    "ContactCadre": ("Contact cadres", "Contact"),
    "Meeting": ("Meetings", "Life"),
    "Training": ("Trainings", "Life"),
    "Funding": ("Fundings", "Life"),
    "SecretaryViolation": ("Secretary violations", "Members"),
    "GBCommittee": ("General branch committees", "Contact"),
    "Document": ("Branch documents", "Life"),
    "HandbookCheck": ("Handbook checks", "Life"),
    "Standard": ("Standards", "Assessment"),
    "Round": ("Rounds", "Assessment"),
    "Assessment": (),
    "ScoreSheet": ("Score sheets", "Assessment"),
    "PeerAssignment": ("Peer assignments", "Assessment"),
    "Scoring": ("Scoring", "Assessment"),
    "Rectification": ("Rectifications", "Assessment"),
    "Ballots": ("Ballot campaigns", "Assessment"),
    "Forms": (),
    "MemberAppraisal": ("Member appraisals", "Members"),
    "DutyReport": ("Duty reports", "Assessment"),
    "UpwardReport": ("Upward evaluation", "Assessment"),
    "Jobs": (),
    "Notices": (),
    "AuditLog": ("Audit trail", "Organization"),
    "Health": ("Health check", "Health"),
}

# What every logged-in user may do regardless of role.
COMMON = [
    ("UserInfoEditView", "can_this_form_get"),
    ("UserInfoEditView", "can_this_form_post"),
    ("ResetMyPasswordView", "can_this_form_get"),
    ("ResetMyPasswordView", "can_this_form_post"),
    ("UserDBModelView", "can_userinfo"),
    ("UserDBModelView", "resetmypassword"),
    ("UserDBModelView", "userinfoedit"),
    # The REST API's OpenAPI spec (/api/v1/_openapi): what a client of the API may call.
    ("OpenApi", "can_get"),
]


def role_permissions(role: str) -> list[tuple[str, str]]:
    """(view_menu, permission) pairs of a role, derived from the table above."""
    column = ROLE_NAMES.index(role)
    pairs = list(COMMON)
    menus = set()
    for resource, verbs_by_role in PERMISSIONS.items():
        verbs = verbs_by_role[column]
        pairs.extend((resource, f"can_{verb}") for verb in verbs)
        if "read" in verbs:
            menus.update(MENU_OF_RESOURCE[resource])
    pairs.extend((menu, "menu_access") for menu in sorted(menus))
    return pairs


def fab_roles() -> dict:
    """FAB_ROLES: builtin roles; patterns anchored, since FAB uses re.match (fact 4)."""
    import re

    return {
        role: [[f"^{re.escape(view)}$", f"^{re.escape(perm)}$"] for view, perm in role_permissions(role)]
        for role in ROLE_NAMES
    }
