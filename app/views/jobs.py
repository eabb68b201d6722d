"""后台任务: a job's page with a progress bar, its JSON status, its result file; the user's jobs.

Thin: app.services.jobs starts, runs and reads jobs; the rule table shows a job to its owner
only, so a foreign job id is a 404 on every route here. The page polls /jobs/<id>/status.json
from app/static/zhibu/jobs.js (no inline script), so a reload shows the bar where it is.
"""
from flask import abort, current_app, jsonify, redirect, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import get_locale
from flask_babel import gettext as _

from app.models import label
from app.models.jobs import JOB_KINDS, JOB_STATES
from app.services import jobs as service

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# where the owner goes from a finished job (its own page: the import's result, the round)
IMPORT_JOBS = ("import_check", "import_apply")


def lang() -> str:
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh"


def next_url(job):
    """The page that shows what a finished job did, if it is not a file."""
    result = job.result_dict
    if job.kind in IMPORT_JOBS and result.get("import_record"):
        return url_for("RosterImportView.result", pk=result["import_record"])
    if job.kind == "recompute" and result.get("round_id"):
        return url_for("ScoringView.round_matrix", round_id=result["round_id"])
    return None


def message_of(job) -> str:
    """The job's message in the request's language; a file kept no longer says so."""
    if job.state == "done" and job.result_name and not job.result_path:
        return _("文件已超过保留期限（%(days)d 天）并已删除，请重新生成。",
                 days=int(current_app.config.get("ZHIBU_JOB_KEEP_DAYS", 7)))
    return (job.message_en if lang() == "en" else job.message) or ""


def status_of(job) -> dict:
    """What the page shows, in the request's language."""
    done = job.state == "done"
    return {
        "id": job.id, "state": job.state, "state_label": str(label(JOB_STATES, job.state)),
        "progress": 100 if done else job.progress, "finished": job.finished,
        "message": message_of(job),
        "download": url_for("JobsView.download", pk=job.id) if done and job.result_path else None,
        "next": next_url(job) if done else None,
        # a finished import goes straight on to its result page
        "follow": done and job.kind in IMPORT_JOBS,
    }


def start_and_show(start, *args):
    """Start a job (a start_* of app.services.job_kinds) and go to its page.

    A user with no organization is a 403; the starter's other refusals are the caller's."""
    try:
        job = start(*args, lang())
    except service.JobRefused:
        abort(403)
    return redirect(url_for("JobsView.show", pk=job.id))


class JobsView(BaseView):
    """The user's background jobs."""

    route_base = "/jobs"
    class_permission_name = "Jobs"
    method_permission_name = {"index": "read", "show": "read", "status": "read", "download": "read"}
    default_view = "index"

    def _job(self, pk):
        job = service.job_in_scope(pk)
        if job is None:
            abort(404)
        return service.reconcile(job)

    @expose("/")
    @has_access
    def index(self):
        """The latest jobs of the user, newest first."""
        rows = service.jobs_in_scope()
        return self.render_template("jobs/index.html", title=_("后台任务"), jobs=rows, kinds=JOB_KINDS,
                                    states=JOB_STATES, label=label, status_of=status_of)

    @expose("/<int:pk>")
    @has_access
    def show(self, pk):
        """The job's progress, message and result."""
        job = self._job(pk)
        return self.render_template("jobs/show.html", title=_("后台任务"), job=job, status=status_of(job),
                                    kind_label=label(JOB_KINDS, job.kind))

    @expose("/<int:pk>/status.json")
    @has_access
    def status(self, pk):
        """The job's state for the page's progress bar."""
        return jsonify(status_of(self._job(pk)))

    @expose("/<int:pk>/download")
    @has_access
    def download(self, pk):
        """The finished job's file, to its owner only."""
        job = self._job(pk)
        path = service.stored(job.result_path) if job.state == "done" else None
        if path is None:
            abort(404)
        return send_file(path, mimetype=XLSX, as_attachment=True, download_name=job.result_name or path.name)
