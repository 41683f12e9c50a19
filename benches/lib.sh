# Shared by the benches/compare*.sh scripts (sourced, not run). They set $work before calling these.

# need CMD[:DEBIAN_PACKAGE] ...: install from Debian whatever is missing. VarScan is in Debian's
# non-free component, which is enabled for it when needed.
need() {
  local missing=() p cmd pkg
  for p in "$@"; do
    cmd=${p%%:*}
    pkg=${p#*:}
    command -v "$cmd" >/dev/null || missing+=("$pkg")
  done
  [ -x /usr/bin/time ] || missing+=(time)
  [ ${#missing[@]} -gt 0 ] || return 0
  if [[ " ${missing[*]} " == *" varscan "* ]] && ! grep -rqs "non-free" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: contrib non-free\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$(. /etc/os-release && echo "$VERSION_CODENAME")" > /etc/apt/sources.list.d/debian-non-free.sources
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# timeit CMD...: run it, print "wall_seconds peak_rss_kb"; on failure show its stderr and stop.
timeit() {
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" \
    || { cat "$work/stderr.txt"; exit 1; }
  cat "$work/time.txt"
}

# segments_fasta REF.fa[.gz] OUT.fa: the reference's sequence between assembly gaps (N runs of
# 1 kb or more), each named contig:offset, as puente indexes it; the CLI aligners get this and
# `lift` moves their SAM back to contig coordinates.
segments_fasta() {
  python3 - "$1" "$2" <<'PY'
import gzip, re, sys
src, dst = sys.argv[1], sys.argv[2]
out = open(dst, "w")
def flush(name, seq):
    if name is None:
        return
    s = "".join(seq).upper()
    for m in re.finditer(r"[^N]+(?:N{1,999}[^N]+)*", s):
        out.write(f">{name}:{m.start()}\n{m.group(0)}\n")
name, seq = None, []
with (gzip.open(src, "rt") if src.endswith(".gz") else open(src)) as f:
    for line in f:
        if line.startswith(">"):
            flush(name, seq)
            name, seq = line[1:].split()[0], []
        else:
            seq.append(line.strip())
flush(name, seq)
PY
}

# lift FAI RG < SAM-on-segments > SAM-on-contigs (RNAME/POS, RNEXT/PNEXT, SA tags), with the
# reference's header and read group RG on every record.
lift() {
  python3 -c '
import sys
fai, rg = sys.argv[1], sys.argv[2]
print("@HD\tVN:1.6\tSO:unsorted")
for l in open(fai):
    n, ln = l.split("\t")[:2]
    print(f"@SQ\tSN:{n}\tLN:{ln}")
print(f"@RG\tID:{rg}\tSM:{rg}")
def seg(name):
    c, o = name.rsplit(":", 1)
    return c, int(o)
for line in sys.stdin:
    if line.startswith("@"):
        continue
    f = line.rstrip("\n").split("\t")
    if f[2] != "*":
        c, o = seg(f[2]); f[2] = c; f[3] = str(int(f[3]) + o)
    if f[6] not in ("*", "="):
        c, o = seg(f[6]); f[6] = c if c != f[2] else "="; f[7] = str(int(f[7]) + o)
    elif f[6] == "=" and f[2] != "*":
        f[7] = str(int(f[7]) + o)
    for i in range(11, len(f)):
        if f[i].startswith("SA:Z:"):
            parts = []
            for s in f[i][5:].rstrip(";").split(";"):
                p = s.split(",")
                c, so = seg(p[0]); p[0] = c; p[1] = str(int(p[1]) + so)
                parts.append(",".join(p))
            f[i] = "SA:Z:" + ";".join(parts) + ";"
    f = [x for x in f if not x.startswith("RG:Z:")] + [f"RG:Z:{rg}"]
    print("\t".join(f))
' "$1" "$2"
}

# finish SAM BAM FAI RG THREADS [nodup]: lifted, mate-fixed, coordinate-sorted, duplicate-marked
# (unless nodup) and indexed: the same end product as `puente align`.
finish() {
  local sam=$1 bam=$2 fai=$3 rg=$4 threads=$5 mode=${6:-markdup}
  if [ "$mode" = nodup ]; then
    lift "$fai" "$rg" < "$sam" | samtools fixmate -m -u - - | samtools sort -@ "$threads" -o "$bam" -
  else
    lift "$fai" "$rg" < "$sam" | samtools fixmate -m -u - - | samtools sort -@ "$threads" -u - \
      | samtools markdup -@ "$threads" - "$bam"
  fi
  samtools index "$bam"
}
