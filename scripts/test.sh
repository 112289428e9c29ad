#!/usr/bin/env bash
# Installs everything the tests need into .venv and runs the whole suite twice: on
# SQLite and on PostgreSQL (TEST_DATABASE_URL, default the local server's `test`).
# Set REQUIRE_POSTGRES=1 to fail instead of skipping when PostgreSQL is not reachable.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
VENV_BIN=.venv/bin bash scripts/i18n.sh compile >/dev/null

# Browser tests (tests/test_browser.py) need Debian's Chromium, a CJK font so that
# screenshots show Chinese, and poppler-utils (pdftoppm, pdfinfo, pdffonts) to check the
# printed PDFs; the Mongolian font comes from the app itself, never from the machine. In
# CI, as root, install them once (quietly; a no-op when present). Elsewhere the tests
# skip without them.
if [ "$(id -u)" = "0" ] && { [ -n "${CI:-}" ] || [ "${INSTALL_BROWSER:-0}" = "1" ]; } \
   && command -v apt-get >/dev/null 2>&1; then
  if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 \
     || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends chromium fonts-noto-cjk poppler-utils; } >/dev/null 2>&1 \
      || echo "!! could not install chromium/fonts-noto-cjk/poppler-utils: browser tests will be skipped"
  fi
fi
export PATH="$PWD/.venv/bin:$PATH"

ruff check app tests bench migrations

# The two halves are independent processes (FAB's AppBuilder is one per process) on
# independent databases: run them side by side, each into its own log, then show both.
status=0
logs=$(mktemp -d)
DAIBAN_TEST_DB=sqlite python -m pytest "$@" > "$logs/sqlite.log" 2>&1 &
sqlite_pid=$!
DAIBAN_TEST_DB=postgresql python -m pytest "$@" -rs > "$logs/pg.log" 2>&1 &
pg_pid=$!
wait $sqlite_pid || status=$?
set +e
wait $pg_pid
pg_status=$?
set -e
echo "== SQLite =="
cat "$logs/sqlite.log"
echo "== PostgreSQL =="
cat "$logs/pg.log"
[ "$pg_status" -eq 0 ] || status=$pg_status
if grep -q "PostgreSQL half skipped" "$logs/pg.log"; then
  echo "!! The PostgreSQL half was SKIPPED: PostgreSQL is not reachable at ${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}."
  if [ "${REQUIRE_POSTGRES:-0}" = "1" ]; then status=1; fi
fi
rm -rf "$logs"
exit $status
