//! Sparse GRCh38 reference: real contig names and lengths, synthetic sequence with realistic structure
//! (GC isochores, homopolymers, short tandem repeats, diverged copies of an interspersed repeat) inside
//! windows around the panel's targets, N elsewhere. Written as bgzipped FASTA + .fai + .gzi; BGZF blocks
//! of pure N are compressed once and reused, so the 3.1 Gb genome takes seconds and a few MB.
use crate::error::{Error, Result};
use crate::ingest::build::GenomeBuild;
use crate::model::Region;
use crate::panel::Panel;
use flate2::{write::DeflateEncoder, Compression};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

const LINE: usize = 60;
/// Uncompressed bytes per BGZF block: a multiple of LINE+1 so N-only blocks repeat byte for byte.
const BLOCK: usize = 61 * 1000;

/// In-memory sequence of the simulated windows, used by the read simulator.
#[derive(Debug, Clone, Default)]
pub struct SimGenome {
    pub contigs: Vec<(String, u64)>,
    /// contig -> [(start0, sequence)] sorted, non-overlapping
    pub windows: BTreeMap<String, Vec<(u64, Vec<u8>)>>,
}

impl SimGenome {
    /// Reference base at 0-based `pos` (N outside windows).
    pub fn base(&self, chrom: &str, pos: u64) -> u8 {
        self.slice(chrom, pos, pos + 1)
            .map(|s| s[0])
            .unwrap_or(b'N')
    }

    /// Sequence of [start, end) if it lies inside one window.
    pub fn slice(&self, chrom: &str, start: u64, end: u64) -> Option<&[u8]> {
        let w = self.windows.get(chrom)?;
        let i = w.partition_point(|(s, _)| *s <= start).checked_sub(1)?;
        let (s, seq) = &w[i];
        (end <= s + seq.len() as u64).then(|| &seq[(start - s) as usize..(end - s) as usize])
    }
}

impl crate::annotate::transcript::Sequence for SimGenome {
    fn fetch(&self, chrom: &str, start0: u64, end0: u64) -> Option<Vec<u8>> {
        let len = self.contigs.iter().find(|(c, _)| c == chrom)?.1;
        if end0 > len {
            return None;
        }
        // N outside the simulated windows, as in the written FASTA
        Some((start0..end0).map(|p| self.base(chrom, p)).collect())
    }
}

fn merge_windows(
    regions: &[Region],
    pad: u64,
    build: GenomeBuild,
) -> BTreeMap<String, Vec<(u64, u64)>> {
    let mut by: BTreeMap<String, Vec<(u64, u64)>> = BTreeMap::new();
    for r in regions {
        let len = build.contig_length(&r.chrom).unwrap_or(r.end);
        by.entry(r.chrom.clone())
            .or_default()
            .push((r.start.saturating_sub(pad), (r.end + pad).min(len)));
    }
    for v in by.values_mut() {
        v.sort();
        let mut out: Vec<(u64, u64)> = Vec::new();
        for (s, e) in v.drain(..) {
            match out.last_mut() {
                Some(l) if s <= l.1 => l.1 = l.1.max(e),
                _ => out.push((s, e)),
            }
        }
        *v = out;
    }
    by
}

/// Synthetic sequence with the structure that makes callers fail in real data.
fn synth(len: usize, rng: &mut ChaCha8Rng, repeat: &[u8]) -> Vec<u8> {
    const B: [u8; 4] = *b"ACGT";
    let mut s = Vec::with_capacity(len + 400);
    let mut gc: f64 = rng.gen_range(0.36..0.60);
    while s.len() < len {
        if s.len() % 5000 == 0 {
            gc = (gc + rng.gen_range(-0.05..0.05)).clamp(0.32, 0.65);
        }
        let x: f64 = rng.gen();
        if x < 0.003 {
            let b = B[rng.gen_range(0..4)];
            let n = rng.gen_range(6..15);
            s.extend(std::iter::repeat_n(b, n));
        } else if x < 0.0045 {
            let unit = [B[rng.gen_range(0..4)], B[rng.gen_range(0..4)]];
            for _ in 0..rng.gen_range(5..13) {
                s.extend_from_slice(&unit);
            }
        } else if x < 0.0052 {
            for &b in repeat {
                s.push(if rng.gen_bool(0.12) {
                    B[rng.gen_range(0..4)]
                } else {
                    b
                });
            }
        } else {
            let strong = rng.gen_bool(gc);
            s.push(if strong {
                [b'G', b'C'][rng.gen_range(0..2)]
            } else {
                [b'A', b'T'][rng.gen_range(0..2)]
            });
        }
    }
    s.truncate(len);
    s
}

struct Bgzf<W: Write> {
    out: W,
    buf: Vec<u8>,
    coffset: u64,
    uoffset: u64,
    gzi: Vec<(u64, u64)>,
    cache: HashMap<Vec<u8>, Vec<u8>>,
}

impl<W: Write> Bgzf<W> {
    fn new(out: W) -> Self {
        Bgzf {
            out,
            buf: Vec::with_capacity(BLOCK),
            coffset: 0,
            uoffset: 0,
            gzi: Vec::new(),
            cache: HashMap::new(),
        }
    }

    fn write(&mut self, mut data: &[u8]) -> std::io::Result<()> {
        while !data.is_empty() {
            let n = (BLOCK - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.buf.len() == BLOCK {
                self.flush_block()?;
            }
        }
        Ok(())
    }

    fn compress(data: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::new(6));
        enc.write_all(data)?;
        let cdata = enc.finish()?;
        let mut block = Vec::with_capacity(cdata.len() + 26);
        let bsize = (cdata.len() + 25) as u16;
        block.extend_from_slice(&[
            0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, b'B', b'C', 2, 0,
        ]);
        block.extend_from_slice(&bsize.to_le_bytes());
        block.extend_from_slice(&cdata);
        block.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
        block.extend_from_slice(&(data.len() as u32).to_le_bytes());
        Ok(block)
    }

    fn flush_block(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let only_n = self.buf.iter().all(|&b| b == b'N' || b == b'\n');
        let block = if only_n {
            if let Some(b) = self.cache.get(&self.buf) {
                b.clone()
            } else {
                let b = Self::compress(&self.buf)?;
                if self.cache.len() < 64 {
                    self.cache.insert(self.buf.clone(), b.clone());
                }
                b
            }
        } else {
            Self::compress(&self.buf)?
        };
        self.out.write_all(&block)?;
        self.coffset += block.len() as u64;
        self.uoffset += self.buf.len() as u64;
        self.gzi.push((self.coffset, self.uoffset));
        self.buf.clear();
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<Vec<(u64, u64)>> {
        self.flush_block()?;
        // BGZF EOF marker
        self.out.write_all(&[
            0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, b'B', b'C', 2, 0, 0x1b, 0, 3, 0, 0, 0, 0,
            0, 0, 0, 0, 0,
        ])?;
        self.out.flush()?;
        self.gzi.pop(); // no entry for the end of the last block
        Ok(self.gzi)
    }
}

/// The sparse reference for `panel` in memory: random sequence around every capture and fusion
/// window, the pinned transcripts' coding sequence planted. Deterministic in `seed`.
pub fn build_genome(panel: &Panel, seed: u64, pad: u64) -> Result<SimGenome> {
    let build = panel.build().ok_or_else(|| Error::Panel {
        panel: panel.source.clone(),
        reason: "unknown build".into(),
    })?;
    let mut regions = panel.capture.clone();
    regions.extend(panel.fusion_search.iter().cloned());
    let windows = merge_windows(&regions, pad, build);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let repeat = synth(280, &mut rng, &[]);
    let mut genome = SimGenome {
        contigs: build.contigs(),
        windows: BTreeMap::new(),
    };
    for (chrom, ws) in &windows {
        let mut seqs = Vec::new();
        for &(s, e) in ws {
            let mut r = ChaCha8Rng::seed_from_u64(
                seed ^ (s.wrapping_mul(0x9E37_79B9_7F4A_7C15)) ^ chrom.len() as u64,
            );
            seqs.push((s, synth((e - s) as usize, &mut r, &repeat)));
        }
        genome.windows.insert(chrom.clone(), seqs);
    }
    plant_coding(panel, &mut genome);
    Ok(genome)
}

/// Generate the sparse reference for `panel` and write `path` (+ .fai, .gzi). Deterministic in `seed`.
pub fn write_reference(panel: &Panel, path: &Path, seed: u64, pad: u64) -> Result<SimGenome> {
    let genome = build_genome(panel, seed, pad)?;
    write_genome(&genome, path)?;
    Ok(genome)
}

/// Write `genome` as bgzipped FASTA to `path` (+ .fai, .gzi), through temporary files.
pub fn write_genome(genome: &SimGenome, path: &Path) -> Result<()> {
    let tmp = crate::util::tmp_path(path);
    let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let mut w = Bgzf::new(std::io::BufWriter::new(file));
    let mut fai = String::new();
    let io = |e| Error::io(path, e);
    let nline = [b'N'; LINE];
    for (chrom, len) in &genome.contigs {
        let header = format!(">{chrom}\n");
        w.write(header.as_bytes()).map_err(io)?;
        fai.push_str(&format!(
            "{chrom}\t{len}\t{}\t{LINE}\t{}\n",
            w.uoffset + w.buf.len() as u64,
            LINE + 1
        ));
        let ws = genome.windows.get(chrom);
        let mut pos = 0u64;
        let mut wi = 0;
        while pos < *len {
            let n = (LINE as u64).min(len - pos);
            let line_end = pos + n;
            if let Some(ws) = ws {
                while wi < ws.len() && ws[wi].0 + ws[wi].1.len() as u64 <= pos {
                    wi += 1;
                }
            }
            // fast path: a whole line of N
            let in_window = ws.is_some_and(|ws| wi < ws.len() && ws[wi].0 < line_end);
            if !in_window {
                w.write(&nline[..n as usize]).map_err(io)?;
            } else {
                let ws = ws.expect("window");
                let mut line = vec![b'N'; n as usize];
                let mut k = wi;
                while k < ws.len() && ws[k].0 < line_end {
                    let (s, q) = &ws[k];
                    let a = pos.max(*s);
                    let b = line_end.min(s + q.len() as u64);
                    if a < b {
                        line[(a - pos) as usize..(b - pos) as usize]
                            .copy_from_slice(&q[(a - s) as usize..(b - s) as usize]);
                    }
                    k += 1;
                }
                w.write(&line).map_err(io)?;
            }
            w.write(b"\n").map_err(io)?;
            pos = line_end;
        }
    }
    let gzi = w.finish().map_err(io)?;
    crate::util::commit(&tmp, path)?;
    crate::util::write_atomic(
        &path.with_file_name(format!("{}.fai", file_name(path))),
        fai.as_bytes(),
    )?;
    let mut g = Vec::with_capacity(8 + gzi.len() * 16);
    g.extend_from_slice(&(gzi.len() as u64).to_le_bytes());
    for (c, u) in gzi {
        g.extend_from_slice(&c.to_le_bytes());
        g.extend_from_slice(&u.to_le_bytes());
    }
    crate::util::write_atomic(&path.with_file_name(format!("{}.gzi", file_name(path))), &g)?;
    Ok(())
}

/// Make the synthetic sequence behave like a real genome for the panel's genes: every pinned
/// transcript's CDS starts with ATG, ends with a stop and has no stop in between (so HGVS p. names
/// and the reference check at run time work), the hotspot reference alleles are what GRCh38
/// carries, each named hotspot's codon encodes the residue of its name and the hotspot base change
/// gives the named residue (p.G12D reads GGT>GAT), and a PGx insertion of a repeat unit sits in a
/// three-unit repeat, as NUDT15 rs746071566 does.
fn plant_coding(panel: &Panel, genome: &mut SimGenome) {
    use crate::annotate::protein::translate_codon;
    use crate::annotate::transcript::{revcomp, Transcript};
    let transcripts = Transcript::from_panel(panel);
    let set = |g: &mut SimGenome, chrom: &str, pos1: u64, b: u8| {
        if let Some(w) = g.windows.get_mut(chrom) {
            let p = pos1 - 1;
            if let Some((s, seq)) = w
                .iter_mut()
                .find(|(s, q)| *s <= p && p < s + q.len() as u64)
            {
                seq[(p - *s) as usize] = b;
            }
        }
    };
    // transcript-orientation base <-> genome base
    let tx_base = |t: &Transcript, g: &SimGenome, pos1: u64| {
        let b = g.base(&t.chrom, pos1 - 1);
        if t.plus() {
            b
        } else {
            revcomp(&[b])[0]
        }
    };
    let put = |t: &Transcript, g: &mut SimGenome, pos1: u64, b: u8| {
        let b = if t.plus() { b } else { revcomp(&[b])[0] };
        set(g, &t.chrom, pos1, b)
    };
    for h in &panel.hotspots {
        if h.reference == "." {
            continue;
        }
        for (k, b) in h.reference.bytes().enumerate() {
            set(genome, &h.chrom, h.start + k as u64, b);
        }
        // a repeat-unit insertion (anchor base + unit): three units after the anchor
        if h.reference.len() == 1
            && h.alt.len() > 1
            && h.alt.as_bytes()[0] == h.reference.as_bytes()[0]
        {
            let unit = &h.alt.as_bytes()[1..];
            for r in 0..3 {
                for (k, &b) in unit.iter().enumerate() {
                    set(
                        genome,
                        &h.chrom,
                        h.start + 1 + (r * unit.len() + k) as u64,
                        b,
                    );
                }
            }
        }
    }
    for h in &panel.hotspots {
        // pgx rows are named by rsID: their residue change comes from pgx.toml
        let protein = panel
            .pgx
            .position
            .iter()
            .find(|p| p.chrom == h.chrom && p.pos == h.start && p.alt == h.alt)
            .and_then(|p| p.protein.as_deref())
            .unwrap_or(&h.name);
        plant_hotspot_codon(h, protein, &transcripts, genome, &tx_base, &put);
    }
    // last, so the planted alleles cannot leave a stop inside a CDS: fix the coding frame without
    // touching a hotspot base
    let protected: std::collections::HashSet<(String, u64)> = panel
        .hotspots
        .iter()
        .flat_map(|h| (h.start..=h.end + 20).map(move |p| (h.chrom.clone(), p)))
        .collect();
    for t in &transcripts {
        let Some(bases) = t.cds_bases() else { continue };
        let n = bases.len() / 3;
        for k in 0..n {
            let pos = &bases[3 * k..3 * k + 3];
            let codon: Vec<u8> = pos.iter().map(|&p| tx_base(t, genome, p)).collect();
            if codon.contains(&b'N') {
                continue;
            }
            let stop = translate_codon(&codon) == b'*';
            let fixed: Vec<u8> = if k == 0 {
                b"ATG".to_vec()
            } else if k + 1 == n {
                if stop {
                    continue;
                }
                b"TAA".to_vec()
            } else if stop {
                // TAA/TAG/TGA: a C at the third base (Tyr/Cys) or the first (Gln/Arg)
                let j = if protected.contains(&(t.chrom.clone(), pos[2])) {
                    0
                } else {
                    2
                };
                let mut c = codon.clone();
                c[j] = b'C';
                c
            } else {
                continue;
            };
            for (j, &p) in pos.iter().enumerate() {
                put(t, genome, p, fixed[j]);
            }
        }
    }
}

/// Give a named SNV hotspot (`p.G12D`, `c.35G>A`) a codon that encodes the reference residue and,
/// with the hotspot change, the named one.
fn plant_hotspot_codon(
    h: &crate::panel::Hotspot,
    protein: &str,
    transcripts: &[crate::annotate::transcript::Transcript],
    genome: &mut SimGenome,
    tx_base: &dyn Fn(&crate::annotate::transcript::Transcript, &SimGenome, u64) -> u8,
    put: &dyn Fn(&crate::annotate::transcript::Transcript, &mut SimGenome, u64, u8),
) {
    use crate::annotate::protein::translate_codon;
    let name = protein.trim_start_matches("p.").as_bytes();
    let (Some(&from), Some(&to)) = (name.first(), name.last()) else {
        return;
    };
    if h.kind == "codon" {
        // a whole-codon row (`p.R367`, c.1099 = its first base): plant a codon for the residue
        plant_residue(h, from, transcripts, genome, put);
        return;
    }
    if h.reference.len() != 1
        || h.alt.len() != 1
        || !to.is_ascii_uppercase()
        || !from.is_ascii_uppercase()
    {
        return;
    }
    let Some(c) = h
        .hgvs_c
        .strip_prefix("c.")
        .and_then(|r| r.split(|x: char| !x.is_ascii_digit()).next())
        .and_then(|d| d.parse::<u64>().ok())
    else {
        return;
    };
    let Some(t) = transcripts.iter().find(|t| t.gene == h.gene) else {
        return;
    };
    let Some(bases) = t.cds_bases() else { return };
    let k = ((c - 1) / 3) as usize;
    let phase = ((c - 1) % 3) as usize;
    if 3 * k + 3 > bases.len() || bases[3 * k + phase] != h.start {
        return;
    }
    let pos = &bases[3 * k..3 * k + 3];
    let ref_b = tx_base(t, genome, h.start);
    let alt_b = if t.plus() {
        h.alt.as_bytes()[0]
    } else {
        crate::annotate::transcript::revcomp(h.alt.as_bytes())[0]
    };
    for a in b"ACGT" {
        for b in b"ACGT" {
            let mut codon = [*a, *b, b'A'];
            let others: Vec<usize> = (0..3).filter(|&j| j != phase).collect();
            codon[phase] = ref_b;
            codon[others[0]] = *a;
            codon[others[1]] = *b;
            let mut mutated = codon;
            mutated[phase] = alt_b;
            if translate_codon(&codon) == from && translate_codon(&mutated) == to {
                for (j, &p) in pos.iter().enumerate() {
                    put(t, genome, p, codon[j]);
                }
                return;
            }
        }
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Plant the first codon (in ACGT order) coding `aa` at a `codon` hotspot's residue.
fn plant_residue(
    h: &crate::panel::Hotspot,
    aa: u8,
    transcripts: &[crate::annotate::transcript::Transcript],
    genome: &mut SimGenome,
    put: &dyn Fn(&crate::annotate::transcript::Transcript, &mut SimGenome, u64, u8),
) {
    use crate::annotate::protein::translate_codon;
    let c = h
        .hgvs_c
        .strip_prefix("c.")
        .and_then(|d| d.parse::<u64>().ok());
    let (Some(c), Some(t)) = (c, transcripts.iter().find(|t| t.gene == h.gene)) else {
        return;
    };
    let Some(bases) = t.cds_bases() else { return };
    let k = ((c - 1) / 3) as usize;
    if c % 3 != 1 || 3 * k + 3 > bases.len() {
        return;
    }
    let codon = b"ACGT"
        .iter()
        .flat_map(|&a| {
            b"ACGT"
                .iter()
                .flat_map(move |&b| b"ACGT".iter().map(move |&d| [a, b, d]))
        })
        .find(|cod| translate_codon(cod) == aa);
    if let Some(codon) = codon {
        for (j, &p) in bases[3 * k..3 * k + 3].iter().enumerate() {
            put(t, genome, p, codon[j]);
        }
    }
}
