"""Save the demo university (app/data/demo.py) into the database, once."""
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.rules.passwords import new_password
from app.security.passwords import check_password_policy
from app.security.scope import system_actor
from app.models import (
    Branch, Committee, ContactCadre, Funding, GeneralBranch, Member, Secretary, SecretaryViolation,
)
from app.services.accounts import ensure_user
from app.services.demo_life import COMMITTEE_LEVELS, save_records


@dataclass
class DemoReport:
    """What `zhibu demo` did, and the accounts to print."""

    password: str
    created: bool
    accounts: list = field(default_factory=list)  # (username, role, organization, kept its password)

    def accounts_table(self) -> str:
        """The account table printed by the demo command: the four main accounts first."""
        width = max(len(a[0]) for a in self.accounts)
        new = [a for a in self.accounts if not a[3]]
        lines = [""]
        if new:
            lines.append(f"新账号的密码 / password of new accounts: {self.password}")
        if len(new) < len(self.accounts):
            lines.append("已有账号保留原密码（用 --password 重设）/ existing accounts keep their password "
                         "(reset it with --password)")
        lines.append(f"{'用户名 username'.ljust(width + 8)} {'角色 role'.ljust(16)} 组织 organization")
        for i, (u, r, o, kept) in enumerate(self.accounts):
            if i == len(MAIN_ACCOUNTS):
                lines.append("")
            mark = "  （原密码 / unchanged）" if kept else ""
            lines.append(f"{u.ljust(width + 8)} {r.ljust(16)} {o}{mark}")
        return "\n".join(lines)


def _save_university(demo, progress) -> dict:
    """Insert every demo row in the current transaction; returns code -> org objects."""
    committee = Committee(name=demo.committee.name, short_name=demo.committee.short_name)
    db.session.add(committee)
    orgs = {"committee": committee}
    for gb in demo.general_branches:
        orgs[gb.code] = GeneralBranch(code=gb.code, name=gb.name, phone=gb.phone, committee=committee)
    for b in demo.branches:
        orgs[b.code] = Branch(
            code=b.code, name=b.name, general_branch=orgs[b.general_branch], category=b.category,
            is_joint=b.is_joint, founded_on=b.founded_on, elected_on=b.elected_on,
            term_years=b.term_years, note=b.note or None,
            election_exemption=b.election_exemption or None,
        )
    db.session.add_all(orgs.values())
    db.session.flush()
    progress(f"  {len(demo.general_branches)} 个党总支，{len(demo.branches)} 个党支部")
    members = {}
    for m in demo.members:
        members[m.number] = Member(
            number=m.number, name=m.name, gender=m.gender, member_type=m.member_type, joined_on=m.joined_on,
            unit=m.unit, is_teacher_backbone=m.is_teacher_backbone, branch_id=orgs[m.branch].id,
            committee_id=committee.id,
        )
    db.session.add_all(members.values())
    db.session.flush()
    progress(f"  {len(members)} 名党员")
    for s in demo.secretaries:
        secretary = Secretary(
            member=members[s.member_number], branch_id=orgs[s.branch].id, appointed_on=s.appointed_on,
            left_on=s.left_on, title_rank=s.title_rank,
        )
        # the demo's violations are major ones (重大违纪违法, V1's input)
        secretary.violations = [SecretaryViolation(occurred_on=d, description=t, major=True) for d, t in s.violations]
        db.session.add(secretary)
    # 校领导 and 机关干部 belong to the committee itself; the others to their general branch
    cadres = [ContactCadre(
        name=c.name, position=c.position, level=c.level, committee=committee,
        general_branch=None if c.level in COMMITTEE_LEVELS else orgs[c.general_branch],
        branches=[orgs[code] for code in c.branch_codes],
    ) for c in demo.contact_cadres]
    db.session.add_all(cadres)
    db.session.flush()
    save_records(demo, orgs, members, cadres, progress)
    db.session.add_all(
        Funding(branch_id=orgs[f.branch].id, year=f.year, activity_funds=f.activity_funds,
                training_funds=f.training_funds)
        for f in demo.fundings
    )
    db.session.flush()
    progress(f"  {len(demo.secretaries)} 条书记任职，{len(demo.contact_cadres)} 名联系干部")
    return orgs


def _existing_orgs(demo) -> dict | None:
    """code -> org objects of an already loaded demo, or None when it is not there."""
    committee = db.session.scalar(select(Committee).where(Committee.name == demo.committee.name))
    if committee is None:
        return None
    orgs = {"committee": committee}
    for gb in committee.general_branches:
        orgs[gb.code] = gb
        for b in gb.branches:
            orgs[b.code] = b
    return orgs


MAIN_ACCOUNTS = ("admin", "committee", "gb01", "gb01-b01")


def load_demo(password: str | None = None, progress=lambda msg: None) -> DemoReport:
    """Load the demo university unless present; new accounts get the password (default: a
    random one, printed), existing ones keep theirs unless a password is given."""
    with system_actor("demo"):
        return _load_demo(password, progress)


def _load_demo(password, progress) -> DemoReport:
    from app.data.demo import build_demo

    demo = build_demo()
    reset = password is not None
    if reset:
        check_password_policy(password)  # before anything is loaded
    password = password or new_password()
    progress("正在载入演示数据 / loading demo data …")
    orgs = _existing_orgs(demo)
    created = orgs is None
    if created:
        orgs = _save_university(demo, progress)
        db.session.commit()
    else:
        progress("  演示数据已存在，未重复载入 / demo data already present, not duplicated")
    from app.services.demo_assessment import load_demo_rounds

    load_demo_rounds(orgs["committee"], progress)
    report = DemoReport(password=password, created=created)
    wanted = [("admin", "Admin", None)] + [(u.username, u.role, orgs.get(u.org_code)) for u in demo.users
                                          if orgs.get(u.org_code) is not None]
    find_user = current_app.appbuilder.sm.find_user
    # Every demo account gets the same (printed) password: hash it once, not once per account
    # (~100 accounts × a deliberately slow hash was most of the demo's load time).
    hashed = generate_password_hash(password, method=current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
                                    salt_length=current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))
    for done, (username, role, org) in enumerate(wanted, start=1):
        kept = not reset and find_user(username=username) is not None
        ensure_user(username, password, role, org, first_name="系统管理员" if org is None else None,
                    keep_password=not reset, password_hash=hashed)
        report.accounts.append((username, role, str(org) if org is not None else "—", kept))
        if done % 20 == 0 or done == len(wanted):
            progress(f"  账号 / accounts {done}/{len(wanted)}")
    report.accounts.sort(key=lambda a: (a[0] not in MAIN_ACCOUNTS,
                                        MAIN_ACCOUNTS.index(a[0]) if a[0] in MAIN_ACCOUNTS else 0))
    return report
