//! HTML outputs. `cnv.html`: the copy-number view of one sample (IKZF1plus, ploidy signal, one
//! log2-per-exon plot per copy-number gene), self-contained so it opens anywhere.
use super::svg::esc;
use crate::call::cnv::CnvCalls;
use crate::error::Result;
use crate::model::{CnvState, Provenance};
use crate::util::write_atomic;
use std::path::Path;

pub fn write_cnv(path: &Path, sample: &str, prov: &Provenance, cnv: &CnvCalls) -> Result<()> {
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0} copy number</title>\n<style>body{{font-family:sans-serif;margin:1.5em;max-width:62em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 6px;font-size:13px}}.warn{{color:#a04000}}</style></head><body>\n<h1>{0}: copy number</h1>\n<p>puente {1}; panel {2} {3} ({4}); baseline: {5}{6}; noise (robust spread of log2 ratios) {7:.3}</p>\n",
        esc(sample),
        esc(&prov.puente_version),
        esc(&prov.panel.name),
        esc(&prov.panel.version),
        esc(&prov.panel.build),
        esc(&cnv.baseline.method),
        if cnv.baseline.pon_samples > 0 {
            format!(" ({} normals)", cnv.baseline.pon_samples)
        } else {
            String::new()
        },
        cnv.noise
    );
    for w in &cnv.warnings {
        h += &format!("<p class=\"warn\">{}</p>\n", esc(w));
    }
    h += &format!(
        "<h2>IKZF1plus: {}</h2><p>{}</p>\n<h2>Ploidy signal: {}</h2><p>{}</p>\n",
        esc(&cnv.ikzf1plus.status),
        esc(&cnv.ikzf1plus.reason),
        esc(&cnv.ploidy.pattern),
        esc(&cnv.ploidy.note)
    );
    h += "<table><tr><th>chromosome</th><th>bins</th><th>log2</th><th>het SNPs</th><th>allelic imbalance</th><th>state</th></tr>\n";
    for c in &cnv.ploidy.chromosomes {
        h += &format!(
            "<tr><td>{}</td><td>{}</td><td>{:.2}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&c.chrom),
            c.targets,
            c.log2,
            c.het_snps,
            c.allelic_imbalance
                .map_or("-".into(), |x| format!("{x:.2}")),
            esc(&c.state)
        );
    }
    h += "</table>\n<h2>Genes</h2>\n<table><tr><th>gene</th><th>exons</th><th>call</th><th>log2</th><th>z</th><th>copies</th><th>pattern</th><th>filter</th></tr>\n";
    for c in &cnv.calls {
        h += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td><td>{:.1}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&c.gene),
            c.exon_label(),
            c.state.name(),
            c.log2,
            c.z,
            c.copy_number.map_or("-".into(), |x| format!("{x:.2}")),
            esc(c.pattern.as_deref().unwrap_or("")),
            if c.filters.is_empty() { "PASS".into() } else { esc(&c.filters.join(";")) }
        );
    }
    h += "</table>\n";
    for g in &cnv.genes {
        let calls: Vec<_> = cnv
            .calls
            .iter()
            .filter(|c| c.gene == g.gene && c.state != CnvState::Neutral)
            .collect();
        h += &format!("<div>{}</div>\n", super::svg::gene_plot(g, &calls));
    }
    h += "</body></html>\n";
    write_atomic(path, h.as_bytes())
}
