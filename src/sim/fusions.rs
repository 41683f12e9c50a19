//! Planted fusion sets for tests and benchmarks, positioned from the panel so they follow it, and
//! scoring of fusion calls against them.
use super::reads::{PlantedFusion, RnaJunction};
use crate::error::{Error, Result};
use crate::model::{FusionCall, Retained};
use crate::panel::Panel;
use serde::Serialize;

/// One planted fusion with what a correct call looks like.
#[derive(Debug, Clone, Serialize)]
pub struct Expected {
    pub fusion: PlantedFusion,
    /// `A::B`, 5′ partner first.
    pub name: String,
    /// The exact junction: (chrom, pos, kept side) of each segment, in planted order.
    pub first: (String, u64, Retained),
    pub second: (String, u64, Retained),
}

fn point(panel: &Panel, region: &str, offset: i64) -> Result<(String, u64)> {
    let r = panel
        .fusion_search
        .iter()
        .find(|r| r.name.split(',').any(|n| n == region))
        .ok_or_else(|| Error::Panel {
            panel: panel.source.clone(),
            reason: format!("no fusion-search region {region}"),
        })?;
    let mid = ((r.start + r.end) / 2) as i64 + offset;
    Ok((
        r.chrom.clone(),
        mid.clamp(r.start as i64 + 1, r.end as i64) as u64,
    ))
}

/// A DNA junction between two breakpoint-search regions. `first_minus`: the first segment is kept
/// to the right of its point and read on the minus strand; `second_minus`: the second is kept to
/// the left of its point.
fn dna(
    panel: &Panel,
    name: &str,
    (r1, first_minus): (&str, bool),
    (r2, second_minus): (&str, bool),
    offset: i64,
) -> Result<Expected> {
    let (c1, p1) = point(panel, r1, offset)?;
    let (c2, p2) = point(panel, r2, -offset)?;
    Ok(Expected {
        fusion: PlantedFusion {
            chrom5: c1.clone(),
            pos5: p1,
            chrom3: c2.clone(),
            pos3: p2,
            reverse3: second_minus,
            reverse5: first_minus,
            fraction: 0.5,
            label: name.into(),
            rna_exons: None,
        },
        name: name.into(),
        first: (
            c1,
            p1,
            if first_minus {
                Retained::Right
            } else {
                Retained::Left
            },
        ),
        second: (
            c2,
            p2,
            if second_minus {
                Retained::Left
            } else {
                Retained::Right
            },
        ),
    })
}

/// The DNA benchmark set: the main ALL fusion classes, every strand combination, a deletion
/// (P2RY8::CRLF2), enhancer fusions (IGH::CRLF2, IGH::DUX4), and breakpoints off the region
/// centres so they do not fall on round positions.
pub fn dna_set(panel: &Panel) -> Result<Vec<Expected>> {
    Ok(vec![
        dna(
            panel,
            "BCR::ABL1",
            ("BCR_intron1", false),
            ("ABL1_upstream", false),
            137,
        )?,
        dna(
            panel,
            "BCR::ABL1",
            ("BCR_intron13", false),
            ("ABL1_intron1", false),
            -61,
        )?,
        dna(
            panel,
            "ETV6::RUNX1",
            ("ETV6_intron5", false),
            ("RUNX1_intron1", true),
            211,
        )?,
        dna(
            panel,
            "TCF3::PBX1",
            ("TCF3_intron16", true),
            ("PBX1_intron2", false),
            -17,
        )?,
        dna(
            panel,
            "KMT2A::AFF1",
            ("KMT2A_intron9", false),
            ("AFF1_intron4", false),
            43,
        )?,
        dna(
            panel,
            "EBF1::PDGFRB",
            ("EBF1_intron15", true),
            ("PDGFRB_intron10", true),
            5,
        )?,
        dna(
            panel,
            "P2RY8::CRLF2",
            ("CRLF2_upstream", false),
            ("P2RY8_intron1", false),
            301,
        )?,
        dna(
            panel,
            "IGH::CRLF2",
            ("IGH_locus", false),
            ("CRLF2_upstream", true),
            -99,
        )?,
        dna(
            panel,
            "IGH::DUX4",
            ("IGH_locus", true),
            ("DUX4_upstream", false),
            77,
        )?,
    ])
}

fn rna(panel: &Panel, gene5: &str, exon5: u32, gene3: &str, exon3: u32) -> Result<Expected> {
    let exon = |g: &str, n: u32| {
        panel
            .exons
            .iter()
            .find(|e| e.gene == g && e.number == n)
            .ok_or_else(|| Error::Panel {
                panel: panel.source.clone(),
                reason: format!("{g} exon {n} not in the panel"),
            })
    };
    let (x, y) = (exon(gene5, exon5)?, exon(gene3, exon3)?);
    // last base of the 5' exon and first base of the 3' exon in transcription order
    let (p1, k1) = if x.strand == '+' {
        (x.end, Retained::Left)
    } else {
        (x.start, Retained::Right)
    };
    let (p2, k2) = if y.strand == '+' {
        (y.start, Retained::Right)
    } else {
        (y.end, Retained::Left)
    };
    Ok(Expected {
        fusion: PlantedFusion {
            chrom5: x.chrom.clone(),
            pos5: p1,
            chrom3: y.chrom.clone(),
            pos3: p2,
            reverse3: y.strand == '-',
            reverse5: x.strand == '-',
            fraction: 0.5,
            label: format!("{gene5}::{gene3}"),
            rna_exons: Some(RnaJunction {
                gene5: gene5.into(),
                exon5,
                gene3: gene3.into(),
                exon3,
            }),
        },
        name: format!("{gene5}::{gene3}"),
        first: (x.chrom.clone(), p1, k1),
        second: (y.chrom.clone(), p2, k2),
    })
}

/// The RNA benchmark set: junctions at exon boundaries.
pub fn rna_set(panel: &Panel) -> Result<Vec<Expected>> {
    Ok(vec![
        rna(panel, "BCR", 1, "ABL1", 2)?,
        rna(panel, "ETV6", 5, "RUNX1", 2)?,
        rna(panel, "TCF3", 16, "PBX1", 3)?,
        rna(panel, "P2RY8", 1, "CRLF2", 1)?,
        rna(panel, "KMT2A", 9, "AFF1", 5)?,
    ])
}

/// How one planted fusion was called.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub name: String,
    pub planted: String,
    /// A passing call with the right name and partner order.
    pub detected: bool,
    /// Both breakpoints to the base (up to sliding along shared sequence).
    pub exact: bool,
    pub called: Option<String>,
    pub split_reads: u32,
    pub spanning_pairs: u32,
    pub filters: Vec<String>,
}

fn same_end(call: &crate::model::Breakpoint, e: &(String, u64, Retained)) -> (bool, bool) {
    let near = call.chrom == e.0 && call.retained == e.2 && call.pos.abs_diff(e.1) <= 500;
    (near, near && call.pos == e.1)
}

/// Signed move of a called breakpoint from the planted one, in the fusion's reading direction.
fn slide(call: &crate::model::Breakpoint, e: &(String, u64, Retained)) -> i64 {
    let d = call.pos as i64 - e.1 as i64;
    if call.strand == '+' {
        d
    } else {
        -d
    }
}

/// Both breakpoints to the base, or moved together along the partners' shared sequence (the
/// caller gives shared bases to the 5' partner, whichever way the reads were planted).
fn exact(
    c: &FusionCall,
    first: &(String, u64, Retained),
    second: &(String, u64, Retained),
) -> bool {
    let (s5, s3) = (slide(&c.five_prime, first), slide(&c.three_prime, second));
    same_end(&c.five_prime, first).0
        && same_end(&c.three_prime, second).0
        && s5 == s3
        && s5.unsigned_abs() <= c.homology as u64
}

/// Match calls to the truth: a call matches when its two breakpoints fall on the planted junction
/// (kept sides equal, within an insert size) and its name is the expected one.
pub fn score(truth: &[Expected], calls: &[FusionCall]) -> (Vec<Outcome>, Vec<FusionCall>) {
    let mut used = vec![false; calls.len()];
    let mut out = Vec::new();
    for t in truth {
        let hit = calls.iter().enumerate().find(|(_, c)| {
            let (a1, _) = same_end(&c.five_prime, &t.first);
            let (b1, _) = same_end(&c.three_prime, &t.second);
            let (a2, _) = same_end(&c.five_prime, &t.second);
            let (b2, _) = same_end(&c.three_prime, &t.first);
            (a1 && b1) || (a2 && b2)
        });
        let planted = format!("{}:{}/{}:{}", t.first.0, t.first.1, t.second.0, t.second.1);
        match hit {
            Some((i, c)) => {
                used[i] = true;
                let exact = exact(c, &t.first, &t.second) || exact(c, &t.second, &t.first);
                out.push(Outcome {
                    name: t.name.clone(),
                    planted,
                    detected: c.passes() && c.name == t.name,
                    exact,
                    called: Some(format!(
                        "{} {}:{}/{}:{}",
                        c.name,
                        c.five_prime.chrom,
                        c.five_prime.pos,
                        c.three_prime.chrom,
                        c.three_prime.pos
                    )),
                    split_reads: c.split_reads,
                    spanning_pairs: c.spanning_pairs,
                    filters: c.filters.clone(),
                });
            }
            None => out.push(Outcome {
                name: t.name.clone(),
                planted,
                detected: false,
                exact: false,
                called: None,
                split_reads: 0,
                spanning_pairs: 0,
                filters: vec![],
            }),
        }
    }
    let false_calls = calls
        .iter()
        .enumerate()
        .filter(|(i, c)| !used[*i] && c.passes())
        .map(|(_, c)| c.clone())
        .collect();
    (out, false_calls)
}
