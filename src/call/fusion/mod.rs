//! Fusion and rearrangement calling from DNA or RNA panel BAMs.
//!
//! One pass over the capture regions (in parallel over contigs) collects junction evidence
//! ([`evidence`]): split reads from supplementary alignments, RNA spliced alignments that join two
//! genes, discordant pairs, and long soft clips without a supplementary alignment, which are realigned
//! to the panel's breakpoint regions ([`realign`]). Evidence is clustered into junctions exact to
//! the base ([`cluster`]), read as fusions of panel genes ([`interpret`]), filtered with reasons kept
//! ([`filters`]), and every known fusion of the panel gets a result with its detection limit.
pub mod cluster;
pub mod evidence;
pub mod filters;
pub mod genes;
pub mod interpret;
pub mod normalize;
pub mod realign;

use crate::error::Result;
use crate::ingest::build::resolve_contig;
use crate::ingest::reads::{for_each_record, ReadFilter};
use crate::ingest::{AlignmentInput, Reference};
use crate::model::{FusionCall, FusionStatus, FusionTarget, Library, Region, Retained};
use crate::panel::Panel;
use evidence::{Collector, EvidenceCounts, MIN_ANCHOR};
use filters::FusionThresholds;
use genes::Genes;
use rayon::prelude::*;
use rust_htslib::bam::record::Cigar;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FusionOptions {
    /// None: detect from the BAM (spliced alignments mean RNA).
    pub library: Option<Library>,
    pub thresholds: FusionThresholds,
    /// Alignments below this MAPQ are counted apart (`mapq0_support`), not as support.
    pub min_mapq: u8,
    /// Realign long soft clips that carry no SA tag to the panel's breakpoint regions.
    pub realign_clips: bool,
}

impl Default for FusionOptions {
    fn default() -> Self {
        FusionOptions {
            library: None,
            thresholds: FusionThresholds::default(),
            min_mapq: 20,
            realign_clips: true,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FusionCalls {
    pub library: Library,
    /// How the library type was decided.
    pub library_source: String,
    /// Known fusions first, then by support; filtered calls keep their reasons.
    pub calls: Vec<FusionCall>,
    /// Every known fusion of the panel with its result.
    pub targets: Vec<FusionTarget>,
    pub evidence: EvidenceCounts,
    /// Junctions with support that are not fusions of panel genes (intragenic deletions, junctions
    /// between two loci outside the panel genes).
    pub other_junctions: u32,
    /// Split reads recovered by realigning soft clips.
    pub realigned_clips: u32,
    /// Junctions in deletion orientation (one contig, left side kept before, right side after):
    /// copy-number calls use them for breakpoints and confidence.
    pub deletion_junctions: Vec<crate::model::DeletionJunction>,
    pub warnings: Vec<String>,
}

/// Records sampled to decide the library type.
const LIBRARY_SAMPLE: u64 = 20_000;

/// RNA when at least 1% of sampled alignments are spliced (DNA aligners never write `N`).
pub fn detect_library(input: &AlignmentInput, panel: &Panel) -> Result<(Library, String)> {
    let names = input.contig_names();
    let mut reader = input.indexed_reader(1)?;
    let (mut seen, mut spliced) = (0u64, 0u64);
    let filter = ReadFilter {
        min_mapq: 0,
        drop_duplicates: true,
    };
    'contigs: for c in panel.contigs() {
        let Some(n) = resolve_contig(&c, &names) else {
            continue;
        };
        for r in panel.capture.iter().filter(|r| r.chrom == c) {
            for_each_record(
                &mut reader,
                &input.path,
                n,
                Some((r.start, r.end)),
                &filter,
                |rec| {
                    seen += 1;
                    if rec.cigar().iter().any(|c| matches!(c, Cigar::RefSkip(_))) {
                        spliced += 1;
                    }
                    Ok(())
                },
            )?;
            if seen >= LIBRARY_SAMPLE {
                break 'contigs;
            }
        }
    }
    let pct = if seen > 0 {
        100.0 * spliced as f64 / seen as f64
    } else {
        0.0
    };
    let lib = if pct >= 1.0 {
        Library::Rna
    } else {
        Library::Dna
    };
    Ok((
        lib,
        format!(
            "detected: {pct:.1}% of {seen} sampled alignments spliced -> {}",
            lib.name()
        ),
    ))
}

/// Regions whose depth sets a partner's detection limit: its breakpoint-search regions (DNA), its
/// exons (RNA).
fn depth_regions(panel: &Panel, gene: &str, library: Library) -> Vec<Region> {
    match library {
        Library::Dna => panel
            .fusion_search
            .iter()
            .filter(|r| r.name.split(',').any(|n| n.split('_').next() == Some(gene)))
            .cloned()
            .collect(),
        Library::Rna => panel
            .exons
            .iter()
            .filter(|e| e.gene == gene)
            .map(|e| Region {
                chrom: e.chrom.clone(),
                start: e.start - 1,
                end: e.end,
                name: format!("{gene}_exon{}", e.number),
            })
            .collect(),
    }
}

/// Poisson mean at which at least `k` events are seen with 95% probability.
pub fn poisson_mean_for_detection(k: u32) -> f64 {
    let p_at_least = |lambda: f64| {
        let mut term = (-lambda).exp();
        let mut below = 0.0;
        for i in 0..k {
            below += term;
            term *= lambda / (i + 1) as f64;
        }
        1.0 - below
    };
    let (mut lo, mut hi) = (0.0f64, 10.0 + 5.0 * k as f64);
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if p_at_least(mid) >= 0.95 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// Smallest fraction of molecules at a breakpoint that yields `min_support` evidence fragments with
/// 95% probability, at read depth `depth`: fragments covering a point are depth x insert / (2 x read
/// length), and those whose reads overlap the junction by less than the anchor carry no evidence.
pub fn limit_of_detection(depth: f64, insert: f64, read_len: f64, min_support: u32) -> Option<f64> {
    if depth <= 0.0 || read_len <= 0.0 {
        return None;
    }
    let insert = insert.max(read_len);
    let fragments = depth * insert / (2.0 * read_len);
    let informative = fragments * (1.0 - 2.0 * MIN_ANCHOR as f64 / insert).max(0.1);
    Some((poisson_mean_for_detection(min_support) / informative).min(1.0))
}

struct ContigWalk {
    splits: Vec<evidence::SplitRead>,
    pairs: Vec<evidence::PairEvidence>,
    clips: Vec<evidence::Clip>,
    counts: EvidenceCounts,
    /// Aligned bases per depth region (index into the flat list).
    depth_bases: Vec<(usize, u64)>,
    read_lengths: Vec<u32>,
    inserts: Vec<u64>,
}

#[allow(clippy::too_many_arguments)]
fn walk_contig(
    chrom: &str,
    regions: &[Region],
    depth_regions: &[(usize, &Region)],
    input: &AlignmentInput,
    library: Library,
    rank: &HashMap<String, usize>,
    names: &[String],
    genes: &Genes,
    min_mapq: u8,
) -> Result<ContigWalk> {
    let in_names = input.contig_names();
    let mut out = ContigWalk {
        splits: vec![],
        pairs: vec![],
        clips: vec![],
        counts: EvidenceCounts::default(),
        depth_bases: depth_regions.iter().map(|(i, _)| (*i, 0)).collect(),
        read_lengths: vec![],
        inserts: vec![],
    };
    let Some(in_name) = resolve_contig(chrom, &in_names) else {
        return Ok(out);
    };
    let mut reader = input.indexed_reader(1)?;
    let mut col = Collector::new(library, rank, names, genes);
    let all = ReadFilter {
        min_mapq: 0,
        drop_duplicates: false,
    };
    let mut prev_end = 0u64;
    for r in regions {
        for_each_record(
            &mut reader,
            &input.path,
            in_name,
            Some((r.start, r.end)),
            &all,
            |rec| {
                // a record overlapping the previous region was seen there
                if (rec.pos() as u64) < prev_end {
                    return Ok(());
                }
                col.add(rec);
                let flags = rec.flags();
                if flags & 0xD00 == 0 && rec.mapq() >= min_mapq {
                    if out.read_lengths.len() < 10_000 {
                        out.read_lengths.push(rec.seq_len() as u32);
                    }
                    if flags & 0x2 != 0 && rec.insert_size() > 0 && out.inserts.len() < 10_000 {
                        out.inserts.push(rec.insert_size() as u64);
                    }
                    let mut p = rec.pos() as u64;
                    for c in rec.cigar().iter() {
                        match *c {
                            Cigar::Match(l) | Cigar::Equal(l) | Cigar::Diff(l) => {
                                let (s, e) = (p, p + l as u64);
                                for (k, (_, dr)) in depth_regions.iter().enumerate() {
                                    let ov = e.min(dr.end).saturating_sub(s.max(dr.start));
                                    out.depth_bases[k].1 += ov;
                                }
                                p = e;
                            }
                            Cigar::Del(l) | Cigar::RefSkip(l) => p += l as u64,
                            _ => {}
                        }
                    }
                }
                Ok(())
            },
        )?;
        prev_end = r.end;
    }
    out.splits = col.splits;
    out.pairs = col.pairs;
    out.clips = col.clips;
    out.counts = col.counts;
    Ok(out)
}

fn merged(regions: &[Region], chrom: &str) -> Vec<Region> {
    let mut rs: Vec<Region> = regions
        .iter()
        .filter(|r| r.chrom == chrom)
        .cloned()
        .collect();
    rs.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Region> = Vec::new();
    for r in rs {
        match out.last_mut() {
            Some(m) if r.start <= m.end => m.end = m.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

fn median<T: Copy + Ord>(mut v: Vec<T>) -> Option<T> {
    v.sort_unstable();
    v.get(v.len() / 2).copied()
}

/// Reference bases kept next to a breakpoint (30 bp), for the repeat filter.
fn flank(reference: &Reference, chrom: &str, pos: u64, retained: Retained) -> Option<Vec<u8>> {
    let names: Vec<String> = reference.contigs.iter().map(|(n, _)| n.clone()).collect();
    let name = resolve_contig(chrom, &names)?;
    let len = reference.length(name)?;
    let (s, e) = match retained {
        Retained::Left => (pos.saturating_sub(30), pos),
        Retained::Right => (pos.saturating_sub(1), (pos + 29).min(len)),
    };
    reference.fetch(name, s, e).ok()
}

pub fn call(
    input: &AlignmentInput,
    reference: &Reference,
    panel: &Panel,
    opts: &FusionOptions,
) -> Result<FusionCalls> {
    let genes = Genes::from_panel(panel);
    let (library, library_source) = match opts.library {
        Some(l) => (l, format!("set by the user: {}", l.name())),
        None => detect_library(input, panel)?,
    };
    let in_names = input.contig_names();
    let rank: HashMap<String, usize> = in_names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i))
        .collect();
    // panel spelling of every BAM contig, so calls name contigs as the panel does
    let panel_contigs = panel.contigs();
    let names: Vec<String> = in_names
        .iter()
        .map(|n| {
            panel_contigs
                .iter()
                .find(|c| resolve_contig(c, std::slice::from_ref(n)).is_some())
                .cloned()
                .unwrap_or_else(|| n.clone())
        })
        .collect();
    // partners' depth regions, flattened
    let mut partner_regions: Vec<(String, Region)> = Vec::new();
    let mut partners: Vec<&str> = panel
        .fusions
        .iter()
        .flat_map(|f| [f.gene5.as_str(), f.gene3.as_str()])
        .collect();
    partners.sort();
    partners.dedup();
    for g in &partners {
        for r in depth_regions(panel, g, library) {
            partner_regions.push((g.to_string(), r));
        }
    }
    let mut scan: Vec<Region> = panel.capture.clone();
    scan.extend(panel.fusion_search.iter().cloned());
    let mut contigs = panel_contigs.clone();
    contigs.retain(|c| scan.iter().any(|r| &r.chrom == c));
    let walks: Vec<Result<ContigWalk>> = contigs
        .par_iter()
        .map(|c| {
            let dr: Vec<(usize, &Region)> = partner_regions
                .iter()
                .enumerate()
                .filter(|(_, (_, r))| &r.chrom == c)
                .map(|(i, (_, r))| (i, r))
                .collect();
            walk_contig(
                c,
                &merged(&scan, c),
                &dr,
                input,
                library,
                &rank,
                &names,
                &genes,
                opts.min_mapq,
            )
        })
        .collect();
    let mut splits = Vec::new();
    let mut pairs = Vec::new();
    let mut clips = Vec::new();
    let mut counts = EvidenceCounts::default();
    let mut bases = vec![0u64; partner_regions.len()];
    let (mut lens, mut inserts) = (Vec::new(), Vec::new());
    for w in walks {
        let w = w?;
        splits.extend(w.splits);
        pairs.extend(w.pairs);
        clips.extend(w.clips);
        counts.add(&w.counts);
        for (i, b) in w.depth_bases {
            bases[i] += b;
        }
        lens.extend(w.read_lengths);
        inserts.extend(w.inserts);
    }
    let read_len = median(lens).unwrap_or(150) as f64;
    let insert = median(inserts).unwrap_or(300) as f64;
    let mut warnings = Vec::new();
    let mut limits: Vec<String> = Vec::new();
    if counts.with_sa == 0 && counts.clipped_without_sa > 0 {
        warnings.push(format!(
            "{}: no read carries an SA tag (supplementary alignments): split reads come only from realigning {} soft-clipped reads to the panel's breakpoint regions",
            input.path.display(),
            counts.clipped_without_sa
        ));
        limits.push("no SA tags in the BAM: split reads only from soft-clip realignment".into());
    }
    if counts.paired == 0 && counts.unpaired > 0 {
        warnings.push(format!(
            "{}: reads are not paired: discordant-pair evidence is unavailable",
            input.path.display()
        ));
        limits.push("unpaired reads: no discordant-pair evidence".into());
    }
    let mut realigned = 0;
    if opts.realign_clips && !clips.is_empty() {
        let found = realign::realign(&clips, reference, panel, &names, &rank, &genes)?;
        realigned = found.len() as u32;
        splits.extend(found);
    }
    let max_dist = match library {
        Library::Dna => (insert * 3.0) as u64,
        Library::Rna => 200_000,
    };
    let candidates = cluster::cluster(splits, pairs, opts.min_mapq, max_dist);
    let mut calls: Vec<FusionCall> = Vec::new();
    let mut other = 0;
    let mut deletion_junctions = Vec::new();
    for c in candidates.iter().filter(|c| c.total() >= 2) {
        let Some(mut f) = interpret::interpret(c, &names, &genes, &panel.fusions, library) else {
            other += 1;
            let (a, b) = c.ends();
            let (l, r) = if a.pos <= b.pos { (a, b) } else { (b, a) };
            if l.contig == r.contig
                && l.retained == Retained::Left
                && r.retained == Retained::Right
                && r.pos > l.pos + 1
                && c.split_count() > 0
            {
                deletion_junctions.push(crate::model::DeletionJunction {
                    chrom: names[l.contig].clone(),
                    left: l.pos,
                    right: r.pos,
                    fragments: c.split_count() + c.pair_count(),
                    source: "intragenic junction".into(),
                });
            }
            continue;
        };
        if let Some((moved, shared)) = normalize::normalize(c, &f, &names, &genes, reference) {
            if let Some(g) = interpret::interpret(&moved, &names, &genes, &panel.fusions, library) {
                f = g;
            }
            f.homology = shared;
        }
        let fl5 = flank(
            reference,
            &f.five_prime.chrom,
            f.five_prime.pos,
            f.five_prime.retained,
        );
        let fl3 = flank(
            reference,
            &f.three_prime.chrom,
            f.three_prime.pos,
            f.three_prime.retained,
        );
        let flanks = match (&fl5, &fl3) {
            (Some(x), Some(y)) => Some((x.as_slice(), y.as_slice())),
            _ => None,
        };
        filters::apply(&mut f, &opts.thresholds, &genes, flanks);
        if f.mapq0_support > 0 {
            f.notes.push(format!(
                "{} fragment(s) with MAPQ below {} (repetitive sequence) listed apart, not counted as support",
                f.mapq0_support, opts.min_mapq
            ));
        }
        f.notes.extend(limits.iter().cloned());
        calls.push(f);
    }
    filters::promiscuous(&mut calls, &opts.thresholds);
    link_reciprocals(&mut calls);
    calls.sort_by(|a, b| {
        (!a.passes(), !a.known, std::cmp::Reverse(a.support()), &a.id).cmp(&(
            !b.passes(),
            !b.known,
            std::cmp::Reverse(b.support()),
            &b.id,
        ))
    });
    // targets: every known fusion of the panel
    let depth_of = |gene: &str| -> f64 {
        let (mut b, mut len) = (0u64, 0u64);
        for (i, (g, r)) in partner_regions.iter().enumerate() {
            if g == gene {
                b += bases[i];
                len += r.len();
            }
        }
        if len == 0 {
            0.0
        } else {
            b as f64 / len as f64
        }
    };
    let targets = panel
        .fusions
        .iter()
        .map(|k| {
            let hits: Vec<&FusionCall> = calls
                .iter()
                .filter(|c| {
                    c.gene5.as_deref() == Some(k.gene5.as_str())
                        && c.gene3.as_deref() == Some(k.gene3.as_str())
                })
                .collect();
            let (d5, d3) = (depth_of(&k.gene5), depth_of(&k.gene3));
            let lod = limit_of_detection(d5.min(d3), insert, read_len, opts.thresholds.min_support);
            let status = if hits.iter().any(|c| c.passes()) {
                FusionStatus::Detected
            } else if !hits.is_empty() {
                FusionStatus::DetectedFiltered
            } else if d5 <= 0.0 || d3 <= 0.0 {
                FusionStatus::NotCovered
            } else if lod.is_none_or(|l| l > 0.5) {
                FusionStatus::InsufficientDepth
            } else {
                FusionStatus::NotDetected
            };
            let name = format!("{}::{}", k.gene5, k.gene3);
            FusionTarget {
                name,
                gene5: k.gene5.clone(),
                gene3: k.gene3.clone(),
                subtype: k.subtype.clone(),
                class: k.class.clone(),
                status,
                depth5: (d5 * 10.0).round() / 10.0,
                depth3: (d3 * 10.0).round() / 10.0,
                limit_of_detection: lod.map(|x| (x * 10_000.0).round() / 10_000.0),
                calls: hits.iter().map(|c| c.id.clone()).collect(),
            }
        })
        .collect();
    // a passing fusion between two points of one contig in deletion orientation is a deletion's
    // junction too (P2RY8::CRLF2 is the PAR1 deletion)
    for c in calls.iter().filter(|c| c.filters.is_empty()) {
        let (x, y) = (&c.five_prime, &c.three_prime);
        let (l, r) = if x.pos <= y.pos { (x, y) } else { (y, x) };
        if l.chrom == r.chrom && l.retained == Retained::Left && r.retained == Retained::Right {
            deletion_junctions.push(crate::model::DeletionJunction {
                chrom: l.chrom.clone(),
                left: l.pos,
                right: r.pos,
                fragments: c.split_reads + c.spanning_pairs,
                source: c.name.clone(),
            });
        }
    }
    deletion_junctions
        .sort_by(|a, b| (&a.chrom, a.left, a.right).cmp(&(&b.chrom, b.left, b.right)));
    Ok(FusionCalls {
        library,
        library_source,
        calls,
        targets,
        evidence: counts,
        other_junctions: other,
        realigned_clips: realigned,
        deletion_junctions,
        warnings,
    })
}

/// Pair the two junctions of a balanced rearrangement (same two loci, each side kept the other
/// way, within 10 kb) and give every call an event id.
fn link_reciprocals(calls: &mut [FusionCall]) {
    const NEAR: u64 = 10_000;
    let ends = |c: &FusionCall| {
        let mut v = [
            (
                c.five_prime.chrom.clone(),
                c.five_prime.pos,
                c.five_prime.retained,
            ),
            (
                c.three_prime.chrom.clone(),
                c.three_prime.pos,
                c.three_prime.retained,
            ),
        ];
        v.sort();
        v
    };
    let n = calls.len();
    let mut partner: Vec<Option<usize>> = vec![None; n];
    for i in 0..n {
        for j in i + 1..n {
            if partner[i].is_some() || partner[j].is_some() {
                continue;
            }
            let (x, y) = (ends(&calls[i]), ends(&calls[j]));
            let matches = x
                .iter()
                .zip(y.iter())
                .all(|(p, q)| p.0 == q.0 && p.2 == q.2.flip() && p.1.abs_diff(q.1) <= NEAR);
            if matches {
                partner[i] = Some(j);
                partner[j] = Some(i);
            }
        }
    }
    for i in 0..n {
        let event = match partner[i] {
            Some(j) => {
                let (a, b) = (&calls[i].id, &calls[j].id);
                format!("EVT:{}", a.min(b))
            }
            None => format!("EVT:{}", calls[i].id),
        };
        calls[i].reciprocal = partner[i].map(|j| calls[j].id.clone());
        calls[i].event_id = event;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::fusion::cluster::Candidate;
    use crate::call::fusion::evidence::End;

    /// A call read from a junction between (contig 0, pos, kept) and (contig 1, pos, kept).
    fn junction(
        panel: &Panel,
        a: (&str, u64, Retained),
        b: (&str, u64, Retained),
        library: Library,
    ) -> FusionCall {
        let names = vec![a.0.to_string(), b.0.to_string()];
        let c = Candidate {
            a: Some(End {
                contig: 0,
                pos: a.1,
                retained: a.2,
            }),
            b: Some(End {
                contig: 1,
                pos: b.1,
                retained: b.2,
            }),
            precise: true,
            split: (0..5).map(|i| vec![i]).collect(),
            ..Default::default()
        };
        let genes = Genes::from_panel(panel);
        let mut f = interpret::interpret(&c, &names, &genes, &panel.fusions, library).unwrap();
        filters::apply(&mut f, &FusionThresholds::default(), &genes, None);
        f
    }

    #[test]
    fn reciprocal_junctions_share_an_event() {
        let panel = Panel::load("all-v1").unwrap();
        let der22 = junction(
            &panel,
            ("chr22", 23_200_000, Retained::Left),
            ("chr9", 130_800_000, Retained::Right),
            Library::Dna,
        );
        // der(9): a few bases lost at each breakpoint, as in most balanced translocations
        let der9 = junction(
            &panel,
            ("chr9", 130_799_996, Retained::Left),
            ("chr22", 23_200_004, Retained::Right),
            Library::Dna,
        );
        let other = junction(
            &panel,
            ("chr12", 11_877_000, Retained::Left),
            ("chr21", 34_883_000, Retained::Left),
            Library::Dna,
        );
        let mut calls = vec![der22, other, der9];
        link_reciprocals(&mut calls);
        assert_eq!(calls[0].name, "BCR::ABL1");
        assert_eq!(calls[2].name, "ABL1::BCR");
        assert_eq!(calls[0].event_id, calls[2].event_id);
        assert_eq!(calls[0].reciprocal.as_deref(), Some(calls[2].id.as_str()));
        assert_eq!(calls[2].reciprocal.as_deref(), Some(calls[0].id.as_str()));
        assert_eq!(calls[1].reciprocal, None);
        assert_ne!(calls[1].event_id, calls[0].event_id);
    }

    #[test]
    fn rna_read_through_between_neighbours_is_filtered() {
        let panel = Panel::load("all-v1").unwrap();
        // CDKN2B exon 1 spliced into CDKN2A exon 2: neighbours on the minus strand
        let f = junction(
            &panel,
            ("chr9", 21_974_866, Retained::Left),
            ("chr9", 22_008_798, Retained::Right),
            Library::Rna,
        );
        assert_eq!(f.name, "CDKN2B::CDKN2A");
        assert_eq!(f.filters, vec!["read_through"]);
        // the same junction in DNA is a deletion, not a transcriptional artefact
        let d = junction(
            &panel,
            ("chr9", 21_974_866, Retained::Left),
            ("chr9", 22_008_798, Retained::Right),
            Library::Dna,
        );
        assert!(d.filters.is_empty(), "{:?}", d.filters);
    }

    #[test]
    fn a_locus_with_many_partners_is_promiscuous() {
        let panel = Panel::load("all-v1").unwrap();
        let k = 118_483_000; // KMT2A intron 8
        let mut calls: Vec<FusionCall> = [87_050_000u64, 87_060_000, 87_070_000]
            .iter()
            .map(|&p| {
                junction(
                    &panel,
                    ("chr11", k, Retained::Left),
                    ("chr3", p, Retained::Right),
                    Library::Dna,
                )
            })
            .collect();
        filters::promiscuous(&mut calls, &FusionThresholds::default());
        assert!(calls
            .iter()
            .all(|c| c.filters.contains(&"promiscuous_partner".to_string())));
    }

    #[test]
    fn detection_limits() {
        // P(X >= 3) = 0.95 at a Poisson mean of ~6.3
        let l = poisson_mean_for_detection(3);
        assert!((l - 6.296).abs() < 0.01, "{l}");
        // 100x reads, 300 bp inserts, 150 bp reads: ~87 informative fragments
        let lod = limit_of_detection(100.0, 300.0, 150.0, 3).expect("lod");
        assert!((lod - 0.0726).abs() < 0.002, "{lod}");
        assert_eq!(limit_of_detection(0.0, 300.0, 150.0, 3), None);
    }
}
