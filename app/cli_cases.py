"""``flask case-action`` takes a case action from the command line, ``flask case-actions``
lists the ones a user may take now — through the same input parsing, service functions
and authority as the case page and the REST API."""

import json

import click
from flask.cli import with_appcontext
from werkzeug.datastructures import MultiDict

from app.domain.errors import DomainError
from app.domain.lifecycle import CASE_ACTIONS
from app.extensions import appbuilder
from app.models import Case
from app.models.choices import CASE_STATES
from app.security.scope import EVERYTHING, load_in_scope, scope_for_user
from app.services import action_inputs
from app.services import cases as case_service


def _plain(message, **params):
    return message % params if params else message


def _acting_user(username):
    if not username:
        return None
    user = appbuilder.sm.find_user(username=username)
    if user is None:
        raise click.ClickException(f"no such user: {username}")
    return user


@click.command("case-actions")
@click.argument("case_id", type=int)
@click.option("--as", "username", help="The user whose actions to list; default: the "
              "system, with every right.")
@with_appcontext
def case_actions_command(case_id, username):
    """List the actions a user may take on case CASE_ID now (one per line)."""
    user = _acting_user(username)
    case = load_in_scope(Case, case_id, EVERYTHING if user is None else scope_for_user(user))
    if case is None:
        raise click.ClickException("There is no such case in your area.")
    for action in case_service.available_actions(case, user, with_details=True):
        click.echo(action)


@click.command("case-action")
@click.argument("case_id", type=int)
@click.argument("action", type=click.Choice([*CASE_ACTIONS, "edit_details"]))
@click.option("--as", "username", help="Act as this user (scope and roles); default: "
              "the system, with every right.")
@click.option("--set", "values", multiple=True, metavar="FIELD=VALUE",
              help="An input of the action; repeat for several (and for lists).")
@with_appcontext
def case_action_command(case_id, action, username, values):
    """Take ACTION on case CASE_ID, e.g. `flask case-action 12 supervise --set comment=…`."""
    user = _acting_user(username)
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


@click.group("exchange")
def exchange_group():
    """三通: cases to and from the upper-level petition system (docs/exchange.md)."""


@exchange_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--as", "username", help="Export this user's area; default: the whole banner.")
@click.option("--state", type=click.Choice(list(CASE_STATES)),
              help="Only the cases in this state.")
@with_appcontext
def exchange_export_command(path, username, state):
    """Write the cases to PATH (.xlsx, or .json) in the upper system's record layout."""
    from app.services import exchange

    records = exchange.export_records(_acting_user(username), state=state)
    if path.lower().endswith(".json"):
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(exchange.to_json(records), fh, ensure_ascii=False, indent=1)
    else:
        with open(path, "wb") as fh:
            fh.write(exchange.to_xlsx(records))
    click.echo(f"{len(records)} cases → {path}")


@exchange_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "username", help="Import as this user (scope and roles); default: "
              "the system, with every right.")
@with_appcontext
def exchange_import_command(path, username):
    """Register the cases assigned down in PATH (.xlsx or .json) for screening; all or
    nothing."""
    from app.services import exchange

    user = _acting_user(username)
    with open(path, "rb") as fh:
        payload = fh.read()
    try:
        records = exchange.read_upload(path, payload)
    except exchange.ExchangeFileError as err:
        raise click.ClickException(str(err)) from err
    result = exchange.import_assigned(records, user)
    if result.errors:
        for error in result.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"nothing was saved ({len(result.errors)} problems)")
    for number in result.numbers:
        click.echo(number)


@click.group("webhooks")
def webhooks_group():
    """Webhooks for integrators (run `deliver` every minute, e.g. from cron)."""


@webhooks_group.command("deliver")
@click.option("--limit", default=100, show_default=True, type=int,
              help="At most this many deliveries in one run.")
@with_appcontext
def webhooks_deliver_command(limit):
    """Queue overdue transfers' events, then send every delivery that is due."""
    from app.services import webhooks

    queued = webhooks.enqueue_overdue_transfers()
    counts = webhooks.deliver_due(limit)
    click.echo(f"queued {queued} overdue transfers; delivered {counts['delivered']}, "
               f"to retry {counts['retrying']}, given up {counts['failed']}")
