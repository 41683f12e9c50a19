//! Copy-number accuracy on a simulated cohort: builds a panel of normals from simulated normals,
//! then calls lesion-negative samples, samples carrying every focal lesion of the benchmark at each
//! tumour fraction, and a hyperdiploid and a near-haploid sample; prints tables by gene and tumour
//! fraction, false calls, and the ploidy signal. Used by benches/compare_cnv.sh:
//! `cargo run --release --example cnv_accuracy -- OUT_DIR [DEPTH] [NORMALS] [NEGATIVES] [TF,..]`
//! Writes OUT_DIR/<sample>.bam, pon.tsv, bins.bed (the copy-number bins), truth.json and
//! accuracy.json.
use puente::call::{cnv, small};
use puente::ingest::{AlignmentInput, Reference};
use puente::model::{CnvState, SampleInfo, VariantKind};
use puente::panel::Panel;
use puente::sim::{self, cnv::CohortSample};
use std::path::Path;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 2 {
        eprintln!("usage: cnv_accuracy OUT_DIR [DEPTH] [NORMALS] [NEGATIVES] [TF,..]");
        std::process::exit(2);
    }
    let out = Path::new(&a[1]);
    let depth: f64 = a.get(2).map_or(420.0, |s| s.parse().expect("DEPTH"));
    let normals: usize = a.get(3).map_or(20, |s| s.parse().expect("NORMALS"));
    let negatives: usize = a.get(4).map_or(20, |s| s.parse().expect("NEGATIVES"));
    let tfs: Vec<f64> = a
        .get(5)
        .map_or("0.3,0.5,0.8", |s| s.as_str())
        .split(',')
        .map(|x| x.parse().expect("TF"))
        .collect();
    let panel = Panel::load("all-v1").expect("panel");
    std::fs::create_dir_all(out).expect("out dir");
    let fa = out.join("ref.fa.gz");
    let genome = sim::write_reference(&panel, &fa, 7, 1500).expect("reference");
    let reference = Reference::open(&fa).expect("reference");
    let (pon_specs, tests) =
        sim::cnv::cohort(&panel, 77, depth, normals, negatives, &tfs).expect("cohort");
    std::fs::write(
        out.join("truth.json"),
        serde_json::to_vec_pretty(&tests).unwrap(),
    )
    .unwrap();
    let targets = sim::sim_targets(&panel);
    let t0 = std::time::Instant::now();
    let simulate = |s: &sim::SampleSpec| {
        let bam = out.join(format!("{}.bam", s.sample_id));
        if !bam.with_extension("bam.bai").exists() {
            sim::simulate_sample(&genome, &targets, s, out, false).expect("simulate");
        }
        bam
    };
    let normal_bams: Vec<_> = pon_specs.iter().map(simulate).collect();
    eprintln!("normals simulated in {:.0}s", t0.elapsed().as_secs_f64());
    let idx = out.join("index");
    let filter = Default::default();
    let t1 = std::time::Instant::now();
    let pon =
        puente::pipeline::build_pon(&normal_bams, &panel, &reference, &filter, 2, &idx, &|_| {})
            .expect("pon");
    eprintln!(
        "panel of normals from {} normals in {:.1}s",
        normals,
        t1.elapsed().as_secs_f64()
    );
    puente::report::tsv::write_pon(&out.join("pon.tsv"), &pon).expect("write pon");
    let mut analysis = t1.elapsed().as_secs_f64();
    let bins = panel.cnv_bins();
    let bed: String = bins
        .iter()
        .map(|b| format!("{}\t{}\t{}\t{}\n", b.chrom, b.start, b.end, b.name))
        .collect();
    std::fs::write(out.join("bins.bed"), bed).expect("bins.bed");
    let gc = cnv::coverage::target_gc(&bins, &reference).expect("gc");
    let mut report = Vec::new();
    println!(
        "sample\tbaseline\tgene\texpected\ttf\tfound\texact_exons\tstate_ok\tcall\tlog2\tz\tcopies"
    );
    let mut false_calls: Vec<(String, String, String)> = Vec::new();
    let mut ploidy_rows = Vec::new();
    for CohortSample {
        spec,
        expected,
        ploidy,
    } in &tests
    {
        let bam = simulate(spec);
        let ts = std::time::Instant::now();
        let input = AlignmentInput::open(&bam, Some(&reference), &idx, 2).expect("open");
        let qc = puente::qc::run(&input, &panel, &filter, 2).expect("qc");
        let calls = small::call(&input, &reference, &panel, &Default::default()).expect("small");
        let snps: Vec<_> = calls
            .variants
            .iter()
            .chain(&calls.backbone_snps)
            .filter(|v| v.kind == VariantKind::Snv)
            .collect();
        let depths = cnv::coverage::bin_depths(&qc);
        let info = SampleInfo {
            sample_id: spec.sample_id.clone(),
            tumor_fraction: (spec.tumor_fraction > 0.0 && !expected.is_empty())
                .then_some(spec.tumor_fraction),
            ..Default::default()
        };
        for (baseline, src) in [
            (
                "pon",
                Some(cnv::PonSource {
                    pon: &pon,
                    path: "pon.tsv".into(),
                    sha256: String::new(),
                }),
            ),
            ("within_sample", None),
        ] {
            let ev = cnv::CnvEvidence {
                depths: &depths,
                gc: &gc,
                snps: &snps,
                junctions: &[],
            };
            let r = cnv::call(&panel, &ev, src, &info, &Default::default());
            let passing: Vec<_> = r
                .calls
                .iter()
                .filter(|c| {
                    c.passed() && !matches!(c.state, CnvState::Neutral | CnvState::NoCoverage)
                })
                .collect();
            let mut used = vec![false; passing.len()];
            for e in expected {
                let hit = passing.iter().position(|c| {
                    c.gene == e.gene
                        && c.state.is_loss() == e.state.is_loss()
                        && c.first_exon <= e.last_exon
                        && e.first_exon <= c.last_exon
                });
                if let Some(i) = hit {
                    used[i] = true;
                }
                let c = hit.map(|i| passing[i]);
                println!(
                    "{}\t{baseline}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    spec.sample_id,
                    e.gene,
                    e.label,
                    spec.tumor_fraction,
                    c.is_some(),
                    c.is_some_and(|c| c.first_exon == e.first_exon && c.last_exon == e.last_exon),
                    c.is_some_and(|c| c.state == e.state),
                    c.map_or(".".into(), |c| format!(
                        "{} {}",
                        c.state.name(),
                        c.exon_label()
                    )),
                    c.map_or(".".into(), |c| format!("{:.2}", c.log2)),
                    c.map_or(".".into(), |c| format!("{:.1}", c.z)),
                    c.and_then(|c| c.copy_number)
                        .map_or(".".into(), |x| format!("{x:.2}")),
                );
            }
            // pieces of a planted lesion are not false calls
            for (i, c) in passing.iter().enumerate() {
                let part = expected.iter().any(|e| {
                    c.gene == e.gene
                        && c.state.is_loss() == e.state.is_loss()
                        && c.first_exon <= e.last_exon
                        && e.first_exon <= c.last_exon
                });
                if !used[i] && !part {
                    false_calls.push((
                        spec.sample_id.clone(),
                        baseline.into(),
                        format!(
                            "{} {} {} log2 {:.2} z {:.1}",
                            c.gene,
                            c.state.name(),
                            c.exon_label(),
                            c.log2,
                            c.z
                        ),
                    ));
                }
            }
            analysis += if baseline == "pon" {
                ts.elapsed().as_secs_f64()
            } else {
                0.0
            };
            ploidy_rows.push(format!(
                "{}\t{baseline}\t{ploidy}\t{}\t{}\t{}\t{}",
                spec.sample_id,
                r.ploidy.pattern,
                r.ploidy.gained.join(","),
                r.ploidy.loh.join(","),
                r.noise
            ));
            report.push(serde_json::json!({
                "sample": spec.sample_id, "baseline": baseline, "expected": expected,
                "expected_ploidy": ploidy, "result": r,
            }));
        }
    }
    println!(
        "\nfalse calls (sample, baseline, call): {}",
        false_calls.len()
    );
    for f in &false_calls {
        println!("{}\t{}\t{}", f.0, f.1, f.2);
    }
    println!("\nsample\tbaseline\texpected_ploidy\tpattern\tgained\tloh\tnoise");
    for r in &ploidy_rows {
        println!("{r}");
    }
    std::fs::write(
        out.join("accuracy.json"),
        serde_json::to_vec_pretty(&report).unwrap(),
    )
    .unwrap();
    eprintln!(
        "puente_seconds {analysis:.1} (panel of normals + QC, SNP pileup and copy number of every test sample)"
    );
}
