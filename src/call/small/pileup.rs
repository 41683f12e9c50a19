//! Fragment-level pileup over one region: decode each read's aligned bases and indels, merge the two
//! mates of a fragment where they overlap (a base both mates agree on counts once; where they
//! disagree neither counts), then accumulate per-position depth and the changes each fragment
//! carries. Adjacent changes on the same fragment become one MNV or complex change, so a KRAS codon
//! 12/13 doublet is one call, not two half-supported SNVs.
use super::model::phred_to_prob;
use super::normalize::{normalize, repeat_bounds, Change, RefWindow};
use crate::error::{Error, Result};
use rust_htslib::bam::{self, record::Cigar};
use std::collections::HashMap;
use std::path::Path;

/// Strand bits of a fragment observation.
pub const FWD: u8 = 1;
pub const REV: u8 = 2;

#[derive(Debug, Clone, Copy)]
struct BaseObs {
    pos: u64,
    base: u8,
    qual: u8,
    strand: u8,
    dist: u8,
}

#[derive(Debug, Clone, PartialEq)]
struct IndelObs {
    /// First deleted base, or the base the insertion precedes.
    pos: u64,
    del: u64,
    ins: Vec<u8>,
    qual: u8,
    strand: u8,
    dist: u8,
}

#[derive(Debug, Clone, Default)]
struct FragmentObs {
    bases: Vec<BaseObs>,
    indels: Vec<IndelObs>,
    mapq: u8,
}

/// Evidence for one normalized change.
#[derive(Debug, Clone, Default)]
pub struct ChangeStats {
    pub alt: u32,
    pub fwd: u32,
    pub rev: u32,
    pub quals: Vec<u8>,
    pub mapqs: Vec<u8>,
    pub dists: Vec<u8>,
}

/// Soft-clipped read ends inside the region, for long-insertion recovery.
#[derive(Debug, Clone)]
pub struct Clip {
    /// Reference position of the first aligned base after a left clip, or one past the last
    /// aligned base before a right clip.
    pub pos: u64,
    pub left: bool,
    /// Whole read sequence and the aligned span's read offsets.
    pub seq: Vec<u8>,
    pub qual: Vec<u8>,
    pub aligned_start: usize,
    pub aligned_end: usize,
    pub ref_start: u64,
    pub reverse: bool,
    pub mapq: u8,
}

/// Accumulated pileup of one region.
pub struct Pileup<'a> {
    pub window: RefWindow<'a>,
    /// The region whose changes this pileup owns (0-based half-open); the window adds padding.
    pub own: (u64, u64),
    pub min_bq: u8,
    pub depth: Vec<u32>,
    pub ref_count: Vec<u32>,
    pub ref_fwd: Vec<u32>,
    pub ref_rev: Vec<u32>,
    /// Sum of error probabilities of the counted bases (site error estimate).
    pub err_sum: Vec<f64>,
    pub changes: HashMap<Change, ChangeStats>,
    pub clips: Vec<Clip>,
    pending: HashMap<Vec<u8>, FragmentObs>,
}

/// Adjacent substitutions separated by at most this many reference bases merge into one MNV.
const MERGE_GAP: u64 = 1;
/// Changes near an indel merge across a wider gap: aligners write one complex change as an indel
/// plus mismatches a few bases apart, and choose differently from read to read, so without this
/// the evidence splits into two partial calls (both false) and the true delins is missed.
const INDEL_MERGE_GAP: u64 = 3;
/// A read counts for an indel only when it aligns at least this many bases beyond the tandem
/// repeats on both sides of it: a read that starts or ends inside the repeat cannot say where the
/// indel is, and aligners then write a mismatch run as an insertion or the reverse.
const MIN_INDEL_ANCHOR: u64 = 5;

impl<'a> Pileup<'a> {
    pub fn new(window: RefWindow<'a>, own: (u64, u64), min_bq: u8) -> Self {
        let n = window.seq.len();
        Pileup {
            window,
            own,
            min_bq,
            depth: vec![0; n],
            ref_count: vec![0; n],
            ref_fwd: vec![0; n],
            ref_rev: vec![0; n],
            err_sum: vec![0.0; n],
            changes: HashMap::new(),
            clips: Vec::new(),
            pending: HashMap::new(),
        }
    }

    fn idx(&self, pos: u64) -> Option<usize> {
        let i = pos.checked_sub(self.window.start)? as usize;
        (i < self.depth.len()).then_some(i)
    }

    /// Add one filtered, primary record. Records without base qualities are refused: low-VAF calls
    /// cannot be made without them.
    pub fn add_record(&mut self, rec: &bam::Record, path: &Path, contig: &str) -> Result<()> {
        if rec.flags() & 0x800 != 0 {
            return Ok(());
        }
        let qual = rec.qual();
        if qual.first() == Some(&255) {
            return Err(Error::input(
                path,
                format!(
                    "read {} at {contig}:{} has no base qualities (QUAL '*'); puente needs them to tell low-VAF variants from errors",
                    String::from_utf8_lossy(rec.qname()),
                    rec.pos() + 1
                ),
            ));
        }
        let obs = self.decode(rec);
        let qname = rec.qname();
        if let Some(mate) = self.pending.remove(qname) {
            let merged = merge(mate, obs);
            self.commit(merged);
            return Ok(());
        }
        let mate_overlaps = rec.flags() & 0x1 != 0
            && rec.flags() & 0x8 == 0
            && rec.mtid() == rec.tid()
            && rec.mpos() >= rec.pos()
            && (rec.mpos() as u64) < rec.cigar().end_pos() as u64;
        if mate_overlaps {
            self.pending.insert(qname.to_vec(), obs);
        } else {
            self.commit(obs);
        }
        Ok(())
    }

    /// Commit fragments whose mate never came (filtered, or outside the region).
    pub fn finish(&mut self) {
        let mut rest: Vec<(Vec<u8>, FragmentObs)> = self.pending.drain().collect();
        rest.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, f) in rest {
            self.commit(f);
        }
    }

    fn decode(&mut self, rec: &bam::Record) -> FragmentObs {
        let seq = rec.seq().as_bytes();
        let qual = rec.qual();
        let len = seq.len();
        let strand = if rec.is_reverse() { REV } else { FWD };
        let dist = |i: usize| i.min(len.saturating_sub(1 + i)).min(255) as u8;
        let mut out = FragmentObs {
            mapq: rec.mapq(),
            ..Default::default()
        };
        let (lo, hi) = (
            self.window.start,
            self.window.start + self.window.seq.len() as u64,
        );
        let mut p = rec.pos() as u64;
        let mut i = 0usize;
        let cigar = rec.cigar();
        let (read_start, read_end) = (rec.pos() as u64, cigar.end_pos() as u64);
        let window = &self.window;
        let anchored = |left_end: u64, right_start: u64| {
            let (lo, hi) = repeat_bounds(window, left_end, right_start);
            read_start + MIN_INDEL_ANCHOR <= lo && hi + MIN_INDEL_ANCHOR <= read_end
        };
        let mut aligned_start = None;
        let mut clips: Vec<(u64, bool)> = Vec::new();
        for c in cigar.iter() {
            match *c {
                Cigar::Match(l) | Cigar::Equal(l) | Cigar::Diff(l) => {
                    aligned_start.get_or_insert(i);
                    for j in 0..l as usize {
                        let pp = p + j as u64;
                        if pp >= lo && pp < hi {
                            out.bases.push(BaseObs {
                                pos: pp,
                                base: seq[i + j].to_ascii_uppercase(),
                                qual: qual[i + j],
                                strand,
                                dist: dist(i + j),
                            });
                        }
                    }
                    p += l as u64;
                    i += l as usize;
                }
                Cigar::Ins(l) => {
                    let l = l as usize;
                    if i > 0 && i + l < len && p >= lo && p < hi && anchored(p, p) {
                        out.indels.push(IndelObs {
                            pos: p,
                            del: 0,
                            ins: seq[i..i + l].to_ascii_uppercase(),
                            qual: qual[i - 1].min(qual[i + l]),
                            strand,
                            dist: dist(i).min(dist(i + l - 1)),
                        });
                    }
                    i += l;
                }
                Cigar::Del(l) => {
                    if i > 0 && i < len && p >= lo && p < hi && anchored(p, p + l as u64) {
                        out.indels.push(IndelObs {
                            pos: p,
                            del: l as u64,
                            ins: vec![],
                            qual: qual[i - 1].min(qual[i]),
                            strand,
                            dist: dist(i),
                        });
                    }
                    p += l as u64;
                }
                Cigar::RefSkip(l) => p += l as u64,
                Cigar::SoftClip(l) => {
                    let l = l as usize;
                    // clips of a few bases are adapter or error tails, not insertions
                    if l >= 5 && p >= self.own.0 && p < self.own.1 {
                        clips.push((p, aligned_start.is_none()));
                    }
                    i += l;
                }
                Cigar::HardClip(_) | Cigar::Pad(_) => {}
            }
        }
        let aligned_end = len - cigar_trailing_clip(&cigar);
        for (pos, left) in clips {
            self.clips.push(Clip {
                pos,
                left,
                seq: seq.clone(),
                qual: qual.to_vec(),
                aligned_start: aligned_start.unwrap_or(0),
                aligned_end,
                ref_start: rec.pos() as u64,
                reverse: strand == REV,
                mapq: rec.mapq(),
            });
        }
        out
    }

    fn commit(&mut self, f: FragmentObs) {
        let min_bq = self.min_bq;
        // coverage and reference support
        for b in &f.bases {
            let Some(i) = self.idx(b.pos) else { continue };
            if b.qual < min_bq || b.base == b'N' {
                continue;
            }
            self.depth[i] += 1;
            self.err_sum[i] += phred_to_prob(b.qual);
            if b.base == self.window.seq[i] {
                self.ref_count[i] += 1;
                if b.strand & FWD != 0 {
                    self.ref_fwd[i] += 1;
                }
                if b.strand & REV != 0 {
                    self.ref_rev[i] += 1;
                }
            }
        }
        for d in f.indels.iter().filter(|d| d.del > 0) {
            for pos in d.pos..d.pos + d.del {
                if let Some(i) = self.idx(pos) {
                    self.depth[i] += 1;
                }
            }
        }
        // changes: mismatches, deletions, insertions; merged when adjacent
        let mut atoms: Vec<Atom> = Vec::new();
        for b in &f.bases {
            let Some(i) = self.idx(b.pos) else { continue };
            let r = self.window.seq[i];
            if b.qual >= min_bq && b.base != r && b.base != b'N' && r != b'N' {
                atoms.push(Atom {
                    start: b.pos,
                    end: b.pos + 1,
                    alt: vec![b.base],
                    indel: false,
                    qual: b.qual,
                    strand: b.strand,
                    dist: b.dist,
                });
            }
        }
        for d in &f.indels {
            atoms.push(Atom {
                start: d.pos,
                end: d.pos + d.del,
                alt: d.ins.clone(),
                indel: true,
                qual: d.qual,
                strand: d.strand,
                dist: d.dist,
            });
        }
        atoms.sort_by_key(|a| (a.start, a.end));
        let mut merged: Vec<Atom> = Vec::new();
        for a in atoms {
            if let Some(cur) = merged.last_mut() {
                let gap = if cur.indel || a.indel {
                    INDEL_MERGE_GAP
                } else {
                    MERGE_GAP
                };
                if a.start <= cur.end + gap && a.start >= cur.end {
                    for pos in cur.end..a.start {
                        if let Some(i) = self.idx(pos) {
                            cur.alt.push(self.window.seq[i]);
                        }
                    }
                    cur.alt.extend_from_slice(&a.alt);
                    cur.end = a.end;
                    cur.qual = cur.qual.min(a.qual);
                    cur.strand |= a.strand;
                    cur.dist = cur.dist.min(a.dist);
                    cur.indel |= a.indel;
                    continue;
                }
            }
            merged.push(a);
        }
        for a in merged {
            if a.start < self.own.0 || a.start >= self.own.1 {
                continue;
            }
            let (Some(i0), Some(i1)) = (self.idx(a.start), self.idx(a.end.max(a.start))) else {
                continue;
            };
            let change = normalize(
                Change {
                    pos: a.start,
                    reference: self.window.seq[i0..i1].to_vec(),
                    alt: a.alt,
                },
                &self.window,
            );
            if change.reference.is_empty() && change.alt.is_empty() {
                continue;
            }
            let s = self.changes.entry(change).or_default();
            s.alt += 1;
            if a.strand & FWD != 0 {
                s.fwd += 1;
            }
            if a.strand & REV != 0 {
                s.rev += 1;
            }
            s.quals.push(a.qual);
            s.mapqs.push(f.mapq);
            s.dists.push(a.dist);
        }
    }
}

fn cigar_trailing_clip(c: &bam::record::CigarStringView) -> usize {
    let mut n = 0;
    for op in c.iter().rev() {
        match op {
            Cigar::SoftClip(l) => n += *l as usize,
            Cigar::HardClip(_) => {}
            _ => break,
        }
    }
    n
}

struct Atom {
    start: u64,
    end: u64,
    alt: Vec<u8>,
    /// Changes length (an insertion or deletion is part of it).
    indel: bool,
    qual: u8,
    strand: u8,
    dist: u8,
}

/// One fragment from two overlapping mates.
fn merge(a: FragmentObs, b: FragmentObs) -> FragmentObs {
    let mut bases = Vec::with_capacity(a.bases.len() + b.bases.len());
    let (mut i, mut j) = (0, 0);
    while i < a.bases.len() || j < b.bases.len() {
        match (a.bases.get(i), b.bases.get(j)) {
            (Some(x), Some(y)) if x.pos == y.pos => {
                if x.base == y.base {
                    bases.push(BaseObs {
                        qual: x.qual.max(y.qual),
                        strand: x.strand | y.strand,
                        dist: x.dist.max(y.dist),
                        ..*x
                    });
                }
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x.pos < y.pos => {
                bases.push(*x);
                i += 1;
            }
            (Some(_), Some(y)) => {
                bases.push(*y);
                j += 1;
            }
            (Some(x), None) => {
                bases.push(*x);
                i += 1;
            }
            (None, Some(y)) => {
                bases.push(*y);
                j += 1;
            }
            (None, None) => break,
        }
    }
    let mut indels = a.indels;
    for d in b.indels {
        match indels
            .iter_mut()
            .find(|x| x.pos == d.pos && x.del == d.del && x.ins == d.ins)
        {
            Some(x) => {
                x.strand |= d.strand;
                x.qual = x.qual.max(d.qual);
                x.dist = x.dist.max(d.dist);
            }
            None => indels.push(d),
        }
    }
    FragmentObs {
        bases,
        indels,
        mapq: a.mapq.max(b.mapq),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_htslib::bam::{header::HeaderRecord, Header, HeaderView};

    // 0-based positions 100..140 of a made-up contig; 110-113 is an AAAA run
    const SEQ: &[u8] = b"ACGTTGCACGAAAACGTTGCATGCCGATCGGATCCTAGGC";

    fn header() -> HeaderView {
        let mut h = Header::new();
        let mut sq = HeaderRecord::new(b"SQ");
        sq.push_tag(b"SN", "chr1").push_tag(b"LN", 1000);
        h.push_record(&sq);
        HeaderView::from_header(&h)
    }

    fn rec(h: &HeaderView, line: &str) -> bam::Record {
        bam::Record::from_sam(h, line.as_bytes()).unwrap()
    }

    fn empty() -> Pileup<'static> {
        Pileup::new(
            RefWindow {
                start: 100,
                seq: SEQ,
            },
            (100, 140),
            13,
        )
    }

    fn pile(lines: &[String]) -> Pileup<'static> {
        let h = header();
        let mut p = empty();
        for l in lines {
            p.add_record(&rec(&h, l), Path::new("t.bam"), "chr1")
                .unwrap();
        }
        p.finish();
        p
    }

    /// A SAM line for a read of reference bases [from, from+len) with `edit` applied to the
    /// sequence (offset, base) and the given CIGAR.
    fn read(name: &str, flag: u16, from: u64, seq: &str, cigar: &str, mpos: u64) -> String {
        let q = "I".repeat(seq.len());
        format!(
            "{name}\t{flag}\tchr1\t{}\t60\t{cigar}\t=\t{}\t0\t{seq}\t{q}",
            from + 1,
            mpos + 1
        )
    }

    fn refseq(a: u64, b: u64) -> String {
        String::from_utf8(SEQ[(a - 100) as usize..(b - 100) as usize].to_vec()).unwrap()
    }

    fn with(seq: &str, off: usize, b: &str) -> String {
        let mut s = seq.to_string();
        s.replace_range(off..off + b.len(), b);
        s
    }

    #[test]
    fn overlapping_mates_count_once_and_disagreement_is_masked() {
        let s = refseq(100, 130);
        // fragment 1: both mates carry G>T at 105
        let alt = with(&s, 5, "T");
        // fragment 2: only one mate carries it (an error): masked, not counted
        let lines = vec![
            read("f1", 99, 100, &alt, "30M", 100),
            read("f1", 147, 100, &alt, "30M", 100),
            read("f2", 99, 100, &alt, "30M", 100),
            read("f2", 147, 100, &s, "30M", 100),
            read("f3", 0, 100, &s, "30M", 0),
        ];
        let p = pile(&lines);
        let snv = Change {
            pos: 105,
            reference: b"G".to_vec(),
            alt: b"T".to_vec(),
        };
        let st = &p.changes[&snv];
        assert_eq!(st.alt, 1, "one fragment, not two reads");
        assert_eq!((st.fwd, st.rev), (1, 1));
        // depth at 105: f1 once, f2 masked, f3 once
        assert_eq!(p.depth[5], 2);
        assert_eq!(p.depth[4], 3);
        assert_eq!(p.ref_count[5], 1);
    }

    #[test]
    fn adjacent_changes_on_one_read_become_one_mnv() {
        let s = refseq(100, 130);
        let alt = with(&s, 5, "AA"); // GC -> AA at 105-106
        let lines: Vec<String> = (0..3)
            .map(|i| read(&format!("r{i}"), 0, 100, &alt, "30M", 0))
            .collect();
        let p = pile(&lines);
        assert_eq!(p.changes.len(), 1);
        let (c, st) = p.changes.iter().next().unwrap();
        assert_eq!(
            (c.pos, c.reference.as_slice(), c.alt.as_slice()),
            (105, &b"GC"[..], &b"AA"[..])
        );
        assert_eq!(st.alt, 3);
    }

    #[test]
    fn deletions_placed_anywhere_in_a_run_are_one_change() {
        // delete one A of the AAAA run (110-113): aligners may put it at 110 or 113
        let left = format!("{}{}", refseq(100, 110), refseq(111, 130));
        let lines = vec![
            read("a", 0, 100, &left, "10M1D19M", 0),
            read("b", 0, 100, &left, "13M1D16M", 0),
        ];
        let p = pile(&lines);
        assert_eq!(p.changes.len(), 1);
        let (c, st) = p.changes.iter().next().unwrap();
        assert_eq!((c.pos, c.reference.as_slice()), (110, &b"A"[..]));
        assert!(c.alt.is_empty());
        assert_eq!(st.alt, 2);
        // deleted bases count as covered
        assert_eq!(p.depth[10], 2);
    }

    #[test]
    fn a_complex_change_written_two_ways_is_one_change() {
        // the same read sequence: CCG at 123-125 replaced by TCCA
        let alt = format!("{}TCCA{}", refseq(100, 123), refseq(126, 135));
        let lines = vec![
            // insertion of T before 123, then G>A at 125
            read("a", 0, 100, &alt, "23M1I12M", 0),
            // C>T at 123, insertion of C before 125, then G>A at 125
            read("b", 0, 100, &alt, "25M1I10M", 0),
        ];
        let p = pile(&lines);
        assert_eq!(p.changes.len(), 1, "{:?}", p.changes.keys());
        let (c, st) = p.changes.iter().next().unwrap();
        assert_eq!(
            (c.pos, c.reference.as_slice(), c.alt.as_slice()),
            (123, &b"CCG"[..], &b"TCCA"[..])
        );
        assert_eq!(st.alt, 2);
    }

    #[test]
    fn reads_that_end_inside_a_repeat_do_not_place_an_indel() {
        // one A deleted from the AAAA run at 110-113
        let del = format!("{}{}", refseq(100, 110), refseq(111, 135));
        let lines = vec![
            // anchored on both sides
            read("a", 0, 100, &del, "10M1D24M", 0),
            // starts inside the run: its deletion could be anywhere in it, or a clip
            read("b", 0, 111, &refseq(112, 135), "2M1D21M", 0),
            // three bases of unique sequence before the deletion only
            read("c", 0, 107, &del[7..], "3M1D24M", 0),
        ];
        let p = pile(&lines);
        let (c, st) = p.changes.iter().next().unwrap();
        assert_eq!((c.pos, c.reference.as_slice()), (110, &b"A"[..]));
        assert_eq!(st.alt, 1);
        assert_eq!(p.changes.len(), 1);
    }

    #[test]
    fn low_quality_bases_are_neither_depth_nor_evidence() {
        let s = refseq(100, 130);
        let alt = with(&s, 5, "T");
        let mut q: Vec<u8> = "I".repeat(30).into_bytes();
        q[5] = b'#'; // Q2
        let line = format!(
            "r\t0\tchr1\t101\t60\t30M\t*\t0\t0\t{alt}\t{}",
            String::from_utf8(q).unwrap()
        );
        let p = pile(&[line]);
        assert!(p.changes.is_empty());
        assert_eq!(p.depth[5], 0);
        assert_eq!(p.depth[4], 1);
    }

    #[test]
    fn reads_without_qualities_are_refused_with_their_position() {
        let h = header();
        let mut p = empty();
        let r = rec(
            &h,
            &format!(
                "noq\t0\tchr1\t101\t60\t30M\t*\t0\t0\t{}\t*",
                refseq(100, 130)
            ),
        );
        let e = p.add_record(&r, Path::new("x.bam"), "chr1").unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("noq") && msg.contains("chr1:101") && msg.contains("no base qualities"),
            "{msg}"
        );
    }
}
