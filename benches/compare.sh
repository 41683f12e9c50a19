#!/usr/bin/env bash
# puente against the public tools, one comparison per part of the pipeline; each writes a markdown
# table for BENCHMARKS.md (see there for the figures and the arguments each was run with).
#   benches/compare.sh small [DEPTH THREADS PER_CLASS VAFS CONTIGS]   small variants vs bcftools,
#                          freebayes, VarScan on simulator reads (READS=art: art_illumina + bwa mem)
#   benches/compare.sh qc [DEPTH THREADS]                             coverage vs mosdepth, samtools depth
#   benches/compare.sh fusion [DEPTH TFS]                             fusions vs delly, lumpy
#   benches/compare.sh cnv [DEPTH NORMALS NEGATIVES TFS]              copy number vs CNVkit
#   benches/compare.sh align [DEPTH THREADS PER_CLASS VAFS CONTIGS]   FASTQ alignment vs bwa mem, minimap2
#   benches/compare.sh align-real [COVERAGE THREADS]                  placement on real chr21 sequence
# Without arguments: the small-variant comparison on both read sets. WORK=DIR keeps the data there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
what=${1:-small-both}
[ $# -gt 0 ] && shift
case "$what" in
  small) exec "$here/compare_small.sh" "$@" ;;
  small-both)
    READS=sim "$here/compare_small.sh" "$@"
    echo
    READS=art "$here/compare_small.sh" "$@" ;;
  qc) exec "$here/compare_qc.sh" "$@" ;;
  fusion) exec "$here/compare_fusion.sh" "$@" ;;
  cnv) exec "$here/compare_cnv.sh" "$@" ;;
  align) exec "$here/compare_align.sh" "$@" ;;
  align-real) exec "$here/compare_align_real.sh" "$@" ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
