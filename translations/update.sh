#!/usr/bin/env bash
# Extract zhibu's messages, merge them into the zh and en catalogs, compile.
# Calls pybabel directly: `flask fab babel-extract` races and can wipe catalogs.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg -k _l -k lazy_gettext -k gettext -k _ -k ngettext:1,2 \
  --no-location --sort-output --omit-header -o translations/messages.pot app >/dev/null
for lang in zh en; do
  if [ -f "translations/$lang/LC_MESSAGES/messages.po" ]; then
    pybabel update -i translations/messages.pot -d translations -l "$lang" --no-fuzzy-matching --ignore-obsolete >/dev/null
  else
    pybabel init -i translations/messages.pot -d translations -l "$lang" >/dev/null
  fi
done
pybabel compile -d translations --statistics
