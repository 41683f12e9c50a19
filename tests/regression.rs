//! Runs every case in tests/regression/<case>/ (see tests/regression/README.md).
use puente::call::fusion::{self, FusionOptions};
use puente::call::small::{self, CallOptions};
use puente::ingest::{reads::ReadFilter, AlignmentInput, Reference};
use puente::panel::Panel;
use rust_htslib::bam::{self, Read};
use std::path::Path;

#[derive(serde::Deserialize)]
struct Case {
    description: String,
    panel: String,
    alignment: String,
    /// QC expectations (read filters, hotspot depth).
    expect: Option<Expect>,
    /// Small-variant cases: the simulator's reference with this seed is the FASTA.
    reference_seed: Option<u64>,
    #[serde(default)]
    expect_call: Vec<ExpectCall>,
    #[serde(default)]
    expect_hotspot: Vec<ExpectHotspot>,
    #[serde(default)]
    expect_fusion: Vec<ExpectFusion>,
}

#[derive(serde::Deserialize)]
struct ExpectFusion {
    name: String,
    pos5: u64,
    pos3: u64,
    exon5: u32,
    exon3: u32,
    isoform: Option<String>,
    frame: String,
    split_reads: u32,
    spanning_pairs: u32,
    mapq0_support: u32,
    filters: Vec<String>,
}

#[derive(serde::Deserialize)]
struct ExpectCall {
    id: String,
    kind: String,
    depth: u32,
    alt_fragments: u32,
    filters: Vec<String>,
}

#[derive(serde::Deserialize)]
struct ExpectHotspot {
    gene: String,
    name: String,
    status: String,
}

#[derive(serde::Deserialize)]
struct Expect {
    hotspot_gene: String,
    hotspot_c: String,
    depth: u32,
    used: u64,
    duplicate: u64,
    low_mapq: u64,
    secondary: u64,
    qc_fail: u64,
}

fn sam_to_bam(sam: &Path, bam_path: &Path) {
    let mut r = bam::Reader::from_path(sam).unwrap();
    let h = bam::Header::from_template(r.header());
    {
        let mut w = bam::Writer::from_path(bam_path, &h, bam::Format::Bam).unwrap();
        for rec in r.records() {
            w.write(&rec.unwrap()).unwrap();
        }
    }
    bam::index::build(bam_path, None, bam::index::Type::Bai, 1).unwrap();
}

#[test]
fn regression_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regression");
    let mut n = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let case: Case =
            toml::from_str(&std::fs::read_to_string(dir.join("case.toml")).unwrap()).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let bam_path = tmp.path().join("case.bam");
        sam_to_bam(&dir.join(&case.alignment), &bam_path);
        let panel = Panel::load(&case.panel).unwrap();
        let input = AlignmentInput::open(&bam_path, None, tmp.path(), 1).unwrap();
        input.check_build(&panel).unwrap();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(e) = &case.expect {
            check_qc(&name, &case.description, &input, &panel, e);
        }
        if let Some(seed) = case.reference_seed {
            let fa = tmp.path().join("ref.fa.gz");
            puente::sim::write_reference(&panel, &fa, seed, 1500).unwrap();
            let reference = Reference::open(&fa).unwrap();
            let calls = small::call(&input, &reference, &panel, &CallOptions::default()).unwrap();
            for e in &case.expect_call {
                let c = calls
                    .variants
                    .iter()
                    .find(|v| v.id == e.id)
                    .unwrap_or_else(|| {
                        panic!("{name}: call {} missing: {:?}", e.id, calls.variants)
                    });
                let kind = serde_json::to_value(c.kind).unwrap();
                assert_eq!(kind, e.kind.as_str(), "{name}: kind of {}", e.id);
                assert_eq!(c.depth, e.depth, "{name}: depth of {}", e.id);
                assert_eq!(c.alt_fragments, e.alt_fragments, "{name}: alt of {}", e.id);
                assert_eq!(c.filters, e.filters, "{name}: filters of {}", e.id);
            }
            let listed: Vec<&str> = case.expect_call.iter().map(|e| e.id.as_str()).collect();
            let extra: Vec<&str> = calls
                .variants
                .iter()
                .filter(|v| v.passes() && !listed.contains(&v.id.as_str()))
                .map(|v| v.id.as_str())
                .collect();
            assert!(
                extra.is_empty(),
                "{name}: unexpected passing calls {extra:?}"
            );
            if !case.expect_fusion.is_empty() {
                check_fusions(&name, &input, &reference, &panel, &case.expect_fusion);
            }
            for e in &case.expect_hotspot {
                let h = calls
                    .hotspots
                    .iter()
                    .find(|h| h.gene == e.gene && h.name == e.name)
                    .unwrap_or_else(|| panic!("{name}: hotspot {} {}", e.gene, e.name));
                let status = serde_json::to_value(h.status).unwrap();
                assert_eq!(
                    status,
                    e.status.as_str(),
                    "{name}: {} {}: {h:?}",
                    e.gene,
                    e.name
                );
            }
        }
        n += 1;
    }
    assert!(n >= 1, "no regression cases found");
}

fn check_qc(name: &str, description: &str, input: &AlignmentInput, panel: &Panel, e: &Expect) {
    let qc = puente::qc::run(input, panel, &ReadFilter::default(), 1).unwrap();
    let h = qc
        .hotspots
        .iter()
        .find(|h| h.gene == e.hotspot_gene && h.hgvs_c == e.hotspot_c)
        .unwrap_or_else(|| panic!("{name}: hotspot missing"));
    assert_eq!(h.depth, e.depth, "{name}: {description}");
    assert_eq!(qc.reads.used, e.used, "{name}: used reads");
    assert_eq!(qc.reads.duplicate, e.duplicate, "{name}: duplicates");
    assert_eq!(qc.reads.low_mapq, e.low_mapq, "{name}: low MAPQ");
    assert_eq!(qc.reads.secondary, e.secondary, "{name}: secondary");
    assert_eq!(qc.reads.qc_fail, e.qc_fail, "{name}: QC-fail");
}

fn check_fusions(
    name: &str,
    input: &AlignmentInput,
    reference: &Reference,
    panel: &Panel,
    expected: &[ExpectFusion],
) {
    let calls = fusion::call(input, reference, panel, &FusionOptions::default()).unwrap();
    for e in expected {
        let c = calls
            .calls
            .iter()
            .find(|c| c.name == e.name)
            .unwrap_or_else(|| panic!("{name}: fusion {} missing: {:?}", e.name, calls.calls));
        let got = (
            c.five_prime.pos,
            c.three_prime.pos,
            c.five_prime.exon,
            c.three_prime.exon,
        );
        assert_eq!(
            got,
            (e.pos5, e.pos3, Some(e.exon5), Some(e.exon3)),
            "{name}: breakpoints/exons of {}",
            e.name
        );
        assert_eq!(c.isoform, e.isoform, "{name}: isoform");
        assert_eq!(c.frame.name(), e.frame, "{name}: frame");
        assert_eq!(
            (c.split_reads, c.spanning_pairs, c.mapq0_support),
            (e.split_reads, e.spanning_pairs, e.mapq0_support),
            "{name}: support of {}",
            e.name
        );
        assert_eq!(c.filters, e.filters, "{name}: filters of {}", e.name);
    }
    let extra: Vec<&str> = calls
        .calls
        .iter()
        .filter(|c| c.passes() && !expected.iter().any(|e| e.name == c.name))
        .map(|c| c.name.as_str())
        .collect();
    assert!(extra.is_empty(), "{name}: unexpected fusions {extra:?}");
}
