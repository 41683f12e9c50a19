#!/usr/bin/env bash
# Run the workflow locally (snakemake --cores 2) on the demo's data, with one sample given as paired
# FASTQ, run `puente batch` on the same samplesheet, and check both wrote the same results.
#   workflows/test-local.sh DEMO_DIR [WORK_DIR]
# DEMO_DIR is the folder `puente demo --fastq --out DEMO_DIR` wrote. PUENTE and SNAKEMAKE name the
# executables (default: on PATH); SNAKEMAKE_ARGS adds options (slurm-local.sh sends the jobs to
# SLURM with it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
demo=$(cd "$1" && pwd)
work=${2:-$(mktemp -d)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
PUENTE=${PUENTE:-puente}
SNAKEMAKE=${SNAKEMAKE:-snakemake}
# same analysis date in both runs
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(date +%s)}

# the demo's samplesheet with its last sample as FASTQ
python3 - "$demo" "$work/samplesheet.csv" <<'PY'
import csv, os, sys
demo, out = sys.argv[1], sys.argv[2]
with open(os.path.join(demo, "samplesheet.csv"), newline="") as f:
    rows = list(csv.DictReader(f))
fields = [c for c in rows[0].keys()] + ["fastq_1", "fastq_2"]
last = rows[-1]
r1 = os.path.join(demo, "data", f"{last['sample_id']}_R1.fastq.gz")
if not os.path.isfile(r1):
    sys.exit(f"{r1} not found: make the demo with `puente demo --fastq`")
last["bam"] = ""
last["fastq_1"] = r1
last["fastq_2"] = r1.replace("_R1.", "_R2.")
with open(out, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=fields)
    w.writeheader()
    w.writerows(rows)
PY

reference="$demo/data/reference.fa.gz"
pon="$demo/results/pon.tsv"
"$PUENTE" batch "$work/samplesheet.csv" --reference "$reference" --pon "$pon" \
  --out "$work/batch" --index-dir "$work/index" --threads 2

# inter-lab validation inside the workflow: each sample's batch result as the reference lab's
python3 - "$work" <<'PY'
import csv, os, sys
work = sys.argv[1]
with open(os.path.join(work, "samplesheet.csv"), newline="") as f:
    ids = [r["sample_id"] for r in csv.DictReader(f)]
with open(os.path.join(work, "pairs.csv"), "w") as f:
    f.write("sample_id,reference,test,reference_lab,test_lab\n")
    for i in ids:
        f.write(f"{i},batch/{i}/report.json,workflow/{i}/report.json,BATCH,WORKFLOW\n")
PY

cat > "$work/config.yaml" <<YAML
samplesheet: $work/samplesheet.csv
reference: $reference
out: $work/workflow
pon: $pon
puente: $PUENTE
index_dir: $work/index
validation_pairs: $work/pairs.csv
threads_per_sample: 1
mem_mb: 2000
fastq_mem_mb: 4000
YAML
"$SNAKEMAKE" -s "$here/Snakefile" --configfile "$work/config.yaml" \
  --directory "$work" --cores 2 --quiet rules ${SNAKEMAKE_ARGS:-}
test -s "$work/workflow/batch_summary.tsv"
test -s "$work/workflow/validation/validation.json"
python3 "$here/compare_outputs.py" "$work/batch" "$work/workflow"
