#!/usr/bin/env bash
# Run the product locally (Odoo 18 installed on this machine, PostgreSQL on 127.0.0.1):
# creates the "demo" database once (every addon, l10n_id, an Indonesian demo company and
# demo connections), starts the bundled gateway test servers, and serves Odoo on
# http://localhost:8069 (login admin / admin).
# Environment: DEMO_DB (default demo), HTTP_PORT (8069), GATEWAY_PORT (8070), RESET=1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

DB="${DEMO_DB:-demo}"
PORT="${HTTP_PORT:-8069}"
GATEWAY_PORT="${GATEWAY_PORT:-8070}"
CONF="${RUN_CONF:-/tmp/odoo-indonesia-suite-run.conf}"
write_config "$CONF" "$PORT" "/tmp/odoo-indonesia-suite"
export GATEWAY_BASE_URL="http://127.0.0.1:$GATEWAY_PORT"
export ODOO_URL="http://127.0.0.1:$PORT"

[ "${RESET:-0}" = "1" ] && dropdb --if-exists --force "$DB"
if ! psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1; then
    echo "== creating database $DB (a few minutes)"
    if ! "$ODOO_BIN" -c "$CONF" -d "$DB" -i "$(suite_modules),l10n_id" --without-demo=all \
            --stop-after-init --log-level=warn \
        || ! "$ODOO_BIN" shell -c "$CONF" -d "$DB" --no-http --log-level=warn \
            < "$ROOT/scripts/setup_demo.py"; then
        dropdb --if-exists --force "$DB"
        echo "Creating the demo database failed." >&2
        exit 1
    fi
fi

echo "== gateway test servers on $GATEWAY_BASE_URL"
(cd "$ROOT/addons/base_integration/tests" && exec python3 -m gateway_servers --host 127.0.0.1 --port "$GATEWAY_PORT") &
GATEWAYS=$!
trap 'kill $GATEWAYS 2>/dev/null || true' EXIT
echo "== Odoo on http://localhost:$PORT (database $DB, login admin / admin)"
# -d without --db-filter: Odoo serves this database without listing databases on
# every request (webhooks come without a session cookie).
"$ODOO_BIN" -c "$CONF" -d "$DB" "$@"
