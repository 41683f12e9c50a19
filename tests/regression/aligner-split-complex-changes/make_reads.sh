#!/usr/bin/env bash
# How reads.sam was made: benches/compare_align.sh 200 2 5 0.05,0.1 chr12 aligns the simulator's reads
# (reference seed 7) with bwa mem into $WORK/bwa.bam; the reads over the three loci, half of the
# fragments (by a hash of the read name), are kept.
set -euo pipefail
bam=${1:?usage: make_reads.sh WORK/bwa.bam}
samtools view -H "$bam" | grep -v '^@PG'
samtools view "$bam" chr12:111447990-111447998 chr12:112446296-112446302 chr12:11885950-11885956 \
  | awk -F'\t' '{ h = 0; for (i = 1; i <= length($1); i++)
      h = (h * 31 + index("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz:_-", substr($1, i, 1))) % 1000
      if (h < 500) print }' \
  | sort -u | sort -k3,3 -k4,4n
