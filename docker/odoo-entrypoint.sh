#!/bin/sh
# Entrypoint of the "odoo" service in docker-compose.yml (official odoo:18.0 image).
#
# 1. waits for PostgreSQL;
# 2. if the database $DB_NAME does not exist: installs the suite without demo data,
#    then runs /mnt/scripts/setup_demo.py through `odoo shell` (demo company and
#    connections pointing at $GATEWAY_BASE_URL); on failure the half-made
#    database is dropped so that the next start tries again;
# 3. serves Odoo on port 8069.
#
# The image does not forward HOST/USER/PASSWORD to commands other than "odoo",
# so every Odoo command line below gets explicit --db_* flags.
set -eu

DB_HOST="${DB_HOST:-db}"
DB_PORT="${DB_PORT:-5432}"
DB_USER="${DB_USER:-odoo}"
DB_PASSWORD="${DB_PASSWORD:-odoo}"
DB_NAME="${DB_NAME:-demo}"
GATEWAY_BASE_URL="${GATEWAY_BASE_URL:-http://gateways:8070}"
DEMO_MODULES="${DEMO_MODULES:-base_integration,marketplace_sync,payment_va,carrier_api,efaktur_export,l10n_id}"
WAIT_SECONDS="${WAIT_SECONDS:-60}"

# psql, pg_isready and dropdb (postgresql-client, shipped in the image) read these.
PGHOST="$DB_HOST"
PGPORT="$DB_PORT"
PGUSER="$DB_USER"
PGPASSWORD="$DB_PASSWORD"
export PGHOST PGPORT PGUSER PGPASSWORD GATEWAY_BASE_URL

set -- --db_host "$DB_HOST" --db_port "$DB_PORT" \
    --db_user "$DB_USER" --db_password "$DB_PASSWORD"

waited=0
until pg_isready -d postgres -q; do
    if [ "$waited" -ge "$WAIT_SECONDS" ]; then
        echo "odoo-entrypoint: PostgreSQL at $DB_HOST:$DB_PORT not ready after ${WAIT_SECONDS}s" >&2
        exit 1
    fi
    waited=$((waited + 1))
    sleep 1
done

db_exists=$(psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")
if [ "$db_exists" != "1" ]; then
    echo "odoo-entrypoint: creating database $DB_NAME with $DEMO_MODULES"
    if odoo "$@" -d "$DB_NAME" -i "$DEMO_MODULES" --without-demo=all --stop-after-init \
        && odoo shell "$@" -d "$DB_NAME" --no-http < /mnt/scripts/setup_demo.py; then
        echo "odoo-entrypoint: database $DB_NAME ready"
    else
        echo "odoo-entrypoint: setting up $DB_NAME failed; dropping it so the next start retries" >&2
        dropdb --if-exists "$DB_NAME" || true
        exit 1
    fi
fi

exec odoo "$@" -d "$DB_NAME" --http-port 8069
