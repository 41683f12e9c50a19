//! What the annotation stage adds to the calls: transcript consequences and HGVS names, matches
//! against the marker knowledge base, and the TPMT/NUDT15 pharmacogenomic result.
use serde::{Deserialize, Serialize};

/// Consequence of one small variant on the panel's pinned transcript of the gene it falls in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VariantAnnotation {
    /// The call's ID (`chrom:pos:ref:alt`).
    pub variant_id: String,
    pub gene: Option<String>,
    pub transcript: Option<String>,
    /// Most severe Sequence Ontology term.
    pub consequence: String,
    /// Every term that applies, most severe first.
    pub consequences: Vec<String>,
    /// `2/5`: exon number and the transcript's exon count.
    pub exon: Option<String>,
    pub intron: Option<String>,
    /// Genomic name, 3'-shifted: `NC_000012.12:g.25245350C>T`.
    pub hgvs_g: String,
    /// Coding name on `transcript`, 3'-shifted along the transcript: `c.35G>A`.
    pub hgvs_c: Option<String>,
    /// Predicted protein change in parentheses: `p.(Gly12Asp)`, `p.?` when unpredictable.
    pub hgvs_p: Option<String>,
    /// One-letter protein change the knowledge base matches (`G12D`).
    pub protein_change: Option<String>,
    /// Residues affected (first, last).
    pub protein_position: Option<(u64, u64)>,
    /// The same change on transcripts the lab asked for besides the pinned one (`--transcripts`).
    #[serde(default)]
    pub other_transcripts: Vec<TranscriptConsequence>,
}

/// A variant's consequence and names on one more transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TranscriptConsequence {
    pub gene: String,
    pub transcript: String,
    pub consequence: String,
    pub exon: Option<String>,
    pub intron: Option<String>,
    pub hgvs_c: Option<String>,
    pub hgvs_p: Option<String>,
}

/// One implication of a marker (AMP/ASCO/CAP 2017: diagnostic, prognostic or therapeutic), with
/// its evidence level; the tier follows from the level (A/B: Tier I, C/D: Tier II).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Implication {
    #[serde(rename = "type")]
    pub kind: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drug: Option<String>,
    pub level: String,
    #[serde(default)]
    pub tier: String,
}

/// A call (or combination of calls) that matched a row of the marker knowledge base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Finding {
    pub marker_id: String,
    /// fusion | variant | gene_class | copy_number | ikzf1plus | ploidy
    pub kind: String,
    /// The lesion as named by the knowledge base (`BCR::ABL1`, `KRAS p.G12D`).
    pub lesion: String,
    /// What was found, in the call's own terms (HGVS, isoform, exons).
    pub detail: String,
    pub call_ids: Vec<String>,
    pub subtype_defining: bool,
    pub who_haem5: Option<String>,
    pub icc_2022: Option<String>,
    /// favourable | intermediate | adverse | very_adverse | uncertain
    pub prognosis: String,
    /// False when the row's prognosis or therapy is not yet confirmed from its sources: the report
    /// prints a caveat.
    pub verified: bool,
    /// The finding's AMP/ASCO/CAP tier: the best tier over its implications.
    pub tier: String,
    pub implications: Vec<Implication>,
    /// Source keys and their citations.
    pub sources: Vec<Source>,
    pub knowledge_base_version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Source {
    pub key: String,
    pub citation: String,
}

/// Identity of the knowledge base the findings came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct KnowledgeBaseRef {
    pub name: String,
    pub version: String,
    pub sha256: String,
}

/// One defining position of a pharmacogene, genotyped from the sample's reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PgxPosition {
    pub id: String,
    pub gene: String,
    pub hgvs_c: String,
    pub chrom: String,
    pub pos: u64,
    pub reference: String,
    pub alt: String,
    pub depth: u32,
    pub alt_fragments: u32,
    pub vaf: f64,
    /// Copies of the alternate allele (0, 1, 2); None when the position could not be called.
    pub genotype: Option<u8>,
    /// called | low_depth | not_covered | reference_mismatch
    pub status: String,
}

/// Diplotype and phenotype of one gene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PgxGene {
    pub gene: String,
    pub positions: Vec<PgxPosition>,
    /// Most likely diplotype consistent with the genotypes (None when indeterminate).
    pub diplotype: Option<String>,
    /// Other diplotypes the unphased genotypes allow (CPIC's *1/*3A vs *3B/*3C).
    pub alternatives: Vec<String>,
    /// Normal / Intermediate / Possible Intermediate / Poor Metabolizer, or Indeterminate.
    pub phenotype: String,
    /// called | ambiguous_phase | indeterminate | no_match
    pub status: String,
    pub note: String,
}

/// Thiopurine starting-dose category from the TPMT and NUDT15 phenotypes (CPIC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PgxDosing {
    /// normal | intermediate | compound_intermediate | tpmt_poor | nudt15_poor | indeterminate
    pub category: String,
    /// The recommendation for each thiopurine (mercaptopurine, thioguanine).
    pub drugs: Vec<PgxDrugDose>,
    pub source: String,
}

/// CPIC starting-dose recommendation for one drug; `strength` is CPIC's classification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PgxDrugDose {
    pub drug: String,
    pub recommendation: String,
    pub strength: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PgxResult {
    pub definitions: String,
    pub definitions_version: String,
    pub genes: Vec<PgxGene>,
    pub dosing: PgxDosing,
    pub caveats: Vec<String>,
}
