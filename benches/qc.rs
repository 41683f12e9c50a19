//! Criterion benches for the hot paths: coverage QC over a simulated panel BAM, and read simulation.
//! Whole-tool comparisons against mosdepth/samtools live in benches/compare_qc.sh.
use criterion::{criterion_group, criterion_main, Criterion};
use puente::ingest::{reads::ReadFilter, AlignmentInput};
use puente::panel::Panel;
use puente::sim::{self, SampleSpec};

fn bench(c: &mut Criterion) {
    let panel = Panel::load("all-v1").unwrap();
    let dir = std::env::temp_dir().join("puente-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let genome = sim::write_reference(&panel, &dir.join("reference.fa.gz"), 1, 1500).unwrap();
    let mut spec = SampleSpec::new("B1", 2);
    spec.depth = 300.0;
    spec.contigs = vec!["chr7".into(), "chr9".into(), "chr12".into()];
    let targets = sim::sim_targets(&panel);
    let bam = sim::simulate_sample(&genome, &targets, &spec, &dir, false).unwrap();
    let input = AlignmentInput::open(&bam, None, &dir, 1).unwrap();
    let mut g = c.benchmark_group("qc");
    g.sample_size(10);
    g.bench_function("coverage_qc_3_contigs_300x", |b| {
        b.iter(|| puente::qc::run(&input, &panel, &ReadFilter::default(), 1).unwrap())
    });
    spec.contigs = vec!["chr12".into()];
    g.bench_function("simulate_chr12_300x", |b| {
        b.iter(|| sim::simulate_sample(&genome, &targets, &spec, &dir.join("s"), false).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
