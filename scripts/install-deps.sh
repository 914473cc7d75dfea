#!/usr/bin/env bash
# Installs the project's own Python and Debian dependencies when they are missing.
# Odoo 18 itself comes from ../shared/odoo/install.sh (see README).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

missing_apt=()
while read -r pkg; do
    case "$pkg" in ''|'#'*) continue ;; esac
    dpkg -s "$pkg" > /dev/null 2>&1 || missing_apt+=("$pkg")
done < "$ROOT/apt-packages.txt"
if [ "${#missing_apt[@]}" -gt 0 ]; then
    echo "== apt-get install ${missing_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_apt[@]}" > /dev/null
fi

if ! python3 - "$ROOT/requirements.txt" <<'PY' 2>/dev/null
import sys
from importlib.metadata import PackageNotFoundError, version
from packaging.requirements import Requirement
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    req = Requirement(line)
    try:
        if not req.specifier.contains(version(req.name), prereleases=True):
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
then
    echo "== pip install -r requirements.txt"
    python3 -m pip install -q -r "$ROOT/requirements.txt"
fi
