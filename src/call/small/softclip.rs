//! Long insertions and tandem duplications (IL7R exon 6, FLT3-ITD-like, up to ~100 bp) that the
//! aligner left as soft clips instead of an insertion: reads clipped at the same position are
//! collapsed into a consensus, the consensus is followed until it rejoins the reference nearby, and
//! the sequence in between becomes a change whose support is added to the pileup's. Tandem
//! duplications (the clip rejoins the reference upstream of the clip) become insertions of the
//! duplicated bases, so the normalizer gives them the same representation as aligned reads do.
use super::normalize::{normalize, Change};
use super::pileup::{Clip, Pileup};
use std::collections::{BTreeMap, HashSet};

/// Reads that must share a clip position before it is examined.
const MIN_CLIPPED_READS: usize = 2;
/// Exact k-mer that anchors the consensus back on the reference.
const K: usize = 15;
/// How far (bases) from the clip the consensus may rejoin the reference.
const SEARCH: u64 = 150;

/// Column-wise majority of sequences aligned at their first base; stops where fewer than two reads
/// reach or no base has 70% of the votes.
fn consensus(seqs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for j in 0.. {
        let mut votes = [0usize; 4];
        let mut n = 0;
        for s in seqs {
            if let Some(&b) = s.get(j) {
                if let Some(k) = b"ACGT".iter().position(|&x| x == b) {
                    votes[k] += 1;
                    n += 1;
                }
            }
        }
        if n < MIN_CLIPPED_READS {
            break;
        }
        let (k, &best) = votes
            .iter()
            .enumerate()
            .max_by_key(|(i, v)| (**v, usize::MAX - i))
            .expect("four bases");
        if (best as f64) < 0.7 * n as f64 {
            break;
        }
        out.push(b"ACGT"[k]);
    }
    out
}

/// Unique reference position in `[lo, hi)` where `kmer` occurs.
fn find_unique(kmer: &[u8], p: &Pileup, lo: u64, hi: u64) -> Option<u64> {
    let w = &p.window;
    let mut hits = (lo..hi.saturating_sub(kmer.len() as u64)).filter(|&q| {
        kmer.iter()
            .enumerate()
            .all(|(i, &b)| w.base(q + i as u64) == Some(b))
    });
    let q = hits.next()?;
    hits.next().is_none().then_some(q)
}

/// Right clip: `cons = X + ref[Q..]`. Returns (|X|, Q) for the shortest X that rejoins.
fn rejoin_right(cons: &[u8], p: &Pileup, lo: u64, hi: u64) -> Option<(usize, u64)> {
    (0..=cons.len().checked_sub(K)?)
        .find_map(|j| find_unique(&cons[j..j + K], p, lo, hi).map(|q| (j, q)))
}

/// Left clip, forward orientation: `fwd = ref[..Q] + X`. Returns (|X|, Q) for the shortest X.
fn rejoin_left(fwd: &[u8], p: &Pileup, lo: u64, hi: u64) -> Option<(usize, u64)> {
    let n = fwd.len();
    (0..=n.checked_sub(K)?)
        .find_map(|i| find_unique(&fwd[n - i - K..n - i], p, lo, hi).map(|q| (i, q + K as u64)))
}

/// Fraction of `a`'s bases equal to `b`'s over their common length.
fn identity(a: &[u8], b: &[u8]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / n as f64
}

/// Find clip-supported changes, add their support to the pileup, and return their keys.
pub fn recover(p: &mut Pileup) -> HashSet<Change> {
    let mut groups: BTreeMap<(u64, bool), Vec<&Clip>> = BTreeMap::new();
    for c in &p.clips {
        groups.entry((c.pos, c.left)).or_default().push(c);
    }
    let mut found: BTreeMap<Change, Vec<&Clip>> = BTreeMap::new();
    for (&(pos, left), clips) in &groups {
        if clips.len() < MIN_CLIPPED_READS {
            continue;
        }
        // clipped parts, oriented away from the aligned part
        let parts: Vec<Vec<u8>> = clips
            .iter()
            .map(|c| {
                if left {
                    c.seq[..c.aligned_start].iter().rev().copied().collect()
                } else {
                    c.seq[c.aligned_end..].to_vec()
                }
            })
            .collect();
        let cons = consensus(&parts);
        let (lo, hi) = (pos.saturating_sub(SEARCH), pos + SEARCH);
        let change = if left {
            // haplotype ref[..Q] + X + ref[P..]
            let fwd: Vec<u8> = cons.iter().rev().copied().collect();
            let Some((i, q)) = rejoin_left(&fwd, p, lo, hi) else {
                continue;
            };
            haplotype_change(p, q, fwd[fwd.len() - i..].to_vec(), pos)
        } else {
            // haplotype ref[..P] + X + ref[Q..]
            let Some((j, q)) = rejoin_right(&cons, p, lo, hi) else {
                continue;
            };
            haplotype_change(p, pos, cons[..j].to_vec(), q)
        };
        let change = normalize(change, &p.window);
        // a clip that rejoins where it left, or a lone substitution, is not an insertion
        if change.reference.len() + change.alt.len() < 2
            || change.reference.len() == change.alt.len()
        {
            continue;
        }
        // support: reads whose clipped part agrees with the consensus
        let support: Vec<&Clip> = clips
            .iter()
            .zip(&parts)
            .filter(|(_, part)| identity(part, &cons) >= 0.9)
            .map(|(c, _)| *c)
            .collect();
        found.entry(change).or_default().extend(support);
    }
    let mut keys = HashSet::new();
    let min_bq = p.min_bq;
    for (change, clips) in found {
        let s = p.changes.entry(change.clone()).or_default();
        for c in clips {
            s.alt += 1;
            if c.reverse {
                s.rev += 1;
            } else {
                s.fwd += 1;
            }
            let edge = if c.left {
                c.aligned_start
            } else {
                c.aligned_end
            };
            let q = c.qual.get(edge).copied().unwrap_or(min_bq);
            s.quals.push(q);
            s.mapqs.push(c.mapq);
            let d = edge.min(c.seq.len() - edge).min(255) as u8;
            s.dists.push(d);
        }
        keys.insert(change);
    }
    keys
}

/// The change that turns the reference into `ref[..a] + x + ref[b..]`: `ref[a..b]` replaced by `x`
/// when `b >= a`; otherwise `ref[b..a]` is read twice, a duplication inserted (with `x`) at `a`.
fn haplotype_change(p: &Pileup, a: u64, x: Vec<u8>, b: u64) -> Change {
    if b >= a {
        Change {
            pos: a,
            reference: ref_slice(p, a, b),
            alt: x,
        }
    } else {
        let mut alt = x;
        alt.extend(ref_slice(p, b, a));
        Change {
            pos: a,
            reference: vec![],
            alt,
        }
    }
}

fn ref_slice(p: &Pileup, a: u64, b: u64) -> Vec<u8> {
    (a..b).filter_map(|x| p.window.base(x)).collect()
}
