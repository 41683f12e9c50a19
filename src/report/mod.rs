//! Writers for the per-sample outputs: report.json (the versioned contract), qc.json and MultiQC
//! custom content. Every file carries the provenance block.
use crate::error::Result;
pub mod clinical;
pub mod concordance;
pub mod explain;
pub mod fhir;
pub mod html;
pub mod i18n;
pub mod registry;
pub mod svg;
pub mod tsv;
pub mod vcf;

use crate::call::fusion::FusionOptions;
use crate::call::small::CallOptions;
use crate::model::{
    FusionCall, FusionTarget, HotspotCall, Library, Provenance, SampleInfo, SmallVariant, Verdict,
};
use crate::qc::SampleQc;
use crate::util::{to_json, write_atomic};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Bumped on any incompatible change of report.json (schemas/report.schema.json).
pub const SCHEMA_VERSION: &str = "0.6.4";

/// How the calls were made (thresholds a reader needs to interpret a negative result).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Methods {
    pub small_variants: CallOptions,
    pub fusions: FusionMethods,
    pub copy_number: crate::call::cnv::CnvOptions,
    /// FASTQ input only: how puente aligned it (aligner, preset, pairs, duplicates, index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<crate::ingest::align::AlignStats>,
}

/// Fusion calling settings and what the BAM allowed.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FusionMethods {
    pub options: FusionOptions,
    pub library: Library,
    pub library_source: String,
    pub evidence: crate::call::fusion::evidence::EvidenceCounts,
    /// Junctions that are not fusions of panel genes (intragenic deletions and the like).
    pub other_junctions: u32,
    pub realigned_clips: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ModuleStatus {
    pub module: String,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct QcSummary {
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub mean_exon_depth: f64,
    pub pct_exon_bases_at_min_depth: f64,
    pub min_depth: u32,
    pub mapped_pct: f64,
    pub duplicate_pct: f64,
    pub on_target_pct: f64,
    pub insert_size_median: Option<u64>,
    pub genes: Vec<GeneSummary>,
    /// Stretches of the reportable regions under the minimum depth, where a negative result
    /// means nothing; lets a reference lab compare two labs only where both covered the panel
    /// (None in reports before schema 0.6.1).
    #[serde(default)]
    pub below_min_depth: Option<Vec<crate::qc::LowDepthRun>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GeneSummary {
    pub gene: String,
    pub mean_depth: f64,
    pub pct_at_min_depth: f64,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Report {
    pub schema_version: String,
    pub sample: SampleInfo,
    pub provenance: Provenance,
    pub qc: QcSummary,
    pub methods: Methods,
    /// Every SNV/MNV/indel call with its evidence, failing ones with their filters.
    pub small_variants: Vec<SmallVariant>,
    /// Every panel hotspot, detected or not, with depth and limit of detection.
    pub hotspots: Vec<HotspotCall>,
    /// Fusion calls (known pairs first), filtered ones with their reasons.
    pub fusions: Vec<FusionCall>,
    /// Every known fusion of the panel, detected or not, with depth and detection limit.
    pub fusion_targets: Vec<FusionTarget>,
    /// Exon-level copy number of the panel's copy-number genes, IKZF1plus and the ploidy signal.
    pub copy_number: crate::call::cnv::CnvCalls,
    /// Consequence and HGVS names of every small variant (same order as `small_variants`).
    pub annotations: Vec<crate::model::VariantAnnotation>,
    /// Which knowledge base the findings come from.
    pub knowledge_base: crate::model::KnowledgeBaseRef,
    /// Calls matched to the marker knowledge base: subtype, prognosis, tiered implications, sources.
    pub findings: Vec<crate::model::Finding>,
    /// TPMT/NUDT15 diplotypes, phenotypes and the thiopurine dosing category.
    pub pgx: crate::model::PgxResult,
    /// Risk groups from the rules file, with the rules that fired and what is still missing.
    pub risk: crate::model::RiskAssessment,
    pub modules: Vec<ModuleStatus>,
    pub warnings: Vec<String>,
    /// Germline SNVs in the backbone windows (outside the reportable regions): the sample's
    /// fingerprint, so two results can be checked to come from the same child (empty in reports
    /// before schema 0.6.1).
    #[serde(default)]
    pub germline_snps: Vec<GermlineSnp>,
}

/// One germline SNV site in a backbone window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GermlineSnp {
    pub chrom: String,
    /// 1-based.
    pub pos: u64,
    pub reference: String,
    pub alt: String,
    pub depth: u32,
    pub vaf: f64,
}

/// The fingerprint sites worth comparing: SNVs read deeply enough to tell heterozygous (and
/// allele-imbalanced) from homozygous, with an allele fraction a germline site can have.
pub fn germline_snps(backbone: &[SmallVariant]) -> Vec<GermlineSnp> {
    backbone
        .iter()
        .filter(|v| v.kind == crate::model::VariantKind::Snv && v.depth >= 25 && v.vaf >= 0.15)
        .map(|v| GermlineSnp {
            chrom: v.chrom.clone(),
            pos: v.pos,
            reference: v.reference.clone(),
            alt: v.alt.clone(),
            depth: v.depth,
            vaf: v.vaf,
        })
        .collect()
}

pub fn qc_summary(qc: &SampleQc) -> QcSummary {
    let key = format!("{}x", qc.min_depth);
    QcSummary {
        verdict: qc.verdict,
        reasons: qc.reasons.clone(),
        mean_exon_depth: qc.exon_targets.mean,
        pct_exon_bases_at_min_depth: qc.exon_targets.pct_ge.get(&key).copied().unwrap_or(0.0),
        min_depth: qc.min_depth,
        mapped_pct: qc.mapped_pct,
        duplicate_pct: qc.duplicate_pct,
        on_target_pct: qc.on_target_pct,
        insert_size_median: qc.insert_size_median,
        genes: qc
            .genes
            .iter()
            .map(|g| GeneSummary {
                gene: g.gene.clone(),
                mean_depth: g.depth.mean,
                pct_at_min_depth: g.depth.pct_ge.get(&key).copied().unwrap_or(0.0),
                verdict: g.verdict,
            })
            .collect(),
        below_min_depth: Some(qc.below_min_depth.clone()),
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct QcFile<'a> {
    schema_version: &'a str,
    sample_id: &'a str,
    provenance: &'a Provenance,
    qc: &'a SampleQc,
}

/// Write report.json, qc.json and the MultiQC files into `dir`.
pub fn write_all(dir: &Path, report: &Report, qc: &SampleQc) -> Result<()> {
    write_atomic(
        &dir.join("qc.json"),
        &to_json(&QcFile {
            schema_version: SCHEMA_VERSION,
            sample_id: &report.sample.sample_id,
            provenance: &report.provenance,
            qc,
        }),
    )?;
    write_atomic(
        &dir.join(format!("{}_puente_qc_mqc.tsv", report.sample.sample_id)),
        multiqc_general(report).as_bytes(),
    )?;
    write_atomic(
        &dir.join(format!("{}_puente_genes_mqc.tsv", report.sample.sample_id)),
        multiqc_genes(report).as_bytes(),
    )?;
    write_atomic(&dir.join("report.json"), &to_json(report))
}

/// MultiQC custom content: one row per sample for the general-statistics table.
fn multiqc_general(r: &Report) -> String {
    let q = &r.qc;
    format!(
        "# id: 'puente_qc'\n# section_name: 'puente QC'\n# plot_type: 'generalstats'\n# puente_version: {}\nSample\tverdict\tmean_exon_depth\tpct_exon_bases_ge_{}x\tmapped_pct\tduplicate_pct\ton_target_pct\n{}\t{:?}\t{}\t{}\t{}\t{}\t{}\n",
        r.provenance.puente_version, q.min_depth, r.sample.sample_id, q.verdict, q.mean_exon_depth, q.pct_exon_bases_at_min_depth, q.mapped_pct, q.duplicate_pct, q.on_target_pct
    )
}

fn multiqc_genes(r: &Report) -> String {
    let mut s = format!("# id: 'puente_gene_depth'\n# section_name: 'puente per-gene depth'\n# plot_type: 'table'\nGene\tmean_depth\tpct_ge_{}x\tverdict\n", r.qc.min_depth);
    for g in &r.qc.genes {
        s.push_str(&format!(
            "{}\t{}\t{}\t{:?}\n",
            g.gene, g.mean_depth, g.pct_at_min_depth, g.verdict
        ));
    }
    s
}

/// `major.minor.patch` as numbers; None when malformed.
pub(crate) fn version_triple(v: &str) -> Option<(u64, u64, u64)> {
    let mut it = v.split('.').map(|x| x.parse::<u64>().ok());
    let t = (it.next()??, it.next()??, it.next()??);
    it.next().is_none().then_some(t)
}

/// Read a report.json written by this or an earlier compatible puente. A report from a newer
/// schema (or another major version) is refused with both versions, never half-read.
pub fn read_report(path: &Path) -> Result<Report> {
    use crate::error::Error;
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let bad = |reason: String| Error::InvalidInput {
        path: path.to_path_buf(),
        reason,
    };
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
    let found = v["schema_version"]
        .as_str()
        .ok_or_else(|| bad("no schema_version: not a puente report.json".into()))?
        .to_string();
    let found = found.as_str();
    let ours = version_triple(SCHEMA_VERSION).expect("own schema version");
    let theirs = version_triple(found)
        .ok_or_else(|| bad(format!("schema_version {found:?} is not major.minor.patch")))?;
    // before 1.0 every minor version may change the layout
    let compatible = if ours.0 == 0 {
        (theirs.0, theirs.1) == (ours.0, ours.1) && theirs.2 <= ours.2
    } else {
        theirs.0 == ours.0 && (theirs.1, theirs.2) <= (ours.1, ours.2)
    };
    if !compatible {
        return Err(bad(format!(
            "report schema {found} cannot be read by puente {} (schema {SCHEMA_VERSION}){}",
            crate::VERSION,
            if theirs > ours {
                ": it comes from a newer puente, upgrade to read it"
            } else {
                ": re-run the sample with this version"
            }
        )));
    }
    serde_json::from_value(v).map_err(|e| bad(format!("does not match schema {found}: {e}")))
}

/// JSON Schema (draft 2020-12) of report.json, generated from the types that write it so the two
/// cannot drift; `schemas/report.schema.json` is this, checked in (a test keeps it current).
pub fn json_schema() -> serde_json::Value {
    let mut v = serde_json::to_value(schemars::schema_for!(Report)).unwrap_or_default();
    v["$id"] = format!("urn:puente:report:{SCHEMA_VERSION}").into();
    v["title"] = "puente report.json".into();
    v["description"] = format!(
        "One sample's results from puente (schema {SCHEMA_VERSION}): QC, calls, annotations, knowledge-base findings, PGx and risk, with provenance."
    )
    .into();
    // a report from another schema version is not this document
    v["properties"]["schema_version"]["const"] = SCHEMA_VERSION.into();
    v
}
