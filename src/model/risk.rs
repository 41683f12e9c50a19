//! Risk stratification results: what each rule decided and why, so a clinician or the reference
//! lab can follow every group back to the rules and the calls behind it.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RiskAssessment {
    pub ruleset: RulesetRef,
    /// Subtypes named by the subtype-defining findings (WHO-HAEM5, else ICC 2022).
    pub subtypes: Vec<String>,
    /// The clinical inputs the rules can use, with the value given (None: not provided).
    pub inputs: Vec<RiskInput>,
    pub outputs: Vec<RiskOutput>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RulesetRef {
    pub name: String,
    pub version: String,
    pub sha256: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RiskInput {
    pub name: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RiskOutput {
    pub id: String,
    pub title: String,
    /// The group; None when no rule fired and the output has no default.
    pub value: Option<String>,
    /// `rules` (highest level among fired rules), `default` or `none`.
    pub basis: String,
    /// True while a rule that could raise the group waits for a missing input.
    pub provisional: bool,
    /// Inputs whose absence keeps the output provisional or undetermined.
    pub missing_inputs: Vec<String>,
    pub fired: Vec<FiredRule>,
    pub pending: Vec<PendingRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FiredRule {
    pub rule_id: String,
    pub level: String,
    pub when: String,
    pub note: Option<String>,
    /// Calls behind the findings the condition used.
    pub call_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PendingRule {
    pub rule_id: String,
    pub level: String,
    pub when: String,
    pub missing: Vec<String>,
}
