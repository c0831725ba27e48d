#!/usr/bin/env bash
# Extra packages for the benchmark peers only (not needed by the tests or CI).
set -euo pipefail
[[ "$(uname -s)" == "Darwin" ]] && exit 0
missing=()
for p in python3-torch python3-numpy; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
