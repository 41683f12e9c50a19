//! Paired-end reads from a [`SimGenome`] with planted lesions, written as a sorted, indexed BAM (correct
//! CIGARs, soft clips, SA tags for chimeric reads) and optionally FASTQ, plus the truth they encode.
use super::reference::SimGenome;
use crate::error::{Error, Result};
use crate::model::Region;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use rust_htslib::bam::{
    self,
    header::HeaderRecord,
    record::{Aux, Cigar, CigarString},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// A small variant, VCF-style (1-based `pos`; indels carry the anchor base).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlantedVariant {
    pub chrom: String,
    pub pos: u64,
    pub reference: String,
    pub alt: String,
    /// Fraction of fragments carrying the alt allele.
    pub vaf: f64,
    pub label: String,
}

/// Loss of `copies` (1 or 2) of [start, end] (1-based inclusive) in the tumour cells.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlantedDeletion {
    pub chrom: String,
    pub start: u64,
    pub end: u64,
    pub copies: u8,
    pub label: String,
}

/// A DNA rearrangement: sequence of `chrom5` up to `pos5` (1-based, last base kept) joined to `chrom3`
/// from `pos3`; `reverse3` when the 3' partner is read on the minus strand (e.g. ETV6(+)::RUNX1(-));
/// `reverse5` when the first segment is `chrom5` from `pos5` on, read on the minus strand (a minus-
/// strand 5' gene such as TCF3 joined to a plus-strand 3' gene).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlantedFusion {
    pub chrom5: String,
    pub pos5: u64,
    pub chrom3: String,
    pub pos3: u64,
    pub reverse3: bool,
    #[serde(default)]
    pub reverse5: bool,
    /// Fraction of fragments at the breakpoint that come from the derivative chromosome (RNA: the
    /// fusion transcript's expression relative to the partners').
    pub fraction: f64,
    pub label: String,
    /// RNA: the fusion transcript joins exons 1..=exon5 of gene5 to exon3..end of gene3.
    #[serde(default)]
    pub rna_exons: Option<RnaJunction>,
}

/// Focal gain of `copies` extra copies of [start, end] (1-based inclusive) in the tumour cells
/// (e.g. the RUNX1 amplification of iAMP21).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlantedGain {
    pub chrom: String,
    pub start: u64,
    pub end: u64,
    pub copies: u8,
    pub label: String,
}

/// Whole-chromosome copy number in the tumour cells: `copies` in all, `b_copies` of them from
/// homologue B (the rest from A). Trisomy: 3/1; tetrasomy: 4/2; monosomy: 1/0; copy-neutral LOH:
/// 2/0. Contigs not listed have two copies, one of each homologue.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChromosomeCopies {
    pub chrom: String,
    pub copies: u8,
    pub b_copies: u8,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RnaJunction {
    pub gene5: String,
    pub exon5: u32,
    pub gene3: String,
    pub exon3: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SampleSpec {
    pub sample_id: String,
    pub lab_id: String,
    pub seed: u64,
    /// Mean fragment-level depth on exon targets.
    pub depth: f64,
    /// Depth on intronic fusion-search and backbone targets relative to `depth`.
    pub intron_depth_factor: f64,
    pub read_len: usize,
    pub insert_mean: f64,
    pub insert_sd: f64,
    pub duplicate_rate: f64,
    pub tumor_fraction: f64,
    pub variants: Vec<PlantedVariant>,
    pub deletions: Vec<PlantedDeletion>,
    pub fusions: Vec<PlantedFusion>,
    /// Only simulate targets on these contigs (tests); empty = all.
    pub contigs: Vec<String>,
    /// RNA library: reads come from transcripts (spliced alignments) and fusion transcripts join
    /// exons; DNA otherwise.
    #[serde(default)]
    pub rna: bool,
    /// Insertions longer than this are soft-clipped on the shorter side, as short-read aligners
    /// do with long insertions and tandem duplications; None keeps every insertion in the CIGAR.
    #[serde(default)]
    pub max_aligned_insertion: Option<u32>,
    #[serde(default)]
    pub gains: Vec<PlantedGain>,
    /// Aneuploidy of the tumour cells (ploidy signal).
    #[serde(default)]
    pub chromosomes: Vec<ChromosomeCopies>,
    /// Give the individual germline SNPs (about one per 600 bp of target, 2/3 heterozygous),
    /// placed from the seed, with allele fractions that follow the chromosome copies.
    #[serde(default)]
    pub germline_snps: bool,
    /// Seed of the child's germline SNPs (default: `seed`): two labs sequencing one child share
    /// it while their reads differ.
    #[serde(default)]
    pub germline_seed: Option<u64>,
    /// Sample-specific GC bias: depth is multiplied by exp(gc_bias × (GC − 0.45)).
    #[serde(default)]
    pub gc_bias: f64,
}

impl SampleSpec {
    pub fn new(sample_id: &str, seed: u64) -> Self {
        SampleSpec {
            sample_id: sample_id.into(),
            lab_id: "LAB-SIM".into(),
            seed,
            depth: 420.0,
            intron_depth_factor: 0.1,
            read_len: 150,
            insert_mean: 300.0,
            insert_sd: 60.0,
            duplicate_rate: 0.08,
            tumor_fraction: 0.8,
            variants: vec![],
            deletions: vec![],
            fusions: vec![],
            contigs: vec![],
            rna: false,
            max_aligned_insertion: None,
            gains: vec![],
            chromosomes: vec![],
            germline_snps: false,
            germline_seed: None,
            gc_bias: 0.0,
        }
    }

    /// Tumour copies of homologues A and B on `chrom`.
    fn homologues(&self, chrom: &str) -> (u8, u8) {
        self.chromosomes
            .iter()
            .find(|c| c.chrom == chrom)
            .map(|c| (c.copies.saturating_sub(c.b_copies), c.b_copies))
            .unwrap_or((1, 1))
    }
}

/// SplitMix64: a position hash, so germline SNPs and target efficiencies do not depend on the
/// order in which targets are simulated.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Capture efficiency of a target: a property of the assay (same in every sample), log-normal.
fn assay_efficiency(chrom: &str, start: u64) -> f64 {
    let h = chrom
        .bytes()
        .fold(0xC0FFEE_u64, |a, b| mix(a ^ b as u64))
        .wrapping_add(start);
    // sum of uniforms: close to a normal with sd 1
    let z: f64 = (0..4)
        .map(|k| unit(mix(h ^ (k * 0x1234_5678))))
        .sum::<f64>()
        - 2.0;
    (0.3 * z * 3f64.sqrt()).exp()
}

/// The individual's germline SNPs in one target, with fragment-level allele fractions given the
/// tumour fraction and the chromosome's homologue copies.
fn germline_snps(
    genome: &SimGenome,
    spec: &SampleSpec,
    t: &Region,
    tf: f64,
) -> Vec<PlantedVariant> {
    let (a, b) = spec.homologues(&t.chrom);
    let total = (1.0 - tf) * 2.0 + tf * (a + b) as f64;
    let seed = mix(spec.germline_seed.unwrap_or(spec.seed) ^ 0x005E_ED0F_6E4D);
    let chrom_h = t.chrom.bytes().fold(seed, |x, c| mix(x ^ c as u64));
    let mut out = Vec::new();
    for pos in t.start..t.end {
        let h = mix(chrom_h ^ pos);
        if unit(h) >= 1.0 / 600.0 {
            continue;
        }
        let r = genome.base(&t.chrom, pos);
        if !matches!(r, b'A' | b'C' | b'G' | b'T') {
            continue;
        }
        let bases = *b"ACGT";
        let others: Vec<u8> = bases.iter().copied().filter(|&x| x != r).collect();
        let alt = others[(mix(h) % 3) as usize];
        let g = unit(mix(h ^ 1));
        let vaf = if g < 1.0 / 3.0 {
            1.0
        } else {
            // heterozygous: alt on homologue A or B
            let on_b = g >= 2.0 / 3.0;
            let c = if on_b { b } else { a } as f64;
            if total <= 0.0 {
                0.0
            } else {
                ((1.0 - tf) + tf * c) / total
            }
        };
        out.push(PlantedVariant {
            chrom: t.chrom.clone(),
            pos: pos + 1,
            reference: (r as char).to_string(),
            alt: (alt as char).to_string(),
            vaf,
            label: "germline SNP".into(),
        });
    }
    out
}

/// Map an htslib error on `path` to the library error.
fn htslib_err<P: Into<std::path::PathBuf>>(
    path: P,
) -> impl FnOnce(rust_htslib::errors::Error) -> Error {
    let path = path.into();
    move |e| Error::Htslib {
        path,
        reason: e.to_string(),
    }
}

/// One base of a fragment: the base and where it sits on the reference (None = inserted).
#[derive(Clone, Copy)]
struct Db {
    base: u8,
    tid: i32,
    pos: Option<u64>,
}

fn comp(b: u8) -> u8 {
    match b {
        b'A' => b'T',
        b'C' => b'G',
        b'G' => b'C',
        b'T' => b'A',
        x => x,
    }
}

struct Aln {
    tid: i32,
    pos: u64,
    cigar: Vec<Cigar>,
    aligned: usize,
    reverse: bool,
}

/// Split a read's bases into alignments: one per contiguous reference segment, the rest soft-clipped.
/// A segment whose positions run downward (the partner of a fusion read on the other strand) is an
/// alignment on the opposite strand, as an aligner would report it.
fn alignments(read: &[Db], reverse: bool, spliced: bool) -> Vec<Aln> {
    // segments: same contig, positions moving in one direction by small steps
    let mut segs: Vec<(usize, usize, bool)> = Vec::new();
    let mut start = 0;
    let mut dir: Option<bool> = None; // Some(true) = descending
    let mut prev: Option<u64> = None;
    for i in 0..=read.len() {
        let brk = i == read.len()
            || (i > start && read[i].tid != read[i - 1].tid)
            || match (prev, read[i].pos) {
                (Some(p), Some(q)) => {
                    (p.abs_diff(q) > 200 && !spliced) || q == p || dir.is_some_and(|d| d != (q < p))
                }
                _ => false,
            };
        if brk {
            if i > start {
                segs.push((start, i, dir.unwrap_or(false)));
            }
            if i == read.len() {
                break;
            }
            start = i;
            dir = None;
            prev = None;
        }
        if let Some(q) = read[i].pos {
            if let Some(p) = prev {
                dir.get_or_insert(q < p);
            }
            prev = Some(q);
        }
    }
    let n = read.len();
    let mut out = Vec::new();
    for &(a, b, desc) in &segs {
        let seg = &read[a..b];
        let Some(first) = seg.iter().position(|d| d.pos.is_some()) else {
            continue;
        };
        let last = seg.iter().rposition(|d| d.pos.is_some()).expect("has pos");
        let mut ops: Vec<Cigar> = Vec::new();
        let push = |ops: &mut Vec<Cigar>, op: Cigar| match (ops.last_mut(), op) {
            (Some(Cigar::Match(x)), Cigar::Match(y)) => *x += y,
            (Some(Cigar::Ins(x)), Cigar::Ins(y)) => *x += y,
            (Some(Cigar::Del(x)), Cigar::Del(y)) => *x += y,
            (Some(Cigar::SoftClip(x)), Cigar::SoftClip(y)) => *x += y,
            (_, op) => ops.push(op),
        };
        // ops in read order
        let lead = a + first;
        if lead > 0 {
            push(&mut ops, Cigar::SoftClip(lead as u32));
        }
        let mut prev: Option<u64> = None;
        for d in &seg[first..=last] {
            match d.pos {
                None => push(&mut ops, Cigar::Ins(1)),
                Some(p) => {
                    if let Some(q) = prev {
                        let gap = p.abs_diff(q);
                        if gap > 200 && spliced {
                            push(&mut ops, Cigar::RefSkip((gap - 1) as u32));
                        } else if gap > 1 {
                            push(&mut ops, Cigar::Del((gap - 1) as u32));
                        }
                    }
                    push(&mut ops, Cigar::Match(1));
                    prev = Some(p);
                }
            }
        }
        let trail = n - (a + last + 1);
        if trail > 0 {
            push(&mut ops, Cigar::SoftClip(trail as u32));
        }
        let (p0, p1) = (seg[first].pos.expect("pos"), seg[last].pos.expect("pos"));
        // the record's strand is the read's own, flipped for a downward-running segment; records list
        // the CIGAR in reference order
        let strand_reverse = reverse ^ desc;
        // `read` is in reference-forward order except along a downward-running segment
        let ops = if desc {
            ops.into_iter().rev().collect()
        } else {
            ops
        };
        out.push(Aln {
            tid: seg[first].tid,
            pos: p0.min(p1),
            cigar: ops,
            aligned: last + 1 - first,
            reverse: strand_reverse,
        });
    }
    out
}

/// Replace each insertion longer than `max` and the shorter aligned side next to it by a soft clip.
fn clip_long_insertions(mut a: Aln, max: u32) -> Aln {
    let qlen = |ops: &[Cigar]| -> u32 {
        ops.iter()
            .map(|c| match c {
                Cigar::Match(l) | Cigar::Ins(l) | Cigar::SoftClip(l) => *l,
                _ => 0,
            })
            .sum()
    };
    let matched = |ops: &[Cigar]| -> u32 {
        ops.iter()
            .map(|c| if let Cigar::Match(l) = c { *l } else { 0 })
            .sum()
    };
    while let Some(k) = a
        .cigar
        .iter()
        .position(|c| matches!(c, Cigar::Ins(l) if *l > max))
    {
        let Cigar::Ins(l) = a.cigar[k] else { break };
        let (left, right) = (a.cigar[..k].to_vec(), a.cigar[k + 1..].to_vec());
        if matched(&left) >= matched(&right) {
            let mut ops = left;
            ops.push(Cigar::SoftClip(l + qlen(&right)));
            a.cigar = ops;
        } else {
            a.pos += ref_len(&left);
            let mut ops = vec![Cigar::SoftClip(qlen(&left) + l)];
            ops.extend(right.into_iter().skip_while(|c| matches!(c, Cigar::Del(_))));
            a.cigar = ops;
        }
        a.aligned = matched(&a.cigar) as usize;
    }
    a
}

/// One contig's sorted records and its FASTQ text (R1, R2).
type ContigReads = (Vec<bam::Record>, Option<(Vec<u8>, Vec<u8>)>);

struct Writer<'a> {
    buckets: BTreeMap<i32, Vec<bam::Record>>,
    fastq: Option<(Vec<u8>, Vec<u8>)>,
    names: &'a [String],
    rg: Vec<u8>,
    /// RNA: reference jumps inside a read are introns (N), not separate alignments.
    spliced: bool,
    max_insertion: Option<u32>,
}

fn quals(rng: &mut ChaCha8Rng, n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| {
            let base = 38.0 - 8.0 * (i as f64 / n as f64).powi(2);
            (base + rng.gen_range(-3.0..2.0)).clamp(2.0, 41.0) as u8
        })
        .collect()
}

impl Writer<'_> {
    /// Turn a fragment into a read pair and store its records.
    fn pair(
        &mut self,
        rng: &mut ChaCha8Rng,
        qname: &str,
        frag: &[Db],
        read_len: usize,
        dup: bool,
    ) -> Result<()> {
        let rl = read_len.min(frag.len());
        let r1: Vec<Db> = frag[..rl].to_vec();
        let r2: Vec<Db> = frag[frag.len() - rl..].to_vec();
        let mut reads = Vec::new();
        for (k, bases) in [(0, r1), (1, r2)] {
            let reverse = k == 1;
            let q = quals(rng, rl);
            let mut seq: Vec<u8> = bases.iter().map(|d| d.base).collect();
            for (i, b) in seq.iter_mut().enumerate() {
                let qi = if reverse { q[rl - 1 - i] } else { q[i] };
                if rng.gen::<f64>() < crate::call::small::model::phred_to_prob(qi) {
                    let alts: [u8; 3] = match *b {
                        b'A' => *b"CGT",
                        b'C' => *b"AGT",
                        b'G' => *b"ACT",
                        _ => *b"ACG",
                    };
                    *b = alts[rng.gen_range(0..3)];
                }
            }
            let mut alns = alignments(&bases, reverse, self.spliced);
            if let Some(max) = self.max_insertion {
                alns = alns
                    .into_iter()
                    .map(|a| clip_long_insertions(a, max))
                    .collect();
            }
            // the read as sequenced (R2 is the reverse complement of the fragment's end); `q` is
            // already in sequencing order
            let read_seq: Vec<u8> = if reverse {
                seq.iter().rev().map(|b| comp(*b)).collect()
            } else {
                seq
            };
            reads.push((alns, read_seq, q));
        }
        if let Some((f1, f2)) = &mut self.fastq {
            for (k, f) in [(0usize, f1), (1usize, f2)] {
                let (_, s, q) = &reads[k];
                let qs: String = q.iter().map(|x| (x + 33) as char).collect();
                writeln!(
                    f,
                    "@{qname}/{}\n{}\n+\n{qs}",
                    k + 1,
                    String::from_utf8_lossy(s)
                )
                .expect("write to memory");
            }
        }
        // primary alignment = the longest segment; others supplementary with SA tags
        let primary: Vec<usize> = reads
            .iter()
            .map(|(a, ..)| {
                (0..a.len())
                    .max_by_key(|&i| (a[i].aligned, usize::MAX - i))
                    .unwrap_or(0)
            })
            .collect();
        for k in 0..2 {
            let (alns, read_seq, read_q) = &reads[k];
            if alns.is_empty() {
                continue;
            }
            let mate = &reads[1 - k].0;
            let mate_p = mate.get(primary[1 - k]);
            for (i, a) in alns.iter().enumerate() {
                let is_primary = i == primary[k];
                let mut flags: u16 = 0x1 | if k == 0 { 0x40 } else { 0x80 };
                if a.reverse {
                    flags |= 0x10;
                }
                if dup {
                    flags |= 0x400;
                }
                if !is_primary {
                    flags |= 0x800;
                }
                let mut rec = bam::Record::new();
                let cigar: Vec<Cigar> = if is_primary {
                    a.cigar.clone()
                } else {
                    a.cigar
                        .iter()
                        .map(|c| {
                            if let Cigar::SoftClip(l) = c {
                                Cigar::HardClip(*l)
                            } else {
                                *c
                            }
                        })
                        .collect()
                };
                // SEQ/QUAL in the record's reference orientation
                let (seq, q): (Vec<u8>, Vec<u8>) = if a.reverse {
                    (
                        read_seq.iter().rev().map(|b| comp(*b)).collect(),
                        read_q.iter().rev().copied().collect(),
                    )
                } else {
                    (read_seq.clone(), read_q.clone())
                };
                let (s, qq): (Vec<u8>, Vec<u8>) = if is_primary {
                    (seq.clone(), q.clone())
                } else {
                    // hard-clipped: keep only the aligned part
                    let lead = match cigar.first() {
                        Some(Cigar::HardClip(l)) => *l as usize,
                        _ => 0,
                    };
                    let trail = match cigar.last() {
                        Some(Cigar::HardClip(l)) if cigar.len() > 1 => *l as usize,
                        _ => 0,
                    };
                    (
                        seq[lead..seq.len() - trail].to_vec(),
                        q[lead..q.len() - trail].to_vec(),
                    )
                };
                rec.set(qname.as_bytes(), Some(&CigarString(cigar)), &s, &qq);
                rec.set_tid(a.tid);
                rec.set_pos(a.pos as i64);
                rec.set_mapq(60);
                if let Some(m) = mate_p {
                    rec.set_mtid(m.tid);
                    rec.set_mpos(m.pos as i64);
                    if m.reverse {
                        flags |= 0x20;
                    }
                    let p = &alns[primary[k]];
                    if m.tid == p.tid && alns.len() == 1 && mate.len() == 1 {
                        flags |= 0x2;
                        let (l, r) = (
                            p.pos.min(m.pos),
                            (p.pos + ref_len(&p.cigar)).max(m.pos + ref_len(&m.cigar)),
                        );
                        let tlen = (r - l) as i64;
                        rec.set_insert_size(if p.pos <= m.pos { tlen } else { -tlen });
                    }
                }
                rec.set_flags(flags);
                if alns.len() > 1 {
                    let sa: String = alns
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != i)
                        .map(|(_, o)| {
                            let cig: String = o.cigar.iter().map(|c| c.to_string()).collect();
                            format!(
                                "{},{},{},{},60,0;",
                                self.names[o.tid as usize],
                                o.pos + 1,
                                if o.reverse { '-' } else { '+' },
                                cig
                            )
                        })
                        .collect();
                    rec.push_aux(b"SA", Aux::String(&sa))
                        .map_err(htslib_err("sim"))?;
                }
                rec.push_aux(
                    b"RG",
                    Aux::String(std::str::from_utf8(&self.rg).unwrap_or("sim")),
                )
                .map_err(htslib_err("sim"))?;
                self.buckets.entry(a.tid).or_default().push(rec);
            }
        }
        Ok(())
    }
}

fn ref_len(c: &[Cigar]) -> u64 {
    c.iter()
        .map(|x| match x {
            Cigar::Match(l) | Cigar::Del(l) => *l as u64,
            _ => 0,
        })
        .sum()
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box-Muller
    let (u1, u2): (f64, f64) = (rng.gen_range(1e-12..1.0), rng.gen());
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Reference-side fragment with the planted small variants applied on alt-carrying fragments.
fn fragment(
    genome: &SimGenome,
    tid: i32,
    chrom: &str,
    start: u64,
    len: u64,
    variants: &[&PlantedVariant],
    rng: &mut ChaCha8Rng,
) -> Option<Vec<Db>> {
    let seq = genome.slice(chrom, start, start + len + 200)?;
    let mut out = Vec::with_capacity(len as usize + 10);
    let carried: Vec<&PlantedVariant> = variants
        .iter()
        .filter(|v| rng.gen_bool(v.vaf.clamp(0.0, 1.0)))
        .copied()
        .collect();
    let mut p = start;
    while (out.len() as u64) < len {
        let i = (p - start) as usize;
        if i >= seq.len() {
            return None;
        }
        if let Some(v) = carried.iter().find(|v| v.pos - 1 == p) {
            let r = v.reference.as_bytes();
            let a = v.alt.as_bytes();
            let common = r
                .iter()
                .zip(a)
                .take_while(|(x, y)| x == y)
                .count()
                .min(1)
                .min(r.len().min(a.len()));
            // substitutions keep every position; indels keep the anchor base(s)
            let kept = if r.len() == a.len() { a.len() } else { common };
            for (k, &base) in a.iter().enumerate().take(kept) {
                out.push(Db {
                    base,
                    tid,
                    pos: Some(p + k as u64),
                });
            }
            if r.len() != a.len() {
                for &b in &a[common..] {
                    out.push(Db {
                        base: b,
                        tid,
                        pos: None,
                    });
                }
            }
            p += r.len() as u64;
            continue;
        }
        out.push(Db {
            base: seq[i],
            tid,
            pos: Some(p),
        });
        p += 1;
    }
    out.truncate(len as usize);
    Some(out)
}

/// Insert size drawn from the spec's normal distribution, clamped to [min, max].
fn fragment_length(spec: &SampleSpec, rng: &mut ChaCha8Rng, min: i64, max: i64) -> i64 {
    ((spec.insert_mean + spec.insert_sd * normal(rng)).round() as i64).clamp(min, max)
}

/// Transcript bases in transcription order: exons of `gene` (numbers `from..=to`) from `exon:` targets.
fn transcript(
    genome: &SimGenome,
    targets: &[Region],
    gene: &str,
    from: u32,
    to: u32,
    tid: i32,
) -> Vec<Db> {
    let mut ex: Vec<(u32, char, &Region)> = targets
        .iter()
        .filter_map(|t| {
            let mut f = t.name.strip_prefix("exon:")?.split(':');
            let (g, strand, n) = (f.next()?, f.next()?, f.next()?.parse::<u32>().ok()?);
            (g == gene && (from..=to).contains(&n))
                .then(|| (n, strand.chars().next().unwrap_or('+'), t))
        })
        .collect();
    ex.sort_by_key(|e| e.0);
    let mut out = Vec::new();
    for (_, strand, t) in ex {
        let Some(seq) = genome.slice(&t.chrom, t.start, t.end) else {
            continue;
        };
        if strand == '+' {
            out.extend(seq.iter().enumerate().map(|(i, &b)| Db {
                base: b,
                tid,
                pos: Some(t.start + i as u64),
            }));
        } else {
            out.extend(seq.iter().enumerate().rev().map(|(i, &b)| Db {
                base: comp(b),
                tid,
                pos: Some(t.start + i as u64),
            }));
        }
    }
    out
}

/// RNA library: fragments drawn from each panel gene's transcript (expression varies by gene) and from
/// planted fusion transcripts; reads crossing exon junctions are spliced alignments.
fn rna_fragments(
    genome: &SimGenome,
    targets: &[Region],
    spec: &SampleSpec,
    names: &[String],
    w: &mut Writer,
    rng: &mut ChaCha8Rng,
) -> Result<()> {
    let tid_of = |c: &str| names.iter().position(|n| n == c).map(|x| x as i32);
    let mut genes: Vec<(&str, &str)> = targets
        .iter()
        .filter_map(|t| {
            Some((
                t.name.strip_prefix("exon:")?.split(':').next()?,
                t.chrom.as_str(),
            ))
        })
        .filter(|(_, c)| spec.contigs.is_empty() || spec.contigs.iter().any(|x| x == c))
        .collect();
    genes.sort();
    genes.dedup();
    let frag_len = |rng: &mut ChaCha8Rng, max: usize| {
        fragment_length(spec, rng, spec.read_len as i64, max as i64) as usize
    };
    let tf = spec.tumor_fraction.clamp(0.0, 1.0);
    let mut jobs: Vec<(Vec<Db>, f64, String)> = Vec::new();
    for (gene, chrom) in genes {
        let Some(tid) = tid_of(chrom) else { continue };
        let expr = spec.depth * (0.8 * normal(rng)).exp();
        jobs.push((
            transcript(genome, targets, gene, 1, u32::MAX, tid),
            expr,
            gene.to_string(),
        ));
    }
    for f in &spec.fusions {
        let Some(j) = &f.rna_exons else { continue };
        let (Some(t5), Some(t3)) = (tid_of(&f.chrom5), tid_of(&f.chrom3)) else {
            continue;
        };
        let mut tx = transcript(genome, targets, &j.gene5, 1, j.exon5, t5);
        tx.extend(transcript(genome, targets, &j.gene3, j.exon3, u32::MAX, t3));
        jobs.push((
            tx,
            spec.depth * f.fraction * tf,
            format!("fus-{}-{}", j.gene5, j.gene3),
        ));
    }
    let mut serial = 0u64;
    for (tx, expr, label) in jobs {
        if tx.len() < spec.read_len {
            continue;
        }
        let n = (expr * tx.len() as f64 / (2.0 * spec.read_len as f64)).round() as u64;
        for _ in 0..n {
            let len = frag_len(rng, tx.len());
            let start = rng.gen_range(0..=tx.len() - len);
            serial += 1;
            w.pair(
                rng,
                &format!("{}:rna:{label}:{serial}", spec.sample_id),
                &tx[start..start + len],
                spec.read_len,
                false,
            )?;
        }
    }
    Ok(())
}

/// Simulate one sample; writes `<out>/<id>.bam` (+ .bai), optionally FASTQ, and `<id>.truth.json`.
pub fn simulate_sample(
    genome: &SimGenome,
    targets: &[Region],
    spec: &SampleSpec,
    out: &Path,
    fastq: bool,
) -> Result<std::path::PathBuf> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let names: Vec<String> = genome.contigs.iter().map(|(n, _)| n.clone()).collect();
    let tid_of = |c: &str| names.iter().position(|n| n == c).map(|x| x as i32);
    let mut header = crate::ingest::align::sorted_header(&genome.contigs);
    let mut rg = HeaderRecord::new(b"RG");
    rg.push_tag(b"ID", &spec.sample_id)
        .push_tag(b"SM", &spec.sample_id)
        .push_tag(b"LB", format!("{}-lib", spec.sample_id))
        .push_tag(b"CN", &spec.lab_id)
        .push_tag(b"PL", "ILLUMINA");
    header.push_record(&rg);
    let mut pg = HeaderRecord::new(b"PG");
    pg.push_tag(b"ID", "puente-simulate")
        .push_tag(b"PN", "puente")
        .push_tag(b"VN", crate::VERSION);
    header.push_record(&pg);

    let mut fq_files = if fastq {
        let f = |s: &str| -> Result<flate2::write::GzEncoder<std::fs::File>> {
            let p = out.join(format!("{}_{s}.fastq.gz", spec.sample_id));
            Ok(flate2::write::GzEncoder::new(
                std::fs::File::create(&p).map_err(|e| Error::io(&p, e))?,
                flate2::Compression::fast(),
            ))
        };
        Some((f("R1")?, f("R2")?))
    } else {
        None
    };
    let new_writer = || Writer {
        buckets: BTreeMap::new(),
        fastq: fastq.then(|| (Vec::new(), Vec::new())),
        names: &names,
        rg: spec.sample_id.as_bytes().to_vec(),
        spliced: spec.rna,
        max_insertion: spec.max_aligned_insertion,
    };
    let mut w = new_writer();
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut serial = 0u64;
    let tf = spec.tumor_fraction.clamp(0.0, 1.0);
    let frag_len = |rng: &mut ChaCha8Rng| {
        fragment_length(spec, rng, 2 * spec.read_len as i64 / 3 + 20, 1000) as u64
    };

    // fusion junction fragments first (they land in two contigs' buckets)
    for f in spec.fusions.iter().filter(|_| !spec.rna) {
        let (Some(t5), Some(t3)) = (tid_of(&f.chrom5), tid_of(&f.chrom3)) else {
            continue;
        };
        let n = (spec.depth * spec.intron_depth_factor * 2.0 * spec.insert_mean
            / (2.0 * spec.read_len as f64)
            * f.fraction
            * tf)
            .round() as u64;
        for _ in 0..n {
            let len = frag_len(&mut rng);
            let left = rng.gen_range(20..len.saturating_sub(20).max(21));
            let right = len - left;
            let mut frag: Vec<Db> = if f.reverse5 {
                // chrom5 from pos5 on, read downward toward the junction
                let Some(a) = genome.slice(&f.chrom5, f.pos5 - 1, f.pos5 - 1 + left) else {
                    continue;
                };
                a.iter()
                    .enumerate()
                    .rev()
                    .map(|(i, &b)| Db {
                        base: comp(b),
                        tid: t5,
                        pos: Some(f.pos5 - 1 + i as u64),
                    })
                    .collect()
            } else {
                let s5 = f.pos5 - left; // 0-based start so that the last base kept is pos5 (1-based)
                let Some(a) = genome.slice(&f.chrom5, s5, f.pos5) else {
                    continue;
                };
                a.iter()
                    .enumerate()
                    .map(|(i, &b)| Db {
                        base: b,
                        tid: t5,
                        pos: Some(s5 + i as u64),
                    })
                    .collect()
            };
            if f.reverse3 {
                let Some(b) = genome.slice(&f.chrom3, f.pos3 - right, f.pos3) else {
                    continue;
                };
                frag.extend(b.iter().rev().enumerate().map(|(i, &x)| Db {
                    base: comp(x),
                    tid: t3,
                    pos: Some(f.pos3 - 1 - i as u64),
                }));
            } else {
                let Some(b) = genome.slice(&f.chrom3, f.pos3 - 1, f.pos3 - 1 + right) else {
                    continue;
                };
                frag.extend(b.iter().enumerate().map(|(i, &x)| Db {
                    base: x,
                    tid: t3,
                    pos: Some(f.pos3 - 1 + i as u64),
                }));
            }
            serial += 1;
            let qn = format!("{}:fus:{serial}", spec.sample_id);
            w.pair(&mut rng, &qn, &frag, spec.read_len, false)?;
        }
    }
    if spec.rna {
        rna_fragments(genome, targets, spec, &names, &mut w, &mut rng)?;
    }
    let mut fusion_buckets = std::mem::take(&mut w.buckets);
    if let (Some((f1, f2)), Some((b1, b2))) = (&mut fq_files, &mut w.fastq) {
        f1.write_all(b1).map_err(|e| Error::io(out, e))?;
        f2.write_all(b2).map_err(|e| Error::io(out, e))?;
    }

    let mut by_contig: BTreeMap<i32, Vec<&Region>> = BTreeMap::new();
    for t in targets.iter().filter(|_| !spec.rna) {
        if !spec.contigs.is_empty() && !spec.contigs.contains(&t.chrom) {
            continue;
        }
        if let Some(tid) = tid_of(&t.chrom) {
            by_contig.entry(tid).or_default().push(t);
        }
    }
    let tmp = crate::util::tmp_path(&out.join(format!("{}.bam", spec.sample_id)));
    let mut writer =
        bam::Writer::from_path(&tmp, &header, bam::Format::Bam).map_err(htslib_err(tmp.clone()))?;
    // simulated data are rewritten often: fast compression beats small files here
    writer
        .set_compression_level(bam::CompressionLevel::Fastest)
        .map_err(htslib_err(tmp.clone()))?;
    writer.set_threads(2).map_err(htslib_err(tmp.clone()))?;
    // contigs are simulated in parallel (each with its own seeded RNG, so output does not depend on
    // the thread count) and written in header order
    let tids: Vec<i32> = (0..names.len() as i32).collect();
    let chunk = rayon::current_num_threads().max(1) * 2;
    for group in tids.chunks(chunk) {
        let done: Vec<Result<ContigReads>> = group
            .par_iter()
            .map(|&tid| {
                let mut w = new_writer();
                let mut rng =
                    ChaCha8Rng::seed_from_u64(spec.seed ^ (0x5DEE_CE66_D000 + tid as u64 * 7919));
                let chrom = &names[tid as usize];
                let vars: Vec<&PlantedVariant> =
                    spec.variants.iter().filter(|v| &v.chrom == chrom).collect();
                let dels: Vec<&PlantedDeletion> = spec
                    .deletions
                    .iter()
                    .filter(|d| &d.chrom == chrom)
                    .collect();
                let gains: Vec<&PlantedGain> =
                    spec.gains.iter().filter(|g| &g.chrom == chrom).collect();
                let (ha, hb) = spec.homologues(chrom);
                let chrom_copies = (ha + hb) as f64;
                let germline: Vec<PlantedVariant> = if spec.germline_snps {
                    by_contig
                        .get(&tid)
                        .map(|v| v.as_slice())
                        .unwrap_or(&[])
                        .iter()
                        .flat_map(|t| germline_snps(genome, spec, t, tf))
                        .collect()
                } else {
                    vec![]
                };
                let vars: Vec<&PlantedVariant> = vars.into_iter().chain(&germline).collect();
                // relative depth of a fragment [s, e): tumour copies there against two
                let depth_factor = |s: u64, e: u64| {
                    let lost = dels
                        .iter()
                        .filter(|d| s < d.end && e > d.start - 1)
                        .map(|d| d.copies as f64)
                        .fold(0.0, f64::max);
                    let gained: f64 = gains
                        .iter()
                        .filter(|g| s < g.end && e > g.start - 1)
                        .map(|g| g.copies as f64)
                        .sum();
                    let cn = (chrom_copies - lost).max(0.0) + gained;
                    ((1.0 - tf) * 2.0 + tf * cn) / 2.0
                };
                let max_factor = {
                    let g: f64 = gains.iter().map(|g| g.copies as f64).sum();
                    ((1.0 - tf) * 2.0 + tf * (chrom_copies + g)) / 2.0
                };
                let breaks: Vec<(u64, f64)> = spec
                    .fusions
                    .iter()
                    .flat_map(|f| {
                        let mut v = vec![];
                        if &f.chrom5 == chrom {
                            v.push((f.pos5, f.fraction * tf));
                        }
                        if &f.chrom3 == chrom {
                            v.push((f.pos3, f.fraction * tf));
                        }
                        v
                    })
                    .collect();
                let mut serial = 0u64;
                for t in by_contig.get(&tid).map(|v| v.as_slice()).unwrap_or(&[]) {
                    let exon = t.name.starts_with("exon:");
                    // capture efficiency: a property of each target in the assay, plus a little
                    // sample-to-sample noise and the sample's GC bias
                    let gc = genome
                        .slice(chrom, t.start, t.end)
                        .map(|s| {
                            s.iter().filter(|b| matches!(b, b'G' | b'C')).count() as f64
                                / s.len().max(1) as f64
                        })
                        .unwrap_or(0.45);
                    let eff = assay_efficiency(chrom, t.start)
                        * (0.06 * normal(&mut rng)).exp()
                        * (spec.gc_bias * (gc - 0.45)).exp()
                        * max_factor;
                    let d = spec.depth * if exon { 1.0 } else { spec.intron_depth_factor } * eff;
                    let n = (d * (t.len() + 2 * spec.insert_mean as u64 - 100) as f64
                        / (2.0 * spec.read_len as f64))
                        .round() as u64;
                    for _ in 0..n {
                        let len = frag_len(&mut rng);
                        // probes pull down fragments that overlap the target by >= 50 bp
                        let lo = (t.start + 50).saturating_sub(len);
                        let start = rng.gen_range(lo..t.end.saturating_sub(50).max(lo + 1));
                        let end = start + len;
                        let keep = depth_factor(start, end) / max_factor;
                        if keep < 1.0 && !rng.gen_bool(keep.clamp(0.0, 1.0)) {
                            continue;
                        }
                        if breaks.iter().any(|&(b, fr)| {
                            start < b && b < end && rng.gen_bool(fr.clamp(0.0, 1.0) * 0.5)
                        }) {
                            continue;
                        }
                        let local: Vec<&PlantedVariant> = vars
                            .iter()
                            .filter(|v| v.pos > start && v.pos <= end)
                            .copied()
                            .collect();
                        let Some(frag) = fragment(genome, tid, chrom, start, len, &local, &mut rng)
                        else {
                            continue;
                        };
                        if frag.len() < spec.read_len {
                            continue;
                        }
                        serial += 1;
                        let qn = format!("{}:{tid}:{serial}", spec.sample_id);
                        w.pair(&mut rng, &qn, &frag, spec.read_len, false)?;
                        if rng.gen_bool(spec.duplicate_rate.clamp(0.0, 0.9)) {
                            w.pair(&mut rng, &format!("{qn}d"), &frag, spec.read_len, true)?;
                        }
                    }
                }
                let mut recs: Vec<bam::Record> = w.buckets.into_values().flatten().collect();
                recs.sort_by(|a, b| {
                    (a.tid(), a.pos(), a.qname(), a.flags()).cmp(&(
                        b.tid(),
                        b.pos(),
                        b.qname(),
                        b.flags(),
                    ))
                });
                Ok((recs, w.fastq))
            })
            .collect();
        for (k, r) in done.into_iter().enumerate() {
            let (mut recs, fq) = r?;
            let tid = group[k];
            // records of other contigs' mates were bucketed by their own tid: merge in this contig's
            if let Some(extra) = fusion_buckets.remove(&tid) {
                recs.extend(extra);
                recs.sort_by(|a, b| {
                    (a.pos(), a.qname(), a.flags()).cmp(&(b.pos(), b.qname(), b.flags()))
                });
            }
            for r in recs.iter().filter(|r| r.tid() == tid) {
                writer.write(r).map_err(htslib_err(tmp.clone()))?;
            }
            if let (Some((f1, f2)), Some((b1, b2))) = (&mut fq_files, fq) {
                f1.write_all(&b1).map_err(|e| Error::io(out, e))?;
                f2.write_all(&b2).map_err(|e| Error::io(out, e))?;
            }
        }
    }
    drop(writer);
    if let Some((a, b)) = fq_files.take() {
        a.finish().map_err(|e| Error::io(out, e))?;
        b.finish().map_err(|e| Error::io(out, e))?;
    }
    let bam_path = out.join(format!("{}.bam", spec.sample_id));
    crate::util::commit(&tmp, &bam_path)?;
    bam::index::build(&bam_path, None, bam::index::Type::Bai, 2)
        .map_err(htslib_err(bam_path.clone()))?;
    crate::util::write_atomic(
        &out.join(format!("{}.truth.json", spec.sample_id)),
        &crate::util::to_json(spec),
    )?;
    Ok(bam_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(tid: i32, from: u64, n: usize) -> Vec<Db> {
        (0..n)
            .map(|i| Db {
                base: b'A',
                tid,
                pos: Some(from + i as u64),
            })
            .collect()
    }

    fn cig(a: &Aln) -> String {
        a.cigar.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn indel_cigars() {
        // 5 bases, 2 inserted, 5 bases
        let mut r = run(0, 100, 5);
        r.extend((0..2).map(|_| Db {
            base: b'C',
            tid: 0,
            pos: None,
        }));
        r.extend(run(0, 105, 5));
        let a = alignments(&r, false, false);
        assert_eq!(a.len(), 1);
        assert_eq!(cig(&a[0]), "5M2I5M");
        // a 3-base deletion
        let mut r = run(0, 100, 5);
        r.extend(run(0, 108, 5));
        assert_eq!(cig(&alignments(&r, false, false)[0]), "5M3D5M");
    }

    #[test]
    fn chimeric_read_splits_with_soft_clips() {
        let mut r = run(0, 1000, 90);
        r.extend(run(3, 5000, 60));
        let a = alignments(&r, false, false);
        assert_eq!(a.len(), 2);
        assert_eq!(
            (a[0].tid, a[0].pos, cig(&a[0])),
            (0, 1000, "90M60S".to_string())
        );
        assert_eq!(
            (a[1].tid, a[1].pos, cig(&a[1])),
            (3, 5000, "90S60M".to_string())
        );
        // a read sequenced from the reverse strand (R2) holds its bases in reference order too:
        // same CIGAR, reverse flag set
        let a = alignments(&r, true, false);
        assert_eq!(cig(&a[0]), "90M60S");
        assert!(a[0].reverse);
    }

    #[test]
    fn reverse_partner_is_an_opposite_strand_alignment() {
        let mut r = run(0, 1000, 90);
        r.extend((0..60).map(|i| Db {
            base: b'A',
            tid: 3,
            pos: Some(5059 - i),
        }));
        let a = alignments(&r, false, false);
        assert_eq!(a.len(), 2);
        assert!(!a[0].reverse && a[1].reverse);
        assert_eq!(
            (a[1].tid, a[1].pos, cig(&a[1])),
            (3, 5000, "60M90S".to_string())
        );
    }

    #[test]
    fn rna_reads_are_spliced() {
        let mut r = run(0, 1000, 90);
        r.extend(run(0, 5000, 60));
        let a = alignments(&r, false, true);
        assert_eq!(a.len(), 1);
        assert_eq!(cig(&a[0]), "90M3910N60M");
        // minus-strand transcript: positions run downward across the intron
        let mut r: Vec<Db> = (0..60)
            .map(|i| Db {
                base: b'A',
                tid: 0,
                pos: Some(5059 - i),
            })
            .collect();
        r.extend((0..90).map(|i| Db {
            base: b'A',
            tid: 0,
            pos: Some(1089 - i),
        }));
        let a = alignments(&r, false, true);
        assert_eq!((a.len(), a[0].pos, a[0].reverse), (1, 1000, true));
        assert_eq!(cig(&a[0]), "90M3910N60M");
    }

    #[test]
    fn fragment_applies_variants() {
        let mut g = SimGenome {
            contigs: vec![("c".into(), 10_000)],
            ..Default::default()
        };
        g.windows.insert(
            "c".into(),
            vec![(
                0,
                b"ACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGT"
                    .repeat(20),
            )],
        );
        let snv = PlantedVariant {
            chrom: "c".into(),
            pos: 3,
            reference: "G".into(),
            alt: "T".into(),
            vaf: 1.0,
            label: String::new(),
        };
        let del = PlantedVariant {
            chrom: "c".into(),
            pos: 10,
            reference: "CGTA".into(),
            alt: "C".into(),
            vaf: 1.0,
            label: String::new(),
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let f = fragment(&g, 0, "c", 0, 20, &[&snv, &del], &mut rng).unwrap();
        let seq: String = f.iter().map(|d| d.base as char).collect();
        assert_eq!(&seq[..12], "ACTTACGTACCG");
        let a = alignments(&f, false, false);
        assert_eq!(cig(&a[0]), "10M3D10M");
    }
}
