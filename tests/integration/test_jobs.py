"""Background jobs without Redis (the embedded default): the same job function runs in a thread
of the web process; the user starts it, follows its progress and downloads its result."""
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.models import Assessment, AssessmentRound, Branch, ImportRecord, Job
from app.services.demo_assessment import REASSESSMENT
from tests.support.jobs import committee_download, job_id_of, run_job, start_form_job, wait_for_job


def _round(session, name=REASSESSMENT):
    return session.scalar(select(AssessmentRound).where(AssessmentRound.name == name))


def test_a_committee_wide_annex2_is_a_job_whose_file_only_its_owner_downloads(app, login_as, db_session):
    round_ = _round(db_session)
    committee = login_as("committee")
    response = start_form_job(committee, f"/forms/annex2.xlsx?round={round_.id}")
    job_id = job_id_of(response)
    page = committee.get(f"/jobs/{job_id}")
    assert page.status_code == 200 and 'id="job-bar"' in page.text and "zhibu/jobs.js" in page.text
    assert "<script>" not in page.text.split("zhibu/jobs.js")[0].rsplit("</nav>", 1)[-1]
    status = wait_for_job(committee, job_id)
    assert status["state"] == "done" and status["progress"] == 100, status
    assert status["message"].startswith("文件已生成")
    download = committee.get(status["download"])
    assert download.status_code == 200 and download.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(download.data)).active
    names = {row[2] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)}
    assert names == set(db_session.scalars(select(Branch.name)))
    # the page after a reload shows the finished job and its file; so does the list
    again = committee.get(f"/jobs/{job_id}").text
    assert 'data-finished="yes"' in again and status["download"] in again
    assert status["download"] in committee.get("/jobs/").text
    # nobody else sees the job or its file, not even the committee's own general branches
    for other in ("gb01", "gb01-b01", "gb02"):
        user = login_as(other)
        for url in (f"/jobs/{job_id}", f"/jobs/{job_id}/status.json", status["download"]):
            assert user.get(url).status_code == 404, (other, url)
        assert f"/jobs/{job_id}" not in user.get("/jobs/").text


def test_a_general_branch_still_gets_its_own_annex2_at_once(login_as, db_session):
    round_ = _round(db_session)
    response = login_as("gb01").get(f"/forms/annex2.xlsx?round={round_.id}")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")


def test_a_recompute_runs_as_the_committee_and_reports_in_both_languages(app, login_as, db_session):
    round_ = _round(db_session)
    db_session.execute(Assessment.__table__.update().where(Assessment.round_id == round_.id)
                       .values(composite=None, computed_grade=None))
    db_session.commit()
    committee = login_as("committee")
    page = f"/scoring/round/{round_.id}"
    status = run_job(committee, committee.post_form(f"{page}/recompute", {}, token_from=page))
    assert status["state"] == "done", status
    assert status["message"].startswith("已重新计算：好 ") and status["next"] == page
    db_session.expire_all()
    graded = db_session.scalar(select(func.count()).select_from(Assessment).where(
        Assessment.round_id == round_.id, Assessment.computed_grade.is_not(None)))
    assert graded > 0
    committee.get("/lang/en")
    english = committee.get(f"/jobs/{status['id']}/status.json").json
    assert english["message"].startswith("Recomputed: good ") and english["state_label"] == "Done"
    job = db_session.get(Job, status["id"])
    assert (job.owner.username, job.org_kind) == ("committee", "committee")


def test_a_general_branch_is_refused_a_recompute_before_any_job(login_as, db_session):
    round_ = _round(db_session)
    user = login_as("gb01")
    response = user.client.post(f"/scoring/round/{round_.id}/recompute", data={"csrf_token": user.token()})
    assert response.status_code == 403
    assert db_session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_large_unreadable_upload_fails_in_its_job_with_the_reason_in_zh_and_en(app, login_as, db_session):
    app.config["ZHIBU_IMPORT_JOB_BYTES"] = 1000
    user = login_as("gb01")
    response = user.client.post("/imports/upload", data={
        "kind": "members", "csrf_token": user.token(),
        "file": (io.BytesIO(b"not a workbook " * 200), "roster.xlsx")}, content_type="multipart/form-data")
    status = run_job(user, response)
    assert status["state"] == "failed" and status["download"] is None, status
    assert "xlsx" in status["message"] or "Excel" in status["message"], status
    page = user.get(f"/jobs/{status['id']}").text
    assert "任务失败：" in page and status["message"] in page and "alert-danger" in page
    user.get("/lang/en")
    english = user.get(f"/jobs/{status['id']}/status.json").json
    assert english["state_label"] == "Failed" and english["message"] != status["message"]
    assert "Failed: " in user.get(f"/jobs/{status['id']}").text
    assert db_session.scalar(select(func.count()).select_from(ImportRecord)) == 0


def test_a_large_import_is_checked_and_applied_by_jobs(app, login_as, db_session):
    user = login_as("gb01")
    roster = user.get("/imports/export/members").data
    app.config["ZHIBU_IMPORT_JOB_BYTES"] = len(roster) - 1
    response = user.client.post("/imports/upload", data={
        "kind": "members", "csrf_token": user.token(),
        "file": (io.BytesIO(roster), "roster.xlsx")}, content_type="multipart/form-data")
    status = run_job(user, response)
    assert status["state"] == "done" and status["follow"], status
    record_id = int(status["next"].rsplit("/", 1)[1])
    result = user.get(status["next"]).text
    assert 'id="confirm-button"' in result
    confirm = user.post_form(f"/imports/confirm/{record_id}", {}, token_from=status["next"])
    applied = run_job(user, confirm)
    assert applied["state"] == "done" and applied["message"].startswith("导入完成"), applied
    db_session.expire_all()
    assert db_session.get(ImportRecord, record_id).status == "applied"


def test_a_result_file_past_its_keeping_days_is_deleted_and_the_page_says_so(app, login_as, db_session):
    from datetime import datetime, timedelta

    round_ = _round(db_session)
    committee = login_as("committee")
    old = run_job(committee, start_form_job(committee, f"/forms/annex3.xlsx?round={round_.id}"))
    assert committee.get(old["download"]).status_code == 200
    db_session.execute(Job.__table__.update().where(Job.id == old["id"]).values(
        finished_at=datetime.utcnow() - timedelta(days=app.config["ZHIBU_JOB_KEEP_DAYS"] + 1)))
    db_session.commit()
    new = run_job(committee, start_form_job(committee, f"/forms/statistics.xlsx?round={round_.id}"))
    assert committee.get(new["download"]).status_code == 200
    assert committee.get(old["download"]).status_code == 404
    status = committee.get(f"/jobs/{old['id']}/status.json").json
    assert status["download"] is None and "已删除" in status["message"]
