"""The navbar's menu, rendered once per (language, permissions, waiting count) and kept.

FAB renders the menu on every page: a permission check per entry and a translation per
label, 3–5 ms of each page's ~20 ms of CPU. What it shows depends only on the language,
the set of permissions the user's roles hold together (read once per request anyway)
and the count of escalations awaiting the user — so those are the key, and a changed
permission or count is a different key, never a stale menu. Each process keeps its own
few hundred entries: nothing another app server needs (it renders its own)."""

from flask import current_app, g
from flask_babel import get_locale
from flask_login import current_user
from jinja2 import PackageLoader
from markupsafe import Markup

from app.generation import Bounded
from app.views.inboxes import pending_approvals_count

_rendered = Bounded(256)
# FAB's own menu template, from FAB's package: app/templates/appbuilder/navbar_menu.html
# takes its name in the app's loader to call menu_html
FAB_TEMPLATE = "appbuilder/navbar_menu.html"


def _render(menu) -> Markup:
    template = current_app.extensions.get("daiban_fab_menu")
    if template is None:
        template = current_app.jinja_env.overlay(
            loader=PackageLoader("flask_appbuilder", "templates")).get_template(FAB_TEMPLATE)
        current_app.extensions["daiban_fab_menu"] = template
    return Markup(template.render(menu=menu))


def _key():
    """What the menu shows is a function of, or None when that is not known here (signed
    out, or a role whose permissions FAB builds in rather than stores)."""
    if not current_user.is_authenticated or g.get("user") is None:
        return None
    sm = current_app.appbuilder.sm
    roles = sm.get_user_roles(g.user)
    if any(role.name in sm.builtin_roles for role in roles):
        return None
    return (str(get_locale()), sm.roles_permissions([role.id for role in roles]),
            pending_approvals_count())


def menu_html() -> Markup:
    menu = current_app.appbuilder.menu
    key = _key()
    if key is None:
        return _render(menu)
    html = _rendered.get(key)
    if html is None:
        html = _render(menu)
        _rendered.put(key, html)
    return html


def init_menu(app) -> None:
    app.jinja_env.globals["daiban_menu"] = menu_html
