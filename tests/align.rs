//! FASTQ input end to end: `puente align` against the simulator's truth alignments, `puente run` and
//! `puente batch` on FASTQ giving the calls the BAM gives, and bad FASTQ refused with the file and record.
mod common;
use common::*;
use rust_htslib::bam::{self, Read};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

struct Fixture {
    reference: PathBuf,
    r1: PathBuf,
    r2: PathBuf,
    bam: PathBuf,
    index: PathBuf,
}

/// ETV6::RUNX1 (DNA breakpoints), KRAS G12D at 15% and NUDT15 heterozygous, as FASTQ and as the
/// simulator's own (truth) BAM.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tmp("align-fixture");
        let spec = serde_json::json!({
            "sample_id": "FQ1", "lab_id": "LAB-A", "seed": 5, "depth": 150.0, "intron_depth_factor": 0.1,
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
            "contigs": ["chr12", "chr13", "chr21"]
        });
        std::fs::write(dir.join("s.json"), spec.to_string()).unwrap();
        let o = run(&[
            "simulate", "--out", dir.to_str().unwrap(), "--spec", dir.join("s.json").to_str().unwrap(),
            "--seed", "3", "--fastq",
        ]);
        assert!(o.status.success(), "simulate failed: {}", stderr(&o));
        // built once here, not raced by the tests
        let o = run(&[
            "align",
            "--index-only",
            "--reference",
            dir.join("reference.fa.gz").to_str().unwrap(),
            "--index-dir",
            dir.join("index").to_str().unwrap(),
        ]);
        assert!(o.status.success(), "index: {}", stderr(&o));
        Fixture {
            reference: dir.join("reference.fa.gz"),
            r1: dir.join("FQ1_R1.fastq.gz"),
            r2: dir.join("FQ1_R2.fastq.gz"),
            bam: dir.join("FQ1.bam"),
            index: dir.join("index"),
        }
    })
}

fn align(out: &Path, threads: &str, chunk: &str) -> std::process::Output {
    let f = fixture();
    run(&[
        "align",
        "--fastq1",
        f.r1.to_str().unwrap(),
        "--fastq2",
        f.r2.to_str().unwrap(),
        "--reference",
        f.reference.to_str().unwrap(),
        "--sample-id",
        "FQ1",
        "--lab-id",
        "LAB-A",
        "--out",
        out.to_str().unwrap(),
        "--index-dir",
        f.index.to_str().unwrap(),
        "--threads",
        threads,
        "--chunk-pairs",
        chunk,
    ])
}

fn records(p: &Path) -> Vec<bam::Record> {
    bam::Reader::from_path(p)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect()
}

/// Every record's fields and tags (header left out: it carries the command line).
fn body(p: &Path) -> Vec<String> {
    records(p)
        .iter()
        .map(|r| {
            let tags: Vec<String> = r.aux_iter().map(|t| format!("{t:?}")).collect();
            format!(
                "{:?} {} {} {} {} {} {} {} {} {:?} {:?} {:?}",
                String::from_utf8_lossy(r.qname()),
                r.flags(),
                r.tid(),
                r.pos(),
                r.mapq(),
                r.cigar(),
                r.mtid(),
                r.mpos(),
                r.insert_size(),
                r.seq().as_bytes(),
                r.qual(),
                tags
            )
        })
        .collect()
}

#[test]
fn align_matches_truth_and_is_deterministic() {
    let f = fixture();
    let d = tmp("align-cli");
    let o = align(&d.join("a.bam"), "2", "1000000");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        out.contains("FQ1:") && out.contains("% duplicate fragments"),
        "{out}"
    );
    assert!(d.join("a.bam.bai").is_file());
    let ours = records(&d.join("a.bam"));
    let truth = records(&f.bam);
    // primary placement of every read vs where the simulator put it
    let key = |r: &bam::Record| (r.qname().to_vec(), r.flags() & 0xC0);
    let truth_pos: HashMap<_, _> = truth
        .iter()
        .filter(|r| r.flags() & 0x900 == 0)
        .map(|r| (key(r), (r.tid(), r.pos())))
        .collect();
    let prim: Vec<&bam::Record> = ours.iter().filter(|r| r.flags() & 0x900 == 0).collect();
    assert_eq!(prim.len(), truth_pos.len(), "every read once as primary");
    let same = prim
        .iter()
        .filter(|r| truth_pos.get(&key(r)) == Some(&(r.tid(), r.pos())))
        .count();
    assert!(
        same as f64 >= 0.995 * prim.len() as f64,
        "{same} of {} reads at their true position",
        prim.len()
    );
    // every simulated duplicate is marked (chance duplicates at this depth may add more)
    let marked: std::collections::HashSet<&[u8]> = ours
        .iter()
        .filter(|r| r.flags() & 0x400 != 0)
        .map(|r| r.qname())
        .collect();
    let dup_marked = |name: &[u8]| marked.contains(name);
    let sim_dups: Vec<&bam::Record> = truth
        .iter()
        .filter(|r| r.flags() & 0x400 != 0 && r.flags() & 0x900 == 0)
        .collect();
    assert!(!sim_dups.is_empty());
    let missed = sim_dups
        .iter()
        .filter(|r| {
            // a duplicate and its original are the same fragment: one of the two is marked
            let orig = r.qname().strip_suffix(b"d").unwrap_or(r.qname());
            !dup_marked(r.qname()) && !dup_marked(orig)
        })
        .count();
    assert_eq!(missed, 0, "simulated duplicates left unmarked");
    // the fusion's split reads carry SA tags pointing across chr12 and chr21
    let split: Vec<&bam::Record> = ours
        .iter()
        .filter(|r| r.qname().windows(5).any(|w| w == b":fus:") && r.aux(b"SA").is_ok())
        .collect();
    assert!(split.len() >= 4, "{} split records", split.len());
    assert!(split.iter().any(|r| r.flags() & 0x800 != 0));
    // read group from the command line
    let h = String::from_utf8_lossy(
        bam::Reader::from_path(d.join("a.bam"))
            .unwrap()
            .header()
            .as_bytes(),
    )
    .into_owned();
    assert!(
        h.contains("@RG\tID:FQ1\tSM:FQ1\tLB:FQ1\tCN:LAB-A\tPL:ILLUMINA"),
        "{h}"
    );
    assert!(h.contains("@HD\tVN:1.6\tSO:coordinate"));

    // one thread and small spilled chunks: the same records
    let o = align(&d.join("b.bam"), "1", "20000");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        body(&d.join("a.bam")) == body(&d.join("b.bam")),
        "records differ with threads/chunks"
    );
    // the index was cached, not rebuilt
    let o = run(&[
        "align",
        "--index-only",
        "--reference",
        f.reference.to_str().unwrap(),
        "--index-dir",
        f.index.to_str().unwrap(),
    ]);
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("cached index (sr"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn calls(r: &serde_json::Value) -> (Vec<String>, Vec<String>, serde_json::Value) {
    let v = r["small_variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{}:{}{}>{}", v["chrom"], v["pos"], v["reference"], v["alt"]))
        .collect();
    let f = r["fusions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}::{}",
                f["gene5"].as_str().unwrap_or(""),
                f["gene3"].as_str().unwrap_or("")
            )
        })
        .collect();
    (v, f, r["risk"]["subtypes"].clone())
}

#[test]
fn run_and_batch_on_fastq_call_what_the_bam_calls() {
    let f = fixture();
    let d = tmp("align-run");
    let idx = f.index.to_str().unwrap();
    // batch: a FASTQ row and a BAM row; a second run skips both (FASTQ checksums match)
    let sheet = d.join("sheet.csv");
    std::fs::write(
        &sheet,
        format!(
            "sample_id,lab_id,bam,fastq_1,fastq_2\nFQ1,LAB-A,,{},{}\nBAM1,LAB-A,{},,\n",
            f.r1.display(),
            f.r2.display(),
            f.bam.display()
        ),
    )
    .unwrap();
    let batch = |out: &Path| {
        run(&[
            "batch",
            sheet.to_str().unwrap(),
            "--reference",
            f.reference.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--index-dir",
            idx,
        ])
    };
    let o = batch(&d.join("batch"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let from_bam = json(&d.join("batch/BAM1/report.json"));
    let from_fq = json(&d.join("batch/FQ1/report.json"));
    assert_valid_report(&from_fq);
    let (v, fu, sub) = calls(&from_fq);
    assert_eq!((v.clone(), fu.clone(), sub.clone()), calls(&from_bam));
    assert!(v.iter().any(|x| x.contains("25245350")), "{v:?}");
    assert_eq!(fu, vec!["ETV6::RUNX1"]);
    // provenance names the FASTQ pair first, then the BAM puente made
    let roles: Vec<&str> = from_fq["provenance"]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["fastq_1", "fastq_2", "alignment"]);
    let al = &from_fq["methods"]["alignment"];
    assert_eq!(
        (al["aligner"].as_str(), al["preset"].as_str()),
        (Some("minimap2 2.30"), Some("sr"))
    );
    assert!(
        al["pairs"].as_u64().unwrap() > 10_000 && al["duplicate_fragments"].as_u64().unwrap() > 0
    );
    assert!(
        d.join("batch/FQ1/FQ1.bam.bai").is_file() && d.join("batch/FQ1/FQ1.align.json").is_file()
    );
    assert!(from_bam["methods"].get("alignment").is_none());
    let o = batch(&d.join("batch"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let summary = std::fs::read_to_string(d.join("batch/batch_summary.tsv")).unwrap();
    assert_eq!(summary.matches("\tskipped\t").count(), 2, "{summary}");
    // the FASTQ sample's report with its files moved away: the finished BAM is reused, not realigned
    std::fs::remove_file(d.join("batch/FQ1/report.json")).unwrap();
    let o = batch(&d.join("batch"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("FQ1: align"), "{}", stderr(&o));
}

/// Rewrite a gzipped FASTQ with `f` applied to its text.
fn edited(src: &Path, dst: &Path, f: impl Fn(String) -> String) {
    let text = read_gz(src);
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(dst).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all(f(text).as_bytes()).unwrap();
    gz.finish().unwrap();
}

#[test]
fn bad_fastq_is_refused_naming_file_and_record() {
    let f = fixture();
    let d = tmp("align-bad");
    let try_pair = |r1: &Path, r2: &Path, want: &[&str]| {
        let out = d.join("x");
        let o = run(&[
            "run",
            "--fastq1",
            r1.to_str().unwrap(),
            "--fastq2",
            r2.to_str().unwrap(),
            "--reference",
            f.reference.to_str().unwrap(),
            "--sample-id",
            "BAD",
            "--out",
            out.to_str().unwrap(),
            "--index-dir",
            f.index.to_str().unwrap(),
        ]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(5), "{e}");
        for w in want {
            assert!(e.contains(w), "{w:?} not in {e}");
        }
        assert!(!out.join("BAD/BAD.bam").exists() && !out.join("BAD/report.json").exists());
    };
    // R2 one record short
    let short = d.join("short_R2.fastq.gz");
    edited(&f.r2, &short, |t| {
        let lines: Vec<&str> = t.lines().collect();
        lines[..lines.len() - 4].join("\n") + "\n"
    });
    try_pair(
        &f.r1,
        &short,
        &["short_R2.fastq.gz: ends after", "different read counts"],
    );
    // R2 out of step: record 3 renamed
    let renamed = d.join("renamed_R2.fastq.gz");
    edited(&f.r2, &renamed, |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
        lines[8] = "@somebody-else/2".into();
        lines.join("\n") + "\n"
    });
    try_pair(
        &f.r1,
        &renamed,
        &["renamed_R2.fastq.gz: record 3: read name somebody-else does not match"],
    );
    // Phred+64 qualities in record 2
    let p64 = d.join("p64_R1.fastq.gz");
    edited(&f.r1, &p64, |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
        lines[7] = lines[7].bytes().map(|b| (b + 31) as char).collect();
        lines.join("\n") + "\n"
    });
    try_pair(
        &p64,
        &f.r2,
        &["p64_R1.fastq.gz: record 2 (line 8)", "Phred+64"],
    );
    // gzip cut in the middle
    let cut = d.join("cut_R1.fastq.gz");
    let bytes = std::fs::read(&f.r1).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    try_pair(
        &cut,
        &f.r2,
        &["cut_R1.fastq.gz: cannot read after record", "truncated"],
    );
    // a samplesheet row with only fastq_1
    let sheet = d.join("sheet.csv");
    std::fs::write(
        &sheet,
        format!("sample_id,fastq_1\nS1,{}\n", f.r1.display()),
    )
    .unwrap();
    let o = run(&[
        "batch",
        sheet.to_str().unwrap(),
        "--reference",
        f.reference.to_str().unwrap(),
        "--out",
        d.join("b").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(7), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("line 2: S1: paired-end FASTQ needs both fastq_1 and fastq_2"),
        "{}",
        stderr(&o)
    );
}

/// RNA FASTQ through the spliced preset: spliced alignments, chimeric reads with SA tags, and the
/// TCF3::PBX1 fusion transcript called from puente's own alignment.
#[test]
fn rna_fastq_aligns_spliced_and_calls_the_fusion() {
    let f = fixture();
    let d = tmp("align-rna");
    let spec = serde_json::json!({
        "sample_id": "RNA1", "lab_id": "LAB-A", "seed": 9, "depth": 60.0, "intron_depth_factor": 0.1,
        "read_len": 150, "insert_mean": 300.0, "insert_sd": 60.0, "duplicate_rate": 0.02, "tumor_fraction": 1.0,
        "variants": [], "deletions": [], "rna": true, "contigs": ["chr19", "chr1"],
        "fusions": [{"chrom5": "chr19", "pos5": 0, "chrom3": "chr1", "pos3": 0, "reverse3": false, "reverse5": false,
                     "fraction": 1.0, "label": "TCF3::PBX1",
                     "rna_exons": {"gene5": "TCF3", "exon5": 16, "gene3": "PBX1", "exon3": 3}}]
    });
    std::fs::write(d.join("rna.json"), spec.to_string()).unwrap();
    // the fixture's reference (same seed), reads only
    std::fs::copy(&f.reference, d.join("reference.fa.gz")).unwrap();
    let o = run(&[
        "simulate",
        "--out",
        d.to_str().unwrap(),
        "--spec",
        d.join("rna.json").to_str().unwrap(),
        "--seed",
        "3",
        "--reuse-reference",
        "--fastq",
    ]);
    assert!(o.status.success(), "simulate: {}", stderr(&o));
    let out = d.join("out");
    let o = run(&[
        "run",
        "--fastq1",
        d.join("RNA1_R1.fastq.gz").to_str().unwrap(),
        "--fastq2",
        d.join("RNA1_R2.fastq.gz").to_str().unwrap(),
        "--library",
        "rna",
        "--reference",
        f.reference.to_str().unwrap(),
        "--sample-id",
        "RNA1",
        "--out",
        out.to_str().unwrap(),
        "--index-dir",
        f.index.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let spliced = |p: &Path| {
        records(p)
            .iter()
            .filter(|r| {
                r.cigar()
                    .iter()
                    .any(|c| matches!(c, bam::record::Cigar::RefSkip(_)))
            })
            .count()
    };
    let recs = records(&out.join("RNA1/RNA1.bam"));
    let chimeric = recs.iter().filter(|r| r.aux(b"SA").is_ok()).count();
    // reads a few bases over an exon edge are soft-clipped rather than spliced, as by any short-read
    // spliced aligner: most of the simulator's spliced reads stay spliced
    let (ours, truth) = (
        spliced(&out.join("RNA1/RNA1.bam")),
        spliced(&d.join("RNA1.bam")),
    );
    assert!(ours * 10 >= truth * 7, "spliced {ours}, simulated {truth}");
    assert!(chimeric > 10, "chimeric {chimeric}");
    let r = json(&out.join("RNA1/report.json"));
    assert_eq!(r["methods"]["alignment"]["preset"], "splice:sr");
    assert_eq!(r["methods"]["fusions"]["library"], "rna");
    let (_, fusions, _) = calls(&r);
    assert!(fusions.contains(&"TCF3::PBX1".to_string()), "{fusions:?}");
}
