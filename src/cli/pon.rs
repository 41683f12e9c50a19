use super::Common;
use puente::{ingest::Reference, panel::Panel, pipeline};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Build a panel of normals from normal or lesion-negative BAM/CRAMs of the same assay.
    Build(BuildArgs),
}

#[derive(clap::Args)]
struct BuildArgs {
    /// Built-in panel name or panel directory (must be the panel the samples will be run with).
    #[arg(long, default_value = "all-v1")]
    panel: String,
    /// Reference FASTA with .fai (bgzipped with .gzi accepted).
    #[arg(long)]
    reference: PathBuf,
    /// Output file (e.g. pon.tsv).
    #[arg(long)]
    out: PathBuf,
    /// Normal BAM/CRAM files, coordinate-sorted and indexed (at least 10 recommended).
    #[arg(required = true)]
    alignments: Vec<PathBuf>,
    #[command(flatten)]
    common: Common,
}

pub fn exec(a: Args) -> anyhow::Result<i32> {
    let Cmd::Build(b) = a.cmd;
    let panel = Panel::load(&b.panel)?;
    let reference = Reference::open(&b.reference)?;
    let index_dir = b
        .out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| p.join("pon-index"))
        .unwrap_or_else(|| PathBuf::from("pon-index"));
    let threads = b.common.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let pon = pool.install(|| {
        pipeline::build_pon(
            &b.alignments,
            &panel,
            &reference,
            &b.common.filter(),
            threads,
            &index_dir,
            &|id| eprintln!("[puente pon] measured {id}"),
        )
    })?;
    puente::report::tsv::write_pon(&b.out, &pon)?;
    let n = pon.samples.len();
    if n < puente::call::cnv::pon::MIN_NORMALS {
        eprintln!(
            "[puente pon] warning: only {n} normals; at least {} are recommended for stable per-target spreads",
            puente::call::cnv::pon::MIN_NORMALS
        );
    }
    let sexes: Vec<&str> = pon.samples.iter().map(|s| s.sex.as_str()).collect();
    println!(
        "panel of normals for {} {} ({}): {n} normals ({} F, {} M), {} targets -> {}",
        pon.panel.name,
        pon.panel.version,
        pon.panel.build,
        sexes.iter().filter(|s| **s == "F").count(),
        sexes.iter().filter(|s| **s == "M").count(),
        pon.targets.len(),
        b.out.display()
    );
    Ok(0)
}
