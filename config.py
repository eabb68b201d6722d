"""zhibu configuration, read from the environment.

ZHIBU_DATABASE_URL   SQLAlchemy URL (default: SQLite file in the instance folder)
ZHIBU_PG_JIT         1: keep PostgreSQL's JIT compilation on the app's connections (default off:
                     it cost the round-wide aggregates more than they take)
ZHIBU_SECRET_KEY     session/CSRF key (default: generated once into the instance folder)
ZHIBU_REPORT_EMAIL   address printed in the forms' 填表说明 note
ZHIBU_IMPORT_MAX_BYTES  largest roster upload in bytes (default 20 MB)
ZHIBU_BALLOT_LOOKUP_LIMIT / _WINDOW  unknown ballot codes per client address per window
                     (default 20 per 600 seconds) before that address must wait
ZHIBU_UPLOAD_DIR     where uploaded 述职 reports are kept, outside the web root
                     (default: uploads/ in the instance folder)
ZHIBU_REPORT_MAX_BYTES  largest 述职 report file in bytes (default 10 MB)
ZHIBU_UPLOAD_MAX_BYTES  largest meeting attachment, work plan or summary in bytes (default 10 MB)
ZHIBU_REDIS_URL      Redis for the job queue (RQ) and the login throttle's counters, shared by every
                     worker, e.g. redis://127.0.0.1:6379/0; unset: jobs run in a thread of the web
                     process and each worker counts logins in its memory
ZHIBU_JOB_QUEUE      RQ queue name (default zhibu; one per deployment sharing a Redis)
ZHIBU_JOB_DIR        where job inputs and results are kept (default: jobs/ in the instance folder;
                     shared by the web workers and the RQ worker)
ZHIBU_JOB_KEEP_DAYS  days a job's result file is kept (default 7)
ZHIBU_IMPORT_JOB_BYTES  uploads larger than this are checked and imported as background jobs
                     (default 512 KB)
ZHIBU_SCORING_JSON   the assessment policy as a JSON object (default: DOMAIN.md's numbers)
ZHIBU_COUNT_ESTIMATE_ABOVE  on PostgreSQL, lists beyond this many estimated rows show "约 N" (0: exact)
ZHIBU_LOGIN_RATE_LIMIT  login attempts per client address (web and API; default "10 per minute")
ZHIBU_SESSION_HOURS  a browser login lasts this long (default 8)
ZHIBU_SECURE_COOKIES 1: the session cookie is sent over HTTPS only (set it behind TLS)
ZHIBU_LOCKOUT_FAILURES / _SECONDS  consecutive failed logins that lock an account, and for how
                     long (default 10, 900 seconds); `flask --app app zhibu unlock USER` lifts it
ZHIBU_MAIL_SERVER    SMTP host for the notices' e-mail; unset (the default): no mail is sent
ZHIBU_MAIL_PORT / _USERNAME / _PASSWORD  SMTP port (default 25, or 465 with SSL), login and password
ZHIBU_MAIL_USE_TLS / _USE_SSL  1: STARTTLS / SMTP over SSL (default off)
ZHIBU_MAIL_SENDER    the From address (default zhibu@localhost)
ZHIBU_BASE_URL       the site's address, e.g. https://zhibu.example.edu.cn, for the inbox link in mails
ZHIBU_NOTICES_ON_HOME  0: the home page does not make the day's notices (cron runs `zhibu notices`)
ZHIBU_PEER_GROUPS_JSON  分类互评 groups as a JSON object, branch category -> group (default: 本科生 and
                     研究生 one 学生 group), e.g. '{"undergraduate": "ug", "graduate": "pg"}'
ZHIBU_HEALTH_JSON    health-check overrides as a JSON object: keys for both profiles at the top,
                     per profile under "2012" / "later" (app/rules/policy.py lists the keys)
"""
import datetime
import json
import os
import secrets
from pathlib import Path

from flask_appbuilder.const import AUTH_DB


def _secret_key(instance_path: Path) -> str:
    """Return ZHIBU_SECRET_KEY, or a key generated once and kept in the instance folder."""
    if os.environ.get("ZHIBU_SECRET_KEY"):
        return os.environ["ZHIBU_SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        # Several gunicorn workers may start at once: each writes its own candidate, and the
        # first hard link wins (atomic), so every worker reads the same, complete key.
        instance_path.mkdir(parents=True, exist_ok=True)
        candidate = instance_path / f".secret_key.{os.getpid()}"
        candidate.write_text(secrets.token_hex(32))
        candidate.chmod(0o600)
        try:
            os.link(candidate, key_file)
        except FileExistsError:
            pass
        finally:
            candidate.unlink(missing_ok=True)
    return key_file.read_text().strip()


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


def build_config(instance_path: str) -> dict:
    """All settings as a dict; create_app(overrides) may replace any of them."""
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    translations = Path(__file__).resolve().parent / "translations"
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "ZHIBU_DATABASE_URL", f"sqlite:///{instance / 'zhibu.db'}"
        ),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "ZHIBU_PG_JIT": os.environ.get("ZHIBU_PG_JIT") == "1",
        "APP_NAME": "支部 zhibu",
        "APP_THEME": "",
        "AUTH_TYPE": AUTH_DB,
        "AUTH_ROLE_ADMIN": "Admin",
        "AUTH_ROLE_PUBLIC": "Public",
        # Tables come from migrations, permissions from `zhibu init` (fact 5).
        "FAB_CREATE_DB": False,
        "FAB_UPDATE_PERMS": False,
        "FAB_API_SWAGGER_UI": True,  # the OpenAPI spec at /api/v1/_openapi (fuzzed by the tests)
        "FAB_ADD_SECURITY_API": False,
        "FAB_ADD_MENU_API": False,  # FAB's React menu API: unused here, and no role may call it
        # The password policy (app/rules/passwords.py) on FAB's password forms.
        "FAB_PASSWORD_COMPLEXITY_ENABLED": True,
        # Named here, imported by AppBuilder.init_app, so app.extensions needs no app import.
        "FAB_INDEX_VIEW": "app.index.ZhibuIndexView",
        "FAB_SECURITY_MANAGER_CLASS": "app.security.manager.ZhibuSecurityManager",
        "FAB_BASE_TEMPLATE": "zhibu/base.html",
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_TRANSLATION_DIRECTORIES": str(translations),
        "LANGUAGES": {
            "zh": {"flag": "cn", "name": "中文"},
            "en": {"flag": "gb", "name": "English"},
        },
        "WTF_CSRF_ENABLED": True,
        # Login throttle (FAB 5.3 ships it off, fact 12): per client address, web and API login.
        "AUTH_RATE_LIMITED": True,
        "AUTH_RATE_LIMIT": os.environ.get("ZHIBU_LOGIN_RATE_LIMIT", "10 per minute"),
        "RATELIMIT_STORAGE_URI": os.environ.get("ZHIBU_REDIS_URL") or "memory://",
        "ZHIBU_REDIS_URL": os.environ.get("ZHIBU_REDIS_URL") or None,
        # The session cookie: never read by scripts, not sent by other sites' POSTs, HTTPS only
        # by configuration; a login lasts ZHIBU_SESSION_HOURS (the server-side row says so too).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("ZHIBU_SECURE_COOKIES", "").lower() in ("1", "true", "yes"),
        "PERMANENT_SESSION_LIFETIME": datetime.timedelta(hours=float(os.environ.get("ZHIBU_SESSION_HOURS", 8))),
        # Lockout: this many failed logins in a row lock the account for this many seconds.
        "ZHIBU_LOCKOUT_FAILURES": int(os.environ.get("ZHIBU_LOCKOUT_FAILURES", 10)),
        "ZHIBU_LOCKOUT_SECONDS": int(os.environ.get("ZHIBU_LOCKOUT_SECONDS", 900)),
        "ZHIBU_REPORT_EMAIL": os.environ.get("ZHIBU_REPORT_EMAIL", "zzb@example.edu.cn"),
        "ZHIBU_PAGE_SIZE": 20,
        # on PostgreSQL a list beyond this many (estimated) rows shows the estimate, "约 N"; 0: exact
        "ZHIBU_COUNT_ESTIMATE_ABOVE": int(os.environ.get("ZHIBU_COUNT_ESTIMATE_ABOVE", 100_000)),
        # Roster uploads: the largest xlsx accepted (MAX_CONTENT_LENGTH follows, 1 MB above).
        "ZHIBU_IMPORT_MAX_BYTES": int(os.environ.get("ZHIBU_IMPORT_MAX_BYTES", 20 * 1024 * 1024)),
        # The assessment policy (app/scoring docstring lists the keys); {} = DOMAIN.md defaults.
        # Set ZHIBU_SCORING_JSON to a JSON object to override, e.g. '{"cutoffs": {"A": 85}}'.
        # Ballots: unknown codes allowed per client address per window before it must wait.
        "ZHIBU_BALLOT_LOOKUP_LIMIT": int(os.environ.get("ZHIBU_BALLOT_LOOKUP_LIMIT", 20)),
        "ZHIBU_BALLOT_LOOKUP_WINDOW": int(os.environ.get("ZHIBU_BALLOT_LOOKUP_WINDOW", 600)),
        # The key of the ballot codes' hashes (default: SECRET_KEY); changing it voids issued codes.
        "ZHIBU_BALLOT_KEY": os.environ.get("ZHIBU_BALLOT_KEY") or None,
        # Reverse proxies in front of the app whose X-Forwarded-For/Proto/Host are trusted (0: none).
        "ZHIBU_PROXY_HOPS": int(os.environ.get("ZHIBU_PROXY_HOPS", 0)),
        # 述职 report files: kept outside the web root, served only through the record rules.
        "ZHIBU_UPLOAD_DIR": os.environ.get("ZHIBU_UPLOAD_DIR") or str(instance / "uploads"),
        "ZHIBU_REPORT_MAX_BYTES": int(os.environ.get("ZHIBU_REPORT_MAX_BYTES", 10 * 1024 * 1024)),
        "ZHIBU_UPLOAD_MAX_BYTES": int(os.environ.get("ZHIBU_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)),
        # Background jobs: RQ on Redis when a URL is set, else a thread of the web process.
        "ZHIBU_JOB_QUEUE": os.environ.get("ZHIBU_JOB_QUEUE") or "zhibu",
        "ZHIBU_JOB_DIR": os.environ.get("ZHIBU_JOB_DIR") or str(instance / "jobs"),
        "ZHIBU_IMPORT_JOB_BYTES": int(os.environ.get("ZHIBU_IMPORT_JOB_BYTES", 512 * 1024)),
        "ZHIBU_JOB_KEEP_DAYS": int(os.environ.get("ZHIBU_JOB_KEEP_DAYS", 7)),
        "ZHIBU_JOB_TIMEOUT": int(os.environ.get("ZHIBU_JOB_TIMEOUT", 3600)),
        # Notices (提醒): made daily by `zhibu notices` or the first home page of the day; mailed
        # through Flask-Mail only when ZHIBU_MAIL_SERVER is set.
        "ZHIBU_NOTICES_ON_HOME": os.environ.get("ZHIBU_NOTICES_ON_HOME", "1").lower() not in ("0", "false", "no"),
        "ZHIBU_MAIL_ENABLED": bool(os.environ.get("ZHIBU_MAIL_SERVER")),
        "MAIL_SERVER": os.environ.get("ZHIBU_MAIL_SERVER") or "localhost",
        "MAIL_PORT": int(os.environ.get("ZHIBU_MAIL_PORT") or (465 if _flag("ZHIBU_MAIL_USE_SSL") else 25)),
        "MAIL_USERNAME": os.environ.get("ZHIBU_MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("ZHIBU_MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag("ZHIBU_MAIL_USE_TLS"),
        "MAIL_USE_SSL": _flag("ZHIBU_MAIL_USE_SSL"),
        "MAIL_DEFAULT_SENDER": os.environ.get("ZHIBU_MAIL_SENDER") or "zhibu@localhost",
        "ZHIBU_BASE_URL": (os.environ.get("ZHIBU_BASE_URL") or "").rstrip("/"),
        "ZHIBU_SCORING": json.loads(os.environ.get("ZHIBU_SCORING_JSON", "{}")),
        # 分类互评 groups (app/scoring/peers.py): category -> group; {} = 附件1's, 学生 = 本科生 + 研究生.
        "ZHIBU_PEER_GROUPS": json.loads(os.environ.get("ZHIBU_PEER_GROUPS_JSON", "{}")),
        # H1–H11 thresholds; a committee picks its profile, e.g. '{"later": {"secretary_hours": 60}}'.
        "ZHIBU_HEALTH": json.loads(os.environ.get("ZHIBU_HEALTH_JSON", "{}")),
    }
