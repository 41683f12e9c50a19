//! Junction evidence from single alignment records: split reads (supplementary alignments listed in
//! the SA tag; in RNA also spliced alignments whose two sides lie in different genes), discordant
//! pairs, and long soft clips the aligner left without a supplementary alignment.
use super::genes::Genes;
use crate::model::{Library, Retained};
use rust_htslib::bam::{
    self,
    record::{Aux, Cigar, CigarString},
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Aligned bases each side of a split read needs before it counts: shorter pieces align anywhere.
pub const MIN_ANCHOR: u32 = 20;
/// Pairs on one contig further apart than this (DNA) are discordant: far beyond any insert size,
/// yet short enough to catch the ~300 kb PAR1 deletion behind P2RY8::CRLF2.
pub const DNA_MAX_SPAN: u64 = 10_000;
/// RNA pairs span introns, so distance alone says little; pairs further apart than this with no
/// gene to tell are discordant.
pub const RNA_MAX_SPAN: u64 = 1_000_000;

/// One side of a junction: contig rank in the BAM header, 1-based position, kept side.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub struct End {
    pub contig: usize,
    pub pos: u64,
    pub retained: Retained,
}

impl End {
    /// Move the junction `by` bases into the kept sequence (trims homology from this side).
    fn trim(self, by: u64) -> End {
        let pos = match self.retained {
            Retained::Left => self.pos.saturating_sub(by),
            Retained::Right => self.pos + by,
        };
        End { pos, ..self }
    }
}

/// Both sides in canonical order (lower contig rank / position first), so a junction read from
/// either strand or either record gets one key.
fn canonical(x: End, y: End) -> (End, End, bool) {
    if (x.contig, x.pos) <= (y.contig, y.pos) {
        (x, y, false)
    } else {
        (y, x, true)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SplitRead {
    pub a: End,
    pub b: End,
    pub qname: Vec<u8>,
    /// 1 or 2 (read of the pair), 0 unpaired.
    pub read: u8,
    /// Read bases aligned on both sides (microhomology), attributed to side `a`.
    pub homology: u32,
    /// Read bases aligned on neither side (non-templated insertion).
    pub inserted: u32,
    pub mapq: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PairEvidence {
    /// Outer read ends pointing at the junction: `pos` is the read end nearest the junction.
    pub a: End,
    pub b: End,
    pub qname: Vec<u8>,
    pub mapq: u8,
}

/// A long soft clip with no supplementary alignment: the clipped bases may belong to a partner.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Clip {
    /// The aligned side of the junction.
    pub end: End,
    /// Clipped bases in reference-forward orientation of the aligned record.
    pub seq: Vec<u8>,
    pub qname: Vec<u8>,
    pub read: u8,
    pub mapq: u8,
}

/// What the walk saw, so the caller can say which evidence was missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EvidenceCounts {
    pub records: u64,
    pub duplicates: u64,
    pub paired: u64,
    pub unpaired: u64,
    /// Records carrying an SA tag.
    pub with_sa: u64,
    /// Primary records with a soft clip of at least [`MIN_ANCHOR`] bases and no SA tag.
    pub clipped_without_sa: u64,
    pub spliced: u64,
}

impl EvidenceCounts {
    pub fn add(&mut self, o: &EvidenceCounts) {
        self.records += o.records;
        self.duplicates += o.duplicates;
        self.paired += o.paired;
        self.unpaired += o.unpaired;
        self.with_sa += o.with_sa;
        self.clipped_without_sa += o.clipped_without_sa;
        self.spliced += o.spliced;
    }
}

/// One alignment of a read: reference span (1-based inclusive) and query span in sequencing order.
#[derive(Debug, Clone, Copy)]
struct Segment {
    contig: usize,
    start: u64,
    end: u64,
    reverse: bool,
    qs: u32,
    qe: u32,
    mapq: u8,
}

fn segment(contig: usize, pos1: u64, reverse: bool, cigar: &[Cigar], mapq: u8) -> Segment {
    let (mut lead, mut trail, mut aligned, mut reflen, mut seen_aligned) = (0, 0, 0, 0, false);
    for c in cigar {
        match *c {
            Cigar::SoftClip(l) | Cigar::HardClip(l) => {
                if seen_aligned {
                    trail += l
                } else {
                    lead += l
                }
            }
            Cigar::Match(l) | Cigar::Equal(l) | Cigar::Diff(l) => {
                seen_aligned = true;
                aligned += l;
                reflen += l as u64;
            }
            Cigar::Ins(l) => {
                seen_aligned = true;
                aligned += l
            }
            Cigar::Del(l) | Cigar::RefSkip(l) => reflen += l as u64,
            Cigar::Pad(_) => {}
        }
    }
    let qs = if reverse { trail } else { lead };
    Segment {
        contig,
        start: pos1,
        end: pos1 + reflen.max(1) - 1,
        reverse,
        qs,
        qe: qs + aligned,
        mapq,
    }
}

impl Segment {
    /// Where the read leaves this alignment (reading in sequencing order).
    fn exit(&self) -> End {
        if self.reverse {
            End {
                contig: self.contig,
                pos: self.start,
                retained: Retained::Right,
            }
        } else {
            End {
                contig: self.contig,
                pos: self.end,
                retained: Retained::Left,
            }
        }
    }

    /// Where the read enters this alignment.
    fn entry(&self) -> End {
        if self.reverse {
            End {
                contig: self.contig,
                pos: self.end,
                retained: Retained::Left,
            }
        } else {
            End {
                contig: self.contig,
                pos: self.start,
                retained: Retained::Right,
            }
        }
    }
}

/// Parse an SA tag (`contig,pos,strand,CIGAR,mapq,NM;` ...) into segments; entries on contigs
/// missing from the header are skipped.
fn parse_sa(sa: &str, rank: &HashMap<String, usize>) -> Vec<Segment> {
    sa.split(';')
        .filter(|s| !s.is_empty())
        .filter_map(|e| {
            let f: Vec<&str> = e.split(',').collect();
            if f.len() < 5 {
                return None;
            }
            let contig = *rank.get(f[0])?;
            let pos: u64 = f[1].parse().ok()?;
            let reverse = f[2] == "-";
            let cigar = CigarString::try_from(f[3]).ok()?;
            let mapq: u8 = f[4].parse().ok()?;
            Some(segment(contig, pos, reverse, &cigar.0, mapq))
        })
        .collect()
}

/// Junctions between consecutive alignments of one read, in sequencing order.
fn junctions(mut segs: Vec<Segment>, qname: &[u8], read: u8, out: &mut Vec<SplitRead>) {
    segs.sort_by_key(|s| (s.qs, s.qe, s.contig, s.start));
    for w in segs.windows(2) {
        let (x, y) = (w[0], w[1]);
        if x.qe - x.qs < MIN_ANCHOR || y.qe - y.qs < MIN_ANCHOR {
            continue;
        }
        let homology = x.qe.saturating_sub(y.qs);
        let inserted = y.qs.saturating_sub(x.qe);
        if homology > 30 || inserted > 30 {
            continue;
        }
        let (a, b, _) = canonical(x.exit(), y.entry());
        out.push(SplitRead {
            a,
            b: b.trim(homology as u64),
            qname: qname.to_vec(),
            read,
            homology,
            inserted,
            mapq: x.mapq.min(y.mapq),
        });
    }
}

/// Walks records and keeps the junction evidence.
pub struct Collector<'a> {
    pub library: Library,
    /// Contig name (as in the BAM) -> rank in the header.
    pub rank: &'a HashMap<String, usize>,
    /// Panel contig name of each header contig.
    pub names: &'a [String],
    pub genes: &'a Genes,
    pub splits: Vec<SplitRead>,
    pub pairs: Vec<PairEvidence>,
    pub clips: Vec<Clip>,
    pub counts: EvidenceCounts,
}

impl<'a> Collector<'a> {
    pub fn new(
        library: Library,
        rank: &'a HashMap<String, usize>,
        names: &'a [String],
        genes: &'a Genes,
    ) -> Self {
        Collector {
            library,
            rank,
            names,
            genes,
            splits: vec![],
            pairs: vec![],
            clips: vec![],
            counts: EvidenceCounts::default(),
        }
    }

    fn gene_at(&self, contig: usize, pos: u64) -> Option<&str> {
        let chrom = self.names.get(contig)?;
        self.genes.at(chrom, pos).map(|(g, _)| g.name.as_str())
    }

    /// Look at one mapped, non-secondary, non-QC-fail record.
    pub fn add(&mut self, rec: &bam::Record) {
        self.counts.records += 1;
        let flags = rec.flags();
        if flags & 0x400 != 0 {
            self.counts.duplicates += 1;
            return;
        }
        let Ok(contig) = usize::try_from(rec.tid()) else {
            return;
        };
        let read = match (flags & 0x1 != 0, flags & 0x40 != 0) {
            (false, _) => 0,
            (true, true) => 1,
            (true, false) => 2,
        };
        let reverse = flags & 0x10 != 0;
        let cigar = rec.cigar();
        let own = segment(
            contig,
            rec.pos() as u64 + 1,
            reverse,
            cigar.as_ref(),
            rec.mapq(),
        );
        let supplementary = flags & 0x800 != 0;
        if !supplementary {
            if read == 0 {
                self.counts.unpaired += 1;
            } else {
                self.counts.paired += 1;
            }
        }
        match rec.aux(b"SA") {
            Ok(Aux::String(sa)) => {
                self.counts.with_sa += 1;
                let mut segs = parse_sa(sa, self.rank);
                segs.push(own);
                junctions(segs, rec.qname(), read, &mut self.splits);
            }
            _ if !supplementary => self.clip(rec, contig, read, cigar.as_ref()),
            _ => {}
        }
        if self.library == Library::Rna && cigar.iter().any(|c| matches!(c, Cigar::RefSkip(_))) {
            self.counts.spliced += 1;
            self.spliced(rec, contig, read, cigar.as_ref());
        }
        if !supplementary && read != 0 && flags & 0x8 == 0 {
            self.pair(rec, contig, flags, &own);
        }
    }

    /// A spliced alignment whose intron joins two different genes (RNA fusions between neighbours on
    /// one strand, such as P2RY8::CRLF2, align this way).
    fn spliced(&mut self, rec: &bam::Record, contig: usize, read: u8, cigar: &[Cigar]) {
        let mut p = rec.pos() as u64 + 1;
        let mut left_bases = 0u32;
        let total: u32 = cigar
            .iter()
            .map(|c| match c {
                Cigar::Match(l) | Cigar::Equal(l) | Cigar::Diff(l) | Cigar::Ins(l) => *l,
                _ => 0,
            })
            .sum();
        for c in cigar {
            match *c {
                Cigar::Match(l) | Cigar::Equal(l) | Cigar::Diff(l) => {
                    p += l as u64;
                    left_bases += l;
                }
                Cigar::Ins(l) => left_bases += l,
                Cigar::Del(l) => p += l as u64,
                Cigar::RefSkip(l) => {
                    let (x, y) = (p - 1, p + l as u64);
                    p += l as u64;
                    if left_bases < MIN_ANCHOR || total - left_bases < MIN_ANCHOR {
                        continue;
                    }
                    let (gx, gy) = (self.gene_at(contig, x), self.gene_at(contig, y));
                    if gx.is_some() && gy.is_some() && gx != gy {
                        self.splits.push(SplitRead {
                            a: End {
                                contig,
                                pos: x,
                                retained: Retained::Left,
                            },
                            b: End {
                                contig,
                                pos: y,
                                retained: Retained::Right,
                            },
                            qname: rec.qname().to_vec(),
                            read,
                            homology: 0,
                            inserted: 0,
                            mapq: rec.mapq(),
                        });
                    }
                }
                _ => {}
            }
        }
    }

    fn clip(&mut self, rec: &bam::Record, contig: usize, read: u8, cigar: &[Cigar]) {
        let seq = rec.seq().as_bytes();
        let start = rec.pos() as u64 + 1;
        let end = rec.cigar().end_pos() as u64;
        let first = cigar.first().copied();
        let last = cigar.last().copied();
        let mut found = false;
        if let Some(Cigar::SoftClip(l)) = first {
            if l >= MIN_ANCHOR {
                found = true;
                self.clips.push(Clip {
                    end: End {
                        contig,
                        pos: start,
                        retained: Retained::Right,
                    },
                    seq: seq[..l as usize].to_vec(),
                    qname: rec.qname().to_vec(),
                    read,
                    mapq: rec.mapq(),
                });
            }
        }
        if let (Some(Cigar::SoftClip(l)), true) = (last, cigar.len() > 1) {
            if l >= MIN_ANCHOR {
                found = true;
                self.clips.push(Clip {
                    end: End {
                        contig,
                        pos: end,
                        retained: Retained::Left,
                    },
                    seq: seq[seq.len() - l as usize..].to_vec(),
                    qname: rec.qname().to_vec(),
                    read,
                    mapq: rec.mapq(),
                });
            }
        }
        if found {
            self.counts.clipped_without_sa += 1;
        }
    }

    fn pair(&mut self, rec: &bam::Record, contig: usize, flags: u16, own: &Segment) {
        let Ok(mcontig) = usize::try_from(rec.mtid()) else {
            return;
        };
        let mreverse = flags & 0x20 != 0;
        let mstart = rec.mpos() as u64 + 1;
        // the mate's reference length: MC tag when the aligner wrote it, else this read's
        let mlen = match rec.aux(b"MC") {
            Ok(Aux::String(mc)) => CigarString::try_from(mc)
                .map(|c| segment(0, 1, false, &c.0, 0).end)
                .unwrap_or(own.end + 1 - own.start),
            _ => own.end + 1 - own.start,
        };
        let mate = Segment {
            contig: mcontig,
            start: mstart,
            end: mstart + mlen - 1,
            reverse: mreverse,
            qs: 0,
            qe: 0,
            mapq: match rec.aux(b"MQ") {
                Ok(Aux::U8(q)) => q,
                Ok(Aux::I32(q)) => q.clamp(0, 255) as u8,
                Ok(Aux::U16(q)) => q.min(255) as u8,
                Ok(Aux::I8(q)) => q.max(0) as u8,
                Ok(Aux::I16(q)) => q.clamp(0, 255) as u8,
                _ => own.mapq,
            },
        };
        let discordant = if mcontig != contig {
            true
        } else {
            let (l, r) = if own.start <= mate.start {
                (own, &mate)
            } else {
                (&mate, own)
            };
            let span = r.end.max(l.end) - l.start;
            match self.library {
                Library::Dna => {
                    // forward-reverse (inward-facing) is the only normal orientation
                    let inward = !l.reverse && r.reverse;
                    span > DNA_MAX_SPAN || (span > 1000 && !inward)
                }
                Library::Rna => {
                    let (gl, gr) = (self.gene_at(contig, l.end), self.gene_at(contig, r.start));
                    match (gl, gr) {
                        (Some(x), Some(y)) => x != y,
                        _ => span > RNA_MAX_SPAN,
                    }
                }
            }
        };
        if !discordant {
            return;
        }
        // the read's end nearest the junction: a forward read points right, a reverse one left
        let toward = |s: &Segment| End {
            contig: s.contig,
            pos: if s.reverse { s.start } else { s.end },
            retained: if s.reverse {
                Retained::Right
            } else {
                Retained::Left
            },
        };
        let (a, b, _) = canonical(toward(own), toward(&mate));
        self.pairs.push(PairEvidence {
            a,
            b,
            qname: rec.qname().to_vec(),
            mapq: own.mapq.min(mate.mapq),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cig(s: &str) -> Vec<Cigar> {
        CigarString::try_from(s).expect("cigar").0
    }

    #[test]
    fn split_read_junction_is_the_same_from_either_strand() {
        // forward read: 90 bases on contig 0 ending at 1090, then 60 bases on contig 3 from 5000
        let x = segment(0, 1001, false, &cig("90M60S"), 60);
        let y = segment(3, 5000, false, &cig("90H60M"), 60);
        let mut out = vec![];
        junctions(vec![x, y], b"q", 1, &mut out);
        assert_eq!(out.len(), 1);
        let j = &out[0];
        assert_eq!(
            (j.a.contig, j.a.pos, j.a.retained),
            (0, 1090, Retained::Left)
        );
        assert_eq!(
            (j.b.contig, j.b.pos, j.b.retained),
            (3, 5000, Retained::Right)
        );
        // the mate read of the same molecule runs the other way: both pieces reverse
        let x2 = segment(3, 5000, true, &cig("60S40M"), 60);
        let y2 = segment(0, 1031, true, &cig("60M40H"), 60);
        let mut out2 = vec![];
        junctions(vec![x2, y2], b"q", 2, &mut out2);
        assert_eq!((out2[0].a, out2[0].b), (j.a, j.b));
    }

    #[test]
    fn microhomology_is_attributed_to_the_first_side() {
        // 5 bases aligned on both pieces
        let x = segment(0, 1001, false, &cig("95M55S"), 60);
        let y = segment(3, 4996, false, &cig("90S60M"), 60);
        let mut out = vec![];
        junctions(vec![x, y], b"q", 1, &mut out);
        assert_eq!(out[0].homology, 5);
        assert_eq!(out[0].a.pos, 1095);
        assert_eq!(out[0].b.pos, 5001);
        // the opposite strand sees the pieces in the other order and lands on the same junction
        let x2 = segment(3, 4996, true, &cig("55S60M"), 60);
        let y2 = segment(0, 1001, true, &cig("95M55S"), 60);
        let mut out2 = vec![];
        junctions(vec![x2, y2], b"q", 2, &mut out2);
        assert_eq!((out2[0].a, out2[0].b), (out[0].a, out[0].b));
    }

    #[test]
    fn short_anchors_are_ignored() {
        let x = segment(0, 1001, false, &cig("135M15S"), 60);
        let y = segment(3, 5000, false, &cig("135S15M"), 60);
        let mut out = vec![];
        junctions(vec![x, y], b"q", 1, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn sa_tags_parse() {
        let rank: HashMap<String, usize> = [("chr9".to_string(), 1), ("chr22".to_string(), 0)]
            .into_iter()
            .collect();
        let s = parse_sa("chr9,130714000,-,60M90S,60,0;chrUn,5,+,10M,0,0;", &rank);
        assert_eq!(s.len(), 1);
        assert_eq!(
            (s[0].contig, s[0].start, s[0].end),
            (1, 130714000, 130714059)
        );
        assert_eq!((s[0].qs, s[0].qe), (90, 150));
    }
}
