//! IKZF1plus (Stanulla et al., J Clin Oncol 2018): an IKZF1 deletion together with a deletion of
//! CDKN2A or CDKN2B (homozygous only), PAX5, or PAR1 (the P2RY8::CRLF2 deletion), in the absence of
//! an ERG deletion. Very poor, MRD-dependent prognosis in pediatric BCP-ALL.
use crate::model::{CnvState, CopyNumberCall, Ikzf1Plus};

/// `calls`: every copy-number row of the sample (passing or not).
pub fn assess(calls: &[CopyNumberCall]) -> Ikzf1Plus {
    let passing_loss = |gene: &str| {
        calls
            .iter()
            .find(|c| c.gene == gene && c.passed() && c.state.is_loss())
    };
    let assessable = |gene: &str| {
        calls.iter().any(|c| c.gene == gene)
            && !calls
                .iter()
                .any(|c| c.gene == gene && c.state == CnvState::NoCoverage)
    };
    let ikzf1 = passing_loss("IKZF1");
    let erg = passing_loss("ERG").is_some();
    let mut co = Vec::new();
    let mut notes = Vec::new();
    for gene in ["CDKN2A", "CDKN2B"] {
        match passing_loss(gene) {
            Some(c) if c.state == CnvState::Homdel => co.push(gene.to_string()),
            Some(c) if c.tumor_fraction_used.is_none() => notes.push(format!(
                "{gene} loss counted as heterozygous (copies {:.2} assuming a pure sample); give the tumour fraction to judge homozygosity",
                c.copy_number.unwrap_or(f64::NAN)
            )),
            _ => {}
        }
    }
    if passing_loss("PAX5").is_some() {
        co.push("PAX5".into());
    }
    if passing_loss("P2RY8").is_some() {
        co.push("PAR1".into());
    }
    let needed = ["IKZF1", "CDKN2A", "CDKN2B", "PAX5", "P2RY8", "ERG"];
    let missing: Vec<&str> = needed.iter().copied().filter(|g| !assessable(g)).collect();
    let (status, reason) = match ikzf1 {
        None if !assessable("IKZF1") => (
            "not_assessable",
            "IKZF1 copy number could not be assessed".to_string(),
        ),
        None => ("negative", "no IKZF1 deletion".to_string()),
        Some(_) if erg => (
            "negative",
            "IKZF1 deletion with an ERG deletion (ERG deletion excludes IKZF1plus)".to_string(),
        ),
        Some(_) if !co.is_empty() && !assessable("ERG") => (
            "not_assessable",
            format!(
                "IKZF1 deletion with {} deletion, but ERG could not be assessed (an ERG deletion would exclude IKZF1plus)",
                co.join(" + ")
            ),
        ),
        Some(_) if !co.is_empty() => (
            "positive",
            format!("IKZF1 deletion with {} deletion, no ERG deletion", co.join(" + ")),
        ),
        Some(_) if !missing.is_empty() => (
            "not_assessable",
            format!(
                "IKZF1 deletion, but {} could not be assessed",
                missing.join(", ")
            ),
        ),
        Some(_) => (
            "negative",
            "IKZF1 deletion only (no CDKN2A/B homozygous, PAX5 or PAR1 deletion)".to_string(),
        ),
    };
    let mut reason = reason;
    for n in notes {
        reason.push_str("; ");
        reason.push_str(&n);
    }
    Ikzf1Plus {
        status: status.into(),
        ikzf1_deletion: ikzf1.and_then(|c| c.pattern.clone()),
        co_deletions: co,
        erg_deletion: erg,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(gene: &str, state: CnvState, filters: &[&str]) -> CopyNumberCall {
        CopyNumberCall {
            tumor_fraction_used: Some(0.8),
            pattern: Some(format!("{gene} Δ1-2")),
            filters: filters.iter().map(|s| s.to_string()).collect(),
            ..CopyNumberCall::for_test(gene, "chr9", (1, 2), state)
        }
    }

    fn neutral(genes: &[&str]) -> Vec<CopyNumberCall> {
        genes
            .iter()
            .map(|g| call(g, CnvState::Neutral, &[]))
            .collect()
    }

    #[test]
    fn ikzf1_plus_cdkn2a_homdel_is_positive_and_erg_cancels_it() {
        let mut calls = neutral(&["CDKN2B", "PAX5", "P2RY8", "ERG"]);
        calls.push(call("IKZF1", CnvState::Del, &[]));
        calls.push(call("CDKN2A", CnvState::Homdel, &[]));
        let r = assess(&calls);
        assert_eq!(r.status, "positive", "{r:?}");
        assert_eq!(r.co_deletions, vec!["CDKN2A"]);
        calls.push(call("ERG", CnvState::Del, &[]));
        let r = assess(&calls);
        assert_eq!(r.status, "negative");
        assert!(r.erg_deletion);
    }

    #[test]
    fn heterozygous_cdkn2a_or_filtered_calls_do_not_count() {
        let mut calls = neutral(&["CDKN2B", "PAX5", "P2RY8", "ERG"]);
        calls.push(call("IKZF1", CnvState::Del, &[]));
        calls.push(call("CDKN2A", CnvState::Del, &[]));
        calls.push(call("PAX5", CnvState::Del, &["low_z"]));
        let r = assess(&calls);
        assert_eq!(r.status, "negative", "{r:?}");
        calls.push(call("P2RY8", CnvState::Del, &[]));
        assert_eq!(assess(&calls).co_deletions, vec!["PAR1"]);
    }

    #[test]
    fn unmeasured_genes_make_it_not_assessable() {
        let mut calls = neutral(&["CDKN2A", "CDKN2B", "PAX5", "ERG"]);
        calls.push(call("P2RY8", CnvState::NoCoverage, &[]));
        calls.push(call("IKZF1", CnvState::Del, &[]));
        assert_eq!(assess(&calls).status, "not_assessable");
        // a co-deletion without a measurable ERG cannot be called positive
        let mut calls = neutral(&["CDKN2B", "PAX5", "P2RY8"]);
        calls.push(call("IKZF1", CnvState::Del, &[]));
        calls.push(call("CDKN2A", CnvState::Homdel, &[]));
        calls.push(call("ERG", CnvState::NoCoverage, &[]));
        assert_eq!(assess(&calls).status, "not_assessable");
        assert_eq!(assess(&neutral(&["PAX5"])).status, "not_assessable");
    }
}
