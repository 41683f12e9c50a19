//! Registry outputs: registry.json, tidy CSV tables for analysts, and registry.html (es/en) with
//! bar charts for the network coordinators. Suppressed cells stay empty in the CSV and read
//! "suppressed" in the HTML; nothing here can name a child.
use super::clinical::CSS;
use super::i18n::{tr, Lang};
use super::svg::{esc, proportion_bars, Bar};
use crate::registry::{Days, Registry, Row, Summary, Table, TableKind};
use std::path::Path;

fn title(lang: Lang, id: &str) -> String {
    let fixed = match id {
        "children" => Some(tr(lang, "Niños contados", "Children counted")),
        "subtype" => Some(tr(lang, "Subtipo", "Subtype")),
        "fusion_pair" => Some(tr(
            lang,
            "Fusiones por pareja de genes",
            "Fusions by partner pair",
        )),
        "marker" => Some(tr(
            lang,
            "Marcadores de la base de conocimiento",
            "Knowledge-base markers",
        )),
        "treatment" => Some(tr(
            lang,
            "Hallazgos que cambian el tratamiento",
            "Findings that change treatment",
        )),
        "ploidy" => Some(tr(lang, "Señal de ploidía", "Ploidy signal")),
        "risk_provisional" => Some(tr(
            lang,
            "Grupos de riesgo provisionales (faltan datos clínicos)",
            "Provisional risk groups (clinical inputs missing)",
        )),
        "thiopurine_dosing" => Some(tr(
            lang,
            "Dosis inicial de tiopurinas (CPIC)",
            "Thiopurine starting dose (CPIC)",
        )),
        "qc_verdict" => Some(tr(
            lang,
            "QC por corrida de secuenciación",
            "QC per sequencing run",
        )),
        _ => None,
    };
    if let Some(t) = fixed {
        return t.into();
    }
    if let Some(output) = id.strip_prefix("risk.") {
        return format!("{}: {output}", tr(lang, "Grupo de riesgo", "Risk group"));
    }
    let parts: Vec<&str> = id.split('.').collect();
    if let ["pgx", gene, what] = parts[..] {
        let what = match what {
            "diplotype" => tr(lang, "diplotipo", "diplotype"),
            "phenotype" => tr(lang, "fenotipo", "phenotype"),
            _ => tr(lang, "frecuencia alélica", "allele frequency"),
        };
        return format!("{gene}: {what}");
    }
    id.into()
}

fn label(lang: Lang, table: &str, r: &Row) -> String {
    if lang == Lang::En {
        return r.label.clone();
    }
    if table == "risk_provisional" {
        return match r.category.split_once('|') {
            Some((id, input)) => format!("{id}: provisional, falta {input}"),
            None => format!("{}: provisional", r.category),
        };
    }
    match (table, r.category.as_str()) {
        ("children", "reportable") => "QC aprobado o con advertencia".into(),
        ("children", "qc_fail") => "QC fallido (no se cuenta en las demás tablas)".into(),
        ("subtype", "none") => "sin lesión definitoria de subtipo".into(),
        ("treatment", "tki_class_fusion") => {
            "fusión de una clase tratable con ITC (clase ABL, JAK-STAT)".into()
        }
        ("treatment", "thiopurine_dose_reduction") => {
            "dosis inicial de tiopurinas reducida (TPMT/NUDT15)".into()
        }
        (_, "undetermined") => "no determinado".into(),
        _ => r.label.clone(),
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn suppressed(lang: Lang) -> &'static str {
    tr(lang, "suprimido", "suppressed")
}

/// `12 / 80 (15.0%, 8.8-24.4%)`, with suppressed parts named.
fn cell(lang: Lang, r: &Row) -> String {
    let n = r.n.map_or(suppressed(lang).to_string(), |n| n.to_string());
    let of = r.of.map_or(suppressed(lang).to_string(), |n| n.to_string());
    match (r.proportion, r.lower_95, r.upper_95) {
        (Some(p), Some(l), Some(u)) => format!("{n} / {of} ({}, {}–{})", pct(p), pct(l), pct(u)),
        _ => format!("{n} / {of}"),
    }
}

fn chart(lang: Lang, t: &Table) -> String {
    let rows: Vec<Bar> = t
        .rows
        .iter()
        .map(|r| {
            let share = match (r.proportion, r.lower_95, r.upper_95) {
                (Some(p), Some(l), Some(u)) => Some((p, l, u)),
                _ => None,
            };
            let note = if r.suppressed {
                suppressed(lang).to_string()
            } else {
                tr(lang, "sin niños evaluables", "no child assessable").to_string()
            };
            Bar {
                name: label(lang, &t.id, r),
                share,
                note,
            }
        })
        .collect();
    proportion_bars(&rows, &title(lang, &t.id))
}

fn table_html(lang: Lang, t: &Table) -> String {
    let of = match (t.kind, t.unit.as_str()) {
        (_, "alleles") => tr(lang, "alelos", "alleles"),
        (_, "runs") => tr(lang, "corridas", "runs"),
        (TableKind::Prevalence, _) => tr(lang, "niños evaluados", "children tested"),
        (TableKind::Distribution, _) => tr(lang, "niños", "children"),
    };
    let mut s = format!("<table><tr><th></th><th>n / {of} (%, IC 95%)</th></tr>",);
    if lang == Lang::En {
        s = s.replace("IC 95%", "95% CI");
    }
    for r in &t.rows {
        s += &format!(
            "<tr><td>{}</td><td>{}</td></tr>",
            esc(&label(lang, &t.id, r)),
            esc(&cell(lang, r))
        );
    }
    s + "</table>"
}

/// Rows of one table, one column per group.
fn matrix(lang: Lang, id: &str, groups: &[Summary]) -> String {
    let Some(first) = groups
        .first()
        .and_then(|g| g.tables.iter().find(|t| t.id == id))
    else {
        return String::new();
    };
    let mut s = format!("<h3>{}</h3><table><tr><th></th>", esc(&title(lang, id)));
    for g in groups {
        s += &format!("<th>{}</th>", esc(&g.group));
    }
    s += "</tr>";
    for (i, r) in first.rows.iter().enumerate() {
        s += &format!("<tr><td>{}</td>", esc(&label(lang, id, r)));
        for g in groups {
            let c = g
                .tables
                .iter()
                .find(|t| t.id == id)
                .and_then(|t| t.rows.get(i))
                .map_or("–".into(), |r| cell(lang, r));
            s += &format!("<td>{}</td>", esc(&c));
        }
        s += "</tr>";
    }
    s + "</table>"
}

fn days(d: &Days) -> String {
    match (d.n, d.median, d.q1, d.q3) {
        (Some(n), Some(m), Some(a), Some(b)) => format!("{m:.1} ({a:.1}–{b:.1}), n = {n}"),
        (Some(0), ..) => "–".into(),
        _ => "n < min".into(),
    }
}

/// registry.html for `lang`.
pub fn render(reg: &Registry, lang: Lang) -> String {
    let c = &reg.cohort;
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body>\n<h1>{}</h1>\n<p class=\"small\">puente {} · {} {} · {} {}</p>\n",
        lang.code(),
        tr(lang, "Registro de la red", "Network registry"),
        tr(lang, "Estadísticas de la red (desidentificadas)", "Network statistics (de-identified)"),
        esc(&reg.provenance.puente_version),
        tr(lang, "fecha", "date"),
        esc(&reg.provenance.analysis_date),
        tr(lang, "cohorte sha256", "cohort sha256"),
        esc(&reg.provenance.reports_sha256[..16.min(reg.provenance.reports_sha256.len())]),
    );
    s += &format!(
        "<div class=\"box\"><p><b>{}</b> {}</p><p class=\"small\">{}</p></div>\n",
        tr(lang, "Supresión de celdas pequeñas:", "Small-cell suppression:"),
        esc(&if lang == Lang::Es {
            format!(
                "los conteos de 1 a {} niños (o alelos, o corridas) se suprimen junto con su porcentaje e intervalo; si un conteo suprimido pudiera recuperarse restando de un total visible, se suprime también el siguiente conteo más pequeño (o el total); los ceros se muestran; las medianas requieren al menos {} valores.",
                reg.suppression.min_cell - 1,
                reg.suppression.min_cell
            )
        } else {
            reg.suppression.rule.clone()
        }),
        tr(
            lang,
            "Ninguna salida contiene identificadores de muestra. Cada niño se cuenta una vez (mismo hospital e ID de muestra, o mismo archivo secuenciado); se usa su informe con mejor QC y más reciente.",
            "No output carries a sample ID. Each child is counted once (same hospital and sample ID, or the same sequenced file); its best-QC, latest report is used.",
        )
    );
    s += &format!(
        "<h2>{}</h2><table><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr>",
        tr(lang, "Cohorte", "Cohort"),
        tr(lang, "Archivos leídos", "Files read"),
        c.files_read,
        tr(lang, "Informes usados", "Reports used"),
        c.reports_used,
        tr(lang, "Informes duplicados (re-análisis, re-pruebas pareadas)", "Duplicate reports (re-runs, paired-lab re-tests)"),
        c.duplicate_reports,
        tr(lang, "Niños", "Children"),
        c.children,
        tr(lang, "Niños con subtipos discordantes entre sus informes", "Children whose reports disagree on the subtype"),
        c.children_with_conflicting_subtypes
            .map_or(suppressed(lang).to_string(), |n| n.to_string()),
    );
    for k in &c.skipped {
        s += &format!(
            "<tr><th>{}</th><td>{} ({})</td></tr>",
            tr(lang, "Omitidos", "Skipped"),
            k.files,
            esc(&k.reason)
        );
    }
    for p in &c.panels {
        s += &format!(
            "<tr><th>{}</th><td>{} {} ({}) · {} {}</td></tr>",
            tr(lang, "Panel", "Panel"),
            esc(&p.name),
            esc(&p.version),
            esc(&p.build),
            p.reports,
            tr(lang, "informes", "reports")
        );
    }
    s += "</table>\n";
    s += &format!("<h2>{}</h2>\n", tr(lang, "Toda la red", "Whole network"));
    for t in &reg.overall.tables {
        s += &format!(
            "<section><h3>{}</h3>{}{}</section>\n",
            esc(&title(lang, &t.id)),
            chart(lang, t),
            table_html(lang, t)
        );
    }
    if !reg.hardy_weinberg.is_empty() {
        s += &format!(
            "<h3>{}</h3><table><tr><th>{}</th><th>{}</th><th>p</th><th></th></tr>",
            tr(
                lang,
                "Equilibrio de Hardy-Weinberg",
                "Hardy-Weinberg equilibrium"
            ),
            tr(lang, "Gen", "Gene"),
            tr(lang, "Niños genotipados", "Children genotyped"),
        );
        for h in &reg.hardy_weinberg {
            s += &format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"small\">{}</td></tr>",
                esc(&h.gene),
                h.genotyped,
                h.p_value.map_or("–".into(), |p| format!("{p:.3}")),
                esc(&h.note)
            );
        }
        s += "</table>\n";
    }
    if let Some(by) = &reg.by {
        let by_word = match by.as_str() {
            "lab" => tr(lang, "laboratorio", "lab"),
            "hospital" => tr(lang, "hospital", "hospital"),
            _ => tr(lang, "periodo", "period"),
        };
        s += &format!("<h2>{} {by_word}</h2>\n", tr(lang, "Por", "By"));
        for t in &reg.overall.tables {
            s += &matrix(lang, &t.id, &reg.groups);
        }
    }
    s += &format!("<h2>{}</h2>\n", tr(lang, "Laboratorios", "Labs"));
    s += &matrix(lang, "qc_verdict", &reg.qc);
    s += &format!(
        "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        tr(lang, "Laboratorio", "Lab"),
        tr(lang, "Corridas", "Runs"),
        tr(lang, "Mediana de profundidad media", "Median mean depth"),
        tr(lang, "Mediana % bases ≥ mínimo", "Median % bases ≥ minimum"),
        tr(lang, "Días recepción→análisis, mediana (RIC)", "Days receipt→analysis, median (IQR)"),
        tr(lang, "Días toma→recepción, mediana (RIC)", "Days collection→receipt, median (IQR)"),
        tr(lang, "Validación", "Validation"),
    );
    for l in &reg.labs {
        let validation: Vec<String> = l
            .validation
            .iter()
            .map(|v| {
                let failing: Vec<&str> = v
                    .classes
                    .iter()
                    .filter(|(_, st)| st.as_str() != "pass" && st.as_str() != "not_judged")
                    .map(|(c, _)| c.as_str())
                    .collect();
                format!(
                    "{} ({}, {} {}){}",
                    v.status,
                    v.criteria,
                    v.pairs,
                    tr(lang, "pares", "pairs"),
                    if failing.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", failing.join(", "))
                    }
                )
            })
            .collect();
        s += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&l.lab),
            l.runs.map_or(suppressed(lang).to_string(), |n| n.to_string()),
            l.median_mean_depth.map_or("–".into(), |d| format!("{d:.0}x")),
            l.median_pct_at_min_depth.map_or("–".into(), |d| format!("{d:.1}%")),
            esc(&days(&l.turnaround_days)),
            esc(&days(&l.transport_days)),
            esc(&if validation.is_empty() {
                "–".into()
            } else {
                validation.join("; ")
            })
        );
    }
    s += "</table>\n<p class=\"small\">";
    s += tr(
        lang,
        "Corridas: archivos secuenciados distintos (un re-análisis del mismo archivo cuenta una vez). La validación proviene de los resultados de puente validate incluidos.",
        "Runs: distinct sequenced files (a re-analysis of the same file counts once). Validation comes from the puente validate results given.",
    );
    s + "</p></body></html>\n"
}

fn opt_num<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn opt_f(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.6}")).unwrap_or_default()
}

fn csv_bytes(header: &[&str], rows: Vec<Vec<String>>) -> crate::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let to_err = |e: csv::Error| crate::Error::InvalidInput {
        path: "registry CSV".into(),
        reason: e.to_string(),
    };
    w.write_record(header).map_err(to_err)?;
    for r in rows {
        w.write_record(&r).map_err(to_err)?;
    }
    w.into_inner().map_err(|e| crate::Error::InvalidInput {
        path: "registry CSV".into(),
        reason: e.to_string(),
    })
}

/// Every table of every group in one long CSV (one row per table row).
pub fn tables_csv(reg: &Registry) -> crate::Result<Vec<u8>> {
    let mut rows = Vec::new();
    let by = reg.by.clone().unwrap_or_default();
    let sets = std::iter::once(("network", &reg.overall))
        .chain(reg.groups.iter().map(|g| (by.as_str(), g)))
        .chain(reg.qc.iter().map(|g| ("lab", g)));
    for (group_by, summary) in sets {
        for t in &summary.tables {
            for r in &t.rows {
                rows.push(vec![
                    group_by.to_string(),
                    summary.group.clone(),
                    t.id.clone(),
                    match t.kind {
                        TableKind::Distribution => "distribution".into(),
                        TableKind::Prevalence => "prevalence".into(),
                    },
                    t.unit.clone(),
                    r.category.clone(),
                    r.label.clone(),
                    opt_num(r.n),
                    opt_num(r.of),
                    opt_f(r.proportion),
                    opt_f(r.lower_95),
                    opt_f(r.upper_95),
                    r.suppressed.to_string(),
                ]);
            }
        }
    }
    csv_bytes(
        &[
            "group_by",
            "group",
            "table",
            "kind",
            "unit",
            "category",
            "label",
            "n",
            "of",
            "proportion",
            "lower_95",
            "upper_95",
            "suppressed",
        ],
        rows,
    )
}

pub fn labs_csv(reg: &Registry) -> crate::Result<Vec<u8>> {
    let rows = reg
        .labs
        .iter()
        .map(|l| {
            let validation: Vec<String> = l
                .validation
                .iter()
                .map(|v| format!("{} ({}, {} pairs)", v.status, v.criteria, v.pairs))
                .collect();
            vec![
                l.lab.clone(),
                opt_num(l.runs),
                opt_f(l.median_mean_depth),
                opt_f(l.median_pct_at_min_depth),
                opt_num(l.turnaround_days.n),
                opt_f(l.turnaround_days.median),
                opt_f(l.turnaround_days.q1),
                opt_f(l.turnaround_days.q3),
                opt_num(l.transport_days.n),
                opt_f(l.transport_days.median),
                validation.join("; "),
            ]
        })
        .collect();
    csv_bytes(
        &[
            "lab",
            "runs",
            "median_mean_depth",
            "median_pct_at_min_depth",
            "turnaround_n",
            "turnaround_median_days",
            "turnaround_q1_days",
            "turnaround_q3_days",
            "transport_n",
            "transport_median_days",
            "validation",
        ],
        rows,
    )
}

/// registry.json, registry_tables.csv, registry_labs.csv and registry.html in `dir`.
pub fn write(dir: &Path, reg: &Registry, lang: Lang) -> crate::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
    let tables = tables_csv(reg)?;
    let labs = labs_csv(reg)?;
    crate::util::write_atomic(&dir.join("registry.json"), &crate::util::to_json(reg))?;
    crate::util::write_atomic(&dir.join("registry_tables.csv"), &tables)?;
    crate::util::write_atomic(&dir.join("registry_labs.csv"), &labs)?;
    crate::util::write_atomic(&dir.join("registry.html"), render(reg, lang).as_bytes())
}
