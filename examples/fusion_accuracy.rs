//! Fusion accuracy on simulated panel data: plants the benchmark fusion set (DNA intronic or RNA
//! exon-junction) at each tumour fraction, plus a fusion-negative sample, calls, and prints a table by
//! fusion and tumour fraction. Used by benches/compare_fusion.sh:
//! `cargo run --release --example fusion_accuracy -- OUT_DIR DEPTH TF[,TF..] [dna|rna] [nosa] [fastq]`
//! (DEPTH is the read depth on the breakpoint regions; `nosa` strips SA tags and supplementary
//! records, as some aligners leave them out; `fastq` also writes the reads for other aligners).
//! Writes OUT_DIR/<sample>.bam, truth.tsv (planted junctions) and accuracy.json.
use puente::call::fusion::{self, FusionOptions};
use puente::ingest::{AlignmentInput, Reference};
use puente::panel::Panel;
use puente::sim::{self, fusions, SampleSpec};
use std::path::Path;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 4 {
        eprintln!("usage: fusion_accuracy OUT_DIR DEPTH TF[,TF..] [dna|rna] [nosa]");
        std::process::exit(2);
    }
    let out = Path::new(&a[1]);
    let depth: f64 = a[2].parse().expect("DEPTH");
    let tfs: Vec<f64> = a[3].split(',').map(|x| x.parse().expect("TF")).collect();
    let rna = a.get(4).is_some_and(|s| s == "rna");
    let nosa = a.iter().any(|s| s == "nosa");
    let fastq = a.iter().any(|s| s == "fastq");
    let panel = Panel::load("all-v1").expect("panel");
    std::fs::create_dir_all(out).expect("out dir");
    let fa = out.join("ref.fa.gz");
    let genome = sim::write_reference(&panel, &fa, 7, 1500).expect("reference");
    let reference = Reference::open(&fa).expect("reference");
    let truth = if rna {
        fusions::rna_set(&panel)
    } else {
        fusions::dna_set(&panel)
    }
    .expect("truth set");
    let mut contigs: Vec<String> = truth
        .iter()
        .flat_map(|t| [t.first.0.clone(), t.second.0.clone()])
        .collect();
    contigs.sort();
    contigs.dedup();
    let mut truth_tsv = String::from("name\tchrom1\tpos1\tkept1\tchrom2\tpos2\tkept2\n");
    for t in &truth {
        truth_tsv += &format!(
            "{}\t{}\t{}\t{:?}\t{}\t{}\t{:?}\n",
            t.name, t.first.0, t.first.1, t.first.2, t.second.0, t.second.1, t.second.2
        );
    }
    std::fs::write(out.join("truth.tsv"), truth_tsv).expect("write truth.tsv");
    let mut report = Vec::new();
    println!("library\ttumour_fraction\tfusion\tplanted\tdetected\texact\tsplit\tspanning\tcall\tfilters");
    let mut samples: Vec<(String, f64)> = tfs.iter().map(|t| (format!("TF{t}"), *t)).collect();
    samples.push(("NEG".into(), 0.0));
    for (id, tf) in samples {
        let mut spec = SampleSpec::new(&id, 31);
        // read depth `depth` on breakpoint regions, a tenth... of it on exons is not needed: keep
        // exon depth at 2x the intronic depth to bound the run time
        spec.depth = depth * 2.0;
        spec.intron_depth_factor = 0.5;
        spec.tumor_fraction = tf;
        spec.contigs = contigs.clone();
        spec.rna = rna;
        if tf > 0.0 {
            spec.fusions = truth.iter().map(|t| t.fusion.clone()).collect();
        }
        let t0 = std::time::Instant::now();
        let mut bam = sim::simulate_sample(&genome, &sim::sim_targets(&panel), &spec, out, fastq)
            .expect("simulate");
        if nosa {
            bam = sim::strip_supplementary(&bam).expect("strip SA");
        }
        let sim_s = t0.elapsed().as_secs_f64();
        let input =
            AlignmentInput::open(&bam, Some(&reference), &out.join("index"), 2).expect("open");
        let t0 = std::time::Instant::now();
        let calls =
            fusion::call(&input, &reference, &panel, &FusionOptions::default()).expect("call");
        eprintln!(
            "{id}: simulated in {sim_s:.1}s, called in {:.1}s ({}; {} calls, {} realigned clips)",
            t0.elapsed().as_secs_f64(),
            calls.library_source,
            calls.calls.len(),
            calls.realigned_clips
        );
        let (outcomes, false_calls) =
            fusions::score(if tf > 0.0 { &truth } else { &[] }, &calls.calls);
        for o in &outcomes {
            println!(
                "{}\t{tf}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                if rna { "rna" } else { "dna" },
                o.name,
                o.planted,
                o.detected,
                o.exact,
                o.split_reads,
                o.spanning_pairs,
                o.called.as_deref().unwrap_or("-"),
                o.filters.join(",")
            );
        }
        for f in &false_calls {
            println!(
                "{}\t{tf}\tFALSE\t-\t-\t-\t{}\t{}\t{} {}:{}/{}:{}\t-",
                if rna { "rna" } else { "dna" },
                f.split_reads,
                f.spanning_pairs,
                f.name,
                f.five_prime.chrom,
                f.five_prime.pos,
                f.three_prime.chrom,
                f.three_prime.pos
            );
        }
        report.push(serde_json::json!({
            "sample": id, "tumour_fraction": tf, "outcomes": outcomes,
            "false_calls": false_calls.len(), "calls": calls.calls,
        }));
    }
    std::fs::write(
        out.join("accuracy.json"),
        serde_json::to_string_pretty(&report).expect("json"),
    )
    .expect("write accuracy.json");
}
