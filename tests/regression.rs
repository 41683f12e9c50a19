//! Runs every case in tests/regression/<case>/ (see tests/regression/README.md).
use puente::ingest::{reads::ReadFilter, AlignmentInput};
use puente::panel::Panel;
use rust_htslib::bam::{self, Read};
use std::path::Path;

#[derive(serde::Deserialize)]
struct Case {
    description: String,
    panel: String,
    alignment: String,
    expect: Expect,
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
        let qc = puente::qc::run(&input, &panel, &ReadFilter::default(), 1).unwrap();
        let e = &case.expect;
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let h = qc
            .hotspots
            .iter()
            .find(|h| h.gene == e.hotspot_gene && h.hgvs_c == e.hotspot_c)
            .unwrap_or_else(|| panic!("{name}: hotspot missing"));
        assert_eq!(h.depth, e.depth, "{name}: {}", case.description);
        assert_eq!(qc.reads.used, e.used, "{name}: used reads");
        assert_eq!(qc.reads.duplicate, e.duplicate, "{name}: duplicates");
        assert_eq!(qc.reads.low_mapq, e.low_mapq, "{name}: low MAPQ");
        assert_eq!(qc.reads.secondary, e.secondary, "{name}: secondary");
        assert_eq!(qc.reads.qc_fail, e.qc_fail, "{name}: QC-fail");
        n += 1;
    }
    assert!(n >= 1, "no regression cases found");
}
