#!/usr/bin/env bash
# Shared by scripts/*.sh: repository paths and an Odoo configuration with absolute paths.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_BIN="${ODOO_BIN:-odoo}"
PGHOST="${PGHOST:-127.0.0.1}"
export PGHOST

# Every addon of the repository, comma separated (installable ones only).
suite_modules() {
    local names=()
    for manifest in "$ROOT"/addons/*/__manifest__.py; do
        if python3 -c "import ast,sys; m=ast.literal_eval(open(sys.argv[1]).read()); sys.exit(0 if m.get('installable', True) else 1)" "$manifest"; then
            names+=("$(basename "$(dirname "$manifest")")")
        fi
    done
    (IFS=,; echo "${names[*]}")
}

# write_config FILE HTTP_PORT DATA_DIR: odoo.conf with absolute addons path and given port.
write_config() {
    local file="$1" port="$2" data_dir="$3"
    sed -e "s#^addons_path *=.*#addons_path = $ROOT/addons#" \
        -e "s#^http_port *=.*#http_port = $port#" \
        -e "s#^gevent_port *=.*#gevent_port = $((port + 3))#" \
        -e "s#^data_dir *=.*#data_dir = $data_dir#" \
        "$ROOT/odoo.conf" > "$file"
}
