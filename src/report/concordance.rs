//! concordance.html: one sample's paired-lab comparison for the reviewing lab, in Spanish or
//! English. Every discordant call is listed with both labs' evidence and the likeliest reason.
use super::clinical::CSS;
use super::i18n::{tr, Lang};
use super::svg::{esc, vaf_scatter};
use crate::concordance::stats::Proportion;
use crate::concordance::{CategoryComparison, Concordance};

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// `95.0% (90.1-98.2%) 19/20`, or `–` without observations.
pub fn proportion(p: &Proportion) -> String {
    match (p.estimate, p.lower_95, p.upper_95) {
        (Some(e), Some(l), Some(u)) => format!(
            "{} ({}–{}) {}/{}",
            pct(e),
            pct(l),
            pct(u),
            p.successes,
            p.total
        ),
        _ => "–".into(),
    }
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map_or("–".into(), |x| esc(&x.to_string()))
}

fn agree_cell(lang: Lang, a: Option<bool>) -> String {
    match a {
        Some(true) => format!("<td class=\"pass\">{}</td>", tr(lang, "sí", "yes")),
        Some(false) => format!("<td class=\"fail\">{}</td>", tr(lang, "NO", "NO")),
        None => format!("<td>{}</td>", tr(lang, "no evaluable", "not assessable")),
    }
}

fn categories(lang: Lang, rows: &[CategoryComparison]) -> String {
    let mut s = format!(
        "<table><tr><th></th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        tr(lang, "Laboratorio de referencia", "Reference lab"),
        tr(lang, "Laboratorio evaluado", "Test lab"),
        tr(lang, "Concuerda", "Agree"),
        tr(lang, "Nota", "Note")
    );
    for c in rows {
        s += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td>{}<td>{}</td></tr>",
            esc(&c.item),
            opt(&c.reference),
            opt(&c.test),
            agree_cell(lang, c.agree),
            opt(&c.note)
        );
    }
    s + "</table>"
}

/// One result in both labs' columns (cells already escaped).
struct Row {
    name: String,
    reference: String,
    test: String,
    class: &'static str,
    result: String,
}

impl Row {
    /// A result only one lab has: its evidence under that lab, a dash under the other.
    fn one_sided(found_by: &str, name: String, evidence: String, explanation: &str) -> Row {
        let (reference, test) = if found_by == "reference" {
            (evidence, "–".to_string())
        } else {
            ("–".to_string(), evidence)
        };
        Row {
            name,
            reference,
            test,
            class: "fail",
            result: esc(explanation),
        }
    }
}

fn side_by_side(lang: Lang, title: &str, first: &str, rows: &[Row], none: &str) -> String {
    let mut s = format!(
        "<h2>{title}</h2><table><tr><th>{first}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        tr(lang, "Referencia", "Reference"),
        tr(lang, "Evaluado", "Test"),
        tr(lang, "Resultado", "Result"),
    );
    for r in rows {
        s += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
            r.name, r.reference, r.test, r.class, r.result
        );
    }
    if rows.is_empty() {
        s += &format!("<tr><td colspan=\"4\">{none}</td></tr>");
    }
    s + "</table>"
}

pub fn render(c: &Concordance, lang: Lang) -> String {
    let lab = |l: &crate::concordance::LabSummary| {
        format!(
            "{} <span class=\"small\">({}, {})</span>",
            esc(l.lab_id.as_deref().unwrap_or("?")),
            esc(&l.format),
            esc(&l.path)
        )
    };
    let sample = c
        .reference
        .sample_id
        .clone()
        .or(c.test.sample_id.clone())
        .unwrap_or_default();
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{} {}</title><style>{CSS}</style></head><body>\n<h1>{}</h1>\n",
        lang.code(),
        tr(lang, "Concordancia", "Concordance"),
        esc(&sample),
        tr(lang, "Concordancia entre laboratorios pareados", "Paired-lab concordance")
    );
    let status_class = if c.summary.status == "concordant" {
        "pass"
    } else {
        "fail"
    };
    let status = if c.summary.status == "concordant" {
        tr(lang, "CONCORDANTE", "CONCORDANT")
    } else {
        tr(
            lang,
            "DISCORDANTE: revisar abajo",
            "DISCORDANT: review below",
        )
    };
    s += &format!(
        "<div class=\"box\"><table><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td class=\"{status_class}\">{status}</td></tr></table>",
        tr(lang, "Muestra", "Sample"),
        esc(&sample),
        tr(lang, "Laboratorio de referencia", "Reference lab"),
        lab(&c.reference),
        tr(lang, "Laboratorio evaluado", "Test lab"),
        lab(&c.test),
        tr(lang, "Resultado", "Result"),
    );
    if !c.forced_differences.is_empty() {
        s += &format!(
            "<p class=\"fail\">{}: {}</p>",
            tr(
                lang,
                "Comparado a pesar de diferencias (--force)",
                "Compared despite differences (--force)"
            ),
            esc(&c.forced_differences.join("; "))
        );
    }
    for w in &c.warnings {
        s += &format!("<p class=\"warn\">{}</p>", esc(w));
    }
    let m = &c.summary;
    s +=
        &format!(
        "<p>{}: {} {}, {} {}, {} {}. {}: {} {}, {} {}. {}: {} {}, {} {}. {}: {}/{} {}.</p></div>\n",
        tr(lang, "Variantes pequeñas", "Small variants"),
        m.small_variants_matched,
        tr(lang, "concordantes", "matched"),
        m.small_variants_reference_only,
        tr(lang, "solo referencia", "reference only"),
        m.small_variants_test_only,
        tr(lang, "solo evaluado", "test only"),
        tr(lang, "Fusiones", "Fusions"),
        m.fusions_matched,
        tr(lang, "concordantes", "matched"),
        m.fusions_discordant,
        tr(lang, "discordantes", "discordant"),
        tr(lang, "Número de copias", "Copy number"),
        m.copy_number_matched,
        tr(lang, "concordantes", "matched"),
        m.copy_number_discordant,
        tr(lang, "discordantes", "discordant"),
        tr(lang, "Clasificación y farmacogenética", "Classification and PGx"),
        m.categories_compared - m.categories_discordant,
        m.categories_compared,
        tr(lang, "concuerdan", "agree"),
    );

    // small variants
    let sv = &c.small_variants;
    s += &format!(
        "<h2>{}</h2><p class=\"small\">{} / {} {}; {} {}. {}</p>",
        tr(
            lang,
            "Variantes pequeñas (SNV, MNV, indels)",
            "Small variants (SNV, MNV, indels)"
        ),
        c.regions.compared_bases,
        c.regions.reportable_bases,
        tr(
            lang,
            "bases reportables comparadas (cubiertas adecuadamente en ambos laboratorios)",
            "reportable bases compared (adequately covered in both labs)"
        ),
        c.regions.excluded.len(),
        tr(
            lang,
            "tramos bajo la profundidad mínima excluidos",
            "stretches under the minimum depth excluded"
        ),
        esc(&sv.matching)
    );
    s += &format!(
        "<table><tr><th>{}</th><th>VAF</th><th>{}</th><th>PPA (IC 95%)</th><th>{}</th><th>PPV (IC 95%)</th></tr>",
        tr(lang, "Clase", "Class"),
        tr(lang, "Llamadas referencia", "Reference calls"),
        tr(lang, "Llamadas evaluado", "Test calls"),
    );
    for st in &sv.strata {
        s += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&st.class),
            esc(&st.vaf_bin),
            st.reference_calls,
            proportion(&st.ppa),
            st.test_calls,
            proportion(&st.ppv)
        );
    }
    s += "</table>";
    if !sv.discordant.is_empty() {
        s += &format!(
            "<h3>{}</h3><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>VAF</th><th>{}</th><th>{}</th></tr>",
            tr(lang, "Llamadas discordantes", "Discordant calls"),
            tr(lang, "Encontrada por", "Found by"),
            tr(lang, "Variante", "Variant"),
            tr(lang, "Gen / proteína", "Gene / protein"),
            tr(lang, "Profundidad", "Depth"),
            tr(lang, "Evidencia en el otro laboratorio", "Evidence in the other lab"),
            tr(lang, "Razón probable", "Likely reason"),
        );
        for d in &sv.discordant {
            let o = &d.other_lab;
            let mut ev = Vec::new();
            if let Some(f) = &o.filtered_call {
                ev.push(format!(
                    "{} {} VAF {} [{}]",
                    tr(lang, "filtrada", "filtered"),
                    esc(&f.id),
                    pct(f.vaf),
                    esc(&f.filters.join(","))
                ));
            }
            if let Some(h) = &o.hotspot {
                ev.push(format!(
                    "{} {:?}: {}x, {} alt, LoD {}",
                    esc(&h.name),
                    h.status,
                    h.depth,
                    h.alt_fragments,
                    h.limit_of_detection.map_or("–".into(), pct)
                ));
            }
            if !o.nearby_calls.is_empty() {
                ev.push(esc(&o.nearby_calls.join(", ")));
            }
            if let Some(dp) = o.gene_mean_depth {
                ev.push(format!("{} {dp:.0}x", tr(lang, "gen", "gene")));
            }
            s += &format!(
                "<tr><td>{}</td><td>{}</td><td>{} {}</td><td>{} ({} alt)</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if d.found_by == "reference" {
                    tr(lang, "referencia", "reference")
                } else {
                    tr(lang, "evaluado", "test")
                },
                esc(&d.call.id),
                opt(&d.call.gene),
                opt(&d.call.hgvs_p),
                d.call.depth,
                d.call.alt_fragments,
                pct(d.call.vaf),
                ev.join("<br>"),
                esc(&d.explanation)
            );
        }
        s += "</table>";
    }
    if !sv.matches.is_empty() {
        s += &format!(
            "<h3>{}</h3><table><tr><th>{}</th><th>{}</th><th>{}</th><th>VAF ref.</th><th>VAF eval.</th></tr>",
            tr(lang, "Llamadas concordantes", "Matched calls"),
            tr(lang, "Coincidencia", "Match"),
            tr(lang, "Referencia", "Reference"),
            tr(lang, "Evaluado", "Test"),
        );
        for mt in &sv.matches {
            let ids = |v: &[crate::concordance::CallEvidence]| {
                v.iter()
                    .map(|c| {
                        format!(
                            "{}{}",
                            esc(&c.id),
                            c.hgvs_p.as_ref().map_or(String::new(), |p| format!(
                                " ({} {})",
                                esc(c.gene.as_deref().unwrap_or("")),
                                esc(p)
                            ))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("<br>")
            };
            let mean = |v: &[crate::concordance::CallEvidence]| {
                pct(v.iter().map(|c| c.vaf).sum::<f64>() / v.len().max(1) as f64)
            };
            s += &format!(
                "<tr><td>{:?}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                mt.kind,
                ids(&mt.reference),
                ids(&mt.test),
                mean(&mt.reference),
                mean(&mt.test)
            );
        }
        s += "</table>";
    }
    // VAF agreement
    let v = &sv.vaf;
    if v.n > 0 {
        let f = |x: Option<f64>| x.map_or("–".into(), |x| format!("{x:.3}"));
        s += &format!(
            "<h3>{}</h3><p>n = {}; Pearson r = {}; Lin CCC = {}; Bland-Altman: {} {}, {} [{}, {}]; {} {}</p>",
            tr(lang, "Concordancia de VAF", "VAF agreement"),
            v.n,
            f(v.pearson),
            f(v.lin_ccc),
            tr(lang, "sesgo (evaluado − referencia)", "bias (test − reference)"),
            f(v.mean_difference),
            tr(lang, "límites de concordancia 95%", "95% limits of agreement"),
            f(v.lower_limit),
            f(v.upper_limit),
            v.outside_10_percent,
            tr(lang, "pares difieren más de 10 puntos", "pairs differ by more than 10 points"),
        );
        let pts: Vec<(f64, f64, String)> = sv
            .vaf_points
            .iter()
            .map(|p| (p.reference_vaf, p.test_vaf, p.label.clone()))
            .collect();
        s += &vaf_scatter(
            &pts,
            tr(lang, "VAF laboratorio de referencia", "Reference lab VAF"),
            tr(lang, "VAF laboratorio evaluado", "Test lab VAF"),
        );
    }
    if !sv.outside.is_empty() {
        s += &format!(
            "<p class=\"small\">{}: {}</p>",
            tr(lang, "No comparadas", "Not compared"),
            esc(&sv
                .outside
                .iter()
                .map(|o| format!("{} {} ({})", o.lab, o.id, o.reason))
                .collect::<Vec<_>>()
                .join("; "))
        );
    }

    // fusions
    let fu = &c.fusions;
    let fev = |f: &crate::concordance::markers::FusionEvidence| {
        format!(
            "{} {} / {} ({} {}, {} {})",
            esc(f.library.name()),
            esc(&f.five_prime),
            esc(&f.three_prime),
            f.split_reads,
            tr(lang, "lecturas divididas", "split reads"),
            f.spanning_pairs,
            tr(lang, "pares", "pairs")
        )
    };
    let mut rows: Vec<Row> = fu
        .matched
        .iter()
        .map(|fm| Row {
            name: esc(&fm.name),
            reference: fev(&fm.reference),
            test: fev(&fm.test),
            class: if fm.breakpoints_agree { "pass" } else { "warn" },
            result: format!(
                "{} ({}{})",
                tr(lang, "concordante", "matched"),
                esc(&fm.basis),
                match (fm.distance5, fm.distance3) {
                    (Some(a), Some(b)) => format!(", Δ {a}/{b} bp"),
                    _ => String::new(),
                }
            ),
        })
        .collect();
    for d in fu.reference_only.iter().chain(&fu.test_only) {
        rows.push(Row::one_sided(
            &d.found_by,
            esc(&d.fusion.name),
            fev(&d.fusion),
            &d.explanation,
        ));
    }
    s += &side_by_side(
        lang,
        tr(lang, "Fusiones", "Fusions"),
        tr(lang, "Fusión", "Fusion"),
        &rows,
        tr(
            lang,
            "Ningún laboratorio detectó fusiones",
            "Neither lab detected a fusion",
        ),
    );

    // copy number
    let cn = &c.copy_number;
    let cev = |x: &crate::concordance::markers::CnvEvidence| {
        format!(
            "{} {} {} (log2 {:.2})",
            esc(&x.state),
            tr(lang, "exones", "exons"),
            esc(&x.exons),
            x.log2
        )
    };
    let mut rows: Vec<Row> = cn
        .matched
        .iter()
        .map(|mt| {
            let same = mt.same_exons && mt.same_state;
            Row {
                name: esc(&mt.gene),
                reference: cev(&mt.reference),
                test: cev(&mt.test),
                class: if same { "pass" } else { "warn" },
                result: if same {
                    tr(lang, "concordante", "matched")
                } else {
                    tr(
                        lang,
                        "concordante; exones o estado difieren",
                        "matched; exons or state differ",
                    )
                }
                .into(),
            }
        })
        .collect();
    for d in cn.reference_only.iter().chain(&cn.test_only) {
        rows.push(Row::one_sided(
            &d.found_by,
            esc(&d.call.gene),
            cev(&d.call),
            &d.explanation,
        ));
    }
    s += &side_by_side(
        lang,
        tr(lang, "Número de copias", "Copy number"),
        tr(lang, "Gen", "Gene"),
        &rows,
        tr(
            lang,
            "Ningún laboratorio detectó cambios de número de copias",
            "Neither lab detected a copy-number change",
        ),
    );

    s += &format!(
        "<h2>{}</h2>",
        tr(
            lang,
            "Farmacogenética (TPMT, NUDT15)",
            "Pharmacogenes (TPMT, NUDT15)"
        )
    );
    s += &categories(lang, &c.pgx);
    s += &format!(
        "<h2>{}</h2>",
        tr(
            lang,
            "Subtipo, riesgo y ploidía",
            "Subtype, risk and ploidy"
        )
    );
    s += &categories(lang, &c.classification);

    // markers
    let mk = &c.markers;
    let t = &mk.table;
    s += &format!(
        "<h2>{}</h2><p>{}: {} {} / {} {} / {} {} / {} {}. PPA {}; NPA {}; kappa {}.</p>",
        tr(lang, "Marcadores del panel", "Panel markers"),
        tr(lang, "Evaluables en ambos", "Assessable in both"),
        t.both_positive,
        tr(lang, "ambos positivos", "both positive"),
        t.reference_only,
        tr(lang, "solo referencia", "reference only"),
        t.test_only,
        tr(lang, "solo evaluado", "test only"),
        t.both_negative,
        tr(lang, "ambos negativos", "both negative"),
        proportion(&t.ppa()),
        proportion(&t.npa()),
        mk.kappa.map_or("–".into(), |k| format!("{k:.3}"))
    );
    let disagree: Vec<String> = mk
        .rows
        .iter()
        .filter(|r| r.agree == Some(false))
        .map(|r| format!("{} ({})", esc(&r.marker), esc(&r.kind)))
        .collect();
    if !disagree.is_empty() {
        s += &format!(
            "<p class=\"fail\">{}: {}</p>",
            tr(lang, "Marcadores en desacuerdo", "Markers that disagree"),
            disagree.join(", ")
        );
    }
    let id = &c.identity;
    s += &format!(
        "<h2>{}</h2><p>{}: {} / {} / {} ({})</p>",
        tr(lang, "Identidad de la muestra", "Sample identity"),
        tr(
            lang,
            "Variantes germinales referencia / evaluado / compartidas",
            "Germline calls reference / test / shared"
        ),
        id.reference_germline,
        id.test_germline,
        id.shared,
        esc(&id.status)
    );
    if !c.regions.excluded.is_empty() {
        s += &format!(
            "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            tr(
                lang,
                "Regiones excluidas por cobertura",
                "Regions excluded for coverage"
            ),
            tr(lang, "Región", "Region"),
            tr(lang, "Laboratorio", "Lab"),
            tr(lang, "Profundidad media", "Mean depth"),
        );
        const SHOWN: usize = 40;
        for e in c.regions.excluded.iter().take(SHOWN) {
            s += &format!(
                "<tr><td>{} {}:{}-{}</td><td>{}</td><td>{:.0}x</td></tr>",
                esc(&e.name),
                esc(&e.chrom),
                e.start + 1,
                e.end,
                esc(&e.lab),
                e.mean_depth
            );
        }
        if c.regions.excluded.len() > SHOWN {
            s += &format!(
                "<tr><td colspan=\"3\">{} {} (concordance.json)</td></tr>",
                c.regions.excluded.len() - SHOWN,
                tr(lang, "más", "more")
            );
        }
        s += "</table>";
    }
    let p = &c.provenance;
    s += &format!(
        "<h2>{}</h2><p class=\"small\">puente {} · {} {} {} (sha256 {}) · {}: {} · {}: {} bp · {}: {}<br>{}: {}<br>{}: {}</p></body></html>\n",
        tr(lang, "Procedencia", "Provenance"),
        esc(&p.puente_version),
        tr(lang, "panel", "panel"),
        esc(&p.panel.name),
        esc(&p.panel.version),
        esc(&p.panel.sha256),
        tr(lang, "referencia FASTA", "reference FASTA"),
        p.reference_fasta.as_ref().map_or("–".into(), |r| esc(&r.path)),
        tr(lang, "tolerancia de fusiones", "fusion tolerance"),
        p.options.fusion_tolerance_bp,
        tr(lang, "línea de comandos", "command line"),
        esc(&p.command_line.join(" ")),
        tr(lang, "Referencia sha256", "Reference sha256"),
        esc(&c.reference.sha256),
        tr(lang, "Evaluado sha256", "Test sha256"),
        esc(&c.test.sha256),
    );
    s
}

/// Write concordance.json and concordance.html into `dir`.
pub fn write(dir: &std::path::Path, c: &Concordance, lang: Lang) -> crate::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
    crate::util::write_atomic(&dir.join("concordance.json"), &crate::util::to_json(c))?;
    crate::util::write_atomic(&dir.join("concordance.html"), render(c, lang).as_bytes())
}

/// validation.html: one scorecard per partner lab, then the pairs.
pub fn render_validation(v: &crate::concordance::validate::Validation, lang: Lang) -> String {
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body>\n<h1>{}</h1><p class=\"small\">{}: {} {}</p>\n",
        lang.code(),
        tr(lang, "Validación de laboratorios", "Lab validation"),
        tr(lang, "Validación de laboratorios pareados", "Paired-lab validation"),
        tr(lang, "Criterios", "Criteria"),
        esc(&v.criteria.name),
        esc(&v.criteria.version),
    );
    for sc in &v.scorecards {
        let cls = if sc.status == "pass" { "pass" } else { "fail" };
        s += &format!(
            "<h2>{} — <span class=\"{cls}\">{}</span></h2><p>{} {}{}</p>",
            esc(&sc.lab),
            if sc.status == "pass" {
                tr(lang, "APROBADO", "PASS")
            } else {
                tr(lang, "NO APROBADO", "NOT PASSED")
            },
            sc.pairs,
            tr(lang, "muestras pareadas", "paired samples"),
            if sc.pairs_failed > 0 {
                format!(
                    ", {} {}",
                    sc.pairs_failed,
                    tr(lang, "no comparables", "not comparable")
                )
            } else {
                String::new()
            }
        );
        s += &format!(
            "<table><tr><th>{}</th><th>PPA (IC 95%)</th><th>PPV (IC 95%)</th><th>NPA (IC 95%)</th><th>{}</th><th>{}</th></tr>",
            tr(lang, "Clase", "Class"),
            tr(lang, "Estado", "Status"),
            tr(lang, "Qué falta", "What is missing"),
        );
        for c in &sc.classes {
            let st = match c.status.as_str() {
                "pass" => "pass",
                "fail" => "fail",
                _ => "warn",
            };
            s += &format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{st}\">{}</td><td>{}</td></tr>",
                esc(&c.class),
                proportion(&c.ppa),
                c.ppv.as_ref().map_or("–".into(), proportion),
                c.npa.as_ref().map_or("–".into(), proportion),
                esc(&c.status),
                esc(&c.missing.join("; "))
            );
        }
        s += "</table>";
        let f = |x: Option<f64>| x.map_or("–".into(), |x| format!("{x:.3}"));
        s += &format!(
            "<p>kappa ({}) = {}; {} = {}; {} = {} (n = {}, Lin CCC {})</p>",
            tr(lang, "marcadores", "markers"),
            f(sc.kappa),
            tr(
                lang,
                "acuerdo en subtipo, riesgo y PGx",
                "subtype, risk and PGx agreement"
            ),
            proportion(&sc.category_agreement),
            tr(lang, "sesgo de VAF", "VAF bias"),
            f(sc.vaf.mean_difference),
            sc.vaf.n,
            f(sc.vaf.lin_ccc),
        );
        if !sc.missing.is_empty() {
            s += "<ul>";
            for m in &sc.missing {
                s += &format!("<li>{}</li>", esc(m));
            }
            s += "</ul>";
        }
    }
    s += &format!(
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        tr(lang, "Pares", "Pairs"),
        tr(lang, "Muestra", "Sample"),
        tr(lang, "Laboratorios", "Labs"),
        tr(lang, "Resultado", "Result"),
        tr(lang, "Detalle", "Detail"),
    );
    for p in &v.pairs {
        let detail = match (&p.dir, &p.error) {
            (Some(d), _) => format!("<a href=\"{0}/concordance.html\">{0}</a>", esc(d)),
            (None, Some(e)) => esc(e),
            _ => String::new(),
        };
        s += &format!(
            "<tr><td>{}</td><td>{} / {}</td><td>{}</td><td>{detail}</td></tr>",
            esc(&p.sample_id),
            esc(&p.reference_lab),
            esc(&p.test_lab),
            esc(&p.status)
        );
    }
    s + &format!(
        "</table><p class=\"small\">puente {} · {}</p></body></html>\n",
        esc(&v.puente_version),
        esc(&v.command_line.join(" "))
    )
}
