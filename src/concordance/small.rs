//! Small-variant matching between two labs: normalisation against the reference (trim, left-align)
//! and haplotype-aware matching, so that one change written two ways (an MNV or two SNVs, an indel
//! placed in another repeat copy, a delins or a deletion plus an insertion) counts as a match.
//!
//! The rule is the one vcfeval and hap.py use: two sets of calls agree when applying each set to
//! the reference gives the same sequence. Somatic calls are not phased, so within a cluster of
//! nearby calls every subset of one lab's calls is tried against every subset of the other's and
//! the largest equal pair wins.
use std::collections::{BTreeMap, HashMap};

/// Reference bases, 0-based half-open; None when the contig or range is not available.
pub trait RefSeq {
    fn bases(&self, chrom: &str, start: u64, end: u64) -> Option<Vec<u8>>;
}

impl RefSeq for crate::ingest::reference::Reference {
    fn bases(&self, chrom: &str, start: u64, end: u64) -> Option<Vec<u8>> {
        self.fetch(chrom, start, end).ok()
    }
}

/// Whole contigs held in memory (tests, small references).
impl RefSeq for BTreeMap<String, Vec<u8>> {
    fn bases(&self, chrom: &str, start: u64, end: u64) -> Option<Vec<u8>> {
        let s = self.get(chrom)?;
        (start < end && end as usize <= s.len()).then(|| s[start as usize..end as usize].to_vec())
    }
}

/// One allele in VCF convention (1-based `pos`, REF and ALT bases).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Allele {
    pub chrom: String,
    pub pos: u64,
    pub reference: Vec<u8>,
    pub alt: Vec<u8>,
}

impl Allele {
    pub fn new(chrom: &str, pos: u64, reference: &str, alt: &str) -> Self {
        Allele {
            chrom: chrom.to_string(),
            pos,
            reference: reference.to_ascii_uppercase().into_bytes(),
            alt: alt.to_ascii_uppercase().into_bytes(),
        }
    }
    /// 0-based start of the reference bases it replaces.
    fn start0(&self) -> u64 {
        self.pos.saturating_sub(1)
    }
    fn end0(&self) -> u64 {
        self.start0() + self.reference.len() as u64
    }
    pub fn key(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            self.chrom,
            self.pos,
            String::from_utf8_lossy(&self.reference),
            String::from_utf8_lossy(&self.alt)
        )
    }
}

/// Why an allele could not be normalised against the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NormProblem {
    /// REF differs from the reference at the position (wrong build, wrong reference).
    RefMismatch { found: String },
    /// Contig or range not in the reference.
    Unavailable,
}

/// Trim shared bases and left-align, with the caller's own normaliser so both labs' calls get
/// the representation puente writes. Without a reference only trimming that keeps an anchor base
/// is possible, so indels in repeats stay where the caller put them.
pub fn normalize(a: &Allele, refseq: Option<&dyn RefSeq>) -> Result<Allele, NormProblem> {
    use crate::call::small::normalize::{normalize as left_align, to_vcf, Change, RefWindow};
    let Some(rs) = refseq else {
        let mut v = a.clone();
        while v.reference.len() >= 2 && v.alt.len() >= 2 && v.reference.last() == v.alt.last() {
            v.reference.pop();
            v.alt.pop();
        }
        while v.reference.len() >= 2 && v.alt.len() >= 2 && v.reference[0] == v.alt[0] {
            v.reference.remove(0);
            v.alt.remove(0);
            v.pos += 1;
        }
        return Ok(v);
    };
    let found = rs
        .bases(&a.chrom, a.start0(), a.end0())
        .ok_or(NormProblem::Unavailable)?;
    if found != a.reference {
        return Err(NormProblem::RefMismatch {
            found: String::from_utf8_lossy(&found).into_owned(),
        });
    }
    let change = Change {
        pos: a.start0(),
        reference: a.reference.clone(),
        alt: a.alt.clone(),
    };
    // widen the window until the shift stops short of its left edge (long repeats)
    let mut flank = 256u64;
    loop {
        let start = a.start0().saturating_sub(flank);
        let seq = rs
            .bases(&a.chrom, start, a.end0())
            .ok_or(NormProblem::Unavailable)?;
        let w = RefWindow { start, seq: &seq };
        let n = left_align(change.clone(), &w);
        if n.pos > start + 1 || start == 0 {
            let (pos, reference, alt) = to_vcf(&n, &w).ok_or(NormProblem::Unavailable)?;
            return Ok(Allele::new(&a.chrom, pos, &reference, &alt));
        }
        flank *= 4;
    }
}

/// How a matched group was recognised.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// Identical as written.
    Exact,
    /// Identical after trimming and left-alignment.
    Normalized,
    /// Different calls that spell the same sequence.
    Haplotype,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchGroup {
    pub kind: MatchKind,
    /// Indices into the reference lab's and the test lab's allele lists.
    pub reference: Vec<usize>,
    pub test: Vec<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matching {
    pub groups: Vec<MatchGroup>,
    pub reference_only: Vec<usize>,
    pub test_only: Vec<usize>,
    /// Clusters too large to enumerate, compared by position and alleles only.
    pub unresolved_clusters: usize,
}

/// Calls closer than this (bases between one's end and the next one's start) are compared as
/// one haplotype.
const CLUSTER_GAP: u64 = 30;
/// Larger clusters (2^n subsets per side) fall back to exact matching.
const MAX_CLUSTER_SIDE: usize = 12;

/// Match two labs' alleles, already normalised. `refseq` gives the bases between calls; without
/// it, a cluster is compared only where the calls' own REF bases cover the whole window.
pub fn match_alleles(a: &[Allele], b: &[Allele], refseq: Option<&dyn RefSeq>) -> Matching {
    let mut out = Matching::default();
    let mut used_a = vec![false; a.len()];
    let mut used_b = vec![false; b.len()];
    let mut by_key: BTreeMap<&Allele, Vec<usize>> = BTreeMap::new();
    for (j, x) in b.iter().enumerate() {
        by_key.entry(x).or_default().push(j);
    }
    for (i, x) in a.iter().enumerate() {
        if let Some(js) = by_key.get_mut(x) {
            if let Some(j) = js.iter().position(|&j| !used_b[j]).map(|p| js[p]) {
                used_a[i] = true;
                used_b[j] = true;
                out.groups.push(MatchGroup {
                    kind: MatchKind::Exact,
                    reference: vec![i],
                    test: vec![j],
                });
            }
        }
    }
    // clusters of what is left, over both labs, per contig
    let mut rest: Vec<(bool, usize)> = (0..a.len())
        .filter(|&i| !used_a[i])
        .map(|i| (true, i))
        .chain((0..b.len()).filter(|&j| !used_b[j]).map(|j| (false, j)))
        .collect();
    let get = |&(is_a, k): &(bool, usize)| if is_a { &a[k] } else { &b[k] };
    rest.sort_by(|x, y| {
        let (p, q) = (get(x), get(y));
        (&p.chrom, p.start0(), !x.0, x.1).cmp(&(&q.chrom, q.start0(), !y.0, y.1))
    });
    let mut clusters: Vec<Vec<(bool, usize)>> = Vec::new();
    let mut end = 0u64;
    for item in rest {
        let v = get(&item);
        let joins = clusters
            .last()
            .is_some_and(|c| get(&c[0]).chrom == v.chrom && v.start0() <= end + CLUSTER_GAP);
        if joins {
            end = end.max(v.end0());
            clusters.last_mut().expect("cluster").push(item);
        } else {
            end = v.end0();
            clusters.push(vec![item]);
        }
    }
    for c in clusters {
        let ia: Vec<usize> = c.iter().filter(|x| x.0).map(|x| x.1).collect();
        let ib: Vec<usize> = c.iter().filter(|x| !x.0).map(|x| x.1).collect();
        if ia.is_empty() || ib.is_empty() {
            continue;
        }
        if ia.len() > MAX_CLUSTER_SIDE || ib.len() > MAX_CLUSTER_SIDE {
            out.unresolved_clusters += 1;
            continue;
        }
        for g in match_cluster(a, &ia, b, &ib, refseq) {
            for &i in &g.reference {
                used_a[i] = true;
            }
            for &j in &g.test {
                used_b[j] = true;
            }
            out.groups.push(g);
        }
    }
    out.groups.sort_by(|x, y| {
        (x.reference.first(), x.test.first()).cmp(&(y.reference.first(), y.test.first()))
    });
    out.reference_only = (0..a.len()).filter(|&i| !used_a[i]).collect();
    out.test_only = (0..b.len()).filter(|&j| !used_b[j]).collect();
    out
}

/// Reference bases of a window: from the FASTA, or pieced together from the calls' REF alleles
/// when every base of the window is covered by one of them.
fn window_bases(
    chrom: &str,
    start: u64,
    end: u64,
    calls: &[&Allele],
    refseq: Option<&dyn RefSeq>,
) -> Option<Vec<u8>> {
    if let Some(rs) = refseq {
        return rs.bases(chrom, start, end);
    }
    let mut w: Vec<Option<u8>> = vec![None; (end - start) as usize];
    for c in calls {
        for (k, &base) in c.reference.iter().enumerate() {
            let p = c.start0() + k as u64;
            if (start..end).contains(&p) {
                w[(p - start) as usize] = Some(base);
            }
        }
    }
    w.into_iter().collect()
}

/// Sequence of the window with the calls of `mask` applied; None when two of them overlap.
fn apply(win: &[u8], start: u64, calls: &[&Allele], mask: u32) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(win.len() + 16);
    let mut at = start;
    for (k, c) in calls.iter().enumerate() {
        if mask & (1 << k) == 0 {
            continue;
        }
        if c.start0() < at {
            return None;
        }
        out.extend_from_slice(&win[(at - start) as usize..(c.start0() - start) as usize]);
        out.extend_from_slice(&c.alt);
        at = c.end0();
    }
    out.extend_from_slice(&win[(at - start) as usize..]);
    Some(out)
}

/// Every haplotype the calls spell, with the largest subset (lowest mask on ties) spelling it.
fn haplotypes(win: &[u8], start: u64, calls: &[&Allele]) -> HashMap<Vec<u8>, u32> {
    let mut m: HashMap<Vec<u8>, u32> = HashMap::new();
    for mask in 1u32..(1 << calls.len()) {
        let Some(h) = apply(win, start, calls, mask) else {
            continue;
        };
        if h == win {
            continue;
        }
        let e = m.entry(h).or_insert(mask);
        if (mask.count_ones(), std::cmp::Reverse(mask)) > (e.count_ones(), std::cmp::Reverse(*e)) {
            *e = mask;
        }
    }
    m
}

fn match_cluster(
    a: &[Allele],
    ia: &[usize],
    b: &[Allele],
    ib: &[usize],
    refseq: Option<&dyn RefSeq>,
) -> Vec<MatchGroup> {
    let mut ia = ia.to_vec();
    let mut ib = ib.to_vec();
    let mut groups = Vec::new();
    loop {
        if ia.is_empty() || ib.is_empty() {
            break;
        }
        let ca: Vec<&Allele> = ia.iter().map(|&i| &a[i]).collect();
        let cb: Vec<&Allele> = ib.iter().map(|&j| &b[j]).collect();
        let all: Vec<&Allele> = ca.iter().chain(cb.iter()).copied().collect();
        let chrom = &ca[0].chrom;
        let start = all.iter().map(|c| c.start0()).min().unwrap_or(0);
        let end = all
            .iter()
            .map(|c| c.end0())
            .max()
            .unwrap_or(start)
            .max(start + 1);
        let Some(win) = window_bases(chrom, start, end, &all, refseq) else {
            break;
        };
        let ha = haplotypes(&win, start, &ca);
        let hb = haplotypes(&win, start, &cb);
        let mut best: Option<(u32, u32)> = None;
        let score = |x: (u32, u32)| (x.0.count_ones() + x.1.count_ones(), std::cmp::Reverse(x));
        for (h, &mb) in &hb {
            if let Some(&ma) = ha.get(h) {
                if best.is_none_or(|bst| score((ma, mb)) > score(bst)) {
                    best = Some((ma, mb));
                }
            }
        }
        let Some((ma, mb)) = best else { break };
        let take = |idx: &[usize], mask: u32| -> Vec<usize> {
            idx.iter()
                .enumerate()
                .filter(|(k, _)| mask & (1 << k) != 0)
                .map(|(_, &i)| i)
                .collect()
        };
        let (ga, gb) = (take(&ia, ma), take(&ib, mb));
        ia.retain(|i| !ga.contains(i));
        ib.retain(|j| !gb.contains(j));
        groups.push(MatchGroup {
            kind: MatchKind::Haplotype,
            reference: ga,
            test: gb,
        });
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    //                       1234567890123456789012345678901
    const SEQ: &str = "GATTACAGGCCACACACATTTTTGCAGTCAG";

    fn genome() -> BTreeMap<String, Vec<u8>> {
        [("chr1".to_string(), SEQ.as_bytes().to_vec())].into()
    }

    fn al(pos: u64, r: &str, a: &str) -> Allele {
        Allele::new("chr1", pos, r, a)
    }

    #[test]
    fn left_aligns_indels_in_repeats() {
        let g = genome();
        // deleting one CA of the CACACACA repeat (positions 11-18) written at its right end
        let right = al(16, "ACA", "A");
        let n = normalize(&right, Some(&g)).unwrap();
        assert_eq!(n, al(10, "CCA", "C"), "{}", n.key());
        // one T of the T run (19-23), written with a long shared context
        let n = normalize(&al(20, "TTTTG", "TTTG"), Some(&g)).unwrap();
        assert_eq!(n, al(18, "AT", "A"));
        // an MNV with shared flanks is trimmed to the changed bases
        let n = normalize(&al(7, "AGGC", "ATTC"), Some(&g)).unwrap();
        assert_eq!(n, al(8, "GG", "TT"));
        // without a reference only trimming that keeps an anchor is possible
        assert_eq!(normalize(&right, None).unwrap(), right);
        assert_eq!(
            normalize(&al(7, "AGGC", "ATTC"), None).unwrap(),
            al(8, "GG", "TT")
        );
    }

    #[test]
    fn refuses_a_ref_that_is_not_the_reference() {
        let g = genome();
        assert_eq!(
            normalize(&al(1, "C", "T"), Some(&g)),
            Err(NormProblem::RefMismatch { found: "G".into() })
        );
        assert_eq!(
            normalize(&Allele::new("chr2", 1, "G", "T"), Some(&g)),
            Err(NormProblem::Unavailable)
        );
    }

    #[test]
    fn mnv_matches_its_snvs() {
        let g = genome();
        let a = [al(8, "GG", "TT")];
        let b = [al(8, "G", "T"), al(9, "G", "T")];
        let m = match_alleles(&a, &b, Some(&g));
        assert_eq!(m.groups.len(), 1);
        assert_eq!(m.groups[0].kind, MatchKind::Haplotype);
        assert_eq!(m.groups[0].test, vec![0, 1]);
        assert!(m.reference_only.is_empty() && m.test_only.is_empty());
        // without the FASTA the REF bases themselves cover the window
        let m = match_alleles(&a, &b, None);
        assert_eq!(m.groups.len(), 1);
        // one SNV of the doublet is not the doublet
        let m = match_alleles(&a, &b[..1], Some(&g));
        assert!(m.groups.is_empty());
        assert_eq!((m.reference_only.len(), m.test_only.len()), (1, 1));
    }

    #[test]
    fn delins_matches_deletion_plus_insertion() {
        let g = genome();
        // replace GCAG (24-27) by TT
        let a = [al(24, "GCAG", "TT")];
        // same result: delete CAG after an anchored G... written as SNV G>T + deletion CAG>T
        let b = [al(24, "G", "T"), al(25, "CAG", "T")];
        let m = match_alleles(&a, &b, Some(&g));
        assert_eq!(m.groups.len(), 1, "{m:?}");
        assert!(m.test_only.is_empty());
    }

    #[test]
    fn unnormalised_repeat_indels_match_by_haplotype() {
        let g = genome();
        // the same CA deletion at two repeat copies, no normalisation applied
        let a = [al(10, "CCA", "C")];
        let b = [al(14, "ACA", "A")];
        let m = match_alleles(&a, &b, Some(&g));
        assert_eq!(m.groups.len(), 1);
        assert_eq!(m.groups[0].kind, MatchKind::Haplotype);
        // and a different deletion length does not
        let b = [al(14, "ACACA", "A")];
        assert!(match_alleles(&a, &b, Some(&g)).groups.is_empty());
    }

    #[test]
    fn exact_matches_first_and_extra_calls_stay_discordant() {
        let g = genome();
        let a = [al(2, "A", "C"), al(30, "A", "G")];
        let b = [al(2, "A", "C"), al(5, "A", "T")];
        let m = match_alleles(&a, &b, Some(&g));
        assert_eq!(m.groups.len(), 1);
        assert_eq!(m.groups[0].kind, MatchKind::Exact);
        assert_eq!(m.reference_only, vec![1]);
        assert_eq!(m.test_only, vec![1]);
    }
}
