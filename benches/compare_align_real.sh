#!/usr/bin/env bash
# Placement accuracy on real human sequence: art_illumina (HiSeq 2500 error profile) read pairs from
# 1 Mb of GRCh38 chr21 (../shared/data/chr21-1mb: real repeats, homopolymers, GC), aligned by
# `puente align` and by `bwa mem | samtools sort`; each read's primary position is checked against
# art's true alignment (within 20 bp, as clipping moves the leftmost base).
# Usage: benches/compare_align_real.sh [COVERAGE] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
cov=${1:-30}
threads=${2:-2}
src=../shared/data/chr21-1mb/hg38_chr21_22000000_23000000.fasta
[ -s "$src" ] || { echo "needs $src (the shared data folder beside the clone)"; exit 1; }
work=${WORK:-target/compare-align-real}
mkdir -p "$work"
. benches/lib.sh
need art_illumina:art-nextgen-simulation-tools bwa samtools
cargo build --release --quiet --bin puente
cp "$src" "$work/ref.fa" && samtools faidx "$work/ref.fa"
art_illumina -ss HS25 -p -l 150 -f "$cov" -m 300 -s 60 -rs 7 -i "$work/ref.fa" -o "$work/r" -sam -na >/dev/null
[ -s "$work/ref.fa.bwt" ] || bwa index "$work/ref.fa" >/dev/null 2>&1
rm -rf "$work/index"
target/release/puente align --index-only --reference "$work/ref.fa" --index-dir "$work/index" >/dev/null
read -r p_s p_kb < <(timeit target/release/puente align --fastq1 "$work/r1.fq" --fastq2 "$work/r2.fq" \
  --reference "$work/ref.fa" --sample-id ART --out "$work/puente.bam" --index-dir "$work/index" --threads "$threads")
read -r b_s b_kb < <(timeit sh -c "bwa mem -t $threads '$work/ref.fa' '$work/r1.fq' '$work/r2.fq' | samtools sort -@ $threads -o '$work/bwa.bam' -")
echo "| aligner | wall s | time vs puente | reads | unmapped | placed correctly | MAPQ ≥ 20 | of those misplaced |"
echo "|---|---|---|---|---|---|---|---|"
python3 - "$work" "$p_s" "$b_s" <<'PY'
import subprocess, sys
work, p_s, b_s = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
truth = {}
for line in open(f"{work}/r.sam"):
    if line.startswith("@"):
        continue
    f = line.split("\t")
    truth[(f[0].rsplit("/", 1)[0], int(f[1]) & 0xC0)] = int(f[3])
for label, bam, s in [("puente align", "puente.bam", p_s), ("bwa mem + samtools sort", "bwa.bam", b_s)]:
    view = subprocess.run(["samtools", "view", "-F", "0x900", f"{work}/{bam}"], capture_output=True, text=True, check=True)
    n = unm = ok = hq = hq_bad = 0
    for line in view.stdout.splitlines():
        f = line.split("\t")
        flag = int(f[1])
        n += 1
        if flag & 4:
            unm += 1
            continue
        t = truth.get((f[0], flag & 0xC0))
        good = t is not None and abs(int(f[3]) - t) <= 20
        ok += good
        if int(f[4]) >= 20:
            hq += 1
            hq_bad += not good
    print(f"| {label} | {s:.1f} | {s / p_s:.2f} | {n} | {unm} | {ok / n:.4%} | {hq / n:.4%} | {hq_bad} |")
PY
echo
echo "art_illumina HS25 2x150, ${cov}x of 1 Mb chr21, $threads threads, $(nproc) cores, $(date -u +%F)"
