//! Network statistics from many report.json files: subtype and marker prevalence, TPMT/NUDT15
//! frequencies, risk groups, and each lab's QC, turnaround and validation status. De-identified
//! by construction: only the fields the counts need are read, sample IDs serve only to count a
//! child once and never reach an output, and every count of 1 to k−1 children is suppressed.
pub mod hwe;
pub mod suppress;

use crate::concordance::stats::wilson;
use crate::error::{Error, Result};
use crate::model::{FusionStatus, PanelRef, Verdict};
use crate::report::version_triple;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use suppress::{suppress, Sum};

/// Version of registry.json's layout.
pub const SCHEMA_VERSION: &str = "0.1.0";
/// Smallest count shown by default, and the floor a user may lower it to.
pub const DEFAULT_MIN_CELL: u64 = 5;
pub const MIN_CELL_FLOOR: u64 = 3;
/// Oldest report schema read: risk results arrived in 0.6.0.
const OLDEST_REPORT: (u64, u64, u64) = (0, 6, 0);
/// Dosing categories that lower the thiopurine starting dose (CPIC).
const DOSE_REDUCED: [&str; 4] = [
    "intermediate",
    "compound_intermediate",
    "tpmt_poor",
    "nudt15_poor",
];

// ---------------------------------------------------------------------------------------------
// What is read from a report: these fields and nothing else.

#[derive(Debug, Clone, Deserialize)]
struct SlimReport {
    schema_version: String,
    sample: SlimSample,
    provenance: SlimProvenance,
    qc: SlimQc,
    #[serde(default)]
    modules: Vec<SlimModule>,
    #[serde(default)]
    fusion_targets: Vec<SlimTarget>,
    #[serde(default)]
    fusions: Vec<SlimFusion>,
    #[serde(default)]
    findings: Vec<SlimFinding>,
    #[serde(default)]
    annotations: Vec<SlimAnnotation>,
    #[serde(default)]
    copy_number: Option<SlimCnv>,
    #[serde(default)]
    pgx: Option<SlimPgx>,
    risk: SlimRisk,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimSample {
    sample_id: String,
    #[serde(default)]
    lab_id: Option<String>,
    #[serde(default)]
    hospital: Option<String>,
    #[serde(default)]
    collection_date: Option<String>,
    #[serde(default)]
    received_date: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimProvenance {
    panel: PanelRef,
    #[serde(default)]
    inputs: Vec<SlimInput>,
    #[serde(default)]
    analysis_date: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimInput {
    role: String,
    sha256: String,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimQc {
    verdict: Verdict,
    mean_exon_depth: f64,
    pct_exon_bases_at_min_depth: f64,
    #[serde(default)]
    genes: Vec<SlimGene>,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimGene {
    gene: String,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimModule {
    module: String,
    status: String,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimTarget {
    name: String,
    gene5: String,
    gene3: String,
    #[serde(default)]
    class: String,
    status: FusionStatus,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimFusion {
    event_id: String,
    name: String,
    #[serde(default)]
    known: bool,
    #[serde(default)]
    class: Option<String>,
    #[serde(default)]
    filters: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimFinding {
    marker_id: String,
    kind: String,
    lesion: String,
    #[serde(default)]
    call_ids: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimAnnotation {
    variant_id: String,
    gene: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct SlimCnv {
    #[serde(default)]
    calls: Vec<SlimCnvCall>,
    #[serde(default)]
    ikzf1plus: Option<SlimStatus>,
    #[serde(default)]
    ploidy: Option<SlimPloidy>,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimCnvCall {
    id: String,
    gene: String,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimStatus {
    status: String,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimPloidy {
    pattern: String,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimPgx {
    genes: Vec<SlimPgxGene>,
    dosing: SlimDosing,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimPgxGene {
    gene: String,
    diplotype: Option<String>,
    phenotype: String,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimDosing {
    category: String,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimRisk {
    #[serde(default)]
    subtypes: Vec<String>,
    #[serde(default)]
    outputs: Vec<SlimOutput>,
}

#[derive(Debug, Clone, Deserialize)]
struct SlimOutput {
    id: String,
    value: Option<String>,
    #[serde(default)]
    provisional: bool,
    #[serde(default)]
    missing_inputs: Vec<String>,
}

/// A knowledge-base marker found in a report, with the genes it needs covered to be tested.
#[derive(Debug, Clone)]
struct MarkerHit {
    id: String,
    lesion: String,
    kind: String,
    genes: BTreeSet<String>,
}

/// One report, reduced to what the statistics use. The sample ID is kept only to count a child
/// once; it is never written.
#[derive(Debug, Clone)]
pub struct Record {
    /// Position in the sorted input list: the last tie-break, so output never depends on order.
    order: usize,
    sample_id: String,
    hospital: Option<String>,
    lab: Option<String>,
    /// sha256 of the sequenced input (the same data under another name is the same child).
    input_sha: Option<String>,
    report_sha: String,
    collected: Option<NaiveDate>,
    received: Option<NaiveDate>,
    analysed: Option<NaiveDate>,
    panel: PanelRef,
    schema_version: String,
    verdict: Verdict,
    mean_depth: f64,
    pct_at_min_depth: f64,
    genes: BTreeSet<String>,
    /// Modules that ran to completion (None: a report without the list; all assumed).
    modules: Option<BTreeSet<String>>,
    targets: Vec<SlimTarget>,
    /// Detected fusion pairs (one per rearrangement) and their class.
    pairs: BTreeMap<String, Option<String>>,
    markers: Vec<MarkerHit>,
    subtypes: Vec<String>,
    ikzf1plus: Option<String>,
    ploidy: Option<String>,
    pgx: Vec<SlimPgxGene>,
    dosing: Option<String>,
    risk: Vec<SlimOutput>,
}

impl Record {
    fn reportable(&self) -> bool {
        self.verdict != Verdict::Fail
    }

    fn module_done(&self, module: &str) -> bool {
        self.modules.as_ref().is_none_or(|m| m.contains(module))
    }

    fn covers(&self, genes: &BTreeSet<String>) -> bool {
        genes.iter().all(|g| self.genes.contains(g))
    }

    /// The date a period is counted by: collection, else receipt, else analysis.
    fn date(&self) -> Option<NaiveDate> {
        self.collected.or(self.received).or(self.analysed)
    }

    fn lab_name(&self) -> String {
        self.lab.clone().unwrap_or_else(|| UNSPECIFIED.into())
    }

    /// Better first: reportable QC, then the latest analysis, then input order.
    fn preference(&self) -> (Verdict, std::cmp::Reverse<Option<NaiveDate>>, usize) {
        (self.verdict, std::cmp::Reverse(self.analysed), self.order)
    }
}

const UNSPECIFIED: &str = "unspecified";

/// Why a file was left out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    pub path: PathBuf,
    /// Short reason, the same for every file skipped for it (counted in the output).
    pub reason: String,
    pub detail: String,
}

/// What a JSON file turned out to be.
pub enum Input {
    Report(Box<Record>),
    Validation(Box<crate::concordance::validate::Validation>),
}

/// Read one file named on the command line or found under `--from`.
pub fn read_input(path: &Path, order: usize) -> std::result::Result<Input, Skipped> {
    let skip = |(reason, detail): (&str, String)| Skipped {
        path: path.to_path_buf(),
        reason: reason.into(),
        detail,
    };
    let bytes = std::fs::read(path).map_err(|e| skip(("unreadable", e.to_string())))?;
    let v: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| skip(("not JSON", e.to_string())))?;
    classify(v, crate::util::sha256_bytes(&bytes), order).map_err(skip)
}

/// A report.json (checked for schema version) or a validation.json; else why not.
pub fn classify(
    v: serde_json::Value,
    sha256: String,
    order: usize,
) -> std::result::Result<Input, (&'static str, String)> {
    use crate::concordance::validate::SCHEMA_VERSION as VALIDATION_SCHEMA;
    if v.get("scorecards").is_some() && v.get("criteria").is_some() {
        let found = v["schema_version"].as_str().unwrap_or("?").to_string();
        if found != VALIDATION_SCHEMA {
            return Err((
                "validation.json of another schema",
                format!("schema {found}, this puente reads {VALIDATION_SCHEMA}"),
            ));
        }
        return serde_json::from_value(v)
            .map(|x| Input::Validation(Box::new(x)))
            .map_err(|e| ("validation.json does not match its schema", e.to_string()));
    }
    let Some(found) = v.get("schema_version").and_then(|s| s.as_str()) else {
        return Err(("not a puente report.json", "no schema_version".into()));
    };
    if v.get("sample").is_none() || v.get("risk").is_none() {
        return Err((
            "not a puente report.json",
            format!("schema_version {found} but no sample or risk section"),
        ));
    }
    let ours = version_triple(crate::report::SCHEMA_VERSION).expect("own schema version");
    match version_triple(found) {
        None => {
            return Err((
                "not a puente report.json",
                format!("schema_version {found:?} is not major.minor.patch"),
            ))
        }
        Some(t) if t > ours => {
            return Err((
                "report from a newer puente",
                format!(
                    "schema {found}; this puente reads up to {}: upgrade to count it",
                    crate::report::SCHEMA_VERSION
                ),
            ))
        }
        Some(t) if t < OLDEST_REPORT || t.0 != ours.0 => {
            return Err((
                "report too old",
                format!(
                    "schema {found} predates the risk results counted here (0.6.0 or later): re-run the sample"
                ),
            ))
        }
        Some(_) => {}
    }
    let slim: SlimReport = serde_json::from_value(v)
        .map_err(|e| ("report does not match its schema", e.to_string()))?;
    Ok(Input::Report(Box::new(record(slim, sha256, order))))
}

fn record(r: SlimReport, report_sha: String, order: usize) -> Record {
    let date = |s: &Option<String>| s.as_deref().and_then(crate::util::parse_date);
    let nonempty = |s: Option<String>| s.map(|x| x.trim().to_string()).filter(|x| !x.is_empty());
    // one pair per rearrangement: the known orientation when the panel lists it
    let mut events: BTreeMap<&str, Vec<&SlimFusion>> = BTreeMap::new();
    for f in r.fusions.iter().filter(|f| f.filters.is_empty()) {
        events.entry(f.event_id.as_str()).or_default().push(f);
    }
    let mut pairs: BTreeMap<String, Option<String>> = BTreeMap::new();
    for calls in events.values() {
        let best = calls
            .iter()
            .min_by_key(|f| (!f.known, f.name.clone()))
            .expect("non-empty event");
        pairs.insert(best.name.clone(), best.class.clone());
    }
    for t in r
        .fusion_targets
        .iter()
        .filter(|t| t.status == FusionStatus::Detected)
    {
        pairs.insert(
            t.name.clone(),
            Some(t.class.clone()).filter(|c| !c.is_empty()),
        );
    }
    let cnv = r.copy_number.clone().unwrap_or_default();
    let gene_of_variant: BTreeMap<&str, &str> = r
        .annotations
        .iter()
        .filter_map(|a| Some((a.variant_id.as_str(), a.gene.as_deref()?)))
        .collect();
    let gene_of_cnv: BTreeMap<&str, &str> = cnv
        .calls
        .iter()
        .map(|c| (c.id.as_str(), c.gene.as_str()))
        .collect();
    let markers = r
        .findings
        .iter()
        .map(|f| {
            let genes: BTreeSet<String> = match f.kind.as_str() {
                "fusion" => f
                    .lesion
                    .split("::")
                    .map(str::trim)
                    .filter(|g| {
                        !g.is_empty() && *g != "?" && g.chars().all(|c| c.is_ascii_alphanumeric())
                    })
                    .map(str::to_string)
                    .collect(),
                "ikzf1plus" => ["IKZF1".to_string()].into(),
                "ploidy" => BTreeSet::new(),
                _ => f
                    .call_ids
                    .iter()
                    .filter_map(|id| {
                        gene_of_variant
                            .get(id.as_str())
                            .or_else(|| gene_of_cnv.get(id.as_str()))
                    })
                    .map(|g| g.to_string())
                    .collect(),
            };
            MarkerHit {
                id: f.marker_id.clone(),
                lesion: f.lesion.clone(),
                kind: f.kind.clone(),
                genes,
            }
        })
        .collect();
    let mut subtypes = r.risk.subtypes.clone();
    subtypes.sort();
    subtypes.dedup();
    Record {
        order,
        sample_id: r.sample.sample_id.clone(),
        hospital: nonempty(r.sample.hospital.clone()),
        lab: nonempty(r.sample.lab_id.clone()),
        input_sha: r
            .provenance
            .inputs
            .iter()
            // the sequenced data: FASTQ when puente aligned it (its BAM differs per run)
            .find(|i| i.role == "fastq_1")
            .or_else(|| r.provenance.inputs.iter().find(|i| i.role == "alignment"))
            .map(|i| i.sha256.clone()),
        report_sha,
        collected: date(&r.sample.collection_date),
        received: date(&r.sample.received_date),
        analysed: date(&r.provenance.analysis_date),
        panel: r.provenance.panel.clone(),
        schema_version: r.schema_version.clone(),
        verdict: r.qc.verdict,
        mean_depth: r.qc.mean_exon_depth,
        pct_at_min_depth: r.qc.pct_exon_bases_at_min_depth,
        genes: r.qc.genes.iter().map(|g| g.gene.clone()).collect(),
        modules: (!r.modules.is_empty()).then(|| {
            r.modules
                .iter()
                .filter(|m| m.status == "done")
                .map(|m| m.module.clone())
                .collect()
        }),
        targets: r.fusion_targets,
        pairs,
        markers,
        subtypes,
        ikzf1plus: cnv.ikzf1plus.map(|s| s.status),
        ploidy: cnv.ploidy.map(|p| p.pattern),
        pgx: r.pgx.as_ref().map(|p| p.genes.clone()).unwrap_or_default(),
        dosing: r.pgx.map(|p| p.dosing.category),
        risk: r.risk.outputs,
    }
}

// ---------------------------------------------------------------------------------------------
// Counting each child once.

/// Children in `records`: reports of the same sample ID at the same hospital, or of the same
/// sequenced input, are one child. Returns groups of record indices, each sorted best first.
fn children(records: &[&Record]) -> Vec<Vec<usize>> {
    let n = records.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut first_by_key: BTreeMap<(Option<&str>, &str), usize> = BTreeMap::new();
    let mut first_by_input: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        let link = |j: usize, p: &mut Vec<usize>| {
            let (a, b) = (find(p, i), find(p, j));
            p[a.max(b)] = a.min(b);
        };
        match first_by_key.get(&(r.hospital.as_deref(), r.sample_id.as_str())) {
            Some(&j) => link(j, &mut parent),
            None => {
                first_by_key.insert((r.hospital.as_deref(), r.sample_id.as_str()), i);
            }
        }
        if let Some(sha) = &r.input_sha {
            match first_by_input.get(sha.as_str()) {
                Some(&j) => link(j, &mut parent),
                None => {
                    first_by_input.insert(sha.as_str(), i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().collect();
    for g in &mut out {
        g.sort_by_key(|&i| records[i].preference());
    }
    out.sort_by_key(|g| records[g[0]].order);
    out
}

/// One report per child: the best of its reports.
fn representatives<'a>(records: &[&'a Record]) -> Vec<&'a Record> {
    children(records)
        .into_iter()
        .map(|g| records[g[0]])
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Output types.

/// How a table's rows relate to their denominators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// Each counted unit falls in exactly one row; every row shares the denominator.
    Distribution,
    /// Each row is its own yes/no question over the units tested for it.
    Prevalence,
}

/// One count with its share and 95% Wilson interval; the count, denominator and share are null
/// when suppressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Row {
    pub category: String,
    pub label: String,
    pub n: Option<u64>,
    /// Units the share is of (children tested, children with a result, alleles genotyped).
    pub of: Option<u64>,
    pub proportion: Option<f64>,
    pub lower_95: Option<f64>,
    pub upper_95: Option<f64>,
    /// True when `n` or `of` is hidden by small-cell suppression.
    pub suppressed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Table {
    /// Stable identifier: `children`, `subtype`, `fusion_pair`, `marker`, `treatment`, `ploidy`,
    /// `risk.<output>`, `risk_provisional`, `pgx.<gene>.<diplotype|phenotype|allele>`,
    /// `thiopurine_dosing`, `qc_verdict`.
    pub id: String,
    pub kind: TableKind,
    /// What is counted: children, alleles or runs.
    pub unit: String,
    pub rows: Vec<Row>,
}

/// All tables for one set of children (the whole network or one group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Summary {
    /// `all` for the whole network, else the group's value.
    pub group: String,
    pub tables: Vec<Table>,
}

/// Median and quartiles of a duration in days; null when fewer children than the cell minimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Days {
    pub n: Option<u64>,
    pub median: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
}

/// One lab's operation: QC over its sequencing runs, turnaround, validation status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LabSummary {
    pub lab: String,
    /// Distinct sequenced inputs (re-analyses of the same data count once).
    pub runs: Option<u64>,
    pub median_mean_depth: Option<f64>,
    pub median_pct_at_min_depth: Option<f64>,
    /// Receipt to analysis.
    pub turnaround_days: Days,
    /// Collection to receipt (transport).
    pub transport_days: Days,
    pub validation: Vec<LabValidation>,
}

/// A lab's scorecard from a `puente validate` run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LabValidation {
    pub criteria: String,
    pub pairs: usize,
    /// pass | fail | insufficient_data
    pub status: String,
    /// Status of each variant class (snv, indel, fusion, ...).
    pub classes: BTreeMap<String, String>,
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HardyWeinberg {
    pub gene: String,
    /// Children with a diplotype; the test compares *1 with all other alleles pooled.
    pub genotyped: u64,
    pub p_value: Option<f64>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SkipCount {
    pub reason: String,
    pub files: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PanelCount {
    pub name: String,
    pub version: String,
    pub build: String,
    pub sha256: String,
    pub reports: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Cohort {
    pub files_read: usize,
    pub reports_used: usize,
    pub validation_files_used: usize,
    /// Files left out, by reason (their paths are printed on the console, never stored here).
    pub skipped: Vec<SkipCount>,
    /// Reports of a child already counted (re-runs, paired-lab re-tests).
    pub duplicate_reports: usize,
    pub children: usize,
    /// Children whose reports disagree on the subtype; the best-QC, latest report is counted.
    pub children_with_conflicting_subtypes: Option<u64>,
    pub panels: Vec<PanelCount>,
    pub report_schema_versions: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SuppressionRule {
    pub min_cell: u64,
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RegistryProvenance {
    pub puente_version: String,
    /// The command, with report paths replaced by their number (paths can carry sample IDs).
    pub command_line: Vec<String>,
    pub analysis_date: String,
    /// sha256 over the sorted sha256 of every report used: identifies the cohort without naming it.
    pub reports_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Registry {
    pub schema_version: String,
    pub provenance: RegistryProvenance,
    pub suppression: SuppressionRule,
    pub cohort: Cohort,
    /// lab | hospital | period (`period_length`), when groups were asked for.
    pub by: Option<String>,
    pub period_length: Option<String>,
    pub overall: Summary,
    pub groups: Vec<Summary>,
    pub labs: Vec<LabSummary>,
    /// QC verdicts of each lab's runs (column `all` is the network).
    pub qc: Vec<Summary>,
    pub hardy_weinberg: Vec<HardyWeinberg>,
}

// ---------------------------------------------------------------------------------------------
// Options and grouping.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Lab,
    Hospital,
    Period,
}

impl GroupBy {
    pub fn parse(s: &str) -> Option<GroupBy> {
        match s {
            "lab" => Some(GroupBy::Lab),
            "hospital" => Some(GroupBy::Hospital),
            "period" => Some(GroupBy::Period),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            GroupBy::Lab => "lab",
            GroupBy::Hospital => "hospital",
            GroupBy::Period => "period",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodLength {
    Month,
    Quarter,
    Year,
}

impl PeriodLength {
    pub fn parse(s: &str) -> Option<PeriodLength> {
        match s {
            "month" => Some(PeriodLength::Month),
            "quarter" => Some(PeriodLength::Quarter),
            "year" => Some(PeriodLength::Year),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            PeriodLength::Month => "month",
            PeriodLength::Quarter => "quarter",
            PeriodLength::Year => "year",
        }
    }

    fn label(self, d: NaiveDate) -> String {
        match self {
            PeriodLength::Month => format!("{}-{:02}", d.year(), d.month()),
            PeriodLength::Quarter => format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1),
            PeriodLength::Year => d.year().to_string(),
        }
    }
}

pub struct Options {
    pub min_cell: u64,
    pub by: Option<GroupBy>,
    pub period: PeriodLength,
    pub command_line: Vec<String>,
    pub analysis_date: String,
}

fn group_key(r: &Record, by: GroupBy, period: PeriodLength) -> String {
    match by {
        GroupBy::Lab => r.lab_name(),
        GroupBy::Hospital => r.hospital.clone().unwrap_or_else(|| UNSPECIFIED.into()),
        GroupBy::Period => r
            .date()
            .map(|d| period.label(d))
            .unwrap_or_else(|| "undated".into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Raw counts for one column (a set of children), before suppression.

/// Rows of one table in one column: category -> (label, n, of).
#[derive(Debug, Clone, Default)]
struct Column {
    rows: BTreeMap<String, (String, u64, u64)>,
    /// Distribution tables: the shared denominator.
    total: u64,
}

impl Column {
    fn add(&mut self, category: &str, label: &str, positive: bool, tested: bool) {
        let e = self
            .rows
            .entry(category.to_string())
            .or_insert_with(|| (label.to_string(), 0, 0));
        e.1 += u64::from(positive && tested);
        e.2 += u64::from(tested);
    }

    fn count(&mut self, category: &str, label: &str) {
        self.total += 1;
        self.add(category, label, true, true);
    }
}

struct RawTable {
    id: String,
    kind: TableKind,
    unit: &'static str,
    column: Column,
}

fn distribution(id: impl Into<String>, unit: &'static str, column: Column) -> RawTable {
    RawTable {
        id: id.into(),
        kind: TableKind::Distribution,
        unit,
        column,
    }
}

fn prevalence(id: impl Into<String>, column: Column) -> RawTable {
    RawTable {
        id: id.into(),
        kind: TableKind::Prevalence,
        unit: "children",
        column,
    }
}

/// The markers any report in the cohort can name, so every column lists the same rows.
#[derive(Debug, Default)]
struct Universe {
    pairs: BTreeMap<String, BTreeSet<String>>,
    /// Pairs some panel lists as a known fusion: only a report whose panel lists it tested it.
    targets: BTreeSet<String>,
    markers: BTreeMap<String, (String, String, BTreeSet<String>)>,
    pgx_genes: BTreeSet<String>,
    risk_outputs: BTreeSet<String>,
}

impl Universe {
    fn of(records: &[Record]) -> Universe {
        let mut u = Universe::default();
        let partners = |name: &str| -> BTreeSet<String> {
            name.split("::")
                .filter(|g| !g.is_empty() && *g != "?")
                .map(str::to_string)
                .collect()
        };
        for r in records {
            for t in &r.targets {
                u.targets.insert(t.name.clone());
                u.pairs
                    .entry(t.name.clone())
                    .or_default()
                    .extend([t.gene5.clone(), t.gene3.clone()]);
            }
            for p in r.pairs.keys() {
                u.pairs.entry(p.clone()).or_default().extend(partners(p));
            }
            for m in &r.markers {
                let e = u
                    .markers
                    .entry(m.id.clone())
                    .or_insert_with(|| (m.lesion.clone(), m.kind.clone(), BTreeSet::new()));
                e.2.extend(m.genes.iter().cloned());
            }
            u.pgx_genes.extend(r.pgx.iter().map(|g| g.gene.clone()));
            u.risk_outputs.extend(r.risk.iter().map(|o| o.id.clone()));
        }
        u
    }
}

fn module_of(kind: &str) -> &'static str {
    match kind {
        "fusion" => "fusions",
        "copy_number" | "ikzf1plus" | "ploidy" => "copy_number",
        _ => "small_variants",
    }
}

/// Every table for one set of children (one report each).
fn tables(children: &[&Record], u: &Universe) -> Vec<RawTable> {
    let mut out = Vec::new();
    let mut col = Column::default();
    for r in children {
        if r.reportable() {
            col.count("reportable", "QC pass or warn");
        } else {
            col.count("qc_fail", "QC fail (not counted below)");
        }
    }
    col.add("reportable", "QC pass or warn", false, false);
    col.add("qc_fail", "QC fail (not counted below)", false, false);
    out.push(distribution("children", "children", col));
    let ok: Vec<&Record> = children
        .iter()
        .copied()
        .filter(|r| r.reportable())
        .collect();

    let mut col = Column::default();
    for r in &ok {
        if r.subtypes.is_empty() {
            col.count("none", "no subtype-defining lesion found");
        } else {
            let s = r.subtypes.join(" + ");
            col.count(&s, &s);
        }
    }
    out.push(distribution("subtype", "children", col));

    let mut col = Column::default();
    for (pair, genes) in &u.pairs {
        for r in &ok {
            let positive = r.pairs.contains_key(pair);
            let tested = positive
                || match r.targets.iter().find(|t| &t.name == pair) {
                    Some(t) => t.status == FusionStatus::NotDetected,
                    None => {
                        !u.targets.contains(pair) && r.module_done("fusions") && r.covers(genes)
                    }
                };
            col.add(pair, pair, positive, tested);
        }
        col.add(pair, pair, false, false);
    }
    out.push(prevalence("fusion_pair", col));

    let mut col = Column::default();
    for (id, (lesion, kind, genes)) in &u.markers {
        for r in &ok {
            let positive = r.markers.iter().any(|m| &m.id == id);
            let tested = positive || (r.module_done(module_of(kind)) && r.covers(genes));
            col.add(id, lesion, positive, tested);
        }
        col.add(id, lesion, false, false);
    }
    out.push(prevalence("marker", col));

    let mut col = Column::default();
    let tki = "fusion of a TKI-targetable class (ABL-class, JAK-STAT)";
    let reduce = "thiopurine starting dose reduced (TPMT/NUDT15)";
    for r in &ok {
        let fusions_ran = r.module_done("fusions");
        col.add(
            "tki_class_fusion",
            tki,
            r.pairs.values().any(|c| c.as_deref() == Some("tki")),
            fusions_ran || !r.pairs.is_empty(),
        );
        let status = r.ikzf1plus.as_deref();
        col.add(
            "ikzf1plus",
            "IKZF1plus",
            status == Some("positive"),
            matches!(status, Some("positive" | "negative")),
        );
        let dosing = r.dosing.as_deref();
        col.add(
            "thiopurine_dose_reduction",
            reduce,
            dosing.is_some_and(|d| DOSE_REDUCED.contains(&d)),
            dosing.is_some_and(|d| d != "indeterminate"),
        );
    }
    col.add("tki_class_fusion", tki, false, false);
    col.add("ikzf1plus", "IKZF1plus", false, false);
    col.add("thiopurine_dose_reduction", reduce, false, false);
    out.push(prevalence("treatment", col));

    let mut col = Column::default();
    for r in &ok {
        if let Some(p) = r.ploidy.as_deref().filter(|p| *p != "not_assessable") {
            col.count(p, &p.replace('_', " "));
        }
    }
    out.push(distribution("ploidy", "children", col));

    let mut provisional = Column::default();
    for id in &u.risk_outputs {
        let mut col = Column::default();
        for r in &ok {
            let Some(o) = r.risk.iter().find(|o| &o.id == id) else {
                continue;
            };
            match &o.value {
                Some(v) => col.count(v, v),
                None => col.count("undetermined", "undetermined"),
            }
            provisional.add(id, &format!("{id}: provisional"), o.provisional, true);
            for m in &o.missing_inputs {
                if o.provisional {
                    let cat = format!("{id}|{m}");
                    provisional.add(
                        &cat,
                        &format!("{id}: provisional, waiting for {m}"),
                        true,
                        true,
                    );
                }
            }
        }
        out.push(distribution(format!("risk.{id}"), "children", col));
    }
    // a missing input's share is of the provisional results of that output
    let totals: BTreeMap<String, u64> = provisional
        .rows
        .iter()
        .filter(|(k, _)| !k.contains('|'))
        .map(|(k, v)| (k.clone(), v.1))
        .collect();
    for (k, v) in provisional.rows.iter_mut() {
        if let Some((id, _)) = k.split_once('|') {
            v.2 = totals.get(id).copied().unwrap_or(0);
        }
    }
    out.push(prevalence("risk_provisional", provisional));

    for gene in &u.pgx_genes {
        let mut diplotypes = Column::default();
        let mut phenotypes = Column::default();
        let mut alleles = Column::default();
        for r in &ok {
            let Some(g) = r.pgx.iter().find(|g| &g.gene == gene) else {
                continue;
            };
            phenotypes.count(&g.phenotype, &g.phenotype);
            if let Some(d) = &g.diplotype {
                diplotypes.count(d, d);
                for a in d.split('/') {
                    alleles.count(a, a);
                }
            }
        }
        out.push(distribution(
            format!("pgx.{gene}.diplotype"),
            "children",
            diplotypes,
        ));
        out.push(distribution(
            format!("pgx.{gene}.phenotype"),
            "children",
            phenotypes,
        ));
        out.push(distribution(
            format!("pgx.{gene}.allele"),
            "alleles",
            alleles,
        ));
    }
    let mut col = Column::default();
    for r in &ok {
        if let Some(d) = &r.dosing {
            col.count(d, &d.replace('_', " "));
        }
    }
    out.push(distribution("thiopurine_dosing", "children", col));
    out
}

/// Turn the columns of each table (column 0 the total) into suppressed output tables.
fn suppress_columns(columns: Vec<Vec<RawTable>>, names: &[String], min_cell: u64) -> Vec<Summary> {
    let mut out: Vec<Summary> = names
        .iter()
        .map(|g| Summary {
            group: g.clone(),
            tables: Vec::new(),
        })
        .collect();
    // tables are built in the same order for every column, except per-output risk and PGx tables
    // a column may lack; align by id
    let mut ids: Vec<(String, TableKind, &'static str)> = Vec::new();
    for col in &columns {
        for t in col {
            if !ids.iter().any(|(id, _, _)| id == &t.id) {
                ids.push((t.id.clone(), t.kind, t.unit));
            }
        }
    }
    for (id, kind, unit) in ids {
        let cols: Vec<Column> = columns
            .iter()
            .map(|c| {
                c.iter()
                    .find(|t| t.id == id)
                    .map(|t| t.column.clone())
                    .unwrap_or_default()
            })
            .collect();
        // rows: union of categories, largest overall count first
        let mut labels: BTreeMap<String, String> = BTreeMap::new();
        for c in &cols {
            for (k, v) in &c.rows {
                labels.entry(k.clone()).or_insert_with(|| v.0.clone());
            }
        }
        let mut cats: Vec<String> = labels.keys().cloned().collect();
        let overall = |k: &str| cols[0].rows.get(k).map_or(0, |v| v.1);
        let fixed_order = id == "children" || id == "treatment" || id == "risk_provisional";
        if !fixed_order {
            cats.sort_by(|a, b| overall(b).cmp(&overall(a)).then(a.cmp(b)));
        }
        // cells: per column, n per row, then `of` per row (prevalence) or one total (distribution)
        let nc = cols.len();
        let nr = cats.len();
        let mut values = Vec::new();
        let n_at = |c: usize, r: usize| c * (2 * nr + 1) + r;
        let of_at = |c: usize, r: usize| match kind {
            TableKind::Prevalence => c * (2 * nr + 1) + nr + r,
            TableKind::Distribution => c * (2 * nr + 1) + 2 * nr,
        };
        for c in &cols {
            for k in &cats {
                values.push(c.rows.get(k).map_or(0, |v| v.1));
            }
            for k in &cats {
                values.push(match kind {
                    TableKind::Prevalence => c.rows.get(k).map_or(0, |v| v.2),
                    TableKind::Distribution => 0,
                });
            }
            values.push(c.total);
        }
        let mut sums = Vec::new();
        if kind == TableKind::Distribution {
            for c in 0..nc {
                sums.push(Sum {
                    parts: (0..nr).map(|r| n_at(c, r)).collect(),
                    total: of_at(c, 0),
                });
            }
        }
        if nc > 1 {
            for r in 0..nr {
                sums.push(Sum {
                    parts: (1..nc).map(|c| n_at(c, r)).collect(),
                    total: n_at(0, r),
                });
                if kind == TableKind::Prevalence {
                    sums.push(Sum {
                        parts: (1..nc).map(|c| of_at(c, r)).collect(),
                        total: of_at(0, r),
                    });
                }
            }
            if kind == TableKind::Distribution {
                sums.push(Sum {
                    parts: (1..nc).map(|c| of_at(c, 0)).collect(),
                    total: of_at(0, 0),
                });
            }
        }
        // the unused `of` slots of distribution tables are zeros and never suppressed
        let cells = suppress(&values, &sums, min_cell);
        for (c, summary) in out.iter_mut().enumerate() {
            let rows = cats
                .iter()
                .enumerate()
                .map(|(r, k)| {
                    let n = cells[n_at(c, r)];
                    let of = cells[of_at(c, r)];
                    let shown = !n.suppressed && !of.suppressed;
                    let ci = if shown {
                        wilson(n.value, of.value)
                    } else {
                        None
                    };
                    Row {
                        category: k.clone(),
                        label: labels[k].clone(),
                        n: (!n.suppressed).then_some(n.value),
                        of: (!of.suppressed).then_some(of.value),
                        proportion: (shown && of.value > 0)
                            .then(|| n.value as f64 / of.value as f64),
                        lower_95: ci.map(|x| x.0),
                        upper_95: ci.map(|x| x.1),
                        suppressed: n.suppressed || of.suppressed,
                    }
                })
                .collect();
            summary.tables.push(Table {
                id: id.clone(),
                kind,
                unit: unit.into(),
                rows,
            });
        }
    }
    out
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn days(values: Vec<f64>, min_cell: u64) -> Days {
    let n = values.len() as u64;
    if n == 0 || n < min_cell {
        return Days {
            n: (n == 0).then_some(0),
            median: None,
            q1: None,
            q3: None,
        };
    }
    let mut v = values;
    v.sort_by(f64::total_cmp);
    Days {
        n: Some(n),
        median: Some(quantile(&v, 0.5)),
        q1: Some(quantile(&v, 0.25)),
        q3: Some(quantile(&v, 0.75)),
    }
}

/// Every scorecard of `lab` in the validation files, once each.
fn lab_validation(
    lab: &str,
    validations: &[crate::concordance::validate::Validation],
) -> Vec<LabValidation> {
    let mut out: Vec<LabValidation> = validations
        .iter()
        .flat_map(|v| {
            v.scorecards
                .iter()
                .filter(|s| s.lab == lab)
                .map(|s| LabValidation {
                    criteria: format!("{} {}", v.criteria.name, v.criteria.version),
                    pairs: s.pairs,
                    status: s.status.clone(),
                    classes: s
                        .classes
                        .iter()
                        .map(|c| (c.class.clone(), c.status.clone()))
                        .collect(),
                    missing: s.missing.clone(),
                })
        })
        .collect();
    out.sort_by(|a, b| (&a.criteria, a.pairs, &a.status).cmp(&(&b.criteria, b.pairs, &b.status)));
    out.dedup();
    out
}

/// Each lab's runs (distinct inputs; re-analyses count once), QC and turnaround.
fn labs(
    records: &[Record],
    validations: &[crate::concordance::validate::Validation],
    min_cell: u64,
) -> (Vec<LabSummary>, Vec<Summary>) {
    let mut by_lab: BTreeMap<String, BTreeMap<String, &Record>> = BTreeMap::new();
    for r in records {
        let run = r.input_sha.clone().unwrap_or_else(|| r.report_sha.clone());
        let e = by_lab
            .entry(r.lab_name())
            .or_default()
            .entry(run)
            .or_insert(r);
        if r.preference() < e.preference() {
            *e = r;
        }
    }
    let mut names = vec!["all".to_string()];
    let mut columns = vec![Vec::new()];
    let mut all = Column::default();
    let mut out = Vec::new();
    for (lab, runs) in &by_lab {
        let mut col = Column::default();
        for r in runs.values() {
            let v = match r.verdict {
                Verdict::Pass => "pass",
                Verdict::Warn => "warn",
                Verdict::Fail => "fail",
            };
            col.count(v, v);
            all.count(v, v);
        }
        names.push(lab.clone());
        columns.push(vec![distribution("qc_verdict", "runs", col)]);
        let n = runs.len() as u64;
        let enough = n >= min_cell;
        let turnaround: Vec<f64> = runs
            .values()
            .filter_map(|r| Some((r.analysed? - r.received?).num_days() as f64))
            .collect();
        let transport: Vec<f64> = runs
            .values()
            .filter_map(|r| Some((r.received? - r.collected?).num_days() as f64))
            .collect();
        out.push(LabSummary {
            lab: lab.clone(),
            runs: (n == 0 || enough).then_some(n),
            median_mean_depth: enough
                .then(|| crate::util::median_f64(runs.values().map(|r| r.mean_depth)))
                .flatten(),
            median_pct_at_min_depth: enough
                .then(|| crate::util::median_f64(runs.values().map(|r| r.pct_at_min_depth)))
                .flatten(),
            turnaround_days: days(turnaround, min_cell),
            transport_days: days(transport, min_cell),
            validation: lab_validation(lab, validations),
        });
    }
    // labs only named in validation files still get their status
    let named: BTreeSet<&str> = validations
        .iter()
        .flat_map(|v| v.scorecards.iter().map(|s| s.lab.as_str()))
        .collect();
    for lab in named {
        if !out.iter().any(|l| l.lab == lab) {
            out.push(LabSummary {
                lab: lab.to_string(),
                runs: Some(0),
                median_mean_depth: None,
                median_pct_at_min_depth: None,
                turnaround_days: days(Vec::new(), min_cell),
                transport_days: days(Vec::new(), min_cell),
                validation: lab_validation(lab, validations),
            });
        }
    }
    out.sort_by(|a, b| a.lab.cmp(&b.lab));
    columns[0].push(distribution("qc_verdict", "runs", all));
    (out, suppress_columns(columns, &names, min_cell))
}

fn hardy_weinberg(children: &[&Record], min_cell: u64) -> Vec<HardyWeinberg> {
    let mut by_gene: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for r in children.iter().filter(|r| r.reportable()) {
        for g in &r.pgx {
            let Some(d) = &g.diplotype else { continue };
            let reference = d.split('/').filter(|a| *a == "*1").count();
            let e = by_gene.entry(g.gene.clone()).or_default();
            match reference {
                2 => e.0 += 1,
                1 => e.1 += 1,
                _ => e.2 += 1,
            }
        }
    }
    by_gene
        .into_iter()
        .map(|(gene, (rr, rv, vv))| {
            let n = rr + rv + vv;
            let enough = n >= min_cell;
            HardyWeinberg {
                gene,
                genotyped: n,
                p_value: enough.then(|| hwe::exact_p(rr, rv, vv)).flatten(),
                note: if enough {
                    "exact test (Wigginton 2005), *1 against all other alleles pooled; a low p-value points to genotyping error, population structure or copy-number loss at the gene".into()
                } else {
                    format!("fewer than {min_cell} genotyped children: not tested")
                },
            }
        })
        .collect()
}

/// Aggregate `records` (every readable report) and `validations` into the registry.
pub fn build(
    records: Vec<Record>,
    validations: &[crate::concordance::validate::Validation],
    skipped: &[Skipped],
    files_read: usize,
    opts: &Options,
) -> Result<Registry> {
    if records.is_empty() {
        return Err(Error::InvalidInput {
            path: PathBuf::from("registry input"),
            reason: format!(
                "no usable report.json among {files_read} file(s){}",
                if skipped.is_empty() {
                    String::new()
                } else {
                    format!(" ({} skipped, listed above)", skipped.len())
                }
            ),
        });
    }
    let min_cell = opts.min_cell.max(MIN_CELL_FLOOR);
    let universe = Universe::of(&records);
    let all: Vec<&Record> = records.iter().collect();
    let child_groups = children(&all);
    let reps: Vec<&Record> = child_groups.iter().map(|g| all[g[0]]).collect();
    let conflicting = child_groups
        .iter()
        .filter(|g| {
            let subtypes: BTreeSet<&Vec<String>> = g
                .iter()
                .map(|&i| all[i])
                .filter(|r| r.reportable())
                .map(|r| &r.subtypes)
                .collect();
            subtypes.len() > 1
        })
        .count() as u64;

    let mut names = vec!["all".to_string()];
    let mut columns = vec![tables(&reps, &universe)];
    if let Some(by) = opts.by {
        let mut groups: BTreeMap<String, Vec<&Record>> = BTreeMap::new();
        for r in &records {
            groups
                .entry(group_key(r, by, opts.period))
                .or_default()
                .push(r);
        }
        for (key, members) in groups {
            names.push(key);
            columns.push(tables(&representatives(&members), &universe));
        }
    }
    let mut summaries = suppress_columns(columns, &names, min_cell).into_iter();
    let overall = summaries.next().expect("overall column");
    let groups: Vec<Summary> = summaries.collect();
    let (labs, qc) = labs(&records, validations, min_cell);

    let mut panels: BTreeMap<(String, String, String, String), usize> = BTreeMap::new();
    let mut schemas: BTreeMap<String, usize> = BTreeMap::new();
    for r in &records {
        let p = &r.panel;
        *panels
            .entry((
                p.name.clone(),
                p.version.clone(),
                p.build.clone(),
                p.sha256.clone(),
            ))
            .or_default() += 1;
        *schemas.entry(r.schema_version.clone()).or_default() += 1;
    }
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for s in skipped {
        *reasons.entry(s.reason.clone()).or_default() += 1;
    }
    let mut shas: Vec<&str> = records.iter().map(|r| r.report_sha.as_str()).collect();
    shas.sort();
    let conflicting = suppress(&[conflicting], &[], min_cell)[0];
    Ok(Registry {
        schema_version: SCHEMA_VERSION.into(),
        provenance: RegistryProvenance {
            puente_version: crate::VERSION.into(),
            command_line: opts.command_line.clone(),
            analysis_date: opts.analysis_date.clone(),
            reports_sha256: crate::util::sha256_bytes(shas.join("\n").as_bytes()),
        },
        suppression: SuppressionRule {
            min_cell,
            rule: format!(
                "counts of 1 to {} children (or alleles, or runs) are suppressed, with their shares and intervals; where a suppressed count could be recovered by subtraction from a shown total, the next smallest count (or the total) is suppressed too; zeros are shown; medians need at least {min_cell} values",
                min_cell - 1
            ),
        },
        cohort: Cohort {
            files_read,
            reports_used: records.len(),
            validation_files_used: validations.len(),
            skipped: reasons
                .into_iter()
                .map(|(reason, files)| SkipCount { reason, files })
                .collect(),
            duplicate_reports: records.len() - reps.len(),
            children: reps.len(),
            children_with_conflicting_subtypes: (!conflicting.suppressed).then_some(conflicting.value),
            panels: panels
                .into_iter()
                .map(|((name, version, build, sha256), reports)| PanelCount {
                    name,
                    version,
                    build,
                    sha256,
                    reports,
                })
                .collect(),
            report_schema_versions: schemas,
        },
        by: opts.by.map(|b| b.name().to_string()),
        period_length: (opts.by == Some(GroupBy::Period)).then(|| opts.period.name().to_string()),
        overall,
        groups,
        labs,
        qc,
        hardy_weinberg: hardy_weinberg(&reps, min_cell),
    })
}

/// Every `report.json` and `validation.json` under `dir`, sorted (symlinked folders are not
/// followed, so a link loop cannot trap the walk).
pub fn find_inputs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| Error::io(&d, e))?;
        for e in entries {
            let e = e.map_err(|e| Error::io(&d, e))?;
            let ft = e.file_type().map_err(|x| Error::io(e.path(), x))?;
            let name = e.file_name();
            if ft.is_dir() {
                stack.push(e.path());
            } else if name == "report.json" || name == "validation.json" {
                out.push(e.path());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// JSON Schema of registry.json, generated from the types.
pub fn json_schema() -> serde_json::Value {
    let mut v = serde_json::to_value(schemars::schema_for!(Registry)).unwrap_or_default();
    v["$id"] = format!("urn:puente:registry:{SCHEMA_VERSION}").into();
    v["title"] = "puente registry.json".into();
    v["description"] = format!(
        "De-identified network statistics from many puente reports (schema {SCHEMA_VERSION}): prevalence with 95% Wilson intervals, PGx frequencies, risk groups, lab QC, turnaround and validation status, with small counts suppressed."
    )
    .into();
    v["properties"]["schema_version"]["const"] = SCHEMA_VERSION.into();
    v
}

#[cfg(test)]
mod tests;
