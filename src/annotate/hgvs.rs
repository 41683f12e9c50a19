//! DNA-level HGVS: trimming a VCF allele to its minimal change, shifting indels 3' (on the genome for
//! g., along the transcript for c.), and naming substitutions, deletions, duplications, insertions
//! and delins. The VCF itself stays left-aligned; only the names move.
use super::transcript::{revcomp, Sequence, Transcript};

/// A minimal change on the + strand: `deleted` bases starting at `start` (1-based) replaced by
/// `inserted`. A pure insertion has `deleted` empty and sits between `start - 1` and `start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub chrom: String,
    pub start: u64,
    pub deleted: Vec<u8>,
    pub inserted: Vec<u8>,
}

impl Change {
    /// Trim the shared prefix, then the shared suffix, of a VCF REF/ALT pair.
    pub fn from_vcf(chrom: &str, pos: u64, reference: &str, alt: &str) -> Change {
        let (mut r, mut a) = (
            reference.to_ascii_uppercase().into_bytes(),
            alt.to_ascii_uppercase().into_bytes(),
        );
        let mut start = pos;
        let p = r.iter().zip(&a).take_while(|(x, y)| x == y).count();
        r.drain(..p);
        a.drain(..p);
        start += p as u64;
        let s = r
            .iter()
            .rev()
            .zip(a.iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        r.truncate(r.len() - s);
        a.truncate(a.len() - s);
        Change {
            chrom: chrom.to_string(),
            start,
            deleted: r,
            inserted: a,
        }
    }

    /// Last deleted base (for an insertion, the base before it).
    pub fn end(&self) -> u64 {
        self.start + self.deleted.len() as u64 - 1
    }

    pub fn is_indel(&self) -> bool {
        self.deleted.is_empty() != self.inserted.is_empty()
    }

    /// Move a pure insertion or deletion as far as the sequence allows, right (`toward_end`) or
    /// left. Sequence is fetched in growing windows so long repeats still shift fully.
    pub fn shifted(&self, seq: &dyn Sequence, toward_end: bool) -> Change {
        if !self.is_indel() {
            return self.clone();
        }
        let mut c = self.clone();
        let mut unit: Vec<u8> = if c.deleted.is_empty() {
            c.inserted.clone()
        } else {
            c.deleted.clone()
        };
        let del = !c.deleted.is_empty();
        let mut window = 200u64;
        loop {
            // fetch sequence beyond the change in the direction of travel
            let (fs, fe) = if toward_end {
                let s = if del { c.end() } else { c.start - 1 };
                (s, s + window)
            } else {
                let e = c.start - 1;
                (e.saturating_sub(window), e)
            };
            let Some(flank) = seq.fetch(&c.chrom, fs, fe) else {
                // past a contig end or the known sequence: retry with a shorter window
                window /= 2;
                if window == 0 {
                    return c;
                }
                continue;
            };
            let mut moved = 0u64;
            if toward_end {
                for &b in &flank {
                    if b != unit[0] {
                        break;
                    }
                    unit.rotate_left(1);
                    moved += 1;
                }
                c.start += moved;
            } else {
                for &b in flank.iter().rev() {
                    if b != *unit.last().expect("non-empty") {
                        break;
                    }
                    unit.rotate_right(1);
                    moved += 1;
                }
                c.start -= moved;
            }
            if del {
                c.deleted = unit.clone();
            } else {
                c.inserted = unit.clone();
            }
            if moved < window || fs == 0 {
                return c;
            }
            window *= 4;
        }
    }
}

/// RefSeq accessions of the GRCh38 primary chromosomes (for g. names).
pub fn grch38_accession(chrom: &str) -> Option<&'static str> {
    let c = chrom.trim_start_matches("chr");
    Some(match c {
        "1" => "NC_000001.11",
        "2" => "NC_000002.12",
        "3" => "NC_000003.12",
        "4" => "NC_000004.12",
        "5" => "NC_000005.10",
        "6" => "NC_000006.12",
        "7" => "NC_000007.14",
        "8" => "NC_000008.11",
        "9" => "NC_000009.12",
        "10" => "NC_000010.11",
        "11" => "NC_000011.10",
        "12" => "NC_000012.12",
        "13" => "NC_000013.11",
        "14" => "NC_000014.9",
        "15" => "NC_000015.10",
        "16" => "NC_000016.10",
        "17" => "NC_000017.11",
        "18" => "NC_000018.10",
        "19" => "NC_000019.10",
        "20" => "NC_000020.11",
        "21" => "NC_000021.9",
        "22" => "NC_000022.11",
        "X" => "NC_000023.11",
        "Y" => "NC_000024.10",
        "M" | "MT" => "NC_012920.1",
        _ => return None,
    })
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Is the insertion at `c` a copy of the bases just before it (on the + strand)?
fn is_dup_plus(c: &Change, seq: &dyn Sequence) -> bool {
    let n = c.inserted.len() as u64;
    c.deleted.is_empty()
        && c.start > n
        && seq.fetch(&c.chrom, c.start - 1 - n, c.start - 1).as_deref() == Some(&c.inserted[..])
}

/// Is the insertion at `c` a copy of the bases just after it (what precedes it on the − strand)?
fn is_dup_minus(c: &Change, seq: &dyn Sequence) -> bool {
    let n = c.inserted.len() as u64;
    c.deleted.is_empty()
        && seq.fetch(&c.chrom, c.start - 1, c.start - 1 + n).as_deref() == Some(&c.inserted[..])
}

/// `g.` description, 3'-shifted on the genome. The prefix is the chromosome's RefSeq accession
/// when known.
pub fn g_name(change: &Change, seq: &dyn Sequence, accession: Option<&str>) -> String {
    let c = change.shifted(seq, true);
    let body = dna_body(
        &c,
        |g| g.to_string(),
        is_dup_plus(&c, seq),
        false,
        &c.deleted,
        &c.inserted,
    );
    match accession {
        Some(a) => format!("{a}:g.{body}"),
        None => format!("{}:g.{body}", change.chrom),
    }
}

/// `c.` description on `t`, 3'-shifted along the transcript.
pub fn c_name(change: &Change, t: &Transcript, seq: &dyn Sequence) -> (Change, String) {
    let c = change.shifted(seq, t.plus());
    let (del, ins, dup) = if t.plus() {
        (c.deleted.clone(), c.inserted.clone(), is_dup_plus(&c, seq))
    } else {
        (
            revcomp(&c.deleted),
            revcomp(&c.inserted),
            is_dup_minus(&c, seq),
        )
    };
    let body = dna_body(&c, |g| t.c_pos(g).to_string(), dup, !t.plus(), &del, &ins);
    (c, format!("c.{body}"))
}

/// The part after `g.`/`c.`. `pos` names a genomic base in the target coordinate system; on the
/// minus strand the transcript's 5' end is the genome's right, so ranges are written reversed.
fn dna_body(
    c: &Change,
    pos: impl Fn(u64) -> String,
    dup: bool,
    minus: bool,
    del: &[u8],
    ins: &[u8],
) -> String {
    let range = |a: u64, b: u64| {
        let (x, y) = if minus { (b, a) } else { (a, b) };
        if a == b {
            pos(x)
        } else {
            format!("{}_{}", pos(x), pos(y))
        }
    };
    if c.deleted.is_empty() {
        let n = c.inserted.len() as u64;
        if dup {
            // the copied bases: just before the insertion on +, just after it on −
            let (a, b) = if minus {
                (c.start, c.start + n - 1)
            } else {
                (c.start - n, c.start - 1)
            };
            return format!("{}dup", range(a, b));
        }
        return format!("{}ins{}", range(c.start - 1, c.start), text(ins));
    }
    let (a, b) = (c.start, c.end());
    if c.inserted.is_empty() {
        return format!("{}del", range(a, b));
    }
    if del.len() == 1 && ins.len() == 1 {
        return format!("{}{}>{}", pos(a), text(del), text(ins));
    }
    format!("{}delins{}", range(a, b), text(ins))
}

#[cfg(test)]
mod tests {
    use super::super::transcript::MemSequence;
    use super::*;

    fn seq() -> MemSequence {
        let mut m = MemSequence::default();
        // 1-based positions 101.. : ACGT CAGCAGCAG TTTT GGA
        m.insert("chr1", 100, b"ACGTCAGCAGCAGTTTTGGA");
        m
    }

    #[test]
    fn vcf_alleles_trim_to_the_minimal_change() {
        let c = Change::from_vcf("chr1", 104, "TCAG", "T");
        assert_eq!(
            (c.start, c.deleted.as_slice(), c.inserted.as_slice()),
            (105, &b"CAG"[..], &b""[..])
        );
        let c = Change::from_vcf("chr1", 104, "T", "TCAG");
        assert_eq!((c.start, c.inserted.as_slice()), (105, &b"CAG"[..]));
        let c = Change::from_vcf("chr1", 104, "TC", "GA");
        assert_eq!((c.start, c.deleted.as_slice()), (104, &b"TC"[..]));
    }

    #[test]
    fn indels_in_repeats_shift_to_the_three_prime_end() {
        let s = seq();
        // deleting one CAG of CAGCAGCAG (105..113): left-aligned at 105, 3'-most at 111
        let c = Change::from_vcf("chr1", 104, "TCAG", "T");
        assert_eq!(g_name(&c, &s, None), "chr1:g.111_113del");
        let c = Change::from_vcf("chr1", 104, "T", "TCAG");
        assert_eq!(g_name(&c, &s, None), "chr1:g.111_113dup");
        // homopolymer T at 114..117
        let c = Change::from_vcf("chr1", 113, "GT", "G");
        assert_eq!(g_name(&c, &s, None), "chr1:g.117del");
        let c = Change::from_vcf("chr1", 113, "G", "GTT");
        assert_eq!(g_name(&c, &s, None), "chr1:g.116_117dup");
        let c = Change::from_vcf("chr1", 113, "G", "GAC");
        assert_eq!(g_name(&c, &s, None), "chr1:g.113_114insAC");
        assert_eq!(
            g_name(
                &Change::from_vcf("chr1", 102, "C", "T"),
                &s,
                Some("NC_000001.11")
            ),
            "NC_000001.11:g.102C>T"
        );
        assert_eq!(
            g_name(&Change::from_vcf("chr1", 102, "CG", "TT"), &s, None),
            "chr1:g.102_103delinsTT"
        );
    }
}
