//! Soft-clip realignment: when the aligner left a long clip without a supplementary alignment (no
//! SA tag, or a partner too short or too repetitive for it), look for the clipped bases in the
//! panel's breakpoint regions and partner exons. Seeds from a k-mer index of those regions, then a
//! semiglobal alignment (rust-bio) of the whole clip confirms the placement.
use super::evidence::{Clip, End, SplitRead};
use super::genes::Genes;
use crate::error::Result;
use crate::ingest::build::resolve_contig;
use crate::ingest::Reference;
use crate::model::{Region, Retained};
use crate::panel::Panel;
use bio::alignment::pairwise::Aligner;
use bio::alphabets::dna::revcomp;
use std::collections::{BTreeMap, HashMap};

const K: usize = 16;
/// k-mers seen more often than this in the target regions are repeats and seed nothing.
const MAX_OCCURRENCES: usize = 8;
/// Alignment score needed, per clipped base (match +1, mismatch -2, gaps -3/-1): ~95% identity.
const MIN_SCORE_PER_BASE: f64 = 0.8;

fn code(kmer: &[u8]) -> Option<u32> {
    let mut c = 0u32;
    for &b in kmer {
        c = (c << 2)
            | match b.to_ascii_uppercase() {
                b'A' => 0,
                b'C' => 1,
                b'G' => 2,
                b'T' => 3,
                _ => return None,
            };
    }
    Some(c)
}

/// Target sequences with a sorted k-mer index.
struct Index {
    /// (panel contig, 0-based start, bases)
    targets: Vec<(String, u64, Vec<u8>)>,
    /// (k-mer, target, offset), sorted by k-mer.
    kmers: Vec<(u32, u32, u32)>,
}

impl Index {
    fn build(regions: &[Region], reference: &Reference) -> Result<Index> {
        let names: Vec<String> = reference.contigs.iter().map(|(n, _)| n.clone()).collect();
        let mut targets = Vec::new();
        for r in regions {
            let Some(name) = resolve_contig(&r.chrom, &names) else {
                continue;
            };
            let len = reference.length(name).unwrap_or(0);
            if r.start >= len {
                continue;
            }
            let seq = reference.fetch(name, r.start, r.end.min(len))?;
            targets.push((r.chrom.clone(), r.start, seq));
        }
        let mut kmers = Vec::new();
        for (t, (_, _, seq)) in targets.iter().enumerate() {
            for (o, w) in seq.windows(K).enumerate() {
                if let Some(c) = code(w) {
                    kmers.push((c, t as u32, o as u32));
                }
            }
        }
        kmers.sort_unstable();
        Ok(Index { targets, kmers })
    }

    fn hits(&self, c: u32) -> &[(u32, u32, u32)] {
        let lo = self.kmers.partition_point(|x| x.0 < c);
        let hi = self.kmers.partition_point(|x| x.0 <= c);
        let h = &self.kmers[lo..hi];
        if h.len() > MAX_OCCURRENCES {
            &[]
        } else {
            h
        }
    }

    /// Best placement of `seq` (forward strand of the targets): (target, start, end) 0-based
    /// half-open within the target, if it aligns well enough.
    fn place(&self, seq: &[u8]) -> Option<(usize, usize, usize)> {
        let mut votes: BTreeMap<(u32, i64), u32> = BTreeMap::new();
        for (o, w) in seq.windows(K).enumerate().step_by(4) {
            let Some(c) = code(w) else { continue };
            for &(_, t, p) in self.hits(c) {
                *votes.entry((t, p as i64 - o as i64)).or_default() += 1;
            }
        }
        let (&(t, diag), &n) = votes
            .iter()
            .max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k)))?;
        if n < 2 {
            return None;
        }
        let target = &self.targets[t as usize].2;
        let w0 = (diag - 10).max(0) as usize;
        let w1 = ((diag + seq.len() as i64 + 10).max(0) as usize).min(target.len());
        if w0 >= w1 {
            return None;
        }
        let score = |a: u8, b: u8| if a == b { 1i32 } else { -2i32 };
        let mut aligner = Aligner::with_capacity(seq.len(), w1 - w0, -3, -1, score);
        let aln = aligner.semiglobal(seq, &target[w0..w1]);
        if (aln.score as f64) < MIN_SCORE_PER_BASE * seq.len() as f64 {
            return None;
        }
        Some((t as usize, w0 + aln.ystart, w0 + aln.yend))
    }
}

/// Regions a clipped partner may come from: breakpoint-search regions and the exons of fusion genes.
fn target_regions(panel: &Panel) -> Vec<Region> {
    let fusion_genes: Vec<&str> = panel
        .manifest
        .genes
        .iter()
        .filter(|g| g.roles.iter().any(|r| r == "fusion"))
        .map(|g| g.name.as_str())
        .collect();
    let mut out: Vec<Region> = panel.fusion_search.clone();
    out.extend(
        panel
            .exons
            .iter()
            .filter(|e| fusion_genes.contains(&e.gene.as_str()))
            .map(|e| Region {
                chrom: e.chrom.clone(),
                start: e.start - 1,
                end: e.end,
                name: e.gene.clone(),
            }),
    );
    out
}

/// Split reads recovered from clips whose bases align to another panel region.
pub fn realign(
    clips: &[Clip],
    reference: &Reference,
    panel: &Panel,
    names: &[String],
    rank: &HashMap<String, usize>,
    genes: &Genes,
) -> Result<Vec<SplitRead>> {
    let index = Index::build(&target_regions(panel), reference)?;
    // panel contig -> BAM header rank
    let rank_of = |chrom: &str| -> Option<usize> {
        names
            .iter()
            .position(|n| n == chrom)
            .or_else(|| rank.get(chrom).copied())
    };
    let mut out = Vec::new();
    for c in clips {
        let Some((t, s, e)) = index
            .place(&c.seq)
            .map(|p| (p, false))
            .or_else(|| index.place(&revcomp(&c.seq)).map(|p| (p, true)))
            .map(|((t, s, e), rc)| {
                let (chrom, start, _) = &index.targets[t];
                (
                    (chrom.clone(), *start + s as u64 + 1, *start + e as u64),
                    rc,
                )
            })
            .map(|((chrom, s1, e1), rc)| ((chrom, rc), s1, e1))
        else {
            continue;
        };
        let (chrom, reverse) = t;
        let Some(contig) = rank_of(&chrom) else {
            continue;
        };
        // the partner continues the molecule on the clipped side of the aligned part
        let partner = match (c.end.retained, reverse) {
            (Retained::Left, false) => (s, Retained::Right),
            (Retained::Left, true) => (e, Retained::Left),
            (Retained::Right, false) => (e, Retained::Left),
            (Retained::Right, true) => (s, Retained::Right),
        };
        let other = End {
            contig,
            pos: partner.0,
            retained: partner.1,
        };
        // clips back into the same gene are indels or local rearrangements, not fusions
        let gene = |e: &End| {
            names
                .get(e.contig)
                .and_then(|ch| genes.at(ch, e.pos).map(|(g, _)| g.name.clone()))
        };
        if other.contig == c.end.contig && other.pos.abs_diff(c.end.pos) < 1000 {
            continue;
        }
        if gene(&other).is_some() && gene(&other) == gene(&c.end) {
            continue;
        }
        let (a, b) = if (c.end.contig, c.end.pos) <= (other.contig, other.pos) {
            (c.end, other)
        } else {
            (other, c.end)
        };
        out.push(SplitRead {
            a,
            b,
            qname: c.qname.clone(),
            read: c.read,
            homology: 0,
            inserted: 0,
            mapq: c.mapq,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kmer_codes() {
        assert_eq!(code(b"AAAAAAAAAAAAAAAA"), Some(0));
        assert_eq!(code(b"AAAAAAAAAAAAAAAC"), Some(1));
        assert_eq!(code(b"AAAAAAAAAAAAAAAN"), None);
    }
}
