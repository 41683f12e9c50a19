//! Many samples, many lab pairs: per-lab scorecards (PPA, PPV, NPA with 95% Wilson intervals per
//! class, Cohen's kappa over panel markers, agreement of subtype/risk/PGx, VAF bias) judged
//! against acceptance criteria, saying what is missing to pass.
use super::stats::{vaf_agreement, wilson, Proportion, TwoByTwo, VafAgreement};
use super::Concordance;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The criteria shipped with puente (src/concordance/acceptance.toml).
pub const DEFAULT_CRITERIA: &str = include_str!("acceptance.toml");

/// Scorecard classes in report order.
pub const CLASSES: [&str; 6] = ["snv", "mnv", "indel", "fusion", "copy_number", "hotspot"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassCriteria {
    pub ppa_min: f64,
    pub ppa_lower_min: f64,
    #[serde(default)]
    pub ppv_min: Option<f64>,
    #[serde(default)]
    pub ppv_lower_min: Option<f64>,
    #[serde(default)]
    pub npa_min: Option<f64>,
    #[serde(default)]
    pub npa_lower_min: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Criteria {
    pub name: String,
    pub version: String,
    pub kappa_min: f64,
    pub category_agreement_min: f64,
    pub max_abs_vaf_bias: f64,
    pub classes: BTreeMap<String, ClassCriteria>,
}

impl Criteria {
    /// Parse and check a criteria file: known classes, proportions within 0-1.
    pub fn parse(text: &str, path: &Path) -> Result<Criteria> {
        let c: Criteria =
            toml::from_str(text).map_err(|e| Error::input(path, format!("criteria: {e}")))?;
        let mut problems = Vec::new();
        for (name, k) in &c.classes {
            if !CLASSES.contains(&name.as_str()) {
                problems.push(format!(
                    "unknown class {name:?} (expected one of {})",
                    CLASSES.join(", ")
                ));
            }
            let all = [
                Some(k.ppa_min),
                Some(k.ppa_lower_min),
                k.ppv_min,
                k.ppv_lower_min,
                k.npa_min,
                k.npa_lower_min,
            ];
            if all.iter().flatten().any(|x| !(0.0..=1.0).contains(x)) {
                problems.push(format!("class {name}: proportions must lie in 0-1"));
            }
        }
        if !(0.0..=1.0).contains(&c.category_agreement_min) || !(-1.0..=1.0).contains(&c.kappa_min)
        {
            problems.push("kappa_min and category_agreement_min must lie in their ranges".into());
        }
        if problems.is_empty() {
            Ok(c)
        } else {
            Err(Error::input(path, problems.join("; ")))
        }
    }

    pub fn default_criteria() -> Criteria {
        Criteria::parse(DEFAULT_CRITERIA, Path::new("acceptance.toml"))
            .expect("shipped criteria parse")
    }
}

/// One row of pairs.csv.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Pair {
    pub sample_id: String,
    pub reference: PathBuf,
    pub test: PathBuf,
    pub reference_lab: Option<String>,
    pub test_lab: Option<String>,
}

const PAIR_COLUMNS: [&str; 5] = [
    "sample_id",
    "reference",
    "test",
    "reference_lab",
    "test_lab",
];

/// Parse pairs.csv (relative paths resolved against its folder); every problem at once.
pub fn read_pairs(path: &Path) -> Result<Vec<Pair>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let bad = |problems: Vec<String>| Error::Samplesheet {
        path: path.into(),
        problems,
    };
    let mut problems = Vec::new();
    let records = crate::batch::read_sheet(&text, &PAIR_COLUMNS, &PAIR_COLUMNS[..3], &mut problems);
    if !problems.is_empty() {
        return Err(bad(problems));
    }
    let mut pairs = Vec::new();
    let mut seen = BTreeMap::new();
    for rec in &records {
        let line = rec.line;
        let get = |c: &str| rec.get(c);
        let id = get("sample_id");
        if id.is_empty() {
            problems.push(format!("line {line}: empty sample_id"));
            continue;
        }
        let mut file = |col: &str| -> PathBuf {
            let v = get(col);
            let p = base.join(&v);
            if v.is_empty() {
                problems.push(format!("line {line}: {id}: empty {col}"));
            } else if !p.is_file() {
                problems.push(format!(
                    "line {line}: {id}: {col} {} not found",
                    p.display()
                ));
            }
            p
        };
        let (reference, test) = (file("reference"), file("test"));
        let opt = |c: &str| Some(get(c)).filter(|s| !s.is_empty());
        let pair = Pair {
            sample_id: id.clone(),
            reference,
            test,
            reference_lab: opt("reference_lab"),
            test_lab: opt("test_lab"),
        };
        let key = (id.clone(), pair.test_lab.clone(), pair.test.clone());
        if let Some(prev) = seen.insert(key, line) {
            problems.push(format!(
                "line {line}: {id}: same sample and test result as line {prev}"
            ));
        }
        pairs.push(pair);
    }
    if pairs.is_empty() && problems.is_empty() {
        problems.push("no pairs".into());
    }
    if problems.is_empty() {
        Ok(pairs)
    } else {
        Err(bad(problems))
    }
}

/// How one pair went.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PairOutcome {
    pub sample_id: String,
    pub reference_lab: String,
    pub test_lab: String,
    /// Folder of its concordance.json/html, relative to the validation output.
    pub dir: Option<String>,
    /// `concordant`, `discordant`, or `error`.
    pub status: String,
    pub error: Option<String>,
}

/// One class of one lab against its criteria.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClassScore {
    pub class: String,
    pub ppa: Proportion,
    pub ppv: Option<Proportion>,
    pub npa: Option<Proportion>,
    /// `pass`, `fail` (a point estimate below its minimum), `insufficient_data` (estimates good
    /// but too few observations for the confidence bound), or `not_judged` (no criteria).
    pub status: String,
    /// What is missing to pass, in words.
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Scorecard {
    pub lab: String,
    pub pairs: usize,
    pub pairs_failed: usize,
    pub classes: Vec<ClassScore>,
    pub markers: TwoByTwo,
    pub kappa: Option<f64>,
    /// Subtype, risk groups, PGx: categories that agree among those both labs assessed.
    pub category_agreement: Proportion,
    pub vaf: VafAgreement,
    /// `pass` when every judged class and agreement criterion passes.
    pub status: String,
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Validation {
    pub schema_version: String,
    pub puente_version: String,
    pub command_line: Vec<String>,
    pub criteria: Criteria,
    pub pairs: Vec<PairOutcome>,
    pub scorecards: Vec<Scorecard>,
}

/// Smallest number of extra concordant observations for the point estimate to reach `point`
/// and the Wilson lower bound to reach `lower`; None when out of reach (a minimum of 1).
fn needed(successes: u64, total: u64, point: f64, lower: f64) -> Option<u64> {
    let ok = |k: u64| {
        let (s, n) = (successes + k, total + k);
        n > 0 && s as f64 / n as f64 >= point && wilson(s, n).is_some_and(|(lo, _)| lo >= lower)
    };
    if point >= 1.0 || lower >= 1.0 {
        return (total > 0 && successes == total && point <= 1.0 && lower < 1.0).then_some(0);
    }
    (0..=100_000u64).find(|&k| ok(k))
}

/// Findings while judging one class.
#[derive(Default)]
struct Judgement {
    fail: bool,
    short: bool,
    missing: Vec<String>,
}

fn judge(
    label: &str,
    what: &str,
    p: &Proportion,
    point: Option<f64>,
    lower: Option<f64>,
    j: &mut Judgement,
) {
    let (Some(point), lower) = (point, lower.unwrap_or(0.0)) else {
        return;
    };
    let est = p.estimate;
    if est.is_some_and(|e| e < point) {
        j.fail = true;
        j.missing.push(format!(
            "{what} {:.1}% is below {:.1}%: review the {} discordant {label} result(s); {}",
            100.0 * est.unwrap_or(0.0),
            100.0 * point,
            p.total - p.successes,
            match needed(p.successes, p.total, point, lower) {
                Some(k) => format!("{k} more concordant ones would be needed to reach it"),
                None => "more concordant results cannot reach it".into(),
            }
        ));
        return;
    }
    if p.lower_95.is_none_or(|l| l < lower) {
        j.short = true;
        if let Some(k) = needed(p.successes, p.total, point, lower) {
            j.missing.push(format!(
                "{what}: needs {k} more concordant {label} result(s) for a 95% lower bound of {:.0}% (now {})",
                100.0 * lower,
                p.lower_95.map_or("none".into(), |l| format!("{:.1}%", 100.0 * l))
            ));
        }
    }
}

fn score_class(
    class: &str,
    ppa: Proportion,
    ppv: Option<Proportion>,
    npa: Option<Proportion>,
    c: Option<&ClassCriteria>,
) -> ClassScore {
    let Some(c) = c else {
        return ClassScore {
            class: class.into(),
            ppa,
            ppv,
            npa,
            status: "not_judged".into(),
            missing: vec![],
        };
    };
    let mut j = Judgement::default();
    let label_pos = format!("positive {class}");
    judge(
        &label_pos,
        "PPA",
        &ppa,
        Some(c.ppa_min),
        Some(c.ppa_lower_min),
        &mut j,
    );
    if let Some(p) = &ppv {
        judge(
            &format!("test-lab {class}"),
            "PPV",
            p,
            c.ppv_min,
            c.ppv_lower_min,
            &mut j,
        );
    }
    if let Some(p) = &npa {
        judge(
            &format!("negative {class}"),
            "NPA",
            p,
            c.npa_min,
            c.npa_lower_min,
            &mut j,
        );
    }
    ClassScore {
        class: class.into(),
        ppa,
        ppv,
        npa,
        status: if j.fail {
            "fail"
        } else if j.short {
            "insufficient_data"
        } else {
            "pass"
        }
        .into(),
        missing: j.missing,
    }
}

/// Scorecards per test lab from the pairs' comparisons (None = the pair could not be compared).
pub fn scorecards(
    results: &[(PairOutcome, Option<Concordance>)],
    criteria: &Criteria,
) -> Vec<Scorecard> {
    let mut by_lab: BTreeMap<&str, Vec<&(PairOutcome, Option<Concordance>)>> = BTreeMap::new();
    for r in results {
        by_lab.entry(r.0.test_lab.as_str()).or_default().push(r);
    }
    let mut out = Vec::new();
    for (lab, rows) in by_lab {
        let done: Vec<&Concordance> = rows.iter().filter_map(|r| r.1.as_ref()).collect();
        // (ref positives, ref matched, test positives, test matched) per class
        let mut counts: BTreeMap<&str, (u64, u64, u64, u64)> = BTreeMap::new();
        let mut markers = TwoByTwo::default();
        let mut marker_kind: BTreeMap<String, TwoByTwo> = BTreeMap::new();
        let (mut cat_agree, mut cat_total) = (0u64, 0u64);
        let mut vafs = Vec::new();
        for c in &done {
            for s in c
                .small_variants
                .strata
                .iter()
                .filter(|s| s.vaf_bin == "all")
            {
                let e = counts
                    .entry(match s.class.as_str() {
                        "snv" => "snv",
                        "mnv" => "mnv",
                        _ => "indel",
                    })
                    .or_default();
                e.0 += s.reference_calls;
                e.1 += s.reference_matched;
                e.2 += s.test_calls;
                e.3 += s.test_matched;
            }
            let f = &c.fusions;
            let e = counts.entry("fusion").or_default();
            e.0 += (f.matched.len() + f.reference_only.len()) as u64;
            e.1 += f.matched.len() as u64;
            e.2 += (f.matched.len() + f.test_only.len()) as u64;
            e.3 += f.matched.len() as u64;
            let n = &c.copy_number;
            let e = counts.entry("copy_number").or_default();
            e.0 += (n.matched.len() + n.reference_only.len()) as u64;
            e.1 += n.matched.len() as u64;
            e.2 += (n.matched.len() + n.test_only.len()) as u64;
            e.3 += n.matched.len() as u64;
            markers.merge(&c.markers.table);
            for (k, t) in &c.markers.by_kind {
                marker_kind.entry(k.clone()).or_default().merge(t);
            }
            for cat in c.pgx.iter().chain(&c.classification) {
                if cat.item == super::markers::QC_VERDICT {
                    continue;
                }
                if let Some(a) = cat.agree {
                    cat_total += 1;
                    cat_agree += a as u64;
                }
            }
            vafs.extend(
                c.small_variants
                    .vaf_points
                    .iter()
                    .map(|p| (p.reference_vaf, p.test_vaf)),
            );
        }
        let mut classes = Vec::new();
        for class in CLASSES {
            let crit = criteria.classes.get(class);
            let score = if class == "hotspot" {
                let t = marker_kind.get("hotspot").copied().unwrap_or_default();
                score_class(class, t.ppa(), None, Some(t.npa()), crit)
            } else {
                let (rp, rm, tp, tm) = counts.get(class).copied().unwrap_or_default();
                let npa = marker_kind
                    .get(class)
                    .map(|t| t.npa())
                    .filter(|_| crit.is_some_and(|c| c.npa_min.is_some()));
                score_class(
                    class,
                    Proportion::new(rm, rp),
                    Some(Proportion::new(tm, tp)),
                    npa,
                    crit,
                )
            };
            classes.push(score);
        }
        let kappa = markers.kappa();
        let category_agreement = Proportion::new(cat_agree, cat_total);
        let vaf = vaf_agreement(&vafs);
        let mut missing: Vec<String> = Vec::new();
        let mut ok = true;
        for c in &classes {
            if c.status == "fail" || c.status == "insufficient_data" {
                ok = false;
                missing.extend(c.missing.iter().map(|m| format!("{}: {m}", c.class)));
            }
        }
        match kappa {
            Some(k) if k < criteria.kappa_min => {
                ok = false;
                missing.push(format!(
                    "marker kappa {k:.3} is below {:.2}",
                    criteria.kappa_min
                ));
            }
            None => {
                ok = false;
                missing.push("marker kappa not computable: every marker was the same in both labs; include positive samples".into());
            }
            _ => {}
        }
        match category_agreement.estimate {
            Some(a) if a < criteria.category_agreement_min => {
                ok = false;
                missing.push(format!(
                    "subtype/risk/PGx agreement {:.1}% is below {:.1}%",
                    100.0 * a,
                    100.0 * criteria.category_agreement_min
                ));
            }
            None => {
                ok = false;
                missing.push("no subtype, risk or PGx result was assessed by both labs".into());
            }
            _ => {}
        }
        if let Some(b) = vaf.mean_difference {
            if b.abs() > criteria.max_abs_vaf_bias {
                ok = false;
                missing.push(format!(
                    "mean VAF bias {:+.1} points exceeds ±{:.1}",
                    100.0 * b,
                    100.0 * criteria.max_abs_vaf_bias
                ));
            }
        }
        let pairs_failed = rows.iter().filter(|r| r.1.is_none()).count();
        if pairs_failed > 0 {
            ok = false;
            missing.push(format!(
                "{pairs_failed} pair(s) could not be compared (see pairs)"
            ));
        }
        out.push(Scorecard {
            lab: lab.to_string(),
            pairs: rows.len(),
            pairs_failed,
            classes,
            markers,
            kappa,
            category_agreement,
            vaf,
            status: if ok { "pass" } else { "fail" }.into(),
            missing,
        });
    }
    out
}

/// scorecards.tsv: one row per lab and class.
pub fn scorecards_tsv(v: &Validation) -> String {
    let f = |p: &Proportion| {
        format!(
            "{}\t{}\t{}\t{}",
            p.successes,
            p.total,
            p.estimate.map_or(String::new(), |x| format!("{x:.4}")),
            p.lower_95.map_or(String::new(), |x| format!("{x:.4}"))
        )
    };
    let empty = "\t\t\t";
    let mut s = String::from("lab\tclass\tppa_n\tppa_total\tppa\tppa_lower95\tppv_n\tppv_total\tppv\tppv_lower95\tnpa_n\tnpa_total\tnpa\tnpa_lower95\tstatus\tmissing\n");
    for sc in &v.scorecards {
        for c in &sc.classes {
            s += &format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                sc.lab,
                c.class,
                f(&c.ppa),
                c.ppv.as_ref().map_or(empty.into(), f),
                c.npa.as_ref().map_or(empty.into(), f),
                c.status,
                c.missing.join(" | ")
            );
        }
    }
    s
}

pub const SCHEMA_VERSION: &str = "0.1.0";

pub fn json_schema() -> serde_json::Value {
    let mut v = serde_json::to_value(schemars::schema_for!(Validation)).unwrap_or_default();
    v["$id"] = format!("urn:puente:validation:{SCHEMA_VERSION}").into();
    v["title"] = "puente validation.json".into();
    v["properties"]["schema_version"]["const"] = SCHEMA_VERSION.into();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_criteria_parse_and_bad_ones_are_named() {
        let c = Criteria::default_criteria();
        assert_eq!(c.classes.len(), CLASSES.len());
        let bad = DEFAULT_CRITERIA.replace("[classes.hotspot]", "[classes.hotspots]");
        let e = Criteria::parse(&bad, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown class \"hotspots\""), "{e}");
        let bad = DEFAULT_CRITERIA.replacen("ppa_min = 0.95", "ppa_min = 95", 1);
        let e = Criteria::parse(&bad, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("0-1"), "{e}");
    }

    #[test]
    fn judging_separates_failure_from_too_few_positives() {
        let c = Criteria::default_criteria();
        let crit = c.classes.get("indel");
        // 10/10: estimates perfect, but the lower bound needs 35 concordant positives
        let s = score_class(
            "indel",
            Proportion::new(10, 10),
            Some(Proportion::new(10, 10)),
            None,
            crit,
        );
        assert_eq!(s.status, "insufficient_data");
        assert!(
            s.missing[0].contains("needs 25 more concordant positive indel"),
            "{:?}",
            s.missing
        );
        // 40/45 is 88.9%: a failure, whatever the count
        let s = score_class(
            "indel",
            Proportion::new(40, 45),
            Some(Proportion::new(40, 40)),
            None,
            crit,
        );
        assert_eq!(s.status, "fail");
        assert!(
            s.missing[0].starts_with("PPA 88.9% is below 95.0%"),
            "{:?}",
            s.missing
        );
        let s = score_class(
            "indel",
            Proportion::new(60, 60),
            Some(Proportion::new(60, 60)),
            None,
            crit,
        );
        assert_eq!(s.status, "pass");
        assert!(s.missing.is_empty());
        assert_eq!(
            score_class("x", Proportion::new(1, 1), None, None, None).status,
            "not_judged"
        );
    }

    #[test]
    fn needed_counts_both_conditions() {
        // 18/20 = 90%: 20 more concordant give 38/40 = 95%
        assert_eq!(needed(18, 20, 0.95, 0.0), Some(20));
        assert_eq!(needed(35, 35, 0.95, 0.90), Some(0));
        assert_eq!(needed(0, 0, 0.95, 0.90), Some(35));
    }
}
