//! Fusion filters. Each adds its name to the call; nothing is dropped.
use super::genes::Genes;
use crate::model::{FusionCall, Library};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Every filter name with what it means (VCF FILTER header lines, README).
pub const FILTERS: &[(&str, &str)] = &[
    (
        "min_support",
        "fewer supporting fragments (split + spanning, MAPQ at or above the floor) than required",
    ),
    (
        "no_split_read",
        "no read crosses the junction: partner order and breakpoint rest on discordant pairs alone",
    ),
    (
        "low_mapq",
        "enough fragments only when alignments below the MAPQ floor are counted (repeats such as DUX4/IGH)",
    ),
    (
        "microhomology",
        "long identical sequence at the junction: typical of alignment artefacts between similar sequences",
    ),
    (
        "repeat",
        "breakpoint in low-complexity sequence on either side",
    ),
    (
        "read_through",
        "RNA junction between neighbouring genes on one strand, not a known fusion: transcriptional read-through",
    ),
    (
        "promiscuous_partner",
        "a breakpoint locus joined to several different partners in this sample: artefact-prone locus",
    ),
];

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FusionThresholds {
    /// Supporting fragments (split + spanning) a call needs.
    pub min_support: u32,
    /// Reads crossing the junction a call needs (0 allows pair-only calls).
    pub min_split_reads: u32,
    /// Junction homology at or above this is an artefact signature.
    pub max_homology: u32,
    /// Distinct partners of one locus above which its calls are suspect.
    pub max_partners: usize,
    /// RNA read-through: neighbouring genes closer than this.
    pub read_through_distance: u64,
}

impl Default for FusionThresholds {
    fn default() -> Self {
        FusionThresholds {
            min_support: 3,
            min_split_reads: 1,
            max_homology: 10,
            max_partners: 2,
            read_through_distance: 500_000,
        }
    }
}

/// Fraction of distinct 3-mers among those possible in `seq`: low for homopolymers and short
/// tandem repeats.
pub fn complexity(seq: &[u8]) -> f64 {
    if seq.len() < 4 {
        return 1.0;
    }
    let kmers: BTreeSet<&[u8]> = seq.windows(3).collect();
    kmers.len() as f64 / (seq.len() - 2).min(64) as f64
}

/// Below this 3-mer complexity over 30 bases a breakpoint flank counts as repetitive.
pub const MIN_COMPLEXITY: f64 = 0.4;

/// Per-call filters that need only the call itself and the reference flanks.
pub fn apply(
    call: &mut FusionCall,
    t: &FusionThresholds,
    genes: &Genes,
    flanks: Option<(&[u8], &[u8])>,
) {
    let support = call.support();
    if support < t.min_support {
        if support + call.mapq0_support >= t.min_support {
            call.filters.push("low_mapq".into());
        } else {
            call.filters.push("min_support".into());
        }
    }
    if call.split_reads < t.min_split_reads {
        call.filters.push("no_split_read".into());
    }
    if call.homology >= t.max_homology {
        call.filters.push("microhomology".into());
    }
    if let Some((x, y)) = flanks {
        if complexity(x) < MIN_COMPLEXITY || complexity(y) < MIN_COMPLEXITY {
            call.filters.push("repeat".into());
        }
    }
    if call.library == Library::Rna && !call.known {
        if let (Some(g5), Some(g3)) = (&call.gene5, &call.gene3) {
            if let (Some(a), Some(b)) = (genes.get(g5), genes.get(g3)) {
                let downstream = if a.strand == '+' {
                    b.start > a.end
                } else {
                    b.end < a.start
                };
                let gap = a.start.max(b.start).saturating_sub(a.end.min(b.end));
                if a.chrom == b.chrom
                    && a.strand == b.strand
                    && downstream
                    && gap <= t.read_through_distance
                {
                    call.filters.push("read_through".into());
                }
            }
        }
    }
}

/// Calls whose breakpoint locus (within 1 kb) is joined to more than `max_partners` different
/// partners; known pairs are spared.
pub fn promiscuous(calls: &mut [FusionCall], t: &FusionThresholds) {
    let locus = |c: &str, p: u64| (c.to_string(), p / 1000);
    let mut partners: BTreeMap<(String, u64), BTreeSet<(String, u64)>> = BTreeMap::new();
    for c in calls.iter() {
        let a = locus(&c.five_prime.chrom, c.five_prime.pos);
        let b = locus(&c.three_prime.chrom, c.three_prime.pos);
        partners.entry(a.clone()).or_default().insert(b.clone());
        partners.entry(b).or_default().insert(a);
    }
    for c in calls.iter_mut().filter(|c| !c.known) {
        let a = locus(&c.five_prime.chrom, c.five_prime.pos);
        let b = locus(&c.three_prime.chrom, c.three_prime.pos);
        if partners[&a].len() > t.max_partners || partners[&b].len() > t.max_partners {
            c.filters.push("promiscuous_partner".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complexity_separates_repeats() {
        assert!(complexity(b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") < MIN_COMPLEXITY);
        assert!(complexity(b"CACACACACACACACACACACACACACACA") < MIN_COMPLEXITY);
        assert!(complexity(b"ACGTTGCAAGCTTAGCCGATAGGCTAACGT") > MIN_COMPLEXITY);
    }
}
