#!/usr/bin/env bash
# Coverage QC of puente vs mosdepth and samtools depth on the same simulated panel BAM:
# wall time, peak memory, and whether the per-target mean depths agree.
# Usage: benches/compare_qc.sh [DEPTH] [THREADS]     (default 1000x exon depth, 2 threads)
set -euo pipefail
cd "$(dirname "$0")/.."
depth=${1:-1000}
threads=${2:-2}
work=${WORK:-target/compare}
mkdir -p "$work"

. benches/lib.sh
need mosdepth samtools
# mosdepth dlopens libhts.so
[ -e /usr/lib/x86_64-linux-gnu/libhts.so ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libhts-dev >/dev/null; }

cargo build --release --quiet --bin puente --example qc_only
bin=target/release

cat > "$work/spec.json" <<JSON
{"sample_id":"BENCH","lab_id":"BENCH","seed":11,"depth":$depth,"intron_depth_factor":0.02,"read_len":150,
 "insert_mean":300.0,"insert_sd":60.0,"duplicate_rate":0.08,"tumor_fraction":0.8,
 "variants":[],"deletions":[],"fusions":[],"contigs":[]}
JSON
if [ ! -s "$work/BENCH.bam" ]; then
  "$bin/puente" simulate --out "$work" --spec "$work/spec.json" --seed 5 >/dev/null
fi
pairs=$(( $(samtools view -c -F 0x900 "$work/BENCH.bam") / 2 ))
grep -v '^#' reference-panels/all-v1/capture.bed > "$work/capture.bed"


read -r p_s p_kb < <(timeit "$bin/examples/qc_only" "$work/BENCH.bam" "$threads" "$work/puente.tsv")
# mosdepth: -t adds decompression threads to the main one; -Q 20 and default flags (1796) match puente
read -r m_s m_kb < <(timeit mosdepth -t $((threads - 1)) -Q 20 -n -b "$work/capture.bed" "$work/md" "$work/BENCH.bam")
# samtools depth: -s counts overlapping mates once, -Q 20, default flag filter matches
read -r s_s s_kb < <(timeit sh -c "samtools depth -@ $((threads - 1)) -a -s -Q 20 -b '$work/capture.bed' '$work/BENCH.bam' > '$work/sd.txt'")

zcat "$work/md.regions.bed.gz" | cut -f5 > "$work/md.mean"
awk 'BEGIN{OFS="\t"} NR==FNR {n++; c[n]=$1; s[n]=$2; e[n]=$3; next}
     { while (i < n && (c[i+1] != $1 || e[i+1] < $2)) { if (c[i+1]==$1 && s[i+1] >= $2) break; i++ }
       if (i < n && c[i+1]==$1 && $2 > s[i+1] && $2 <= e[i+1]) sum[i+1] += $3 }
     END { for (k=1; k<=n; k++) printf "%.2f\n", sum[k]/(e[k]-s[k]) }' i=0 "$work/capture.bed" "$work/sd.txt" > "$work/sd.mean"
cut -f5 "$work/puente.tsv" > "$work/p.mean"
maxdiff() { paste "$1" "$2" | awk '{d=$1-$2; if(d<0)d=-d; if(d>m)m=d} END{printf "%.2f", m}'; }
dm=$(maxdiff "$work/p.mean" "$work/md.mean")
ds=$(maxdiff "$work/p.mean" "$work/sd.mean")
ntargets=$(wc -l < "$work/capture.bed")

echo "| tool | wall s | peak RSS MB | time vs puente | max abs diff of target mean depth vs puente ($ntargets targets) |"
echo "|---|---|---|---|---|"
awk -v s="$p_s" -v kb="$p_kb" 'BEGIN{printf "| puente QC | %.2f | %.0f | 1.00 | - |\n", s, kb/1024}'
awk -v s="$m_s" -v kb="$m_kb" -v p="$p_s" -v d="$dm" 'BEGIN{printf "| mosdepth %s | %.2f | %.0f | %.2f | %s |\n", "'"$(mosdepth --version 2>&1 | awk '{print $2}')"'", s, kb/1024, s/p, d}'
awk -v s="$s_s" -v kb="$s_kb" -v p="$p_s" -v d="$ds" 'BEGIN{printf "| samtools depth %s | %.2f | %.0f | %.2f | %s |\n", "'"$(samtools --version | head -1 | awk '{print $2}')"'", s, kb/1024, s/p, d}'
echo
echo "BAM: $pairs read pairs (primary), exon depth ${depth}x, $threads threads, $(nproc) cores, $(date -u +%F)"
