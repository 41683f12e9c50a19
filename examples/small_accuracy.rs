//! Small-variant accuracy on simulated panel data: plants random SNVs, MNVs, indels and delins at
//! the given VAFs in the reportable regions, simulates reads, calls, and prints recall by class and
//! VAF plus precision. Used by benches/compare.sh and to tune the caller:
//! `cargo run --release --example small_accuracy -- OUT_DIR DEPTH PER_CLASS VAF[,VAF..] [CONTIG,..] [long]`
//! (`long`: tandem duplications and 31-90 bp insertions, soft-clipped beyond 20 bp as aligners do).
use puente::call::small::{self, CallOptions};
use puente::ingest::{AlignmentInput, Reference};
use puente::panel::Panel;
use puente::sim::{self, variants, SampleSpec};
use std::path::Path;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let out = Path::new(&a[1]);
    let depth: f64 = a[2].parse().unwrap();
    let per_class: usize = a[3].parse().unwrap();
    let vafs: Vec<f64> = a[4].split(',').map(|x| x.parse().unwrap()).collect();
    let contigs: Vec<String> = a
        .get(5)
        .filter(|s| s.as_str() != "all")
        .map(|s| s.split(',').map(String::from).collect())
        .unwrap_or_default();
    let long = a.get(6).is_some_and(|s| s == "long");
    let classes: &[&str] = if long {
        &variants::LONG_CLASSES
    } else {
        &variants::CLASSES
    };
    let panel = Panel::load("all-v1").unwrap();
    std::fs::create_dir_all(out).unwrap();
    let fa = out.join("ref.fa.gz");
    let genome = sim::write_reference(&panel, &fa, 7, 1500).unwrap();
    let regions: Vec<_> = small::calling_regions(&panel)
        .into_iter()
        .filter(|r| contigs.is_empty() || contigs.contains(&r.chrom))
        .collect();
    let truth = variants::random_variants(&genome, &regions, classes, per_class, &vafs, 150, 11);
    let mut spec = SampleSpec::new("ACC", 5);
    spec.depth = depth;
    spec.contigs = contigs.clone();
    spec.variants = truth.clone();
    if long {
        spec.max_aligned_insertion = Some(20);
    }
    let t0 = std::time::Instant::now();
    let bam = sim::simulate_sample(&genome, &sim::sim_targets(&panel), &spec, out, false).unwrap();
    eprintln!(
        "simulated {} variants in {:.1}s",
        truth.len(),
        t0.elapsed().as_secs_f64()
    );
    let reference = Reference::open(&fa).unwrap();
    let input = AlignmentInput::open(&bam, Some(&reference), &out.join("index"), 2).unwrap();
    let t0 = std::time::Instant::now();
    let calls = small::call(&input, &reference, &panel, &CallOptions::default()).unwrap();
    eprintln!("called in {:.1}s", t0.elapsed().as_secs_f64());
    let acc = variants::score(&genome, &truth, &calls.variants);
    println!("class\tvaf\ttruth\tfound\trecall");
    for s in &acc.strata {
        println!(
            "{}\t{}\t{}\t{}\t{:.3}",
            s.class, s.vaf, s.truth, s.found, s.recall
        );
    }
    println!(
        "passing calls {}  true positives {}  precision {:.4}",
        acc.passing_calls, acc.true_positives, acc.precision
    );
    for m in acc.missed.iter().take(30) {
        let call = calls.variants.iter().find(|c| m.starts_with(&c.id));
        println!(
            "missed {m} {:?}",
            call.map(|c| (&c.filters, c.alt_fragments, c.depth))
        );
    }
    for fp in acc.false_positives.iter().take(30) {
        let c = calls.variants.iter().find(|c| &c.id == fp).unwrap();
        println!(
            "false positive {fp} alt {} depth {} qual {} kind {:?}",
            c.alt_fragments, c.depth, c.qual, c.kind
        );
    }
    // for benches/compare_small.sh: normalized truth and the calling regions
    let mut t = String::from("id\tclass\tvaf\n");
    for v in &truth {
        if let Some(id) = variants::normalized_id(&genome, v) {
            let class = v.label.split_whitespace().next().unwrap_or("other");
            t += &format!("{id}\t{class}\t{}\n", v.vaf);
        }
    }
    std::fs::write(out.join("truth.tsv"), t).unwrap();
    let bed: String = regions
        .iter()
        .map(|r| format!("{}\t{}\t{}\n", r.chrom, r.start, r.end))
        .collect();
    std::fs::write(out.join("regions.bed"), bed).unwrap();
    std::fs::write(
        out.join("accuracy.json"),
        serde_json::to_vec_pretty(&acc).unwrap(),
    )
    .unwrap();
}
