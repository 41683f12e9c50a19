//! Copy number end to end through the CLI: `puente pon build` from simulated normals, then `puente
//! run --pon` on a sample with a heterozygous IKZF1 Δ4-7 and a homozygous CDKN2A/B deletion and on
//! a lesion-free sample; incompatible or truncated panels of normals are refused.
mod common;
use common::{read_gz, run, stderr, tmp};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

const CONTIGS: [&str; 3] = ["chr7", "chr9", "chr21"];

/// An allele every sample of the cohort carries at a low fraction (a recurrent assay artefact as a
/// panel of normals sees it); POS carries it as a real clone.
const ARTEFACT: &str = "chr7:50382593:A:C";

fn spec(id: &str, seed: u64, tf: f64, deletions: serde_json::Value) -> serde_json::Value {
    let artefact_vaf = if id == "POS" { 0.4 } else { 0.04 };
    serde_json::json!({
        "sample_id": id, "lab_id": "LAB-A", "seed": seed, "depth": 250.0, "intron_depth_factor": 0.1,
        "read_len": 150, "insert_mean": 300.0, "insert_sd": 60.0, "duplicate_rate": 0.05,
        "tumor_fraction": tf, "deletions": deletions, "fusions": [],
        "variants": [{"chrom": "chr7", "pos": 50382593, "reference": "A", "alt": "C",
                      "vaf": artefact_vaf, "label": "recurrent artefact"}],
        "contigs": CONTIGS, "germline_snps": true, "gc_bias": (seed % 5) as f64 * 0.5 - 1.0
    })
}

struct Cohort {
    dir: PathBuf,
    reference: PathBuf,
    pon: PathBuf,
}

/// Six normals, a positive and a negative sample on chr7/chr9/chr21, and the panel of normals.
fn cohort() -> &'static Cohort {
    static C: OnceLock<Cohort> = OnceLock::new();
    C.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cnv-cohort");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut specs = Vec::new();
        for i in 0..6 {
            specs.push(spec(&format!("N{i}"), 100 + i, 0.0, serde_json::json!([])));
        }
        specs.push(spec(
            "POS",
            200,
            0.8,
            serde_json::json!([
                {"chrom": "chr7", "start": 50376233, "end": 50392163, "copies": 1, "label": "IKZF1 Δ4-7"},
                {"chrom": "chr9", "start": 21967452, "end": 22009605, "copies": 2, "label": "CDKN2A/B"}
            ]),
        ));
        specs.push(spec("NEG", 300, 0.8, serde_json::json!([])));
        let mut args = vec!["simulate".to_string(), "--out".into(), dir.display().to_string(), "--seed".into(), "3".into()];
        for s in &specs {
            let p = dir.join(format!("{}.json", s["sample_id"].as_str().unwrap()));
            std::fs::write(&p, s.to_string()).unwrap();
            args.extend(["--spec".into(), p.display().to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&args);
        assert!(o.status.success(), "simulate failed: {}", stderr(&o));
        let reference = dir.join("reference.fa.gz");
        let pon = dir.join("pon.tsv");
        let mut args = vec![
            "pon".to_string(), "build".into(), "--reference".into(), reference.display().to_string(),
            "--out".into(), pon.display().to_string(), "--threads".into(), "2".into(),
        ];
        for i in 0..6 {
            args.push(dir.join(format!("N{i}.bam")).display().to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&args);
        assert!(o.status.success(), "pon build failed: {}", stderr(&o));
        assert!(stderr(&o).contains("only 6 normals"), "{}", stderr(&o));
        Cohort { dir, reference, pon }
    })
}

fn run_sample(c: &Cohort, id: &str, out: &Path, pon: Option<&Path>) -> Output {
    let bam = c.dir.join(format!("{id}.bam"));
    let mut args = vec![
        "run".to_string(),
        "--bam".into(),
        bam.display().to_string(),
        "--reference".into(),
        c.reference.display().to_string(),
        "--sample-id".into(),
        id.into(),
        "--out".into(),
        out.display().to_string(),
        "--threads".into(),
        "2".into(),
        "--tumor-fraction".into(),
        "0.8".into(),
    ];
    if let Some(p) = pon {
        args.extend(["--pon".into(), p.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args)
}

/// cnv.tsv rows as (gene, exons, call, filter, pattern).
fn cnv_rows(p: &Path) -> Vec<(String, String, String, String, String)> {
    let text = std::fs::read_to_string(p).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(
        &header[..9],
        [
            "sample",
            "gene",
            "exons",
            "call",
            "log2",
            "z",
            "copy_number",
            "ploidy_context",
            "filter"
        ]
    );
    lines
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[1].into(),
                f[2].into(),
                f[3].into(),
                f[8].into(),
                f[12].into(),
            )
        })
        .collect()
}

#[test]
fn pon_build_then_run_calls_ikzf1_and_cdkn2a_deletions() {
    let c = cohort();
    let text = std::fs::read_to_string(&c.pon).unwrap();
    assert!(text.starts_with("##puente-pon\tformat=2"));
    // the artefact is the panel of normals' one small-variant site: random errors are not
    let sites: Vec<&str> = text.lines().filter(|l| l.starts_with("##site")).collect();
    assert_eq!(sites.len(), 1, "{sites:?}");
    assert!(
        sites[0].starts_with(&format!("##site\tid={ARTEFACT}\tnormals=6\t")),
        "{sites:?}"
    );
    assert_eq!(
        text.lines().filter(|l| l.starts_with("##normal")).count(),
        6
    );

    let out = tmp("cnv-pos");
    let o = run_sample(c, "POS", &out, Some(&c.pon));
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = cnv_rows(&out.join("POS/cnv.tsv"));
    let passing: Vec<_> = rows
        .iter()
        .filter(|r| r.3 == "PASS" && !["NEUTRAL", "NO_COVERAGE"].contains(&r.2.as_str()))
        .collect();
    let find = |g: &str| {
        passing
            .iter()
            .find(|r| r.0 == g)
            .unwrap_or_else(|| panic!("no {g} call in {rows:?}"))
    };
    let ikzf1 = find("IKZF1");
    assert_eq!((ikzf1.1.as_str(), ikzf1.2.as_str()), ("4-7", "DEL"));
    assert!(ikzf1.4.contains("IK6"), "{ikzf1:?}");
    assert_eq!(
        (find("CDKN2A").1.as_str(), find("CDKN2A").2.as_str()),
        ("1-4", "HOMDEL")
    );
    assert_eq!(find("CDKN2B").2, "HOMDEL");
    assert_eq!(passing.len(), 3, "only the planted lesions: {passing:?}");
    // genes on contigs that were not sequenced cannot be assessed, and say so
    assert!(rows.iter().any(|r| r.0 == "P2RY8" && r.2 == "NO_COVERAGE"));

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("POS/report.json")).unwrap())
            .unwrap();
    // the backbone SNPs are the sample's fingerprint for paired-lab identity checks
    let panel = puente::panel::Panel::load("all-v1").unwrap();
    let snps = report["germline_snps"].as_array().unwrap();
    assert!(snps.len() >= 10, "{}", snps.len());
    for s in snps {
        let (c, p) = (s["chrom"].as_str().unwrap(), s["pos"].as_u64().unwrap());
        assert!(panel.backbone.iter().any(|b| b.contains(c, p - 1)), "{s}");
    }
    let cn = &report["copy_number"];
    assert_eq!(cn["baseline"]["method"], "panel_of_normals");
    assert_eq!(cn["baseline"]["pon_samples"], 6);
    assert_eq!(cn["ikzf1plus"]["status"], "positive", "{}", cn["ikzf1plus"]);
    assert_eq!(
        cn["ikzf1plus"]["co_deletions"],
        serde_json::json!(["CDKN2A", "CDKN2B"])
    );
    let ikzf1 = cn["genes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["gene"] == "IKZF1")
        .unwrap();
    assert_eq!(
        ikzf1["exons"].as_array().unwrap().len(),
        8,
        "per-exon evidence for every exon"
    );
    assert!(report["modules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["module"] == "copy_number" && m["status"] == "done"));

    // symbolic records in the SV VCF and a plot per gene
    // the real clone at the artefact's allele is far above the normals: called
    assert_eq!(artefact_filter(&out.join("POS")).as_deref(), Some("PASS"));
    let vcf = read_gz(&out.join("POS/sv.vcf.gz"));
    assert!(vcf.contains("<DEL>\t.\tPASS\tSVTYPE=DEL;END="), "{vcf}");
    assert!(vcf.contains("GENE=IKZF1;EXONS=4-7;CNSTATE=DEL"));
    assert!(vcf.contains("CNSTATE=HOMDEL"));
    let html = std::fs::read_to_string(out.join("POS/cnv.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("IKZF1 (chr7, + strand): DEL exons 4-7"));
}

#[test]
fn lesion_free_sample_has_no_copy_number_call() {
    let c = cohort();
    let out = tmp("cnv-neg");
    let o = run_sample(c, "NEG", &out, Some(&c.pon));
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = cnv_rows(&out.join("NEG/cnv.tsv"));
    let called: Vec<_> = rows
        .iter()
        .filter(|r| r.3 == "PASS" && !["NEUTRAL", "NO_COVERAGE"].contains(&r.2.as_str()))
        .collect();
    assert!(called.is_empty(), "false calls: {called:?}");
    // at the normals' own fraction the allele is kept, filtered, with the normals' rate as QUAL
    assert_eq!(
        artefact_filter(&out.join("NEG")).as_deref(),
        Some("low_qual;panel_of_normals")
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("NEG/report.json")).unwrap())
            .unwrap();
    assert_eq!(report["methods"]["small_variants"]["pon_artefact_sites"], 1);
    assert!(rows
        .iter()
        .any(|r| r.0 == "IKZF1" && r.2 == "NEUTRAL" && r.3 == "PASS"));
}

#[test]
fn incompatible_or_truncated_pon_is_refused_and_no_pon_is_labelled() {
    let c = cohort();
    let text = std::fs::read_to_string(&c.pon).unwrap();
    let dir = tmp("cnv-badpon");
    let other_build = dir.join("grch37.tsv");
    std::fs::write(&other_build, text.replace("build=GRCh38", "build=GRCh37")).unwrap();
    let o = run_sample(c, "NEG", &dir.join("out1"), Some(&other_build));
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("built on GRCh37 but the panel is GRCh38"),
        "{}",
        stderr(&o)
    );
    assert!(
        !dir.join("out1/NEG/report.json").exists(),
        "nothing written for a refused PoN"
    );

    let other_panel = dir.join("other.tsv");
    let sha = text
        .lines()
        .nth(1)
        .unwrap()
        .split("sha256=")
        .nth(1)
        .unwrap();
    std::fs::write(&other_panel, text.replace(sha, "0000")).unwrap();
    let o = run_sample(c, "NEG", &dir.join("out2"), Some(&other_panel));
    assert_eq!(o.status.code(), Some(5));
    assert!(
        stderr(&o).contains("different all-v1 panel resource"),
        "{}",
        stderr(&o)
    );

    let truncated = dir.join("truncated.tsv");
    let cut: String = text.lines().take(12).map(|l| format!("{l}\n")).collect();
    std::fs::write(&truncated, cut).unwrap();
    let o = run_sample(c, "NEG", &dir.join("out3"), Some(&truncated));
    assert_eq!(o.status.code(), Some(5));
    assert!(
        stderr(&o).contains("bins that do not match") || stderr(&o).contains("truncated"),
        "{}",
        stderr(&o)
    );

    let o = run_sample(c, "NEG", &dir.join("out4"), None);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out4/NEG/report.json")).unwrap())
            .unwrap();
    assert_eq!(report["copy_number"]["baseline"]["method"], "within_sample");
    // without the panel of normals the artefact is a passing call
    assert_eq!(
        artefact_filter(&dir.join("out4/NEG")).as_deref(),
        Some("PASS")
    );
    assert!(report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("no panel of normals")));
}

/// FILTER of the artefact allele's record in a sample's variants.vcf.gz (None: no record).
fn artefact_filter(sample_dir: &Path) -> Option<String> {
    let vcf = read_gz(&sample_dir.join("variants.vcf.gz"));
    vcf.lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|f| f.len() > 6 && f[2] == ARTEFACT)
        .map(|f| f[6].to_string())
}
