#!/usr/bin/env bash
# What the tests use beyond the build: chromium renders report.html headless, fhir.resources
# (PyPI, in .venv-test/) validates report.fhir.json, bcftools (norm + isec) cross-checks
# concordance matching, vt validates variants.vcf.gz against the FASTA, and Snakemake (PyPI, in
# .venv-workflow/) runs the cluster workflow locally in CI (workflows/test-local.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
run() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v bcftools >/dev/null 2>&1 || need+=(bcftools)
command -v vt >/dev/null 2>&1 || need+=(vt)
python3 -c 'import ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  run apt-get update -qq
  run apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -x .venv-test/bin/python ] || ! .venv-test/bin/python -c 'import fhir.resources' 2>/dev/null; then
  python3 -m venv .venv-test
  .venv-test/bin/pip install -q 'fhir.resources==8.3.0'
fi
if [ ! -x .venv-workflow/bin/snakemake ]; then
  python3 -m venv .venv-workflow
  .venv-workflow/bin/pip install -q 'snakemake==9.27.1' 'snakemake-executor-plugin-slurm==2.8.0'
fi
