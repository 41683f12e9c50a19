//! Registry statistics end to end. One simulated child (ETV6::RUNX1) runs through `puente run`
//! with hospital and dates; its report.json is then edited into a cohort of 24 children across
//! three hospitals, two labs and two panel versions (with re-runs, a paired-lab re-test that
//! `puente validate` scores, a namesake at another hospital, reports of an older schema and files
//! that are not reports). Expected counts are computed here from the cohort's design.
mod common;
use common::{assert_valid, run, stderr, tmp};
use puente::panel::Panel;
use puente::sim;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const HOSPITALS: [&str; 3] = ["HOSP-NORTE", "HOSP-CENTRO", "HOSP-SUR"];
const CHILDREN: usize = 24;

fn read(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// The design of child `i`.
struct Child {
    id: String,
    hospital: &'static str,
    lab: &'static str,
    etv6_runx1: bool,
    nudt15_het: bool,
    tpmt_het: bool,
    qc_fail: bool,
    /// Panel 0.9.0 lacks TCF3::HLF.
    old_panel: bool,
    /// Written by schema 0.6.1 without hospital or dates.
    old_schema: bool,
    turnaround: i64,
}

fn child(i: usize) -> Child {
    Child {
        id: format!("MX-{i:03}"),
        hospital: HOSPITALS[i % 3],
        lab: if i < 16 { "LAB-1" } else { "LAB-2" },
        etv6_runx1: i.is_multiple_of(2),
        nudt15_het: [1, 5, 9, 13, 17].contains(&i),
        tpmt_het: [2, 6].contains(&i),
        qc_fail: i >= 22,
        old_panel: i < 8,
        old_schema: i == 20 || i == 21,
        turnaround: 5 + (i % 3) as i64,
    }
}

/// The real report of the simulated child.
fn base() -> &'static Value {
    static B: OnceLock<Value> = OnceLock::new();
    B.get_or_init(|| {
        let panel = Panel::load("all-v1").unwrap();
        let dir = tmp("registry-base");
        let fa = dir.join("ref.fa.gz");
        let genome = sim::write_reference(&panel, &fa, 29, 1500).unwrap();
        let mut spec = sim::SampleSpec::new("BASE", 7);
        spec.depth = 300.0;
        spec.contigs = vec!["chr12".into(), "chr21".into()];
        spec.fusions.push(
            sim::intronic_fusion(&panel, "ETV6_intron5", "RUNX1_intron1", true, "ETV6::RUNX1")
                .unwrap(),
        );
        let bam =
            sim::simulate_sample(&genome, &sim::sim_targets(&panel), &spec, &dir, false).unwrap();
        let o = run(&[
            "run",
            "--bam",
            bam.to_str().unwrap(),
            "--reference",
            fa.to_str().unwrap(),
            "--sample-id",
            "BASE",
            "--lab-id",
            "LAB-1",
            "--hospital",
            "HOSP-NORTE",
            "--collection-date",
            "2026-01-05",
            "--received-date",
            "2026-01-07",
            "--out",
            dir.join("out").to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        read(&dir.join("out/BASE/report.json"))
    })
}

fn set_pgx(r: &mut Value, gene: &str, diplotype: &str, phenotype: &str) {
    for g in r["pgx"]["genes"].as_array_mut().unwrap() {
        if g["gene"] == gene {
            g["diplotype"] = diplotype.into();
            g["phenotype"] = phenotype.into();
        }
    }
}

fn report_of(c: &Child) -> Value {
    let mut r = base().clone();
    let day0 = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let i: i64 = c.id[3..].parse().unwrap();
    let collected = day0 + chrono::Days::new(7 * i as u64);
    let received = collected + chrono::Days::new(2);
    let analysed = received + chrono::Days::new(c.turnaround as u64);
    r["sample"]["sample_id"] = c.id.as_str().into();
    r["sample"]["lab_id"] = c.lab.into();
    r["sample"]["hospital"] = c.hospital.into();
    r["sample"]["collection_date"] = collected.to_string().into();
    r["sample"]["received_date"] = received.to_string().into();
    r["provenance"]["analysis_date"] = analysed.to_string().into();
    r["provenance"]["inputs"][0]["sha256"] = format!("{:064}", i).into();
    r["qc"]["verdict"] = if c.qc_fail { "fail" } else { "pass" }.into();
    for t in r["fusion_targets"].as_array_mut().unwrap() {
        t["status"] = if t["name"] == "ETV6::RUNX1" && c.etv6_runx1 {
            "detected"
        } else {
            "not_detected"
        }
        .into();
    }
    if !c.etv6_runx1 {
        r["fusions"] = json!([]);
        r["findings"]
            .as_array_mut()
            .unwrap()
            .retain(|f| f["kind"] != "fusion");
        r["risk"]["subtypes"] = json!([]);
    } else {
        r["risk"]["subtypes"] = json!(["B-ALL with ETV6::RUNX1 fusion"]);
    }
    set_pgx(&mut r, "TPMT", "*1/*1", "Normal Metabolizer");
    set_pgx(&mut r, "NUDT15", "*1/*1", "Normal Metabolizer");
    if c.nudt15_het {
        set_pgx(&mut r, "NUDT15", "*1/*3", "Intermediate Metabolizer");
    }
    if c.tpmt_het {
        set_pgx(&mut r, "TPMT", "*1/*3A", "Intermediate Metabolizer");
    }
    if c.old_panel {
        r["provenance"]["panel"]["version"] = "0.9.0".into();
        r["fusion_targets"]
            .as_array_mut()
            .unwrap()
            .retain(|t| t["name"] != "TCF3::HLF");
    }
    if c.old_schema {
        r["schema_version"] = "0.6.1".into();
        let s = r["sample"].as_object_mut().unwrap();
        for k in ["hospital", "collection_date", "received_date"] {
            s.remove(k);
        }
        r["provenance"]
            .as_object_mut()
            .unwrap()
            .remove("analysis_date");
    }
    r
}

struct Cohort {
    dir: PathBuf,
    foreign: PathBuf,
}

fn write(p: &Path, v: &Value) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

fn cohort() -> &'static Cohort {
    static C: OnceLock<Cohort> = OnceLock::new();
    C.get_or_init(|| {
        let dir = tmp("registry-cohort");
        let results = dir.join("results");
        for i in 0..CHILDREN {
            let c = child(i);
            write(
                &results.join(c.lab).join(&c.id).join("report.json"),
                &report_of(&c),
            );
        }
        // a failed re-analysis of MX-003's data
        let mut rerun = report_of(&child(3));
        rerun["qc"]["verdict"] = "fail".into();
        write(&results.join("LAB-1/rerun/MX-003/report.json"), &rerun);
        // the reference lab re-tests MX-004 and MX-006 on its own sequencing
        let mut pairs = String::from("sample_id,reference,test,reference_lab,test_lab\n");
        for i in [4usize, 6] {
            let c = child(i);
            let mut r = report_of(&c);
            r["sample"]["lab_id"] = "LAB-REF".into();
            r["provenance"]["inputs"][0]["sha256"] = format!("ref{:061}", i).into();
            let p = results.join("LAB-REF").join(&c.id).join("report.json");
            write(&p, &r);
            pairs += &format!(
                "{},{},{},LAB-REF,LAB-1\n",
                c.id,
                p.display(),
                results
                    .join("LAB-1")
                    .join(&c.id)
                    .join("report.json")
                    .display()
            );
        }
        std::fs::write(dir.join("pairs.csv"), pairs).unwrap();
        let o = run(&[
            "validate",
            dir.join("pairs.csv").to_str().unwrap(),
            "--out",
            results.join("validation").to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        // another child with MX-000's ID at another hospital
        let mut namesake = report_of(&child(11));
        namesake["sample"]["sample_id"] = "MX-000".into();
        namesake["sample"]["hospital"] = "HOSP-SUR".into();
        namesake["sample"]["lab_id"] = "LAB-2".into();
        namesake["provenance"]["inputs"][0]["sha256"] = "f".repeat(64).into();
        write(&results.join("LAB-2/namesake/report.json"), &namesake);
        // files that are not usable reports
        std::fs::create_dir_all(results.join("broken")).unwrap();
        std::fs::write(
            results.join("broken/report.json"),
            "{\"schema_version\": \"0.6.2\", ",
        )
        .unwrap();
        let mut newer = report_of(&child(5));
        newer["schema_version"] = "0.9.0".into();
        write(&results.join("future/report.json"), &newer);
        let foreign = dir.join("bundle.json");
        write(&foreign, &json!({"resourceType": "Bundle", "entry": []}));
        Cohort { dir, foreign }
    })
}

fn registry(args: &[&str], out: &Path) -> (std::process::Output, Option<Value>) {
    let c = cohort();
    let from = c.dir.join("results");
    let mut full = vec![
        "registry",
        c.foreign.to_str().unwrap(),
        "--from",
        from.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    full.extend_from_slice(args);
    let o = run(&full);
    let doc = out
        .join("registry.json")
        .is_file()
        .then(|| read(&out.join("registry.json")));
    (o, doc)
}

fn table<'a>(summary: &'a Value, id: &str) -> &'a Vec<Value> {
    summary["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no table {id}"))["rows"]
        .as_array()
        .unwrap()
}

fn row<'a>(summary: &'a Value, id: &str, category: &str) -> &'a Value {
    table(summary, id)
        .iter()
        .find(|r| r["category"] == category)
        .unwrap_or_else(|| panic!("no {category} in {id}"))
}

fn n_of(r: &Value) -> (Option<u64>, Option<u64>) {
    (r["n"].as_u64(), r["of"].as_u64())
}

#[test]
fn the_real_report_carries_hospital_and_dates() {
    let b = base();
    assert_eq!(b["sample"]["hospital"], "HOSP-NORTE");
    assert_eq!(b["sample"]["collection_date"], "2026-01-05");
    assert_eq!(b["sample"]["received_date"], "2026-01-07");
    assert!(puente::util::parse_date(b["provenance"]["analysis_date"].as_str().unwrap()).is_some());
    assert!(b["fusion_targets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "ETV6::RUNX1" && t["status"] == "detected"));
}

#[test]
fn cohort_counts_are_exact_and_each_child_counts_once() {
    let out = tmp("registry-out");
    let (o, doc) = registry(&[], &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = doc.unwrap();
    assert_valid(&doc, "registry.schema.json");
    let err = stderr(&o);
    for want in [
        "bundle.json: not a puente report.json",
        "broken/report.json: not JSON",
        "future/report.json: report from a newer puente",
    ] {
        assert!(err.contains(want), "{want} not in {err}");
    }
    let kids: Vec<Child> = (0..CHILDREN).map(child).collect();
    // 24 designed children, 3 duplicates (a re-run, two re-tests), one namesake elsewhere
    let c = &doc["cohort"];
    assert_eq!(c["files_read"], 24 + 3 + 1 + 4);
    assert_eq!(c["reports_used"], 24 + 3 + 1);
    assert_eq!(c["validation_files_used"], 1);
    assert_eq!(c["duplicate_reports"], 3);
    assert_eq!(c["children"], 25);
    assert_eq!(c["report_schema_versions"]["0.6.1"], 2);
    assert_eq!(c["skipped"].as_array().unwrap().len(), 3);
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(stdout.contains("29 of 32 files used"), "{stdout}");

    let all = &doc["overall"];
    let fails = kids.iter().filter(|k| k.qc_fail).count() as u64;
    let reportable = 25 - fails;
    // 2 QC failures are hidden, and the reportable count with them (25 - 2 would give it away)
    assert!(row(all, "children", "qc_fail")["n"].is_null());
    assert!(row(all, "children", "reportable")["n"].is_null());
    assert_eq!(row(all, "children", "reportable")["of"], 25);
    let etv6 = kids.iter().filter(|k| k.etv6_runx1 && !k.qc_fail).count() as u64;
    assert_eq!(
        n_of(row(all, "subtype", "B-ALL with ETV6::RUNX1 fusion")),
        (Some(etv6), Some(reportable))
    );
    assert_eq!(
        n_of(row(all, "fusion_pair", "ETV6::RUNX1")),
        (Some(etv6), Some(reportable))
    );
    let r = row(all, "fusion_pair", "ETV6::RUNX1");
    let (lo, hi) = puente::concordance::stats::wilson(etv6, reportable).unwrap();
    assert!((r["lower_95"].as_f64().unwrap() - lo).abs() < 1e-9);
    assert!((r["upper_95"].as_f64().unwrap() - hi).abs() < 1e-9);
    // TCF3::HLF is only on the newer panel: tested in its reportable children (+ the namesake)
    let new_panel = kids.iter().filter(|k| !k.old_panel && !k.qc_fail).count() as u64 + 1;
    assert_eq!(
        n_of(row(all, "fusion_pair", "TCF3::HLF")),
        (Some(0), Some(new_panel))
    );
    // NUDT15 *3: 5 alleles, shown; TPMT *3A: 2 alleles, hidden with *1 beside a shown total
    let het = kids.iter().filter(|k| k.nudt15_het && !k.qc_fail).count() as u64;
    assert_eq!(het, 5);
    assert_eq!(
        n_of(row(all, "pgx.NUDT15.allele", "*3")),
        (Some(het), Some(2 * reportable))
    );
    assert_eq!(
        row(all, "pgx.NUDT15.allele", "*1")["n"],
        2 * reportable - het
    );
    let tpmt = row(all, "pgx.TPMT.allele", "*3A");
    assert_eq!(tpmt["suppressed"], true);
    assert!(tpmt["n"].is_null() && tpmt["proportion"].is_null());
    assert_eq!(row(all, "pgx.TPMT.allele", "*1")["suppressed"], true);
    assert_eq!(
        row(all, "pgx.NUDT15.phenotype", "Intermediate Metabolizer")["n"],
        het
    );
    let hw = doc["hardy_weinberg"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["gene"] == "NUDT15")
        .unwrap();
    assert_eq!(hw["genotyped"], reportable);
    assert!(hw["p_value"].as_f64().unwrap() > 0.5);

    // labs: distinct inputs; the re-run of MX-003 is the same input
    let lab = |name: &str| {
        doc["labs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["lab"] == name)
            .unwrap_or_else(|| panic!("no lab {name}"))
            .clone()
    };
    let lab1 = lab("LAB-1");
    assert_eq!(lab1["runs"], 16);
    let mut days: Vec<i64> = kids
        .iter()
        .filter(|k| k.lab == "LAB-1")
        .map(|k| k.turnaround)
        .collect();
    days.sort();
    let median = (days[7] + days[8]) as f64 / 2.0;
    assert_eq!(lab1["turnaround_days"]["median"], median);
    assert_eq!(lab1["transport_days"]["median"], 2.0);
    let lab2 = lab("LAB-2");
    assert_eq!(lab2["runs"], 9);
    // the two old-schema reports have no dates
    assert_eq!(lab2["turnaround_days"]["n"], 7);
    let reference = lab("LAB-REF");
    assert!(
        reference["runs"].is_null(),
        "two runs are under the minimum"
    );
    let v = &reference["validation"].as_array().unwrap();
    assert_eq!(v.len(), 0, "LAB-REF is the reference, not scored");
    let scored = &lab1["validation"].as_array().unwrap()[0];
    assert_eq!(scored["pairs"], 2);
    assert!(scored["status"].is_string());

    // de-identified: no sample ID and no report path anywhere
    for f in [
        "registry.json",
        "registry_tables.csv",
        "registry_labs.csv",
        "registry.html",
    ] {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        assert!(!text.contains("MX-"), "{f} names a child");
        assert!(!text.contains("bundle.json"), "{f} names an input file");
    }
    let cmd = doc["provenance"]["command_line"].to_string();
    assert!(cmd.contains("<report files: 1>"), "{cmd}");
    // the CSV holds every row of every table
    let csv_rows = std::fs::read_to_string(out.join("registry_tables.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    let json_rows: usize = std::iter::once(&doc["overall"])
        .chain(doc["qc"].as_array().unwrap())
        .map(|s| {
            s["tables"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["rows"].as_array().unwrap().len())
                .sum::<usize>()
        })
        .sum();
    assert_eq!(csv_rows, json_rows);
    let html = std::fs::read_to_string(out.join("registry.html")).unwrap();
    assert!(html.contains("Supresión de celdas pequeñas") && html.contains("<svg"));
    assert!(html.contains("suprimido"));
}

#[test]
fn groups_by_hospital_suppress_small_cells_without_leaks() {
    let out = tmp("registry-hospital");
    let (o, doc) = registry(&["--by", "hospital", "--lang", "en"], &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = doc.unwrap();
    let groups = doc["groups"].as_array().unwrap();
    let names: Vec<&str> = groups
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["HOSP-CENTRO", "HOSP-NORTE", "HOSP-SUR", "unspecified"]
    );
    // the two old-schema reports have no hospital: 2 children, hidden
    let unspecified = &groups[3];
    assert!(row(unspecified, "children", "reportable")["n"].is_null());
    let overall = &doc["overall"];
    for t in overall["tables"].as_array().unwrap() {
        let id = t["id"].as_str().unwrap();
        for (r, total) in t["rows"].as_array().unwrap().iter().enumerate() {
            for field in ["n", "of"] {
                let hidden = groups
                    .iter()
                    .filter(|g| table(g, id)[r][field].is_null())
                    .count();
                assert!(
                    total[field].is_null() || hidden != 1,
                    "{id} {} {field}: one hidden group beside a shown total",
                    total["category"]
                );
            }
        }
    }
    let html = std::fs::read_to_string(out.join("registry.html")).unwrap();
    assert!(html.contains("By hospital") && html.contains("suppressed"));
    // a higher threshold hides more
    let out5 = tmp("registry-min10");
    let (o, doc) = registry(&["--min-cell", "10"], &out5);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = doc.unwrap();
    assert_eq!(doc["suppression"]["min_cell"], 10);
    assert!(row(&doc["overall"], "pgx.NUDT15.allele", "*3")["n"].is_null());
}

#[test]
fn period_groups_and_bad_inputs() {
    let out = tmp("registry-period");
    let (o, doc) = registry(&["--by", "period", "--period", "quarter"], &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let names: Vec<String> = doc.unwrap()["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["2026-Q1", "2026-Q2", "undated"]);

    // nothing usable: exit 5, and no output written
    let junk = tmp("registry-junk");
    write(&junk.join("a/report.json"), &json!({"hello": 1}));
    let bad_out = tmp("registry-junk-out");
    let o = run(&[
        "registry",
        "--from",
        junk.to_str().unwrap(),
        "--out",
        bad_out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no usable report.json among 1 file"),
        "{}",
        stderr(&o)
    );
    assert!(!bad_out.join("registry.json").exists());
    // a threshold below 3 is refused
    let o = run(&[
        "registry",
        "--from",
        junk.to_str().unwrap(),
        "--out",
        "x",
        "--min-cell",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(2));
    // a folder that is not there
    let o = run(&["registry", "--from", "/nonexistent/results", "--out", "x"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
}
