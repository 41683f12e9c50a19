//! Simulator tier for the fusion caller: the DNA benchmark set (every strand combination, a PAR1
//! deletion, IGH enhancer fusions) at 5% tumour fraction with ~5 supporting fragments each, called
//! to the base with the right partner order; no call on a fusion-negative sample; the same calls
//! with any thread count; SA tags stripped (soft-clip realignment) and unpaired reads; the RNA set
//! with exon-junction breakpoints, exons, isoform and frame.
use puente::call::fusion::{self, FusionCalls, FusionOptions};
use puente::ingest::{AlignmentInput, Reference};
use puente::model::{Frame, FusionStatus, Library};
use puente::panel::Panel;
use puente::sim::{self, fusions, SampleSpec};
use rust_htslib::bam::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

struct World {
    dir: PathBuf,
    panel: Panel,
    genome: sim::SimGenome,
    reference: Reference,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let panel = Panel::load("all-v1").unwrap();
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fusions");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let fa = dir.join("ref.fa.gz");
        let genome = sim::write_reference(&panel, &fa, 7, 1500).unwrap();
        let reference = Reference::open(&fa).unwrap();
        World {
            dir,
            panel,
            genome,
            reference,
        }
    })
}

fn contigs(truth: &[fusions::Expected]) -> Vec<String> {
    let mut c: Vec<String> = truth
        .iter()
        .flat_map(|t| [t.first.0.clone(), t.second.0.clone()])
        .collect();
    c.sort();
    c.dedup();
    c
}

/// Simulate `id` with the truth planted at `tf` (none when 0): read depth 100 on the breakpoint
/// regions (the 10% of 1000x exon depth a capture panel gives introns).
fn simulate(id: &str, truth: &[fusions::Expected], tf: f64, rna: bool) -> PathBuf {
    let w = world();
    let mut spec = SampleSpec::new(id, 31);
    spec.depth = 200.0;
    spec.intron_depth_factor = 0.5;
    spec.tumor_fraction = tf;
    spec.contigs = contigs(truth);
    spec.rna = rna;
    if tf > 0.0 {
        spec.fusions = truth.iter().map(|t| t.fusion.clone()).collect();
    }
    sim::simulate_sample(&w.genome, &sim::sim_targets(&w.panel), &spec, &w.dir, false).unwrap()
}

fn call(bam: &Path, threads: usize) -> FusionCalls {
    let w = world();
    let input = AlignmentInput::open(bam, Some(&w.reference), &w.dir.join("index"), 1).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| fusion::call(&input, &w.reference, &w.panel, &FusionOptions::default()))
        .unwrap()
}

struct Dna {
    truth: Vec<fusions::Expected>,
    bam: PathBuf,
    calls: FusionCalls,
}

fn dna() -> &'static Dna {
    static D: OnceLock<Dna> = OnceLock::new();
    D.get_or_init(|| {
        let truth = fusions::dna_set(&world().panel).unwrap();
        let bam = simulate("DNA05", &truth, 0.05, false);
        let calls = call(&bam, 2);
        Dna { truth, bam, calls }
    })
}

fn assert_all_found(truth: &[fusions::Expected], calls: &FusionCalls, what: &str) {
    let (outcomes, false_calls) = fusions::score(truth, &calls.calls);
    for o in &outcomes {
        assert!(
            o.detected && o.exact,
            "{what}: {} at {} not called exactly: {o:?}",
            o.name,
            o.planted
        );
        assert!(o.split_reads + o.spanning_pairs >= 3, "{what}: {o:?}");
    }
    assert!(
        false_calls.is_empty(),
        "{what}: false calls {false_calls:?}"
    );
}

#[test]
fn dna_fusions_at_five_percent_are_called_to_the_base() {
    let d = dna();
    assert_eq!(d.calls.library, Library::Dna);
    assert_all_found(&d.truth, &d.calls, "DNA 5%");
    // known pairs are ranked first and their panel targets say detected
    assert!(d.calls.calls.iter().take(9).all(|c| c.known));
    for name in ["BCR::ABL1", "ETV6::RUNX1", "P2RY8::CRLF2", "IGH::DUX4"] {
        let t = d.calls.targets.iter().find(|t| t.name == name).unwrap();
        assert_eq!(t.status, FusionStatus::Detected, "{t:?}");
    }
    // a target whose partners are covered but carry no fusion is a negative with a limit
    let t = d
        .calls
        .targets
        .iter()
        .find(|t| t.name == "ETV6::ABL1")
        .unwrap();
    assert_eq!(t.status, FusionStatus::NotDetected, "{t:?}");
    let lod = t.limit_of_detection.unwrap();
    assert!(lod > 0.02 && lod < 0.2, "{t:?}");
    // both BCR::ABL1 isoforms are named
    let iso: Vec<&str> = d
        .calls
        .calls
        .iter()
        .filter(|c| c.name == "BCR::ABL1")
        .filter_map(|c| c.isoform.as_deref())
        .collect();
    assert!(
        iso.contains(&"e1a2 (p190)") && iso.contains(&"e13a2 (p210)"),
        "{iso:?}"
    );
}

#[test]
fn fusion_negative_sample_has_no_call() {
    let truth = fusions::dna_set(&world().panel).unwrap();
    let bam = simulate("DNANEG", &truth, 0.0, false);
    let calls = call(&bam, 2);
    let passing: Vec<_> = calls.calls.iter().filter(|c| c.passes()).collect();
    assert!(passing.is_empty(), "{passing:?}");
    assert!(calls
        .targets
        .iter()
        .filter(|t| t.gene5 == "BCR")
        .all(|t| t.status == FusionStatus::NotDetected));
}

#[test]
fn calls_do_not_depend_on_thread_count() {
    let d = dna();
    let one = call(&d.bam, 1);
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        serde_json::to_string(&d.calls).unwrap()
    );
}

#[test]
fn without_sa_tags_soft_clips_are_realigned_and_labelled() {
    let d = dna();
    let bam = sim::strip_supplementary(&d.bam).unwrap();
    let calls = call(&bam, 2);
    assert_eq!(calls.evidence.with_sa, 0);
    assert!(calls.realigned_clips > 0);
    assert!(
        calls
            .warnings
            .iter()
            .any(|w| w.contains("no read carries an SA tag")),
        "{:?}",
        calls.warnings
    );
    assert_all_found(&d.truth, &calls, "no SA");
    assert!(calls
        .calls
        .iter()
        .all(|c| c.notes.iter().any(|n| n.contains("no SA tags"))));
}

/// Keep only first reads, as single-end data: no mate fields.
fn single_end(bam_in: &Path) -> PathBuf {
    let out = bam_in.with_extension("se.bam");
    let mut r = bam::Reader::from_path(bam_in).unwrap();
    let h = bam::Header::from_template(r.header());
    {
        let mut w = bam::Writer::from_path(&out, &h, bam::Format::Bam).unwrap();
        for rec in r.records() {
            let mut rec = rec.unwrap();
            if rec.flags() & 0x80 != 0 {
                continue;
            }
            rec.set_flags(rec.flags() & !(0x1 | 0x2 | 0x8 | 0x20 | 0x40));
            rec.set_mtid(-1);
            rec.set_mpos(-1);
            rec.set_insert_size(0);
            w.write(&rec).unwrap();
        }
    }
    bam::index::build(&out, None, bam::index::Type::Bai, 1).unwrap();
    out
}

#[test]
fn unpaired_reads_are_called_from_splits_and_say_so() {
    let d = dna();
    let calls = call(&single_end(&d.bam), 2);
    assert_eq!(calls.evidence.paired, 0);
    assert!(calls.warnings.iter().any(|w| w.contains("not paired")));
    // half the reads are gone: the BCR::ABL1 junction is still found from split reads alone
    let bcr = calls
        .calls
        .iter()
        .find(|c| c.name == "BCR::ABL1")
        .expect("BCR::ABL1");
    assert_eq!(bcr.spanning_pairs, 0);
    assert!(bcr.notes.iter().any(|n| n.contains("unpaired")), "{bcr:?}");
}

#[test]
fn rna_fusions_are_named_with_exons_isoform_and_frame() {
    let truth = fusions::rna_set(&world().panel).unwrap();
    let bam = simulate("RNA20", &truth, 0.2, true);
    let calls = call(&bam, 2);
    assert_eq!(calls.library, Library::Rna);
    assert!(calls.library_source.starts_with("detected"));
    assert_all_found(&truth, &calls, "RNA 20%");
    let get = |n: &str| calls.calls.iter().find(|c| c.name == n).unwrap();
    let bcr = get("BCR::ABL1");
    assert_eq!(
        (bcr.five_prime.exon, bcr.three_prime.exon),
        (Some(1), Some(2))
    );
    assert_eq!(bcr.isoform.as_deref(), Some("e1a2 (p190)"));
    assert_eq!(bcr.frame, Frame::InFrame);
    let p2 = get("P2RY8::CRLF2");
    assert_eq!(
        (p2.five_prime.exon, p2.three_prime.exon),
        (Some(1), Some(1))
    );
    assert_eq!(p2.frame, Frame::Cds3Intact);
    let k = get("KMT2A::AFF1");
    assert_eq!((k.five_prime.exon, k.three_prime.exon), (Some(9), Some(5)));
    // the fusion-negative RNA sample: nothing
    let neg = call(&simulate("RNANEG", &truth, 0.0, true), 2);
    assert!(neg.calls.iter().all(|c| !c.passes()), "{:?}", neg.calls);
}
