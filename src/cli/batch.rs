use super::Common;
use puente::{batch, ingest::Reference, panel::Panel};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// CSV: sample_id,lab_id,hospital,collection_date,received_date,bam|cram|fastq_1+fastq_2,library,sex,lineage,age_years,wbc_per_ul,cns_status,mrd_day15,mrd_eoi,tumor_fraction
    samplesheet: PathBuf,
    #[arg(long)]
    reference: PathBuf,
    #[arg(long, default_value = "all-v1")]
    panel: String,
    #[arg(long)]
    out: PathBuf,
    /// Run nothing: write batch_summary.tsv/.json from the per-sample results already in OUT (after
    /// a cluster workflow ran each sample as its own `puente run` job).
    #[arg(long)]
    summary_only: bool,
    #[command(flatten)]
    common: Common,
}

pub fn exec(a: Args) -> anyhow::Result<i32> {
    let panel = Panel::load(&a.panel)?;
    let rows = batch::read_samplesheet(&a.samplesheet)?;
    let reference = Reference::open(&a.reference)?;
    let opts = batch::BatchOptions {
        out: a.out.clone(),
        threads: a.common.threads,
        filter: a.common.filter(),
        command_line: super::command_line(),
        pon: a.common.pon.clone(),
        transcripts: a.common.transcripts.clone(),
        rules: a.common.rules.clone(),
        lang: a.common.lang(),
        analysis_date: Some(puente::util::analysis_date()),
        index_dir: a.common.index_dir(),
        summary_only: a.summary_only,
    };
    let s = batch::run(&rows, &panel, &reference, &opts)?;
    println!(
        "{} samples done; summary in {}",
        s.samples.len(),
        a.out.join("batch_summary.tsv").display()
    );
    Ok(0)
}
