//! Simulator tier for annotation and PGx, end to end through `puente run`: a KRAS G12D, a PAX5 P80R,
//! a TP53 frameshift and germline TPMT/NUDT15 alleles (including the NUDT15 repeat insertion) are
//! planted, and report.json must name them by HGVS, match them to the knowledge base with tiers and
//! sources, and give the CPIC diplotypes and dosing category. A reference that disagrees with the
//! panel's transcripts is refused.
mod common;
use common::{read_gz, run, stderr, tmp};
use puente::panel::Panel;
use puente::sim::{self, PlantedVariant, SampleSpec};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::OnceLock;

struct Case {
    dir: PathBuf,
    bam: PathBuf,
    report: Value,
}

fn planted(panel: &Panel, gene: &str, hgvs_c: &str, vaf: f64) -> PlantedVariant {
    let h = panel
        .hotspots
        .iter()
        .find(|h| h.gene == gene && h.hgvs_c == hgvs_c)
        .unwrap_or_else(|| panic!("{gene} {hgvs_c} in hotspots.tsv"));
    PlantedVariant {
        chrom: h.chrom.clone(),
        pos: h.start,
        reference: h.reference.clone(),
        alt: h.alt.clone(),
        vaf,
        label: format!("{gene} {hgvs_c}"),
    }
}

fn case() -> &'static Case {
    static C: OnceLock<Case> = OnceLock::new();
    C.get_or_init(|| {
        let panel = Panel::load("all-v1").unwrap();
        let dir = tmp("annotation");
        let fa = dir.join("ref.fa.gz");
        let genome = sim::write_reference(&panel, &fa, 7, 1500).unwrap();
        // a 1-base deletion in TP53 exon 5 (c.400-ish), written VCF-style from the genome
        let tp53 = panel
            .exons
            .iter()
            .find(|e| e.gene == "TP53" && e.number == 5)
            .unwrap();
        let p = tp53.start + 40;
        let two: Vec<u8> = (p - 1..p + 1).map(|i| genome.base("chr17", i)).collect();
        let mut variants = vec![
            planted(&panel, "KRAS", "c.35G>A", 0.3),
            planted(&panel, "PAX5", "c.239C>G", 0.4),
            planted(&panel, "TPMT", "c.460G>A", 0.5),
            planted(&panel, "TPMT", "c.719A>G", 0.5),
            planted(&panel, "NUDT15", "c.36_37insGGAGTC", 0.5),
            planted(&panel, "NUDT15", "c.415C>T", 0.5),
        ];
        variants.push(PlantedVariant {
            chrom: "chr17".into(),
            pos: p,
            reference: String::from_utf8(two.clone()).unwrap(),
            alt: (two[0] as char).to_string(),
            vaf: 0.35,
            label: "TP53 frameshift".into(),
        });
        let mut spec = SampleSpec::new("ANN1", 23);
        spec.depth = 300.0;
        spec.contigs = ["chr6", "chr9", "chr12", "chr13", "chr17"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        spec.variants = variants;
        let bam =
            sim::simulate_sample(&genome, &sim::sim_targets(&panel), &spec, &dir, false).unwrap();
        let out = dir.join("out");
        std::fs::write(dir.join("alt.tsv"), alt_kras("KRAS-ALT.1", 0)).unwrap();
        let o = run(&[
            "run",
            "--transcripts",
            dir.join("alt.tsv").to_str().unwrap(),
            "--bam",
            bam.to_str().unwrap(),
            "--reference",
            fa.to_str().unwrap(),
            "--sample-id",
            "ANN1",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("ANN1/report.json")).unwrap())
                .unwrap();
        common::assert_valid_report(&report);
        Case { dir, bam, report }
    })
}

/// The pinned KRAS exons under another transcript ID, CDS start moved by `shift` bases.
fn alt_kras(id: &str, shift: u64) -> String {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("reference-panels/all-v1/transcripts.tsv"),
    )
    .unwrap();
    let mut out = text.lines().next().unwrap().to_string() + "\n";
    for l in text.lines().filter(|l| l.starts_with("KRAS\t")) {
        let mut f: Vec<String> = l.split('\t').map(String::from).collect();
        f[1] = id.into();
        // the CDS end on the minus strand is c.1 (the ATG)
        if shift > 0 && !f[8].is_empty() && f[4] == "2" {
            f[8] = (f[8].parse::<u64>().unwrap() - shift).to_string();
        }
        out += &(f.join("\t") + "\n");
    }
    out
}

fn annotation<'a>(r: &'a Value, gene: &str, pred: impl Fn(&Value) -> bool) -> &'a Value {
    r["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["gene"] == gene && pred(a))
        .unwrap_or_else(|| panic!("no {gene} annotation in {:#}", r["annotations"]))
}

fn finding<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["marker_id"] == id)
        .unwrap_or_else(|| panic!("no finding {id} in {:#}", r["findings"]))
}

#[test]
fn hotspots_get_hgvs_names_and_knowledge_base_findings() {
    let r = &case().report;
    let kras = annotation(r, "KRAS", |a| a["hgvs_c"] == "c.35G>A");
    assert_eq!(kras["hgvs_p"], "p.(Gly12Asp)");
    assert_eq!(kras["hgvs_g"], "NC_000012.12:g.25245350C>T");
    assert_eq!(kras["transcript"], "ENST00000311936.7");
    let f = finding(r, "variant.KRAS-hotspots");
    assert_eq!(f["tier"], "II");
    assert_eq!(f["knowledge_base_version"], "1.0.0");
    assert!(f["sources"][0]["citation"].as_str().unwrap().len() > 10);
    // the extra transcript asked for with --transcripts is named too, in JSON and in the VCF CSQ
    let other = &kras["other_transcripts"][0];
    assert_eq!(other["transcript"], "KRAS-ALT.1");
    assert_eq!(other["hgvs_c"], "c.35G>A");
    let inputs = r["provenance"]["inputs"].as_array().unwrap();
    assert!(inputs.iter().any(|i| i["role"] == "transcripts"));
    let vcf = read_gz(&case().dir.join("out/ANN1/variants.vcf.gz"));
    let line = vcf
        .lines()
        .find(|l| l.starts_with("chr12\t25245350\t"))
        .unwrap();
    assert!(
        line.contains("CSQ=T|missense_variant|KRAS|ENST00000311936.7|2/5||ENST00000311936.7:c.35G>A|ENST00000311936.7:p.(Gly12Asp)|NC_000012.12:g.25245350C>T,T|missense_variant|KRAS|KRAS-ALT.1|"),
        "{line}"
    );
    assert!(vcf.contains("##INFO=<ID=CSQ,"));
    let pax5 = annotation(r, "PAX5", |a| a["hgvs_c"] == "c.239C>G");
    assert_eq!(pax5["hgvs_p"], "p.(Pro80Arg)");
    let f = finding(r, "variant.PAX5-P80R");
    assert_eq!(f["subtype_defining"], true);
    assert_eq!(f["icc_2022"], "B-ALL with mutated PAX5 P80R");
    assert_eq!(f["tier"], "I");
    assert_eq!(r["knowledge_base"]["name"], "puente-all-markers");
}

#[test]
fn a_tp53_frameshift_is_named_and_tiered_as_truncating() {
    let r = &case().report;
    let tp53 = annotation(r, "TP53", |a| a["consequence"] == "frameshift_variant");
    let p = tp53["hgvs_p"].as_str().unwrap();
    assert!(p.starts_with("p.(") && p.contains("fsTer"), "{p}");
    assert!(tp53["hgvs_c"].as_str().unwrap().ends_with("del"));
    assert_eq!(tp53["exon"], "5/11");
    let f = finding(r, "class.TP53-truncating");
    assert_eq!(f["prognosis"], "adverse");
}

#[test]
fn pgx_diplotypes_and_dosing_from_the_reads() {
    let r = &case().report;
    let tpmt = &r["pgx"]["genes"][0];
    assert_eq!(tpmt["gene"], "TPMT");
    assert_eq!(tpmt["diplotype"], "*1/*3A", "{tpmt:#}");
    assert_eq!(tpmt["alternatives"][0], "*3B/*3C");
    assert_eq!(tpmt["status"], "ambiguous_phase");
    let nudt15 = &r["pgx"]["genes"][1];
    // the repeat insertion is genotyped from the reads, not assumed
    let ins = nudt15["positions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "rs746071566_ins")
        .unwrap();
    assert_eq!(ins["genotype"], 1, "{ins:#}");
    assert_eq!(nudt15["diplotype"], "*1/*2", "{nudt15:#}");
    assert_eq!(r["pgx"]["dosing"]["category"], "compound_intermediate");
    assert!(r["pgx"]["caveats"][0]
        .as_str()
        .unwrap()
        .contains("germline"));
    let modules = r["modules"].as_array().unwrap();
    assert!(modules
        .iter()
        .any(|m| m["module"] == "pgx" && m["status"] == "done"));
}

#[test]
fn a_reference_that_breaks_a_transcript_or_a_hotspot_is_refused_with_the_reason() {
    let panel = Panel::load("all-v1").unwrap();
    let fa = case().dir.join("other.fa.gz");
    let mut genome = sim::write_reference(&panel, &fa, 7, 1500).unwrap();
    assert!(puente::annotate::reference_problems(&panel, &genome).is_empty());
    // KRAS c.1 (chr12:25245384, minus strand): ATG becomes GTG; TP53 R175H's REF base changes
    for (chrom, pos, b) in [("chr12", 25245384u64, b'C'), ("chr17", 7675088, b'A')] {
        let w = genome.windows.get_mut(chrom).unwrap();
        let (s, seq) = w
            .iter_mut()
            .find(|(s, q)| *s < pos && pos <= *s + q.len() as u64)
            .unwrap();
        seq[(pos - 1 - *s) as usize] = b;
    }
    // the same check from `puente panel validate --reference`, on the written FASTA
    let broken = case().dir.join("broken.fa.gz");
    sim::reference::write_genome(&genome, &broken).unwrap();
    let o = run(&[
        "panel",
        "validate",
        "all-v1",
        "--reference",
        broken.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("KRAS ENST00000311936.7: the CDS starts with GTG at chr12:25245384"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "panel",
        "validate",
        "all-v1",
        "--reference",
        fa.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let problems = puente::annotate::reference_problems(&panel, &genome);
    assert!(
        problems.iter().any(
            |p| p.contains("KRAS ENST00000311936.7: the CDS starts with GTG at chr12:25245384")
        ),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("TP53 p.R175H at chr17:7675088: REF C but the reference has A")),
        "{problems:?}"
    );
}

#[test]
fn bad_extra_transcripts_are_refused_before_any_sample_runs() {
    let c = case();
    let bam = &c.bam;
    let fa = c.dir.join("ref.fa.gz");
    let go = |name: &str, text: String| {
        let f = c.dir.join(name);
        std::fs::write(&f, text).unwrap();
        let out = c.dir.join(format!("out-{name}"));
        let o = run(&[
            "run",
            "--bam",
            bam.to_str().unwrap(),
            "--reference",
            fa.to_str().unwrap(),
            "--sample-id",
            "X",
            "--out",
            out.to_str().unwrap(),
            "--transcripts",
            f.to_str().unwrap(),
        ]);
        assert!(!out.join("X/report.json").exists());
        (o.status.code(), stderr(&o))
    };
    // a gene that is not on the panel
    let (code, err) = go(
        "braf.tsv",
        alt_kras("BRAF-1", 0).replace("KRAS\t", "BRAF\t"),
    );
    assert_eq!(code, Some(5), "{err}");
    assert!(err.contains("gene BRAF is not on panel all-v1"), "{err}");
    // the pinned transcript again
    let (code, err) = go("pinned.tsv", alt_kras("ENST00000311936.7", 0));
    assert_eq!(code, Some(5), "{err}");
    assert!(
        err.contains("already the panel's pinned transcript"),
        "{err}"
    );
    // a CDS start moved off the ATG: does not read as a protein on this reference
    let (code, err) = go("shifted.tsv", alt_kras("KRAS-BAD.1", 3));
    assert_eq!(code, Some(6), "{err}");
    assert!(err.contains("KRAS KRAS-BAD.1: the CDS"), "{err}");
    // not a transcripts table
    let (code, err) = go("junk.tsv", "gene\ttranscript\nKRAS\n".into());
    assert_eq!(code, Some(5), "{err}");
}

#[test]
fn risk_is_assessed_provisionally_and_explained() {
    let c = case();
    let r = &c.report;
    // no clinical inputs in this run: groups that need them are provisional or undetermined
    let outputs = r["risk"]["outputs"].as_array().unwrap();
    let nci = outputs.iter().find(|o| o["id"] == "nci_risk").unwrap();
    assert_eq!(nci["value"], Value::Null);
    let genetic = outputs.iter().find(|o| o["id"] == "genetic_risk").unwrap();
    // the TP53 frameshift is adverse in the knowledge base
    assert_eq!(genetic["value"], "unfavourable", "{genetic:#}");
    let fired = &genetic["fired"][0];
    assert!(!fired["call_ids"].as_array().unwrap().is_empty());
    let report = c.dir.join("out/ANN1/report.json");
    let o = run(&["risk", "explain", report.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(text.contains("PROVISIONAL: missing"), "{text}");
    assert!(
        text.contains("fired  genetic.unfavourable -> unfavourable"),
        "{text}"
    );
    // MRD and the NCI inputs arrive later: re-evaluated without re-calling
    let o = run(&[
        "risk",
        "explain",
        report.to_str().unwrap(),
        "--lineage",
        "B",
        "--age-years",
        "4",
        "--wbc-per-ul",
        "12000",
        "--cns-status",
        "CNS1",
        "--mrd-day15",
        "0.001",
        "--mrd-eoi",
        "0.02",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let a: Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = a["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "protocol_risk")
        .unwrap();
    assert_eq!(
        (p["value"].as_str(), p["provisional"].as_bool()),
        (Some("HR"), Some(false))
    );
    assert!(stderr(&o).contains("re-evaluated"));
    // a broken rules file: refused with its line
    let rules = c.dir.join("bad-risk.toml");
    let text = include_str!("../reference-panels/all-v1/risk.toml").replace(
        "level = \"HR\"\nwhen = \"mrd_eoi >= 0.01\"",
        "level = \"VHR\"\nwhen = \"mrd_eoi >= 0.01\"",
    );
    std::fs::write(&rules, text).unwrap();
    let o = run(&[
        "risk",
        "explain",
        report.to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("rule sj.hr-mrd-eoi: level \"VHR\" is not a level of protocol_risk"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("line "), "{}", stderr(&o));
    // a report from a newer schema is refused with both versions
    let newer = c.dir.join("newer.json");
    let mut v = r.clone();
    v["schema_version"] = Value::from("9.0.0");
    std::fs::write(&newer, serde_json::to_string(&v).unwrap()).unwrap();
    let o = run(&["risk", "explain", newer.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(5));
    assert!(
        stderr(&o).contains("report schema 9.0.0 cannot be read"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("newer puente"), "{}", stderr(&o));
}

/// Headless Chromium (Debian `chromium`): the page loads without console errors and the
/// screenshot is not blank. Skipped with a note when Chromium is absent, unless CI requires it.
fn chromium_check(html: &std::path::Path) {
    let bin = ["chromium", "chromium-browser"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(bin) = bin else {
        assert!(
            std::env::var_os("PUENTE_REQUIRE_CHROMIUM").is_none(),
            "chromium is required (PUENTE_REQUIRE_CHROMIUM) but not installed"
        );
        eprintln!("chromium not installed: report.html rendering check skipped");
        return;
    };
    let png = html.with_extension("png");
    let profile = html.with_extension("profile");
    let o = std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1240,1754",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--screenshot={}", png.display()),
            &format!("file://{}", html.display()),
        ])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{log}");
    assert!(
        !log.lines()
            .any(|l| l.contains("CONSOLE") && l.to_lowercase().contains("error")),
        "console errors:\n{log}"
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = &buf[..info.buffer_size()];
    let dark = px
        .chunks(info.color_type.samples())
        .filter(|p| p[0] < 128)
        .count();
    assert!(dark > 5000, "screenshot looks blank ({dark} dark pixels)");
}

#[test]
fn report_html_in_both_languages_and_rerendered_outputs() {
    let c = case();
    let dir = c.dir.join("out/ANN1");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    // Spanish by default, self-contained (no script, no external resource)
    assert!(html.contains("<html lang=\"es\">"));
    assert!(html.contains("Informe molecular de leucemia linfoblástica aguda"));
    for external in ["<script", "<link", " src=", "href=\"http", "url("] {
        assert!(!html.contains(external), "{external}");
    }
    for section in [
        "Resumen",
        "Alteraciones detectadas",
        "Analizado y no detectado",
        "Farmacogenética",
        "Cobertura por gen",
        "Métodos, limitaciones y trazabilidad",
    ] {
        assert!(html.contains(section), "{section}");
    }
    assert!(
        html.contains("PAX5 p.P80R") || html.contains("PAX5"),
        "finding missing"
    );
    assert!(html.contains("<svg"));
    assert!(html.contains("PROVISIONAL"));
    // English from the saved report.json, without re-calling
    let report = dir.join("report.json");
    let en = c.dir.join("report.en.html");
    let o = run(&[
        "report",
        report.to_str().unwrap(),
        "--format",
        "html",
        "--lang",
        "en",
        "--out",
        en.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&en).unwrap();
    assert!(text.contains("<html lang=\"en\">") && text.contains("Tested and not detected"));
    // the Spanish page from the report equals the one the run wrote
    let es = c.dir.join("report.es.html");
    let o = run(&[
        "report",
        report.to_str().unwrap(),
        "--out",
        es.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&es).unwrap(), html);
    // the VCF re-rendered from report.json is the run's VCF
    let vcf = c.dir.join("rerendered.vcf.gz");
    let o = run(&[
        "report",
        report.to_str().unwrap(),
        "--format",
        "vcf",
        "--out",
        vcf.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read_gz(&vcf), read_gz(&dir.join("variants.vcf.gz")));
    chromium_check(&en);
    // FHIR: the run's Bundle equals the one re-rendered from report.json, and validates
    let fhir = c.dir.join("rerendered.fhir.json");
    let o = run(&[
        "report",
        report.to_str().unwrap(),
        "--format",
        "fhir",
        "--out",
        fhir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let written = std::fs::read_to_string(dir.join("report.fhir.json")).unwrap();
    assert_eq!(std::fs::read_to_string(&fhir).unwrap(), written);
    let b: Value = serde_json::from_str(&written).unwrap();
    let kinds: Vec<&str> = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["resource"]["meta"]["profile"][0].as_str())
        .collect();
    for p in [
        "genomic-report",
        "variant",
        "diagnostic-implication",
        "therapeutic-implication",
        "genotype",
    ] {
        assert!(
            kinds.iter().any(|k| k.ends_with(&format!("/{p}"))),
            "no {p} in {kinds:?}"
        );
    }
    fhir_check(&fhir);
}

/// fhir.resources (PyPI) from `.venv-test` (scripts/install-test-deps.sh) validates the Bundle and
/// tests/fhir_validate.py checks the IG elements; skipped with a note when absent, unless CI
/// requires it.
fn fhir_check(bundle: &std::path::Path) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = root.join(".venv-test/bin/python");
    if !python.exists() {
        assert!(
            std::env::var_os("PUENTE_REQUIRE_FHIR").is_none(),
            "fhir.resources is required (PUENTE_REQUIRE_FHIR) but .venv-test is missing"
        );
        eprintln!("no .venv-test: FHIR validation skipped");
        return;
    }
    let o = std::process::Command::new(python)
        .arg(root.join("tests/fhir_validate.py"))
        .arg(bundle)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}
