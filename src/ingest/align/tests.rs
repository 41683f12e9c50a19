use super::*;
use rand::{Rng, SeedableRng};
use std::io::Write;

const LEN: usize = 20_000;

fn random_seq(rng: &mut rand_chacha::ChaCha8Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| b"ACGT"[rng.gen_range(0..4)]).collect()
}

/// Two contigs; the second has an assembly gap (long N run) in the middle.
fn reference(dir: &Path) -> (PathBuf, Vec<Vec<u8>>) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let c1 = random_seq(&mut rng, LEN);
    let mut c2 = random_seq(&mut rng, LEN);
    c2[8000..11000].fill(b'N');
    let fa = dir.join("ref.fa");
    let mut f = std::fs::File::create(&fa).unwrap();
    let mut fai = String::new();
    let mut off = 0;
    for (n, s) in [("chrA", &c1), ("chrB", &c2)] {
        let head = format!(">{n}\n");
        f.write_all(head.as_bytes()).unwrap();
        f.write_all(s).unwrap();
        f.write_all(b"\n").unwrap();
        off += head.len();
        fai.push_str(&format!(
            "{n}\t{}\t{off}\t{}\t{}\n",
            s.len(),
            s.len(),
            s.len() + 1
        ));
        off += s.len() + 1;
    }
    std::fs::write(dir.join("ref.fa.fai"), fai).unwrap();
    (fa, vec![c1, c2])
}

fn rc(s: &[u8]) -> Vec<u8> {
    revcomp(s)
}

struct Fq {
    r1: String,
    r2: String,
}

impl Fq {
    fn add(&mut self, name: &str, comment: &str, a: &[u8], b: &[u8], q: u8) {
        for (t, s) in [(&mut self.r1, a), (&mut self.r2, b)] {
            t.push_str(&format!(
                "@{name} {comment}\n{}\n+\n{}\n",
                String::from_utf8_lossy(s),
                String::from_utf8(vec![q; s.len()]).unwrap()
            ));
        }
    }
}

/// Pairs with known origin: plain FR pairs on chrA, one past chrB's gap, a duplicate of the first pair
/// with lower qualities, two UMI pairs at one position with different UMIs, a chimeric pair whose R1
/// spans a chrA->chrB junction, and a pair of random sequence that cannot align.
fn fastqs(dir: &Path, genome: &[Vec<u8>]) -> (PathBuf, PathBuf) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let mut fq = Fq {
        r1: String::new(),
        r2: String::new(),
    };
    let frag = |c: usize, s: usize| genome[c][s..s + 400].to_vec();
    for i in 0..40 {
        let s = 500 + i * 400;
        let f = frag(0, s);
        fq.add(&format!("p{i}"), "1:N:0", &f[..150], &rc(&f[250..]), b'I');
    }
    let f = frag(1, 13_000);
    fq.add("gap", "", &f[..150], &rc(&f[250..]), b'I');
    let f = frag(0, 500);
    fq.add("p0dup", "", &f[..150], &rc(&f[250..]), b'5');
    let f = frag(0, 3000);
    fq.add("u1", "RX:Z:AAAA", &f[..150], &rc(&f[250..]), b'I');
    fq.add("u2", "RX:Z:CCCC", &f[..150], &rc(&f[250..]), b'I');
    let mut chim = genome[0][6000..6080].to_vec();
    chim.extend_from_slice(&genome[1][2000..2320]);
    fq.add("chim", "", &chim[..150], &rc(&chim[250..]), b'I');
    fq.add(
        "junk",
        "",
        &random_seq(&mut rng, 150),
        &random_seq(&mut rng, 150),
        b'I',
    );
    let (p1, p2) = (dir.join("r_1.fq"), dir.join("r_2.fq"));
    std::fs::write(&p1, fq.r1).unwrap();
    std::fs::write(&p2, fq.r2).unwrap();
    (p1, p2)
}

fn opts(dir: &Path, r1: &Path, r2: &Path, out: &str, chunk: usize, threads: usize) -> AlignOptions {
    AlignOptions {
        fastq1: r1.into(),
        fastq2: r2.into(),
        out: dir.join(out),
        read_group: ReadGroup {
            id: "S1".into(),
            sample: Some("S1".into()),
            library: Some("S1-lib".into()),
            center: Some("LAB".into()),
            platform: Some("ILLUMINA".into()),
        },
        preset: Preset::Dna,
        index_dir: dir.join("index"),
        threads,
        command_line: vec!["puente".into(), "align".into()],
        chunk_pairs: chunk,
    }
}

fn records(p: &Path) -> Vec<bam::Record> {
    let mut r = bam::Reader::from_path(p).unwrap();
    r.records().map(|x| x.unwrap()).collect()
}

fn find<'a>(
    recs: &'a [bam::Record],
    name: &str,
    flag_set: u16,
    flag_unset: u16,
) -> Vec<&'a bam::Record> {
    recs.iter()
        .filter(|r| {
            r.qname() == name.as_bytes()
                && r.flags() & flag_set == flag_set
                && r.flags() & flag_unset == 0
        })
        .collect()
}

#[test]
fn aligns_pairs_marks_duplicates_and_splits_chimeras() {
    let dir = tempfile::tempdir().unwrap();
    let (fa, genome) = reference(dir.path());
    let (r1, r2) = fastqs(dir.path(), &genome);
    let reference = Reference::open(&fa).unwrap();
    let stats = align(&opts(dir.path(), &r1, &r2, "a.bam", 1000, 2), &reference).unwrap();
    assert!(stats.index_built);
    assert_eq!(stats.pairs, 46);
    let recs = records(&dir.path().join("a.bam"));
    assert!(dir.path().join("a.bam.bai").is_file());
    // coordinate-sorted, unmapped last
    let keys: Vec<(u32, i64)> = recs.iter().map(|r| (sort_tid(r), r.pos())).collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]));
    // plain pairs land where they came from, as proper FR pairs
    for i in 0..40 {
        let s = 500 + i as i64 * 400;
        let r1 = find(&recs, &format!("p{i}"), 0x40, 0x800);
        let r2 = find(&recs, &format!("p{i}"), 0x80, 0x800);
        assert_eq!((r1.len(), r2.len()), (1, 1), "p{i}");
        assert_eq!(
            (r1[0].tid(), r1[0].pos(), r1[0].is_reverse()),
            (0, s, false)
        );
        assert_eq!(
            (r2[0].tid(), r2[0].pos(), r2[0].is_reverse()),
            (0, s + 250, true)
        );
        assert!(
            r1[0].flags() & 0x2 != 0 && r1[0].insert_size() == 400 && r2[0].insert_size() == -400
        );
        assert_eq!((r1[0].mtid(), r1[0].mpos()), (0, s + 250));
        assert!(r1[0].mapq() >= 30);
    }
    // a read past the assembly gap gets contig coordinates back
    let g = find(&recs, "gap", 0x40, 0x800);
    assert_eq!((g[0].tid(), g[0].pos()), (1, 13_000));
    // the lower-quality copy of p0 is the duplicate, both of its reads
    assert!(find(&recs, "p0dup", 0x400, 0).len() == 2);
    assert!(find(&recs, "p0", 0x400, 0).is_empty());
    // same position, different UMIs: not duplicates
    assert!(find(&recs, "u1", 0x400, 0).is_empty() && find(&recs, "u2", 0x400, 0).is_empty());
    assert_eq!(
        find(&recs, "u1", 0x40, 0)[0].aux(b"RX").unwrap(),
        Aux::String("AAAA")
    );
    assert_eq!(stats.umi_pairs, 2);
    assert_eq!(stats.duplicate_fragments, 1);
    // the chimeric R1: primary on one side, hard-clipped supplementary on the other, SA both ways
    let prim = find(&recs, "chim", 0x40, 0x800);
    let supp = find(&recs, "chim", 0x840, 0);
    assert_eq!((prim.len(), supp.len()), (1, 1));
    let sa = |r: &bam::Record| match r.aux(b"SA") {
        Ok(Aux::String(s)) => s.to_string(),
        _ => String::new(),
    };
    assert!(
        sa(prim[0]).starts_with("chrA,6001,+,") && sa(supp[0]).starts_with("chrB,2001,+,"),
        "{} / {}",
        sa(prim[0]),
        sa(supp[0])
    );
    assert!(supp[0]
        .cigar()
        .iter()
        .any(|c| matches!(c, Cigar::HardClip(_))));
    assert_eq!((supp[0].tid(), supp[0].pos()), (0, 6000));
    // junk: both unmapped, no position, at the end
    let j = find(&recs, "junk", 0x4, 0);
    assert_eq!(j.len(), 2);
    assert!(j.iter().all(|r| r.tid() == -1 && r.flags() & 0x8 != 0));
    // header: read group and programs
    let h = String::from_utf8_lossy(
        bam::Reader::from_path(dir.path().join("a.bam"))
            .unwrap()
            .header()
            .as_bytes(),
    )
    .into_owned();
    assert!(
        h.contains("@RG\tID:S1\tSM:S1\tLB:S1-lib\tCN:LAB\tPL:ILLUMINA"),
        "{h}"
    );
    assert!(h.contains("@PG\tID:minimap2") && h.contains("ID:puente-align"));
    assert!(h.contains("@SQ\tSN:chrB\tLN:20000"));

    // spilled chunks and one thread give the same records; the cached index is reused
    let again = align(&opts(dir.path(), &r1, &r2, "b.bam", 7, 1), &reference).unwrap();
    let cached =
        index::open_or_build(&reference, Preset::Dna, &dir.path().join("index"), 1).unwrap();
    assert!(!cached.built);
    assert_eq!(again.duplicate_fragments, 1);
    let other = records(&dir.path().join("b.bam"));
    let show = |v: &[bam::Record]| -> Vec<String> {
        v.iter()
            .map(|r| {
                format!(
                    "{:?} {} {} {} {} {:?} {}",
                    String::from_utf8_lossy(r.qname()),
                    r.flags(),
                    r.tid(),
                    r.pos(),
                    r.cigar(),
                    r.aux(b"SA").ok(),
                    r.mapq()
                )
            })
            .collect()
    };
    assert_eq!(show(&recs), show(&other));
    assert!(std::fs::read_dir(dir.path()).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .contains("chunks")));
}

#[test]
fn bad_fastq_leaves_no_bam() {
    let dir = tempfile::tempdir().unwrap();
    let (fa, genome) = reference(dir.path());
    let (r1, r2) = fastqs(dir.path(), &genome);
    // R2 loses its last record
    let text = std::fs::read_to_string(&r2).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&r2, lines[..lines.len() - 4].join("\n") + "\n").unwrap();
    let reference = Reference::open(&fa).unwrap();
    let e = align(&opts(dir.path(), &r1, &r2, "a.bam", 5, 2), &reference)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("r_2.fq: ends after 45 records") && e.contains("junk"),
        "{e}"
    );
    assert!(!dir.path().join("a.bam").exists());
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        left.iter()
            .all(|n| !n.contains("a.bam") && !n.contains("chunks")),
        "{left:?}"
    );
}

#[test]
fn duplicate_table_keeps_the_best_and_earliest() {
    let e = |p: i64| Ends {
        a: (0, p, false),
        b: Some((0, p + 300, true)),
    };
    let mut t = DupTable::default();
    t.add(e(10), None, 50, 0);
    t.add(e(10), None, 90, 1);
    t.add(e(10), None, 90, 2);
    t.add(e(10), Some(b"AC"), 10, 3);
    t.add(e(20), None, 10, 4);
    t.add(
        Ends {
            a: (0, 10, false),
            b: None,
        },
        None,
        10,
        5,
    );
    let d = t.duplicates(6);
    let marked: Vec<u64> = (0..6).filter(|&s| d.contains(s)).collect();
    assert_eq!(marked, vec![0, 2]);
    assert_eq!(d.count(), 2);
    assert!(!d.contains(1000));
}

#[test]
fn ends_are_unclipped_and_order_free() {
    let p = |pos: i64, end: i64, reverse: bool, lead: u32, trail: u32| Placed {
        tid: 0,
        pos,
        end,
        reverse,
        mapq: 60,
        cigar: vec![],
        nm: 0,
        score: 0,
        lead_clip: lead,
        trail_clip: trail,
    };
    assert_eq!(p(100, 200, false, 5, 0).five_prime(), 95);
    assert_eq!(p(100, 200, true, 5, 7).five_prime(), 206);
    let (x, y) = (p(100, 250, false, 0, 0), p(300, 450, true, 0, 0));
    assert_eq!(ends(Some(&x), Some(&y)), ends(Some(&y), Some(&x)));
    assert_eq!(ends(None, None), None);
}
