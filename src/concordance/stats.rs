//! Agreement statistics for paired-lab comparisons: proportions with 95% Wilson intervals,
//! Cohen's kappa, and VAF agreement (Pearson, Lin's concordance correlation, Bland-Altman).
use serde::{Deserialize, Serialize};

/// Two-sided 95% normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A proportion with its 95% Wilson score interval. Wilson rather than Wald because validation
/// sets are small and often at 100%, where Wald collapses to a zero-width interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Proportion {
    pub successes: u64,
    pub total: u64,
    /// None when `total` is 0.
    pub estimate: Option<f64>,
    pub lower_95: Option<f64>,
    pub upper_95: Option<f64>,
}

impl Proportion {
    pub fn new(successes: u64, total: u64) -> Self {
        let (lo, hi) = wilson(successes, total).unzip();
        Proportion {
            successes,
            total,
            estimate: (total > 0).then(|| successes as f64 / total as f64),
            lower_95: lo,
            upper_95: hi,
        }
    }
}

/// Wilson score interval at 95%.
pub fn wilson(successes: u64, total: u64) -> Option<(f64, f64)> {
    if total == 0 {
        return None;
    }
    let n = total as f64;
    let p = successes as f64 / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// How many more concordant observations (all successes) would lift the Wilson lower bound to
/// `target`; None if it cannot within 100,000 (target at or above 1).
pub fn more_needed(successes: u64, total: u64, target: f64) -> Option<u64> {
    if target >= 1.0 {
        return None;
    }
    let ok = |k: u64| wilson(successes + k, total + k).is_some_and(|(lo, _)| lo >= target);
    if ok(0) {
        return Some(0);
    }
    // the lower bound grows monotonically with added successes: binary search
    let (mut lo, mut hi) = (0u64, 1u64);
    while !ok(hi) {
        hi *= 2;
        if hi > 100_000 {
            return None;
        }
    }
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if ok(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

/// 2×2 table of a binary call by the reference lab (rows) and the test lab (columns).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct TwoByTwo {
    pub both_positive: u64,
    pub reference_only: u64,
    pub test_only: u64,
    pub both_negative: u64,
}

impl TwoByTwo {
    pub fn add(&mut self, reference: bool, test: bool) {
        match (reference, test) {
            (true, true) => self.both_positive += 1,
            (true, false) => self.reference_only += 1,
            (false, true) => self.test_only += 1,
            (false, false) => self.both_negative += 1,
        }
    }
    pub fn merge(&mut self, o: &TwoByTwo) {
        self.both_positive += o.both_positive;
        self.reference_only += o.reference_only;
        self.test_only += o.test_only;
        self.both_negative += o.both_negative;
    }
    pub fn total(&self) -> u64 {
        self.both_positive + self.reference_only + self.test_only + self.both_negative
    }
    /// Positive percent agreement: test positives among reference positives.
    pub fn ppa(&self) -> Proportion {
        Proportion::new(self.both_positive, self.both_positive + self.reference_only)
    }
    /// Negative percent agreement: test negatives among reference negatives.
    pub fn npa(&self) -> Proportion {
        Proportion::new(self.both_negative, self.both_negative + self.test_only)
    }
    /// Positive predictive value of the test lab's positives.
    pub fn ppv(&self) -> Proportion {
        Proportion::new(self.both_positive, self.both_positive + self.test_only)
    }
    pub fn overall(&self) -> Proportion {
        Proportion::new(self.both_positive + self.both_negative, self.total())
    }
    /// Cohen's kappa; None without observations or when chance agreement is total (every call
    /// the same category in both labs, where kappa is undefined).
    pub fn kappa(&self) -> Option<f64> {
        let n = self.total() as f64;
        if n == 0.0 {
            return None;
        }
        let po = (self.both_positive + self.both_negative) as f64 / n;
        let ref_pos = (self.both_positive + self.reference_only) as f64 / n;
        let test_pos = (self.both_positive + self.test_only) as f64 / n;
        let pe = ref_pos * test_pos + (1.0 - ref_pos) * (1.0 - test_pos);
        (pe < 1.0).then(|| (po - pe) / (1.0 - pe))
    }
}

/// Agreement of paired VAFs (reference lab x, test lab y).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VafAgreement {
    pub n: usize,
    pub pearson: Option<f64>,
    /// Lin's concordance correlation coefficient: penalises bias as well as scatter.
    pub lin_ccc: Option<f64>,
    /// Mean of test − reference.
    pub mean_difference: Option<f64>,
    pub sd_difference: Option<f64>,
    /// Bland-Altman 95% limits of agreement (mean ± 1.96 SD).
    pub lower_limit: Option<f64>,
    pub upper_limit: Option<f64>,
    /// Pairs whose VAFs differ by more than 0.10 absolute (the CAP proficiency window).
    pub outside_10_percent: usize,
}

pub fn vaf_agreement(pairs: &[(f64, f64)]) -> VafAgreement {
    let n = pairs.len();
    let mut out = VafAgreement {
        n,
        outside_10_percent: pairs
            .iter()
            .filter(|(x, y)| (y - x).abs() > 0.10 + 1e-9)
            .count(),
        ..Default::default()
    };
    if n == 0 {
        return out;
    }
    let nf = n as f64;
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / nf;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / nf;
    // population moments, as in Lin (1989)
    let sxx = pairs.iter().map(|p| (p.0 - mx).powi(2)).sum::<f64>() / nf;
    let syy = pairs.iter().map(|p| (p.1 - my).powi(2)).sum::<f64>() / nf;
    let sxy = pairs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>() / nf;
    if n >= 2 && sxx > 0.0 && syy > 0.0 {
        out.pearson = Some(sxy / (sxx * syy).sqrt());
    }
    let denom = sxx + syy + (mx - my).powi(2);
    if n >= 2 && denom > 0.0 {
        out.lin_ccc = Some(2.0 * sxy / denom);
    }
    let diffs: Vec<f64> = pairs.iter().map(|p| p.1 - p.0).collect();
    let md = diffs.iter().sum::<f64>() / nf;
    out.mean_difference = Some(md);
    if n >= 2 {
        let sd = (diffs.iter().map(|d| (d - md).powi(2)).sum::<f64>() / (nf - 1.0)).sqrt();
        out.sd_difference = Some(sd);
        out.lower_limit = Some(md - Z95 * sd);
        out.upper_limit = Some(md + Z95 * sd);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() < tol
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998) example: 81/263 -> 0.2553 to 0.3662
        let (lo, hi) = wilson(81, 263).unwrap();
        assert!(
            close(lo, 0.2553, 1e-4) && close(hi, 0.3662, 1e-4),
            "{lo} {hi}"
        );
        // all successes: lower bound n/(n+z^2)
        let (lo, hi) = wilson(59, 59).unwrap();
        assert!(close(lo, 59.0 / (59.0 + Z95 * Z95), 1e-12));
        assert_eq!(hi, 1.0);
        assert!(wilson(0, 0).is_none());
        assert_eq!(Proportion::new(0, 0).estimate, None);
    }

    #[test]
    fn more_needed_reaches_the_target_and_no_sooner() {
        let k = more_needed(20, 20, 0.90).unwrap();
        assert!(wilson(20 + k, 20 + k).unwrap().0 >= 0.90);
        assert!(wilson(20 + k - 1, 20 + k - 1).unwrap().0 < 0.90);
        // n/(n+z^2) >= 0.9  <=>  n >= 34.6
        assert_eq!(20 + k, 35);
        assert_eq!(more_needed(100, 100, 0.90), Some(0));
        assert_eq!(more_needed(5, 10, 1.0), None);
    }

    #[test]
    fn kappa_of_known_tables() {
        // Cohen's textbook table: po = 0.7, pe = 0.5 -> 0.4
        let t = TwoByTwo {
            both_positive: 20,
            reference_only: 5,
            test_only: 10,
            both_negative: 15,
        };
        assert!(close(t.kappa().unwrap(), 0.4, 1e-12));
        assert!(close(t.ppa().estimate.unwrap(), 0.8, 1e-12));
        assert!(close(t.npa().estimate.unwrap(), 0.6, 1e-12));
        let all_neg = TwoByTwo {
            both_negative: 9,
            ..Default::default()
        };
        assert_eq!(all_neg.kappa(), None);
        assert_eq!(all_neg.ppa().estimate, None);
    }

    #[test]
    fn vaf_agreement_detects_bias() {
        let same: Vec<(f64, f64)> = [0.05, 0.1, 0.3, 0.5].iter().map(|&x| (x, x)).collect();
        let a = vaf_agreement(&same);
        assert!(close(a.pearson.unwrap(), 1.0, 1e-12));
        assert!(close(a.lin_ccc.unwrap(), 1.0, 1e-12));
        assert_eq!(a.mean_difference, Some(0.0));
        // a constant offset keeps Pearson at 1 but lowers Lin's CCC
        let shifted: Vec<(f64, f64)> = same.iter().map(|&(x, _)| (x, x + 0.1)).collect();
        let b = vaf_agreement(&shifted);
        assert!(close(b.pearson.unwrap(), 1.0, 1e-12));
        assert!(b.lin_ccc.unwrap() < 0.9);
        assert!(close(b.mean_difference.unwrap(), 0.1, 1e-12));
        assert!(close(b.sd_difference.unwrap(), 0.0, 1e-12));
        assert_eq!(b.outside_10_percent, 0);
        assert_eq!(vaf_agreement(&[]).n, 0);
    }
}
