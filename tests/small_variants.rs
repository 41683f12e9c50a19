//! Simulator tier for the small-variant caller: random SNVs, MNVs, indels, delins, soft-clipped long
//! insertions and tandem duplications planted at low VAF, called back; hotspot genotypes with
//! limits of detection; thread-count independence; a VCF that htslib reads and tabix can query.
use puente::call::small::{self, CallOptions, SmallCalls};
use puente::ingest::{AlignmentInput, Reference};
use puente::model::{HotspotStatus, InputFile, PanelRef, Provenance, ReferenceRef};
use puente::panel::Panel;
use puente::sim::{self, variants, PlantedVariant, SampleSpec};
use rust_htslib::bcf::{self, Read};
use std::path::PathBuf;
use std::sync::OnceLock;

struct Case {
    dir: PathBuf,
    genome: sim::SimGenome,
    truth: Vec<PlantedVariant>,
    calls: SmallCalls,
}

fn case() -> &'static Case {
    static C: OnceLock<Case> = OnceLock::new();
    C.get_or_init(|| {
        let panel = Panel::load("all-v1").unwrap();
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("small-variants");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let fa = dir.join("ref.fa.gz");
        let genome = sim::write_reference(&panel, &fa, 21, 1500).unwrap();
        let contigs = ["chr12".to_string(), "chr17".to_string()];
        let kras = panel
            .hotspots
            .iter()
            .find(|h| h.gene == "KRAS" && h.hgvs_c == "c.35G>A")
            .unwrap();
        let regions: Vec<_> = small::calling_regions(&panel)
            .into_iter()
            .filter(|r| contigs.contains(&r.chrom))
            // keep random variants away from the hotspots, whose status the tests check
            .filter(|r| {
                !panel
                    .hotspots
                    .iter()
                    .any(|h| h.chrom == r.chrom && r.start < h.end + 300 && r.end + 300 > h.start)
            })
            .collect();
        let mut truth = variants::random_variants(
            &genome,
            &regions,
            &variants::CLASSES,
            4,
            &[0.03, 0.1],
            150,
            5,
        );
        truth.extend(variants::random_variants(
            &genome,
            &regions,
            &variants::LONG_CLASSES,
            3,
            &[0.1],
            150,
            6,
        ));
        // random draws may land near each other across the two calls: keep them apart
        let mut kept: Vec<PlantedVariant> = Vec::new();
        for v in truth {
            if kept
                .iter()
                .all(|k| k.chrom != v.chrom || k.pos.abs_diff(v.pos) > 150)
            {
                kept.push(v);
            }
        }
        kept.push(PlantedVariant {
            chrom: kras.chrom.clone(),
            pos: kras.start,
            reference: kras.reference.clone(),
            alt: kras.alt.clone(),
            vaf: 0.04,
            label: "snv KRAS G12D".into(),
        });
        let mut spec = SampleSpec::new("SV1", 17);
        spec.depth = 700.0;
        spec.contigs = contigs.to_vec();
        spec.variants = kept.clone();
        spec.max_aligned_insertion = Some(25);
        let bam =
            sim::simulate_sample(&genome, &sim::sim_targets(&panel), &spec, &dir, false).unwrap();
        let reference = Reference::open(&fa).unwrap();
        let input = AlignmentInput::open(&bam, Some(&reference), &dir.join("index"), 1).unwrap();
        let calls = small::call(&input, &reference, &panel, &CallOptions::default()).unwrap();
        Case {
            dir,
            genome,
            truth: kept,
            calls,
        }
    })
}

#[test]
fn recall_and_precision_by_class() {
    let c = case();
    let acc = variants::score(&c.genome, &c.truth, &c.calls.variants);
    for s in &acc.strata {
        assert!(
            s.recall >= 0.95,
            "{} at VAF {}: {}/{} found; missed {:?}",
            s.class,
            s.vaf,
            s.found,
            s.truth,
            acc.missed
        );
    }
    assert!(acc.strata.iter().any(|s| s.class == "tandem_dup"));
    assert!(
        acc.precision >= 0.98,
        "precision {}: false positives {:?}",
        acc.precision,
        acc.false_positives
    );
    // long insertions came from clipped reads (the simulated aligner clips insertions > 25 bp)
    let long: Vec<_> = c
        .calls
        .variants
        .iter()
        .filter(|v| v.passes() && v.alt.len() > v.reference.len() + 25)
        .collect();
    assert!(!long.is_empty());
    assert!(long.iter().all(|v| v.source == "soft_clip"), "{long:?}");
}

#[test]
fn hotspots_report_counts_and_limits_of_detection() {
    let c = case();
    let get = |gene: &str, name: &str| {
        c.calls
            .hotspots
            .iter()
            .find(|h| h.gene == gene && h.name == name)
            .unwrap_or_else(|| panic!("{gene} {name}"))
    };
    let g12d = get("KRAS", "p.G12D");
    assert_eq!(g12d.status, HotspotStatus::Detected, "{g12d:?}");
    assert!((0.015..0.08).contains(&g12d.vaf), "{g12d:?}");
    assert_eq!(g12d.calls, vec!["chr12:25245350:C:T".to_string()]);
    // the neighbouring hotspot on the same reads: tested, negative, with its sensitivity
    let g13d = get("KRAS", "p.G13D");
    assert_eq!(g13d.status, HotspotStatus::NotDetected, "{g13d:?}");
    assert!(g13d.depth > 400);
    let lod = g13d.limit_of_detection.unwrap();
    assert!(lod > 0.0 && lod <= 0.02, "{lod}");
    // TP53 (chr17, simulated) is negative; NRAS (chr1, not simulated) cannot be called negative
    assert_eq!(get("TP53", "p.R175H").status, HotspotStatus::NotDetected);
    let nras = get("NRAS", "p.G12D");
    assert_eq!(nras.status, HotspotStatus::InsufficientDepth, "{nras:?}");
    assert_eq!(nras.limit_of_detection, None);
    // every panel hotspot has a result, in panel order
    let panel = Panel::load("all-v1").unwrap();
    assert_eq!(c.calls.hotspots.len(), panel.hotspots.len());
}

#[test]
fn calls_do_not_depend_on_thread_count() {
    let c = case();
    let panel = Panel::load("all-v1").unwrap();
    let reference = Reference::open(&c.dir.join("ref.fa.gz")).unwrap();
    let input = AlignmentInput::open(
        &c.dir.join("SV1.bam"),
        Some(&reference),
        &c.dir.join("index"),
        1,
    )
    .unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let one = pool
        .install(|| small::call(&input, &reference, &panel, &CallOptions::default()))
        .unwrap();
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        serde_json::to_string(&c.calls).unwrap()
    );
}

#[test]
fn vcf_is_readable_and_indexed() {
    let c = case();
    let prov = Provenance {
        puente_version: puente::VERSION.into(),
        command_line: vec!["puente".into(), "test".into()],
        panel: PanelRef {
            name: "all-v1".into(),
            version: "1.0.0".into(),
            build: "GRCh38".into(),
            sha256: "0".repeat(64),
        },
        reference: ReferenceRef {
            path: "ref.fa.gz".into(),
            build: "GRCh38".into(),
            contig_md5: Default::default(),
        },
        inputs: vec![InputFile {
            role: "alignment".into(),
            path: "SV1.bam".into(),
            sha256: "1".repeat(64),
        }],
        read_groups: vec![],
        analysis_date: None,
    };
    let contigs = vec![
        ("chr12".to_string(), 133275309u64),
        ("chr17".to_string(), 83257441u64),
    ];
    let path = c.dir.join("variants.vcf.gz");
    puente::report::vcf::write_small_variants(
        &path,
        &puente::report::vcf::SmallVcf {
            sample: "SV1",
            provenance: &prov,
            contigs: &contigs,
            calls: &c.calls.variants,
            hotspots: &c.calls.hotspots,
            annotations: &[],
            thresholds: &CallOptions::default().thresholds,
        },
    )
    .unwrap();
    let mut r = bcf::Reader::from_path(&path).unwrap();
    let n = r.records().count();
    assert_eq!(n, c.calls.variants.len());
    // region query through the tabix index
    let mut ix = bcf::IndexedReader::from_path(&path).unwrap();
    let rid = ix.header().name2rid(b"chr12").unwrap();
    ix.fetch(rid, 25245300, Some(25245400)).unwrap();
    let mut found = false;
    for rec in ix.records() {
        let rec = rec.unwrap();
        if rec.pos() == 25245349 {
            found = true;
            let ad = rec.format(b"AD").integer().unwrap();
            assert!(ad[0][1] > 5, "alt fragments {:?}", ad[0]);
            let hs = rec.info(b"HOTSPOT").string().unwrap().unwrap();
            assert_eq!(String::from_utf8_lossy(hs[0]), "KRAS_p.G12D");
            assert!(rec.has_filter("PASS".as_bytes()));
        }
    }
    assert!(found, "KRAS G12D missing from the VCF region query");
    // vt validate: records in order and every REF base as in the FASTA
    match std::process::Command::new("vt")
        .arg("validate")
        .arg(&path)
        .arg("-r")
        .arg(c.dir.join("ref.fa.gz"))
        .output()
    {
        Err(_) => {
            assert!(
                std::env::var_os("PUENTE_REQUIRE_VT").is_none(),
                "vt required"
            );
            eprintln!("vt not installed: skipped");
        }
        Ok(o) => {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            assert!(o.status.success(), "{text}");
            for key in [
                "no. unordered ",
                "no. unordered chrom",
                "no. inconsistent REF",
            ] {
                let line = text
                    .lines()
                    .find(|l| l.contains(key))
                    .unwrap_or_else(|| panic!("{key:?} not in vt output: {text}"));
                assert!(line.trim_end().ends_with(": 0"), "vt validate: {line}");
            }
        }
    }
}
