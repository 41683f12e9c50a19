//! Domain types shared by all stages.
use serde::{Deserialize, Serialize};

/// Half-open 0-based interval on a contig (BED convention).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Region {
    pub chrom: String,
    pub start: u64,
    pub end: u64,
    pub name: String,
}

impl Region {
    pub fn len(&self) -> u64 {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
    pub fn contains(&self, chrom: &str, pos0: u64) -> bool {
        self.chrom == chrom && self.start <= pos0 && pos0 < self.end
    }
}

/// Where an output came from: enough to rerun it and to join two labs' results.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Provenance {
    pub puente_version: String,
    pub command_line: Vec<String>,
    pub panel: PanelRef,
    pub reference: ReferenceRef,
    pub inputs: Vec<InputFile>,
    pub read_groups: Vec<ReadGroup>,
    /// UTC date the analysis ran (YYYY-MM-DD); `SOURCE_DATE_EPOCH` pins it for reproducible re-runs.
    #[serde(default)]
    pub analysis_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PanelRef {
    pub name: String,
    pub version: String,
    pub build: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReferenceRef {
    pub path: String,
    pub build: String,
    /// MD5 of each contig the panel uses (the @SQ M5 convention).
    pub contig_md5: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InputFile {
    pub role: String,
    pub path: String,
    pub sha256: String,
}

#[derive(
    Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, schemars::JsonSchema,
)]
pub struct ReadGroup {
    pub id: String,
    pub sample: Option<String>,
    pub library: Option<String>,
    pub center: Option<String>,
    pub platform: Option<String>,
}

/// Per-sample metadata from the samplesheet (clinical fields feed risk stratification later).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct SampleInfo {
    pub sample_id: String,
    pub lab_id: Option<String>,
    /// Hospital treating the child; the sequencing lab may be another institution. Registry
    /// statistics group by it and count a child once per hospital and sample ID.
    #[serde(default)]
    pub hospital: Option<String>,
    /// Date the sample was collected (YYYY-MM-DD).
    #[serde(default)]
    pub collection_date: Option<String>,
    /// Date the lab received the sample (YYYY-MM-DD); with the analysis date it gives turnaround.
    #[serde(default)]
    pub received_date: Option<String>,
    pub library: Option<String>,
    pub sex: Option<String>,
    pub age_years: Option<f64>,
    pub wbc_per_ul: Option<f64>,
    pub cns_status: Option<String>,
    pub mrd_day15: Option<f64>,
    pub mrd_eoi: Option<f64>,
    pub tumor_fraction: Option<f64>,
    /// B or T (immunophenotype), for the risk rules.
    #[serde(default)]
    pub lineage: Option<String>,
}

/// QC verdict, ordered from best to worst so the sample verdict is the max over its parts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
}

mod annotation;
mod cnv;
mod fusion;
mod risk;
mod variant;
pub use annotation::{
    Finding, Implication, KnowledgeBaseRef, PgxDosing, PgxDrugDose, PgxGene, PgxPosition,
    PgxResult, Source, TranscriptConsequence, VariantAnnotation,
};
pub use cnv::{
    ChromosomeCopy, CnvBaseline, CnvState, CopyNumberCall, DeletionJunction, ExonCopy, GeneCopy,
    Ikzf1Plus, PanelOfNormals, PloidySignal, PonSample, PonSite, PonTarget,
};
pub use fusion::{
    Breakpoint, Frame, FusionCall, FusionStatus, FusionTarget, Library, Location, Retained,
};
pub use risk::{FiredRule, PendingRule, RiskAssessment, RiskInput, RiskOutput, RulesetRef};
pub use variant::{HotspotCall, HotspotStatus, SmallVariant, VariantKind};
