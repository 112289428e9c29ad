"""`flask i18n review-sheet` / `flask i18n apply-review`: the catalogs as a spreadsheet a
native reader can correct, and back (app/review_sheet.py)."""

import os

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext


def _root() -> str:
    return os.path.dirname(current_app.root_path)


@click.group("i18n")
def i18n_group():
    """Translation review: export the catalogs to a sheet, read corrections back."""


@i18n_group.command("review-sheet")
@click.option("-o", "--output", default="daiban-review.xlsx", show_default=True,
              type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def review_sheet_command(output):
    """Write every message (English, Chinese, Mongolian, where it appears, glossary
    terms, checks) to an .xlsx for a native reader."""
    from app.review_sheet import write_review_sheet

    rows = write_review_sheet(output, _root())
    click.echo(gettext("Wrote %(rows)s rows to %(path)s.", rows=rows, path=output))


@i18n_group.command("apply-review")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@with_appcontext
def apply_review_command(sheet, dry_run):
    """Read a corrected review sheet back into the catalogs and report what changed."""
    from app.i18n import compiled_catalogs
    from app.review_sheet import apply_review

    report = apply_review(sheet, _root(), dry_run=dry_run)
    for line in report.lines():
        click.echo(line)
    if report.changed and not dry_run:
        compiled_catalogs(current_app.config["BABEL_TRANSLATION_DIRECTORIES"],
                          current_app.instance_path)
        click.echo(gettext("The catalogs are updated and compiled; restart the server to "
                           "serve them."))
    if report.rejected:
        raise SystemExit(1)
