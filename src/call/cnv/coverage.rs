//! Depth per capture target, normalised the same way for the normals and for the sample: log2 of
//! the depth over the sample's median, male chrX scaled to two copies, then the sample's own GC
//! trend removed (capture efficiency depends on GC, and that dependence changes from run to run).
use crate::error::{Error, Result};
use crate::ingest::build::{canonical, resolve_contig};
use crate::ingest::Reference;
use crate::model::Region;
use crate::qc::SampleQc;
use crate::util::median_f64;

/// log2 ratio given to a target with no reads at all (a 64-fold loss): finite, so it still counts
/// as the strongest evidence of homozygous loss.
pub const FLOOR: f64 = -6.0;

/// PAR1 on GRCh38 chrX (two copies in both sexes).
const PAR1_END: u64 = 2_781_479;

/// Where a target sits, for the copy expectations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetClass {
    Autosome,
    /// chrX outside PAR1: one copy in males.
    XNonPar,
    /// Y, mitochondria and other contigs: not used.
    Other,
}

pub fn classify(t: &Region) -> TargetClass {
    match canonical(&t.chrom) {
        "X" if t.start >= PAR1_END => TargetClass::XNonPar,
        // PAR1 behaves as an autosome
        "X" => TargetClass::Autosome,
        "Y" | "MT" | "M" => TargetClass::Other,
        c if c.parse::<u32>().is_ok() => TargetClass::Autosome,
        _ => TargetClass::Other,
    }
}

/// GC fraction of every bin (N bases ignored), in the given order.
pub fn target_gc(targets: &[Region], reference: &Reference) -> Result<Vec<f64>> {
    let names: Vec<String> = reference.contigs.iter().map(|(n, _)| n.clone()).collect();
    targets
        .iter()
        .map(|t| {
            let name = resolve_contig(&t.chrom, &names).ok_or_else(|| Error::Reference {
                path: reference.path.clone(),
                reason: format!("panel contig {} is missing from the reference", t.chrom),
            })?;
            let seq = reference.fetch(name, t.start, t.end)?;
            let gc = seq
                .iter()
                .filter(|b| matches!(b, b'G' | b'C' | b'g' | b'c'))
                .count();
            let acgt = seq
                .iter()
                .filter(|b| matches!(b.to_ascii_uppercase(), b'A' | b'C' | b'G' | b'T'))
                .count();
            Ok(if acgt == 0 {
                0.5
            } else {
                gc as f64 / acgt as f64
            })
        })
        .collect()
}

/// Mean depth of every copy-number bin ([`crate::panel::Panel::cnv_bins`]), read off the QC
/// (which counts each fragment once where mates overlap and excludes duplicates).
pub fn bin_depths(qc: &SampleQc) -> Vec<f64> {
    qc.cnv_bins.clone()
}

/// log2 of each depth over the median depth of covered autosomal targets. None when no autosomal
/// target has reads.
pub fn centred_log2(depths: &[f64], class: &[TargetClass]) -> Option<Vec<f64>> {
    let m = median_f64(
        depths
            .iter()
            .zip(class)
            .filter(|(d, c)| **d > 0.0 && **c == TargetClass::Autosome)
            .map(|(d, _)| *d),
    )?;
    Some(
        depths
            .iter()
            .map(|d| {
                if *d <= 0.0 {
                    FLOOR
                } else {
                    (d / m).log2().max(FLOOR)
                }
            })
            .collect(),
    )
}

/// `M` when chrX outside PAR1 reads about half the autosomal depth, else `F`; None without chrX
/// targets.
pub fn infer_sex(log2: &[f64], class: &[TargetClass]) -> Option<char> {
    let x = median_f64(
        log2.iter()
            .zip(class)
            .filter(|(_, c)| **c == TargetClass::XNonPar)
            .map(|(l, _)| *l),
    )?;
    Some(if x < -0.5 { 'M' } else { 'F' })
}

/// Express male chrX (outside PAR1) per two copies, like every other target.
pub fn scale_male_x(log2: &mut [f64], class: &[TargetClass]) {
    for (l, c) in log2.iter_mut().zip(class) {
        if *c == TargetClass::XNonPar && *l > FLOOR {
            *l += 1.0;
        }
    }
}

/// The GC trend of `values` over the `used` bins: a quadratic in GC fitted by iteratively
/// reweighted least squares (Huber weights), so exons far out in GC (CpG-island first exons) get
/// a trend extrapolated from the curve instead of a flat edge; GC is clamped to the 1st-99th
/// percentile of the fitted bins. Subtract it to remove the bias.
pub fn gc_trend(values: &[f64], gc: &[f64], used: &[bool]) -> Vec<f64> {
    let pts: Vec<(f64, f64)> = values
        .iter()
        .zip(gc)
        .zip(used)
        .filter(|((v, _), u)| **u && v.is_finite() && **v > FLOOR)
        .map(|((v, g), _)| (*g, *v))
        .collect();
    if pts.len() < 10 {
        return vec![0.0; gc.len()];
    }
    let mut gs: Vec<f64> = pts.iter().map(|p| p.0).collect();
    gs.sort_by(f64::total_cmp);
    let (lo, hi) = (gs[gs.len() / 100], gs[gs.len() - 1 - gs.len() / 100]);
    let centre = (lo + hi) / 2.0;
    let mut weights = vec![1.0; pts.len()];
    let mut coef = [0.0; 3];
    for _ in 0..6 {
        // normal equations of weighted least squares in (1, x, x^2), x centred for conditioning
        let mut a = [[0.0f64; 3]; 3];
        let mut b = [0.0f64; 3];
        for ((g, v), w) in pts.iter().zip(&weights) {
            let x = g - centre;
            let basis = [1.0, x, x * x];
            for r in 0..3 {
                b[r] += w * basis[r] * v;
                for c in 0..3 {
                    a[r][c] += w * basis[r] * basis[c];
                }
            }
        }
        let Some(sol) = solve3(a, b) else {
            return vec![0.0; gc.len()];
        };
        coef = sol;
        let resid: Vec<f64> = pts
            .iter()
            .map(|(g, v)| {
                let x = g - centre;
                v - (coef[0] + coef[1] * x + coef[2] * x * x)
            })
            .collect();
        let scale = crate::util::robust_sd(&resid).unwrap_or(1.0).max(1e-6);
        let k = 1.345 * scale;
        weights = resid
            .iter()
            .map(|r| if r.abs() <= k { 1.0 } else { k / r.abs() })
            .collect();
    }
    gc.iter()
        .map(|&g| {
            let x = g.clamp(lo, hi) - centre;
            coef[0] + coef[1] * x + coef[2] * x * x
        })
        .collect()
}

/// Solve a 3x3 linear system by Gaussian elimination with partial pivoting.
fn solve3(mut a: [[f64; 3]; 3], mut b: [f64; 3]) -> Option<[f64; 3]> {
    for col in 0..3 {
        let piv = (col..3).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        let pivot_row = a[col];
        for r in col + 1..3 {
            let f = a[r][col] / pivot_row[col];
            for (x, p) in a[r].iter_mut().zip(pivot_row).skip(col) {
                *x -= f * p;
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = [0.0; 3];
    for r in (0..3).rev() {
        let s: f64 = (r + 1..3).map(|c| a[r][c] * x[c]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}

/// Remove the GC trend fitted on the covered targets of the given classes.
pub fn gc_correct(log2: &mut [f64], gc: &[f64], used: &[bool]) {
    let trend = gc_trend(log2, gc, used);
    for (l, t) in log2.iter_mut().zip(trend) {
        if *l > FLOOR {
            *l -= t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gc_trend_follows_a_curved_bias_despite_outliers() {
        // a curved bias, plus 10% of bins carrying a real deletion (-1) the fit must ignore
        let gc: Vec<f64> = (0..400).map(|i| 0.3 + 0.4 * i as f64 / 400.0).collect();
        let bias = |g: f64| 2.0 * (g - 0.5) - 3.0 * (g - 0.5) * (g - 0.5);
        let mut v: Vec<f64> = gc
            .iter()
            .enumerate()
            .map(|(i, g)| bias(*g) - if i % 10 == 0 { 1.0 } else { 0.0 })
            .collect();
        let used = vec![true; v.len()];
        gc_correct(&mut v, &gc, &used);
        let worst = v
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 10 != 0)
            .fold(0.0f64, |a, (_, x)| a.max(x.abs()));
        assert!(worst < 0.02, "residual GC bias {worst}");
        assert!(
            v.iter().step_by(10).all(|x| (x + 1.0).abs() < 0.05),
            "deletions kept"
        );
    }

    #[test]
    fn zero_depth_is_the_floor_and_males_are_inferred() {
        let class = [
            TargetClass::Autosome,
            TargetClass::Autosome,
            TargetClass::Autosome,
            TargetClass::XNonPar,
            TargetClass::XNonPar,
        ];
        let l = centred_log2(&[100.0, 0.0, 100.0, 50.0, 52.0], &class).unwrap();
        assert_eq!(l[1], FLOOR);
        assert!((l[0]).abs() < 1e-9);
        assert_eq!(infer_sex(&l, &class), Some('M'));
        let mut l2 = l.clone();
        scale_male_x(&mut l2, &class);
        assert!(l2[3].abs() < 0.01);
    }

    #[test]
    fn par1_counts_as_autosome() {
        let r = |chrom: &str, start| Region {
            chrom: chrom.into(),
            start,
            end: start + 100,
            name: String::new(),
        };
        assert_eq!(classify(&r("chrX", 1_190_000)), TargetClass::Autosome);
        assert_eq!(classify(&r("chrX", 40_000_000)), TargetClass::XNonPar);
        assert_eq!(classify(&r("7", 50_000_000)), TargetClass::Autosome);
        assert_eq!(classify(&r("chrM", 100)), TargetClass::Other);
    }
}
