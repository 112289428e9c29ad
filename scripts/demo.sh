#!/usr/bin/env bash
# Installs daiban into .venv, creates and migrates the SQLite database under instance/,
# seeds the demo banner and starts the server on $PORT (default 5000).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/pybabel compile -d translations >/dev/null
.venv/bin/flask --app app db upgrade
.venv/bin/flask --app app sync-roles >/dev/null
.venv/bin/flask --app app seed-demo
exec .venv/bin/python app.py
