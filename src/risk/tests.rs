use super::*;
use crate::panel::Panel;

fn finding(id: &str, prognosis: &str, call: &str) -> Finding {
    Finding {
        marker_id: id.into(),
        kind: "fusion".into(),
        lesion: id.into(),
        detail: String::new(),
        call_ids: vec![call.into()],
        subtype_defining: true,
        who_haem5: Some(format!("subtype of {id}")),
        icc_2022: None,
        prognosis: prognosis.into(),
        verified: true,
        tier: "I".into(),
        implications: vec![],
        sources: vec![],
        knowledge_base_version: "1".into(),
    }
}

fn sample(age: Option<f64>, wbc: Option<f64>, d15: Option<f64>, eoi: Option<f64>) -> SampleInfo {
    SampleInfo {
        sample_id: "S".into(),
        age_years: age,
        wbc_per_ul: wbc,
        mrd_day15: d15,
        mrd_eoi: eoi,
        lineage: Some("B".into()),
        cns_status: Some("CNS1".into()),
        ..Default::default()
    }
}

fn out<'a>(a: &'a RiskAssessment, id: &str) -> &'a RiskOutput {
    a.outputs.iter().find(|o| o.id == id).unwrap()
}

fn rules() -> RuleSet {
    Panel::load("all-v1").unwrap().risk
}

#[test]
fn etv6_runx1_standard_risk_child_is_provisional_lr_until_mrd() {
    let r = rules();
    let f = [finding("fusion.ETV6-RUNX1", "favourable", "fus-1")];
    let a = r.assess(
        &sample(Some(4.0), Some(12000.0), None, None),
        &f,
        Verdict::Pass,
    );
    assert_eq!(out(&a, "nci_risk").value.as_deref(), Some("standard"));
    assert!(!out(&a, "nci_risk").provisional);
    assert_eq!(out(&a, "genetic_risk").value.as_deref(), Some("favourable"));
    let p = out(&a, "protocol_risk");
    assert_eq!(p.value.as_deref(), Some("LR"));
    assert!(p.provisional);
    assert_eq!(p.missing_inputs, vec!["mrd_day15", "mrd_eoi"]);
    let etv6 = p
        .fired
        .iter()
        .find(|f| f.rule_id == "sj.lr-etv6-runx1")
        .unwrap();
    assert_eq!(etv6.call_ids, vec!["fus-1"]);
    assert_eq!(a.subtypes, vec!["subtype of fusion.ETV6-RUNX1"]);
    // MRD arrives: negative at both time points -> final LR
    let a = r.assess(
        &sample(Some(4.0), Some(12000.0), Some(0.001), Some(0.0)),
        &f,
        Verdict::Pass,
    );
    let p = out(&a, "protocol_risk");
    assert_eq!((p.value.as_deref(), p.provisional), (Some("LR"), false));
    // end-of-induction MRD 0.5% -> SR, 2% -> HR
    let a = r.assess(
        &sample(Some(4.0), Some(12000.0), Some(0.001), Some(0.005)),
        &f,
        Verdict::Pass,
    );
    assert_eq!(out(&a, "protocol_risk").value.as_deref(), Some("SR"));
    let a = r.assess(
        &sample(Some(4.0), Some(12000.0), Some(0.001), Some(0.02)),
        &f,
        Verdict::Pass,
    );
    let p = out(&a, "protocol_risk");
    assert_eq!(p.value.as_deref(), Some("HR"));
    assert!(p.fired.iter().any(|f| f.rule_id == "sj.hr-mrd-eoi"));
}

#[test]
fn bcr_abl1_is_high_risk_without_waiting_for_mrd() {
    let f = [finding("fusion.BCR-ABL1", "adverse", "fus-9")];
    let a = rules().assess(
        &sample(Some(12.0), Some(80000.0), None, None),
        &f,
        Verdict::Pass,
    );
    assert_eq!(out(&a, "nci_risk").value.as_deref(), Some("high"));
    assert_eq!(
        out(&a, "genetic_risk").value.as_deref(),
        Some("unfavourable")
    );
    let p = out(&a, "protocol_risk");
    assert_eq!((p.value.as_deref(), p.provisional), (Some("HR"), false));
}

#[test]
fn missing_age_and_wbc_are_named_never_guessed() {
    let a = rules().assess(&sample(None, None, None, None), &[], Verdict::Pass);
    let nci = out(&a, "nci_risk");
    assert_eq!(nci.value, None);
    assert_eq!(nci.basis, "none");
    assert_eq!(nci.missing_inputs, vec!["age_years", "wbc_per_ul"]);
    // no genetic lesion: neutral by default, final
    let g = out(&a, "genetic_risk");
    assert_eq!(
        (g.value.as_deref(), g.basis.as_str(), g.provisional),
        (Some("neutral"), "default", false)
    );
    // protocol SR by default, provisional: NCI group and MRD could move it
    let p = out(&a, "protocol_risk");
    assert_eq!(p.value.as_deref(), Some("SR"));
    assert!(p.provisional);
    assert!(p.missing_inputs.contains(&"mrd_eoi".to_string()));
    assert!(a
        .inputs
        .iter()
        .any(|i| i.name == "age_years" && i.value.is_none()));
}

#[test]
fn failed_qc_makes_genetics_unknown() {
    let a = rules().assess(
        &sample(Some(4.0), Some(1000.0), Some(0.0), Some(0.0)),
        &[],
        Verdict::Fail,
    );
    let g = out(&a, "genetic_risk");
    assert!(g.provisional);
    assert_eq!(g.missing_inputs, vec!["genetics (sample QC failed)"]);
    // a lesion that was found still counts
    let f = [finding("fusion.BCR-ABL1", "adverse", "fus-2")];
    let a = rules().assess(
        &sample(Some(4.0), Some(1000.0), None, None),
        &f,
        Verdict::Fail,
    );
    let p = out(&a, "protocol_risk");
    assert_eq!((p.value.as_deref(), p.provisional), (Some("HR"), false));
}

fn ids() -> BTreeSet<String> {
    ["fusion.BCR-ABL1".to_string()].into_iter().collect()
}

const HEAD: &str = "[ruleset]\nname = \"t\"\nversion = \"1\"\ndescription = \"d\"\nsources = [\"s\"]\n\n[[output]]\nid = \"g\"\ntitle = \"G\"\nlevels = [\"low\", \"high\"]\n";

fn rule(id: &str, level: &str, when: &str) -> String {
    format!("\n[[rule]]\nid = \"{id}\"\noutput = \"g\"\nlevel = \"{level}\"\nwhen = '{when}'\n")
}

#[test]
fn malformed_or_contradictory_rules_are_refused_with_line_and_reason() {
    let bad = |body: String| RuleSet::parse(&(HEAD.to_string() + &body), &ids()).unwrap_err();
    let e = bad(rule("a", "medium", "age_years > 1"));
    assert!(
        e.contains("line 13: rule a: level \"medium\" is not a level of g"),
        "{e}"
    );
    let e = bad(rule("a", "low", "age_years >"));
    assert!(
        e.contains("line 13: rule a: condition: column 12: the condition ends too early"),
        "{e}"
    );
    let e = bad(rule("a", "low", "agee > 1"));
    assert!(e.contains("unknown input \"agee\""), "{e}");
    let e = bad(rule("a", "high", "finding(\"fusion.BCR-ABL\")"));
    assert!(e.contains("names no marker of the knowledge base"), "{e}");
    let e = bad(rule("a", "low", "age_years < 1") + &rule("a", "low", "age_years > 5"));
    assert!(e.contains("line 13: rule a is defined twice"), "{e}");
    let e = bad(rule("a", "low", "age_years < 1") + &rule("b", "high", "age_years  <  1"));
    assert!(
        e.contains("rule b contradicts rule a: same condition, level high vs low"),
        "{e}"
    );
    let e = bad(rule("a", "low", "g == \"low\""));
    assert!(
        e.contains("uses output g, which is not decided before g"),
        "{e}"
    );
    let e = bad(rule("a", "low", "age(1)"));
    assert!(e.contains("unknown function age()"), "{e}");
    // TOML syntax errors keep the parser's own line and column
    let e = RuleSet::parse("[ruleset\n", &ids()).unwrap_err();
    assert!(e.contains("line 1"), "{e}");
    // a valid file
    let ok = RuleSet::parse(
        &(HEAD.to_string() + &rule("a", "high", "finding(\"fusion.BCR-ABL1\")")),
        &ids(),
    );
    assert!(ok.is_ok(), "{:?}", ok.err());
}
