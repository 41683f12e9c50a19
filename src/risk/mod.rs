//! Risk stratification from a replaceable rules file (`risk.toml`): genetic features from the
//! knowledge-base findings plus the clinical inputs of the samplesheet (age, WBC, CNS status, MRD)
//! give each output (NCI group, genetic risk, protocol group) with the rules that fired, the call IDs
//! behind them, and, while an input is missing, a provisional mark that names it.
pub mod expr;

use crate::model::{
    Finding, FiredRule, PendingRule, RiskAssessment, RiskInput, RiskOutput, RulesetRef, SampleInfo,
    Verdict,
};
use expr::{Env, Expr, Value};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The clinical inputs a condition may name.
pub const INPUTS: [&str; 7] = [
    "age_years",
    "wbc_per_ul",
    "cns_status",
    "mrd_day15",
    "mrd_eoi",
    "lineage",
    "sex",
];
const FUNCTIONS: [&str; 2] = ["finding", "prognosis"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    ruleset: Meta,
    output: Vec<OutputDef>,
    rule: Vec<RuleDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    name: String,
    version: String,
    description: String,
    sources: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputDef {
    pub id: String,
    pub title: String,
    /// Lowest to highest risk.
    pub levels: Vec<String>,
    #[serde(default)]
    pub default: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    id: String,
    output: String,
    level: String,
    when: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub output: String,
    pub level: String,
    pub when: String,
    pub note: Option<String>,
    expr: Expr,
}

/// A validated rules file.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub reference: RulesetRef,
    pub description: String,
    pub outputs: Vec<OutputDef>,
    pub rules: Vec<Rule>,
}

/// Line (1-based) of the first line containing `needle`, for error messages.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(0, |i| i + 1)
}

impl RuleSet {
    /// No outputs (a placeholder while a panel loads).
    pub fn empty() -> RuleSet {
        RuleSet {
            reference: RulesetRef {
                name: String::new(),
                version: String::new(),
                sha256: String::new(),
                source: String::new(),
            },
            description: String::new(),
            outputs: vec![],
            rules: vec![],
        }
    }

    /// Parse and check a rules file. `marker_ids` are the knowledge base's marker IDs, which
    /// `finding("...")` must name. Problems come back with their line and reason, all at once.
    pub fn parse(text: &str, marker_ids: &BTreeSet<String>) -> Result<RuleSet, String> {
        let f: File = toml::from_str(text).map_err(|e| e.to_string().trim().to_string())?;
        let mut problems: Vec<String> = Vec::new();
        let mut say = |needle: &str, msg: String| {
            problems.push(format!("line {}: {msg}", line_of(text, needle)));
        };
        let mut seen_outputs: Vec<&str> = Vec::new();
        for o in &f.output {
            let at = format!("id = \"{}\"", o.id);
            if seen_outputs.contains(&o.id.as_str()) {
                say(&at, format!("output {} is defined twice", o.id));
            }
            if INPUTS.contains(&o.id.as_str()) || FUNCTIONS.contains(&o.id.as_str()) {
                say(&at, format!("output {} has the name of an input", o.id));
            }
            seen_outputs.push(&o.id);
            let distinct: BTreeSet<&String> = o.levels.iter().collect();
            if o.levels.is_empty() || distinct.len() != o.levels.len() {
                say(
                    &at,
                    format!("output {}: levels must be distinct and not empty", o.id),
                );
            }
            if let Some(d) = &o.default {
                if !o.levels.contains(d) {
                    say(
                        &at,
                        format!("output {}: default {d:?} is not one of its levels", o.id),
                    );
                }
            }
        }
        let mut rules = Vec::new();
        let mut seen_rules: BTreeMap<&str, ()> = BTreeMap::new();
        let mut same_condition: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
        for r in &f.rule {
            let at = format!("id = \"{}\"", r.id);
            if seen_rules.insert(&r.id, ()).is_some() {
                say(&at, format!("rule {} is defined twice", r.id));
            }
            let Some(oi) = f.output.iter().position(|o| o.id == r.output) else {
                say(
                    &at,
                    format!("rule {}: output {:?} is not defined", r.id, r.output),
                );
                continue;
            };
            if !f.output[oi].levels.contains(&r.level) {
                say(
                    &at,
                    format!(
                        "rule {}: level {:?} is not a level of {} ({})",
                        r.id,
                        r.level,
                        r.output,
                        f.output[oi].levels.join(", ")
                    ),
                );
            }
            let e = match expr::parse(&r.when) {
                Ok(e) => e,
                Err(msg) => {
                    say(&at, format!("rule {}: condition: {msg}", r.id));
                    continue;
                }
            };
            let (mut idents, mut calls) = (Vec::new(), Vec::new());
            expr::names(&e, &mut idents, &mut calls);
            for i in idents {
                let earlier = f.output[..oi].iter().any(|o| o.id == i);
                if f.output[oi..].iter().any(|o| o.id == i) {
                    say(&at, format!("rule {}: uses output {i}, which is not decided before {} (outputs are decided in file order)", r.id, r.output));
                } else if !earlier && !INPUTS.contains(&i.as_str()) {
                    say(
                        &at,
                        format!(
                            "rule {}: unknown input {i:?} (inputs: {})",
                            r.id,
                            INPUTS.join(", ")
                        ),
                    );
                }
            }
            for (name, args) in calls {
                let literal = match args.as_slice() {
                    [Expr::Str(s)] => Some(s.clone()),
                    _ => None,
                };
                match (name.as_str(), literal) {
                    ("finding", Some(id)) if !marker_ids.contains(&id) => say(
                        &at,
                        format!("rule {}: finding({id:?}) names no marker of the knowledge base", r.id),
                    ),
                    ("prognosis", Some(p))
                        if !["favourable", "intermediate", "adverse", "very_adverse", "uncertain"]
                            .contains(&p.as_str()) =>
                    {
                        say(&at, format!("rule {}: prognosis({p:?}) is not a prognosis of the knowledge base", r.id))
                    }
                    ("finding" | "prognosis", Some(_)) => {}
                    ("finding" | "prognosis", None) => say(
                        &at,
                        format!("rule {}: {name}() takes one quoted string", r.id),
                    ),
                    _ => say(
                        &at,
                        format!("rule {}: unknown function {name}() (functions: {})", r.id, FUNCTIONS.join(", ")),
                    ),
                }
            }
            // the same condition cannot send one output to two levels
            let key = (
                r.output.clone(),
                r.when.split_whitespace().collect::<Vec<_>>().join(" "),
            );
            if let Some((other, level)) = same_condition.get(&key) {
                if *level != r.level {
                    say(
                        &at,
                        format!(
                            "rule {} contradicts rule {other}: same condition, level {} vs {level}",
                            r.id, r.level
                        ),
                    );
                }
            } else {
                same_condition.insert(key, (r.id.clone(), r.level.clone()));
            }
            rules.push(Rule {
                id: r.id.clone(),
                output: r.output.clone(),
                level: r.level.clone(),
                when: r.when.clone(),
                note: r.note.clone(),
                expr: e,
            });
        }
        for o in &f.output {
            if o.default.is_none() && !f.rule.iter().any(|r| r.output == o.id) {
                say(
                    &format!("id = \"{}\"", o.id),
                    format!("output {} has no rule and no default", o.id),
                );
            }
        }
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        Ok(RuleSet {
            reference: RulesetRef {
                name: f.ruleset.name,
                version: f.ruleset.version,
                sha256: crate::util::sha256_bytes(text.as_bytes()),
                source: f.ruleset.sources.join("; "),
            },
            description: f.ruleset.description,
            outputs: f.output,
            rules,
        })
    }

    /// Assess one sample: its clinical inputs, its findings, and whether genetics could be judged
    /// (on a failed sample a lesion not found is unknown rather than absent).
    pub fn assess(&self, sample: &SampleInfo, findings: &[Finding], qc: Verdict) -> RiskAssessment {
        let inputs = clinical_inputs(sample);
        let mut env = Ctx {
            inputs: &inputs,
            findings,
            genetics_ok: qc != Verdict::Fail,
            outputs: BTreeMap::new(),
        };
        let mut outputs = Vec::new();
        for o in &self.outputs {
            let out = self.decide(o, &env);
            env.outputs.insert(o.id.clone(), out.clone());
            outputs.push(out);
        }
        let mut subtypes: Vec<String> = findings
            .iter()
            .filter(|f| f.subtype_defining)
            .filter_map(|f| f.who_haem5.clone().or(f.icc_2022.clone()))
            .collect();
        subtypes.dedup();
        RiskAssessment {
            ruleset: self.reference.clone(),
            subtypes,
            inputs: INPUTS
                .iter()
                .map(|n| RiskInput {
                    name: n.to_string(),
                    value: inputs.get(*n).map(|v| match v {
                        Value::Num(x) => format!("{x}"),
                        Value::Str(s) => s.clone(),
                        other => format!("{other:?}"),
                    }),
                })
                .collect(),
            outputs,
        }
    }

    fn decide(&self, o: &OutputDef, env: &Ctx) -> RiskOutput {
        let rank = |l: &str| o.levels.iter().position(|x| x == l).unwrap_or(0);
        let mut fired = Vec::new();
        let mut pending = Vec::new();
        let mut tainted: BTreeSet<String> = BTreeSet::new();
        for r in self.rules.iter().filter(|r| r.output == o.id) {
            let mut calls = Vec::new();
            match expr::eval(&r.expr, env, &mut calls) {
                Value::Bool(true) => {
                    calls.sort();
                    calls.dedup();
                    // a group decided from a provisional earlier output stays provisional
                    let (mut idents, mut fns) = (Vec::new(), Vec::new());
                    expr::names(&r.expr, &mut idents, &mut fns);
                    for i in idents {
                        if let Some(dep) = env.outputs.get(&i) {
                            if dep.provisional {
                                tainted.extend(dep.missing_inputs.iter().cloned());
                            }
                        }
                    }
                    fired.push(FiredRule {
                        rule_id: r.id.clone(),
                        level: r.level.clone(),
                        when: r.when.clone(),
                        note: r.note.clone(),
                        call_ids: calls,
                    })
                }
                Value::Unknown(missing) => pending.push(PendingRule {
                    rule_id: r.id.clone(),
                    level: r.level.clone(),
                    when: r.when.clone(),
                    missing: missing.into_iter().collect(),
                }),
                _ => {}
            }
        }
        let top = fired.iter().map(|f| rank(&f.level)).max();
        let (value, basis) = match top {
            Some(k) => (Some(o.levels[k].clone()), "rules"),
            None if pending.is_empty() => (
                o.default.clone(),
                if o.default.is_some() {
                    "default"
                } else {
                    "none"
                },
            ),
            // nothing fired yet but something could: the default (if any) is provisional
            None => (
                o.default.clone(),
                if o.default.is_some() {
                    "default"
                } else {
                    "none"
                },
            ),
        };
        let current = value.as_deref().map(rank);
        let raising: Vec<&PendingRule> = pending
            .iter()
            .filter(|p| current.is_none_or(|c| rank(&p.level) > c))
            .collect();
        let mut missing: BTreeSet<String> = raising
            .iter()
            .flat_map(|p| p.missing.iter().cloned())
            .collect();
        missing.extend(tainted);
        RiskOutput {
            id: o.id.clone(),
            title: o.title.clone(),
            value,
            basis: basis.into(),
            provisional: !missing.is_empty(),
            missing_inputs: missing.into_iter().collect(),
            fired,
            pending,
        }
    }
}

fn clinical_inputs(s: &SampleInfo) -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    let mut num = |k: &str, v: Option<f64>| {
        if let Some(x) = v {
            m.insert(k.to_string(), Value::Num(x));
        }
    };
    num("age_years", s.age_years);
    num("wbc_per_ul", s.wbc_per_ul);
    num("mrd_day15", s.mrd_day15);
    num("mrd_eoi", s.mrd_eoi);
    for (k, v) in [
        ("cns_status", &s.cns_status),
        ("lineage", &s.lineage),
        ("sex", &s.sex),
    ] {
        if let Some(x) = v.as_deref().filter(|x| !x.is_empty() && *x != "U") {
            m.insert(k.to_string(), Value::Str(x.to_string()));
        }
    }
    m
}

struct Ctx<'a> {
    inputs: &'a BTreeMap<String, Value>,
    findings: &'a [Finding],
    genetics_ok: bool,
    outputs: BTreeMap<String, RiskOutput>,
}

impl Env for Ctx<'_> {
    fn ident(&self, name: &str) -> Option<Value> {
        if let Some(o) = self.outputs.get(name) {
            return Some(match &o.value {
                Some(v) => Value::Str(v.clone()),
                None => Value::Unknown(if o.missing_inputs.is_empty() {
                    BTreeSet::from([name.to_string()])
                } else {
                    o.missing_inputs.iter().cloned().collect()
                }),
            });
        }
        if INPUTS.contains(&name) {
            return Some(
                self.inputs
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| Value::Unknown(BTreeSet::from([name.to_string()]))),
            );
        }
        None
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<(Value, Vec<String>)> {
        let [Value::Str(arg)] = args else {
            return None;
        };
        let hits: Vec<&Finding> = match name {
            "finding" => self
                .findings
                .iter()
                .filter(|f| &f.marker_id == arg)
                .collect(),
            "prognosis" => self
                .findings
                .iter()
                .filter(|f| &f.prognosis == arg)
                .collect(),
            _ => return None,
        };
        // a lesion found stands even on a failed sample; its absence only counts when QC passed
        if hits.is_empty() && !self.genetics_ok {
            return Some((
                Value::Unknown(BTreeSet::from(["genetics (sample QC failed)".to_string()])),
                vec![],
            ));
        }
        Some((
            Value::Bool(!hits.is_empty()),
            hits.iter()
                .flat_map(|f| f.call_ids.iter().cloned())
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests;
