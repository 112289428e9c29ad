"""Health check and the app's own error pages."""

from flask import Blueprint, jsonify, render_template, request
from sqlalchemy import text

from app.extensions import appbuilder, db

system = Blueprint("system", __name__)


@system.route("/health")
def health():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok", database="up")


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def render_error(code: int):
    def handler(error):
        if code == 500:
            db.session.rollback()
        if _wants_json():
            return jsonify(message=str(getattr(error, "name", "error")), status=code), code
        return (
            render_template(
                "daiban/error.html", code=code, base_template=appbuilder.base_template,
                appbuilder=appbuilder,
            ),
            code,
        )

    return handler


def register_error_pages(app):
    for code in (400, 403, 404, 405, 500):
        app.register_error_handler(code, render_error(code))
