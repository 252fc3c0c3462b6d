#!/usr/bin/env bash
# Turns a fresh Debian 12 machine (as root) into one that can run and test Sanaq.
# Idempotent: a second run checks and returns quickly.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(grep -v '^#' deploy/system-packages.txt | grep -v '^$' | tr '\n' ' ')
missing=()
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "bootstrap: missing Debian packages: ${missing[*]} (run as root, or apt-get install them)" >&2
    exit 1
  fi
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ "${1:-}" = "--system-only" ] && exit 0

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv with $($PYTHON --version)"
  $PYTHON -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]' \
  2> >(grep -v 'is ignored: it is neither' >&2)
echo "bootstrap: ready (.venv)"
