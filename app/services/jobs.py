"""Background jobs: long imports, committee-wide exports and round recomputes.

start(user, kind, params, lang)  record the job as its owner's and hand it to the queue
execute(job_id)                  run it (an RQ worker, or a thread of the web process): as its
                                 owner, in an app context of its own, writing state, progress,
                                 message and result
job_in_scope(pk)                 the job if the rule table lets the actor read it (its owner)
reconcile(job)                   a job whose worker died is marked failed, with a message
run_worker(burst)                `flask --app app zhibu worker`: RQ on ZHIBU_REDIS_URL

With ZHIBU_REDIS_URL set the job goes to RQ's queue "zhibu" and `zhibu worker` runs it; without
(the embedded default) the same function runs in a daemon thread of the process that started
it. The job's own writes (what it imports, recomputes) go through the record rules as its
owner; its bookkeeping (state, progress, result) is written by the system actor "jobs" in a
separate short transaction, so a page polling the job sees it at once.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.errors import DomainError, Refused
from app.extensions import db
from app.models import Job
from app.security.scope import acting_as, get_in_scope, org_of_user, system_actor

QUEUE = "zhibu"                    # RQ's queue (ZHIBU_JOB_QUEUE: one per deployment on a shared Redis)
RESULT_TTL = 7 * 24 * 3600        # how long RQ keeps its own record of a finished job
log = logging.getLogger(__name__)


class JobRefused(Refused):
    """The user may not start a job (no organization)."""


@dataclass
class JobOutcome:
    """What a job's function returns: a result, a file to keep, the message shown when done."""

    message: tuple            # (zh, en)
    result: dict = field(default_factory=dict)
    data: bytes | None = None
    filename: str | None = None


def both(text) -> tuple:
    """(zh, en) of a message: `text` is called once per language (a lambda around _())."""
    out = []
    for lang in ("zh", "en"):
        with force_locale(lang):
            out.append(str(text()))
    return tuple(out)


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def job_dir() -> Path:
    """ZHIBU_JOB_DIR, created on first use (inputs and results, outside the web root)."""
    path = Path(current_app.config["ZHIBU_JOB_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_file(data: bytes, suffix: str) -> str:
    """Store bytes under a random name in the job folder; returns the name (not a path)."""
    name = f"{secrets.token_hex(16)}{suffix}"
    target = job_dir() / name
    target.write_bytes(data)
    target.chmod(0o600)
    return name


def stored(name: str | None) -> Path | None:
    """The stored file of that name, if it exists (names are ours: no path parts)."""
    if not name or Path(name).name != name:
        return None
    path = job_dir() / name
    return path if path.is_file() else None


def redis_url() -> str | None:
    return current_app.config.get("ZHIBU_REDIS_URL") or None


def queue_name() -> str:
    return current_app.config.get("ZHIBU_JOB_QUEUE") or QUEUE


def _redis():
    from redis import Redis

    return Redis.from_url(redis_url())


# ---------------------------------------------------------------- start


def start(user, kind: str, params: dict, lang: str) -> Job:
    """Record a job for the user's organization, commit it, then queue or start it."""
    org = org_of_user(user)
    if org is None:
        raise JobRefused(_("只有属于某个组织的账号才能开始后台任务。"))
    runner = f"rq:zhibu-{secrets.token_hex(8)}" if redis_url() else \
        f"thread:{socket.gethostname()}:{os.getpid()}"
    queued = both(lambda: _("排队等待后台处理 …"))
    job = Job(kind=kind, params=json.dumps(params, ensure_ascii=False), owner_id=user.id, org_kind=org.kind,
              committee_id=org.committee_id, general_branch_id=org.general_branch_id, branch_id=org.branch_id,
              lang=lang if lang in ("zh", "en") else "zh", runner=runner, message=queued[0], message_en=queued[1],
              created_at=_now())
    with acting_as(org):
        db.session.add(job)
        db.session.commit()
    _dispatch(job.id, runner)
    purge_old_files()
    return job


def purge_old_files() -> int:
    """Delete the files of jobs finished more than ZHIBU_JOB_KEEP_DAYS ago (at each start)."""
    cutoff = _now() - timedelta(days=int(current_app.config.get("ZHIBU_JOB_KEEP_DAYS", 7)))
    with system_actor("jobs"):   # every user's old files, not only the starter's
        old = db.session.execute(select(Job.id, Job.result_path).where(
            Job.finished_at < cutoff, Job.result_path.is_not(None))).all()
    for job_id, name in old:
        path = stored(name)
        if path is not None:
            path.unlink(missing_ok=True)
        _write(job_id, result_path=None)
    return len(old)


def _dispatch(job_id: int, runner: str) -> None:
    if runner.startswith("rq:"):
        from redis.exceptions import RedisError
        from rq import Queue

        try:
            Queue(queue_name(), connection=_redis()).enqueue_call(
                "app.services.jobs.execute", args=(job_id,), job_id=runner[3:],
                timeout=current_app.config.get("ZHIBU_JOB_TIMEOUT", 3600),
                result_ttl=RESULT_TTL, failure_ttl=RESULT_TTL)
        except RedisError:
            log.exception("job %s: the queue is unreachable", job_id)
            _finish(job_id, "failed", both(lambda: _("任务队列（Redis）无法连接，任务没有开始。请稍后重试或联系系统管理员。")))
        return
    app = current_app._get_current_object()
    threading.Thread(target=execute, args=(job_id, app), name=f"zhibu-job-{job_id}", daemon=True).start()


# ---------------------------------------------------------------- bookkeeping


def _write(job_id: int, only_if: tuple = (), **values) -> bool:
    """Update the job's row in a transaction of its own, as the system actor "jobs"."""
    session = db.session.session_factory()
    try:
        with system_actor("jobs"):
            stmt = update(Job).where(Job.id == job_id)
            if only_if:
                stmt = stmt.where(Job.state.in_(only_if))
            changed = session.execute(stmt.values(**values)).rowcount
            session.commit()
            return changed == 1
    finally:
        session.close()


def _finish(job_id: int, state: str, message: tuple, **values) -> None:
    _write(job_id, only_if=("queued", "running"), state=state, message=message[0], message_en=message[1],
           finished_at=_now(), **({"progress": 100} if state == "done" else {}), **values)


def reporter(job_id: int):
    """report(percent, (zh, en)): progress as the job goes (call it between transactions)."""
    def report(percent: int, message: tuple) -> None:
        _write(job_id, only_if=("running",), progress=max(0, min(int(percent), 99)),
               message=message[0], message_en=message[1])
    return report


# ---------------------------------------------------------------- run


def _app():
    """The app of this process: the web app (a thread) or `zhibu worker`'s (RQ's work horse)."""
    if not has_app_context():
        raise RuntimeError("zhibu jobs run in `flask --app app zhibu worker`, not in a bare `rq worker`")
    return current_app._get_current_object()


def execute(job_id: int, app=None) -> None:
    """Run one job in an app context of its own (the RQ entry point, and the thread's)."""
    with (app or _app()).app_context():
        try:
            _run(job_id)
        finally:
            db.session.remove()


def _same_org(actor, job: Job) -> bool:
    return actor is not None and (actor.kind, actor.committee_id, actor.general_branch_id, actor.branch_id) == \
        (job.org_kind, job.committee_id, job.general_branch_id, job.branch_id)


def _run(job_id: int) -> None:
    from app.imports import ImportFileError
    from app.services.job_kinds import RUNNERS, NotFound

    with system_actor("jobs"):
        job = db.session.get(Job, job_id)
        if job is None or job.state != "queued":
            return
        kind, params, lang, owner = job.kind, job.params_dict, job.lang, job.owner
        actor = org_of_user(owner) if owner is not None and owner.is_active else None
        same_org = _same_org(actor, job)
        db.session.rollback()
    if not _write(job_id, only_if=("queued",), state="running", started_at=_now(), progress=1):
        return   # another runner claimed it
    if not same_org:
        _finish(job_id, "failed", both(lambda: _("发起任务的账号已停用或已不属于原来的组织，任务没有执行。")))
        return
    report = reporter(job_id)
    try:
        with acting_as(actor), force_locale(lang):
            report(5, both(lambda: _("正在处理 …")))
            outcome = RUNNERS[kind](owner, actor, params, report)
            db.session.rollback()   # end the job's read transaction before the last write
    except ImportFileError as exc:
        db.session.rollback()
        _finish(job_id, "failed", (exc.message_zh, exc.message_en))
    except NotFound as exc:
        db.session.rollback()
        _finish(job_id, "failed", exc.messages)
    except DomainError as exc:   # a refusal of the rules, in the language the owner started it in
        db.session.rollback()
        _finish(job_id, "failed", (str(exc), str(exc)))
    except Exception:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, kind)
        _finish(job_id, "failed", both(lambda: _("任务出错，没有完成。请重试；如仍出错，请联系系统管理员（任务 #%(id)d）。",
                                                 id=job_id)))
    else:
        extra = {}
        if outcome.data is not None:
            extra = {"result_path": keep_file(outcome.data, Path(outcome.filename or "").suffix or ".xlsx"),
                     "result_name": outcome.filename}
        _finish(job_id, "done", outcome.message, result=json.dumps(outcome.result, ensure_ascii=False), **extra)


# ---------------------------------------------------------------- read


def job_in_scope(pk: int) -> Job | None:
    """The job, if the actor may read it (the rule table: its owner)."""
    return get_in_scope(Job, pk)


def jobs_in_scope(limit: int = 50) -> list:
    return db.session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)).all()


def _thread_alive(runner: str) -> bool:
    _kind, host, pid = runner.split(":", 2)
    if host != socket.gethostname():
        return True     # another machine's thread: cannot tell; its own page reconciles it
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


def _rq_lost(runner: str) -> bool:
    from redis.exceptions import RedisError
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RQJob

    if not redis_url():
        return False
    try:
        status = RQJob.fetch(runner[3:], connection=_redis()).get_status()
    except NoSuchJobError:
        return True
    except RedisError:
        return False
    return str(getattr(status, "value", status)) in ("failed", "stopped", "canceled")


def reconcile(job: Job) -> Job:
    """A queued or running job whose worker is gone is marked failed (the page says so)."""
    if job.finished:
        return job
    lost = _rq_lost(job.runner) if job.runner.startswith("rq:") else \
        job.runner.startswith("thread:") and not _thread_alive(job.runner)
    if lost:
        _finish(job.id, "failed", both(lambda: _("后台任务中断（服务重启或后台进程退出），没有完成。请重新开始。")))
        db.session.refresh(job)
    return job


# ---------------------------------------------------------------- worker


class NoQueue(DomainError):
    """`zhibu worker` without ZHIBU_REDIS_URL."""


def run_worker(burst: bool = False) -> None:
    """Work the queue (ZHIBU_JOB_QUEUE, default "zhibu") on ZHIBU_REDIS_URL (forking a work horse per job)."""
    if not redis_url():
        raise NoQueue("没有设置 ZHIBU_REDIS_URL：未配置 Redis 时，后台任务在网站进程中运行，无需 worker。 / "
                      "ZHIBU_REDIS_URL is not set: without Redis, jobs run inside the web process.")
    from rq import Queue, Worker

    connection = _redis()
    db.engine.dispose()   # the work horses open their own database connections
    Worker([Queue(queue_name(), connection=connection)], connection=connection).work(burst=burst)
