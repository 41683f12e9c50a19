//! CLI end-to-end tests: run the real binary, assert exit codes, messages and outputs, including bad
//! inputs. Data come from `puente simulate` (built once per test run).
use rust_htslib::bam::{self, header::HeaderRecord, Read};
mod common;
use common::{read_gz, run, stderr, tmp};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

struct Fixture {
    dir: PathBuf,
    reference: PathBuf,
    bam: PathBuf,
}

/// A sparse GRCh38 reference and one small sample (4 contigs, 300x), simulated once.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-fixture");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let spec = serde_json::json!({
            "sample_id": "S1", "lab_id": "LAB-A", "seed": 7, "depth": 300.0, "intron_depth_factor": 0.05,
            "read_len": 150, "insert_mean": 300.0, "insert_sd": 60.0, "duplicate_rate": 0.05, "tumor_fraction": 0.8,
            "variants": [
                {"chrom": "chr12", "pos": 25245350, "reference": "C", "alt": "T", "vaf": 0.15, "label": "KRAS G12D"},
                {"chrom": "chr13", "pos": 48045719, "reference": "C", "alt": "T", "vaf": 0.5, "label": "NUDT15 c.415C>T"}
            ],
            "deletions": [],
            "fusions": [
                {"chrom5": "chr12", "pos5": 11877206, "chrom3": "chr21", "pos3": 34883777, "reverse3": true,
                 "fraction": 0.5, "label": "ETV6::RUNX1"}
            ],
            "contigs": ["chr7", "chr12", "chr13", "chr6", "chr21"]
        });
        std::fs::write(dir.join("s1.json"), spec.to_string()).unwrap();
        let o = run(&["simulate", "--out", dir.to_str().unwrap(), "--spec", dir.join("s1.json").to_str().unwrap(), "--seed", "3"]);
        assert!(o.status.success(), "simulate failed: {}", stderr(&o));
        Fixture { reference: dir.join("reference.fa.gz"), bam: dir.join("S1.bam"), dir }
    })
}

fn run_sample(bam: &Path, out: &Path, extra: &[&str]) -> Output {
    let f = fixture();
    let mut args = vec![
        "run",
        "--bam",
        bam.to_str().unwrap(),
        "--reference",
        f.reference.to_str().unwrap(),
        "--panel",
        "all-v1",
        "--sample-id",
        "S1",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_str(
        &std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    )
    .unwrap()
}

#[test]
fn panel_validate_builtin_ok() {
    let o = run(&["panel", "validate", "all-v1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("OK"));
}

#[test]
fn panel_directory_with_broken_file_is_refused() {
    let d = tmp("broken-panel");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("reference-panels/all-v1");
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), d.join(e.file_name())).unwrap();
    }
    let o = run(&["panel", "validate", d.to_str().unwrap()]);
    assert!(
        o.status.success(),
        "an intact copy validates: {}",
        stderr(&o)
    );
    let bed = d.join("capture.bed");
    let text = std::fs::read_to_string(&bed).unwrap();
    std::fs::write(&bed, &text[..text.len() / 2]).unwrap();
    let o = run(&["panel", "validate", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("capture.bed: sha256"), "{}", stderr(&o));
}

#[test]
fn run_writes_reports_with_provenance_and_is_deterministic() {
    let f = fixture();
    let a = tmp("run-a");
    let b = tmp("run-b");
    let o = run_sample(&f.bam, &a, &["--threads", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run_sample(&f.bam, &b, &["--threads", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ra = json(&a.join("S1/report.json"));
    let rb = json(&b.join("S1/report.json"));
    assert_eq!(ra["schema_version"], puente::report::SCHEMA_VERSION);
    common::assert_valid_report(&ra);
    let prov = &ra["provenance"];
    assert_eq!(prov["panel"]["name"], "all-v1");
    assert_eq!(prov["reference"]["build"], "GRCh38");
    assert_eq!(prov["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    assert!(
        prov["reference"]["contig_md5"]["chr7"]
            .as_str()
            .unwrap()
            .len()
            == 32
    );
    assert_eq!(prov["read_groups"][0]["center"], "LAB-A");
    assert!(
        puente::util::parse_date(prov["analysis_date"].as_str().unwrap()).is_some(),
        "{prov}"
    );
    // identical except for the command line (which records --threads) and the date it ran
    let strip = |mut v: serde_json::Value| {
        v["provenance"]["command_line"] = serde_json::Value::Null;
        v["provenance"]["analysis_date"] = serde_json::Value::Null;
        v
    };
    assert_eq!(strip(ra.clone()), strip(rb));
    assert_eq!(
        json(&a.join("S1/qc.json"))["qc"],
        json(&b.join("S1/qc.json"))["qc"]
    );
    // simulated contigs are covered, the others are not: per-gene QC must say so
    let genes = ra["qc"]["genes"].as_array().unwrap();
    let gene = |n: &str| genes.iter().find(|g| g["gene"] == n).unwrap().clone();
    assert!(gene("IKZF1")["mean_depth"].as_f64().unwrap() > 200.0);
    assert_eq!(gene("TPMT")["verdict"], "pass");
    assert_eq!(gene("TP53")["verdict"], "fail");
    assert_eq!(ra["qc"]["verdict"], "fail");
    let kras = ra["hotspots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["hgvs_c"] == "c.35G>A" && h["gene"] == "KRAS")
        .unwrap()
        .clone();
    assert!(kras["depth"].as_u64().unwrap() > 150, "{kras}");
    assert_eq!(kras["status"], "detected", "{kras}");
    assert!(a.join("S1/S1_puente_qc_mqc.tsv").is_file());
    // the planted variants, and nothing else passing
    let passing: Vec<&str> = ra["small_variants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["filters"].as_array().unwrap().is_empty())
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        passing,
        vec!["chr12:25245350:C:T", "chr13:48045719:C:T"],
        "{passing:?}"
    );
    let nudt15 = ra["small_variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "chr13:48045719:C:T")
        .unwrap();
    assert_eq!(nudt15["origin"], "likely_germline");
    // TP53 is on a contig without reads: its hotspots cannot be called negative
    let tp53 = ra["hotspots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["gene"] == "TP53")
        .unwrap();
    assert_eq!(tp53["status"], "insufficient_depth", "{tp53}");
    // VCF + index, byte-identical across thread counts apart from the command line
    let vcf = |d: &Path| {
        read_gz(&d.join("S1/variants.vcf.gz"))
            .lines()
            .filter(|l| !l.starts_with("##puenteCommand"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(vcf(&a), vcf(&b));
    assert!(vcf(&a).contains("\tchr12:25245350:C:T\tC\tT\t"));
    for f in ["cnv.tsv", "cnv.html"] {
        assert_eq!(
            std::fs::read(a.join("S1").join(f)).unwrap(),
            std::fs::read(b.join("S1").join(f)).unwrap(),
            "{f} differs between thread counts"
        );
    }
    assert!(a.join("S1/variants.vcf.gz.tbi").is_file());
    // the planted ETV6::RUNX1 and no other passing fusion, in the TSV, the SV VCF and the report
    let tsv = std::fs::read_to_string(a.join("S1/fusions.tsv")).unwrap();
    let rows: Vec<Vec<&str>> = tsv
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows[0][..4], ["sample", "gene5", "gene3", "name"]);
    let pass: Vec<&Vec<&str>> = rows[1..].iter().filter(|r| r[18] == "PASS").collect();
    // planted at chr12:11877206/chr21:34883777; the partners share one base there, which the
    // reported junction gives to the 5' partner (the same molecule, one position for every aligner)
    assert_eq!(pass.len(), 1, "{tsv}");
    assert_eq!(
        pass[0][..12],
        [
            "S1",
            "ETV6",
            "RUNX1",
            "ETV6::RUNX1",
            "chr12",
            "11877207",
            "+",
            "chr21",
            "34883776",
            "-",
            "5",
            "2"
        ],
        "{tsv}"
    );
    let sv = |d: &Path| {
        read_gz(&d.join("S1/sv.vcf.gz"))
            .lines()
            .filter(|l| !l.starts_with("##puenteCommand"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(sv(&a), sv(&b));
    let bnd: Vec<String> = sv(&a)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').nth(4).unwrap().to_string())
        .collect();
    assert!(
        bnd.iter().any(|alt| alt.ends_with("]chr21:34883776]")),
        "{bnd:?}"
    );
    assert!(
        bnd.iter().any(|alt| alt.ends_with("]chr12:11877207]")),
        "{bnd:?}"
    );
    assert!(a.join("S1/sv.vcf.gz.tbi").is_file());
    let target = |n: &str| {
        ra["fusion_targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(target("ETV6::RUNX1")["status"], "detected");
    // BCR is on a contig with no reads: the fusion cannot be called absent
    assert_eq!(target("BCR::ABL1")["status"], "not_covered");
    assert_eq!(ra["methods"]["fusions"]["library"], "dna");
}

#[test]
fn truncated_bam_is_refused() {
    let f = fixture();
    let d = tmp("truncated");
    let bytes = std::fs::read(&f.bam).unwrap();
    let bad = d.join("trunc.bam");
    std::fs::write(&bad, &bytes[..bytes.len() / 3]).unwrap();
    let o = run_sample(&bad, &d.join("out"), &[]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("trunc.bam: alignment file is truncated"),
        "{}",
        stderr(&o)
    );
}

/// Write a BAM with the given header lines and records (SAM text lines).
fn write_bam(path: &Path, hd_so: &str, contigs: &[(&str, u64)], sam: &[&str]) {
    let mut h = bam::Header::new();
    let mut hd = HeaderRecord::new(b"HD");
    hd.push_tag(b"VN", "1.6").push_tag(b"SO", hd_so);
    h.push_record(&hd);
    for (n, l) in contigs {
        let mut sq = HeaderRecord::new(b"SQ");
        sq.push_tag(b"SN", n).push_tag(b"LN", l);
        h.push_record(&sq);
    }
    let hv = bam::HeaderView::from_header(&h);
    let mut w = bam::Writer::from_path(path, &h, bam::Format::Bam).unwrap();
    for line in sam {
        let rec = bam::Record::from_sam(&hv, line.as_bytes()).unwrap();
        w.write(&rec).unwrap();
    }
}

#[test]
fn wrong_build_is_refused_naming_both() {
    let d = tmp("wrong-build");
    let bam = d.join("hg19.bam");
    write_bam(
        &bam,
        "coordinate",
        &[("1", 249250621), ("7", 159138663)],
        &["r1\t0\t7\t50000000\t60\t10M\t*\t0\t0\tACGTACGTAC\tIIIIIIIIII"],
    );
    let o = run_sample(&bam, &d.join("out"), &[]);
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("genome build mismatch: input is GRCh37")
            && e.contains("panel all-v1 is GRCh38"),
        "{e}"
    );
}

#[test]
fn unsorted_bam_is_refused() {
    // unsorted, and name-sorted as some fusion tools want their input: neither can be indexed
    for order in ["unsorted", "queryname"] {
        let d = tmp(&format!("sorted-{order}"));
        let bam = d.join("u.bam");
        write_bam(
            &bam,
            order,
            &[("chr7", 159345973)],
            &["r1\t0\tchr7\t50000000\t60\t10M\t*\t0\t0\tACGTACGTAC\tIIIIIIIIII"],
        );
        let o = run_sample(&bam, &d.join("out"), &[]);
        assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("not coordinate-sorted (@HD SO:{order})")),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains("samtools sort"), "{}", stderr(&o));
    }
}

#[test]
fn missing_index_is_built_beside_the_output_not_the_input() {
    let f = fixture();
    let d = tmp("noindex");
    let bam = d.join("copy.bam");
    std::fs::copy(&f.bam, &bam).unwrap();
    let out = d.join("out");
    let o = run_sample(&bam, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !d.join("copy.bam.bai").exists(),
        "nothing written beside the input"
    );
    assert!(out.join("S1/index/copy.bam.bai").is_file());
    let r = json(&out.join("S1/report.json"));
    assert!(
        r["warnings"][0]
            .as_str()
            .unwrap()
            .contains("one was built in"),
        "{}",
        r["warnings"]
    );
}

#[test]
fn empty_bam_fails_qc_but_runs() {
    let d = tmp("empty");
    let bam = d.join("empty.bam");
    let f = fixture();
    // header of the simulated sample, no reads
    let r = bam::Reader::from_path(&f.bam).unwrap();
    let h = bam::Header::from_template(r.header());
    drop(bam::Writer::from_path(&bam, &h, bam::Format::Bam).unwrap());
    let o = run_sample(&bam, &d.join("out"), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = json(&d.join("out/S1/report.json"));
    assert_eq!(r["qc"]["verdict"], "fail");
    assert_eq!(r["qc"]["reasons"][0], "no usable reads");
}

#[test]
fn cram_with_wrong_reference_is_refused() {
    let f = fixture();
    let d = tmp("cram");
    let cram = d.join("s.cram");
    {
        let mut r = bam::Reader::from_path(&f.bam).unwrap();
        // real CRAMs carry @SQ M5; add it for chr7 as samtools would
        let refr = puente::ingest::Reference::open(&f.reference).unwrap();
        let md5 = refr.contig_md5("chr7").unwrap().unwrap();
        let text = String::from_utf8(r.header().as_bytes().to_vec()).unwrap();
        let text = text.replace(
            "SN:chr7\tLN:159345973",
            &format!("SN:chr7\tLN:159345973\tM5:{md5}"),
        );
        let h = bam::Header::from_template(&bam::HeaderView::from_bytes(text.as_bytes()));
        let mut w = bam::Writer::from_path(&cram, &h, bam::Format::Cram).unwrap();
        w.set_reference(&f.reference).unwrap();
        for rec in r.records().take(2000) {
            w.write(&rec.unwrap()).unwrap();
        }
    }
    // a different simulated reference (other seed): same names and lengths, other sequence
    let other = d.join("other");
    let o = run(&[
        "simulate",
        "--out",
        other.to_str().unwrap(),
        "--seed",
        "99",
        "--depth",
        "1",
        "--spec",
        f.dir.join("s1.json").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&[
        "run",
        "--cram",
        cram.to_str().unwrap(),
        "--reference",
        other.join("reference.fa.gz").to_str().unwrap(),
        "--sample-id",
        "S1",
        "--out",
        d.join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("contig chr7 MD5") && stderr(&o).contains("differs from"),
        "{}",
        stderr(&o)
    );
    // with the right reference it runs
    let o = run(&[
        "run",
        "--cram",
        cram.to_str().unwrap(),
        "--reference",
        f.reference.to_str().unwrap(),
        "--sample-id",
        "S1",
        "--out",
        d.join("out2").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn reference_without_fai_is_refused() {
    let f = fixture();
    let d = tmp("nofai");
    let r = d.join("ref.fa.gz");
    std::fs::copy(&f.reference, &r).unwrap();
    let o = run(&[
        "run",
        "--bam",
        f.bam.to_str().unwrap(),
        "--reference",
        r.to_str().unwrap(),
        "--sample-id",
        "S1",
        "--out",
        d.join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert!(stderr(&o).contains("no FASTA index"), "{}", stderr(&o));
}

#[test]
fn malformed_samplesheet_lists_every_problem() {
    let f = fixture();
    let d = tmp("badsheet");
    let sheet = d.join("s.csv");
    std::fs::write(
        &sheet,
        format!(
            "sample_id,bam,age_years\nA,{},7\nA,{},x\nB,nope.bam,3\n",
            f.bam.display(),
            f.bam.display()
        ),
    )
    .unwrap();
    let o = run(&[
        "batch",
        sheet.to_str().unwrap(),
        "--reference",
        f.reference.to_str().unwrap(),
        "--out",
        d.join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(7), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("3 problem(s)")
            && e.contains("duplicate sample_id")
            && e.contains("not a number")
            && e.contains("nope.bam not found"),
        "{e}"
    );
    assert!(
        !d.join("out").exists(),
        "nothing written for a rejected sheet"
    );
}

#[test]
fn batch_keeps_going_past_a_bad_sample_and_resumes() {
    let f = fixture();
    let d = tmp("batch");
    let bad = d.join("bad.bam");
    let bytes = std::fs::read(&f.bam).unwrap();
    std::fs::write(&bad, &bytes[..1000]).unwrap();
    let sheet = d.join("s.csv");
    std::fs::write(
        &sheet,
        format!(
            "sample_id,lab_id,bam,age_years\nGOOD,LAB-A,{},4\nBAD,LAB-A,bad.bam,\n",
            f.bam.display()
        ),
    )
    .unwrap();
    let out = d.join("out");
    let args = [
        "batch",
        sheet.to_str().unwrap(),
        "--reference",
        f.reference.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "2",
    ];
    let o = run(&args);
    assert_eq!(o.status.code(), Some(8), "{}", stderr(&o));
    let tsv = std::fs::read_to_string(out.join("batch_summary.tsv")).unwrap();
    assert!(
        tsv.lines()
            .any(|l| l.starts_with("BAD\tfailed") && l.contains("truncated")),
        "{tsv}"
    );
    assert!(tsv.lines().any(|l| l.starts_with("GOOD\tdone")), "{tsv}");
    assert_eq!(
        json(&out.join("GOOD/report.json"))["sample"]["age_years"],
        4.0
    );
    // rerun: GOOD is complete for an unchanged input and is skipped
    let before = std::fs::metadata(out.join("GOOD/report.json"))
        .unwrap()
        .modified()
        .unwrap();
    let o = run(&args);
    assert_eq!(o.status.code(), Some(8));
    assert!(
        stderr(&o).contains("GOOD: complete for this input, skipped"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::metadata(out.join("GOOD/report.json"))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );
    let s = json(&out.join("batch_summary.json"));
    assert_eq!(s["samples"][0]["sample_id"], "BAD");
}

#[test]
fn simulate_is_deterministic_and_writes_truth() {
    let d = tmp("simdet");
    let f = fixture();
    let o = run(&[
        "simulate",
        "--out",
        d.to_str().unwrap(),
        "--seed",
        "3",
        "--spec",
        f.dir.join("s1.json").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(d.join("S1.bam")).unwrap(),
        std::fs::read(&f.bam).unwrap(),
        "same seed, same BAM"
    );
    assert_eq!(
        std::fs::read(d.join("reference.fa.gz")).unwrap(),
        std::fs::read(&f.reference).unwrap()
    );
    assert!(d.join("S1.truth.json").is_file());
}

#[test]
fn bam_without_base_qualities_is_refused() {
    let f = fixture();
    let d = tmp("no-quals");
    let bad = d.join("noqual.bam");
    {
        let mut r = bam::Reader::from_path(&f.bam).unwrap();
        let h = bam::Header::from_template(r.header());
        let mut w = bam::Writer::from_path(&bad, &h, bam::Format::Bam).unwrap();
        for rec in r.records().take(20000) {
            let mut rec = rec.unwrap();
            let (qname, cigar, seq) = (
                rec.qname().to_vec(),
                rec.cigar().take(),
                rec.seq().as_bytes(),
            );
            let q = vec![255u8; seq.len()];
            rec.set(&qname, Some(&cigar), &seq, &q);
            w.write(&rec).unwrap();
        }
    }
    let o = run_sample(&bad, &d.join("out"), &[]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("noqual.bam") && e.contains("no base qualities"),
        "{e}"
    );
    // nothing half-written is left as if it were a result
    assert!(!d.join("out/S1/report.json").exists());
    assert!(!d.join("out/S1/variants.vcf.gz").exists());
}
