#!/usr/bin/env bash
# Extract → update → compile the translation catalogs (see docs/i18n.md).
#   scripts/i18n.sh            extract from app/, merge FAB's and WTForms' msgids, update
#                              translations/{zh,mn} and compile them
#   scripts/i18n.sh compile    only compile the .po files into .mo (install/test time)
# New msgids arrive untranslated; tests/test_catalogs.py fails until they are filled in.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV_BIN:-.venv/bin}
[ -x "$BIN/pybabel" ] || BIN=$(dirname "$(command -v pybabel)")
if [ "${1:-}" != "compile" ]; then
  tmp=$(mktemp)
  trap 'rm -f "$tmp"' EXIT
  "$BIN/pybabel" extract -F babel.cfg -k _l -k lazy_gettext -k N_ \
    --no-location --sort-output --project daiban -o "$tmp" . >/dev/null 2>&1
  "$BIN/python" scripts/merge_pot.py "$tmp" translations/messages.pot
  for lang in zh mn; do
    if [ -f "translations/$lang/LC_MESSAGES/messages.po" ]; then
      "$BIN/pybabel" update -i translations/messages.pot -d translations -l "$lang" \
        --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --width 100 >/dev/null
    else
      "$BIN/pybabel" init -i translations/messages.pot -d translations -l "$lang" --width 100 >/dev/null
    fi
  done
fi
"$BIN/pybabel" compile -d translations --statistics 2>&1 | grep -v "^compiling" || true
