"""述职 records (五、(三)): a branch secretary reports to the general branch, a general-branch
secretary to the committee; the file is kept outside the web root and served only to users
whose rules allow the record."""
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from app.models import Branch, DutyReport, GeneralBranch
from tests.support.rosters import text_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOCX = b"PK\x03\x04" + b"\x00" * 60
TODAY = date.today().isoformat()


@pytest.fixture(autouse=True)
def uploads(app, tmp_path):
    app.config["ZHIBU_UPLOAD_DIR"] = str(tmp_path / "uploads")
    return tmp_path / "uploads" / "duty_reports"


def _id(session, model, code):
    return session.scalar(select(model.id).where(model.code == code))


def _file(user, fields, data, filename):
    page = user.get("/dutyreports/")
    from tests.support.clients import csrf_token

    return user.client.post("/dutyreports/upload", data={**fields, "csrf_token": csrf_token(page.text),
                                                         "file": (io.BytesIO(data), filename)},
                            content_type="multipart/form-data")


def _count(session):
    session.rollback()
    return session.scalar(select(func.count(DutyReport.id)))


def test_a_branch_secretary_reports_and_the_general_branch_reads_it(login_as, db_session, uploads):
    branch = login_as("gb01-b01")
    b01 = _id(db_session, Branch, "gb01-b01")
    response = _file(branch, {"branch": b01, "reported_on": TODAY, "title": "2024年度党支部书记述职报告",
                              "reporter": "张书记"}, PDF, "述职报告.pdf")
    assert response.status_code == 302, text_of(response.text)[:500]
    db_session.rollback()
    report = db_session.scalar(select(DutyReport))
    assert (report.branch_id, report.year, report.file_size, report.content_type) == (
        b01, date.today().year, len(PDF), "application/pdf")
    stored = uploads / report.stored_name
    assert stored.read_bytes() == PDF and "述职" not in report.stored_name  # a random name, not the upload's
    assert "static" not in str(stored)
    assert "2024年度党支部书记述职报告" in text_of(branch.get("/dutyreports/").text)
    # the reporter, its general branch and the committee get the file; nobody else
    for username in ("gb01-b01", "gb01", "committee"):
        got = login_as(username).get(f"/dutyreports/{report.id}/file")
        assert got.status_code == 200 and got.data == PDF, username
        assert got.headers["X-Content-Type-Options"] == "nosniff"
        assert "attachment" in got.headers["Content-Disposition"]
    for username in ("gb01-b02", "gb02", "gb02-b01"):
        assert login_as(username).get(f"/dutyreports/{report.id}/file").status_code == 404, username
        assert "2024年度党支部书记述职报告" not in text_of(login_as(username).get("/dutyreports/").text)
    # once a year
    again = _file(branch, {"branch": b01, "reported_on": TODAY, "title": "再报一次"}, PDF, "b.pdf")
    assert again.status_code == 400 and "每年述职一次" in text_of(again.text)
    assert _count(db_session) == 1 and len(list(uploads.iterdir())) == 1  # no stray file
    # another branch's deletes are refused; the reporter's own goes, with its file
    assert login_as("gb01-b02").post_form(f"/dutyreports/{report.id}/delete", {},
                                          token_from="/dutyreports/").status_code == 404
    assert branch.post_form(f"/dutyreports/{report.id}/delete", {}, token_from="/dutyreports/").status_code == 302
    assert _count(db_session) == 0 and not stored.exists()


def test_a_general_branch_secretary_reports_to_the_committee(login_as, db_session):
    gb = login_as("gb01")
    gb01 = _id(db_session, GeneralBranch, "gb01")
    response = _file(gb, {"general_branch": gb01, "reported_on": TODAY, "title": "党总支书记抓党建述职"}, DOCX,
                     "report.docx")
    assert response.status_code == 302
    db_session.rollback()
    report = db_session.scalar(select(DutyReport))
    assert report.branch_id is None and report.general_branch_id == gb01
    assert "党总支书记向党委述职" in text_of(login_as("committee").get("/dutyreports/").text)
    assert login_as("committee").get(f"/dutyreports/{report.id}/file").status_code == 200
    # its branches do not read the general branch's own report
    assert login_as("gb01-b01").get(f"/dutyreports/{report.id}/file").status_code == 404
    # once a year for the general branch's own report too (a partial unique index)
    again = _file(gb, {"general_branch": gb01, "reported_on": TODAY, "title": "又一次"}, DOCX, "r.docx")
    assert again.status_code == 400 and "每年述职一次" in text_of(again.text)
    assert _count(db_session) == 1


def test_files_and_fields_the_rules_refuse(login_as, db_session, uploads):
    branch = login_as("gb01-b01")
    b01, b02 = _id(db_session, Branch, "gb01-b01"), _id(db_session, Branch, "gb01-b02")
    gb02 = _id(db_session, GeneralBranch, "gb02")
    base = {"branch": b01, "reported_on": TODAY, "title": "述职"}
    cases = [
        (base, b"MZ\x90\x00" + b"\x00" * 40, "report.pdf", 400, "文件内容与扩展名"),   # an executable named .pdf
        (base, PDF, "report.exe", 400, "须为 PDF、Word"),
        (base, PDF, "report", 400, "须为 PDF、Word"),
        (base, b"", "report.pdf", 400, "请选择述职报告文件"),
        ({**base, "title": ""}, PDF, "r.pdf", 400, "请填写标题"),
        ({**base, "title": "长" * 201}, PDF, "r.pdf", 400, "请填写标题"),
        ({**base, "reported_on": "2099-01-01"}, PDF, "r.pdf", 400, "不能晚于今天"),
        ({**base, "reported_on": "昨天"}, PDF, "r.pdf", 400, "述职日期须写成"),
        ({**base, "branch": b02}, PDF, "r.pdf", 404, None),                  # another branch: not found
        ({**base, "branch": "9" * 30}, PDF, "r.pdf", 404, None),
    ]
    for fields, data, name, status, words in cases:
        response = _file(branch, fields, data, name)
        assert response.status_code == status, (fields, name, response.status_code)
        if words:
            assert words in text_of(response.text), (words, text_of(response.text)[:300])
    # a general branch files nothing for another general branch
    assert _file(login_as("gb01"), {"general_branch": gb02, "reported_on": TODAY, "title": "x"}, PDF,
                 "r.pdf").status_code == 404
    # a branch files nothing at the general-branch level
    response = _file(branch, {"general_branch": _id(db_session, GeneralBranch, "gb01"), "reported_on": TODAY,
                              "title": "x"}, PDF, "r.pdf")
    assert response.status_code == 403
    assert _count(db_session) == 0
    assert not uploads.exists() or not list(uploads.iterdir())


def test_a_file_over_the_size_limit_is_refused(app, login_as, db_session):
    app.config["ZHIBU_REPORT_MAX_BYTES"] = 1024 * 1024
    branch = login_as("gb01-b01")
    big = PDF + b"0" * (1024 * 1024)
    response = _file(branch, {"branch": _id(db_session, Branch, "gb01-b01"), "reported_on": TODAY, "title": "x"},
                     big, "big.pdf")
    assert response.status_code == 400 and "不能超过 1 MB" in text_of(response.text)
    assert _count(db_session) == 0
