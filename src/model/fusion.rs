//! Gene fusions and other rearrangement junctions as later stages see them: both breakpoints, the
//! evidence by type, and the transcript-level reading (partners, exons, isoform, frame).
use serde::{Deserialize, Serialize};

/// Library type: decides whether breakpoints are expected in introns (DNA) or at exon junctions (RNA).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Library {
    Dna,
    Rna,
}

impl Library {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "dna" => Some(Library::Dna),
            "rna" => Some(Library::Rna),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Library::Dna => "dna",
            Library::Rna => "rna",
        }
    }
}

/// Which side of a breakpoint the rearranged molecule keeps: `Left` keeps the reference up to and
/// including `pos`, `Right` keeps it from `pos` on.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Retained {
    Left,
    Right,
}

impl Retained {
    pub fn flip(self) -> Self {
        match self {
            Retained::Left => Retained::Right,
            Retained::Right => Retained::Left,
        }
    }
}

/// Where a breakpoint falls on the partner's transcript model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "number")]
pub enum Location {
    Exon(u32),
    /// Between exon n and n+1 in transcript order.
    Intron(u32),
    /// 5' of the first exon (promoter side).
    Upstream,
    /// 3' of the last exon.
    Downstream,
    /// A panel locus without a transcript model (e.g. IGH).
    Locus,
    /// No panel gene here.
    Intergenic,
}

/// One side of a junction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Breakpoint {
    pub chrom: String,
    /// 1-based: the last (Left) or first (Right) base of the reference kept at the junction.
    pub pos: u64,
    pub retained: Retained,
    /// Direction in which the fusion reads this partner's reference: `+` reads forward into (5′
    /// partner) or out of (3′ partner) the junction. Equals the gene's strand for a productive fusion.
    pub strand: char,
    /// Panel gene or locus at or next to the breakpoint.
    pub gene: Option<String>,
    pub transcript: Option<String>,
    pub location: Location,
    /// Exon kept next to the junction: the last exon of the 5′ partner or the first of the 3′ one.
    pub exon: Option<u32>,
}

/// Reading frame across the junction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Frame {
    InFrame,
    OutOfFrame,
    /// The 3′ partner's whole coding sequence is kept behind a 5′ UTR, promoter or enhancer (P2RY8::CRLF2,
    /// IGH::CRLF2, IGH::DUX4): expression, not a chimeric protein, is the effect.
    Cds3Intact,
    /// The partners' orientations cannot make a sense transcript (e.g. a reciprocal product).
    NotProductive,
    Unknown,
}

impl Frame {
    pub fn name(self) -> &'static str {
        match self {
            Frame::InFrame => "in_frame",
            Frame::OutOfFrame => "out_of_frame",
            Frame::Cds3Intact => "cds3_intact",
            Frame::NotProductive => "not_productive",
            Frame::Unknown => "unknown",
        }
    }
}

/// A rearrangement junction with its evidence. Counts are of fragments (read pairs), duplicates out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FusionCall {
    /// Stable across labs: `name:chrom5:pos5:chrom3:pos3`.
    pub id: String,
    /// Shared by the two junctions of a balanced (reciprocal) rearrangement.
    pub event_id: String,
    /// HGNC form `A::B`, 5′ partner first; `?` for a partner outside the panel (`KMT2A::?`).
    pub name: String,
    pub gene5: Option<String>,
    pub gene3: Option<String>,
    pub five_prime: Breakpoint,
    pub three_prime: Breakpoint,
    /// In the panel's list of known fusions.
    pub known: bool,
    pub subtype: Option<String>,
    pub class: Option<String>,
    /// Common isoform name (BCR::ABL1 e1a2 = p190).
    pub isoform: Option<String>,
    pub frame: Frame,
    /// Fragments with a read split across the junction.
    pub split_reads: u32,
    /// Other fragments whose mates lie on the two partners.
    pub spanning_pairs: u32,
    /// Fragments whose alignment on either side has MAPQ below the floor (DUX4 and IGH repeats):
    /// listed, not counted in split/spanning.
    pub mapq0_support: u32,
    /// Split-read evidence fixes the breakpoint to the base; pairs alone place it within an insert.
    pub precise: bool,
    /// Bases of identical sequence at the junction (microhomology) and non-templated inserted bases.
    pub homology: u32,
    pub inserted: u32,
    pub library: Library,
    /// Id of the other junction of the same balanced rearrangement.
    pub reciprocal: Option<String>,
    pub filters: Vec<String>,
    /// What evidence could not be used for this sample, and why calls may be incomplete.
    pub notes: Vec<String>,
}

impl FusionCall {
    pub fn passes(&self) -> bool {
        self.filters.is_empty()
    }

    pub fn support(&self) -> u32 {
        self.split_reads + self.spanning_pairs
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FusionStatus {
    Detected,
    DetectedFiltered,
    NotDetected,
    /// Not detected, and the depth is too low to detect even a fusion in every cell (detection
    /// limit above one allele in two): the result is not a negative.
    InsufficientDepth,
    /// The partners' breakpoint regions are not in the capture or not in this BAM.
    NotCovered,
}

/// A known fusion of the panel, with its result even when absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FusionTarget {
    pub name: String,
    pub gene5: String,
    pub gene3: String,
    pub subtype: String,
    pub class: String,
    pub status: FusionStatus,
    /// Mean read depth over the partners' breakpoint-search regions (DNA) or exons (RNA).
    pub depth5: f64,
    pub depth3: f64,
    /// Smallest fraction of molecules carrying the fusion detectable with 95% probability at this
    /// depth under the calling thresholds (None when not covered).
    pub limit_of_detection: Option<f64>,
    pub calls: Vec<String>,
}
