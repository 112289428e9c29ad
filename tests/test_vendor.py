"""Vendored front-end files are kept exactly as published (app/static/vendor/MANIFEST.md)."""

import hashlib
import os
import re

import pytest

pytestmark = pytest.mark.any_engine  # nothing of the engine under test

VENDOR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "app", "static", "vendor")


def test_vendored_files_match_the_manifest():
    manifest = open(os.path.join(VENDOR, "MANIFEST.md"), encoding="utf-8").read()
    rows = re.findall(r"\| `([^`]+)`[^|]*\| `([0-9a-f]{64})` \|", manifest)
    assert {path for path, _sha in rows} >= {"echarts/echarts.min.js", "echarts/LICENSE"}
    for path, sha in rows:
        with open(os.path.join(VENDOR, path), "rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == sha, path
