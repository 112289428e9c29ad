"""Command-line tools: sync-roles, seed-demo (and, in later modules, bulletin)."""

import json

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from app.cockpit.cli import bulletin_command, cockpit_group
from app.extensions import appbuilder


@click.command("sync-roles")
@with_appcontext
def sync_roles_command():
    """Create permissions and give every built-in role exactly the matrix's set."""
    counts = appbuilder.sm.sync_roles()
    for role, n in counts.items():
        click.echo(f"{role}: {n} permissions")


@click.command("seed-demo")
@click.option("--cases", "case_count", default=2000, show_default=True, type=int,
              help="How many cases the demo banner should hold.")
@click.option("--json", "as_json", is_flag=True, help="Print the demo logins as JSON.")
@click.option("--seed", default=20221106, show_default=True, type=int)
@with_appcontext
def seed_demo_command(case_count, as_json, seed):
    """Build the fictional demo banner (idempotent) and one login per role."""
    from flask import current_app

    from app.demo import seed_demo

    if current_app.config.get("PRODUCTION"):
        # the demo logins share one published password
        raise click.ClickException(gettext(
            "seed-demo refuses to run in a production configuration (DAIBAN_ENV=production)."))

    logins = seed_demo(case_count=case_count, seed=seed, quiet=as_json)
    if as_json:
        click.echo(json.dumps(logins, ensure_ascii=False, indent=2))
    else:
        for login in logins:
            click.echo(f"{login['role']:16} {login['username']:16} {login['password']:14} "
                       f"{login['place']}")


@click.command("seed-dictionaries")
@with_appcontext
def seed_dictionaries_command():
    """Load the starting service list (22), non-acceptance list (4), channels and
    departments in both languages; adds only what is missing. The banner must exist."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Place
    from app.services.dictionaries import seed_dictionaries

    banner = db.session.scalar(select(Place).where(Place.parent_id.is_(None)))
    if banner is None:
        raise click.ClickException(gettext("Create the banner (the root place) first."))
    seed_dictionaries(banner)
    db.session.commit()
    click.echo(gettext("Dictionaries are ready for %(banner)s.", banner=banner.name))


def register_cli(app):
    from app.cli_cases import (
        case_action_command,
        case_actions_command,
        exchange_group,
        webhooks_group,
    )
    from app.cli_i18n import i18n_group

    app.cli.add_command(case_action_command)
    app.cli.add_command(case_actions_command)
    app.cli.add_command(exchange_group)
    app.cli.add_command(webhooks_group)
    app.cli.add_command(i18n_group)
    app.cli.add_command(sync_roles_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_dictionaries_command)
    app.cli.add_command(bulletin_command)
    app.cli.add_command(cockpit_group)
