"""Concurrent edits: the second of two people editing the same record is refused, with who changed
it and when, and the first one's change stays (web form, REST API, and the race at the UPDATE)."""
import re

import pytest
from sqlalchemy import create_engine, select, update

from app.errors import VersionConflict
from app.extensions import db
from app.models import Branch, Member
from app.security.scope import system_actor
from app.services.tx import commit

VERSION_RE = re.compile(r'<input[^>]*name="version"[^>]*>')


def _member(session, code="gb01-b01"):
    return session.scalar(select(Member).join(Branch).where(Branch.code == code).order_by(Member.id))


def _form_version(html: str) -> str:
    tag = VERSION_RE.search(html)
    assert tag, "the edit form carries no version"
    return re.search(r'value="([^"]*)"', tag.group(0)).group(1)


def _fields(member, unit, version):
    return {"number": member.number, "name": member.name, "gender": member.gender or "",
            "member_type": member.member_type, "branch": member.branch_id, "unit": unit, "version": version,
            "joined_on": member.joined_on.isoformat() if member.joined_on else ""}


def test_the_second_web_edit_is_refused_and_the_first_stays(login_as, db_session):
    member = _member(db_session)
    start = member.version
    first, second = login_as("gb01"), login_as("gb01-b01")
    url = f"/memberview/edit/{member.id}"
    first_form, second_form = first.get(url).text, second.get(url).text
    read = _form_version(first_form)
    assert read == _form_version(second_form) == str(start)
    assert 'type="hidden"' in VERSION_RE.search(first_form).group(0)
    assert first.post_form(url, _fields(member, "先保存的单位", read)).status_code == 302
    refused = second.post_form(url, _fields(member, "后保存的单位", read), follow_redirects=True)
    assert "已被 gb01 于" in refused.text and "您的修改未保存" in refused.text
    db_session.rollback()
    after = db_session.get(Member, member.id)
    assert after.unit == "先保存的单位" and after.version == start + 1
    # reopened, the form carries the new version and saves
    again = _form_version(second.get(url).text)
    assert again == str(start + 1)
    assert second.post_form(url, _fields(member, "后保存的单位", again)).status_code == 302
    db_session.rollback()
    assert db_session.get(Member, member.id).unit == "后保存的单位"


def test_the_refusal_is_in_english_too(login_as, db_session):
    member = _member(db_session)
    first, second = login_as("gb01"), login_as("gb01-b01")
    url = f"/memberview/edit/{member.id}"
    read = _form_version(second.get(url).text)
    assert first.post_form(url, _fields(member, "甲单位", read)).status_code == 302
    second.get("/lang/en")
    refused = second.post_form(url, _fields(member, "乙单位", read), follow_redirects=True)
    assert "was changed by gb01 at" in refused.text and "not saved" in refused.text


def test_the_second_api_write_is_refused_with_409(api_as, db_session):
    member = _member(db_session)
    first, second = api_as("gb01"), api_as("gb01-b01")
    got = first.get(f"/api/v1/member/{member.id}")
    assert got.status_code == 200
    etag, version = got.headers["ETag"], got.json["result"]["version"]
    assert etag == f'"{version}"' and version == member.version
    done = first.client.put(f"/api/v1/member/{member.id}", json={"unit": "接口甲"},
                            headers={**first.headers, "If-Match": etag})
    assert done.status_code == 200, done.json
    stale = second.client.put(f"/api/v1/member/{member.id}", json={"unit": "接口乙"},
                              headers={**second.headers, "If-Match": etag})
    assert stale.status_code == 409 and "已被 gb01 于" in stale.json["message"]
    stale_body = second.put(f"/api/v1/member/{member.id}", json={"unit": "接口乙", "version": version})
    assert stale_body.status_code == 409
    db_session.rollback()
    after = db_session.get(Member, member.id)
    assert after.unit == "接口甲" and after.version == version + 1
    # the current version (header or body) writes; no version at all writes as before
    fresh = second.get(f"/api/v1/member/{member.id}")
    assert fresh.headers["ETag"] == f'"{version + 1}"'
    assert second.put(f"/api/v1/member/{member.id}", json={"unit": "接口乙", "version": version + 1}).status_code == 200
    assert second.put(f"/api/v1/member/{member.id}", json={"unit": "接口丙"}).status_code == 200
    assert second.put(f"/api/v1/member/{member.id}", json={"unit": "接口丁", "version": "x"}).status_code == 400


def test_a_bulk_update_moves_the_version(app, db_session):
    member = _member(db_session, "gb01-b02")
    start = member.version
    with app.app_context(), system_actor("test bulk"):
        db.session.execute(update(Member).where(Member.id == member.id).values(unit="批量单位"))
        db.session.commit()
    db_session.rollback()
    assert db_session.get(Member, member.id).version == start + 1


def test_a_race_at_the_update_is_refused(app, db_session):
    """Both read version n; the other write lands first: the UPDATE ... WHERE version = n finds
    nothing, and the write is refused instead of overwriting."""
    member = _member(db_session, "gb01-b03")
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with app.app_context(), system_actor("test race"):
        mine = db.session.get(Member, member.id)
        with other.begin() as conn:
            conn.execute(Member.__table__.update().where(Member.__table__.c.id == member.id)
                         .values(unit="抢先单位", version=mine.version + 1))
        mine.unit = "落后单位"
        with pytest.raises(VersionConflict):
            commit()
    other.dispose()
    db_session.rollback()
    assert db_session.get(Member, member.id).unit == "抢先单位"
