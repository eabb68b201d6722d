"""gunicorn settings for zhibu: `gunicorn -c deploy/gunicorn.conf.py`.

Several worker processes, each with a few threads (gthread). Workers share nothing but the
database, Redis and ZHIBU_SECRET_KEY: the session and its CSRF token live in a cookie signed
with that key, so a request may land on any worker. The app is not preloaded: every worker
builds its own app and database pool after the fork (no connection crosses a fork).
"""
import os

wsgi_app = "app:create_app()"
bind = os.environ.get("ZHIBU_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ZHIBU_WORKERS", "4"))
worker_class = "gthread"
threads = int(os.environ.get("ZHIBU_THREADS", "4"))
preload_app = False
# long work (imports, committee-wide exports, recomputes) runs in the RQ worker, not here
timeout = int(os.environ.get("ZHIBU_REQUEST_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# recycle workers now and then (bounded memory), at staggered times
max_requests = 5000
max_requests_jitter = 500
# request bodies up to ZHIBU_IMPORT_MAX_BYTES arrive through a reverse proxy that buffers them
forwarded_allow_ips = os.environ.get("ZHIBU_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("ZHIBU_ACCESS_LOG", "-")
# the worker's pid on every line: which process served which request
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s'

errorlog = "-"
loglevel = os.environ.get("ZHIBU_LOG_LEVEL", "info")


def post_worker_init(worker):
    """The worker's app is built: freeze its startup objects out of the full collection."""
    from app.serving import freeze_startup_objects

    worker.log.info("zhibu: %d startup objects frozen out of the collector", freeze_startup_objects())
