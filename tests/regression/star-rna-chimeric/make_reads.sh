#!/bin/sh
# How reads.sam was made: simulated RNA reads (BCR::ABL1 e1a2 and P2RY8::CRLF2 at 30% tumour
# fraction) aligned by STAR 2.7 with chimeric alignments written into the BAM, then every fragment
# with an SA tag, a mate on another contig or an intron >= 100 kb kept (the evidence, plus STAR's
# multi-mapping artefacts between ABL1 and NUP214).
set -eu
puente simulate --out sim --spec spec.json --seed 7 --fastq
samtools faidx sim/reference.fa.gz chr22 chr9 chrX > sub.fa
mkdir -p idx
STAR --runMode genomeGenerate --genomeDir idx --genomeFastaFiles sub.fa --runThreadN 2 \
  --genomeSAindexNbases 12 --genomeSAsparseD 2
STAR --genomeDir idx --readFilesIn sim/RNASTAR_R1.fastq.gz sim/RNASTAR_R2.fastq.gz \
  --readFilesCommand zcat --runThreadN 2 --outSAMtype BAM SortedByCoordinate \
  --chimSegmentMin 12 --chimJunctionOverhangMin 12 --chimOutType WithinBAM SoftClip \
  --outSAMattributes NH HI AS nM NM MD --outFileNamePrefix star_
B=star_Aligned.sortedByCoord.out.bam
samtools view "$B" | python3 -c "
import sys, re
for l in sys.stdin:
    f = l.split('\t')
    if 'SA:Z:' in l or f[6] not in ('=', '*') or any(int(x) >= 100000 for x in re.findall(r'(\d+)N', f[5])):
        print(f[0])" | sort -u > names.txt
samtools view -H "$B" | grep -v '^@PG\|^@CO' > reads.sam
samtools view "$B" | python3 -c "
import sys
keep = set(open('names.txt').read().split())
sys.stdout.writelines(l for l in sys.stdin if l.split('\t')[0] in keep)" >> reads.sam
