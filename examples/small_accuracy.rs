//! Small-variant accuracy on simulated panel data: plants random SNVs, MNVs, indels and delins at
//! the given VAFs in the reportable regions, simulates reads, calls, and prints recall by class and
//! VAF plus precision. Used by benches/compare_small.sh and to tune the caller:
//! `cargo run --release --example small_accuracy -- OUT_DIR DEPTH PER_CLASS VAF[,VAF..] [CONTIG,..] [long|haplotypes]`
//! (`long`: tandem duplications and 31-90 bp insertions, soft-clipped beyond 20 bp as aligners do;
//! `haplotypes`: simulate no reads, write the truth and one FASTA per VAF with that VAF's variants
//! applied, plus the unchanged sequence, for a public read simulator: benches/compare_small.sh).
use puente::call::small::{self, CallOptions};
use puente::ingest::{AlignmentInput, Reference};
use puente::model::Region;
use puente::panel::Panel;
use puente::sim::{self, variants, PlantedVariant, SampleSpec, SimGenome};
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
    let haplotypes = a.get(6).is_some_and(|s| s == "haplotypes");
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
    write_truth(out, &genome, &truth, &regions);
    if haplotypes {
        write_haplotypes(out, &genome, &truth, &regions, &vafs);
        return;
    }
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
    std::fs::write(
        out.join("accuracy.json"),
        serde_json::to_vec_pretty(&acc).unwrap(),
    )
    .unwrap();
}

/// For benches/compare_small.sh: the normalized truth and the calling regions.
fn write_truth(out: &Path, genome: &SimGenome, truth: &[PlantedVariant], regions: &[Region]) {
    let mut t = String::from("id\tclass\tvaf\n");
    for v in truth {
        if let Some(id) = variants::normalized_id(genome, v) {
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
}

/// The reference's sequence windows that hold a calling region, as `hap_ref.fa`, and the same
/// windows with the variants of each VAF applied, as `hap_<vaf>.fa` (sequence names
/// `contig:start0`). Reads drawn from them in proportion to the VAFs give each variant its VAF.
fn write_haplotypes(
    out: &Path,
    genome: &SimGenome,
    truth: &[PlantedVariant],
    regions: &[Region],
    vafs: &[f64],
) {
    // each calling region with 400 bases either side (room for 300-base fragments), merged
    const PAD: u64 = 400;
    let mut windows: Vec<(&str, u64, &[u8])> = Vec::new();
    for r in regions {
        let Some(ws) = genome.windows.get(&r.chrom) else {
            continue;
        };
        let Some((w0, seq)) = ws
            .iter()
            .find(|(w0, seq)| *w0 <= r.start && r.end <= w0 + seq.len() as u64)
        else {
            continue;
        };
        let a = r.start.saturating_sub(PAD).max(*w0);
        let b = (r.end + PAD).min(w0 + seq.len() as u64);
        match windows.last_mut() {
            Some((c, s0, s)) if *c == r.chrom && a <= *s0 + s.len() as u64 => {
                *s = &seq[(*s0 - w0) as usize..(b - w0) as usize];
            }
            _ => windows.push((&r.chrom, a, &seq[(a - w0) as usize..(b - w0) as usize])),
        }
    }
    let fasta = |name: &str, apply: &dyn Fn(&str, u64, &mut Vec<u8>)| {
        let mut f = String::new();
        for (chrom, start, seq) in &windows {
            let mut s = seq.to_vec();
            apply(chrom, *start, &mut s);
            f += &format!(">{chrom}:{start}\n");
            for line in s.chunks(80) {
                f += std::str::from_utf8(line).unwrap();
                f.push('\n');
            }
        }
        std::fs::write(out.join(name), f).unwrap();
    };
    fasta("hap_ref.fa", &|_, _, _| {});
    for &vaf in vafs {
        fasta(&format!("hap_{vaf}.fa"), &|chrom, start, seq| {
            // right to left, so earlier offsets stay valid
            let end = start + seq.len() as u64;
            let mut here: Vec<&PlantedVariant> = truth
                .iter()
                .filter(|v| v.vaf == vaf && v.chrom == chrom && v.pos > start && v.pos <= end)
                .collect();
            here.sort_by_key(|v| std::cmp::Reverse(v.pos));
            for v in here {
                let i = (v.pos - 1 - start) as usize;
                let r = v.reference.as_bytes();
                assert_eq!(
                    &seq[i..i + r.len()],
                    r,
                    "truth reference at {}:{}",
                    v.chrom,
                    v.pos
                );
                seq.splice(i..i + r.len(), v.alt.bytes());
            }
        });
    }
}
