//! Plain-text account of a risk assessment (`puente risk explain`): each group, the rules that
//! fired with the calls behind them, and what is still missing.
use crate::model::RiskAssessment;

pub fn risk_text(a: &RiskAssessment) -> String {
    let mut s = format!(
        "Rules: {} {} (sha256 {})\n",
        a.ruleset.name,
        a.ruleset.version,
        &a.ruleset.sha256[..a.ruleset.sha256.len().min(12)]
    );
    if a.subtypes.is_empty() {
        s += "Subtype: no subtype-defining lesion found\n";
    } else {
        s += &format!("Subtype: {}\n", a.subtypes.join("; "));
    }
    let given: Vec<String> = a
        .inputs
        .iter()
        .map(|i| format!("{}={}", i.name, i.value.as_deref().unwrap_or("missing")))
        .collect();
    s += &format!("Inputs: {}\n", given.join(", "));
    for o in &a.outputs {
        let value = o.value.as_deref().unwrap_or("not determined");
        let status = if o.provisional {
            format!(" (PROVISIONAL: missing {})", o.missing_inputs.join(", "))
        } else if o.value.is_none() && !o.missing_inputs.is_empty() {
            format!(" (missing {})", o.missing_inputs.join(", "))
        } else {
            String::new()
        };
        s += &format!("\n{}: {value}{status}\n", o.title);
        match o.basis.as_str() {
            "default" => s += "  no rule fired: the ruleset's default\n",
            "none" if o.fired.is_empty() => s += "  no rule fired\n",
            _ => {}
        }
        for f in &o.fired {
            s += &format!("  fired  {} -> {}: {}", f.rule_id, f.level, f.when);
            if !f.call_ids.is_empty() {
                s += &format!("  [calls: {}]", f.call_ids.join(", "));
            }
            if let Some(n) = &f.note {
                s += &format!("  ({n})");
            }
            s += "\n";
        }
        for p in &o.pending {
            s += &format!(
                "  waits  {} -> {}: {}  [needs: {}]\n",
                p.rule_id,
                p.level,
                p.when,
                p.missing.join(", ")
            );
        }
    }
    s
}
