"""What a serving process does once its app is built, before it takes requests.

A built app holds about 450,000 long-lived Python objects (AppBuilder's views and schemas, the
SQLAlchemy mappers, Jinja's templates, the translations). CPython's full (oldest-generation)
collection walks all of them: at city scale one request in about thirteen on the committee
home paid 170 ms for it. gc.freeze() moves what exists now into a permanent generation that the
collector no longer walks; it is still freed by reference counting, and the objects made per
request are collected as before. Called by the gunicorn worker once its app is loaded
(deploy/gunicorn.conf.py), by `python run.py`, and by the benchmarks. Never in create_app: the
tests build thousands of apps in one process, and frozen cycles are never collected.
"""
from __future__ import annotations

import gc


def freeze_startup_objects() -> int:
    """Collect what startup left behind, then freeze the rest; returns how many are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
