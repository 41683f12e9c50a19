//! Paired-lab concordance: one sample tested by a reference lab and a partner (test) lab, compared
//! call by call (small variants haplotype-aware, fusions, copy number, PGx, subtype and risk), and
//! many such pairs summarised into per-lab scorecards ([`validate`]).
//!
//! The reference lab's result is the comparator: PPA is the share of its calls the test lab also
//! made, PPV the share of the test lab's calls the reference lab confirms.
pub mod markers;
pub mod small;
pub mod stats;
pub mod validate;
mod variants;

use crate::error::{Error, Result};
use crate::ingest::vcf::VcfCalls;
use crate::model::{PanelRef, ReferenceRef, SmallVariant, Verdict};
use crate::panel::Panel;
use crate::report::Report;
use serde::{Deserialize, Serialize};
use small::RefSeq;
use std::path::{Path, PathBuf};

pub use markers::{
    CategoryComparison, CnvComparison, FusionComparison, MarkerComparison, MarkerRow,
};
pub use variants::{
    CallEvidence, CompareRegions, DiscordantCall, ExcludedRegion, OtherEvidence, OutsideCall,
    SmallVariantComparison, Stratum, VafPoint, VariantMatch,
};

/// Bumped on any incompatible change of concordance.json (schemas/concordance.schema.json).
pub const SCHEMA_VERSION: &str = "0.1.0";

/// VAF strata (lower bounds) used for small variants; the last runs to 100%.
pub const VAF_BINS: [(f64, &str); 5] = [
    (0.0, "<5%"),
    (0.05, "5-10%"),
    (0.10, "10-20%"),
    (0.20, "20-35%"),
    (0.35, ">=35%"),
];

/// The lab that did not make a call found by `found_by` (`reference` or `test`).
pub fn other_lab(found_by: &str) -> &'static str {
    if found_by == "reference" {
        "test"
    } else {
        "reference"
    }
}

pub fn vaf_bin(vaf: f64) -> &'static str {
    VAF_BINS
        .iter()
        .rev()
        .find(|(lo, _)| vaf >= *lo)
        .map_or(VAF_BINS[0].1, |b| b.1)
}

/// Variant class as labs are validated (AMP/CAP: per variant type).
pub fn variant_class(v: &SmallVariant) -> &'static str {
    use crate::model::VariantKind::*;
    match v.kind {
        Snv => "snv",
        Mnv => "mnv",
        Insertion | Deletion | Delins => "indel",
    }
}

/// One lab's result as read from disk.
#[derive(Debug, Clone)]
pub enum LabSource {
    Report(Box<Report>),
    Vcf(VcfCalls),
}

#[derive(Debug, Clone)]
pub struct LabInput {
    pub path: PathBuf,
    pub sha256: String,
    pub source: LabSource,
}

impl LabInput {
    /// report.json (any compatible schema) or a small-variant VCF/BCF, by content.
    pub fn load(path: &Path) -> Result<Self> {
        let sha256 = crate::util::sha256_file(path)?;
        let name = path.to_string_lossy().to_ascii_lowercase();
        let source = if name.ends_with(".json") {
            LabSource::Report(Box::new(crate::report::read_report(path)?))
        } else if name.ends_with(".vcf") || name.ends_with(".vcf.gz") || name.ends_with(".bcf") {
            LabSource::Vcf(crate::ingest::vcf::read_small_variants(path)?)
        } else {
            return Err(Error::input(
                path,
                "expected a puente report.json or a VCF (.vcf, .vcf.gz, .bcf)",
            ));
        };
        Ok(LabInput {
            path: path.to_path_buf(),
            sha256,
            source,
        })
    }

    pub fn report(&self) -> Option<&Report> {
        match &self.source {
            LabSource::Report(r) => Some(r),
            LabSource::Vcf(_) => None,
        }
    }

    pub fn variants(&self) -> &[SmallVariant] {
        match &self.source {
            LabSource::Report(r) => &r.small_variants,
            LabSource::Vcf(v) => &v.variants,
        }
    }

    pub fn sample_id(&self) -> Option<&str> {
        match &self.source {
            LabSource::Report(r) => Some(&r.sample.sample_id),
            LabSource::Vcf(v) => v.sample.as_deref(),
        }
    }

    pub fn lab_id(&self) -> Option<&str> {
        self.report().and_then(|r| r.sample.lab_id.as_deref())
    }

    fn summary(&self, role: &str, lab_override: Option<&str>) -> LabSummary {
        let r = self.report();
        LabSummary {
            role: role.into(),
            path: self.path.display().to_string(),
            sha256: self.sha256.clone(),
            format: if r.is_some() { "report.json" } else { "vcf" }.into(),
            sample_id: self.sample_id().map(str::to_string),
            lab_id: lab_override.or(self.lab_id()).map(str::to_string),
            panel: r.map(|r| r.provenance.panel.clone()),
            build: r.map(|r| r.provenance.reference.build.clone()),
            puente_version: r.map(|r| r.provenance.puente_version.clone()),
            schema_version: r.map(|r| r.schema_version.clone()),
            qc_verdict: r.map(|r| r.qc.verdict),
            passing_small_variants: self.variants().iter().filter(|v| v.passes()).count(),
        }
    }
}

/// What was compared, from where.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LabSummary {
    /// `reference` or `test`.
    pub role: String,
    pub path: String,
    pub sha256: String,
    /// `report.json` or `vcf`.
    pub format: String,
    pub sample_id: Option<String>,
    pub lab_id: Option<String>,
    pub panel: Option<PanelRef>,
    pub build: Option<String>,
    pub puente_version: Option<String>,
    pub schema_version: Option<String>,
    pub qc_verdict: Option<Verdict>,
    pub passing_small_variants: usize,
}

/// Comparison settings.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Options {
    /// Two DNA breakpoints of the same fusion agree when both ends are within this many bases.
    pub fusion_tolerance_bp: u64,
    /// Compare even when sample, panel or build differ (the differences are stated).
    pub force: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            fusion_tolerance_bp: 20,
            force: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConcordanceProvenance {
    pub puente_version: String,
    pub command_line: Vec<String>,
    /// The comparison panel (reportable regions, marker universe).
    pub panel: PanelRef,
    /// FASTA the calls were normalised against (contig MD5s checked against both reports); None =
    /// matched from the calls' own bases.
    pub reference_fasta: Option<ReferenceRef>,
    pub options: Options,
}

/// Shared germline sites (likely-germline calls and backbone SNPs): two results of one child share
/// nearly all of them; few shared point to a sample swap.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IdentityCheck {
    pub reference_germline: usize,
    pub test_germline: usize,
    pub shared: usize,
    /// shared / union; None with fewer than 5 germline calls in the union.
    pub jaccard: Option<f64>,
    /// `consistent`, `possible_sample_swap`, or `not_assessable`.
    pub status: String,
}

/// Headline counts for the report header and the validation roll-up.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Summary {
    /// `concordant` when nothing compared disagrees, else `discordant`.
    pub status: String,
    pub small_variants_matched: usize,
    pub small_variants_reference_only: usize,
    pub small_variants_test_only: usize,
    pub fusions_matched: usize,
    pub fusions_discordant: usize,
    pub copy_number_matched: usize,
    pub copy_number_discordant: usize,
    pub categories_compared: usize,
    pub categories_discordant: usize,
}

/// concordance.json.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Concordance {
    pub schema_version: String,
    pub provenance: ConcordanceProvenance,
    pub reference: LabSummary,
    pub test: LabSummary,
    /// Sample, panel or build differences compared anyway under `--force`.
    pub forced_differences: Vec<String>,
    pub summary: Summary,
    pub regions: CompareRegions,
    pub small_variants: SmallVariantComparison,
    pub fusions: FusionComparison,
    pub copy_number: CnvComparison,
    /// TPMT/NUDT15 diplotypes and phenotypes, and the thiopurine dosing category.
    pub pgx: Vec<CategoryComparison>,
    /// Subtype, risk groups, IKZF1plus, ploidy, and the QC verdict (shown, not counted as a result).
    pub classification: Vec<CategoryComparison>,
    /// Every panel marker (hotspot, known fusion, copy-number gene) as positive/negative in each
    /// lab: the negatives give NPA and Cohen's kappa.
    pub markers: MarkerComparison,
    pub identity: IdentityCheck,
    pub warnings: Vec<String>,
}

/// What makes two results not the same test of the same sample.
pub fn differences(reference: &LabInput, test: &LabInput) -> Vec<String> {
    let mut d = Vec::new();
    if let (Some(a), Some(b)) = (reference.sample_id(), test.sample_id()) {
        if a != b {
            d.push(format!("sample {a:?} (reference) vs {b:?} (test)"));
        }
    }
    if let (Some(a), Some(b)) = (reference.report(), test.report()) {
        let (pa, pb) = (&a.provenance.panel, &b.provenance.panel);
        if (&pa.name, &pa.version) != (&pb.name, &pb.version) {
            d.push(format!(
                "panel {} {} (reference) vs {} {} (test)",
                pa.name, pa.version, pb.name, pb.version
            ));
        } else if pa.sha256 != pb.sha256 {
            d.push(format!(
                "panel {} {} differs in content: sha256 {} (reference) vs {} (test)",
                pa.name, pa.version, pa.sha256, pb.sha256
            ));
        }
        let (ba, bb) = (&a.provenance.reference.build, &b.provenance.reference.build);
        if ba != bb {
            d.push(format!("genome build {ba} (reference) vs {bb} (test)"));
        }
    }
    d
}

/// Compare one sample's two results. `refseq` (with its file's identity) normalises the calls;
/// without it, calls are matched as written plus where their own bases spell a haplotype.
pub fn compare(
    reference: &LabInput,
    test: &LabInput,
    panel: &Panel,
    refseq: Option<(&dyn RefSeq, ReferenceRef)>,
    opts: &Options,
    command_line: Vec<String>,
) -> Result<Concordance> {
    compare_labelled(reference, test, None, panel, refseq, opts, command_line)
}

/// As [`compare`], naming the test lab when its results do not (VCFs, reports without lab_id).
pub fn compare_labelled(
    reference: &LabInput,
    test: &LabInput,
    labs: Option<(&str, &str)>,
    panel: &Panel,
    refseq: Option<(&dyn RefSeq, ReferenceRef)>,
    opts: &Options,
    command_line: Vec<String>,
) -> Result<Concordance> {
    let diffs = differences(reference, test);
    if !diffs.is_empty() && !opts.force {
        return Err(Error::Incomparable {
            reference: reference.path.clone(),
            test: test.path.clone(),
            differences: diffs,
        });
    }
    let mut warnings = Vec::new();
    for (role, lab) in [("reference", reference), ("test", test)] {
        if let Some(r) = lab.report() {
            if r.provenance.panel.sha256 != panel.sha256 {
                warnings.push(format!(
                    "the {role} result was made with panel {} {} (sha256 {}); reportable regions and markers come from {} {}",
                    r.provenance.panel.name,
                    r.provenance.panel.version,
                    r.provenance.panel.sha256,
                    panel.manifest.panel.name,
                    panel.manifest.panel.version
                ));
            }
            if r.qc.verdict == Verdict::Fail {
                warnings.push(format!(
                    "the {role} result failed QC: its negatives are not interpretable"
                ));
            }
        }
    }
    if reference.lab_id().is_some() && reference.lab_id() == test.lab_id() {
        warnings.push(format!(
            "both results come from lab {}: this measures repeatability, not inter-lab agreement",
            reference.lab_id().unwrap_or_default()
        ));
    }
    let (rs, fasta) = match refseq {
        Some((rs, f)) => (Some(rs), Some(f)),
        None => (None, None),
    };
    let (small, regions) = variants::compare_small(reference, test, panel, rs, &mut warnings);
    let (fusions, copy_number, pgx, classification, markers) = match (
        reference.report(),
        test.report(),
    ) {
        (Some(a), Some(b)) => (
            markers::compare_fusions(a, b, opts.fusion_tolerance_bp),
            markers::compare_cnv(a, b),
            markers::compare_pgx(a, b),
            markers::compare_classification(a, b),
            markers::compare_markers(a, b),
        ),
        _ => {
            warnings.push(
                    "a VCF input carries small variants only: fusions, copy number, PGx, markers and risk were not compared"
                        .into(),
                );
            Default::default()
        }
    };
    let identity = identity_check(reference, test);
    if identity.status == "possible_sample_swap" {
        warnings.push(format!(
            "only {} of {} germline calls are shared: the two results may not come from the same child",
            identity.shared,
            identity.reference_germline + identity.test_germline - identity.shared
        ));
    }
    let results = || {
        pgx.iter()
            .chain(&classification)
            .filter(|c| c.item != markers::QC_VERDICT)
    };
    let categories_discordant = results().filter(|c| c.agree == Some(false)).count();
    let fusions_discordant = fusions.reference_only.len() + fusions.test_only.len();
    let copy_number_discordant = copy_number.reference_only.len() + copy_number.test_only.len();
    let discordant = !small.discordant.is_empty()
        || fusions_discordant > 0
        || copy_number_discordant > 0
        || categories_discordant > 0
        || markers.rows.iter().any(|r| r.agree == Some(false));
    let summary = Summary {
        status: if discordant {
            "discordant"
        } else {
            "concordant"
        }
        .into(),
        small_variants_matched: small.matches.len(),
        small_variants_reference_only: small
            .discordant
            .iter()
            .filter(|d| d.found_by == "reference")
            .count(),
        small_variants_test_only: small
            .discordant
            .iter()
            .filter(|d| d.found_by == "test")
            .count(),
        fusions_matched: fusions.matched.len(),
        fusions_discordant,
        copy_number_matched: copy_number.matched.len(),
        copy_number_discordant,
        categories_compared: results().filter(|c| c.agree.is_some()).count(),
        categories_discordant,
    };
    let (ref_lab, test_lab) = labs.unzip();
    Ok(Concordance {
        schema_version: SCHEMA_VERSION.into(),
        provenance: ConcordanceProvenance {
            puente_version: crate::VERSION.into(),
            command_line,
            panel: panel.reference(),
            reference_fasta: fasta,
            options: opts.clone(),
        },
        reference: reference.summary("reference", ref_lab),
        test: test.summary("test", test_lab),
        forced_differences: diffs,
        summary,
        regions,
        small_variants: small,
        fusions,
        copy_number,
        pgx,
        classification,
        markers,
        identity,
        warnings,
    })
}

/// Germline sites of one result: passing calls labelled likely germline, and the backbone SNPs.
fn germline_sites(l: &LabInput) -> std::collections::BTreeSet<String> {
    let calls = l
        .variants()
        .iter()
        .filter(|v| v.passes() && v.origin == "likely_germline")
        .map(|v| v.id.clone());
    let backbone = l.report().into_iter().flat_map(|r| {
        r.germline_snps
            .iter()
            .map(|s| format!("{}:{}:{}:{}", s.chrom, s.pos, s.reference, s.alt))
    });
    calls.chain(backbone).collect()
}

fn identity_check(a: &LabInput, b: &LabInput) -> IdentityCheck {
    let (ga, gb) = (germline_sites(a), germline_sites(b));
    let shared = ga.intersection(&gb).count();
    let union = ga.union(&gb).count();
    let is_vcf = a.report().is_none() || b.report().is_none();
    let jaccard = (union >= 5).then(|| shared as f64 / union as f64);
    IdentityCheck {
        reference_germline: ga.len(),
        test_germline: gb.len(),
        shared,
        jaccard,
        status: match jaccard {
            _ if is_vcf => "not_assessable",
            None => "not_assessable",
            // one child: nearly every site in both; two children share a minority of common SNPs
            Some(j) if j < 0.6 => "possible_sample_swap",
            Some(_) => "consistent",
        }
        .into(),
    }
}

/// Open the FASTA to normalise against and check it is the one the labs used: on every contig
/// holding a call to compare, the MD5 a report recorded must match (contigs without calls are not
/// read: hashing a whole genome per comparison would dominate the run).
pub fn open_fasta(
    path: &Path,
    labs: &[&LabInput],
    panel: &Panel,
) -> Result<(crate::ingest::Reference, ReferenceRef)> {
    let fasta = crate::ingest::Reference::open(path)?;
    let with_calls: std::collections::BTreeSet<&str> = labs
        .iter()
        .flat_map(|l| l.variants().iter().map(|v| v.chrom.as_str()))
        .collect();
    let contigs: Vec<String> = panel
        .contigs()
        .into_iter()
        .filter(|c| with_calls.contains(c.as_str()))
        .collect();
    let md5 = fasta.contig_md5_many(&contigs)?;
    for lab in labs {
        let Some(r) = lab.report() else { continue };
        for (contig, theirs) in &r.provenance.reference.contig_md5 {
            if !contigs.contains(contig) {
                continue;
            }
            match md5.get(contig) {
                Some(ours) if ours != theirs => {
                    return Err(Error::Reference {
                        path: path.to_path_buf(),
                        reason: format!(
                            "{contig} (MD5 {ours}) is not the sequence {} was called against (MD5 {theirs})",
                            lab.path.display()
                        ),
                    })
                }
                None => {
                    return Err(Error::Reference {
                        path: path.to_path_buf(),
                        reason: format!(
                            "{contig} is missing, but {} was called against it",
                            lab.path.display()
                        ),
                    })
                }
                _ => {}
            }
        }
    }
    let reference = ReferenceRef {
        path: path.display().to_string(),
        build: panel.manifest.panel.build.clone(),
        contig_md5: md5,
    };
    Ok((fasta, reference))
}

/// JSON Schema of concordance.json, generated from the types (schemas/concordance.schema.json).
pub fn json_schema() -> serde_json::Value {
    let mut v = serde_json::to_value(schemars::schema_for!(Concordance)).unwrap_or_default();
    v["$id"] = format!("urn:puente:concordance:{SCHEMA_VERSION}").into();
    v["title"] = "puente concordance.json".into();
    v["description"] =
        format!("One sample tested by two labs, compared call by call (schema {SCHEMA_VERSION}).")
            .into();
    v["properties"]["schema_version"]["const"] = SCHEMA_VERSION.into();
    v
}

/// Read a concordance.json of this schema (validation roll-ups, registry).
pub fn read_concordance(path: &Path) -> Result<Concordance> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Error::input(path, format!("not JSON: {e}")))?;
    match v["schema_version"].as_str() {
        Some(SCHEMA_VERSION) => {}
        other => {
            return Err(Error::input(
                path,
                format!(
                    "concordance schema {} cannot be read by puente {} (schema {SCHEMA_VERSION})",
                    other.unwrap_or("(none)"),
                    crate::VERSION
                ),
            ))
        }
    }
    serde_json::from_value(v).map_err(|e| Error::input(path, e.to_string()))
}
