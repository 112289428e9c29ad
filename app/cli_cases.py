"""``flask case-action``: take a case action from the command line, through the same
input parsing and service functions as the case page and the REST API."""

import click
from flask.cli import with_appcontext
from werkzeug.datastructures import MultiDict

from app.domain.errors import DomainError
from app.domain.lifecycle import CASE_ACTIONS
from app.extensions import appbuilder
from app.services import action_inputs


def _plain(message, **params):
    return message % params if params else message


@click.command("case-action")
@click.argument("case_id", type=int)
@click.argument("action", type=click.Choice(CASE_ACTIONS))
@click.option("--as", "username", help="Act as this user (scope and roles); default: "
              "the system, with every right.")
@click.option("--set", "values", multiple=True, metavar="FIELD=VALUE",
              help="An input of the action; repeat for several (and for lists).")
@with_appcontext
def case_action_command(case_id, action, username, values):
    """Take ACTION on case CASE_ID, e.g. `flask case-action 12 supervise --set comment=…`."""
    user = None
    if username:
        user = appbuilder.sm.find_user(username=username)
        if user is None:
            raise click.ClickException(f"no such user: {username}")
    pairs = []
    for value in values:
        if "=" not in value:
            raise click.BadParameter(f"expected FIELD=VALUE, got {value!r}")
        pairs.append(tuple(value.split("=", 1)))
    data = MultiDict(pairs)
    try:
        case = action_inputs.run(action, case_id, user, data, data.getlist)
    except DomainError as err:
        raise click.ClickException(err.translate(_plain)) from err
    click.echo(f"{case.number}: {case.state} ({case.level})")
