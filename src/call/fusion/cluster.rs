//! Group split reads into junctions (exact to the base) and attach discordant pairs to them; pairs
//! that fit no split junction form imprecise junctions of their own.
use super::evidence::{End, PairEvidence, SplitRead};
use crate::model::Retained;
use std::collections::{BTreeMap, BTreeSet};

/// Split reads of one junction may disagree by a few bases (sequencing errors near the junction,
/// different handling of microhomology); within this distance they are one junction.
pub const SPLIT_TOLERANCE: u64 = 10;

/// A junction and the fragments behind it.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    pub a: Option<End>,
    pub b: Option<End>,
    pub precise: bool,
    /// Fragments (query names) with a split read, by whether every alignment had MAPQ >= the floor.
    pub split: BTreeSet<Vec<u8>>,
    pub split_low: BTreeSet<Vec<u8>>,
    pub pairs: BTreeSet<Vec<u8>>,
    pub pairs_low: BTreeSet<Vec<u8>>,
    pub homology: u32,
    pub inserted: u32,
}

impl Candidate {
    pub fn ends(&self) -> (End, End) {
        (
            self.a.expect("candidate has ends"),
            self.b.expect("candidate has ends"),
        )
    }

    /// Fragments counted as support (MAPQ at or above the floor); a fragment with a split read is
    /// not counted again as a spanning pair.
    pub fn split_count(&self) -> u32 {
        self.split.len() as u32
    }

    pub fn pair_count(&self) -> u32 {
        self.pairs.difference(&self.split).count() as u32
    }

    pub fn low_mapq_count(&self) -> u32 {
        let high: BTreeSet<&Vec<u8>> = self.split.union(&self.pairs).collect();
        self.split_low
            .union(&self.pairs_low)
            .filter(|q| !high.contains(q))
            .count() as u32
    }

    pub fn total(&self) -> u32 {
        self.split_count() + self.pair_count() + self.low_mapq_count()
    }
}

type Key = (usize, Retained, usize, Retained);

fn key(a: &End, b: &End) -> Key {
    (a.contig, a.retained, b.contig, b.retained)
}

/// `p` (a read end pointing at the junction) lies on the kept side of `j` within `max_dist`.
fn fits(j: &End, p: &End, max_dist: u64) -> bool {
    match j.retained {
        Retained::Left => p.pos <= j.pos + SPLIT_TOLERANCE && p.pos + max_dist >= j.pos,
        Retained::Right => p.pos + SPLIT_TOLERANCE >= j.pos && p.pos <= j.pos + max_dist,
    }
}

/// Cluster evidence into candidates. `max_dist` bounds how far a pair's read end may lie from the
/// junction (an insert size for DNA; RNA pairs may span introns).
pub fn cluster(
    mut splits: Vec<SplitRead>,
    mut pairs: Vec<PairEvidence>,
    min_mapq: u8,
    max_dist: u64,
) -> Vec<Candidate> {
    splits.sort();
    splits.dedup_by(|x, y| x.qname == y.qname && x.read == y.read && x.a == y.a && x.b == y.b);
    let mut by_key: BTreeMap<Key, Vec<&SplitRead>> = BTreeMap::new();
    for s in &splits {
        by_key.entry(key(&s.a, &s.b)).or_default().push(s);
    }
    let mut out: Vec<Candidate> = Vec::new();
    for group in by_key.values() {
        // greedy single linkage on (a.pos, b.pos), input sorted by a.pos
        let mut clusters: Vec<Vec<&SplitRead>> = Vec::new();
        for s in group {
            let hit = clusters.iter_mut().rev().find(|c| {
                c.iter().any(|m| {
                    m.a.pos.abs_diff(s.a.pos) <= SPLIT_TOLERANCE
                        && m.b.pos.abs_diff(s.b.pos) <= SPLIT_TOLERANCE
                })
            });
            match hit {
                Some(c) => c.push(s),
                None => clusters.push(vec![s]),
            }
        }
        for c in clusters {
            // the breakpoint most reads agree on (ties: the leftmost)
            let mut votes: BTreeMap<(u64, u64), (usize, u32, u32)> = BTreeMap::new();
            for s in &c {
                let v = votes.entry((s.a.pos, s.b.pos)).or_default();
                v.0 += 1;
                v.1 = s.homology;
                v.2 = s.inserted;
            }
            let (&(pa, pb), &(_, homology, inserted)) = votes
                .iter()
                .max_by_key(|(p, v)| (v.0, std::cmp::Reverse(**p)))
                .expect("non-empty cluster");
            let mut cand = Candidate {
                a: Some(End { pos: pa, ..c[0].a }),
                b: Some(End { pos: pb, ..c[0].b }),
                precise: true,
                homology,
                inserted,
                ..Default::default()
            };
            for s in &c {
                if s.mapq >= min_mapq {
                    cand.split.insert(s.qname.clone());
                } else {
                    cand.split_low.insert(s.qname.clone());
                }
            }
            out.push(cand);
        }
    }
    // one pair record per fragment (both mates may report it); without an MQ tag each mate knows
    // only its own MAPQ, so the fragment takes the lower of the two views
    pairs.sort_by(|x, y| (&x.qname, x.a, x.b).cmp(&(&y.qname, y.a, y.b)));
    pairs.dedup_by(|later, kept| {
        let same = later.qname == kept.qname;
        if same {
            kept.mapq = kept.mapq.min(later.mapq);
        }
        same
    });
    // a fragment with a split read already counts through it; its pair view is unreliable too
    // (a read spliced across two genes spans both, so its "end toward the junction" is not one)
    let split_names: std::collections::HashSet<&[u8]> =
        splits.iter().map(|s| s.qname.as_slice()).collect();
    pairs.retain(|p| !split_names.contains(p.qname.as_slice()));
    let mut loose: Vec<&PairEvidence> = Vec::new();
    for p in &pairs {
        let best = out
            .iter_mut()
            .filter(|c| {
                let (a, b) = c.ends();
                key(&a, &b) == key(&p.a, &p.b)
                    && fits(&a, &p.a, max_dist)
                    && fits(&b, &p.b, max_dist)
            })
            .max_by_key(|c| c.split.len() + c.split_low.len());
        match best {
            Some(c) => {
                if p.mapq >= min_mapq {
                    c.pairs.insert(p.qname.clone());
                } else {
                    c.pairs_low.insert(p.qname.clone());
                }
            }
            None => loose.push(p),
        }
    }
    // pairs alone: junction beyond the innermost read ends
    loose.sort_by_key(|p| (key(&p.a, &p.b), p.a.pos, p.b.pos));
    let mut groups: Vec<Vec<&PairEvidence>> = Vec::new();
    for p in loose {
        let hit = groups.iter_mut().rev().find(|g| {
            key(&g[0].a, &g[0].b) == key(&p.a, &p.b)
                && g.iter().any(|m| {
                    m.a.pos.abs_diff(p.a.pos) <= max_dist && m.b.pos.abs_diff(p.b.pos) <= max_dist
                })
        });
        match hit {
            Some(g) => g.push(p),
            None => groups.push(vec![p]),
        }
    }
    for g in groups {
        let inner = |ends: Vec<End>| -> End {
            let e0 = ends[0];
            let pos = match e0.retained {
                Retained::Left => ends.iter().map(|e| e.pos).max(),
                Retained::Right => ends.iter().map(|e| e.pos).min(),
            }
            .unwrap_or(e0.pos);
            End { pos, ..e0 }
        };
        let mut cand = Candidate {
            a: Some(inner(g.iter().map(|p| p.a).collect())),
            b: Some(inner(g.iter().map(|p| p.b).collect())),
            precise: false,
            ..Default::default()
        };
        for p in &g {
            if p.mapq >= min_mapq {
                cand.pairs.insert(p.qname.clone());
            } else {
                cand.pairs_low.insert(p.qname.clone());
            }
        }
        out.push(cand);
    }
    out.sort_by_key(|c| {
        let (a, b) = c.ends();
        (a.contig, a.pos, b.contig, b.pos, a.retained, b.retained)
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(contig: usize, pos: u64, retained: Retained) -> End {
        End {
            contig,
            pos,
            retained,
        }
    }

    fn split(q: &str, pa: u64, pb: u64, mapq: u8) -> SplitRead {
        SplitRead {
            a: end(0, pa, Retained::Left),
            b: end(1, pb, Retained::Right),
            qname: q.as_bytes().to_vec(),
            read: 1,
            homology: 0,
            inserted: 0,
            mapq,
        }
    }

    fn pair(q: &str, pa: u64, pb: u64) -> PairEvidence {
        PairEvidence {
            a: end(0, pa, Retained::Left),
            b: end(1, pb, Retained::Right),
            qname: q.as_bytes().to_vec(),
            mapq: 60,
        }
    }

    #[test]
    fn splits_and_pairs_make_one_junction() {
        let splits = vec![
            split("f1", 1000, 5000, 60),
            split("f2", 1000, 5000, 60),
            split("f3", 1002, 5002, 60),
            split("f4", 1000, 5000, 0),
        ];
        let pairs = vec![
            pair("f5", 900, 5100),
            pair("f1", 950, 5050),
            // wrong side of the junction
            pair("f6", 1200, 5100),
        ];
        let c = cluster(splits, pairs, 20, 1000);
        assert_eq!(c.len(), 2);
        let j = &c[0];
        assert!(j.precise);
        assert_eq!(j.ends().0.pos, 1000);
        assert_eq!(j.ends().1.pos, 5000);
        assert_eq!(
            (j.split_count(), j.pair_count(), j.low_mapq_count()),
            (3, 1, 1)
        );
        assert!(!c[1].precise);
        assert_eq!(c[1].pair_count(), 1);
    }

    #[test]
    fn distant_breakpoints_stay_apart() {
        let c = cluster(
            vec![split("a", 1000, 5000, 60), split("b", 3000, 5000, 60)],
            vec![],
            20,
            1000,
        );
        assert_eq!(c.len(), 2);
    }
}
