#!/usr/bin/env bash
# Small-variant accuracy and speed: puente vs `bcftools mpileup | bcftools call` and freebayes on the
# same simulated panel BAM (random SNVs, MNVs, 1-30 bp indels and delins at the given VAFs in the
# reportable regions of the chosen contigs). Recall by class and VAF, precision, wall time, peak RSS.
# Usage: benches/compare_small.sh [DEPTH] [THREADS] [PER_CLASS] [VAFS] [CONTIGS]
set -euo pipefail
cd "$(dirname "$0")/.."
depth=${1:-1000}
threads=${2:-2}
per_class=${3:-20}
vafs=${4:-0.01,0.02,0.05,0.1}
contigs=${5:-all}
work=${WORK:-target/compare-small}
mkdir -p "$work"

missing=()
for p in bcftools samtools freebayes; do command -v "$p" >/dev/null || missing+=("$p"); done
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
cargo build --release --quiet --example small_accuracy --example small_only
bin=target/release/examples

# simulate (and score puente once, which also writes truth.tsv and regions.bed)
"$bin/small_accuracy" "$work" "$depth" "$per_class" "$vafs" "$contigs" > "$work/puente_accuracy.txt"
bam=$work/ACC.bam
ref=$work/ref.fa.gz
# freebayes reads plain FASTA only: the contigs in use
used=$(cut -f1 "$work/regions.bed" | uniq | tr '\n' ' ')
samtools faidx "$ref" $used > "$work/ref_sub.fa" && samtools faidx "$work/ref_sub.fa"

timeit() { /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || { cat "$work/stderr.txt"; exit 1; }; cat "$work/time.txt"; }

read -r p_s p_kb < <(timeit "$bin/small_only" "$bam" "$ref" "$threads" "$work/puente.tsv")
# bcftools: same read filters (MAPQ 20, BQ 13), no depth cap, multiallelic caller, variants only
read -r b_s b_kb < <(timeit sh -c "bcftools mpileup --threads $threads -f '$ref' -R '$work/regions.bed' -q 20 -Q 13 -d 100000 -a AD,DP -Ou '$bam' | bcftools call --threads $threads -mv -Ou | bcftools norm -f '$ref' -m -any -Ov -o '$work/bcftools.vcf'")
# freebayes in its low-frequency (pooled-continuous) mode with matching thresholds
read -r f_s f_kb < <(timeit sh -c "freebayes -f '$work/ref_sub.fa' -t '$work/regions.bed' --pooled-continuous -F 0.005 -C 3 -q 13 -m 20 --min-coverage 10 '$bam' | bcftools norm -f '$ref' -m -any -Ov -o '$work/freebayes.vcf'")

python3 - "$work" "$p_s" "$p_kb" "$b_s" "$b_kb" "$f_s" "$f_kb" <<'PY'
import sys, collections
work, p_s, p_kb, b_s, b_kb, f_s, f_kb = sys.argv[1:]
truth = {}
for line in open(f"{work}/truth.tsv").read().splitlines()[1:]:
    i, c, v = line.split("\t")
    truth[i] = (c, float(v))

def vcf_ids(path, min_qual):
    ids = set()
    for l in open(path):
        if l.startswith("#"):
            continue
        f = l.split("\t")
        if f[6] not in ("PASS", ".") or f[4] == "*":
            continue
        if f[5] != "." and float(f[5]) < min_qual:
            continue
        r, a = f[3], f[4]
        # trim shared suffix and anchor like puente's normalizer (bcftools norm left-aligns)
        while len(r) > 1 and len(a) > 1 and r[-1] == a[-1]:
            r, a = r[:-1], a[:-1]
        pos = int(f[1])
        while len(r) > 1 and len(a) > 1 and r[0] == a[0] and (len(r) != len(a)) and r[1] == a[1]:
            r, a, pos = r[1:], a[1:], pos + 1
        if len(r) == len(a):
            while r and r[0] == a[0]:
                r, a, pos = r[1:], a[1:], pos + 1
        ids.add(f"{f[0]}:{pos}:{r}:{a}")
    return ids

puente = set()
for l in open(f"{work}/puente.tsv"):
    c, p, r, a, filt = l.rstrip("\n").split("\t")
    if filt == "PASS":
        puente.add(f"{c}:{p}:{r}:{a}")
# external tools: their calls at QUAL >= 20, and every record they emitted at all (upper bound)
tools = [("puente (PASS)", puente, p_s, p_kb),
         ("bcftools mpileup\\|call, QUAL>=20", vcf_ids(f"{work}/bcftools.vcf", 20), b_s, b_kb),
         ("bcftools, any record", vcf_ids(f"{work}/bcftools.vcf", -1), b_s, b_kb),
         ("freebayes --pooled-continuous, QUAL>=20", vcf_ids(f"{work}/freebayes.vcf", 20), f_s, f_kb),
         ("freebayes, any record", vcf_ids(f"{work}/freebayes.vcf", -1), f_s, f_kb)]
strata = sorted({(c, v) for c, v in truth.values()})
print("| tool | " + " | ".join(f"{c} {v:g}" for c, v in strata) + " | precision | wall s | peak RSS MB |")
print("|---|" + "---|" * (len(strata) + 3))
for name, ids, s, kb in tools:
    cells = []
    for st in strata:
        want = [i for i, t in truth.items() if t == st]
        cells.append(f"{sum(i in ids for i in want)}/{len(want)}")
    tp = sum(i in truth for i in ids)
    prec = tp / len(ids) if ids else 1.0
    print(f"| {name} | " + " | ".join(cells) + f" | {prec:.3f} ({len(ids) - tp} FP) | {float(s):.1f} | {int(kb) / 1024:.0f} |")
PY
echo
echo "BAM: $(samtools view -c -F 0x900 "$bam") primary reads, exon depth ${depth}x, contigs $contigs, $threads threads, $(nproc) cores, $(date -u +%F)"
