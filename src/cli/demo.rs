use puente::{batch, ingest::Reference, panel::Panel, sim};
use std::path::PathBuf;
use std::time::Instant;

/// Simulated normals behind the demo's panel of normals (a real assay should use 10 or more).
const DEMO_NORMALS: usize = 6;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the simulated data and results.
    #[arg(long, default_value = "puente-demo")]
    out: PathBuf,
    #[arg(long, default_value_t = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))]
    threads: usize,
    /// Also write each sample's reads as paired FASTQ (data/<sample>_R1/_R2.fastq.gz), to try
    /// FASTQ input and the cluster workflow.
    #[arg(long)]
    fastq: bool,
}

pub fn exec(a: Args) -> anyhow::Result<i32> {
    let t0 = Instant::now();
    let panel = Panel::load("all-v1")?;
    let data = a.out.join("data");
    eprintln!(
        "[puente demo] simulating a sparse GRCh38 reference and 3 samples in {} ...",
        data.display()
    );
    let genome = super::simulate::puente_sim_reference(&panel, &data, 42, false)?;
    let specs = sim::demo_cohort(&panel, 42)?;
    let mut sheet = String::from(
        "sample_id,lab_id,hospital,collection_date,received_date,bam,tumor_fraction,lineage,age_years,wbc_per_ul,cns_status,mrd_day15,mrd_eoi\n",
    );
    // treating hospital and dates (registry statistics, turnaround)
    let origin = [
        "HOSP-DEMO-A,2026-11-02,2026-11-03",
        "HOSP-DEMO-A,2026-11-04,2026-11-05",
        "HOSP-DEMO-B,2026-11-05,2026-11-09",
    ];
    // clinical values for the risk rules: DEMO-02 still waits for its end-of-induction MRD
    let clinical = [
        "B,12,80000,CNS1,0.05,",
        "B,4,12000,CNS1,0.002,",
        "B,6,30000,CNS1,,",
    ];
    for (k, s) in specs.iter().enumerate() {
        let bam = sim::simulate_sample(&genome, &sim::sim_targets(&panel), s, &data, a.fastq)?;
        sheet.push_str(&format!(
            "{},{},{},{},{},{}\n",
            s.sample_id,
            s.lab_id,
            origin.get(k).copied().unwrap_or(",,"),
            bam.display(),
            s.tumor_fraction,
            clinical.get(k).copied().unwrap_or(",,,,,")
        ));
    }
    // normals of the same assay for the copy-number panel of normals (lower depth keeps the demo
    // quick; the PoN accounts for its sampling noise)
    let normals_dir = data.join("normals");
    let mut normals = Vec::new();
    for i in 0..DEMO_NORMALS {
        let spec = sim::cnv::plain(&format!("NORMAL-{:02}", i + 1), 900 + i as u64, 150.0);
        normals.push(sim::simulate_sample(
            &genome,
            &sim::sim_targets(&panel),
            &spec,
            &normals_dir,
            false,
        )?);
    }
    let sheet_path = a.out.join("samplesheet.csv");
    puente::util::write_atomic(&sheet_path, sheet.as_bytes())?;
    eprintln!(
        "[puente demo] data ready in {:.0} s; running the batch ...",
        t0.elapsed().as_secs_f64()
    );
    let rows = batch::read_samplesheet(&sheet_path)?;
    let reference = Reference::open(&data.join("reference.fa.gz"))?;
    let results = a.out.join("results");
    std::fs::create_dir_all(&results)?;
    let pon_path = results.join("pon.tsv");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.threads.max(1))
        .build()?;
    let pon = pool.install(|| {
        puente::pipeline::build_pon(
            &normals,
            &panel,
            &reference,
            &Default::default(),
            a.threads.max(1),
            &normals_dir.join("index"),
            &|_| {},
        )
    })?;
    puente::report::tsv::write_pon(&pon_path, &pon)?;
    eprintln!(
        "[puente demo] panel of normals from {DEMO_NORMALS} simulated normals: {}",
        pon_path.display()
    );
    let opts = batch::BatchOptions {
        out: results.clone(),
        threads: a.threads,
        filter: Default::default(),
        command_line: super::command_line(),
        pon: Some(pon_path.clone()),
        transcripts: None,
        rules: None,
        lang: puente::report::i18n::Lang::Es,
        analysis_date: Some(puente::util::analysis_date()),
        index_dir: puente::ingest::align::index::default_dir(),
        summary_only: false,
    };
    let summary = batch::run(&rows, &panel, &reference, &opts)?;
    println!(
        "puente demo finished in {:.0} s",
        t0.elapsed().as_secs_f64()
    );
    println!(
        "  planted lesions (truth):  {}/*.truth.json",
        data.display()
    );
    println!(
        "  per-sample results:       {}/<sample>/report.json, report.html, report.fhir.json, variants.vcf.gz, fusions.tsv, cnv.tsv, cnv.html, sv.vcf.gz, qc.json",
        results.display()
    );
    println!(
        "  batch summary:            {}",
        results.join("batch_summary.tsv").display()
    );
    for s in &summary.samples {
        println!(
            "  {:<8} QC {:<5} mean exon depth {:>5.0}x",
            s.sample_id,
            s.verdict
                .map(|v| format!("{v:?}").to_lowercase())
                .unwrap_or_default(),
            s.mean_exon_depth.unwrap_or(0.0)
        );
    }
    Ok(0)
}
