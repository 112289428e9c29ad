"""``flask --app app bulletin --date YYYY-MM-DD``: the day's bulletin for the whole
banner, e-mailed when MAIL_SERVER is set, otherwise written to BULLETIN_DIR."""

import datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from app.cockpit.bulletin import build_bulletin, deliver, render_html, render_text
from app.security.scope import EVERYTHING


@click.command("bulletin")
@click.option("--date", "day", default=None, metavar="YYYY-MM-DD",
              help="The day of the bulletin (default: today).")
@click.option("--lang", default=None, help="Language of the bulletin (default: the app's).")
@with_appcontext
def bulletin_command(day, lang):
    """Produce the daily bulletin (printable HTML and a text message)."""
    try:
        day = datetime.date.fromisoformat(day) if day else datetime.date.today()
    except ValueError:
        message = _('"%(value)s" is not a date (write it as 2026-01-31).', value=day)
        raise click.BadParameter(message, param_hint="--date") from None
    lang = lang or current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")
    with current_app.test_request_context("/"), force_locale(lang):
        b = build_bulletin(day, EVERYTHING)
        text, html = render_text(b), render_html(b)
        try:
            where = deliver(b, html, text)
        except (OSError, ValueError) as err:
            raise click.ClickException(str(err)) from err
    click.echo(text)
    click.echo(f"-> {where}")
