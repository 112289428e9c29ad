"""Which language a request is served in, and how a user switches it.

Flask-AppBuilder's BabelManager picks `?_l_=` then the session and never reads the
browser's Accept-Language; its `/lang/<code>` 404s on an unknown code and forgets the
choice at logout. daiban's manager keeps FAB's shape (a BabelManager and a LocaleView at
`/lang/<code>`) with this order:

1. an explicit choice: `?_l_=<code>` on this request;
2. the signed-in user's saved language (StaffUser.locale, written at every switch);
3. the session, then a long-lived cookie (so the choice survives logout);
4. the browser's Accept-Language;
5. BABEL_DEFAULT_LOCALE (zh).

Unknown or malformed codes at any step are skipped, never an error.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from babel.support import NullTranslations
from flask import current_app, flash, g, has_request_context, redirect, request, session
from flask_appbuilder import AppBuilder, expose
from flask_appbuilder.babel.manager import BabelManager
from flask_appbuilder.babel.views import LocaleView
from flask_babel import get_translations, refresh
from flask_babel import lazy_gettext as _l
from flask_login import current_user

LANG_COOKIE = "daiban_lang"
LANG_COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookie lifetimes at 400 days
# BCP 47 tags for <html lang>: the script matters (Mongolian in Inner Mongolia is written
# in the traditional script, never Cyrillic).
HTML_LANG = {"zh": "zh-Hans", "mn": "mn-Mong"}


def _languages() -> dict:
    return current_app.config["LANGUAGES"]


def normalise_code(value) -> str | None:
    """'mn', 'mn-Mong-CN', 'mn_Mong', 'ZH-cn' → a code of LANGUAGES, or None."""
    if not value or not isinstance(value, str) or len(value) > 35:
        return None
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in _languages() else None


def _signed_in_user():
    user = getattr(g, "user", None) or current_user
    if user is not None and getattr(user, "is_authenticated", False) and hasattr(user, "locale"):
        return user
    return None


def _user_locale() -> str | None:
    user = _signed_in_user()
    return normalise_code(user.locale) if user is not None else None


def _accept_language() -> str | None:
    for value, _quality in request.accept_languages:
        code = normalise_code(value)
        if code:
            return code
    return None


class CatalogTranslations:
    """WTForms' messages from daiban's catalogs (which hold WTForms' msgids): WTForms
    ships no Mongolian. Flask-WTF looks translations up on `request.wtforms_translations`
    before loading its own, so the manager puts this object there."""

    def _catalog(self):
        return get_translations() if has_request_context() else NullTranslations()

    def ugettext(self, string):
        return self._catalog().ugettext(string)

    def ungettext(self, singular, plural, n):
        return self._catalog().ungettext(singular, plural, n)

    gettext, ngettext = ugettext, ungettext


class DaibanLocaleView(LocaleView):
    """`/lang/<code>`: remembers the choice in the session, a cookie and the user's
    account; an unknown code keeps the current language."""

    @expose("/<string:locale>")
    def index(self, locale):
        code = normalise_code(locale)
        if code is None:
            flash(_l("Unknown language; the page stays in the current one."), "warning")
        else:
            session["locale"] = code
            user = _signed_in_user()
            if user is not None and user.locale != code:
                user.locale = code
                self.appbuilder.session.commit()
            refresh()
        response = redirect(_back_url(self.appbuilder.get_url_for_index))
        if code is not None:
            response.set_cookie(LANG_COOKIE, code, max_age=LANG_COOKIE_MAX_AGE,
                                httponly=True, samesite="Lax",
                                secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
        return response


def _back_url(default: str) -> str:
    """The page the switch was clicked on (same site only, without an `_l_` that would
    override the new choice), so the user stays there."""
    referrer = request.referrer
    if referrer:
        parts = urlsplit(referrer)
        if parts.netloc == request.host and parts.scheme in ("http", "https"):
            query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                               if k != "_l_"])
            return urlunsplit(("", "", parts.path or "/", query, ""))
    return default


class DaibanBabelManager(BabelManager):
    """FAB's BabelManager with daiban's locale selection (see the module docstring)."""

    def __init__(self, appbuilder):
        super().__init__(appbuilder)
        app = current_app._get_current_object()
        app.before_request(_start_request)
        app.context_processor(_language_context)

    def register_views(self):
        self.locale_view = DaibanLocaleView()
        self.appbuilder.add_view_no_menu(self.locale_view)

    def get_locale(self):
        if not has_request_context():
            return self.babel_default_locale
        explicit = normalise_code(request.args.get("_l_"))
        if explicit:
            return explicit
        for candidate in (_user_locale(), session.get("locale"),
                          request.cookies.get(LANG_COOKIE)):
            code = normalise_code(candidate)
            if code:
                return code
        return _accept_language() or self.babel_default_locale


def _start_request():
    # Flask-Babel caches the locale on `g`, which outlives a request when an app context
    # is reused (tests, `with app.app_context()` around a client): decide afresh.
    refresh()
    request.wtforms_translations = CatalogTranslations()


def _language_context():
    from app.i18n import current_language

    language = current_language()
    return {"html_lang": HTML_LANG.get(language, language), "current_language": language,
            "html_lang_of": HTML_LANG}


class DaibanAppBuilder(AppBuilder):
    """AppBuilder whose babel manager is daiban's. FAB builds its BabelManager inside
    init_app; the admin views (LocaleView among them) are registered right after, so the
    manager is swapped just before that."""

    def _add_admin_views(self) -> None:
        # FAB's manager has already prefixed BABEL_TRANSLATION_DIRECTORIES with its own
        # catalog; restore ours so the prefix is not added twice.
        app = current_app
        fab_dirs, _sep, ours = app.config["BABEL_TRANSLATION_DIRECTORIES"].partition(";")
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = ours or fab_dirs
        self.bm = DaibanBabelManager(self)
        super()._add_admin_views()
