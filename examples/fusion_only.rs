//! Call fusions on one BAM and print them as fusions.tsv rows (used to check BAMs from other
//! aligners, e.g. STAR or bwa mem on simulated reads): `fusion_only BAM REFERENCE [dna|rna]`.
use puente::call::fusion::{self, FusionOptions};
use puente::ingest::{AlignmentInput, Reference};
use puente::model::Library;
use puente::panel::Panel;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 3 {
        eprintln!("usage: fusion_only BAM REFERENCE [dna|rna]");
        std::process::exit(2);
    }
    let panel = Panel::load("all-v1").expect("panel");
    let reference = Reference::open(std::path::Path::new(&a[2])).expect("reference");
    let dir = std::env::temp_dir().join("puente-fusion-only");
    let input = AlignmentInput::open(std::path::Path::new(&a[1]), Some(&reference), &dir, 2)
        .expect("open BAM");
    let opts = FusionOptions {
        library: a.get(3).and_then(|l| Library::parse(l)),
        ..Default::default()
    };
    let t0 = std::time::Instant::now();
    let calls = fusion::call(&input, &reference, &panel, &opts).expect("call");
    eprintln!(
        "{} in {:.1}s; evidence {:?}; {} realigned clips; warnings {:?}",
        calls.library_source,
        t0.elapsed().as_secs_f64(),
        calls.evidence,
        calls.realigned_clips,
        calls.warnings
    );
    println!("name\tpos5\tpos3\texon5\texon3\tisoform\tframe\tsplit\tspanning\tmapq0\tfilters");
    for c in &calls.calls {
        println!(
            "{}\t{}:{}\t{}:{}\t{:?}\t{:?}\t{}\t{}\t{}\t{}\t{}\t{}",
            c.name,
            c.five_prime.chrom,
            c.five_prime.pos,
            c.three_prime.chrom,
            c.three_prime.pos,
            c.five_prime.exon,
            c.three_prime.exon,
            c.isoform.as_deref().unwrap_or("."),
            c.frame.name(),
            c.split_reads,
            c.spanning_pairs,
            c.mapq0_support,
            c.filters.join(";")
        );
    }
}
