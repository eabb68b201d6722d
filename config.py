"""zhibu configuration, read from the environment.

ZHIBU_DATABASE_URL   SQLAlchemy URL (default: SQLite file in the instance folder)
ZHIBU_SECRET_KEY     session/CSRF key (default: generated once into the instance folder)
ZHIBU_REPORT_EMAIL   address printed in the forms' 填表说明 note
ZHIBU_IMPORT_MAX_BYTES  largest roster upload in bytes (default 20 MB)
ZHIBU_BALLOT_LOOKUP_LIMIT / _WINDOW  unknown ballot codes per client address per window
                     (default 20 per 600 seconds) before that address must wait
ZHIBU_UPLOAD_DIR     where uploaded 述职 reports are kept, outside the web root
                     (default: uploads/ in the instance folder)
ZHIBU_REPORT_MAX_BYTES  largest 述职 report file in bytes (default 10 MB)
ZHIBU_SCORING_JSON   the assessment policy as a JSON object (default: DOMAIN.md's numbers)
ZHIBU_COUNT_ESTIMATE_ABOVE  on PostgreSQL, lists beyond this many estimated rows show "约 N" (0: exact)
"""
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
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


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
        "APP_NAME": "支部 zhibu",
        "APP_THEME": "",
        "AUTH_TYPE": AUTH_DB,
        "AUTH_ROLE_ADMIN": "Admin",
        "AUTH_ROLE_PUBLIC": "Public",
        # Tables come from migrations, permissions from `zhibu init` (fact 5).
        "FAB_CREATE_DB": False,
        "FAB_UPDATE_PERMS": False,
        "FAB_API_SWAGGER_UI": False,
        "FAB_ADD_SECURITY_API": False,
        "FAB_PASSWORD_COMPLEXITY_ENABLED": False,
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
        "ZHIBU_SCORING": json.loads(os.environ.get("ZHIBU_SCORING_JSON", "{}")),
    }
