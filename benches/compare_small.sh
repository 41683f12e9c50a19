#!/usr/bin/env bash
# Small-variant accuracy and speed: puente vs `bcftools mpileup | bcftools call`, freebayes and VarScan
# on the same panel BAM (random SNVs, MNVs, 1-30 bp indels and delins at the given VAFs in the
# reportable regions of the chosen contigs). Recall by class and VAF, precision, wall time, peak RSS.
# Usage: benches/compare_small.sh [DEPTH] [THREADS] [PER_CLASS] [VAFS] [CONTIGS]
# READS=sim (default): reads from puente's simulator with their true alignments.
# READS=art: reads from art_illumina (HiSeq 2500 error profile, 2x150) drawn from the reference and
# from one haplotype per VAF in proportion, aligned with bwa mem: a public simulator's errors and a
# real aligner's representation of each change.
set -euo pipefail
cd "$(dirname "$0")/.."
depth=${1:-1000}
threads=${2:-2}
per_class=${3:-20}
vafs=${4:-0.01,0.02,0.05,0.1}
contigs=${5:-all}
reads=${READS:-sim}
work=${WORK:-target/compare-small}/$reads
mkdir -p "$work"

. benches/lib.sh
need bcftools samtools freebayes varscan
[ "$reads" = sim ] || need art_illumina:art-nextgen-simulation-tools bwa
cargo build --release --quiet --example small_accuracy --example small_only
bin=target/release/examples
ref=$work/ref.fa.gz

if [ "$reads" = sim ]; then
  # simulate (and score puente once, which also writes truth.tsv and regions.bed)
  "$bin/small_accuracy" "$work" "$depth" "$per_class" "$vafs" "$contigs" > "$work/puente_accuracy.txt"
  bam=$work/ACC.bam
else
  bam=$work/ART.bam
  if [ ! -s "$bam" ]; then
    "$bin/small_accuracy" "$work" "$depth" "$per_class" "$vafs" "$contigs" haplotypes
    # read depth per haplotype: VAF x depth for each variant haplotype, the rest from the reference
    rest=$(python3 -c "import sys; print(max(0.0, 1 - sum(map(float, sys.argv[1].split(',')))))" "$vafs")
    : > "$work/ART_R1.fq"; : > "$work/ART_R2.fq"
    n=0
    for h in ref $(echo "$vafs" | tr ',' ' '); do
      n=$((n + 1))
      if [ "$h" = ref ]; then w=$rest; else w=$h; fi
      fold=$(python3 -c "print(round($depth * $w, 3))")
      art_illumina -ss HS25 -p -l 150 -f "$fold" -m 300 -s 60 -rs $((100 + n)) -na -q \
        -d "h$n" -i "$work/hap_$h.fa" -o "$work/art_$h" >/dev/null
      cat "$work/art_${h}1.fq" >> "$work/ART_R1.fq"; cat "$work/art_${h}2.fq" >> "$work/ART_R2.fq"
      rm -f "$work/art_${h}1.fq" "$work/art_${h}2.fq"
    done
    [ -s "$work/segments.fa.bwt" ] || { segments_fasta "$ref" "$work/segments.fa" && bwa index "$work/segments.fa" >/dev/null 2>&1; }
    samtools faidx "$ref" 2>/dev/null || true
    bwa mem -t "$threads" "$work/segments.fa" "$work/ART_R1.fq" "$work/ART_R2.fq" 2>/dev/null > "$work/ART.sam"
    # art simulates no PCR duplicates, so none are marked
    finish "$work/ART.sam" "$bam" "$ref.fai" ART "$threads" nodup
    rm -f "$work/ART.sam"
  fi
fi
# freebayes reads plain FASTA only: the contigs in use
used=$(cut -f1 "$work/regions.bed" | uniq | tr '\n' ' ')
samtools faidx "$ref" $used > "$work/ref_sub.fa" && samtools faidx "$work/ref_sub.fa"

read -r p_s p_kb < <(timeit "$bin/small_only" "$bam" "$ref" "$threads" "$work/puente.tsv")
# bcftools: same read filters (MAPQ 20, BQ 13), no depth cap, multiallelic caller, variants only
read -r b_s b_kb < <(timeit sh -c "bcftools mpileup --threads $threads -f '$ref' -R '$work/regions.bed' -q 20 -Q 13 -d 100000 -a AD,DP -Ou '$bam' | bcftools call --threads $threads -mv -Ou | bcftools norm -f '$ref' -m -any -Ov -o '$work/bcftools.vcf'")
# freebayes in its low-frequency (pooled-continuous) mode with matching thresholds
read -r f_s f_kb < <(timeit sh -c "freebayes -f '$work/ref_sub.fa' -t '$work/regions.bed' --pooled-continuous -F 0.005 -C 3 -q 13 -m 20 --min-coverage 10 '$bam' | bcftools norm -f '$ref' -m -any -Ov -o '$work/freebayes.vcf'")
# VarScan 2 on samtools mpileup (no BAQ, same read filters), its low-VAF settings: 0.5% minimum VAF,
# 3 alt reads, p < 0.01, strand filter on (its default)
read -r v_s v_kb < <(timeit sh -c "samtools mpileup -B -q 20 -Q 13 -d 100000 -l '$work/regions.bed' -f '$ref' '$bam' 2>/dev/null | varscan mpileup2cns --min-coverage 10 --min-reads2 3 --min-avg-qual 13 --min-var-freq 0.005 --p-value 0.01 --variants 1 --output-vcf 1 > '$work/varscan.raw.vcf'")
# VarScan's VCF has no contig lines; bcftools norm needs them
{ grep '^##' "$work/varscan.raw.vcf"; awk '{printf "##contig=<ID=%s,length=%s>\n", $1, $2}' "$ref.fai"; grep -v '^##' "$work/varscan.raw.vcf"; } \
  | bcftools norm -f "$ref" -m -any -Ov -o "$work/varscan.vcf"

python3 - "$work" "$p_s" "$p_kb" "$b_s" "$b_kb" "$f_s" "$f_kb" "$v_s" "$v_kb" <<'PY'
import sys
work, p_s, p_kb, b_s, b_kb, f_s, f_kb, v_s, v_kb = sys.argv[1:]
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
         ("freebayes, any record", vcf_ids(f"{work}/freebayes.vcf", -1), f_s, f_kb),
         # VarScan writes every variant it reports as PASS
         ("VarScan mpileup2cns", vcf_ids(f"{work}/varscan.vcf", -1), v_s, v_kb)]
# callers that write an MNV or delins as separate SNVs/indels: their pieces are not calls of
# something absent, so they are counted apart
complex_spans = []
for i, (c, v) in truth.items():
    if c in ("mnv", "delins"):
        chrom, pos, r, a = i.split(":")
        complex_spans.append((chrom, int(pos), int(pos) + len(r)))
def piece_of_complex(i):
    chrom, pos, r, a = i.split(":")
    return any(c == chrom and lo <= int(pos) <= hi for c, lo, hi in complex_spans)
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
    fp = [i for i in ids if i not in truth]
    pieces = sum(piece_of_complex(i) for i in fp)
    note = f"; {pieces} are pieces of a planted MNV/delins" if pieces else ""
    print(f"| {name} | " + " | ".join(cells) + f" | {prec:.3f} ({len(fp)} FP{note}) | {float(s):.1f} | {int(kb) / 1024:.0f} |")
missed = sorted(i for i in truth if i not in puente)
false = sorted(i for i in puente if i not in truth)
with open(f"{work}/puente_errors.txt", "w") as f:
    f.writelines(f"missed {i} {truth[i][0]} {truth[i][1]}\n" for i in missed)
    f.writelines(f"false {i}\n" for i in false)
PY
echo
echo "BAM ($reads reads): $(samtools view -c -F 0x900 "$bam") primary reads, exon depth ${depth}x, contigs $contigs, $threads threads, $(nproc) cores, $(date -u +%F)"
