//! One representation per variant, whatever each read's aligner chose: trim shared bases, shift pure
//! indels to their leftmost equivalent position (as `bcftools norm` / `vt normalize`), then add the
//! VCF anchor base.

/// A change in reference coordinates (0-based): `reference` bases at `pos` replaced by `alt`
/// (either may be empty for pure indels).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Change {
    pub pos: u64,
    pub reference: Vec<u8>,
    pub alt: Vec<u8>,
}

/// Reference sequence of a window: `seq[i]` is the base at `start + i`.
pub struct RefWindow<'a> {
    pub start: u64,
    pub seq: &'a [u8],
}

impl RefWindow<'_> {
    pub fn base(&self, pos: u64) -> Option<u8> {
        pos.checked_sub(self.start)
            .and_then(|i| self.seq.get(i as usize))
            .copied()
    }
}

/// Trim and left-align; the window bounds how far a shift may go.
pub fn normalize(mut c: Change, w: &RefWindow) -> Change {
    // shared suffix, then shared prefix
    while !c.reference.is_empty() && !c.alt.is_empty() && c.reference.last() == c.alt.last() {
        c.reference.pop();
        c.alt.pop();
    }
    let common = c
        .reference
        .iter()
        .zip(&c.alt)
        .take_while(|(a, b)| a == b)
        .count();
    if common > 0 {
        c.reference.drain(..common);
        c.alt.drain(..common);
        c.pos += common as u64;
    }
    // pure indel: rotate left while the base before equals the indel's last base
    if c.reference.is_empty() != c.alt.is_empty() {
        let seq = if c.reference.is_empty() {
            &mut c.alt
        } else {
            &mut c.reference
        };
        while c.pos > w.start {
            match w.base(c.pos - 1) {
                Some(b) if Some(&b) == seq.last() => {
                    seq.rotate_right(1);
                    c.pos -= 1;
                }
                _ => break,
            }
        }
    }
    c
}

/// VCF position (1-based) and alleles: indels and complex changes of unequal length get the base
/// before them as anchor.
pub fn to_vcf(c: &Change, w: &RefWindow) -> Option<(u64, String, String)> {
    let s = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
    if !c.reference.is_empty() && c.reference.len() == c.alt.len() {
        return Some((c.pos + 1, s(&c.reference), s(&c.alt)));
    }
    let anchor = w.base(c.pos.checked_sub(1)?)?;
    let mut r = vec![anchor];
    r.extend_from_slice(&c.reference);
    let mut a = vec![anchor];
    a.extend_from_slice(&c.alt);
    Some((c.pos, s(&r), s(&a)))
}

/// Length in bases of the tandem repeat of `unit` starting at `pos` in the reference.
fn run_of(unit: &[u8], pos: u64, w: &RefWindow) -> u32 {
    let mut n = 0u64;
    while unit
        .iter()
        .enumerate()
        .all(|(i, &b)| w.base(pos + n + i as u64) == Some(b))
    {
        n += unit.len() as u64;
    }
    n as u32
}

/// Shortest period of `s` (e.g. CACA -> CA).
fn period(s: &[u8]) -> &[u8] {
    (1..=s.len())
        .find(|&p| s.len().is_multiple_of(p) && s.chunks(p).all(|c| c == &s[..p]))
        .map(|p| &s[..p])
        .unwrap_or(s)
}

/// Repeat context of a normalized change: for indels the reference length of the tandem repeat of
/// the indel's unit at its (leftmost) position; for substitutions the longest homopolymer touching
/// it. 0 when the sequence does not repeat (a single copy of a multi-base unit is not a repeat).
pub fn repeat_length(c: &Change, w: &RefWindow) -> u32 {
    let indel = c.reference.is_empty() != c.alt.is_empty();
    if indel {
        let seq = if c.reference.is_empty() {
            &c.alt
        } else {
            &c.reference
        };
        let unit = period(seq);
        if unit.len() > 6 {
            return 0;
        }
        let len = run_of(unit, c.pos, w);
        let copies = len as usize / unit.len();
        if copies >= 2 {
            len
        } else {
            0
        }
    } else {
        let end = c.pos + c.reference.len() as u64;
        let left = w.base(c.pos.wrapping_sub(1)).map_or(0, |b| {
            let mut n = 0u32;
            while c.pos > n as u64 && w.base(c.pos - 1 - n as u64) == Some(b) {
                n += 1;
            }
            n
        });
        let right = w.base(end).map_or(0, |b| run_of(&[b], end, w));
        let hp = left.max(right);
        if hp >= 2 {
            hp
        } else {
            0
        }
    }
}

/// Longest unit of a tandem repeat that can make an aligner's indel placement ambiguous.
const MAX_REPEAT_UNIT: u64 = 6;

/// Where the tandem repeats that touch a change end: the start of the longest repeat (unit of 1-6
/// bases, at least two copies) ending just before `left_end`, and the end of the longest starting
/// at `right_start`; the positions themselves when none does. An indel is placed by the bases a
/// read aligns beyond these bounds, not by those inside the repeat.
pub fn repeat_bounds(w: &RefWindow, left_end: u64, right_start: u64) -> (u64, u64) {
    let mut lo = left_end;
    let mut hi = right_start;
    for k in 1..=MAX_REPEAT_UNIT {
        if let Some(mut s) = left_end.checked_sub(k).filter(|&s| s >= w.start) {
            while s > w.start && w.base(s - 1).is_some() && w.base(s - 1) == w.base(s - 1 + k) {
                s -= 1;
            }
            if left_end - s >= 2 * k {
                lo = lo.min(s);
            }
        }
        let mut e = right_start + k;
        if w.base(e - 1).is_some() {
            while w.base(e).is_some() && w.base(e) == w.base(e - k) {
                e += 1;
            }
            if e - right_start >= 2 * k {
                hi = hi.max(e);
            }
        }
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(seq: &[u8]) -> RefWindow<'_> {
        RefWindow { start: 100, seq }
    }

    fn ch(pos: u64, r: &str, a: &str) -> Change {
        Change {
            pos,
            reference: r.as_bytes().to_vec(),
            alt: a.as_bytes().to_vec(),
        }
    }

    #[test]
    fn deletion_in_homopolymer_moves_to_the_left_end() {
        //           100 G, 101-104 AAAA, 105 C
        let s = b"GAAAACGT";
        let wi = w(s);
        // a read's aligner put the A deletion at the last A (104)
        let n = normalize(ch(104, "A", ""), &wi);
        assert_eq!(n, ch(101, "A", ""));
        assert_eq!(to_vcf(&n, &wi).unwrap(), (101, "GA".into(), "G".into()));
        assert_eq!(repeat_length(&n, &wi), 4);
    }

    #[test]
    fn dinucleotide_insertion_left_aligns_with_rotation() {
        //        100 T, 101-106 CACACA, 107 G
        let s = b"TCACACAGT";
        let wi = w(s);
        // one more CA unit, inserted by the aligner at the right end of the run
        let n = normalize(ch(107, "", "CA"), &wi);
        assert_eq!(n, ch(101, "", "CA"));
        assert_eq!(to_vcf(&n, &wi).unwrap(), (101, "T".into(), "TCA".into()));
        assert_eq!(repeat_length(&n, &wi), 6);
    }

    #[test]
    fn substitutions_are_trimmed_not_shifted() {
        let s = b"ACGTACGT";
        let wi = w(s);
        // GT>AT is the SNV G>A at 102
        let n = normalize(ch(102, "GT", "AT"), &wi);
        assert_eq!(n, ch(102, "G", "A"));
        assert_eq!(to_vcf(&n, &wi).unwrap(), (103, "G".into(), "A".into()));
        // a doublet stays an MNV
        let m = normalize(ch(102, "GT", "TA"), &wi);
        assert_eq!(to_vcf(&m, &wi).unwrap(), (103, "GT".into(), "TA".into()));
    }

    #[test]
    fn complex_delins_keeps_an_anchor() {
        let s = b"ACGTACGT";
        let wi = w(s);
        let n = normalize(ch(102, "GTA", "C"), &wi);
        assert_eq!(to_vcf(&n, &wi).unwrap(), (102, "CGTA".into(), "CC".into()));
    }

    #[test]
    fn repeat_bounds_cover_the_runs_beside_a_change() {
        //        100 G, 101-110 TCTCTCTCTC, 111 G, 112 A, 113 CC, 115 G
        let s = b"GTCTCTCTCTCGACCG";
        let wi = w(s);
        // an insertion before 111: the TC run to its left, nothing repeated to its right
        assert_eq!(repeat_bounds(&wi, 111, 111), (101, 111));
        // a deletion of 112: the CC run after it
        assert_eq!(repeat_bounds(&wi, 112, 113), (112, 115));
        // only the CC run to the right
        assert_eq!(repeat_bounds(&wi, 113, 113), (113, 115));
        let plain = b"ACGTAGCT";
        assert_eq!(repeat_bounds(&w(plain), 104, 104), (104, 104));
    }

    #[test]
    fn non_repeat_has_zero_context() {
        let s = b"ACGTACGTTT";
        let wi = w(s);
        assert_eq!(repeat_length(&ch(102, "G", ""), &wi), 0);
        // SNV next to the TTT run
        assert_eq!(repeat_length(&ch(106, "G", "A"), &wi), 3);
    }
}
