//! Batch runs from a samplesheet: validate the whole sheet first, run samples in parallel, keep going
//! past a failing sample, skip samples already complete for unchanged inputs, write a summary.
use crate::error::{Error, Result};
use crate::ingest::reads::ReadFilter;
use crate::ingest::Reference;
use crate::model::{SampleInfo, Verdict};
use crate::panel::Panel;
use crate::pipeline::{self, RunOptions, SampleInput};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

const COLUMNS: [&str; 18] = [
    "sample_id",
    "lab_id",
    "hospital",
    "collection_date",
    "received_date",
    "bam",
    "cram",
    "fastq_1",
    "fastq_2",
    "library",
    "sex",
    "age_years",
    "wbc_per_ul",
    "cns_status",
    "mrd_day15",
    "mrd_eoi",
    "tumor_fraction",
    "lineage",
];

#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub info: SampleInfo,
    pub input: SampleInput,
}

fn parse_num(
    v: &str,
    col: &str,
    lo: f64,
    hi: f64,
    line: usize,
    problems: &mut Vec<String>,
) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && (lo..=hi).contains(&x) => Some(x),
        Ok(x) => {
            problems.push(format!("line {line}: {col} = {x} is outside {lo}..{hi}"));
            None
        }
        Err(_) => {
            problems.push(format!("line {line}: {col} = {v:?} is not a number"));
            None
        }
    }
}

/// One record of a CSV sheet: its line in the file and its cells by column.
pub struct SheetRecord {
    pub line: usize,
    cells: std::collections::BTreeMap<String, String>,
}

impl SheetRecord {
    /// The cell of `column`, empty when the column is absent.
    pub fn get(&self, column: &str) -> String {
        self.cells.get(column).cloned().unwrap_or_default()
    }
}

/// A header-first CSV sheet (samplesheet, pairs.csv): cells trimmed, `#` lines skipped. Unknown
/// columns and missing required ones are reported together (and no record is returned); a record
/// that does not parse is a problem too, so every mistake is listed in one pass.
pub fn read_sheet(
    text: &str,
    columns: &[&str],
    required: &[&str],
    problems: &mut Vec<String>,
) -> Vec<SheetRecord> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            problems.push(format!("header: {e}"));
            return Vec::new();
        }
    };
    let before = problems.len();
    for h in &headers {
        if !columns.contains(&h.as_str()) {
            problems.push(format!(
                "unknown column {h:?} (expected some of: {})",
                columns.join(",")
            ));
        }
    }
    for need in required {
        if !headers.iter().any(|h| h == need) {
            problems.push(format!("missing the {need} column"));
        }
    }
    if problems.len() > before {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        match rec {
            Ok(r) => out.push(SheetRecord {
                line,
                cells: headers
                    .iter()
                    .cloned()
                    .zip(r.iter().map(str::to_string))
                    .collect(),
            }),
            Err(e) => problems.push(format!("line {line}: {e}")),
        }
    }
    out
}

/// Parse and validate a samplesheet; relative paths are resolved against the sheet's folder. Every
/// problem is reported at once.
pub fn read_samplesheet(path: &Path) -> Result<Vec<SheetRow>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_samplesheet(&text, path.parent().unwrap_or(Path::new(".")), path)
}

pub fn parse_samplesheet(text: &str, base: &Path, path: &Path) -> Result<Vec<SheetRow>> {
    let bad = |problems: Vec<String>| Error::Samplesheet {
        path: path.into(),
        problems,
    };
    let mut problems = Vec::new();
    let records = read_sheet(text, &COLUMNS, &["sample_id"], &mut problems);
    if !problems.is_empty() {
        return Err(bad(problems));
    }
    let mut rows = Vec::new();
    let mut seen = std::collections::BTreeMap::new();
    for rec in &records {
        let line = rec.line;
        let get = |c: &str| rec.get(c);
        let id = get("sample_id");
        if id.is_empty() {
            problems.push(format!("line {line}: empty sample_id"));
            continue;
        }
        if !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            problems.push(format!("line {line}: sample_id {id:?} may only use letters, digits, '-', '_' and '.' (it names a folder)"));
        }
        if let Some(prev) = seen.insert(id.clone(), line) {
            problems.push(format!(
                "line {line}: duplicate sample_id {id:?} (first on line {prev})"
            ));
        }
        let (bam, cram, fq1, fq2) = (get("bam"), get("cram"), get("fastq_1"), get("fastq_2"));
        let resolve = |a: &str| {
            let p = PathBuf::from(a);
            if p.is_absolute() {
                p
            } else {
                base.join(p)
            }
        };
        let given = [
            !bam.is_empty(),
            !cram.is_empty(),
            !fq1.is_empty() || !fq2.is_empty(),
        ]
        .iter()
        .filter(|&&g| g)
        .count();
        let input = if given > 1 {
            problems.push(format!(
                "line {line}: {id}: give one input: bam, cram or fastq_1/fastq_2"
            ));
            None
        } else if !bam.is_empty() {
            Some(SampleInput::Alignment(resolve(&bam)))
        } else if !cram.is_empty() {
            Some(SampleInput::Alignment(resolve(&cram)))
        } else if !fq1.is_empty() && !fq2.is_empty() {
            Some(SampleInput::Fastq {
                r1: resolve(&fq1),
                r2: resolve(&fq2),
            })
        } else if !fq1.is_empty() || !fq2.is_empty() {
            problems.push(format!(
                "line {line}: {id}: paired-end FASTQ needs both fastq_1 and fastq_2"
            ));
            None
        } else {
            problems.push(format!(
                "line {line}: {id}: no input (bam, cram or fastq_1/fastq_2)"
            ));
            None
        };
        for (_, f) in input.iter().flat_map(|i| i.files()) {
            if !f.is_file() {
                problems.push(format!(
                    "line {line}: {id}: input file {} not found",
                    f.display()
                ));
            }
        }
        let library = get("library");
        if !library.is_empty() && library != "dna" && library != "rna" {
            problems.push(format!(
                "line {line}: library {library:?} must be dna or rna"
            ));
        }
        let sex = get("sex");
        if !sex.is_empty() && !["M", "F", "U"].contains(&sex.as_str()) {
            problems.push(format!("line {line}: sex {sex:?} must be M, F or U"));
        }
        let cns = get("cns_status");
        if !cns.is_empty() && !["CNS1", "CNS2", "CNS3"].contains(&cns.as_str()) {
            problems.push(format!(
                "line {line}: cns_status {cns:?} must be CNS1, CNS2 or CNS3"
            ));
        }
        let lineage = get("lineage").to_ascii_uppercase();
        if !lineage.is_empty() && !["B", "T"].contains(&lineage.as_str()) {
            problems.push(format!("line {line}: lineage {lineage:?} must be B or T"));
        }
        let mut date = |col: &str| {
            let v = get(col);
            if v.is_empty() {
                return None;
            }
            let d = crate::util::parse_date(&v);
            if d.is_none() {
                problems.push(format!(
                    "line {line}: {col} {v:?} is not a date (YYYY-MM-DD)"
                ));
            }
            d.map(|_| v)
        };
        let collection_date = date("collection_date");
        let received_date = date("received_date");
        if let (Some(c), Some(r)) = (&collection_date, &received_date) {
            if r < c {
                problems.push(format!(
                    "line {line}: {id}: received_date {r} is before collection_date {c}"
                ));
            }
        }
        let info = SampleInfo {
            sample_id: id.clone(),
            hospital: Some(get("hospital")).filter(|s| !s.is_empty()),
            collection_date,
            received_date,
            lineage: Some(lineage).filter(|s| !s.is_empty()),
            lab_id: Some(get("lab_id")).filter(|s| !s.is_empty()),
            library: Some(library).filter(|s| !s.is_empty()),
            sex: Some(sex).filter(|s| !s.is_empty()),
            age_years: parse_num(
                &get("age_years"),
                "age_years",
                0.0,
                30.0,
                line,
                &mut problems,
            ),
            wbc_per_ul: parse_num(
                &get("wbc_per_ul"),
                "wbc_per_ul",
                0.0,
                2.0e6,
                line,
                &mut problems,
            ),
            cns_status: Some(cns).filter(|s| !s.is_empty()),
            mrd_day15: parse_num(
                &get("mrd_day15"),
                "mrd_day15",
                0.0,
                1.0,
                line,
                &mut problems,
            ),
            mrd_eoi: parse_num(&get("mrd_eoi"), "mrd_eoi", 0.0, 1.0, line, &mut problems),
            tumor_fraction: parse_num(
                &get("tumor_fraction"),
                "tumor_fraction",
                0.0,
                1.0,
                line,
                &mut problems,
            ),
        };
        if let Some(input) = input {
            rows.push(SheetRow { info, input });
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push("no samples".into());
    }
    if !problems.is_empty() {
        return Err(bad(problems));
    }
    Ok(rows)
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SampleSummary {
    pub sample_id: String,
    /// done, skipped (complete for unchanged input), failed
    pub status: String,
    pub verdict: Option<Verdict>,
    pub mean_exon_depth: Option<f64>,
    pub report: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BatchSummary {
    pub puente_version: String,
    pub panel: crate::model::PanelRef,
    pub samples: Vec<SampleSummary>,
}

pub struct BatchOptions {
    pub out: PathBuf,
    pub threads: usize,
    pub filter: ReadFilter,
    pub command_line: Vec<String>,
    pub pon: Option<PathBuf>,
    pub transcripts: Option<PathBuf>,
    pub rules: Option<PathBuf>,
    pub lang: crate::report::i18n::Lang,
    pub analysis_date: Option<String>,
    /// Cache of minimap2 indexes, for FASTQ rows.
    pub index_dir: PathBuf,
    /// Run nothing: summarise the per-sample results already in `out` (a cluster workflow ran
    /// each sample as its own job). A sample without complete results for its inputs is failed.
    pub summary_only: bool,
}

/// Run every sample; returns the summary (also written) or `BatchFailed` when any sample failed.
pub fn run(
    rows: &[SheetRow],
    panel: &Panel,
    reference: &Reference,
    opts: &BatchOptions,
) -> Result<BatchSummary> {
    std::fs::create_dir_all(&opts.out).map_err(|e| Error::io(&opts.out, e))?;
    pipeline::check_reference(reference, panel)?;
    if let Some(p) = &opts.pon {
        pipeline::load_pon(p, panel)?;
    }
    if let Some(p) = &opts.transcripts {
        pipeline::load_transcripts(p, panel, reference)?;
    }
    if let Some(p) = &opts.rules {
        pipeline::load_rules(p, panel)?;
    }
    let rref = pipeline::reference_ref(reference, panel, &panel.manifest.panel.build, &opts.out)?;
    let threads = opts.threads.max(1);
    let parallel = threads.min(rows.len()).max(1);
    let per_sample = (threads / parallel).max(1);
    let pb = ProgressBar::new(rows.len() as u64);
    let tty = std::io::stderr().is_terminal();
    if tty {
        pb.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} samples {msg}",
            )
            .expect("template"),
        );
    } else {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    }
    let log = |msg: String| {
        if tty {
            pb.println(msg);
        } else {
            eprintln!("{msg}");
        }
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::input(&opts.out, e.to_string()))?;
    let mut samples: Vec<SampleSummary> = pool.install(|| {
        rows.par_iter()
            .with_max_len(1)
            .map(|row| {
                let id = row.info.sample_id.clone();
                let dir = opts.out.join(&id);
                let complete = match row.input.sha256s() {
                    Ok(sha) => pipeline::is_complete(&dir, &sha),
                    Err(_) => false,
                };
                if complete || opts.summary_only {
                    pb.inc(1);
                    if !complete {
                        return SampleSummary {
                            sample_id: id,
                            status: "failed".into(),
                            verdict: None,
                            mean_exon_depth: None,
                            report: None,
                            error: Some(format!(
                                "no complete results for this sample's inputs in {}",
                                dir.display()
                            )),
                        };
                    }
                    let (verdict, depth) = read_qc(&dir);
                    if !opts.summary_only {
                        log(format!("[puente] {id}: complete for this input, skipped"));
                    }
                    return SampleSummary {
                        sample_id: id,
                        status: if opts.summary_only { "done" } else { "skipped" }.into(),
                        verdict,
                        mean_exon_depth: depth,
                        report: Some(dir.join("report.json").display().to_string()),
                        error: None,
                    };
                }
                log(format!("[puente] {id}: started"));
                let ropts = RunOptions {
                    input: row.input.clone(),
                    index_dir: opts.index_dir.clone(),
                    sample: row.info.clone(),
                    out_dir: dir,
                    threads: per_sample,
                    filter: opts.filter,
                    command_line: opts.command_line.clone(),
                    pon: opts.pon.clone(),
                    transcripts: opts.transcripts.clone(),
                    rules: opts.rules.clone(),
                    lang: opts.lang,
                    analysis_date: opts.analysis_date.clone(),
                };
                let r = pipeline::run_sample(&ropts, panel, reference, &rref, &|stage| {
                    if tty {
                        pb.set_message(format!("{id}: {stage}"));
                    } else {
                        eprintln!("[puente] {id}: {stage}");
                    }
                });
                pb.inc(1);
                match r {
                    Ok(o) => {
                        log(format!(
                            "[puente] {id}: done, QC {:?}, mean exon depth {:.0}x",
                            o.verdict, o.mean_exon_depth
                        ));
                        SampleSummary {
                            sample_id: id,
                            status: "done".into(),
                            verdict: Some(o.verdict),
                            mean_exon_depth: Some(o.mean_exon_depth),
                            report: Some(o.report.display().to_string()),
                            error: None,
                        }
                    }
                    Err(e) => {
                        log(format!("[puente] {id}: FAILED: {e}"));
                        SampleSummary {
                            sample_id: id,
                            status: "failed".into(),
                            verdict: None,
                            mean_exon_depth: None,
                            report: None,
                            error: Some(e.to_string()),
                        }
                    }
                }
            })
            .collect()
    });
    pb.finish_and_clear();
    samples.sort_by(|a, b| a.sample_id.cmp(&b.sample_id));
    let summary = BatchSummary {
        puente_version: crate::VERSION.into(),
        panel: panel.reference(),
        samples,
    };
    write_summary(&opts.out, &summary)?;
    let failed = summary
        .samples
        .iter()
        .filter(|s| s.status == "failed")
        .count();
    if failed > 0 {
        return Err(Error::BatchFailed {
            failed,
            total: summary.samples.len(),
        });
    }
    Ok(summary)
}

/// QC verdict and mean exon depth of a finished sample, from its report.json.
fn read_qc(dir: &Path) -> (Option<Verdict>, Option<f64>) {
    let Some(v) = std::fs::read_to_string(dir.join("report.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    else {
        return (None, None);
    };
    (
        serde_json::from_value(v["qc"]["verdict"].clone()).ok(),
        v["qc"]["mean_exon_depth"].as_f64(),
    )
}

fn write_summary(out: &Path, s: &BatchSummary) -> Result<()> {
    let mut tsv = format!(
        "# puente {} panel {} {}\nsample_id\tstatus\tqc_verdict\tmean_exon_depth\treport\terror\n",
        s.puente_version, s.panel.name, s.panel.version
    );
    for x in &s.samples {
        tsv.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            x.sample_id,
            x.status,
            x.verdict
                .map(|v| format!("{v:?}").to_lowercase())
                .unwrap_or_default(),
            x.mean_exon_depth
                .map(|d| format!("{d:.1}"))
                .unwrap_or_default(),
            x.report.clone().unwrap_or_default(),
            x.error
                .clone()
                .unwrap_or_default()
                .replace(['\t', '\n'], " ")
        ));
    }
    crate::util::write_atomic(&out.join("batch_summary.tsv"), tsv.as_bytes())?;
    crate::util::write_atomic(&out.join("batch_summary.json"), &crate::util::to_json(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samplesheet_reports_every_problem() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.bam"), b"x").unwrap();
        let text = "sample_id,bam,age_years,mrd_day15,sex\nS1,a.bam,5,0.01,F\nS1,a.bam,abc,2,Q\nS2,missing.bam,,,\n";
        let e = parse_samplesheet(text, dir.path(), Path::new("sheet.csv")).unwrap_err();
        let msg = e.to_string();
        for want in [
            "duplicate sample_id \"S1\"",
            "age_years = \"abc\" is not a number",
            "mrd_day15 = 2 is outside",
            "sex \"Q\"",
            "missing.bam not found",
        ] {
            assert!(msg.contains(want), "{want} not in {msg}");
        }
        assert_eq!(e.exit_code(), 7);
    }

    #[test]
    fn samplesheet_ok() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.bam"), b"x").unwrap();
        let rows = parse_samplesheet(
            "sample_id,lab_id,bam,tumor_fraction\nS1,L1,a.bam,0.8\n",
            dir.path(),
            Path::new("s.csv"),
        )
        .unwrap();
        assert_eq!(rows[0].info.tumor_fraction, Some(0.8));
        assert_eq!(
            rows[0].input,
            SampleInput::Alignment(dir.path().join("a.bam"))
        );
        let e = parse_samplesheet("sample_id,colour\nS1,red\n", dir.path(), Path::new("s.csv"))
            .unwrap_err();
        assert!(e.to_string().contains("unknown column \"colour\""));
    }

    #[test]
    fn samplesheet_hospital_and_dates() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.bam"), b"x").unwrap();
        let head = "sample_id,hospital,collection_date,received_date,bam\n";
        let rows = parse_samplesheet(
            &format!("{head}S1,H-GDL,2026-02-27,2026-03-01,a.bam\n"),
            dir.path(),
            Path::new("s.csv"),
        )
        .unwrap();
        assert_eq!(rows[0].info.hospital.as_deref(), Some("H-GDL"));
        assert_eq!(rows[0].info.collection_date.as_deref(), Some("2026-02-27"));
        assert_eq!(rows[0].info.received_date.as_deref(), Some("2026-03-01"));
        let e = parse_samplesheet(
            &format!("{head}S1,H,2026-02-30,,a.bam\nS2,H,2026-03-05,2026-03-01,a.bam\nS3,H,5/3/2026,,a.bam\n"),
            dir.path(),
            Path::new("s.csv"),
        )
        .unwrap_err()
        .to_string();
        for want in [
            "line 2: collection_date \"2026-02-30\" is not a date",
            "line 3: S2: received_date 2026-03-01 is before collection_date 2026-03-05",
            "line 4: collection_date \"5/3/2026\" is not a date",
        ] {
            assert!(e.contains(want), "{want} not in {e}");
        }
    }
}
