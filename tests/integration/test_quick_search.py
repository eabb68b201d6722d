"""Every list has a quick-search box over its main text column; what it finds is in scope."""
import re

from sqlalchemy import select

from app.models import Branch, GeneralBranch, Member


def _box(page):
    match = re.search(r'<form[^>]*id="quick-search".*?name="(_flt_\d_\w+)"', page, re.S)
    assert match, "no quick-search box"
    return match.group(1)


def test_the_member_list_quick_search_finds_by_name(login_as, db_session):
    own = db_session.scalars(select(Member).join(Branch).join(GeneralBranch)
                             .where(GeneralBranch.code == "gb01").order_by(Member.id)).all()
    wanted, other = own[0], next(m for m in own if own[0].name not in m.name)
    user = login_as("gb01")
    arg = _box(user.get("/memberview/list/").text)
    assert arg.endswith("_name")
    page = user.get(f"/memberview/list/?{arg}={wanted.name}").text
    assert wanted.number in page and other.number not in page
    assert f'value="{wanted.name}"' in page   # the box keeps what was typed


def test_a_foreign_name_finds_nothing(login_as, db_session):
    foreign = db_session.scalar(select(Member).join(Branch).join(GeneralBranch).where(GeneralBranch.code == "gb02"))
    user = login_as("gb01")
    arg = _box(user.get("/memberview/list/").text)
    assert foreign.number not in user.get(f"/memberview/list/?{arg}={foreign.name}").text


def test_every_main_list_has_the_box_in_zh_and_en(login_as):
    user = login_as("gb01")
    for url in ("/branchview/list/", "/memberview/list/", "/rectificationview/list/", "/meetingview/list/"):
        assert 'id="quick-search"' in user.get(url).text, url
    user.get("/lang/en")
    assert "Quick search" in user.get("/branchview/list/").text
