//! Small-variant calls and hotspot genotypes, as every later stage (annotation, report, concordance)
//! sees them. Coordinates are VCF-style: 1-based, indels left-aligned with their anchor base.
use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum VariantKind {
    Snv,
    Mnv,
    Insertion,
    Deletion,
    /// Complex: bases replaced by a different number of bases.
    Delins,
}

impl VariantKind {
    pub fn of(reference: &str, alt: &str) -> Self {
        let (r, a) = (reference.len(), alt.len());
        let anchored = reference.as_bytes().first() == alt.as_bytes().first();
        match (r, a) {
            (1, 1) => VariantKind::Snv,
            _ if r == a => VariantKind::Mnv,
            _ if anchored && r == 1 => VariantKind::Insertion,
            _ if anchored && a == 1 => VariantKind::Deletion,
            _ => VariantKind::Delins,
        }
    }

    pub fn is_indel(self) -> bool {
        !matches!(self, VariantKind::Snv | VariantKind::Mnv)
    }
}

/// One SNV/MNV/indel with the evidence behind it. Counts are of fragments (read pairs counted once
/// where the mates overlap), not reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SmallVariant {
    /// Stable across labs and runs: `chrom:pos:ref:alt`.
    pub id: String,
    pub chrom: String,
    pub pos: u64,
    pub reference: String,
    pub alt: String,
    pub kind: VariantKind,
    /// Fragments informative at the site (base quality at or above the minimum).
    pub depth: u32,
    pub ref_fragments: u32,
    pub alt_fragments: u32,
    pub vaf: f64,
    /// Alt-supporting reads by strand (a fragment whose mates both show it counts on both).
    pub alt_forward: u32,
    pub alt_reverse: u32,
    pub ref_forward: u32,
    pub ref_reverse: u32,
    /// Phred-scaled probability that the alt fragments are all errors (see [`crate::call::small`]).
    pub qual: f64,
    /// The per-fragment error rate the test assumed at this site.
    pub error_rate: f64,
    pub median_alt_base_quality: u8,
    pub median_alt_mapq: u8,
    /// Median distance of the alt allele from the nearer read end, in bases.
    pub median_alt_read_position: u32,
    /// Length in bases of the homopolymer or tandem repeat the variant sits in (0 = none).
    pub repeat_length: u32,
    /// Empty when the call passes; otherwise every filter it failed.
    pub filters: Vec<String>,
    /// `likely_germline` when the VAF sits near 50% or 100% (kept and labelled, never dropped).
    pub origin: String,
    /// How it was found: `pileup` (aligned reads) or `soft_clip` (assembled from clipped reads).
    pub source: String,
}

impl SmallVariant {
    pub fn passes(&self) -> bool {
        self.filters.is_empty()
    }
    pub fn end(&self) -> u64 {
        self.pos + self.reference.len() as u64 - 1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HotspotStatus {
    /// A passing call matches the hotspot.
    Detected,
    /// A call matches but failed a filter (listed in the call).
    DetectedFiltered,
    /// A different passing change covers the hotspot position (e.g. a codon 12 doublet where the
    /// hotspot is G12D); the call is listed and annotation names it.
    OtherChange,
    /// Tested at adequate depth; nothing at or above the limit of detection.
    NotDetected,
    /// Depth below the panel's warn depth: a negative result is not reportable.
    InsufficientDepth,
    /// The reference base differs from the panel's (wrong build or panel); not genotyped.
    ReferenceMismatch,
    /// The contig is absent from the input.
    NotCovered,
}

/// Result for one panel hotspot, whether or not anything was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HotspotCall {
    pub gene: String,
    pub name: String,
    pub hgvs_c: String,
    /// allele | codon | pgx (panel hotspots.tsv).
    pub kind: String,
    pub chrom: String,
    pub start: u64,
    pub end: u64,
    pub depth: u32,
    pub ref_fragments: u32,
    /// Fragments carrying the hotspot allele (allele/pgx) or any change in the codon (codon).
    pub alt_fragments: u32,
    pub vaf: f64,
    /// Lowest VAF detected with 95% probability at this depth under the calling thresholds; None
    /// without coverage.
    pub limit_of_detection: Option<f64>,
    pub status: HotspotStatus,
    /// IDs of the calls that overlap the hotspot.
    pub calls: Vec<String>,
}
