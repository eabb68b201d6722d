"""Bulk edit on the list views: select rows -> one form -> a confirmation naming the count ->
one transaction."""
from sqlalchemy import select

from app.models import Branch, GeneralBranch, Member
from tests.support.rosters import snapshot, text_of


def _ids(session, model, *codes, n=None):
    stmt = select(model.id)
    stmt = stmt.where(Branch.code.in_(codes)) if model is Branch else stmt.join(Branch).where(Branch.code.in_(codes))
    ids = session.scalars(stmt.order_by(model.id)).all()
    return ids[:n] if n else ids


def _post(user, url, ids, **fields):
    return user.client.post(url, data={"csrf_token": user.token(), "rowid": [str(i) for i in ids], **fields})


def test_list_offers_the_bulk_action(login_as):
    page = login_as("gb01").get("/memberview/list/").text
    assert "批量修改所选" in page
    assert "批量修改所选" in login_as("gb01").get("/branchview/list/").text
    assert "批量修改所选" not in login_as("gb01-b01").get("/branchview/list/").text   # read-only there


def test_move_members_to_another_branch(login_as, db_session):
    user = login_as("gb01")
    ids = _ids(db_session, Member, "gb01-b01", n=3)
    target = db_session.scalar(select(Branch).where(Branch.code == "gb01-b02"))
    form = _post(user, "/memberview/action_post", ids, action="bulk_edit")
    assert form.status_code == 200 and "已选择 3 名党员" in text_of(form.text)
    before = snapshot(db_session)
    review = _post(user, "/memberview/bulk_edit", ids, branch=str(target.id), step="review")
    assert review.status_code == 200
    text = text_of(review.text)
    assert "确认将以下修改应用到所选的 3 名党员" in text and target.name in text
    assert snapshot(db_session) == before            # the confirmation page changes nothing
    done = _post(user, "/memberview/bulk_edit", ids, branch=str(target.id), step="apply")
    assert done.status_code == 302
    assert "已批量修改 3 名党员" in text_of(user.get(done.headers["Location"]).text)
    db_session.rollback()
    db_session.expire_all()
    moved = [db_session.get(Member, i) for i in ids]
    assert {m.branch_id for m in moved} == {target.id}
    assert {m.committee_id for m in moved} == {target.general_branch.committee_id}
    after = snapshot(db_session)
    assert [m for m in after[0] if m.id not in ids] == [m for m in before[0] if m.id not in ids]


def test_set_member_type(login_as, db_session):
    user = login_as("gb01-b01")
    ids = _ids(db_session, Member, "gb01-b01", n=2)
    assert _post(user, "/memberview/bulk_edit", ids, member_type="probationary", step="apply").status_code == 302
    db_session.rollback()
    assert {db_session.get(Member, i).member_type for i in ids} == {"probationary"}


def test_set_category_and_joint(login_as, db_session):
    user = login_as("gb01")
    ids = _ids(db_session, Branch, "gb01-b08", "gb01-b09")
    review = _post(user, "/branchview/bulk_edit", ids, category="graduate", is_joint="1", step="review")
    text = text_of(review.text)
    assert "所选的 2 个党支部" in text and "研究生" in text and "是" in text
    assert _post(user, "/branchview/bulk_edit", ids, category="graduate", is_joint="1", step="apply").status_code == 302
    db_session.rollback()
    db_session.expire_all()
    assert {(db_session.get(Branch, i).category, db_session.get(Branch, i).is_joint) for i in ids} == {("graduate", True)}
    _post(user, "/branchview/bulk_edit", ids, is_joint="0", step="apply")
    db_session.rollback()
    db_session.expire_all()
    assert {(db_session.get(Branch, i).category, db_session.get(Branch, i).is_joint) for i in ids} == {("graduate", False)}


def test_nothing_chosen_or_a_bad_value_changes_nothing(login_as, db_session):
    user = login_as("gb01")
    ids = _ids(db_session, Branch, "gb01-b08")
    before = snapshot(db_session)
    response = _post(user, "/branchview/bulk_edit", ids, step="apply")
    assert response.status_code == 400 and "请至少选择一项" in text_of(response.text)
    response = _post(user, "/branchview/bulk_edit", ids, category="nonsense", step="apply")
    assert response.status_code == 400
    assert snapshot(db_session) == before


def test_a_name_clash_in_the_target_general_branch_changes_nothing(login_as, db_session):
    """Two branches of the same name cannot end up in one general branch: all or none."""
    committee = login_as("committee")
    gb01 = db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb01"))
    b01 = db_session.scalar(select(Branch).where(Branch.code == "gb01-b01"))
    # Give a gb02 branch the name of a gb01 branch, then try to move it (and another) into gb01.
    clash = db_session.scalar(select(Branch).where(Branch.code == "gb02-b01"))
    clash.name = b01.name
    db_session.commit()
    other = db_session.scalar(select(Branch.id).where(Branch.code == "gb02-b02"))
    before = snapshot(db_session)
    response = _post(committee, "/branchview/bulk_edit", [other, clash.id], general_branch=str(gb01.id), step="apply")
    assert response.status_code == 400
    assert "已存在相同的" in text_of(response.text)
    assert snapshot(db_session) == before
