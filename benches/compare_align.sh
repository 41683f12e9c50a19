#!/usr/bin/env bash
# FASTQ alignment: puente's embedded minimap2 vs `bwa mem` and `minimap2 -ax sr` on the same simulated
# read pairs (random SNVs/MNVs/indels at low VAF on the chosen contigs plus the DNA fusion set):
# alignment throughput, peak memory, and the small-variant recall/precision and fusions puente calls
# from each BAM (and from the simulator's own, true alignments).
# Usage: benches/compare_align.sh [DEPTH] [THREADS] [PER_CLASS] [VAFS] [CONTIGS]
set -euo pipefail
cd "$(dirname "$0")/.."
depth=${1:-500}
threads=${2:-2}
per_class=${3:-10}
vafs=${4:-0.05,0.1}
contigs=${5:-chr12,chr13,chr9}
work=${WORK:-target/compare-align}
mkdir -p "$work"

. benches/lib.sh
need bwa minimap2 samtools
cargo build --release --quiet --bin puente --example align_accuracy
bin=target/release
ex=$bin/examples/align_accuracy

[ -s "$work/ALN_R1.fastq.gz" ] || "$ex" "$work" simulate "$depth" "$per_class" "$vafs" "$contigs"
ref=$work/ref.fa.gz
r1=$work/ALN_R1.fastq.gz
r2=$work/ALN_R2.fastq.gz
pairs=$(( $(zcat "$r1" | wc -l) / 4 ))

# the CLI aligners get the reference's sequence stretches between assembly gaps (as puente indexes
# it), named contig:offset, and their SAM is moved back to contig coordinates (benches/lib.sh)
[ -s "$work/segments.fa" ] || segments_fasta "$ref" "$work/segments.fa"
samtools faidx "$ref" 2>/dev/null || true

# indexes (not timed in the table: built once per reference)
rm -rf "$work/index"
read -r pi_s pi_kb < <(timeit "$bin/puente" align --index-only --reference "$ref" --index-dir "$work/index" --threads "$threads")
[ -s "$work/segments.fa.bwt" ] || bwa index "$work/segments.fa" >/dev/null 2>&1
[ -s "$work/segments.mmi" ] || minimap2 -x sr -d "$work/segments.mmi" "$work/segments.fa" >/dev/null 2>&1

# alignment alone (reads in, alignments out)
read -r p_s p_kb < <(timeit "$bin/puente" align --fastq1 "$r1" --fastq2 "$r2" --reference "$ref" \
  --sample-id ALN --out "$work/puente.bam" --index-dir "$work/index" --threads "$threads")
read -r b_s b_kb < <(timeit sh -c "bwa mem -t $threads '$work/segments.fa' '$r1' '$r2' > '$work/bwa.sam'")
read -r m_s m_kb < <(timeit sh -c "minimap2 -t $threads -ax sr '$work/segments.mmi' '$r1' '$r2' > '$work/mm2.sam'")
# the same end product as puente align: coordinate-sorted, duplicates marked, indexed
read -r bf_s bf_kb < <(timeit bash -c ". benches/lib.sh; finish '$work/bwa.sam' '$work/bwa.bam' '$ref.fai' ALN $threads")
read -r mf_s mf_kb < <(timeit bash -c ". benches/lib.sh; finish '$work/mm2.sam' '$work/mm2.bam' '$ref.fai' ALN $threads")

echo "| aligner | align s | + sort, markdup, index s | total s | pairs/s | peak RSS MB (align) | total vs puente |"
echo "|---|---|---|---|---|---|---|"
awk -v s="$p_s" -v kb="$p_kb" -v n="$pairs" 'BEGIN{printf "| puente align (minimap2 2.30 inside) | %.1f | (included) | %.1f | %.0f | %.0f | 1.00 |\n", s, s, n/s, kb/1024}'
awk -v s="$b_s" -v f="$bf_s" -v kb="$b_kb" -v n="$pairs" -v p="$p_s" -v v="$(bwa 2>&1 | awk '/Version/ {print $2}')" 'BEGIN{printf "| bwa mem %s | %.1f | %.1f | %.1f | %.0f | %.0f | %.2f |\n", v, s, f, s+f, n/s, kb/1024, (s+f)/p}'
awk -v s="$m_s" -v f="$mf_s" -v kb="$m_kb" -v n="$pairs" -v p="$p_s" -v v="$(minimap2 --version)" 'BEGIN{printf "| minimap2 %s -ax sr | %.1f | %.1f | %.1f | %.0f | %.0f | %.2f |\n", v, s, f, s+f, n/s, kb/1024, (s+f)/p}'
echo
echo "| BAM | small variants found (recall) | precision | fusions detected | fusions exact |"
echo "|---|---|---|---|---|"
"$ex" "$work" score "$work/ALN.bam" "simulator (true alignments)" 2>>"$work/missed.txt"
"$ex" "$work" score "$work/puente.bam" "puente align" 2>>"$work/missed.txt"
"$ex" "$work" score "$work/bwa.bam" "bwa mem" 2>>"$work/missed.txt"
"$ex" "$work" score "$work/mm2.bam" "minimap2 -ax sr" 2>>"$work/missed.txt"
echo
echo "$pairs read pairs (2x150), exon depth ${depth}x, VAFs $vafs, $threads threads, $(nproc) cores, $(date -u +%F);"
echo "puente index build: ${pi_s} s, $(awk -v kb="$pi_kb" 'BEGIN{printf "%.0f", kb/1024}') MB"
