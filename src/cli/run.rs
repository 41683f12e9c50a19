use super::Common;
use anyhow::Context;
use puente::{ingest::Reference, model::SampleInfo, panel::Panel, pipeline};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Coordinate-sorted BAM.
    #[arg(long, conflicts_with = "cram", required_unless_present = "cram")]
    bam: Option<PathBuf>,
    /// Coordinate-sorted CRAM (needs --reference).
    #[arg(long)]
    cram: Option<PathBuf>,
    /// Reference FASTA with .fai (bgzipped with .gzi accepted).
    #[arg(long)]
    reference: PathBuf,
    /// Built-in panel name or panel directory.
    #[arg(long, default_value = "all-v1")]
    panel: String,
    #[arg(long)]
    sample_id: String,
    /// Output directory; results go to OUT/SAMPLE_ID/.
    #[arg(long)]
    out: PathBuf,
    /// Library type: dna (intronic fusion breakpoints) or rna (exon junctions); detected from
    /// spliced alignments when not given.
    #[arg(long, value_parser = ["dna", "rna", "auto"])]
    library: Option<String>,
    /// Sex (M/F) for chrX copy-number expectations; inferred from chrX depth when not given.
    #[arg(long, value_parser = ["M", "F", "U"])]
    sex: Option<String>,
    /// Tumour (blast) fraction 0-1: turns log2 ratios into tumour copy numbers.
    #[arg(long, value_parser = parse_fraction)]
    tumor_fraction: Option<f64>,
    #[command(flatten)]
    common: Common,
}

pub fn exec(a: Args) -> anyhow::Result<i32> {
    let panel = Panel::load(&a.panel)?;
    let reference = Reference::open(&a.reference)?;
    pipeline::check_reference(&reference, &panel)?;
    let rref = pipeline::reference_ref(&reference, &panel, &panel.manifest.panel.build, &a.out)?;
    let alignment = a.bam.or(a.cram).context("give --bam or --cram")?;
    if let Some(p) = &a.common.pon {
        pipeline::load_pon(p, &panel)?;
    }
    let sample = SampleInfo {
        sample_id: a.sample_id.clone(),
        library: a.library,
        sex: a.sex,
        tumor_fraction: a.tumor_fraction,
        ..Default::default()
    };
    let opts = pipeline::RunOptions {
        alignment,
        sample,
        out_dir: a.out.join(&a.sample_id),
        threads: a.common.threads.max(1),
        filter: a.common.filter(),
        command_line: super::command_line(),
        pon: a.common.pon.clone(),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()?;
    let o = pool.install(|| pipeline::run_sample(&opts, &panel, &reference, &rref, &|_| {}))?;
    println!(
        "{}: QC {:?}, mean exon depth {:.0}x -> {}",
        o.sample_id,
        o.verdict,
        o.mean_exon_depth,
        o.report.display()
    );
    Ok(0)
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("{s:?} is not a fraction between 0 and 1")),
    }
}
