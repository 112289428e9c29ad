#!/usr/bin/env bash
# Installs everything the tests need into .venv and runs the whole suite: on SQLite and
# on PostgreSQL (TEST_DATABASE_URL, default the local server's `test`, and for the second
# PostgreSQL lane `<that>_second`, created when missing).
# Set REQUIRE_POSTGRES=1 to fail instead of skipping when PostgreSQL is not reachable.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# The editable install follows the code by itself; pip runs again (~7 s, before any test
# can start) only when what it installed from changes: pyproject.toml, or the Python.
stamp=".venv/.daiban-test-install"
wanted="$(cat pyproject.toml; .venv/bin/python -VV)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[test]"
  printf '%s' "$wanted" > "$stamp"
fi
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
# The suite starts dozens of Python processes (the three lanes, the `flask` and
# seed subprocesses of the migration, demo and bench tests). Where the environment says
# not to write bytecode, each compiled the app and pytest rewrote the test modules again:
# ~2.5 s more for each pytest process, ~0.4 s for each app start. __pycache__ is ignored
# by git.
unset PYTHONDONTWRITEBYTECODE

ruff check app tests bench migrations

# Three independent processes (FAB's AppBuilder is one per process) on independent
# databases, side by side on the machine's cores, each into its own log, then all shown:
# every test on SQLite, and every test on PostgreSQL in two lanes, the second on a
# database of its own (tests/conftest.py, DAIBAN_TEST_LANE, says which test runs where).
PG_BASE=${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}
status=0
logs=$(mktemp -d)
DAIBAN_TEST_DB=sqlite DAIBAN_TEST_LANE=main python -m pytest "$@" > "$logs/sqlite.log" 2>&1 &
sqlite_pid=$!
DAIBAN_TEST_DB=postgresql DAIBAN_TEST_LANE=main TEST_DATABASE_URL="$PG_BASE" \
  python -m pytest "$@" -rs > "$logs/pg.log" 2>&1 &
pg_pid=$!
DAIBAN_TEST_DB=postgresql DAIBAN_TEST_LANE=second TEST_DATABASE_URL="${PG_BASE}_second" \
  python -m pytest "$@" -rs > "$logs/second.log" 2>&1 &
second_pid=$!
for pid in $sqlite_pid $pg_pid $second_pid; do
  set +e
  wait "$pid"
  lane_status=$?
  set -e
  # 5: pytest collected nothing (a lane given tests that all belong to another lane)
  if [ "$lane_status" -ne 0 ] && [ "$lane_status" -ne 5 ]; then status=$lane_status; fi
done
echo "== SQLite =="
cat "$logs/sqlite.log"
echo "== PostgreSQL =="
cat "$logs/pg.log"
echo "== PostgreSQL, second lane =="
cat "$logs/second.log"
if grep -q "PostgreSQL half skipped" "$logs/pg.log" "$logs/second.log"; then
  echo "!! The PostgreSQL half was SKIPPED: PostgreSQL is not reachable at $PG_BASE."
  if [ "${REQUIRE_POSTGRES:-0}" = "1" ]; then status=1; fi
fi
rm -rf "$logs"
exit $status
