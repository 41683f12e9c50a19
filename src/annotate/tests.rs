//! Golden HGVS names, checked by hand against the sequences below. KRAS (minus strand) uses the real
//! exon-2 coding sequence at its GRCh38 coordinates (c.35 = chr12:25245350) and a back-translation
//! of the rest of the protein; NUDT15 (plus strand) carries the real codon 13-19 GGA/GTC repeat with
//! c.36 = chr13:48037782 and c.415 = chr13:48045719 as in the PharmCAT definitions.
use super::transcript::{revcomp, MemSequence, Transcript};
use super::*;

const KRAS_EXON2_CDS: &str = "ATGACTGAATATAAACTTGTGGTAGTTGGAGCTGGTGGCGTAGGCAAGAGTGCCTTGACGATACAGCTAATTCAGAATCATTTTGTGGACGAATATGATCCAACAATAGAG";
const KRAS_PROTEIN: &str = "MTEYKLVVVGAGGVGKSALTIQLIQNHFVDEYDPTIEDSYRKQVVIDGETCLLDILDTAGQEEYSAMRDQYMRTGEGFLCVFAINNTKSFEDIHHYREQIKRVKDSEDVPMVLVGNKCDLPSRTVDTKQAQDLARSYGIPFIETSAKTRQGVDDAFYTLVREIRKHKEKMSKDGKKKKKKSKTKCVIM";

fn back_translate(protein: &str) -> String {
    protein
        .bytes()
        .map(|a| match a {
            b'A' => "GCT",
            b'R' => "CGT",
            b'N' => "AAT",
            b'D' => "GAT",
            b'C' => "TGT",
            b'Q' => "CAA",
            b'E' => "GAA",
            b'G' => "GGT",
            b'H' => "CAT",
            b'I' => "ATT",
            b'L' => "CTG",
            b'K' => "AAA",
            b'M' => "ATG",
            b'F' => "TTT",
            b'P' => "CCT",
            b'S' => "TCT",
            b'T' => "ACT",
            b'W' => "TGG",
            b'Y' => "TAT",
            _ => "GTT",
        })
        .collect()
}

/// Filler sequence (deterministic) for introns and UTRs.
fn filler(n: usize, mut x: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            b"ACGT"[(x >> 33) as usize % 4]
        })
        .collect()
}

/// Write `t`'s CDS (transcript orientation) into `genome` (which starts at 1-based `origin`), then
/// the `fixed` bases (1-based genomic position, base in transcript orientation).
fn place(genome: &mut [u8], origin: u64, t: &Transcript, cds: &[u8], fixed: &[(u64, u8)]) {
    let (lo, hi) = t.cds.unwrap();
    let mut k = 0;
    for &(_, s, e) in &t.exons {
        let coding: Vec<u64> = if t.plus() {
            (s..=e).filter(|g| *g >= lo && *g <= hi).collect()
        } else {
            (s..=e).rev().filter(|g| *g >= lo && *g <= hi).collect()
        };
        for g in coding {
            genome[(g - origin) as usize] = if t.plus() {
                cds[k]
            } else {
                revcomp(&cds[k..=k])[0]
            };
            k += 1;
        }
    }
    assert_eq!(k, cds.len(), "CDS length matches the model");
    for &(g, b) in fixed {
        genome[(g - origin) as usize] = if t.plus() { b } else { revcomp(&[b])[0] };
    }
}

fn kras() -> Transcript {
    super::transcript::tests::kras_like()
}

fn nudt15() -> Transcript {
    // two-exon model: c.1-60 in exon 1 (c.36 = 48037782), c.61-495 in exon 2 (c.415 = 48045719)
    Transcript {
        gene: "NUDT15".into(),
        id: "NUDT15-test".into(),
        chrom: "chr13".into(),
        strand: '+',
        exons: vec![(1, 48037700, 48037806), (2, 48045365, 48045900)],
        cds: Some((48037747, 48045799)),
    }
}

fn setup() -> (MemSequence, Vec<Transcript>) {
    let mut seq = MemSequence::default();
    // KRAS
    let t = kras();
    let origin = 25200001;
    let mut g = filler(25255000 - origin as usize, 7);
    let mut cds = KRAS_EXON2_CDS.to_string();
    cds.push_str(&back_translate(&KRAS_PROTEIN[37..]));
    cds.push_str("TAA");
    let utr3: Vec<(u64, u8)> = b"GCTAGCTAA"
        .iter()
        .enumerate()
        .map(|(i, &b)| (25209794 - i as u64, b))
        .collect();
    let mut fixed = vec![
        (25245273, b'G'),
        (25227413, b'G'),
        (25245254, b'A'),
        (25245389, b'C'),
    ];
    fixed.extend(utr3);
    place(&mut g, origin, &t, cds.as_bytes(), &fixed);
    seq.insert("chr12", origin - 1, &g);
    // NUDT15: real N-terminus, codon 139 CGT, the rest back-translated
    let n = nudt15();
    let origin = 48030001;
    let mut g = filler(48050000 - origin as usize, 11);
    let mut protein = String::from("MTASAQPRGRRPGVGVGVVVTSCKHPRCVLLGKRKGSVGAGSFQLPGGHLEFGETWEECAQRETWEEAALHLKNVHFASVVNSFLEKENYHYVTILMKGEVDVTHDSEPKNVEPEKNESWEWVPWEELPPLDQLFWGLRCLKEQGYDPFKEDLNHLVGYKGNHL");
    protein.truncate(164);
    while protein.len() < 164 {
        protein.push('L');
    }
    let mut nuc = String::from("ATGACGGCCAGCGCACAGCCGCGCGGGCGGCGGCCAGGAGTCGGAGTCGGAGTCGTGGTG");
    nuc.push_str(&back_translate(&protein[20..]));
    nuc.push_str("TGA");
    // codon 139 = c.415-417
    nuc.replace_range(414..417, "CGT");
    place(&mut g, origin, &n, nuc.as_bytes(), &[]);
    seq.insert("chr13", origin - 1, &g);
    (seq, vec![t, n])
}

fn ann(
    seq: &MemSequence,
    ts: &[Transcript],
    chrom: &str,
    pos: u64,
    r: &str,
    a: &str,
) -> VariantAnnotation {
    Annotator::with_transcripts(ts.to_vec(), seq).annotate("v", chrom, pos, r, a)
}

fn names(v: &VariantAnnotation) -> (String, String, String, String) {
    (
        v.hgvs_c.clone().unwrap_or_default(),
        v.hgvs_p.clone().unwrap_or_default(),
        v.consequence.clone(),
        v.hgvs_g.clone(),
    )
}

fn check(
    chrom: &str,
    pos: u64,
    r: &str,
    a: &str,
    c: &str,
    p: &str,
    csq: &str,
) -> VariantAnnotation {
    let (seq, ts) = setup();
    let v = ann(&seq, &ts, chrom, pos, r, a);
    let (gc, gp, gq, _) = names(&v);
    assert_eq!(
        (gc.as_str(), gp.as_str(), gq.as_str()),
        (c, p, csq),
        "{chrom}:{pos} {r}>{a}: {v:?}"
    );
    v
}

#[test]
fn kras_hotspots_on_the_minus_strand() {
    let v = check(
        "chr12",
        25245350,
        "C",
        "T",
        "c.35G>A",
        "p.(Gly12Asp)",
        "missense_variant",
    );
    assert_eq!(v.hgvs_g, "NC_000012.12:g.25245350C>T");
    assert_eq!(v.protein_change.as_deref(), Some("G12D"));
    assert_eq!(v.exon.as_deref(), Some("2/5"));
    check(
        "chr12",
        25245347,
        "C",
        "T",
        "c.38G>A",
        "p.(Gly13Asp)",
        "missense_variant",
    );
    // codon-12 doublet GGT>TTT read as one MNV
    check(
        "chr12",
        25245350,
        "CC",
        "AA",
        "c.34_35delinsTT",
        "p.(Gly12Phe)",
        "missense_variant",
    );
    check(
        "chr12",
        25245373,
        "A",
        "T",
        "c.12T>A",
        "p.(Tyr4Ter)",
        "stop_gained",
    );
    check(
        "chr12",
        25245349,
        "A",
        "G",
        "c.36T>C",
        "p.(Gly12=)",
        "synonymous_variant",
    );
}

#[test]
fn kras_indels_follow_the_three_prime_rule_on_each_level() {
    // one G of c.34-35 deleted: VCF left-aligned on the genome, c. shifted to c.35, g. to 25245351
    let v = check(
        "chr12",
        25245349,
        "AC",
        "A",
        "c.35del",
        "p.(Gly12ValfsTer3)",
        "frameshift_variant",
    );
    assert_eq!(v.hgvs_g, "NC_000012.12:g.25245351del");
    // GGT inserted after c.36 is a duplication of c.36_38 after shifting; Gly13 duplicated
    let v = check(
        "chr12",
        25245348,
        "C",
        "CACC",
        "c.36_38dup",
        "p.(Gly13dup)",
        "inframe_insertion",
    );
    assert_eq!(v.hgvs_g, "NC_000012.12:g.25245350_25245352dup");
    // the same insertion written left-aligned gets the same names
    let w = check(
        "chr12",
        25245346,
        "G",
        "GCCA",
        "c.36_38dup",
        "p.(Gly13dup)",
        "inframe_insertion",
    );
    assert_eq!(w.hgvs_g, v.hgvs_g);
}

#[test]
fn kras_splice_utr_intron_and_stop() {
    let v = check(
        "chr12",
        25245273,
        "C",
        "T",
        "c.111+1G>A",
        "p.?",
        "splice_donor_variant",
    );
    assert_eq!(v.intron.as_deref(), Some("2/4"));
    check(
        "chr12",
        25227413,
        "C",
        "T",
        "c.112-1G>A",
        "p.?",
        "splice_acceptor_variant",
    );
    check(
        "chr12",
        25245254,
        "T",
        "C",
        "c.111+20A>G",
        "",
        "intron_variant",
    );
    check(
        "chr12",
        25245389,
        "G",
        "A",
        "c.-5C>T",
        "",
        "5_prime_UTR_variant",
    );
    // TAA stop (c.565-567) to CAA: reads on through GCT AGC TAA of the 3' UTR
    check(
        "chr12",
        25209797,
        "A",
        "G",
        "c.565T>C",
        "p.(Ter189GlnextTer3)",
        "stop_lost",
    );
    check(
        "chr12",
        25245384,
        "T",
        "C",
        "c.1A>G",
        "p.(Met1?)",
        "start_lost",
    );
}

#[test]
fn nudt15_repeat_alleles_on_the_plus_strand() {
    // *2/*6 insertion as PharmCAT writes it (unnormalised): one GGAGTC more in the repeat
    let v = check(
        "chr13",
        48037782,
        "AGGAGTC",
        "AGGAGTCGGAGTC",
        "c.50_55dup",
        "p.(Gly17_Val18dup)",
        "inframe_insertion",
    );
    assert_eq!(v.hgvs_g, "NC_000013.11:g.48037796_48037801dup");
    // *9: one unit fewer
    check(
        "chr13",
        48037782,
        "AGGAGTC",
        "A",
        "c.50_55del",
        "p.(Gly17_Val18del)",
        "inframe_deletion",
    );
    check(
        "chr13",
        48045719,
        "C",
        "T",
        "c.415C>T",
        "p.(Arg139Cys)",
        "missense_variant",
    );
    check(
        "chr13",
        48037798,
        "G",
        "A",
        "c.52G>A",
        "p.(Val18Ile)",
        "missense_variant",
    );
}

#[test]
fn outside_every_transcript_is_intergenic_with_a_g_name() {
    let (seq, ts) = setup();
    let v = ann(&seq, &ts, "chr12", 25230000 + 40000, "A", "G");
    assert_eq!(
        (v.gene, v.consequence.as_str()),
        (None, "intergenic_variant")
    );
    assert_eq!(v.hgvs_g, "NC_000012.12:g.25270000A>G");
}

/// Every hotspot the shipped panel pins, annotated on the simulator's reference (which plants each
/// pinned transcript's coding sequence): the c. name must be the panel's, the protein change its
/// name, on both strands (KRAS, NRAS, TPMT, TP53 are minus-strand genes). Codon rows must sit on the
/// named residue. Catches a transcript model, strand or phase error anywhere in the panel.
#[test]
fn every_shipped_hotspot_gets_its_published_name() {
    let panel = Panel::load("all-v1").unwrap();
    let genome = crate::sim::reference::build_genome(&panel, 7, 200).unwrap();
    let a = Annotator::new(&panel, &genome);
    let pgx_protein = [
        ("c.238G>C", "p.(Ala80Pro)"),
        ("c.460G>A", "p.(Ala154Thr)"),
        ("c.719A>G", "p.(Tyr240Cys)"),
        ("c.626-1G>A", "p.?"),
        ("c.415C>T", "p.(Arg139Cys)"),
        ("c.416G>A", "p.(Arg139His)"),
        ("c.52G>A", "p.(Val18Ile)"),
    ];
    let mut checked = 0;
    for h in &panel.hotspots {
        let id = format!("{} {}", h.gene, h.name);
        if h.kind == "codon" {
            // change the codon's first coding base (whatever it is) and read back the residue
            let g = if a.transcripts.iter().any(|t| t.gene == h.gene && t.plus()) {
                h.start
            } else {
                h.end
            };
            let r = genome.base(&h.chrom, g) as char;
            let alt = if r == 'A' { "C" } else { "A" };
            let v = a.annotate(&id, &h.chrom, g, &r.to_string(), alt);
            let residue = h.name.trim_start_matches("p.");
            let pc = v.protein_change.clone().unwrap_or_default();
            assert!(pc.starts_with(residue), "{id}: {pc} at {}:{g}", h.chrom);
            checked += 1;
            continue;
        }
        if h.reference.len() != 1 || h.alt.len() != 1 {
            continue;
        }
        let v = a.annotate(&id, &h.chrom, h.start, &h.reference, &h.alt);
        assert_eq!(v.gene.as_deref(), Some(h.gene.as_str()), "{id}");
        assert_eq!(v.hgvs_c.as_deref(), Some(h.hgvs_c.as_str()), "{id}");
        if h.kind == "allele" {
            assert_eq!(
                v.protein_change.as_deref(),
                Some(h.name.trim_start_matches("p.")),
                "{id}"
            );
        } else {
            let p = pgx_protein.iter().find(|(c, _)| *c == h.hgvs_c).unwrap().1;
            assert_eq!(v.hgvs_p.as_deref(), Some(p), "{id}");
        }
        if h.hgvs_c == "c.626-1G>A" {
            assert_eq!(v.consequence, "splice_acceptor_variant");
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} hotspots checked");
}
