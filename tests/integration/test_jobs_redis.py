"""Background jobs on a real Redis, run by `flask --app app zhibu worker --burst` in another
process, as in production. Skipped without a Redis on 127.0.0.1:6379, except in CI (fails)."""
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.models import AssessmentRound
from app.services.demo_assessment import REASSESSMENT
from tests.support.jobs import job_id_of, start_form_job

REDIS_URL = os.environ.get("ZHIBU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]


def _redis():
    from redis import Redis

    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except Exception as exc:  # noqa: BLE001 - any failure to reach it means "no Redis here"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI: Redis at {REDIS_URL} is not reachable ({exc}); the RQ test must run")
        pytest.skip(f"no Redis at {REDIS_URL} ({exc}); set ZHIBU_TEST_REDIS_URL (CI fails instead)")
    return connection


@pytest.fixture
def rq_app(app, tmp_path):
    """The test app queueing on Redis (its own queue name), files in a folder the worker shares."""
    connection = _redis()
    app.config.update(ZHIBU_REDIS_URL=REDIS_URL, ZHIBU_JOB_QUEUE=f"zhibu-test-{uuid.uuid4().hex[:8]}",
                      ZHIBU_JOB_DIR=str(tmp_path / "jobs"))
    yield app
    from rq import Queue

    Queue(app.config["ZHIBU_JOB_QUEUE"], connection=connection).delete(delete_jobs=True)


def run_worker(app) -> str:
    """`flask --app app zhibu worker --burst` on the test database: runs what is queued, stops."""
    env = {**os.environ, "ZHIBU_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "ZHIBU_SECRET_KEY": app.config["SECRET_KEY"], "ZHIBU_REDIS_URL": app.config["ZHIBU_REDIS_URL"],
           "ZHIBU_JOB_QUEUE": app.config["ZHIBU_JOB_QUEUE"], "ZHIBU_JOB_DIR": app.config["ZHIBU_JOB_DIR"]}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "zhibu", "worker", "--burst"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_jobs_queue_on_redis_and_an_rq_worker_runs_them_as_their_owner(rq_app, login_as, db_session):
    round_ = db_session.scalar(select(AssessmentRound).where(AssessmentRound.name == REASSESSMENT))
    committee = login_as("committee")
    export = job_id_of(start_form_job(committee, f"/forms/annex2.xlsx?round={round_.id}"))
    page = f"/scoring/round/{round_.id}"
    recompute = job_id_of(committee.post_form(f"{page}/recompute", {}, token_from=page))
    queued = committee.get(f"/jobs/{export}/status.json").json
    assert (queued["state"], queued["progress"], queued["finished"]) == ("queued", 0, False)
    assert "排队" in queued["message"]
    # the round closes before the worker gets to the recompute: the job fails, saying why
    assert committee.post_form(f"{page}/close", {}, token_from=page).status_code == 302

    log = run_worker(rq_app)

    done = committee.get(f"/jobs/{export}/status.json").json
    assert done["state"] == "done", (done, log)
    sheet = load_workbook(io.BytesIO(committee.get(done["download"]).data)).active
    assert any(isinstance(row[0], int) for row in sheet.iter_rows(values_only=True))
    failed = committee.get(f"/jobs/{recompute}/status.json").json
    assert failed["state"] == "failed" and "已结束" in failed["message"], (failed, log)
    assert "任务失败：" in committee.get(f"/jobs/{recompute}").text
    assert login_as("gb01").get(done["download"]).status_code == 404


def test_a_job_whose_queue_entry_is_gone_is_shown_as_interrupted(rq_app, login_as, db_session):
    from rq import Queue

    round_ = db_session.scalar(select(AssessmentRound).where(AssessmentRound.name == REASSESSMENT))
    committee = login_as("committee")
    job_id = job_id_of(start_form_job(committee, f"/forms/statistics.xlsx?round={round_.id}"))
    Queue(rq_app.config["ZHIBU_JOB_QUEUE"], connection=_redis()).delete(delete_jobs=True)
    status = committee.get(f"/jobs/{job_id}/status.json").json
    assert status["state"] == "failed" and "中断" in status["message"], status
    committee.get("/lang/en")
    assert "interrupted" in committee.get(f"/jobs/{job_id}/status.json").json["message"]
