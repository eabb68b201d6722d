"""Roster files for the import tests, and a snapshot of the rosters to prove 'no change'."""
import io
import re

from openpyxl import Workbook
from sqlalchemy import select

from app.imports import BRANCH_SPEC, MEMBER_SPEC
from app.models import Branch, GeneralBranch, ImportRecord, Member
from tests.support.clients import csrf_token

MEMBER_HEADERS = [c.header_zh for c in MEMBER_SPEC.columns]
BRANCH_HEADERS = [c.header_zh for c in BRANCH_SPEC.columns]


def xlsx(rows, headers=None, sheet="党员名册") -> bytes:
    """A workbook with one sheet: the header row, then the rows (lists of cell values)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(MEMBER_HEADERS if headers is None else headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def member(number, name, gb, branch, member_type="正式党员", joined="2012-04-18", gender="男",
           unit="测试班", backbone="否"):
    """One member row in template column order."""
    return [number, name, gender, member_type, joined, unit, backbone, gb, branch]


def branch_row(gb, name, category="教师", joint="否", founded="2010-09-01", elected="2024-10-01", term=3, note=None):
    """One branch row in template column order."""
    return [gb, name, category, joint, founded, elected, term, note]


def org_names(session, branch_code):
    """(general branch name, branch name) of a demo branch."""
    return session.execute(
        select(GeneralBranch.name, Branch.name).join(Branch, Branch.general_branch_id == GeneralBranch.id)
        .where(Branch.code == branch_code)
    ).one()


def snapshot(session):
    """Every member and branch row, to compare before and after."""
    session.rollback()
    session.expire_all()
    members = session.execute(select(
        Member.id, Member.number, Member.name, Member.gender, Member.member_type, Member.joined_on, Member.unit,
        Member.is_teacher_backbone, Member.branch_id, Member.committee_id).order_by(Member.id)).all()
    branches = session.execute(select(
        Branch.id, Branch.code, Branch.name, Branch.general_branch_id, Branch.category, Branch.is_joint,
        Branch.founded_on, Branch.elected_on, Branch.term_years, Branch.note).order_by(Branch.id)).all()
    return members, branches


def import_count(session):
    session.rollback()
    return len(session.scalars(select(ImportRecord.id)).all())


def upload(user, data, kind="members", filename="名册.xlsx"):
    """POST the file to the upload form with the page's CSRF token (no redirect followed)."""
    token = csrf_token(user.get("/imports/").text)
    return user.client.post(
        "/imports/upload", data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def record_id(response) -> int:
    """The import record id a successful upload redirects to."""
    assert response.status_code == 302, response.text[:2000]
    return int(re.search(r"/imports/result/(\d+)", response.headers["Location"]).group(1))


def confirm(user, pk):
    """POST the confirm form (with a valid CSRF token, even when the page shows no button)."""
    return user.client.post(f"/imports/confirm/{pk}", data={"csrf_token": user.token()})


def summary_of(html: str) -> dict:
    """The numbers of the summary table of a result page."""
    return {key: int(re.search(rf'id="summary-{key}">(\d+)<', html).group(1))
            for key in ("new", "updated", "unchanged", "errors")}


def text_of(html: str) -> str:
    """Page text without tags, entities unescaped, white space collapsed."""
    import html as html_lib

    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html)))
