#!/usr/bin/env bash
# Install the one system package the build needs (libclang-dev, for rust-htslib's bindings) when missing.
set -euo pipefail
dpkg -s libclang-dev >/dev/null 2>&1 && exit 0
run() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq
run apt-get install -y -qq libclang-dev >/dev/null
