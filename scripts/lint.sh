#!/usr/bin/env bash
# The mandatory lint: ruff (check and format) and pylint-odoo's blocking checks
# (.pylintrc-mandatory), as the pre-commit hooks run them, without fetching hooks from
# the network. The tools live in a virtualenv (.venv, made from requirements-dev.txt on
# first use), so that Odoo's pinned packages stay as they are.
#   scripts/lint.sh            # every addon, scripts/ and tests/
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

VENV="${LINT_VENV:-$ROOT/.venv}"
if ! "$VENV/bin/python" -c 'import pylint_odoo' 2>/dev/null || [ ! -x "$VENV/bin/ruff" ]; then
    echo "== virtualenv $VENV with requirements-dev.txt"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements-dev.txt
fi
PATH="$VENV/bin:$PATH"

addons=()
for manifest in addons/*/__manifest__.py; do
    addons+=("$(dirname "$manifest")")
done

echo "== ruff check"
ruff check addons scripts tests
echo "== ruff format --check"
ruff format --check addons scripts tests
echo "== pylint-odoo (mandatory checks) on ${addons[*]}"
"$VENV/bin/python" -m pylint --rcfile=.pylintrc-mandatory --jobs=2 "${addons[@]}"
echo "== lint passed"
