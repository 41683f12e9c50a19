//! QC stage alone on one BAM (used by benches/compare_qc.sh to time QC against mosdepth and samtools):
//! `cargo run --release --example qc_only -- BAM THREADS OUT.tsv`
//! writes `chrom start end name mean` per capture target.
use puente::ingest::{reads::ReadFilter, AlignmentInput};
use puente::panel::Panel;
use std::io::Write;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (bam, threads, out) = (
        Path::new(&args[1]),
        args[2].parse::<usize>().unwrap(),
        &args[3],
    );
    let panel = Panel::load("all-v1").unwrap();
    let tmp = std::env::temp_dir().join("puente-qc-only-index");
    let input = AlignmentInput::open(bam, None, &tmp, threads).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let qc = pool
        .install(|| puente::qc::run(&input, &panel, &ReadFilter::default(), threads))
        .unwrap();
    let mut f = std::io::BufWriter::new(std::fs::File::create(out).unwrap());
    for t in &qc.targets {
        writeln!(
            f,
            "{}\t{}\t{}\t{}\t{:.2}",
            t.chrom, t.start, t.end, t.name, t.depth.mean
        )
        .unwrap();
    }
}
