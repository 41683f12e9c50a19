use puente::ingest::align::{self, index::Preset};
use puente::ingest::Reference;
use puente::model::ReadGroup;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Read 1 FASTQ (plain or gzipped).
    #[arg(long, required_unless_present = "index_only", requires = "fastq2")]
    fastq1: Option<PathBuf>,
    /// Read 2 FASTQ, same reads in the same order.
    #[arg(long, requires = "fastq1")]
    fastq2: Option<PathBuf>,
    /// Reference FASTA with .fai (bgzipped with .gzi accepted).
    #[arg(long)]
    reference: PathBuf,
    /// Sample name (read group SM).
    #[arg(long, required_unless_present = "index_only")]
    sample_id: Option<String>,
    /// Output BAM; the index is written beside it (.bai).
    #[arg(long, required_unless_present = "index_only")]
    out: Option<PathBuf>,
    /// dna: short-read preset (sr); rna: spliced short-read preset (splice:sr).
    #[arg(long, default_value = "dna", value_parser = ["dna", "rna"])]
    library: String,
    /// Sequencing lab (read group CN).
    #[arg(long)]
    lab_id: Option<String>,
    /// Read group ID (default: the sample ID).
    #[arg(long)]
    read_group_id: Option<String>,
    /// Library name (read group LB; default: the sample ID).
    #[arg(long)]
    library_id: Option<String>,
    /// Platform (read group PL).
    #[arg(long, default_value = "ILLUMINA")]
    platform: String,
    /// Index cache directory (default: $PUENTE_INDEX_DIR, else ~/.cache/puente/index).
    #[arg(long)]
    index_dir: Option<PathBuf>,
    /// Only build (or check) the cached index, e.g. once before a cluster run.
    #[arg(long)]
    index_only: bool,
    /// Read pairs sorted in memory at a time; more spill to temporary files beside the output.
    #[arg(long, default_value_t = align::DEFAULT_CHUNK_PAIRS)]
    chunk_pairs: usize,
    #[arg(long, default_value_t = super::default_threads())]
    threads: usize,
}

pub fn exec(a: Args) -> anyhow::Result<i32> {
    let reference = Reference::open(&a.reference)?;
    let preset = if a.library == "rna" {
        Preset::Rna
    } else {
        Preset::Dna
    };
    let index_dir = a.index_dir.unwrap_or_else(align::index::default_dir);
    let threads = a.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    if a.index_only {
        let ix =
            pool.install(|| align::index::open_or_build(&reference, preset, &index_dir, threads))?;
        println!(
            "{} index ({}, {} segments): {}",
            if ix.built { "built" } else { "cached" },
            preset.minimap2_name(),
            ix.segments.len(),
            ix.path.display()
        );
        return Ok(0);
    }
    let (Some(fastq1), Some(fastq2), Some(id), Some(out)) =
        (a.fastq1, a.fastq2, a.sample_id, a.out)
    else {
        anyhow::bail!("give --fastq1, --fastq2, --sample-id and --out");
    };
    let opts = align::AlignOptions {
        fastq1,
        fastq2,
        out: out.clone(),
        read_group: ReadGroup {
            id: a.read_group_id.unwrap_or_else(|| id.clone()),
            sample: Some(id.clone()),
            library: Some(a.library_id.unwrap_or_else(|| id.clone())),
            center: a.lab_id,
            platform: Some(a.platform),
        },
        preset,
        index_dir,
        threads,
        command_line: super::command_line(),
        chunk_pairs: a.chunk_pairs.max(1),
    };
    let s = pool.install(|| align::align(&opts, &reference))?;
    let pct = |n: u64, d: u64| 100.0 * n as f64 / d.max(1) as f64;
    println!(
        "{id}: {} pairs, {:.1}% reads mapped, {:.1}% proper pairs, {:.1}% duplicate fragments, {} supplementary -> {}",
        s.pairs,
        pct(s.mapped_reads, 2 * s.pairs),
        pct(s.proper_pairs, s.pairs),
        pct(s.duplicate_fragments, s.pairs),
        s.supplementary,
        out.display()
    );
    Ok(0)
}
