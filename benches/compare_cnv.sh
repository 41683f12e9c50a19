#!/usr/bin/env bash
# Exon-level copy number: puente vs CNVkit on the same simulated cohort. cnv_accuracy simulates
# NORMALS normals (the panel of normals / CNVkit's pooled reference), NEGATIVES lesion-free samples,
# one sample per tumour fraction carrying every focal lesion of src/sim/cnv.rs (het IKZF1 Δ4-7, PAX5,
# ERG, ETV6, BTG1, EBF1, RB1, PAR1; homozygous CDKN2A/B; RUNX1 +3 copies) and a hyperdiploid and a
# near-haploid sample; every sample has germline SNPs and its own GC bias. Both tools get the same
# bins (every exon on its own: puente's copy-number bins) and the same normals. A lesion is found when
# a passing call (puente) or a segment with cn != 2 (CNVkit `call`, given the tumour fraction as
# purity) of the right direction overlaps its exons; false calls are other changed calls/segments on
# the copy-number genes (on the negatives: any).
# Usage: benches/compare_cnv.sh [DEPTH] [NORMALS] [NEGATIVES] [TFS]
set -euo pipefail
cd "$(dirname "$0")/.."
depth=${1:-420}
normals=${2:-20}
negatives=${3:-20}
tfs=${4:-0.3,0.5,0.8}
work=${WORK:-target/compare-cnv}
mkdir -p "$work"
venv=${CNVKIT_VENV:-$work/cnvkit-venv}
if [ ! -x "$venv/bin/cnvkit.py" ]; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q cnvkit
fi
command -v samtools >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq samtools >/dev/null; }
cnvkit=$venv/bin/cnvkit.py
cargo build --release --quiet --example cnv_accuracy
# (rerun only when the example was rebuilt: simulated BAMs are reused either way)
if [ ! -s "$work/puente.tsv" ] || [ target/release/examples/cnv_accuracy -nt "$work/puente.tsv" ]; then
  target/release/examples/cnv_accuracy "$work" "$depth" "$normals" "$negatives" "$tfs" \
    > "$work/puente.tsv" 2> "$work/puente.log"
fi

# CNVkit, amplicon mode on the same bins (no off-target bins: a panel), Haar segmentation (CBS needs
# R), segment confidence intervals and `call --filter ci` as its documentation recommends
[ -f "$work/ref.fa" ] || { zcat "$work/ref.fa.gz" > "$work/ref.fa" && samtools faidx "$work/ref.fa"; }
ck=$work/cnvkit
mkdir -p "$ck"
: > "$ck/empty.bed"
: > "$ck/cnvkit.log"
ckrun() { "$cnvkit" "$@" 2>>"$ck/cnvkit.log" >/dev/null || { echo "cnvkit.py $1 failed:" >&2; tail "$ck/cnvkit.log" >&2; exit 1; }; }
start=$(date +%s.%N)
for bam in "$work"/*.bam; do
  s=$(basename "$bam" .bam)
  [ -f "$ck/$s.targetcoverage.cnn" ] || ckrun coverage -q 20 -p 2 "$bam" "$work/bins.bed" -o "$ck/$s.targetcoverage.cnn"
  [ -f "$ck/$s.antitargetcoverage.cnn" ] || ckrun coverage -q 20 "$bam" "$ck/empty.bed" -o "$ck/$s.antitargetcoverage.cnn"
done
ckrun reference "$ck"/NORMAL*.targetcoverage.cnn -f "$work/ref.fa" --no-edge -o "$ck/reference.cnn"
python3 - "$work" > "$ck/purity.tsv" <<'PY'
import json, sys
for t in json.load(open(f"{sys.argv[1]}/truth.json")):
    s = t["spec"]
    print(s["sample_id"], s["tumor_fraction"] if t["expected"] else 0)
PY
while read -r s tf; do
  ckrun fix "$ck/$s.targetcoverage.cnn" "$ck/$s.antitargetcoverage.cnn" "$ck/reference.cnn" --no-edge -o "$ck/$s.cnr"
  ckrun segment "$ck/$s.cnr" -m haar -o "$ck/$s.cns"
  # confidence intervals per segment; `call --filter ci` drops segments whose interval spans 0
  ckrun segmetrics "$ck/$s.cnr" -s "$ck/$s.cns" --ci -o "$ck/$s.ci.cns"
  if [ "$tf" != 0 ]; then
    ckrun call "$ck/$s.ci.cns" --filter ci --purity "$tf" -o "$ck/$s.call.cns"
  else
    ckrun call "$ck/$s.ci.cns" --filter ci -o "$ck/$s.call.cns"
  fi
done < "$ck/purity.tsv"
end=$(date +%s.%N)
echo "cnvkit_seconds $(echo "$end - $start" | bc)" > "$ck/time.txt"

python3 - "$work" <<'PY'
import collections, json, re, sys
work = sys.argv[1]
truth = json.load(open(f"{work}/truth.json"))
bins = collections.defaultdict(list)
for l in open(f"{work}/bins.bed"):
    c, a, b, name = l.split()[:4]
    m = re.fullmatch(r"(.+)_exon(\d+)", name)
    if m:
        bins[m.group(1)].append((int(m.group(2)), c, int(a), int(b)))
genes = sorted(bins)

def exon_span(g, first, last):
    ex = [x for x in bins[g] if first <= x[0] <= last]
    return ex[0][1], min(x[2] for x in ex), max(x[3] for x in ex)

def cnvkit_calls(s):
    out = []
    lines = open(f"{work}/cnvkit/{s}.call.cns").read().splitlines()
    head = lines[0].split("\t")
    for l in lines[1:]:
        f = dict(zip(head, l.split("\t")))
        cn = int(float(f["cn"]))
        if cn == 2:
            continue
        c, a, b = f["chromosome"], int(f["start"]), int(f["end"])
        hit = [g for g in genes if any(x[1] == c and x[2] < b and a < x[3] for x in bins[g])]
        for g in hit:
            out.append((g, "loss" if cn < 2 else "gain", f"{c}:{a}-{b} cn={cn}"))
    return out

puente = collections.defaultdict(list)
rows = [l.split("\t") for l in open(f"{work}/puente.tsv").read().split("\n\n")[0].splitlines()[1:]]
for r in rows:
    if r[1] == "pon":
        puente[(r[0], r[2])].append(r[5] == "true")
false_p = collections.Counter()
section = open(f"{work}/puente.tsv").read().split("\n\n")[1].splitlines()[1:]
for l in section:
    s, base = l.split("\t")[:2]
    if base == "pon":
        false_p[s] += 1

table = collections.defaultdict(dict)
false_c = collections.Counter()
for t in truth:
    s = t["spec"]["sample_id"]
    calls = cnvkit_calls(s)
    used = set()
    for e in t["expected"]:
        want = "loss" if e["state"] in ("DEL", "HOMDEL") else "gain"
        hit = [i for i, c in enumerate(calls) if c[0] == e["gene"] and c[1] == want]
        used.update(hit)
        tf = t["spec"]["tumor_fraction"]
        table[(e["gene"], e["label"])][(tf, "puente")] = "yes" if all(puente[(s, e["gene"])]) else "-"
        table[(e["gene"], e["label"])][(tf, "CNVkit")] = "yes" if hit else "-"
    expected_genes = {e["gene"] for e in t["expected"]}
    false_c[s] = len({c[0] for i, c in enumerate(calls) if i not in used and c[0] not in expected_genes})

tfs = sorted({k[0] for v in table.values() for k in v})
print("| lesion | " + " | ".join(f"TF {tf} {tool}" for tf in tfs for tool in ("puente", "CNVkit")) + " |")
print("|---|" + "---|" * (2 * len(tfs)))
for (g, label), r in sorted(table.items()):
    print(f"| {label} | " + " | ".join(r.get((tf, tool), "-") for tf in tfs for tool in ("puente", "CNVkit")) + " |")
negs = [t["spec"]["sample_id"] for t in truth if not t["expected"] and t["ploidy"] == "none"]
print()
print(f"| tool | negatives with a false call | false calls on negatives | false calls on lesion samples |")
print("|---|---|---|---|")
les = [t["spec"]["sample_id"] for t in truth if t["expected"]]
print(f"| puente | {sum(1 for s in negs if false_p[s])}/{len(negs)} | {sum(false_p[s] for s in negs)} | {sum(false_p[s] for s in les)} |")
print(f"| CNVkit | {sum(1 for s in negs if false_c[s])}/{len(negs)} | {sum(false_c[s] for s in negs)} | {sum(false_c[s] for s in les)} |")
pt = [l for l in open(f"{work}/puente.log") if l.startswith("puente_seconds")][0].split()[1]
print()
print(f"wall, all samples: puente {pt} s (PoN + QC + SNP pileup + copy number); CNVkit {float(open(f'{work}/cnvkit/time.txt').read().split()[1]):.1f} s (coverage + reference + fix + segment + call)")
PY
