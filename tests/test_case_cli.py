"""The CLI takes case actions through the same services."""

import pytest

from app.extensions import db
from app.models import Case
from tests.lifecycle_helpers import staff_people

pytestmark = pytest.mark.usefixtures("english_ui")


def test_cli_takes_an_action_and_refuses_clearly(db_app, world):
    staff_people(world)
    runner = db_app.test_cli_runner()
    case_id = world.cases["A"].id
    result = runner.invoke(args=["case-action", str(case_id), "supervise", "--as", "clerkA",
                                 "--set", "comment=请加快办理"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Case, case_id).supervised is True
    refused = runner.invoke(args=["case-action", str(case_id), "conclude", "--as", "agentA",
                                  "--set", "reply=x"])
    assert refused.exit_code != 0 and "present state" in refused.output
    other = runner.invoke(args=["case-action", str(case_id), "supervise", "--as", "clerkB",
                                "--set", "comment=x"])
    assert other.exit_code != 0 and "no such case" in other.output
