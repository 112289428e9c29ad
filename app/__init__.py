"""daiban: the petition-agency (信访代办) system of a banner."""

import os
import secrets

from flask import Flask

from app.extensions import appbuilder, csrf, db, migrate, normalise_database_url
from app.security import audit, guards, pii  # noqa: F401  (flushes audited, guarded)
from app.services import (
    uploads,  # noqa: F401  (stored scans are not capabilities)
    webhooks,  # noqa: F401  (case events queue their deliveries)
)


def _secret_key(app: Flask) -> str:
    """SECRET_KEY from the environment or instance config; on a developer's machine a
    random key generated once into instance/secret_key (never in the repository)."""
    key = os.environ.get("SECRET_KEY") or app.config.get("SECRET_KEY")
    if key:
        return key
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_hex(32))
        os.chmod(path, 0o600)
    with open(path, encoding="utf-8") as fh:
        return fh.read().strip()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_object("config")
    app.config.from_pyfile("daiban.cfg", silent=True)
    if test_config:
        app.config.update(test_config)
    from app.i18n import compiled_catalogs

    app.config["BABEL_TRANSLATION_DIRECTORIES"] = compiled_catalogs(
        app.config["BABEL_TRANSLATION_DIRECTORIES"], app.instance_path)

    url = os.environ.get("DATABASE_URL") if not (test_config or {}).get(
        "SQLALCHEMY_DATABASE_URI") else None
    url = url or app.config.get("SQLALCHEMY_DATABASE_URI") or (
        "sqlite:///" + os.path.join(app.instance_path, "daiban.db"))
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    # Several app servers share one database: nothing a second server needs may live in
    # one process. Sessions are signed cookies (the same SECRET_KEY everywhere); login
    # rate-limit counters go to Redis when it is configured (FAB's limiter keeps them in
    # the process otherwise, so each server would count on its own).
    storage = os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL")
    if storage and not (test_config or {}).get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = storage
    app.config["SECRET_KEY"] = _secret_key(app)
    pii.check_keys(app)
    app.config.setdefault("JWT_SECRET_KEY", app.config["SECRET_KEY"])

    app.config["FAB_SECURITY_MANAGER_CLASS"] = "app.security.manager.DaibanSecurityManager"

    with app.app_context():
        db.init_app(app)
        migrate.init_app(app, db, directory=os.path.join(app.root_path, "..", "migrations"))
        csrf.init_app(app)  # before AppBuilder, so its API blueprints are exempted
        appbuilder.indexview = _index_view()
        appbuilder.base_template = "daiban/base.html"
        appbuilder.init_app(app, db.session)

        from app.views import register_views

        register_views(appbuilder)

    from app.cockpit.rollup import register_listeners

    register_listeners()  # case_stat follows every write to cases

    from app import generation

    generation.register_listeners()  # what processes keep follows every write it depends on

    from app.cli import register_cli
    from app.formatting import register_filters
    from app.security.accounts import init_accounts
    from app.security.web import init_web_security
    from app.views.base import bound_list_arguments
    from app.views.menu import init_menu
    from app.views.system import register_error_pages, system

    # FAB's templates indent deeply: half of a list page's bytes were blank lines and
    # indentation left by {% %} tags (92 → ~50 KB for a case list page)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.before_request(bound_list_arguments)
    init_web_security(app)
    init_accounts(app)
    app.register_blueprint(system)
    register_error_pages(app)
    register_cli(app)
    register_filters(app)
    init_menu(app)
    return app


def _index_view():
    from app.views.home import HomeView

    return HomeView
