//! `report.html`: the clinician's report, one self-contained file (inline CSS and SVG, no script,
//! no network) in Spanish or English, printable on A4. Everything comes from the report.json
//! contract, so `puente report` renders the same page from a saved report.
use super::i18n::{t, Lang};
use super::svg::{self, esc};
use super::Report;
use crate::model::{CnvState, FusionStatus, HotspotStatus, Verdict};
use crate::panel::Panel;

pub(crate) const CSS: &str = "@page{size:A4;margin:14mm}body{font-family:'DejaVu Sans',Arial,sans-serif;font-size:10.5pt;color:#111;max-width:190mm;margin:auto}h1{font-size:15pt;margin:0 0 4pt}h2{font-size:12pt;border-bottom:1px solid #888;margin:14pt 0 5pt;page-break-after:avoid}table{border-collapse:collapse;width:100%;margin:3pt 0}td,th{border:1px solid #bbb;padding:2pt 4pt;text-align:left;vertical-align:top;font-size:9pt}th{background:#eee}.box{border:2px solid #1f618d;padding:6pt 9pt;margin:8pt 0;page-break-inside:avoid}.pass{color:#1e8449;font-weight:bold}.warn{color:#b9770e;font-weight:bold}.fail{color:#c0392b;font-weight:bold}.small{font-size:8pt;color:#444}svg{max-width:100%;height:auto}section{page-break-inside:auto}";

/// Evidence of one call, in the call's own terms.
fn evidence(r: &Report, id: &str, lang: Lang) -> String {
    if let Some(v) = r.small_variants.iter().find(|v| v.id == id) {
        return format!(
            "VAF {:.1}% ({}/{}), QUAL {:.0}",
            v.vaf * 100.0,
            v.alt_fragments,
            v.depth,
            v.qual
        );
    }
    if let Some(f) = r.fusions.iter().find(|f| f.id == id) {
        return format!(
            "{} {}, {} {}",
            f.split_reads,
            t(lang, "split"),
            f.spanning_pairs,
            t(lang, "spanning")
        );
    }
    if let Some(c) = r.copy_number.calls.iter().find(|c| c.id == id) {
        return format!(
            "{} {}: log2 {:.2}, z {:.1}",
            c.state.name(),
            c.exon_label(),
            c.log2,
            c.z
        );
    }
    id.to_string()
}

/// The status as report.json spells it (`insufficient_depth`).
fn status_name<T: serde::Serialize>(s: &T) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

pub fn render(r: &Report, lang: Lang, panel: Option<&Panel>) -> String {
    let w = |k: &str| t(lang, k).to_string();
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{} {}</title><style>{CSS}</style></head><body>\n<h1>{}</h1>\n",
        lang.code(),
        esc(&w("title")),
        esc(&r.sample.sample_id),
        esc(&w("title"))
    );
    // sample and QC verdict
    let (class, verdict) = match r.qc.verdict {
        Verdict::Pass => ("pass", w("qc_pass")),
        Verdict::Warn => ("warn", w("qc_warn")),
        Verdict::Fail => ("fail", w("qc_fail")),
    };
    h += &format!(
        "<table><tr><th>{}</th><td>{}</td><th>{}</th><td>{}</td></tr><tr><th>{}</th><td class=\"{class}\">{}</td><th>{}</th><td>{:.0}x</td></tr></table>\n",
        w("sample"),
        esc(&r.sample.sample_id),
        w("lab"),
        esc(r.sample.lab_id.as_deref().unwrap_or("-")),
        w("qc"),
        esc(&verdict),
        w("mean_depth"),
        r.qc.mean_exon_depth
    );
    let dash = |v: &Option<String>| esc(v.as_deref().unwrap_or("-"));
    h += &format!(
        "<table class=\"small\"><tr><th>{}</th><td>{}</td><th>{}</th><td>{}</td><th>{}</th><td>{}</td><th>{}</th><td>{}</td></tr></table>\n",
        w("hospital"),
        dash(&r.sample.hospital),
        w("collected"),
        dash(&r.sample.collection_date),
        w("received"),
        dash(&r.sample.received_date),
        w("analysed"),
        dash(&r.provenance.analysis_date),
    );
    for reason in &r.qc.reasons {
        h += &format!("<p class=\"small {class}\">{}</p>\n", esc(reason));
    }
    // summary box
    h += &format!("<div class=\"box\"><h2>{}</h2>\n", w("summary"));
    let subtype = if r.risk.subtypes.is_empty() {
        w("no_subtype")
    } else {
        r.risk.subtypes.join("; ")
    };
    h += &format!("<p><b>{}:</b> {}</p>\n", w("subtype"), esc(&subtype));
    let features: Vec<String> = r
        .findings
        .iter()
        .filter(|f| f.prognosis != "uncertain")
        .map(|f| format!("{} ({})", f.lesion, f.prognosis))
        .collect();
    h += &format!(
        "<p><b>{}:</b> {}</p>\n",
        w("risk_features"),
        esc(&if features.is_empty() {
            w("none")
        } else {
            features.join("; ")
        })
    );
    h += &format!(
        "<p><b>IKZF1plus:</b> {} <span class=\"small\">({})</span><br><b>{}:</b> {}</p>\n",
        esc(&r.copy_number.ikzf1plus.status),
        esc(&r.copy_number.ikzf1plus.reason),
        w("ploidy"),
        esc(&r.copy_number.ploidy.pattern)
    );
    h += &format!("<p><b>{}:</b></p><ul>\n", w("risk_groups"));
    for o in &r.risk.outputs {
        let value = o.value.clone().unwrap_or_else(|| w("not_determined"));
        let prov = if o.provisional || (o.value.is_none() && !o.missing_inputs.is_empty()) {
            format!(
                " <span class=\"warn\">({} {})</span>",
                esc(&w("provisional")),
                esc(&o.missing_inputs.join(", "))
            )
        } else {
            String::new()
        };
        let rules: Vec<&str> = o.fired.iter().map(|f| f.rule_id.as_str()).collect();
        let rules = if rules.is_empty() {
            String::new()
        } else {
            format!(" <span class=\"small\">[{}]</span>", esc(&rules.join(", ")))
        };
        h += &format!(
            "<li>{}: <b>{}</b>{prov}{rules}</li>\n",
            esc(&o.title),
            esc(&value)
        );
    }
    h += "</ul>\n";
    let tki: Vec<String> = r
        .findings
        .iter()
        .flat_map(|f| {
            f.implications
                .iter()
                .filter(|i| i.kind == "therapeutic")
                .filter_map(move |i| {
                    i.drug
                        .as_ref()
                        .map(|d| format!("{d} ({}; {} {})", f.lesion, i.level, i.tier))
                })
        })
        .collect();
    h += &format!(
        "<p><b>{}:</b> {}</p>\n",
        w("actions"),
        esc(&if tki.is_empty() {
            w("no_tki")
        } else {
            format!("{}: {}", w("tki"), tki.join("; "))
        })
    );
    let first = r
        .pgx
        .dosing
        .drugs
        .first()
        .map(|d| format!(" — {}: {}", d.drug, d.recommendation))
        .unwrap_or_default();
    h += &format!(
        "<p><b>{}:</b> {}{}</p>\n</div>\n",
        w("thiopurine"),
        esc(&r.pgx.dosing.category),
        esc(&first)
    );
    // detected lesions
    h += &format!("<section><h2>{}</h2>\n", w("detected"));
    if r.findings.is_empty() {
        h += &format!("<p>{}</p>\n", w("none_detected"));
    } else {
        h += &format!(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
            w("lesion"),
            w("detail"),
            w("evidence"),
            w("prognosis"),
            w("tier"),
            w("implications")
        );
        for f in &r.findings {
            let ev: Vec<String> = f.call_ids.iter().map(|c| evidence(r, c, lang)).collect();
            let imp: Vec<String> = f
                .implications
                .iter()
                .map(|i| {
                    format!(
                        "{} ({}{})",
                        i.text,
                        i.level,
                        i.drug
                            .as_ref()
                            .map(|d| format!(", {d}"))
                            .unwrap_or_default()
                    )
                })
                .collect();
            let who = f
                .who_haem5
                .as_ref()
                .map(|s| format!("<br><span class=\"small\">{}</span>", esc(s)))
                .unwrap_or_default();
            let unverified = if f.verified {
                String::new()
            } else {
                format!("<br><span class=\"small warn\">{}</span>", w("unverified"))
            };
            h += &format!(
                "<tr><td><b>{}</b>{who}</td><td>{}</td><td>{}</td><td>{}{unverified}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&f.lesion),
                esc(&f.detail),
                esc(&ev.join("; ")),
                esc(&f.prognosis),
                esc(&f.tier),
                esc(&imp.join("; "))
            );
        }
        h += "</table>\n";
    }
    // fusion diagrams
    let passing: Vec<_> = r.fusions.iter().filter(|f| f.passes()).collect();
    if !passing.is_empty() {
        h += &format!("<h3>{}</h3>\n", w("fusion_diagrams"));
        let exons = |gene: &Option<String>| -> Option<u32> {
            let g = gene.as_deref()?;
            panel?
                .exons
                .iter()
                .filter(|e| e.gene == g)
                .map(|e| e.number)
                .max()
        };
        for f in passing {
            h += &format!(
                "<div>{}</div>\n",
                svg::fusion_diagram(
                    &format!("{} {}", f.name, f.isoform.as_deref().unwrap_or_default()),
                    f.gene5.as_deref().unwrap_or("?"),
                    f.five_prime.exon,
                    exons(&f.gene5),
                    f.gene3.as_deref().unwrap_or("?"),
                    f.three_prime.exon,
                    exons(&f.gene3),
                )
            );
        }
    }
    h += "</section>\n";
    // tested and not detected
    h += &format!(
        "<section><h2>{}</h2>\n<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        w("not_detected"),
        w("target"),
        w("status"),
        w("depth"),
        w("lod")
    );
    let lod = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.1}%", v * 100.0));
    for s in r
        .hotspots
        .iter()
        .filter(|s| !matches!(s.status, HotspotStatus::Detected) && s.kind != "pgx")
    {
        h += &format!(
            "<tr><td>{} {} ({})</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&s.gene),
            esc(&s.name),
            esc(&s.hgvs_c),
            esc(&status_name(&s.status)),
            s.depth,
            lod(s.limit_of_detection)
        );
    }
    for f in r
        .fusion_targets
        .iter()
        .filter(|f| !matches!(f.status, FusionStatus::Detected))
    {
        h += &format!(
            "<tr><td>{}</td><td>{}</td><td>{:.0} / {:.0}</td><td>{}</td></tr>\n",
            esc(&f.name),
            esc(&status_name(&f.status)),
            f.depth5,
            f.depth3,
            lod(f.limit_of_detection)
        );
    }
    // copy-number genes without a passing call: deletions/gains tested there and not found
    for g in &r.copy_number.genes {
        let called = r.copy_number.calls.iter().any(|c| {
            c.gene == g.gene
                && c.passed()
                && !matches!(c.state, CnvState::Neutral | CnvState::NoCoverage)
        });
        if called {
            continue;
        }
        let n = g.exons.len().max(1) as f64;
        let depth = g.exons.iter().map(|e| e.depth).sum::<f64>() / n;
        let covered = g.exons.iter().any(|e| e.depth > 0.0);
        h += &format!(
            "<tr><td>{} {} ({} {})</td><td>{}</td><td>{:.0}</td><td>-</td></tr>\n",
            esc(&g.gene),
            w("copy_number"),
            g.exons.len(),
            w("exons"),
            if covered { "neutral" } else { "no_coverage" },
            depth
        );
    }
    h += "</table></section>\n";
    // PGx
    h += &format!(
        "<section><h2>{}</h2>\n<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        w("pgx"),
        w("gene"),
        w("diplotype"),
        w("phenotype"),
        w("status")
    );
    for g in &r.pgx.genes {
        let alt = if g.alternatives.is_empty() {
            String::new()
        } else {
            format!(" ({})", g.alternatives.join(", "))
        };
        h += &format!(
            "<tr><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&g.gene),
            esc(g.diplotype.as_deref().unwrap_or("-")),
            esc(&alt),
            esc(&g.phenotype),
            esc(&g.status)
        );
    }
    h += &format!(
        "</table>\n<table><tr><th>{}</th><th>{}</th></tr>\n",
        w("drug"),
        w("recommendation")
    );
    for d in &r.pgx.dosing.drugs {
        h += &format!(
            "<tr><td>{}</td><td>{} <span class=\"small\">({})</span></td></tr>\n",
            esc(&d.drug),
            esc(&d.recommendation),
            esc(&d.strength)
        );
    }
    h += &format!(
        "</table>\n<p class=\"small\"><b>{}:</b></p><ul class=\"small\">\n",
        w("caveats")
    );
    for c in &r.pgx.caveats {
        h += &format!("<li>{}</li>\n", esc(c));
    }
    h += "</ul></section>\n";
    // coverage
    let genes: Vec<(String, f64)> =
        r.qc.genes
            .iter()
            .map(|g| (g.gene.clone(), g.mean_depth))
            .collect();
    h += &format!(
        "<section><h2>{}</h2>\n<div>{}</div></section>\n",
        w("coverage"),
        svg::coverage_bars(
            &genes,
            r.qc.min_depth as f64,
            &format!("{} ({} {}x)", w("coverage"), w("min_depth"), r.qc.min_depth)
        )
    );
    // methods, limitations, provenance
    let p = &r.provenance;
    h += &format!(
        "<section><h2>{}</h2>\n<p>{}</p>\n<p>{}</p>\n<table class=\"small\">",
        w("methods"),
        w("methods_text"),
        w("limitations")
    );
    let mut row = |k: String, v: String| {
        h += &format!("<tr><th>{}</th><td>{}</td></tr>", esc(&k), esc(&v));
    };
    row(w("software"), format!("puente {}", p.puente_version));
    row(
        w("panel"),
        format!(
            "{} {} ({}), sha256 {}",
            p.panel.name, p.panel.version, p.panel.build, p.panel.sha256
        ),
    );
    row(
        w("reference"),
        format!("{} ({})", p.reference.path, p.reference.build),
    );
    for i in &p.inputs {
        row(
            format!("{} ({})", w("input"), i.role),
            format!("{} sha256 {}", i.path, i.sha256),
        );
    }
    row(
        w("kb"),
        format!(
            "{} {} sha256 {}",
            r.knowledge_base.name, r.knowledge_base.version, r.knowledge_base.sha256
        ),
    );
    row(
        w("rules"),
        format!(
            "{} {} sha256 {}",
            r.risk.ruleset.name, r.risk.ruleset.version, r.risk.ruleset.sha256
        ),
    );
    let given: Vec<String> = r
        .risk
        .inputs
        .iter()
        .map(|i| format!("{}={}", i.name, i.value.as_deref().unwrap_or("-")))
        .collect();
    row(w("inputs"), given.join(", "));
    row("report.json schema".into(), r.schema_version.clone());
    h += "</table>\n";
    if !r.warnings.is_empty() {
        h += &format!(
            "<p class=\"small\"><b>{}:</b></p><ul class=\"small\">",
            w("warnings")
        );
        for x in &r.warnings {
            h += &format!("<li>{}</li>", esc(x));
        }
        h += "</ul>\n";
    }
    h += "</section>\n</body></html>\n";
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_bilingual_frame() {
        assert_eq!(esc("<a href=\"x\">&"), "&lt;a href=&quot;x&quot;&gt;&amp;");
        assert_ne!(t(Lang::Es, "detected"), t(Lang::En, "detected"));
    }
}
