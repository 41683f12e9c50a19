//! Transcript models and the genomic <-> c. coordinate mapping HGVS needs: exonic bases get c.N
//! (5' UTR c.-N, 3' UTR c.*N), intronic bases an offset from the nearer exon edge (c.N+k / c.N-k).
use crate::panel::Panel;
use std::fmt;

/// Source of reference sequence (0-based half-open, uppercase). `None` outside the contig.
pub trait Sequence {
    fn fetch(&self, chrom: &str, start0: u64, end0: u64) -> Option<Vec<u8>>;
}

/// In-memory sequence for tests and the simulator: contig -> (0-based offset, bases).
#[derive(Debug, Clone, Default)]
pub struct MemSequence {
    pub contigs: std::collections::BTreeMap<String, Vec<(u64, Vec<u8>)>>,
}

impl MemSequence {
    pub fn insert(&mut self, chrom: &str, start0: u64, seq: &[u8]) {
        self.contigs
            .entry(chrom.to_string())
            .or_default()
            .push((start0, seq.to_ascii_uppercase()));
    }
}

impl Sequence for MemSequence {
    fn fetch(&self, chrom: &str, start0: u64, end0: u64) -> Option<Vec<u8>> {
        let (s, seq) = self
            .contigs
            .get(chrom)?
            .iter()
            .find(|(s, q)| *s <= start0 && end0 <= s + q.len() as u64)?;
        Some(seq[(start0 - s) as usize..(end0 - s) as usize].to_vec())
    }
}

pub fn revcomp(s: &[u8]) -> Vec<u8> {
    s.iter()
        .rev()
        .map(|b| match b {
            b'A' => b'T',
            b'C' => b'G',
            b'G' => b'C',
            b'T' => b'A',
            x => *x,
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    pub gene: String,
    pub id: String,
    pub chrom: String,
    pub strand: char,
    /// (number, start, end), 1-based inclusive, in transcription order.
    pub exons: Vec<(u32, u64, u64)>,
    /// Genomic span of the CDS including the stop codon (lo, hi); None for non-coding.
    pub cds: Option<(u64, u64)>,
}

/// Where a c. position is anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// c.-N (N ≥ 1), 5' of the start codon.
    Utr5(u64),
    /// c.N, inside the CDS (stop codon included).
    Cds(u64),
    /// c.*N, 3' of the stop codon.
    Utr3(u64),
}

/// A c. coordinate: an anchor on the transcript plus an intronic offset (0 when exonic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CPos {
    pub anchor: Anchor,
    pub offset: i64,
}

impl fmt::Display for CPos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.anchor {
            Anchor::Utr5(n) => write!(f, "-{n}")?,
            Anchor::Cds(n) => write!(f, "{n}")?,
            Anchor::Utr3(n) => write!(f, "*{n}")?,
        }
        match self.offset {
            0 => Ok(()),
            o if o > 0 => write!(f, "+{o}"),
            o => write!(f, "{o}"),
        }
    }
}

/// Which part of the gene a genomic base falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    Exon(u32),
    /// Intron after exon `n` (transcription order).
    Intron(u32),
    Upstream,
    Downstream,
}

impl Transcript {
    /// One model per gene of the panel (the pinned transcript of transcripts.tsv).
    pub fn from_panel(panel: &Panel) -> Vec<Transcript> {
        Transcript::from_exons(&panel.exons)
    }

    /// Group transcripts.tsv rows into transcripts, exons in transcription order.
    pub fn from_exons(exons: &[crate::panel::Exon]) -> Vec<Transcript> {
        let mut out: Vec<Transcript> = Vec::new();
        for e in exons {
            let t = match out.iter_mut().find(|t| t.id == e.transcript) {
                Some(t) => t,
                None => {
                    out.push(Transcript {
                        gene: e.gene.clone(),
                        id: e.transcript.clone(),
                        chrom: e.chrom.clone(),
                        strand: e.strand,
                        exons: vec![],
                        cds: None,
                    });
                    out.last_mut().expect("pushed")
                }
            };
            t.exons.push((e.number, e.start, e.end));
            if let Some((a, b)) = e.cds {
                t.cds = Some(match t.cds {
                    None => (a, b),
                    Some((x, y)) => (x.min(a), y.max(b)),
                });
            }
        }
        for t in &mut out {
            t.exons.sort_by_key(|(_, s, _)| *s);
            if t.strand == '-' {
                t.exons.reverse();
            }
        }
        out
    }

    pub fn start(&self) -> u64 {
        self.exons.iter().map(|e| e.1).min().unwrap_or(0)
    }
    pub fn end(&self) -> u64 {
        self.exons.iter().map(|e| e.2).max().unwrap_or(0)
    }
    pub fn plus(&self) -> bool {
        self.strand != '-'
    }

    /// 0-based index along the spliced transcript of an exonic base.
    pub fn tx_index(&self, g: u64) -> Option<u64> {
        let mut i = 0;
        for &(_, s, e) in &self.exons {
            if s <= g && g <= e {
                return Some(i + if self.plus() { g - s } else { e - g });
            }
            i += e - s + 1;
        }
        None
    }

    /// Genomic base of a 0-based transcript index.
    pub fn genomic_of_tx(&self, mut i: u64) -> Option<u64> {
        for &(_, s, e) in &self.exons {
            let n = e - s + 1;
            if i < n {
                return Some(if self.plus() { s + i } else { e - i });
            }
            i -= n;
        }
        None
    }

    /// Genomic bases of the coding sequence in transcription order (start codon to stop codon).
    pub fn cds_bases(&self) -> Option<Vec<u64>> {
        let (a, b) = self.cds_tx()?;
        (a..=b).map(|i| self.genomic_of_tx(i)).collect()
    }

    fn tx_len(&self) -> u64 {
        self.exons.iter().map(|(_, s, e)| e - s + 1).sum()
    }

    /// Transcript indices of the first CDS base and of the last base of the stop codon.
    fn cds_tx(&self) -> Option<(u64, u64)> {
        let (lo, hi) = self.cds?;
        let (a, b) = (self.tx_index(lo)?, self.tx_index(hi)?);
        Some((a.min(b), a.max(b)))
    }

    /// Anchor of a transcript index (may lie beyond either end: upstream/downstream numbering).
    fn anchor_of(&self, i: i64) -> Anchor {
        match self.cds_tx() {
            Some((c0, c1)) => {
                let (c0, c1) = (c0 as i64, c1 as i64);
                if i < c0 {
                    Anchor::Utr5((c0 - i) as u64)
                } else if i > c1 {
                    Anchor::Utr3((i - c1) as u64)
                } else {
                    Anchor::Cds((i - c0 + 1) as u64)
                }
            }
            // non-coding: number from the transcript start (n. style, reported with c.)
            None => Anchor::Cds((i + 1).max(1) as u64),
        }
    }

    pub fn region(&self, g: u64) -> Region {
        if g < self.start() {
            return if self.plus() {
                Region::Upstream
            } else {
                Region::Downstream
            };
        }
        if g > self.end() {
            return if self.plus() {
                Region::Downstream
            } else {
                Region::Upstream
            };
        }
        for (k, &(n, s, e)) in self.exons.iter().enumerate() {
            if s <= g && g <= e {
                return Region::Exon(n);
            }
            if let Some(&(_, s2, e2)) = self.exons.get(k + 1) {
                let inside = if self.plus() {
                    e < g && g < s2
                } else {
                    e2 < g && g < s
                };
                if inside {
                    return Region::Intron(n);
                }
            }
        }
        Region::Upstream
    }

    /// The c. coordinate of genomic base `g`.
    pub fn c_pos(&self, g: u64) -> CPos {
        if let Some(i) = self.tx_index(g) {
            return CPos {
                anchor: self.anchor_of(i as i64),
                offset: 0,
            };
        }
        let len = self.tx_len() as i64;
        match self.region(g) {
            Region::Upstream => {
                let d = if self.plus() {
                    self.start() - g
                } else {
                    g - self.end()
                } as i64;
                CPos {
                    anchor: self.anchor_of(-d),
                    offset: 0,
                }
            }
            Region::Downstream => {
                let d = if self.plus() {
                    g - self.end()
                } else {
                    self.start() - g
                } as i64;
                CPos {
                    anchor: self.anchor_of(len - 1 + d),
                    offset: 0,
                }
            }
            Region::Intron(n) => {
                let k = self
                    .exons
                    .iter()
                    .position(|e| e.0 == n)
                    .expect("intron after a known exon");
                let (last5, first3) = if self.plus() {
                    (self.exons[k].2, self.exons[k + 1].1)
                } else {
                    (self.exons[k].1, self.exons[k + 1].2)
                };
                let d5 = last5.abs_diff(g) as i64;
                let d3 = first3.abs_diff(g) as i64;
                if d5 <= d3 {
                    let i = self.tx_index(last5).expect("exon edge") as i64;
                    CPos {
                        anchor: self.anchor_of(i),
                        offset: d5,
                    }
                } else {
                    let i = self.tx_index(first3).expect("exon edge") as i64;
                    CPos {
                        anchor: self.anchor_of(i),
                        offset: -d3,
                    }
                }
            }
            Region::Exon(_) => unreachable!("exonic bases have a transcript index"),
        }
    }

    /// Spliced sequence in transcription order from the start codon to the transcript end, plus
    /// `tail` bases of genomic sequence beyond it (a lost stop reads on into the 3' flank).
    pub fn coding_sequence(&self, seq: &dyn Sequence, tail: u64) -> Option<Vec<u8>> {
        let (c0, _) = self.cds_tx()?;
        let mut tx = Vec::with_capacity(self.tx_len() as usize + tail as usize);
        for &(_, s, e) in &self.exons {
            let part = seq.fetch(&self.chrom, s - 1, e)?;
            tx.extend(if self.plus() { part } else { revcomp(&part) });
        }
        let flank = if self.plus() {
            seq.fetch(&self.chrom, self.end(), self.end() + tail)
        } else {
            let s = self.start().saturating_sub(tail + 1);
            seq.fetch(&self.chrom, s, self.start() - 1)
                .map(|p| revcomp(&p))
        };
        tx.extend(flank.unwrap_or_default());
        Some(tx[c0 as usize..].to_vec())
    }

    /// Transcript index of the first CDS base (where `coding_sequence` starts).
    pub fn cds_start_index(&self) -> Option<u64> {
        self.cds_tx().map(|c| c.0)
    }

    /// Length of the CDS (stop codon included) along the spliced transcript.
    pub fn cds_length(&self) -> Option<u64> {
        self.cds_tx().map(|(a, b)| b - a + 1)
    }

    /// Number of exons (for "exon 2/5").
    pub fn exon_count(&self) -> usize {
        self.exons.len()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minus-strand gene shaped like KRAS: exon 1 non-coding, CDS from exon 2 to exon 5.
    pub fn kras_like() -> Transcript {
        Transcript {
            gene: "KRAS".into(),
            id: "ENST00000311936.7".into(),
            chrom: "chr12".into(),
            strand: '-',
            exons: vec![
                (1, 25250751, 25250931),
                (2, 25245274, 25245395),
                (3, 25227234, 25227412),
                (4, 25225614, 25225773),
                (5, 25204789, 25209911),
            ],
            cds: Some((25209795, 25245384)),
        }
    }

    #[test]
    fn kras_codon_12_and_13_map_to_the_published_bases() {
        let t = kras_like();
        assert_eq!(t.c_pos(25245350).to_string(), "35");
        assert_eq!(t.c_pos(25245347).to_string(), "38");
        assert_eq!(t.c_pos(25245384).to_string(), "1");
        assert_eq!(t.c_pos(25245385).to_string(), "-1");
        assert_eq!(t.c_pos(25245395).to_string(), "-11");
        // last base of exon 1 is c.-12, the first intronic base after it c.-12+1
        assert_eq!(t.c_pos(25250751).to_string(), "-12");
        assert_eq!(t.c_pos(25250750).to_string(), "-12+1");
        // exon 2 ends at c.111; the next base is c.111+1, the base before exon 3 is c.112-1
        assert_eq!(t.c_pos(25245274).to_string(), "111");
        assert_eq!(t.c_pos(25245273).to_string(), "111+1");
        assert_eq!(t.c_pos(25227413).to_string(), "112-1");
        assert_eq!(t.region(25245273), Region::Intron(2));
        // stop codon: c.565-567, then c.*1
        assert_eq!(t.c_pos(25209795).to_string(), "567");
        assert_eq!(t.c_pos(25209794).to_string(), "*1");
        assert_eq!(t.region(25204000), Region::Downstream);
        assert_eq!(
            t.c_pos(25204788).to_string(),
            format!("*{}", 25209794 - 25204789 + 2)
        );
    }

    #[test]
    fn plus_strand_intron_midpoint_goes_to_the_upstream_exon() {
        let t = Transcript {
            gene: "G".into(),
            id: "T".into(),
            chrom: "c".into(),
            strand: '+',
            exons: vec![(1, 100, 120), (2, 131, 150)],
            cds: Some((110, 140)),
        };
        assert_eq!(t.c_pos(110).to_string(), "1");
        assert_eq!(t.c_pos(109).to_string(), "-1");
        assert_eq!(t.c_pos(120).to_string(), "11");
        // intron 121..130 (10 bases): 121..125 are c.11+1..+5, 126..130 are c.12-5..-1
        assert_eq!(t.c_pos(125).to_string(), "11+5");
        assert_eq!(t.c_pos(126).to_string(), "12-5");
        assert_eq!(t.c_pos(130).to_string(), "12-1");
        assert_eq!(t.c_pos(141).to_string(), "*1");
        assert_eq!(t.c_pos(99).to_string(), "-11");
    }
}
