#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine: the package with its dev extras,
# and Debian's headless Chromium for the report rendering test. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
# pip has failed once on a fresh machine inside its own version parsing and passed when run again: one retry
python -m pip install -q --disable-pip-version-check -e ".[dev]" || python -m pip install -q --disable-pip-version-check -e ".[dev]"
