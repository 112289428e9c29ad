"""The signed entrustment's scan: uploaded with the acceptance, served only to users who
may see the case; a wrong file is refused and the case stays as it was."""

import io

import pytest

from app.extensions import db
from app.models import Case
from tests.clients import sign_in
from tests.lifecycle_helpers import SIGNED_ON, case_page, staff_people

pytestmark = pytest.mark.usefixtures("english_ui")


def _accept(client, case_id, filename, content=b"%PDF-1.4 scan"):
    version = case_page(client, case_id).split('name="version" value="')[1].split('"')[0]
    return client.post(
        f"/caseview/act/{case_id}/accept",
        data={"version": version, "entrustment_signer": "王某",
              "entrustment_signed_on": SIGNED_ON.isoformat(),
              "entrustment_scan": (io.BytesIO(content), filename)},
        content_type="multipart/form-data", follow_redirects=True,
    )


def test_scan_uploaded_with_acceptance_and_served_in_scope(db_app, world, monkeypatch,
                                                           tmp_path):
    monkeypatch.setitem(db_app.config, "DAIBAN_UPLOAD_DIR", str(tmp_path))
    staff_people(world)
    case_id = world.cases["A"].id
    agent = sign_in(db_app, "agentA")

    refused = _accept(agent, case_id, "scan.exe")
    assert "PDF, JPEG or PNG" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case_id).state == "registered"
    assert list(tmp_path.iterdir()) == []

    assert "alert-success" in _accept(agent, case_id, "签字.pdf").get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Case, case_id).entrustment_file
    assert stored.endswith(".pdf") and "签字" not in stored
    scan = agent.get(f"/caseview/entrustment_scan/{case_id}")
    assert scan.status_code == 200 and scan.data == b"%PDF-1.4 scan"
    assert sign_in(db_app, "agentB").get(
        f"/caseview/entrustment_scan/{case_id}").status_code == 404
