//! Hardy-Weinberg exact test (Wigginton, Cutler & Abecasis 2005) for a biallelic locus. The exact
//! test rather than chi-square because variant alleles are rare (a handful of heterozygotes, often
//! no homozygote), where the chi-square approximation is badly off.

/// Two-sided p-value: the probability, given the allele counts, of a heterozygote count at least
/// as unlikely as the one observed. None without genotypes.
pub fn exact_p(hom_ref: u64, het: u64, hom_alt: u64) -> Option<f64> {
    let n = hom_ref + het + hom_alt;
    if n == 0 {
        return None;
    }
    let rare = (2 * hom_alt + het).min(2 * hom_ref + het);
    if rare == 0 {
        return Some(1.0);
    }
    // heterozygote counts with the parity of the rare-allele count, up to `rare`
    let mut probs = vec![0.0f64; rare as usize + 1];
    let mut mid = rare * (2 * n - rare) / (2 * n);
    if mid % 2 != rare % 2 {
        mid += 1;
    }
    let mid = mid.min(rare);
    probs[mid as usize] = 1.0;
    // down: P(h-2)/P(h) = h(h-1) / (4 (homRare+1)(homCommon+1)) with the counts at h
    let mut h = mid;
    while h >= 2 {
        let hom_rare = (rare - h) / 2;
        let hom_common = n - h - hom_rare;
        probs[h as usize - 2] = probs[h as usize] * (h * (h - 1)) as f64
            / (4.0 * (hom_rare + 1) as f64 * (hom_common + 1) as f64);
        h -= 2;
    }
    // up: P(h+2)/P(h) = 4 homRare homCommon / ((h+2)(h+1))
    let mut h = mid;
    while h + 2 <= rare {
        let hom_rare = (rare - h) / 2;
        let hom_common = n - h - hom_rare;
        probs[h as usize + 2] = probs[h as usize] * 4.0 * hom_rare as f64 * hom_common as f64
            / ((h + 2) * (h + 1)) as f64;
        h += 2;
    }
    let total: f64 = probs.iter().sum();
    let observed = probs.get(het as usize).copied().unwrap_or(0.0);
    let p: f64 = probs
        .iter()
        .filter(|&&q| q > 0.0 && q <= observed * (1.0 + 1e-7))
        .sum();
    Some((p / total).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// P(het = h | n, rare) from the closed form, with log-factorials: an independent check of the
    /// recurrence.
    fn direct(n: u64, rare: u64, observed_het: u64) -> f64 {
        let lf = |x: u64| statrs::function::gamma::ln_gamma(x as f64 + 1.0);
        let prob = |h: u64| {
            let hom_rare = (rare - h) / 2;
            let hom_common = n - h - hom_rare;
            (lf(n) - lf(hom_rare) - lf(h) - lf(hom_common)
                + h as f64 * 2f64.ln()
                + lf(rare)
                + lf(2 * n - rare)
                - lf(2 * n))
            .exp()
        };
        let hs: Vec<u64> = (0..=rare).filter(|h| h % 2 == rare % 2).collect();
        let obs = prob(observed_het);
        hs.iter()
            .map(|&h| prob(h))
            .filter(|&q| q <= obs * (1.0 + 1e-7))
            .sum()
    }

    #[test]
    fn matches_the_closed_form() {
        for (aa, ab, bb) in [
            (90, 10, 0),
            (88, 10, 2),
            (50, 0, 50),
            (57, 14, 1),
            (10, 30, 10),
            (3, 1, 0),
        ] {
            let n = aa + ab + bb;
            let rare = (2 * bb + ab).min(2 * aa + ab);
            let got = exact_p(aa, ab, bb).unwrap();
            let want = direct(n, rare, ab);
            assert!((got - want).abs() < 1e-9, "{aa}/{ab}/{bb}: {got} vs {want}");
        }
    }

    #[test]
    fn equilibrium_and_departure() {
        // 81/18/1 is the expectation at q = 0.1
        assert!(exact_p(81, 18, 1).unwrap() > 0.5);
        // no heterozygotes with both homozygotes common: far from equilibrium
        assert!(exact_p(50, 0, 50).unwrap() < 1e-20);
        // excess of rare homozygotes
        assert!(exact_p(90, 2, 8).unwrap() < 1e-5);
        assert_eq!(exact_p(40, 0, 0), Some(1.0));
        assert_eq!(exact_p(0, 0, 0), None);
    }
}
