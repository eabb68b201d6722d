"""Background jobs as a user meets them: the job page's status, polled until it finishes."""
import re
import time

from tests.support.clients import csrf_token

JOB_URL = re.compile(r"/jobs/(\d+)$")


def job_id_of(response) -> int:
    """The id of the job a start request redirected to."""
    assert response.status_code == 302, response.status_code
    match = JOB_URL.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def wait_for_job(user, job_id: int, timeout: float = 60) -> dict:
    """Poll /jobs/<id>/status.json as the page does, until the job is done or failed."""
    deadline = time.monotonic() + timeout
    while True:
        response = user.get(f"/jobs/{job_id}/status.json")
        assert response.status_code == 200, response.status_code
        if response.json["finished"]:
            return response.json
        assert time.monotonic() < deadline, f"job {job_id} still {response.json}"
        time.sleep(0.05)


def run_job(user, response, timeout: float = 60) -> dict:
    """Follow a start request to its job and wait for it; the final status."""
    return wait_for_job(user, job_id_of(response), timeout)


def start_form_job(user, url):
    """A committee-wide form: the GET page's button (POST with its token) starts the job."""
    page = user.get(url)
    assert page.status_code == 200 and 'id="job-start-form"' in page.text, page.status_code
    form = re.search(r'<form method="POST" action="([^"]+)" id="job-start-form"', page.text).group(1)
    round_id = re.search(r'name="round" value="(\d+)"', page.text).group(1)
    return user.client.post(form, data={"round": round_id, "csrf_token": csrf_token(page.text)})


def committee_download(user, url):
    """The file of a committee-wide form, built by its background job."""
    status = run_job(user, start_form_job(user, url))
    assert status["state"] == "done", status
    return user.get(status["download"])
