use anyhow::Context;
use puente::{panel::Panel, sim};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Output directory (reference.fa.gz, <sample>.bam, truth files).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value = "all-v1")]
    panel: String,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Simulate the demo cohort (otherwise one lesion-free sample).
    #[arg(long)]
    cohort: bool,
    /// Sample specification(s) as JSON (see SampleSpec in the docs); repeatable.
    #[arg(long)]
    spec: Vec<PathBuf>,
    /// Mean exon depth of the lesion-free sample.
    #[arg(long, default_value_t = 400.0)]
    depth: f64,
    /// Also write FASTQ pairs.
    #[arg(long)]
    fastq: bool,
    /// Reuse an existing simulated reference instead of writing one.
    #[arg(long)]
    reuse_reference: bool,
}

pub fn exec(a: Args) -> anyhow::Result<i32> {
    let panel = Panel::load(&a.panel)?;
    let genome = puente_sim_reference(&panel, &a.out, a.seed, a.reuse_reference)?;
    let mut specs = Vec::new();
    for p in &a.spec {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        specs.push(
            serde_json::from_str::<sim::SampleSpec>(&text)
                .with_context(|| format!("{}: not a sample spec", p.display()))?,
        );
    }
    if a.cohort {
        specs.extend(sim::demo_cohort(&panel, a.seed)?);
    }
    if specs.is_empty() {
        let mut s = sim::SampleSpec::new("SIM-01", a.seed);
        s.depth = a.depth;
        specs.push(s);
    }
    let mut sheet = String::from("sample_id,lab_id,bam,tumor_fraction\n");
    for s in &specs {
        let bam = sim::simulate_sample(&genome, &sim::sim_targets(&panel), s, &a.out, a.fastq)?;
        sheet.push_str(&format!(
            "{},{},{},{}\n",
            s.sample_id,
            s.lab_id,
            bam.file_name().unwrap_or_default().to_string_lossy(),
            s.tumor_fraction
        ));
        println!("{}", bam.display());
    }
    puente::util::write_atomic(&a.out.join("samplesheet.csv"), sheet.as_bytes())?;
    Ok(0)
}

/// Write (or reuse) the sparse reference in `out`.
pub fn puente_sim_reference(
    panel: &Panel,
    out: &std::path::Path,
    seed: u64,
    reuse: bool,
) -> anyhow::Result<sim::SimGenome> {
    std::fs::create_dir_all(out)?;
    let path = out.join("reference.fa.gz");
    if reuse && path.is_file() {
        // regenerate in memory only (deterministic), without rewriting the file
        let tmp = tempdir_in(out)?;
        let g = sim::write_reference(panel, &tmp.join("r.fa.gz"), seed, 1500)?;
        std::fs::remove_dir_all(&tmp).ok();
        return Ok(g);
    }
    Ok(sim::write_reference(panel, &path, seed, 1500)?)
}

fn tempdir_in(out: &std::path::Path) -> anyhow::Result<PathBuf> {
    let p = out.join(format!(".tmp-ref-{}", std::process::id()));
    std::fs::create_dir_all(&p)?;
    Ok(p)
}
