//! Command-line interface: one file per subcommand.
mod align;
mod batch;
mod concordance;
mod demo;
mod panel;
mod pon;
mod registry;
mod report;
mod risk;
mod run;
mod simulate;
mod validate;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "puente",
    version,
    about = "NGS diagnostic pipeline for pediatric ALL panels",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse one sample (BAM, CRAM or paired FASTQ).
    Run(Box<run::Args>),
    /// Align paired FASTQ into a sorted, indexed, duplicate-marked BAM (or only build the index).
    Align(align::Args),
    /// Analyse every sample of a samplesheet.
    Batch(batch::Args),
    /// Show or validate a panel.
    Panel(panel::Args),
    /// Simulate a reference and samples with planted lesions.
    Simulate(simulate::Args),
    /// Run the whole pipeline on built-in simulated data.
    Demo(demo::Args),
    /// Panel of normals for copy number.
    Pon(pon::Args),
    /// Risk groups: explain or re-evaluate a report's assessment.
    Risk(risk::Args),
    /// Re-render a report.json as HTML (es/en), VCF or JSON without re-calling.
    Report(report::Args),
    /// Compare two labs' results for one sample (report.json or VCF).
    Concordance(concordance::Args),
    /// Score partner labs over many paired samples against acceptance criteria.
    Validate(validate::Args),
    /// De-identified network statistics from many reports (prevalence, PGx, risk, lab QC).
    Registry(registry::Args),
}

/// Shared options.
#[derive(clap::Args, Clone)]
pub struct Common {
    /// Worker threads (samples, regions and BAM decompression).
    #[arg(long, default_value_t = default_threads())]
    pub threads: usize,
    /// Minimum mapping quality for a read to count.
    #[arg(long, default_value_t = 20)]
    pub min_mapq: u8,
    /// Panel of normals for copy number (`puente pon build`); without it copy number uses a
    /// within-sample fallback that only calls large changes.
    #[arg(long)]
    pub pon: Option<std::path::PathBuf>,
    /// More transcript models (transcripts.tsv columns) to name each call on, besides the
    /// panel's pinned transcript, which alone decides the reported consequence.
    #[arg(long)]
    pub transcripts: Option<std::path::PathBuf>,
    /// Risk rules replacing the panel's risk.toml (same format).
    #[arg(long)]
    pub rules: Option<std::path::PathBuf>,
    /// Language of report.html: es (Spanish) or en (English).
    #[arg(long, default_value = "es", value_parser = ["es", "en"])]
    pub lang: String,
    /// Where minimap2 indexes of the reference are cached for FASTQ input (default:
    /// $PUENTE_INDEX_DIR, else ~/.cache/puente/index).
    #[arg(long)]
    pub index_dir: Option<std::path::PathBuf>,
}

fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

impl Common {
    pub fn lang(&self) -> puente::report::i18n::Lang {
        puente::report::i18n::Lang::parse(&self.lang).unwrap_or(puente::report::i18n::Lang::Es)
    }

    pub fn index_dir(&self) -> std::path::PathBuf {
        self.index_dir
            .clone()
            .unwrap_or_else(puente::ingest::align::index::default_dir)
    }

    pub fn filter(&self) -> puente::ingest::reads::ReadFilter {
        puente::ingest::reads::ReadFilter {
            min_mapq: self.min_mapq,
            ..Default::default()
        }
    }
}

pub fn command_line() -> Vec<String> {
    std::env::args().collect()
}

pub fn main() -> anyhow::Result<i32> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(a) => run::exec(*a),
        Command::Align(a) => align::exec(a),
        Command::Batch(a) => batch::exec(a),
        Command::Panel(a) => panel::exec(a),
        Command::Simulate(a) => simulate::exec(a),
        Command::Demo(a) => demo::exec(a),
        Command::Pon(a) => pon::exec(a),
        Command::Risk(a) => risk::exec(a),
        Command::Report(a) => report::exec(a),
        Command::Concordance(a) => concordance::exec(a),
        Command::Validate(a) => validate::exec(a),
        Command::Registry(a) => registry::exec(a),
    }
}
