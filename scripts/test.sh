#!/usr/bin/env bash
# The one test command: fresh database, every addon installed with its dependencies,
# every addon's tests and the top-level tests/ run by pytest-odoo.
#   scripts/test.sh                     # everything
#   scripts/test.sh addons/payment_va/tests -k notification   # a subset (pytest args)
# Environment: TEST_DB (default suite_test), TEST_HTTP_PORT (default 18069), KEEP_DB=1
# to reuse an existing database (skips the drop and install).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

started=$(date +%s)
DB="${TEST_DB:-suite_test}"
PORT="${TEST_HTTP_PORT:-18069}"
WORK="$(mktemp -d /tmp/suite-test.XXXXXX)"
CONF="$WORK/odoo.conf"
write_config "$CONF" "$PORT" "$WORK/data"
MODULES="$(suite_modules),l10n_id"

if [ "${KEEP_DB:-0}" != "1" ] || ! psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1; then
    echo "== creating database $DB with $MODULES"
    dropdb --if-exists --force "$DB"
    if ! "$ODOO_BIN" -c "$CONF" -d "$DB" -i "$MODULES" --without-demo=all \
            --stop-after-init --log-level=warn > "$WORK/install.log" 2>&1; then
        tail -n 60 "$WORK/install.log"
        echo "Installing the addons failed (full log: $WORK/install.log)" >&2
        exit 1
    fi
    echo "   installed in $(( $(date +%s) - started )) s"
fi

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for dir in addons/*/tests; do
        [ -f "$dir/__init__.py" ] && targets+=("$dir")
    done
    ls tests/test_*.py > /dev/null 2>&1 && targets+=(tests)
fi

echo "== running pytest on ${targets[*]}"
set +e
python3 -m pytest --odoo-config="$CONF" --odoo-database="$DB" --odoo-http \
    -p no:cacheprovider -q -rfE "${targets[@]}"
status=$?
set -e
echo "== total time: $(( $(date +%s) - started )) s"
exit $status
