use anyhow::Context;
use puente::{panel::Panel, report};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// A report.json written by `puente run` or `batch`.
    report: PathBuf,
    /// What to render: html (clinical report), vcf (small variants, bgzipped + index), fhir (R4
    /// Genomics Reporting Bundle) or json (the report itself, re-serialised).
    #[arg(long, value_parser = ["html", "vcf", "fhir", "json"], default_value = "html")]
    format: String,
    /// Language of the HTML report.
    #[arg(long, value_parser = ["es", "en"], default_value = "es")]
    lang: String,
    /// Output file (default: next to the report: report.LANG.html, variants.vcf.gz, report.json).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Panel the report was made with (exon models for the fusion diagrams, contigs for the VCF).
    #[arg(long)]
    panel: Option<String>,
}

pub fn exec(a: Args) -> anyhow::Result<i32> {
    let r = report::read_report(&a.report)?;
    let panel = Panel::load(a.panel.as_deref().unwrap_or(&r.provenance.panel.name))?;
    if panel.sha256 != r.provenance.panel.sha256 {
        eprintln!(
            "warning: panel {} {} differs from the one the report was made with (sha256 {}); only exon drawings and contig lengths come from it",
            panel.manifest.panel.name, panel.manifest.panel.version, r.provenance.panel.sha256
        );
    }
    let dir = a
        .report
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let out = match (&a.out, a.format.as_str()) {
        (Some(o), _) => o.clone(),
        (None, "html") => dir.join(format!("report.{}.html", a.lang)),
        (None, "vcf") => dir.join("variants.vcf.gz"),
        (None, "fhir") => dir.join("report.fhir.json"),
        (None, _) => dir.join("report.rendered.json"),
    };
    match a.format.as_str() {
        "html" => {
            let lang = report::i18n::Lang::parse(&a.lang).context("language")?;
            puente::util::write_atomic(
                &out,
                report::clinical::render(&r, lang, Some(&panel)).as_bytes(),
            )?;
        }
        "vcf" => {
            // the reference was checked to be the panel's build, so the build's lengths are its own
            let build = panel.build().context("panel build")?;
            let lengths = build.contigs();
            let contigs: Vec<(String, u64)> = panel
                .contigs()
                .into_iter()
                .filter_map(|c| {
                    let l = lengths.iter().find(|(n, _)| {
                        puente::ingest::build::canonical(n) == puente::ingest::build::canonical(&c)
                    })?;
                    Some((c, l.1))
                })
                .collect();
            report::vcf::write_small_variants(
                &out,
                &report::vcf::SmallVcf::from_report(&r, &contigs),
            )?;
        }
        "fhir" => {
            puente::util::write_atomic(&out, &puente::util::to_json(&report::fhir::bundle(&r)))?
        }
        _ => puente::util::write_atomic(&out, &puente::util::to_json(&r))?,
    }
    println!("{}", out.display());
    Ok(0)
}
