//! Paired-lab concordance end to end. One simulated child (ETV6::RUNX1, KRAS G13D at 12%) is
//! sequenced by two labs (different read seeds) and run through `puente run`; the two reports are
//! compared, then edited into representation-difference cases (MNV vs SNVs, an indel placed at the
//! other end of a homopolymer, a delins vs a deletion plus an SNV) whose haplotype-aware truth is
//! computed here by applying the calls to the reference. Simple cases are cross-checked against
//! `bcftools norm` + `bcftools isec`. Bad inputs: another sample, another build, a VCF without a
//! FASTA, a FASTA that is not the one the labs used, a malformed pairs.csv.
mod common;
use common::{assert_valid, run, stderr, tmp};
use puente::panel::Panel;
use puente::sim::{self, SimGenome};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

struct Case {
    dir: PathBuf,
    fa: PathBuf,
    genome: SimGenome,
    a: PathBuf,
    b: PathBuf,
}

fn read(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn case() -> &'static Case {
    static C: OnceLock<Case> = OnceLock::new();
    C.get_or_init(|| {
        let panel = Panel::load("all-v1").unwrap();
        let dir = tmp("concordance");
        let fa = dir.join("ref.fa.gz");
        let genome = sim::write_reference(&panel, &fa, 17, 1500).unwrap();
        let mut spec = sim::SampleSpec::new("PAIR1", 0);
        spec.depth = 400.0;
        spec.contigs = vec!["chr12".into(), "chr21".into()];
        spec.fusions.push(
            sim::intronic_fusion(&panel, "ETV6_intron5", "RUNX1_intron1", true, "ETV6::RUNX1")
                .unwrap(),
        );
        spec.variants
            .push(sim::hotspot_variant(&panel, "KRAS", "c.38G>A", 0.12).unwrap());
        let mut reports = Vec::new();
        for (lab, seed) in [("LAB-REF", 101), ("LAB-B", 202)] {
            spec.seed = seed;
            spec.lab_id = lab.into();
            let d = dir.join(lab);
            std::fs::create_dir_all(&d).unwrap();
            let bam =
                sim::simulate_sample(&genome, &sim::sim_targets(&panel), &spec, &d, false).unwrap();
            let o = run(&[
                "run",
                "--bam",
                bam.to_str().unwrap(),
                "--reference",
                fa.to_str().unwrap(),
                "--sample-id",
                "PAIR1",
                "--lab-id",
                lab,
                "--out",
                d.join("out").to_str().unwrap(),
            ]);
            assert!(o.status.success(), "{}", stderr(&o));
            reports.push(d.join("out/PAIR1/report.json"));
        }
        let b = reports.pop().unwrap();
        let a = reports.pop().unwrap();
        Case {
            dir,
            fa,
            genome,
            a,
            b,
        }
    })
}

fn concordance(args: &[&str], out: &Path) -> (std::process::Output, Option<Value>) {
    let mut all = vec![
        "concordance",
        "--out",
        out.to_str().unwrap(),
        "--lang",
        "en",
    ];
    all.extend_from_slice(args);
    let o = run(&all);
    let j = out.join("concordance.json");
    let v = j.exists().then(|| read(&j));
    (o, v)
}

/// Write two edited reports as NAME_a.json and NAME_b.json and compare them into cc_NAME.
fn compare_edited(
    c: &Case,
    name: &str,
    a: &Value,
    b: &Value,
    extra: &[&str],
) -> (std::process::Output, Option<Value>) {
    let (pa, pb) = (
        c.dir.join(format!("{name}_a.json")),
        c.dir.join(format!("{name}_b.json")),
    );
    std::fs::write(&pa, serde_json::to_string(a).unwrap()).unwrap();
    std::fs::write(&pb, serde_json::to_string(b).unwrap()).unwrap();
    let (pa, pb) = (pa.to_str().unwrap(), pb.to_str().unwrap());
    let mut args = vec!["--reference", pa, "--test", pb];
    args.extend_from_slice(extra);
    concordance(&args, &c.dir.join(format!("cc_{name}")))
}

/// Compare two results normalising against `fasta`.
fn with_fasta(
    a: &Path,
    b: &Path,
    fasta: &Path,
    out: &Path,
) -> (std::process::Output, Option<Value>) {
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let (a, b, f) = (s(a), s(b), s(fasta));
    concordance(
        &["--reference", &a, "--test", &b, "--reference-fasta", &f],
        out,
    )
}

#[test]
fn two_labs_sequencing_one_child_agree() {
    let c = case();
    let out = c.dir.join("cc_real");
    let (o, v) = concordance(
        &[
            "--reference",
            c.a.to_str().unwrap(),
            "--test",
            c.b.to_str().unwrap(),
        ],
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = v.unwrap();
    assert_valid(&v, "concordance.schema.json");
    assert_eq!(v["reference"]["lab_id"], "LAB-REF");
    assert_eq!(v["test"]["lab_id"], "LAB-B");
    // the FASTA the reports name was found and checked
    assert!(v["provenance"]["reference_fasta"]["path"].is_string());
    let m = &v["small_variants"]["matches"];
    let kras = m
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["reference"][0]["hgvs_p"].as_str() == Some("p.(Gly13Asp)"))
        .unwrap_or_else(|| panic!("KRAS G13D matched: {m}"));
    let (va, vb) = (
        kras["reference"][0]["vaf"].as_f64().unwrap(),
        kras["test"][0]["vaf"].as_f64().unwrap(),
    );
    assert!(
        (va - 0.12).abs() < 0.05 && (vb - 0.12).abs() < 0.05,
        "{va} {vb}"
    );
    let f = &v["fusions"];
    assert_eq!(f["matched"][0]["name"], "ETV6::RUNX1", "{f}");
    assert_eq!(f["matched"][0]["basis"], "breakpoints");
    assert!(f["reference_only"].as_array().unwrap().is_empty());
    let subtype = v["classification"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["item"] == "subtype")
        .unwrap();
    assert_eq!(subtype["agree"], true);
    // both labs called the same markers, so kappa is defined and perfect
    assert_eq!(v["markers"]["table"]["reference_only"], 0);
    assert_eq!(v["markers"]["table"]["test_only"], 0);
    assert_eq!(v["markers"]["kappa"], 1.0);
    assert!(v["regions"]["compared_bases"].as_u64().unwrap() > 0);
    let html = std::fs::read_to_string(out.join("concordance.html")).unwrap();
    assert!(html.contains("Paired-lab concordance") && html.contains("ETV6::RUNX1"));
    assert!(html.contains("<svg"), "VAF scatter drawn");
}

/// A passing SNV call cloned from `template` and placed at `pos` (1-based) with the given alleles.
fn call(template: &Value, chrom: &str, pos: u64, r: &str, a: &str, vaf: f64) -> Value {
    let mut v = template.clone();
    v["id"] = json!(format!("{chrom}:{pos}:{r}:{a}"));
    v["chrom"] = json!(chrom);
    v["pos"] = json!(pos);
    v["reference"] = json!(r);
    v["alt"] = json!(a);
    v["kind"] = json!(puente::model::VariantKind::of(r, a));
    v["vaf"] = json!(vaf);
    v["filters"] = json!([]);
    v["origin"] = json!("unknown");
    v
}

/// Apply VCF-style calls to the reference window [lo, hi) (0-based): the haplotype they spell.
fn haplotype(
    g: &SimGenome,
    chrom: &str,
    lo: u64,
    hi: u64,
    calls: &[(u64, String, String)],
) -> String {
    let mut s = String::new();
    let mut at = lo;
    let mut calls = calls.to_vec();
    calls.sort();
    for (pos, r, a) in calls {
        let start = pos - 1;
        assert!(start >= at, "overlapping calls");
        s.extend((at..start).map(|i| g.base(chrom, i) as char));
        s += &a;
        at = start + r.len() as u64;
    }
    s.extend((at..hi).map(|i| g.base(chrom, i) as char));
    s
}

fn seq(g: &SimGenome, chrom: &str, lo: u64, hi: u64) -> String {
    (lo..hi).map(|i| g.base(chrom, i) as char).collect()
}

fn other_base(avoid: &[char]) -> char {
    ['A', 'C', 'G', 'T']
        .into_iter()
        .find(|b| !avoid.contains(b))
        .unwrap()
}

/// Reportable, adequately covered stretches of chr12 in both reports, as 0-based ranges.
fn covered_regions(c: &Case, ra: &Value, rb: &Value) -> Vec<(u64, u64)> {
    let panel = Panel::load("all-v1").unwrap();
    let low: Vec<(u64, u64)> = [ra, rb]
        .iter()
        .flat_map(|r| r["qc"]["below_min_depth"].as_array().unwrap().clone())
        .filter(|x| x["chrom"] == "chr12")
        .map(|x| (x["start"].as_u64().unwrap(), x["end"].as_u64().unwrap()))
        .collect();
    let _ = c;
    panel
        .reportable
        .iter()
        .filter(|r| r.chrom == "chr12" && r.len() > 60)
        .filter(|r| !low.iter().any(|&(s, e)| s < r.end && r.start < e))
        .map(|r| (r.start + 10, r.end - 10))
        .collect()
}

#[test]
fn representation_differences_match_as_the_haplotypes_do() {
    let c = case();
    let g = &c.genome;
    let (mut ra, mut rb) = (read(&c.a), read(&c.b));
    let template = ra["small_variants"][0].clone();
    let regions = covered_regions(c, &ra, &rb);
    assert!(regions.len() >= 3, "{regions:?}");
    type Calls = Vec<(u64, String, String)>;
    let mut cases: Vec<(&str, Calls, Calls, u64, u64)> = Vec::new();
    // 1. an MNV vs its two SNVs
    let (lo, _) = regions[0];
    let p = lo + 5;
    let (r0, r1) = (g.base("chr12", p) as char, g.base("chr12", p + 1) as char);
    let (x0, x1) = (other_base(&[r0]), other_base(&[r1]));
    cases.push((
        "mnv",
        vec![(p + 1, format!("{r0}{r1}"), format!("{x0}{x1}"))],
        vec![
            (p + 1, r0.to_string(), x0.to_string()),
            (p + 2, r1.to_string(), x1.to_string()),
        ],
        p - 5,
        p + 10,
    ));
    // 2. one base deleted from a homopolymer, written at its left and at its right end
    let hp = regions
        .iter()
        .flat_map(|&(lo, hi)| lo + 1..hi - 5)
        .find(|&i| {
            let b = g.base("chr12", i);
            (0..4).all(|k| g.base("chr12", i + k) == b) && g.base("chr12", i - 1) != b
        })
        .expect("a homopolymer of 4 in the reportable chr12 regions");
    let mut len = 4;
    while g.base("chr12", hp + len) == g.base("chr12", hp) {
        len += 1;
    }
    let left = (
        hp,
        seq(g, "chr12", hp - 1, hp + 1),
        seq(g, "chr12", hp - 1, hp),
    );
    let right = (
        hp + len - 1,
        seq(g, "chr12", hp + len - 2, hp + len),
        seq(g, "chr12", hp + len - 2, hp + len - 1),
    );
    cases.push((
        "homopolymer deletion",
        vec![left],
        vec![right],
        hp - 3,
        hp + len + 3,
    ));
    // 3. a delins vs a deletion plus an SNV
    let (lo, _) = regions[1];
    let q = lo + 20;
    let x = other_base(&[g.base("chr12", q) as char, g.base("chr12", q + 2) as char]);
    cases.push((
        "delins",
        vec![(q + 1, seq(g, "chr12", q, q + 3), x.to_string())],
        vec![
            (q, seq(g, "chr12", q - 1, q + 2), seq(g, "chr12", q - 1, q)),
            (q + 3, seq(g, "chr12", q + 2, q + 3), x.to_string()),
        ],
        q - 5,
        q + 10,
    ));
    for (name, a, b, lo, hi) in &cases {
        assert_eq!(
            haplotype(g, "chr12", *lo, *hi, a),
            haplotype(g, "chr12", *lo, *hi, b),
            "{name}: the two writings spell the same haplotype"
        );
        for (pos, r, alt) in a {
            ra["small_variants"]
                .as_array_mut()
                .unwrap()
                .push(call(&template, "chr12", *pos, r, alt, 0.2));
        }
        for (pos, r, alt) in b {
            rb["small_variants"]
                .as_array_mut()
                .unwrap()
                .push(call(&template, "chr12", *pos, r, alt, 0.2));
        }
    }
    // 4. a call the test lab filtered, and one it does not have at all
    let (lo, _) = regions[2];
    let s = lo + 30;
    let (rs, xs) = (
        g.base("chr12", s) as char,
        other_base(&[g.base("chr12", s) as char]),
    );
    let filtered = call(
        &template,
        "chr12",
        s + 1,
        &rs.to_string(),
        &xs.to_string(),
        0.08,
    );
    ra["small_variants"]
        .as_array_mut()
        .unwrap()
        .push(filtered.clone());
    let mut f = filtered;
    f["filters"] = json!(["strand_bias"]);
    rb["small_variants"].as_array_mut().unwrap().push(f);
    let t = s + 8;
    let (rt, xt) = (
        g.base("chr12", t) as char,
        other_base(&[g.base("chr12", t) as char]),
    );
    rb["small_variants"].as_array_mut().unwrap().push(call(
        &template,
        "chr12",
        t + 1,
        &rt.to_string(),
        &xt.to_string(),
        0.3,
    ));

    // the test lab sequenced RNA: the fusion matches on its junction exons
    for f in rb["fusions"].as_array_mut().unwrap() {
        f["library"] = json!("rna");
    }
    // copy number: IKZF1 exons 4-7 vs 4-8 (one deletion, ranges differ); CDKN2A in one lab only
    let cnv = |gene: &str, state: &str, first: u32, last: u32| {
        let mut x = ra["copy_number"]["calls"][0].clone();
        x["id"] = json!(format!("CNV:{gene}:{first}-{last}"));
        x["gene"] = json!(gene);
        x["state"] = json!(state);
        x["first_exon"] = json!(first);
        x["last_exon"] = json!(last);
        x["filters"] = json!([]);
        x
    };
    let (ik_a, ik_b, cdkn) = (
        cnv("IKZF1", "DEL", 4, 7),
        cnv("IKZF1", "DEL", 4, 8),
        cnv("CDKN2A", "HOMDEL", 1, 3),
    );
    ra["copy_number"]["calls"]
        .as_array_mut()
        .unwrap()
        .extend([ik_a, cdkn]);
    rb["copy_number"]["calls"]
        .as_array_mut()
        .unwrap()
        .push(ik_b);
    let out = c.dir.join("cc_edited");
    let fa = c.fa.to_str().unwrap();
    let (o, v) = compare_edited(c, "edited", &ra, &rb, &["--reference-fasta", fa]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = v.unwrap();
    assert_valid(&v, "concordance.schema.json");
    let matches = v["small_variants"]["matches"].as_array().unwrap();
    for (name, a, b, _, _) in &cases {
        let ids = |calls: &Vec<(u64, String, String)>| -> Vec<String> {
            calls
                .iter()
                .map(|(p, r, x)| format!("chr12:{p}:{r}:{x}"))
                .collect()
        };
        let (ia, ib) = (ids(a), ids(b));
        let m = matches
            .iter()
            .find(|m| {
                m["reference"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| ia.contains(&x["id"].as_str().unwrap().to_string()))
            })
            .unwrap_or_else(|| {
                panic!("{name}: not matched\n{}", v["small_variants"]["discordant"])
            });
        let got: Vec<String> = m["test"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, ib, "{name}");
        // a homopolymer indel written at its right end is the left-aligned one after normalisation
        let kind = if *name == "homopolymer deletion" {
            "normalized"
        } else {
            "haplotype"
        };
        assert_eq!(m["kind"], kind, "{name}");
    }
    let disc = v["small_variants"]["discordant"].as_array().unwrap();
    assert_eq!(disc.len(), 2, "{disc:?}");
    let missed = disc.iter().find(|d| d["found_by"] == "reference").unwrap();
    assert!(
        missed["explanation"]
            .as_str()
            .unwrap()
            .contains("filtered it: strand_bias"),
        "{missed}"
    );
    assert_eq!(missed["other_lab"]["filtered_call"]["vaf"], 0.08);
    let extra = disc.iter().find(|d| d["found_by"] == "test").unwrap();
    assert_eq!(extra["call"]["vaf"], 0.3);
    assert_eq!(v["summary"]["status"], "discordant");
    let html = std::fs::read_to_string(out.join("concordance.html")).unwrap();
    assert!(html.contains("strand_bias") && html.contains("DISCORDANT"));
    let fm = &v["fusions"]["matched"][0];
    assert_eq!(
        (fm["basis"].as_str(), fm["breakpoints_agree"].as_bool()),
        (Some("exons"), Some(true)),
        "{fm}"
    );
    let cn = &v["copy_number"];
    assert_eq!(cn["matched"][0]["gene"], "IKZF1", "{cn}");
    assert_eq!(cn["matched"][0]["same_exons"], false);
    assert_eq!(cn["matched"][0]["test"]["exons"], "4-8");
    assert_eq!(cn["reference_only"][0]["call"]["gene"], "CDKN2A");
    assert!(cn["test_only"].as_array().unwrap().is_empty());

    // the same edits without the FASTA: the MNV and delins still match from the calls' own
    // bases; the homopolymer deletion, written 2 ways, cannot be placed without the reference
    let mut raa = ra.clone();
    let mut rbb = rb.clone();
    for r in [&mut raa, &mut rbb] {
        r["provenance"]["reference"]["path"] = json!("/nonexistent/ref.fa");
    }
    let (o, v) = compare_edited(c, "nofa", &raa, &rbb, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = v.unwrap();
    assert!(v["provenance"]["reference_fasta"].is_null());
    assert!(v["small_variants"]["matching"]
        .as_str()
        .unwrap()
        .contains("no reference FASTA"));

    // many pairs: the scorecard says what is missing
    let pairs = c.dir.join("pairs.csv");
    std::fs::write(
        &pairs,
        format!(
            "sample_id,reference,test\nPAIR1,{},{}\nPAIR1,edited_a.json,edited_b.json\n",
            c.a.display(),
            c.b.display()
        ),
    )
    .unwrap();
    let vout = c.dir.join("validation");
    let o = run(&[
        "validate",
        pairs.to_str().unwrap(),
        "--out",
        vout.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("LAB-B: FAIL"), "{stdout}");
    let val = read(&vout.join("validation.json"));
    assert_valid(&val, "validation.schema.json");
    let sc = &val["scorecards"][0];
    assert_eq!(sc["lab"], "LAB-B");
    assert_eq!(sc["pairs"], 2);
    let snv = sc["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["class"] == "snv")
        .unwrap();
    // reference SNVs: KRAS twice (both pairs) + the filtered one; matched: KRAS twice
    assert_eq!(snv["ppa"]["total"], 3, "{snv}");
    assert_eq!(snv["ppa"]["successes"], 2);
    assert_eq!(snv["status"], "fail");
    assert!(
        snv["missing"][0]
            .as_str()
            .unwrap()
            .starts_with("PPA 66.7% is below 95.0%"),
        "{snv}"
    );
    let fusion = sc["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["class"] == "fusion")
        .unwrap();
    assert_eq!(fusion["ppa"]["successes"], 2);
    assert_eq!(fusion["status"], "insufficient_data");
    assert!(
        fusion["missing"][0]
            .as_str()
            .unwrap()
            .contains("needs 33 more concordant positive fusion"),
        "{fusion}"
    );
    let tsv = std::fs::read_to_string(vout.join("scorecards.tsv")).unwrap();
    assert_eq!(tsv.lines().count(), 1 + 6);
    assert!(vout.join("pairs/PAIR1__LAB-B/concordance.html").exists());
    // the same sample and lab twice: each comparison keeps its own folder
    assert_eq!(
        val["pairs"][1]["dir"], "pairs/PAIR1__LAB-B__2",
        "{}",
        val["pairs"]
    );
    assert!(vout.join("pairs/PAIR1__LAB-B__2/concordance.json").exists());
    assert!(std::fs::read_to_string(vout.join("validation.html"))
        .unwrap()
        .contains("LAB-B"));
}

#[test]
fn results_that_are_not_the_same_test_are_refused_unless_forced() {
    let c = case();
    // identity: the same backbone SNPs in both results, then another child's
    let snps: Vec<Value> = (0..12)
        .map(|k| json!({"chrom": "chr12", "pos": 6_000_000 + 1000 * k, "reference": "A", "alt": "G", "depth": 300, "vaf": 0.5}))
        .collect();
    let (mut ia, mut ib) = (read(&c.a), read(&c.b));
    ia["germline_snps"] = json!(snps);
    ib["germline_snps"] = json!(snps);
    let (o, v) = compare_edited(c, "id", &ia, &ib, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let id = &v.unwrap()["identity"];
    assert_eq!(
        (id["shared"].as_u64(), id["status"].as_str()),
        (Some(12), Some("consistent")),
        "{id}"
    );
    for s in ib["germline_snps"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .skip(3)
    {
        s["pos"] = json!(s["pos"].as_u64().unwrap() + 7);
    }
    let (o, v) = compare_edited(c, "id", &ia, &ib, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(v.unwrap()["identity"]["status"], "possible_sample_swap");
    assert!(
        stderr(&o).contains("may not come from the same child"),
        "{}",
        stderr(&o)
    );

    let mut other = read(&c.b);
    other["sample"]["sample_id"] = json!("PAIR2");
    other["provenance"]["reference"]["build"] = json!("GRCh37");
    let p = c.dir.join("other_sample.json");
    std::fs::write(&p, serde_json::to_string(&other).unwrap()).unwrap();
    let out = c.dir.join("cc_refused");
    let (o, v) = concordance(
        &[
            "--reference",
            c.a.to_str().unwrap(),
            "--test",
            p.to_str().unwrap(),
        ],
        &out,
    );
    assert_eq!(o.status.code(), Some(9), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("sample \"PAIR1\" (reference) vs \"PAIR2\" (test)"),
        "{e}"
    );
    assert!(
        e.contains("genome build GRCh38 (reference) vs GRCh37 (test)"),
        "{e}"
    );
    assert!(e.contains("--force"), "{e}");
    assert!(v.is_none(), "nothing written");
    let (o, v) = concordance(
        &[
            "--reference",
            c.a.to_str().unwrap(),
            "--test",
            p.to_str().unwrap(),
            "--force",
        ],
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = v.unwrap();
    assert_eq!(v["forced_differences"].as_array().unwrap().len(), 2);
    assert!(std::fs::read_to_string(out.join("concordance.html"))
        .unwrap()
        .contains("--force"));

    // a VCF needs the FASTA; a FASTA that is not the labs' is refused with the contig
    let vcf = c.dir.join("LAB-B/out/PAIR1/variants.vcf.gz");
    let (o, _) = concordance(
        &[
            "--reference",
            c.a.to_str().unwrap(),
            "--test",
            vcf.to_str().unwrap(),
        ],
        &c.dir.join("cc_vcf"),
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("give --reference-fasta"),
        "{}",
        stderr(&o)
    );
    let panel = Panel::load("all-v1").unwrap();
    let wrong = c.dir.join("wrong.fa.gz");
    sim::write_reference(&panel, &wrong, 99, 1500).unwrap();
    let (o, _) = concordance(
        &[
            "--reference",
            c.a.to_str().unwrap(),
            "--test",
            c.b.to_str().unwrap(),
            "--reference-fasta",
            wrong.to_str().unwrap(),
        ],
        &c.dir.join("cc_wrongfa"),
    );
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not the sequence"), "{}", stderr(&o));
    // the report's own VCF against its report: same calls
    let (o, v) = concordance(
        &[
            "--reference",
            c.b.to_str().unwrap(),
            "--test",
            vcf.to_str().unwrap(),
            "--reference-fasta",
            c.fa.to_str().unwrap(),
        ],
        &c.dir.join("cc_vcf2"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = v.unwrap();
    assert!(
        v["small_variants"]["discordant"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{}",
        v["small_variants"]["discordant"]
    );
    assert!(!v["small_variants"]["matches"]
        .as_array()
        .unwrap()
        .is_empty());

    // a malformed pairs.csv: every problem at once, exit 7
    let pairs = c.dir.join("bad_pairs.csv");
    std::fs::write(&pairs, "sample_id,reference,tset\nX,missing.json,\n").unwrap();
    let o = run(&[
        "validate",
        pairs.to_str().unwrap(),
        "--out",
        c.dir.join("v_bad").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(7));
    let e = stderr(&o);
    assert!(
        e.contains("unknown column \"tset\"") && e.contains("missing the test column"),
        "{e}"
    );
}

/// Simple cases through VCF input agree with `bcftools norm` + `bcftools isec`.
#[test]
fn simple_cases_agree_with_bcftools_isec() {
    if std::process::Command::new("bcftools")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("PUENTE_REQUIRE_BCFTOOLS").is_none(),
            "bcftools required"
        );
        eprintln!("bcftools not installed: skipped");
        return;
    }
    let c = case();
    let g = &c.genome;
    let ra = read(&c.a);
    let regions = covered_regions(c, &ra, &ra);
    // SNVs at every 7th base of a few regions; A and B share some, each has its own
    let mut a = Vec::new();
    let mut b = Vec::new();
    for (k, &(lo, hi)) in regions.iter().take(6).enumerate() {
        for (j, p) in (lo..hi).step_by(7).take(6).enumerate() {
            let r = g.base("chr12", p) as char;
            let x = other_base(&[r]);
            let rec = (p + 1, r.to_string(), x.to_string());
            match (k + j) % 3 {
                0 => a.push(rec),
                1 => b.push(rec),
                _ => {
                    a.push(rec.clone());
                    b.push(rec)
                }
            }
        }
        // a multi-allelic record in A, written as two records in B
        if k == 0 {
            let p = lo + 12;
            let r = g.base("chr12", p) as char;
            let alts: Vec<char> = ['A', 'C', 'G', 'T']
                .into_iter()
                .filter(|&x| x != r)
                .collect();
            a.push((p + 1, r.to_string(), format!("{},{}", alts[0], alts[1])));
            b.push((p + 1, r.to_string(), alts[0].to_string()));
            b.push((p + 1, r.to_string(), alts[1].to_string()));
        }
        // a 2-base deletion shared
        let p = lo + 3;
        let rec = (p + 1, seq(g, "chr12", p, p + 3), seq(g, "chr12", p, p + 1));
        a.push(rec.clone());
        b.push(rec);
    }
    let contig_len = puente::ingest::build::GenomeBuild::GRCh38
        .contigs()
        .into_iter()
        .find(|(c, _)| c == "chr12")
        .map(|(_, l)| l)
        .unwrap();
    let write = |name: &str, recs: &[(u64, String, String)]| -> PathBuf {
        let mut recs = recs.to_vec();
        recs.sort();
        let mut s = format!("##fileformat=VCFv4.3\n##contig=<ID=chr12,length={contig_len}>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
        for (p, r, x) in &recs {
            s += &format!("chr12\t{p}\t.\t{r}\t{x}\t50\tPASS\t.\n");
        }
        let p = c.dir.join(name);
        std::fs::write(&p, s).unwrap();
        let gz = c.dir.join(format!("{name}.gz"));
        let sh = |args: &[&str]| {
            let o = std::process::Command::new("bcftools")
                .args(args)
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "bcftools {args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        };
        sh(&[
            "norm",
            "-m-",
            "-f",
            c.fa.to_str().unwrap(),
            "-Oz",
            "-o",
            gz.to_str().unwrap(),
            p.to_str().unwrap(),
        ]);
        sh(&["index", "-f", gz.to_str().unwrap()]);
        p
    };
    let (va, vb) = (write("a.vcf", &a), write("b.vcf", &b));
    let isec = c.dir.join("isec");
    let o = std::process::Command::new("bcftools")
        .args(["isec", "-p", isec.to_str().unwrap()])
        .arg(c.dir.join("a.vcf.gz"))
        .arg(c.dir.join("b.vcf.gz"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let n = |f: &str| {
        std::fs::read_to_string(isec.join(f))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .count()
    };
    let (only_a, only_b, shared) = (n("0000.vcf"), n("0001.vcf"), n("0002.vcf"));
    assert!(only_a > 0 && only_b > 0 && shared > 0);
    let out = c.dir.join("cc_isec");
    let (o, v) = with_fasta(&va, &vb, &c.fa, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = &v.unwrap()["summary"];
    assert_eq!(
        (
            s["small_variants_reference_only"].as_u64().unwrap() as usize,
            s["small_variants_test_only"].as_u64().unwrap() as usize,
            s["small_variants_matched"].as_u64().unwrap() as usize,
        ),
        (only_a, only_b, shared)
    );
}
