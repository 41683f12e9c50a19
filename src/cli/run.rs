use super::Common;
use puente::{ingest::Reference, model::SampleInfo, panel::Panel, pipeline};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Coordinate-sorted BAM.
    #[arg(long, conflicts_with_all = ["cram", "fastq1"], required_unless_present_any = ["cram", "fastq1"])]
    bam: Option<PathBuf>,
    /// Coordinate-sorted CRAM (needs --reference).
    #[arg(long, conflicts_with = "fastq1")]
    cram: Option<PathBuf>,
    /// Paired-end FASTQ, read 1 (plain or gzipped): aligned with the embedded minimap2 into
    /// OUT/SAMPLE_ID/SAMPLE_ID.bam first.
    #[arg(long, requires = "fastq2")]
    fastq1: Option<PathBuf>,
    /// Paired-end FASTQ, read 2.
    #[arg(long, requires = "fastq1")]
    fastq2: Option<PathBuf>,
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
    clinical: Clinical,
    #[command(flatten)]
    common: Common,
}

/// Clinical inputs for the risk rules (all optional: a missing one makes the groups that need it
/// provisional, never guessed).
#[derive(clap::Args, Clone, Default)]
pub struct Clinical {
    /// Laboratory that sequenced the sample (names it in paired-lab concordance).
    #[arg(long)]
    pub lab_id: Option<String>,
    /// Hospital treating the child (registry statistics group by it).
    #[arg(long)]
    pub hospital: Option<String>,
    /// Date the sample was collected, YYYY-MM-DD.
    #[arg(long, value_parser = parse_date)]
    pub collection_date: Option<String>,
    /// Date the lab received the sample, YYYY-MM-DD (turnaround runs from it to the analysis date).
    #[arg(long, value_parser = parse_date)]
    pub received_date: Option<String>,
    /// Immunophenotype: B or T.
    #[arg(long, value_parser = ["B", "T"])]
    pub lineage: Option<String>,
    /// Age at diagnosis in years.
    #[arg(long, value_parser = parse_age)]
    pub age_years: Option<f64>,
    /// White-cell count at diagnosis, cells/µL.
    #[arg(long, value_parser = parse_wbc)]
    pub wbc_per_ul: Option<f64>,
    #[arg(long, value_parser = ["CNS1", "CNS2", "CNS3"])]
    pub cns_status: Option<String>,
    /// MRD at day 15 as a fraction (0.01 = 1%).
    #[arg(long, value_parser = parse_fraction)]
    pub mrd_day15: Option<f64>,
    /// MRD at the end of induction as a fraction.
    #[arg(long, value_parser = parse_fraction)]
    pub mrd_eoi: Option<f64>,
}

impl Clinical {
    /// Overlay the given values on `s`.
    pub fn apply(&self, s: &mut SampleInfo) {
        let c = self.clone();
        s.lab_id = c.lab_id.or(s.lab_id.take());
        s.hospital = c.hospital.or(s.hospital.take());
        s.collection_date = c.collection_date.or(s.collection_date.take());
        s.received_date = c.received_date.or(s.received_date.take());
        s.lineage = c.lineage.or(s.lineage.take());
        s.age_years = c.age_years.or(s.age_years);
        s.wbc_per_ul = c.wbc_per_ul.or(s.wbc_per_ul);
        s.cns_status = c.cns_status.or(s.cns_status.take());
        s.mrd_day15 = c.mrd_day15.or(s.mrd_day15);
        s.mrd_eoi = c.mrd_eoi.or(s.mrd_eoi);
    }
}

fn parse_date(s: &str) -> Result<String, String> {
    puente::util::parse_date(s)
        .map(|_| s.trim().to_string())
        .ok_or_else(|| format!("{s:?} is not a date written YYYY-MM-DD"))
}

fn parse_age(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=30.0).contains(&x) => Ok(x),
        _ => Err(format!("{s:?} is not an age in years between 0 and 30")),
    }
}

fn parse_wbc(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=2.0e6).contains(&x) => Ok(x),
        _ => Err(format!(
            "{s:?} is not a white-cell count per µL (0 to 2,000,000)"
        )),
    }
}

pub fn exec(a: Args) -> anyhow::Result<i32> {
    let panel = Panel::load(&a.panel)?;
    let reference = Reference::open(&a.reference)?;
    pipeline::check_reference(&reference, &panel)?;
    let rref = pipeline::reference_ref(&reference, &panel, &panel.manifest.panel.build, &a.out)?;
    let input = match (a.bam.or(a.cram), a.fastq1, a.fastq2) {
        (Some(p), ..) => pipeline::SampleInput::Alignment(p),
        (None, Some(r1), Some(r2)) => pipeline::SampleInput::Fastq { r1, r2 },
        _ => anyhow::bail!("give --bam, --cram or --fastq1 with --fastq2"),
    };
    if let Some(p) = &a.common.pon {
        pipeline::load_pon(p, &panel)?;
    }
    if let Some(p) = &a.common.transcripts {
        pipeline::load_transcripts(p, &panel, &reference)?;
    }
    if let Some(p) = &a.common.rules {
        pipeline::load_rules(p, &panel)?;
    }
    let mut sample = SampleInfo {
        sample_id: a.sample_id.clone(),
        library: a.library,
        sex: a.sex,
        tumor_fraction: a.tumor_fraction,
        ..Default::default()
    };
    a.clinical.apply(&mut sample);
    let opts = pipeline::RunOptions {
        input,
        index_dir: a.common.index_dir(),
        sample,
        out_dir: a.out.join(&a.sample_id),
        threads: a.common.threads.max(1),
        filter: a.common.filter(),
        command_line: super::command_line(),
        pon: a.common.pon.clone(),
        transcripts: a.common.transcripts.clone(),
        rules: a.common.rules.clone(),
        lang: a.common.lang(),
        analysis_date: Some(puente::util::analysis_date()),
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
