#!/usr/bin/env bash
# Packages the tests use beyond the build: chromium renders report.html in a headless check.
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
run() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq
run apt-get install -y -qq chromium >/dev/null
