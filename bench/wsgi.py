"""gunicorn entry points for bench/run.py (``bench.wsgi:daiban()``, ``bench.wsgi:plain()``):
the app as it is, plus an ``X-SQL-Count`` response header (statements run for the
request) and ``X-Worker-RSS-KB`` (the worker's resident memory after it)."""

import sys
from pathlib import Path

from flask import g, has_request_context
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _instrument(app):
    from app.extensions import db

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        if has_request_context():
            g.bench_sql = g.get("bench_sql", 0) + 1

    @app.after_request
    def _headers(response):
        response.headers["X-SQL-Count"] = str(g.get("bench_sql", 0))
        response.headers["X-Worker-RSS-KB"] = str(_rss_kb())
        return response

    return app


def daiban():
    from app import create_app

    return _instrument(create_app())


def plain():
    from bench.plain import create_plain_app

    return _instrument(create_plain_app())
