//! Calls made from differently aligned BAMs of the same reads, for benches/compare_align.sh.
//! `align_accuracy OUT simulate DEPTH PER_CLASS VAF[,VAF..] CONTIG[,CONTIG..]`: plants random SNVs,
//! MNVs, indels and delins in the reportable regions of the contigs plus the DNA fusion benchmark set,
//! and writes OUT/ALN_R1/_R2.fastq.gz, the simulator's own BAM (OUT/ALN.bam) and the truth.
//! `align_accuracy OUT score BAM LABEL`: calls small variants and fusions on BAM and prints one row:
//! label, small-variant recall and precision, fusions detected.
use puente::call::fusion::{self, FusionOptions};
use puente::call::small::{self, CallOptions};
use puente::ingest::{AlignmentInput, Reference};
use puente::panel::Panel;
use puente::sim::{self, fusions, variants, SampleSpec};
use std::path::Path;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 4 {
        eprintln!(
            "usage: align_accuracy OUT simulate DEPTH PER_CLASS VAFS CONTIGS | OUT score BAM LABEL"
        );
        std::process::exit(2);
    }
    let out = Path::new(&a[1]);
    let panel = Panel::load("all-v1").expect("panel");
    let fa = out.join("ref.fa.gz");
    let truth_fusions = fusions::dna_set(&panel).expect("fusion set");
    if a[2] == "simulate" {
        let depth: f64 = a[3].parse().expect("DEPTH");
        let per_class: usize = a[4].parse().expect("PER_CLASS");
        let vafs: Vec<f64> = a[5].split(',').map(|x| x.parse().expect("VAF")).collect();
        let mut contigs: Vec<String> = a[6].split(',').map(String::from).collect();
        std::fs::create_dir_all(out).expect("out dir");
        let genome = sim::write_reference(&panel, &fa, 7, 1500).expect("reference");
        let regions: Vec<_> = small::calling_regions(&panel)
            .into_iter()
            .filter(|r| contigs.contains(&r.chrom))
            .collect();
        let truth = variants::random_variants(
            &genome,
            &regions,
            &variants::CLASSES,
            per_class,
            &vafs,
            150,
            11,
        );
        contigs.extend(
            truth_fusions
                .iter()
                .flat_map(|t| [t.first.0.clone(), t.second.0.clone()]),
        );
        contigs.sort();
        contigs.dedup();
        let mut spec = SampleSpec::new("ALN", 5);
        spec.depth = depth;
        spec.intron_depth_factor = 0.3;
        spec.tumor_fraction = 0.8;
        spec.contigs = contigs;
        spec.variants = truth;
        spec.fusions = truth_fusions.iter().map(|t| t.fusion.clone()).collect();
        sim::simulate_sample(&genome, &sim::sim_targets(&panel), &spec, out, true)
            .expect("simulate");
        return;
    }
    let bam = Path::new(&a[3]);
    let label = a.get(4).cloned().unwrap_or_default();
    let spec: SampleSpec =
        serde_json::from_str(&std::fs::read_to_string(out.join("ALN.truth.json")).expect("truth"))
            .expect("truth json");
    let genome = {
        let tmp = out.join("score-ref");
        std::fs::create_dir_all(&tmp).expect("temp dir");
        let g = sim::write_reference(&panel, &tmp.join("r.fa.gz"), 7, 1500).expect("reference");
        std::fs::remove_dir_all(&tmp).ok();
        g
    };
    let reference = Reference::open(&fa).expect("reference");
    let input = AlignmentInput::open(bam, Some(&reference), &out.join("index"), 2).expect("open");
    let calls = small::call(&input, &reference, &panel, &CallOptions::default()).expect("call");
    let acc = variants::score(&genome, &spec.variants, &calls.variants);
    let found: usize = acc.strata.iter().map(|s| s.found).sum();
    let total: usize = acc.strata.iter().map(|s| s.truth).sum();
    let f = fusion::call(&input, &reference, &panel, &FusionOptions::default()).expect("fusions");
    let (outcomes, _) = fusions::score(&truth_fusions, &f.calls);
    let detected = outcomes.iter().filter(|o| o.detected).count();
    let exact = outcomes.iter().filter(|o| o.exact).count();
    println!(
        "| {label} | {found}/{total} ({:.3}) | {:.4} | {detected}/{} | {exact}/{} |",
        found as f64 / total.max(1) as f64,
        acc.precision,
        outcomes.len(),
        outcomes.len()
    );
    for m in acc.missed.iter().take(10) {
        eprintln!("{label}: missed {m}");
    }
    for id in &acc.false_positives {
        if let Some(v) = calls.variants.iter().find(|v| &v.id == id) {
            eprintln!(
                "{label}: false call {id} vaf {} alt {}/{} strands {}+{} mapq {} bq {} readpos {} repeat {} qual {} source {}",
                v.vaf, v.alt_fragments, v.depth, v.alt_forward, v.alt_reverse, v.median_alt_mapq,
                v.median_alt_base_quality, v.median_alt_read_position, v.repeat_length, v.qual, v.source
            );
        }
    }
    for o in outcomes.iter().filter(|o| !o.detected) {
        eprintln!("{label}: fusion not detected {} {:?}", o.name, o.filters);
    }
}
