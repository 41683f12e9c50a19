//! Simulator tier: an RNA library with a TCF3::PBX1 fusion transcript gives spliced alignments (N)
//! and junction-spanning chimeric reads with SA tags between the partners.
use puente::panel::Panel;
use puente::sim::{self, reads::RnaJunction, PlantedFusion, SampleSpec};
use rust_htslib::bam::{self, record::Cigar, Read};

#[test]
fn rna_fusion_transcript_reads() {
    let panel = Panel::load("all-v1").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let genome = sim::write_reference(&panel, &dir.path().join("ref.fa.gz"), 5, 1500).unwrap();
    let mut spec = SampleSpec::new("RNA1", 9);
    spec.rna = true;
    spec.depth = 60.0;
    spec.contigs = vec!["chr19".into(), "chr1".into()];
    let tcf3 = panel
        .exons
        .iter()
        .find(|e| e.gene == "TCF3")
        .unwrap()
        .chrom
        .clone();
    let pbx1 = panel
        .exons
        .iter()
        .find(|e| e.gene == "PBX1")
        .unwrap()
        .chrom
        .clone();
    spec.fusions.push(PlantedFusion {
        chrom5: tcf3,
        pos5: 0,
        chrom3: pbx1,
        pos3: 0,
        reverse3: false,
        reverse5: false,
        fraction: 1.0,
        label: "TCF3::PBX1".into(),
        rna_exons: Some(RnaJunction {
            gene5: "TCF3".into(),
            exon5: 16,
            gene3: "PBX1".into(),
            exon3: 3,
        }),
    });
    let bam_path =
        sim::simulate_sample(&genome, &sim::sim_targets(&panel), &spec, dir.path(), false).unwrap();
    let mut r = bam::Reader::from_path(&bam_path).unwrap();
    let hv = r.header().clone();
    let (mut spliced, mut chimeric, mut total) = (0, 0, 0);
    for rec in r.records() {
        let rec = rec.unwrap();
        total += 1;
        if rec.cigar().iter().any(|c| matches!(c, Cigar::RefSkip(_))) {
            spliced += 1;
        }
        if rec.aux(b"SA").is_ok() {
            let sa = match rec.aux(b"SA").unwrap() {
                bam::record::Aux::String(s) => s.to_string(),
                _ => String::new(),
            };
            let this = String::from_utf8_lossy(hv.tid2name(rec.tid() as u32)).into_owned();
            let other = sa.split(',').next().unwrap().to_string();
            assert_ne!(
                this, other,
                "TCF3 (chr19) and PBX1 (chr1) parts are on different contigs"
            );
            chimeric += 1;
        }
    }
    assert!(total > 1000, "{total}");
    assert!(spliced > total / 5, "spliced {spliced} of {total}");
    assert!(chimeric > 10, "chimeric {chimeric}");
}
