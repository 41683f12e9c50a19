//! Copy number as later stages see it: per-exon evidence, exon-range calls per gene, the IKZF1plus
//! profile and the chromosome-level ploidy signal.
use serde::{Deserialize, Serialize};

/// Copy-number state of a gene or exon range (the `call` column of cnv.tsv).
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
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CnvState {
    /// Loss of one copy (or a subclonal loss).
    Del,
    /// Loss of both copies: near-zero depth in the tumour cells.
    Homdel,
    /// Gain.
    Amp,
    Neutral,
    /// Not assessable: the exons were not captured, or the normals never cover them.
    NoCoverage,
}

impl CnvState {
    pub fn name(self) -> &'static str {
        match self {
            CnvState::Del => "DEL",
            CnvState::Homdel => "HOMDEL",
            CnvState::Amp => "AMP",
            CnvState::Neutral => "NEUTRAL",
            CnvState::NoCoverage => "NO_COVERAGE",
        }
    }

    pub fn is_loss(self) -> bool {
        matches!(self, CnvState::Del | CnvState::Homdel)
    }
}

/// Depth evidence for one exon of a copy-number gene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ExonCopy {
    pub exon: u32,
    pub chrom: String,
    /// The capture target measured for this exon (1-based inclusive).
    pub start: u64,
    pub end: u64,
    /// Mean fragment depth over the target.
    pub depth: f64,
    /// GC fraction of the target (the bias that was corrected).
    pub gc: f64,
    /// log2 of the corrected depth over the expected depth (0 = two copies).
    pub log2: f64,
    /// `log2` over its expected spread (the normals' spread plus this sample's sampling noise).
    pub z: f64,
    /// The spread used for `z`.
    pub sd: f64,
}

/// One called exon range of a gene (or the whole-gene NEUTRAL / NO_COVERAGE row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CopyNumberCall {
    /// Stable identifier for joining two labs' reports: `CNV:<gene>:<exons>:<state>`.
    pub id: String,
    pub gene: String,
    pub chrom: String,
    /// Span of the called exons' targets, 1-based inclusive.
    pub start: u64,
    pub end: u64,
    pub first_exon: u32,
    pub last_exon: u32,
    /// Exon count of the gene's panel transcript.
    pub gene_exons: u32,
    pub state: CnvState,
    /// Mean log2 ratio over the called exons.
    pub log2: f64,
    /// Combined z-score of the called exons (Stouffer).
    pub z: f64,
    /// Estimated copies in the tumour cells: adjusted for the tumour fraction when the samplesheet
    /// gives it, otherwise assuming a pure sample (`tumor_fraction_used` says which).
    pub copy_number: Option<f64>,
    pub tumor_fraction_used: Option<f64>,
    /// Named pattern where one exists (IKZF1 Δ4-7, Δ1-8 ...; PAR1 deletion; iAMP21 signal).
    pub pattern: Option<String>,
    /// Chromosome-level state around the gene when it is not two copies (e.g. `chr21 gain`).
    pub ploidy_context: Option<String>,
    /// Junction reads joining the two sides of the deletion: breakpoints (1-based) and fragments.
    pub breakpoints: Option<(u64, u64)>,
    pub junction_fragments: u32,
    /// Empty when the call passes.
    pub filters: Vec<String>,
    pub notes: Vec<String>,
}

impl CopyNumberCall {
    pub fn passed(&self) -> bool {
        self.filters.is_empty()
    }

    /// `4-7`, or `3` for a single exon.
    pub fn exon_label(&self) -> String {
        if self.first_exon == self.last_exon {
            self.first_exon.to_string()
        } else {
            format!("{}-{}", self.first_exon, self.last_exon)
        }
    }
}

/// All exon evidence of one copy-number gene, in transcript order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GeneCopy {
    pub gene: String,
    pub chrom: String,
    pub strand: char,
    pub exons: Vec<ExonCopy>,
}

/// IKZF1plus (Stanulla 2018): IKZF1 deletion plus deletion of CDKN2A, CDKN2B (homozygous), PAX5 or
/// PAR1, without ERG deletion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Ikzf1Plus {
    /// `positive`, `negative`, or `not_assessable` (a gene it needs could not be measured).
    pub status: String,
    pub ikzf1_deletion: Option<String>,
    /// The co-deleted genes that make it up.
    pub co_deletions: Vec<String>,
    pub erg_deletion: bool,
    pub reason: String,
}

/// Depth and allele evidence for one chromosome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChromosomeCopy {
    pub chrom: String,
    pub targets: u32,
    /// Distinct loci (bins within 1 Mb form one) behind `log2`.
    pub loci: u32,
    /// Median over loci of each locus' median log2 ratio (focal calls excluded).
    pub log2: f64,
    /// Standard error of that median.
    pub se: f64,
    /// Heterozygous SNPs measured.
    pub het_snps: u32,
    /// Median |allele fraction - 0.5| at those SNPs (0 balanced; larger = imbalance or LOH).
    pub allelic_imbalance: Option<f64>,
    /// `gain`, `loss`, `loh` (copy-neutral or lost homologue), or `neutral`.
    pub state: String,
}

/// Chromosome-level signal, to be confirmed by DNA index or karyotype.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PloidySignal {
    /// `high_hyperdiploid`, `near_haploid_or_low_hypodiploid`, `none`, or `not_assessable`.
    pub pattern: String,
    pub gained: Vec<String>,
    pub lost: Vec<String>,
    pub loh: Vec<String>,
    /// Sex used for chrX expectations, and where it came from.
    pub sex: String,
    pub sex_source: String,
    pub chromosomes: Vec<ChromosomeCopy>,
    pub note: String,
}

/// How the copy-number baseline was obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CnvBaseline {
    /// `panel_of_normals` or `within_sample` (fallback, less sensitive).
    pub method: String,
    pub pon_path: Option<String>,
    pub pon_sha256: Option<String>,
    pub pon_samples: u32,
}

/// One capture target of a panel of normals: its expected log2 depth (target efficiency, after GC
/// correction) and how much it varies between normals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PonTarget {
    pub chrom: String,
    /// 0-based half-open (BED).
    pub start: u64,
    pub end: u64,
    pub name: String,
    pub gc: f64,
    /// Median over the normals of the GC-corrected, sample-centred log2 depth.
    pub log2: f64,
    /// Robust spread (1.4826 × MAD) of that value over the normals.
    pub sd: f64,
    /// Median mean depth over the normals (a target the assay never covers reads ~0).
    pub depth: f64,
}

/// A normal (or lesion-negative) sample the panel of normals was built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PonSample {
    pub sample_id: String,
    pub path: String,
    pub sha256: String,
    /// Sex inferred from chrX depth (`F`/`M`); male chrX targets are scaled to two copies.
    pub sex: String,
}

/// A small-variant allele that recurs at low allele fraction in the normals of an assay: a
/// site-specific artefact (capture, PCR or sequence-context error) that base qualities do not
/// predict. Its rate replaces the model's error rate when higher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PonSite {
    /// The allele as the caller writes it (`chrom:pos:ref:alt`, VCF coordinates).
    pub id: String,
    /// Normals that carry it (at least two fragments, below a constitutional allele fraction).
    pub normals: u32,
    /// Alt fragments and depth summed over those normals.
    pub alt_fragments: u64,
    pub depth: u64,
    /// Highest allele fraction among them.
    pub max_vaf: f64,
}

/// Panel of normals: per-target expectations of one assay (panel + build), versioned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PanelOfNormals {
    pub format_version: String,
    pub puente_version: String,
    pub panel: super::PanelRef,
    pub samples: Vec<PonSample>,
    pub targets: Vec<PonTarget>,
    /// Recurrent small-variant artefacts (format 2; none in format-1 files).
    #[serde(default)]
    pub sites: Vec<PonSite>,
}

/// A junction that joins two points of one contig as a deletion would (the left side kept up to
/// `left`, the right side from `right`): split reads or pairs at the ends of a deleted segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DeletionJunction {
    pub chrom: String,
    /// Last base kept before the deleted segment (1-based).
    pub left: u64,
    /// First base kept after it.
    pub right: u64,
    /// Supporting fragments (split reads + spanning pairs).
    pub fragments: u32,
    /// The fusion call it comes from (e.g. P2RY8::CRLF2 is the PAR1 deletion's junction), or
    /// `intragenic junction`.
    pub source: String,
}

#[cfg(test)]
impl CopyNumberCall {
    /// A passing call for unit tests: log2 -0.5, z -10, one copy, no tumour fraction.
    pub fn for_test(gene: &str, chrom: &str, exons: (u32, u32), state: CnvState) -> Self {
        CopyNumberCall {
            id: format!("CNV:{gene}:{}-{}:{}", exons.0, exons.1, state.name()),
            gene: gene.into(),
            chrom: chrom.into(),
            start: 1,
            end: 2,
            first_exon: exons.0,
            last_exon: exons.1,
            gene_exons: exons.1,
            state,
            log2: -0.5,
            z: -10.0,
            copy_number: Some(1.0),
            tumor_fraction_used: None,
            pattern: None,
            ploidy_context: None,
            breakpoints: None,
            junction_fragments: 0,
            filters: vec![],
            notes: vec![],
        }
    }
}
