use super::*;
use serde_json::{json, Value};

const GENES: [&str; 8] = [
    "BCR", "ABL1", "ETV6", "RUNX1", "KRAS", "TPMT", "NUDT15", "IKZF1",
];

/// A minimal report.json of one child: nothing found, QC pass, normal metabolizer.
fn report(id: &str) -> Value {
    let genes: Vec<Value> = GENES.iter().map(|g| json!({ "gene": g })).collect();
    let modules: Vec<Value> = ["qc", "small_variants", "fusions", "copy_number", "pgx"]
        .iter()
        .map(|m| json!({"module": m, "status": "done"}))
        .collect();
    json!({
        "schema_version": crate::report::SCHEMA_VERSION,
        "sample": {"sample_id": id, "lab_id": "LAB-A", "hospital": "H1",
                   "collection_date": "2026-02-01", "received_date": "2026-02-03"},
        "provenance": {
            "panel": {"name": "all-v1", "version": "1.0.0", "build": "GRCh38", "sha256": "p1"},
            "inputs": [{"role": "alignment", "path": format!("/data/{id}.bam"), "sha256": format!("bam-{id}")}],
            "analysis_date": "2026-02-10"
        },
        "qc": {"verdict": "pass", "mean_exon_depth": 500.0, "pct_exon_bases_at_min_depth": 98.0,
               "genes": genes},
        "modules": modules,
        "fusion_targets": [
            {"name": "BCR::ABL1", "gene5": "BCR", "gene3": "ABL1", "class": "tki", "status": "not_detected"},
            {"name": "ETV6::RUNX1", "gene5": "ETV6", "gene3": "RUNX1", "class": "favourable", "status": "not_detected"}
        ],
        "fusions": [],
        "findings": [],
        "annotations": [],
        "copy_number": {"calls": [], "ikzf1plus": {"status": "negative"}, "ploidy": {"pattern": "none"}},
        "pgx": {"genes": [
            {"gene": "TPMT", "diplotype": "*1/*1", "phenotype": "Normal Metabolizer"},
            {"gene": "NUDT15", "diplotype": "*1/*1", "phenotype": "Normal Metabolizer"}],
            "dosing": {"category": "normal"}},
        "risk": {"subtypes": [], "outputs": [
            {"id": "genetic_risk", "value": "standard", "provisional": false, "missing_inputs": []}]}
    })
}

fn with_fusion(mut r: Value, name: &str, subtype: &str) -> Value {
    for t in r["fusion_targets"].as_array_mut().unwrap() {
        if t["name"] == name {
            t["status"] = "detected".into();
        }
    }
    r["risk"]["subtypes"] = json!([subtype]);
    r
}

fn nudt15_het(mut r: Value) -> Value {
    r["pgx"]["genes"][1] =
        json!({"gene": "NUDT15", "diplotype": "*1/*3", "phenotype": "Intermediate Metabolizer"});
    r["pgx"]["dosing"]["category"] = "intermediate".into();
    r
}

fn records(reports: Vec<Value>) -> Vec<Record> {
    reports
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let sha = crate::util::sha256_bytes(v.to_string().as_bytes());
            match classify(v, sha, i) {
                Ok(Input::Report(r)) => *r,
                Ok(Input::Validation(_)) => panic!("not a report"),
                Err(e) => panic!("{e:?}"),
            }
        })
        .collect()
}

fn opts(min_cell: u64, by: Option<GroupBy>) -> Options {
    Options {
        min_cell,
        by,
        period: PeriodLength::Quarter,
        command_line: vec!["puente".into(), "registry".into()],
        analysis_date: "2026-11-23".into(),
    }
}

fn table<'a>(s: &'a Summary, id: &str) -> &'a Table {
    s.tables
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("no table {id}"))
}

fn row<'a>(s: &'a Summary, id: &str, cat: &str) -> &'a Row {
    table(s, id)
        .rows
        .iter()
        .find(|r| r.category == cat)
        .unwrap_or_else(|| panic!("no row {cat} in {id}"))
}

/// Ten children (3 BCR::ABL1, 4 ETV6::RUNX1, 3 without), two NUDT15 *1/*3, plus a re-run, a
/// paired-lab re-test and a namesake at another hospital.
fn cohort() -> Vec<Value> {
    let mut v = Vec::new();
    for i in 1..=10 {
        let id = format!("P{i:02}");
        let mut r = match i {
            1..=3 => with_fusion(report(&id), "BCR::ABL1", "B-ALL with BCR::ABL1 fusion"),
            4..=7 => with_fusion(report(&id), "ETV6::RUNX1", "B-ALL with ETV6::RUNX1 fusion"),
            _ => report(&id),
        };
        if i == 8 || i == 9 {
            r = nudt15_het(r);
        }
        v.push(r);
    }
    // a failed re-run of P01 from the same BAM: the passing report counts
    let mut rerun = report("P01");
    rerun["qc"]["verdict"] = "fail".into();
    rerun["provenance"]["analysis_date"] = "2026-02-12".into();
    v.push(rerun);
    // the reference lab re-tests P04 on its own sequencing
    let mut retest = with_fusion(
        report("P04"),
        "ETV6::RUNX1",
        "B-ALL with ETV6::RUNX1 fusion",
    );
    retest["sample"]["lab_id"] = "LAB-REF".into();
    retest["provenance"]["inputs"][0]["sha256"] = "bam-P04-ref".into();
    v.push(retest);
    // P10 is also the ID of another child at another hospital
    let mut namesake = report("P10");
    namesake["sample"]["hospital"] = "H2".into();
    namesake["provenance"]["inputs"][0]["sha256"] = "bam-P10-H2".into();
    v.push(namesake);
    v
}

#[test]
fn counts_each_child_once_and_exactly() {
    let reg = build(records(cohort()), &[], &[], 13, &opts(3, None)).unwrap();
    assert_eq!(reg.cohort.reports_used, 13);
    assert_eq!(reg.cohort.children, 11);
    assert_eq!(reg.cohort.duplicate_reports, 2);
    assert_eq!(reg.cohort.children_with_conflicting_subtypes, Some(0));
    let o = &reg.overall;
    assert_eq!(row(o, "children", "reportable").n, Some(11));
    assert_eq!(row(o, "children", "qc_fail").n, Some(0));
    let bcr = row(o, "subtype", "B-ALL with BCR::ABL1 fusion");
    assert_eq!((bcr.n, bcr.of), (Some(3), Some(11)));
    assert_eq!(
        row(o, "subtype", "B-ALL with ETV6::RUNX1 fusion").n,
        Some(4)
    );
    assert_eq!(row(o, "subtype", "none").n, Some(4));
    // largest first
    assert_eq!(
        table(o, "subtype").rows[0].category,
        "B-ALL with ETV6::RUNX1 fusion"
    );
    let pair = row(o, "fusion_pair", "BCR::ABL1");
    assert_eq!((pair.n, pair.of), (Some(3), Some(11)));
    let (lo, hi) = (pair.lower_95.unwrap(), pair.upper_95.unwrap());
    let (wl, wh) = wilson(3, 11).unwrap();
    assert!((lo - wl).abs() < 1e-12 && (hi - wh).abs() < 1e-12);
    assert_eq!(row(o, "treatment", "tki_class_fusion").n, Some(3));
    assert_eq!(row(o, "treatment", "ikzf1plus").n, Some(0));
    // 2 NUDT15 *3 alleles of 22: hidden, and *1 with them (22 - 20 would give it away)
    let a3 = row(o, "pgx.NUDT15.allele", "*3");
    assert_eq!((a3.n, a3.of, a3.suppressed), (None, Some(22), true));
    assert!(row(o, "pgx.NUDT15.allele", "*1").suppressed);
    assert_eq!(row(o, "pgx.TPMT.allele", "*1").n, Some(22));
    assert!(row(o, "thiopurine_dosing", "intermediate").suppressed);
    assert!(row(o, "treatment", "thiopurine_dose_reduction").suppressed);
    // labs: LAB-A ran 11 distinct inputs (the re-run of P01 is the same input), LAB-REF one
    let lab_a = reg.labs.iter().find(|l| l.lab == "LAB-A").unwrap();
    assert_eq!(lab_a.runs, Some(11));
    assert_eq!(lab_a.turnaround_days.median, Some(7.0));
    assert_eq!(lab_a.transport_days.median, Some(2.0));
    let lab_ref = reg.labs.iter().find(|l| l.lab == "LAB-REF").unwrap();
    assert_eq!(lab_ref.runs, None, "one run is under the cell minimum");
    let hw = reg
        .hardy_weinberg
        .iter()
        .find(|h| h.gene == "NUDT15")
        .unwrap();
    assert_eq!(hw.genotyped, 11);
    assert!(hw.p_value.unwrap() > 0.5);
}

#[test]
fn default_threshold_hides_small_cells_and_never_goes_below_three() {
    let reg = build(records(cohort()), &[], &[], 13, &opts(5, None)).unwrap();
    let o = &reg.overall;
    let bcr = row(o, "subtype", "B-ALL with BCR::ABL1 fusion");
    assert_eq!((bcr.n, bcr.proportion, bcr.lower_95), (None, None, None));
    assert!(bcr.suppressed);
    assert_eq!(reg.suppression.min_cell, 5);
    let reg = build(records(cohort()), &[], &[], 13, &opts(1, None)).unwrap();
    assert_eq!(reg.suppression.min_cell, MIN_CELL_FLOOR);
}

#[test]
fn groups_by_lab_hospital_and_period_leak_nothing_by_subtraction() {
    for by in [GroupBy::Lab, GroupBy::Hospital, GroupBy::Period] {
        let reg = build(records(cohort()), &[], &[], 13, &opts(3, Some(by))).unwrap();
        let names: Vec<&str> = reg.groups.iter().map(|g| g.group.as_str()).collect();
        match by {
            GroupBy::Lab => assert_eq!(names, ["LAB-A", "LAB-REF"]),
            GroupBy::Hospital => assert_eq!(names, ["H1", "H2"]),
            GroupBy::Period => assert_eq!(names, ["2026-Q1"]),
        }
        for (t, overall) in reg.overall.tables.iter().enumerate() {
            for (r, o) in overall.rows.iter().enumerate() {
                let cells: Vec<&Row> = reg.groups.iter().map(|g| &g.tables[t].rows[r]).collect();
                let hidden = cells.iter().filter(|c| c.n.is_none()).count();
                assert!(
                    o.n.is_none() || hidden != 1 || cells.len() == 1 && o.n.is_none(),
                    "{by:?} {} {}: one hidden group cell beside a shown total",
                    overall.id,
                    o.category
                );
            }
        }
    }
    let reg = build(
        records(cohort()),
        &[],
        &[],
        13,
        &opts(3, Some(GroupBy::Hospital)),
    )
    .unwrap();
    // H2 holds one child: every count of it is hidden, and so is one more H1 count per row
    let h2 = &reg.groups[1];
    assert_eq!(row(h2, "children", "reportable").n, None);
    assert_eq!(row(&reg.groups[0], "children", "reportable").n, None);
    assert_eq!(row(&reg.overall, "children", "reportable").n, Some(11));
}

#[test]
fn mixed_panel_versions_count_a_marker_only_where_it_was_tested() {
    let mut reports = cohort();
    // six children tested with a newer panel that adds a fusion between two new genes
    for (i, r) in reports.iter_mut().take(6).enumerate() {
        r["provenance"]["panel"]["version"] = "1.1.0".into();
        r["provenance"]["panel"]["sha256"] = "p2".into();
        r["qc"]["genes"]
            .as_array_mut()
            .unwrap()
            .extend([json!({"gene": "NEW1"}), json!({"gene": "NEW2"})]);
        r["fusion_targets"].as_array_mut().unwrap().push(json!({
            "name": "NEW1::NEW2", "gene5": "NEW1", "gene3": "NEW2", "class": "other",
            "status": match i { 0..=2 => "detected", 3 => "insufficient_depth", _ => "not_detected" }}));
    }
    // a KRAS finding in three children; one child's panel did not cover KRAS
    for i in [4, 5, 6] {
        reports[i]["findings"] = json!([{"marker_id": "variant.KRAS-hotspots", "kind": "variant",
            "lesion": "KRAS hotspot", "call_ids": ["chr12:25245350:C:T"], "subtype_defining": false}]);
        reports[i]["annotations"] = json!([{"variant_id": "chr12:25245350:C:T", "gene": "KRAS"}]);
    }
    reports[9]["qc"]["genes"] = json!([{"gene": "BCR"}]);
    let reg = build(records(reports), &[], &[], 13, &opts(3, None)).unwrap();
    let o = &reg.overall;
    // P01's best report is the 1.1.0 one (its failed re-run is the same child); the
    // insufficient-depth result is not a negative; the 1.0.0 reports did not test the pair
    let new = row(o, "fusion_pair", "NEW1::NEW2");
    assert_eq!((new.n, new.of), (Some(3), Some(5)));
    let kras = row(o, "marker", "variant.KRAS-hotspots");
    assert_eq!((kras.n, kras.of), (Some(3), Some(10)));
    assert_eq!(kras.label, "KRAS hotspot");
    assert_eq!(reg.cohort.panels.len(), 2);
    assert_eq!(
        reg.cohort.panels.iter().map(|p| p.reports).sum::<usize>(),
        13
    );
}

#[test]
fn provisional_risk_and_missing_inputs() {
    let mut reports: Vec<Value> = (1..=6).map(|i| report(&format!("R{i}"))).collect();
    for r in reports.iter_mut().take(4) {
        r["risk"]["outputs"][0] = json!({"id": "genetic_risk", "value": "standard",
            "provisional": true, "missing_inputs": ["mrd_eoi"]});
    }
    reports[5]["risk"]["outputs"][0]["value"] = Value::Null;
    let reg = build(records(reports), &[], &[], 6, &opts(3, None)).unwrap();
    let o = &reg.overall;
    let p = row(o, "risk_provisional", "genetic_risk");
    assert_eq!((p.n, p.of), (Some(4), Some(6)));
    let m = row(o, "risk_provisional", "genetic_risk|mrd_eoi");
    assert_eq!((m.n, m.of), (Some(4), Some(4)));
    // one undetermined child: hidden, and "standard" with it
    assert!(row(o, "risk.genetic_risk", "undetermined").suppressed);
    assert!(row(o, "risk.genetic_risk", "standard").suppressed);
}

#[test]
fn foreign_old_and_new_files_are_refused_with_a_reason() {
    let reason = |v: Value| match classify(v, "x".into(), 0) {
        Err((reason, detail)) => format!("{reason}: {detail}"),
        Ok(_) => "accepted".into(),
    };
    assert!(reason(json!({"resourceType": "Bundle"})).starts_with("not a puente report.json"));
    assert!(reason(json!({"schema_version": "0.1.0", "pairs": []}))
        .starts_with("not a puente report.json"));
    let mut old = report("A");
    old["schema_version"] = "0.5.0".into();
    assert!(reason(old).starts_with("report too old"));
    let mut new = report("A");
    new["schema_version"] = "0.9.0".into();
    assert!(reason(new).contains("upgrade"));
    let mut broken = report("A");
    broken["qc"]["verdict"] = "maybe".into();
    assert!(reason(broken).starts_with("report does not match its schema"));
    // an older compatible report without hospital or dates is read
    let mut older = report("A");
    older["schema_version"] = "0.6.0".into();
    older["sample"] = json!({"sample_id": "A"});
    assert_eq!(reason(older), "accepted");
}

#[test]
fn no_sample_id_reaches_the_output() {
    let reg = build(
        records(cohort()),
        &[],
        &[],
        13,
        &opts(3, Some(GroupBy::Lab)),
    )
    .unwrap();
    let text = serde_json::to_string(&reg).unwrap();
    for i in 1..=10 {
        assert!(
            !text.contains(&format!("P{i:02}")),
            "P{i:02} in registry.json"
        );
    }
    assert!(!text.contains("bam-"), "input checksums stay out");
}
