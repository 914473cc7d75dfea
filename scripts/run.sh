#!/usr/bin/env bash
# Run the product locally (Odoo 18 installed on this machine, PostgreSQL on 127.0.0.1):
# starts the bundled gateway test servers with the demo control panel
# (http://localhost:8070/), creates the "demo" database once (every addon, l10n_id, an
# Indonesian demo company, users, demo connections, a connected shop with an order
# waiting, an invoice with its VA: scripts/setup_demo.py), and serves Odoo on
# http://localhost:8069 (login admin / admin).
# Environment: DEMO_DB (default demo), HTTP_PORT (8069), GATEWAY_PORT (8070), RESET=1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

DB="${DEMO_DB:-demo}"
PORT="${HTTP_PORT:-8069}"
GATEWAY_PORT="${GATEWAY_PORT:-8070}"
CONF="${RUN_CONF:-/tmp/odoo-indonesia-suite-run.conf}"
DATA_DIR="/tmp/odoo-indonesia-suite"
write_config "$CONF" "$PORT" "$DATA_DIR"
export GATEWAY_BASE_URL="http://127.0.0.1:$GATEWAY_PORT"
# Where the gateways send pushes and notifications, and where the browser goes back
# to after a shop's consent page (the same URL: everything runs on this machine).
export ODOO_URL="http://localhost:$PORT"
# The gateways' state (tokens, orders, VAs) lives as long as the database.
mkdir -p "$DATA_DIR" && chmod 700 "$DATA_DIR"
STATE="$DATA_DIR/gateways-$DB.pickle"
started=$(date +%s)

[ "${RESET:-0}" = "1" ] && dropdb --if-exists --force "$DB"
create=0
if ! psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1; then
    create=1
    rm -f "$STATE"
fi

echo "== gateway test servers and control panel on http://localhost:$GATEWAY_PORT/"
(cd "$ROOT/addons/base_integration/tests" && exec python3 -m gateway_servers \
    --host 127.0.0.1 --port "$GATEWAY_PORT" --odoo-url "$ODOO_URL" --state "$STATE") &
GATEWAYS=$!
trap 'kill $GATEWAYS 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $GATEWAY_PORT), 1)" \
        2>/dev/null && break
    kill -0 $GATEWAYS 2>/dev/null || { echo "The gateway servers did not start." >&2; exit 1; }
    sleep 0.2
done

if [ "$create" = "1" ]; then
    echo "== creating database $DB (a few minutes)"
    if ! "$ODOO_BIN" -c "$CONF" -d "$DB" -i "$(suite_modules),l10n_id" --without-demo=all \
            --stop-after-init --log-level=warn \
        || ! "$ODOO_BIN" shell -c "$CONF" -d "$DB" --no-http --log-level=warn \
            < "$ROOT/scripts/setup_demo.py"; then
        dropdb --if-exists --force "$DB"
        echo "Creating the demo database failed." >&2
        exit 1
    fi
    echo "== demo database ready after $(( $(date +%s) - started )) s"
fi

echo "== Odoo on http://localhost:$PORT (database $DB, login admin / admin;"
echo "   sales / sales, warehouse / warehouse, accounting / accounting)"
echo "== demo control panel: http://localhost:$GATEWAY_PORT/"
# -d without --db-filter: Odoo serves this database without listing databases on
# every request (webhooks come without a session cookie).
"$ODOO_BIN" -c "$CONF" -d "$DB" "$@"
