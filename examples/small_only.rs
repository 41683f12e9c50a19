//! Small-variant calling alone on one BAM (benches/compare_small.sh times it against bcftools and
//! freebayes): `small_only BAM REFERENCE THREADS OUT.tsv` writes `chrom pos ref alt filter` per call.
use puente::call::small::{self, CallOptions};
use puente::ingest::{AlignmentInput, Reference};
use puente::panel::Panel;
use std::io::Write;
use std::path::Path;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let threads: usize = a[3].parse().unwrap();
    let panel = Panel::load("all-v1").unwrap();
    let reference = Reference::open(Path::new(&a[2])).unwrap();
    let tmp = std::env::temp_dir().join("puente-small-only-index");
    let input = AlignmentInput::open(Path::new(&a[1]), Some(&reference), &tmp, 1).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let calls = pool
        .install(|| small::call(&input, &reference, &panel, &CallOptions::default()))
        .unwrap();
    let mut f = std::io::BufWriter::new(std::fs::File::create(&a[4]).unwrap());
    for v in &calls.variants {
        let filter = if v.passes() {
            "PASS".to_string()
        } else {
            v.filters.join(";")
        };
        writeln!(
            f,
            "{}\t{}\t{}\t{}\t{filter}",
            v.chrom, v.pos, v.reference, v.alt
        )
        .unwrap();
    }
}
