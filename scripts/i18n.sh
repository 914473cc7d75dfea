#!/usr/bin/env bash
# Refresh each addon's i18n/<addon>.pot and merge it into i18n/id.po (obsolete entries
# dropped, no fuzzy matching), then list how many terms still need a translation.
#   scripts/i18n.sh DB [addon ...]     # DB: a database where the addons are installed
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
DB="$1"; shift
if [ "$#" -eq 0 ]; then IFS=, read -r -a addons <<< "$(suite_modules)"; else addons=("$@"); fi
WORK="$(mktemp -d /tmp/suite-i18n.XXXXXX)"
write_config "$WORK/odoo.conf" 18199 "$WORK/data"
for addon in "${addons[@]}"; do
    pot="addons/$addon/i18n/$addon.pot"
    po="addons/$addon/i18n/id.po"
    mkdir -p "addons/$addon/i18n"
    "$ODOO_BIN" -c "$WORK/odoo.conf" -d "$DB" --i18n-export="$WORK/$addon.pot" \
        --modules="$addon" --stop-after-init --log-level=warn
    cp "$WORK/$addon.pot" "$pot"
    if [ -f "$po" ]; then
        msgmerge -q --no-fuzzy-matching --no-wrap -o "$WORK/$addon.po" "$po" "$pot"
        msgattrib --no-obsolete --no-wrap -o "$po" "$WORK/$addon.po"
    else
        msginit --no-translator --no-wrap -l id -i "$pot" -o "$po"
    fi
    echo "$addon: $(msgattrib --untranslated "$po" | grep -c '^msgid ' || true) entries to translate (incl. header)"
done
