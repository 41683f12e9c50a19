use puente::registry::{self, GroupBy, Input, PeriodLength};
use rayon::prelude::*;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// report.json files (validation.json files from `puente validate` add each lab's status).
    #[arg(required_unless_present = "from")]
    reports: Vec<PathBuf>,
    /// Folder searched recursively for report.json and validation.json (repeatable).
    #[arg(long)]
    from: Vec<PathBuf>,
    /// Output directory: registry.json, registry_tables.csv, registry_labs.csv, registry.html.
    #[arg(long)]
    out: PathBuf,
    /// Also tabulate every table per lab, per treating hospital or per period.
    #[arg(long, value_parser = ["lab", "hospital", "period"])]
    by: Option<String>,
    /// Length of a period for `--by period` (dated by collection, else receipt, else analysis).
    #[arg(long, default_value = "quarter", value_parser = ["month", "quarter", "year"])]
    period: String,
    /// Smallest count of children shown; smaller non-zero counts are suppressed (3 at least).
    #[arg(long, default_value_t = registry::DEFAULT_MIN_CELL,
          value_parser = clap::value_parser!(u64).range(registry::MIN_CELL_FLOOR..))]
    min_cell: u64,
    /// Language of registry.html: es or en.
    #[arg(long, default_value = "es", value_parser = ["es", "en"])]
    lang: String,
    #[arg(long, default_value_t = 2)]
    threads: usize,
}

pub fn exec(a: Args) -> anyhow::Result<i32> {
    let mut paths: Vec<PathBuf> = a.reports.clone();
    for dir in &a.from {
        paths.extend(registry::find_inputs(dir)?);
    }
    paths.sort();
    paths.dedup();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.threads.max(1))
        .build()?;
    let read: Vec<_> = pool.install(|| {
        paths
            .par_iter()
            .enumerate()
            .map(|(i, p)| registry::read_input(p, i))
            .collect()
    });
    let mut records = Vec::new();
    let mut validations = Vec::new();
    let mut skipped = Vec::new();
    for r in read {
        match r {
            Ok(Input::Report(r)) => records.push(*r),
            Ok(Input::Validation(v)) => validations.push(*v),
            Err(s) => {
                eprintln!(
                    "[puente registry] skipped {}: {} ({})",
                    s.path.display(),
                    s.reason,
                    s.detail
                );
                skipped.push(s);
            }
        }
    }
    // report paths can carry sample IDs: the stored command line counts them instead
    let mut command_line: Vec<String> = Vec::new();
    let named: Vec<String> = a.reports.iter().map(|p| p.display().to_string()).collect();
    for arg in super::command_line() {
        if named.contains(&arg) {
            if !command_line.iter().any(|c| c.starts_with("<report files:")) {
                command_line.push(format!("<report files: {}>", named.len()));
            }
        } else {
            command_line.push(arg);
        }
    }
    let opts = registry::Options {
        min_cell: a.min_cell,
        by: a.by.as_deref().and_then(GroupBy::parse),
        period: PeriodLength::parse(&a.period).unwrap_or(PeriodLength::Quarter),
        command_line,
        analysis_date: puente::util::analysis_date(),
    };
    let reg = registry::build(records, &validations, &skipped, paths.len(), &opts)?;
    let lang = puente::report::i18n::Lang::parse(&a.lang).unwrap_or(puente::report::i18n::Lang::Es);
    puente::report::registry::write(&a.out, &reg, lang)?;
    println!(
        "{} of {} files used ({} reports, {} children, {} validation results; {} skipped); registry in {}",
        reg.cohort.reports_used + reg.cohort.validation_files_used,
        reg.cohort.files_read,
        reg.cohort.reports_used,
        reg.cohort.children,
        reg.cohort.validation_files_used,
        skipped.len(),
        a.out.display()
    );
    Ok(0)
}
