#!/usr/bin/env bash
# Fusion detection: puente vs delly and lumpy on the same DNA panel BAMs. The benchmark fusion set
# (src/sim/fusions.rs: BCR::ABL1 p190/p210, ETV6::RUNX1, TCF3::PBX1, KMT2A::AFF1, EBF1::PDGFRB,
# P2RY8::CRLF2, IGH::CRLF2, IGH::DUX4) is planted at each tumour fraction plus a fusion-negative
# sample; reads are aligned with bwa mem, and every tool runs on the bwa BAMs. Recall (a call with
# both breakpoints within 100 bp; exact = to the base, anywhere along sequence the partners
# share at the junction, where a caller must pick one of several equal placements), fusion-like
# false calls (junctions between loci >= 10 kb apart or on two contigs), wall time and peak RSS.
# Usage: benches/compare_fusion.sh [DEPTH] [TFS]   (DEPTH: read depth on the breakpoint regions)
# bwa index of the sparse reference's 11 contigs (1.4 Gb) takes ~30 min once; it is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
depth=${1:-100}
tfs=${2:-0.05,0.1}
threads=${THREADS:-2}
work=${WORK:-target/compare-fusion}
mkdir -p "$work"

missing=()
for p in bwa samtools bcftools delly lumpyexpress samblaster gawk; do command -v "$p" >/dev/null || missing+=("$p"); done
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sed 's/lumpyexpress/lumpy-sv/' | tr '\n' ' ')
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
fi
cargo build --release --quiet --example fusion_accuracy --example fusion_only
bin=target/release/examples

# simulate; puente on the simulator's own BAMs (its SA tags) for reference
"$bin/fusion_accuracy" "$work" "$depth" "$tfs" dna fastq > "$work/puente_simulator_bams.tsv" 2> "$work/simulate.log"
ref=$work/ref.fa.gz
contigs=$(tail -n +2 "$work/truth.tsv" | cut -f2,5 | tr '\t' '\n' | sort -u | tr '\n' ' ')
if [ ! -f "$work/sub.fa.bwt" ]; then
  samtools faidx "$ref" $contigs > "$work/sub.fa" && samtools faidx "$work/sub.fa"
  bwa index "$work/sub.fa" 2> "$work/bwa_index.log"
fi

# run a tool, append "sample tool wall_s peak_kb" to times.tsv; stop the benchmark if it fails
timeit() {
  local s=$1 tool=$2; shift 2
  if ! /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt"; then
    echo "$tool failed on $s:" >&2; tail "$work/stderr.txt" >&2; exit 1
  fi
  printf '%s\t%s\t%s\n' "$s" "$tool" "$(tr ' ' '\t' < "$work/time.txt")" >> "$work/times.tsv"
}

: > "$work/times.tsv"
samples=$(ls "$work"/*_R1.fastq.gz | sed 's#.*/##; s#_R1.fastq.gz##')
for s in $samples; do
  bam=$work/$s.bwa.bam
  if [ ! -f "$bam.bai" ] || [ "$bam" -ot "$work/${s}_R1.fastq.gz" ]; then
    bwa mem -t "$threads" -R "@RG\tID:$s\tSM:$s" "$work/sub.fa" "$work/${s}_R1.fastq.gz" "$work/${s}_R2.fastq.gz" 2>/dev/null \
      | samtools sort -@ "$threads" -o "$bam" - && samtools index "$bam"
  fi
  timeit "$s" puente sh -c "'$bin/fusion_only' '$bam' '$ref' dna > '$work/$s.puente.tsv'"
  timeit "$s" delly delly call -g "$work/sub.fa" -o "$work/$s.delly.bcf" "$bam"
  bcftools view "$work/$s.delly.bcf" > "$work/$s.delly.vcf"
  timeit "$s" lumpy lumpyexpress -B "$bam" -o "$work/$s.lumpy.vcf" -T "$work/lumpy-tmp-$s"
done

python3 - "$work" <<'PY'
import re, sys, collections, subprocess
work = sys.argv[1]
truth = [l.split("\t") for l in open(f"{work}/truth.tsv").read().splitlines()[1:]]
times = collections.defaultdict(dict)
for l in open(f"{work}/times.tsv"):
    s, tool, t, kb = l.split()
    times[tool][s] = (float(t), int(kb))

def puente_calls(path):
    out = []
    for l in open(path).read().splitlines()[1:]:
        f = l.split("\t")
        if f[10]:  # filters
            continue
        c5, p5 = f[1].rsplit(":", 1)
        c3, p3 = f[2].rsplit(":", 1)
        out.append((c5, int(p5), c3, int(p3)))
    return out

def vcf_calls(path, pass_only):
    out, seen = [], set()
    for l in open(path):
        if l.startswith("#"):
            continue
        f = l.rstrip("\n").split("\t")
        if pass_only and f[6] not in ("PASS", "."):
            continue
        info = dict(kv.split("=", 1) if "=" in kv else (kv, True) for kv in f[7].split(";"))
        c1, p1 = f[0], int(f[1])
        m = re.search(r"[\[\]]([^:\[\]]+):(\d+)[\[\]]", f[4])
        if m:
            c2, p2 = m.group(1), int(m.group(2))
        elif "CHR2" in info:
            c2 = info["CHR2"]
            p2 = int(info.get("POS2", info.get("END", p1)))
        else:
            c2, p2 = c1, int(info.get("END", p1))
        key = tuple(sorted([(c1, p1), (c2, p2)]))
        if key in seen or (f[2] and info.get("SECONDARY")):
            continue
        seen.add(key)
        out.append((c1, p1, c2, p2))
    return out

def fusion_like(c):
    return c[0] != c[2] or abs(c[1] - c[3]) >= 10000

def seq(c, a, b):
    """Reference bases c:a-b (1-based, inclusive), upper case."""
    out = subprocess.run(["samtools", "faidx", f"{work}/sub.fa", f"{c}:{a}-{b}"],
                         capture_output=True, text=True, check=True).stdout
    return "".join(out.split("\n")[1:]).upper()

def rc(s):
    return s.translate(str.maketrans("ACGTN", "TGCAN"))[::-1]

def equivalent_junctions(t):
    """Every (pos1, pos2) describing the same planted junction: where the partners share sequence
    the junction can be written anywhere along it, both ends moving together."""
    c1, p1, k1, c2, p2, k2 = t[1], int(t[2]), t[3], t[4], int(t[5]), t[6]
    w = 30
    if k1 == "Left":
        a_in, a_out = seq(c1, p1 - w + 1, p1), seq(c1, p1 + 1, p1 + w)
    else:
        a_in, a_out = rc(seq(c1, p1, p1 + w - 1)), rc(seq(c1, p1 - w, p1 - 1))
    if k2 == "Right":
        b_in, b_out = seq(c2, p2, p2 + w - 1), seq(c2, p2 - w, p2 - 1)
    else:
        b_in, b_out = rc(seq(c2, p2 - w + 1, p2)), rc(seq(c2, p2 + 1, p2 + w))
    fwd = 0
    while fwd < w and a_out[fwd] == b_in[fwd]:
        fwd += 1
    back = 0
    while back < w and a_in[-1 - back] == b_out[-1 - back]:
        back += 1
    d1 = 1 if k1 == "Left" else -1
    d2 = 1 if k2 == "Right" else -1
    return [((c1, p1 + s * d1), (c2, p2 + s * d2)) for s in range(-back, fwd + 1)]

def match(t, c, tol):
    ends = (((c[0], c[1]), (c[2], c[3])), ((c[2], c[3]), (c[0], c[1])))
    if tol == 0:
        return any(e in ends for e in equivalent_junctions(t))
    a = ((t[1], int(t[2])), (t[4], int(t[5])))
    for x, y in ends:
        if all(p[0] == q[0] and abs(p[1] - q[1]) <= tol for p, q in zip(a, (x, y))):
            return True
    return False

samples = sorted(times["puente"])
print(f"| sample | tool | found | exact | false calls | wall s | peak RSS MB |")
print(f"|---|---|---|---|---|---|---|")
per_fusion = collections.defaultdict(dict)
for s in samples:
    calls = {
        "puente": puente_calls(f"{work}/{s}.puente.tsv"),
        "delly": vcf_calls(f"{work}/{s}.delly.vcf", True),
        "lumpy": vcf_calls(f"{work}/{s}.lumpy.vcf", False),
    }
    for tool, cs in calls.items():
        cs = [c for c in cs if fusion_like(c)]
        planted = truth if s != "NEG" else []
        found = exact = 0
        used = set()
        for t in planted:
            hit = [i for i, c in enumerate(cs) if match(t, c, 100)]
            ex = [i for i, c in enumerate(cs) if match(t, c, 0)]
            used.update(hit)
            found += bool(hit)
            exact += bool(ex)
            per_fusion[(t[0], t[1], t[2])][(s, tool)] = "exact" if ex else ("near" if hit else "-")
        false = len([i for i in range(len(cs)) if i not in used])
        t, kb = times[tool][s]
        n = len(planted)
        print(f"| {s} | {tool} | {found}/{n} | {exact}/{n} | {false} | {t:.1f} | {kb / 1024:.0f} |")
print()
cols = [(s, tool) for s in samples if s != "NEG" for tool in ("puente", "delly", "lumpy")]
print("| fusion | " + " | ".join(f"{s} {tool}" for s, tool in cols) + " |")
print("|---|" + "---|" * len(cols))
for (name, c, p), r in per_fusion.items():
    print(f"| {name} {c}:{p} | " + " | ".join(r.get(k, "-") for k in cols) + " |")
PY
