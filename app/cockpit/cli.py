"""``flask --app app bulletin --date YYYY-MM-DD``: the day's bulletin for the whole
banner, e-mailed when MAIL_SERVER is set, otherwise written to BULLETIN_DIR; and
``flask --app app cockpit check-stats | rebuild-stats`` for case_stat."""

import datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from app import clock
from app.cockpit import rollup
from app.cockpit.bulletin import build_bulletin, deliver, render_html, render_text
from app.extensions import db
from app.models import copies
from app.security.scope import EVERYTHING


@click.command("bulletin")
@click.option("--date", "day", default=None, metavar="YYYY-MM-DD",
              help="The day of the bulletin (default: today).")
@click.option("--lang", default=None, help="Language of the bulletin (default: the app's).")
@with_appcontext
def bulletin_command(day, lang):
    """Produce the daily bulletin (printable HTML and a text message)."""
    try:
        day = datetime.date.fromisoformat(day) if day else clock.today()
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


@click.group("cockpit")
def cockpit_group():
    """The cockpit's pre-aggregated counts (case_stat, case_stat_town)."""


@cockpit_group.command("check-stats")
@with_appcontext
def check_stats_command():
    """Say whether case_stat and case_stat_town match the cases (exit status 1 if
    not)."""
    with db.engine.connect() as connection:
        wrong = rollup.differences(connection)
        wrong_copies = copies.differences(connection)
    for (table, dim, ym, place, key), (stored, actual) in sorted(wrong.items())[:20]:
        click.echo(table + " " + _(
            "%(dim)s %(ym)s place %(place)s %(key)s: stored %(stored)s, actual %(actual)s",
            dim=dim, ym=ym, place=place, key=key, stored=stored, actual=actual))
    for (column, row), (stored, actual) in sorted(wrong_copies.items())[:20]:
        click.echo(_("%(column)s of row %(row)s: stored %(stored)s, actual %(actual)s",
                     column=column, row=row, stored=stored, actual=actual))
    wrong = {**wrong, **wrong_copies}
    if wrong:
        raise click.ClickException(_("%(n)d counts differ; run flask cockpit rebuild-stats",
                                     n=len(wrong)))
    click.echo(_("case_stat is in step with cases"))


@cockpit_group.command("rebuild-stats")
@with_appcontext
def rebuild_stats_command():
    """Recompute case_stat and case_stat_town from the cases (after bulk loads that
    bypass the ORM)."""
    with db.engine.begin() as connection:
        rollup.rebuild(connection)
    click.echo(_("case_stat rebuilt"))
