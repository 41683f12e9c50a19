//! Filters: each names one reason a candidate may be an artefact. Failing calls keep every reason
//! they failed and stay in the VCF and report; nothing is dropped silently.
use super::model::{strand_bias_p, Thresholds};
use crate::model::{PonSite, SmallVariant, VariantKind};

/// Filter IDs and their VCF header descriptions, in the order they are checked.
pub const FILTERS: &[(&str, &str)] = &[
    ("min_alt", "Fewer alt fragments than the minimum"),
    ("min_vaf", "Variant allele fraction below the minimum"),
    (
        "low_qual",
        "QUAL (Phred p-value against the site's error rate) below the minimum",
    ),
    (
        "strand_bias",
        "Alt reads almost all on one strand while reference reads are not (Fisher p < 0.001)",
    ),
    (
        "read_position",
        "Alt allele seen only near read ends (median distance < 5 bases)",
    ),
    ("low_mapq", "Median mapping quality of alt reads below 30"),
    (
        "low_base_quality",
        "Median base quality of alt bases below 20",
    ),
    (
        "repeat",
        "Indel in a homopolymer/tandem repeat of >= 8 bases at VAF < 20%",
    ),
    (
        "panel_of_normals",
        "Allele recurs at low fraction in >= 2 normals of the panel of normals and this VAF is not above 3x the highest of theirs",
    ),
];

/// Settings the filters use beyond the calling thresholds.
pub const MIN_MEDIAN_MAPQ: u8 = 30;
pub const MIN_MEDIAN_BQ: u8 = 20;
pub const MIN_MEDIAN_READ_POSITION: u32 = 5;
pub const REPEAT_LENGTH: u32 = 8;
pub const REPEAT_MAX_VAF: f64 = 0.2;

/// The filters `v` fails; `pon` is its allele's entry in the panel of normals, if any.
pub fn evaluate(v: &SmallVariant, t: &Thresholds, pon: Option<&PonSite>) -> Vec<String> {
    let mut f = Vec::new();
    let mut add = |name: &str, failed: bool| {
        if failed {
            f.push(name.to_string());
        }
    };
    add("min_alt", v.alt_fragments < t.min_alt_fragments);
    add("min_vaf", v.vaf < t.min_vaf);
    add("low_qual", v.qual < t.min_qual);
    let alt = v.alt_forward + v.alt_reverse;
    let minor = v.alt_forward.min(v.alt_reverse);
    let ref_minor = v.ref_forward.min(v.ref_reverse);
    let ref_total = v.ref_forward + v.ref_reverse;
    add(
        "strand_bias",
        alt >= 4
            && (minor as f64) < 0.1 * alt as f64
            && ref_total > 0
            && (ref_minor as f64) >= 0.2 * ref_total as f64
            && strand_bias_p(v.ref_forward, v.ref_reverse, v.alt_forward, v.alt_reverse) < 1e-3,
    );
    add(
        "read_position",
        v.median_alt_read_position < MIN_MEDIAN_READ_POSITION,
    );
    add("low_mapq", v.median_alt_mapq < MIN_MEDIAN_MAPQ);
    add(
        "low_base_quality",
        !v.kind.is_indel() && v.median_alt_base_quality < MIN_MEDIAN_BQ,
    );
    // polymerase slippage makes pure indels in runs; substitutions and complex changes are not its
    // signature (their error rates are modelled directly)
    let slippage_prone = matches!(v.kind, VariantKind::Insertion | VariantKind::Deletion);
    add(
        "repeat",
        slippage_prone && v.repeat_length >= REPEAT_LENGTH && v.vaf < REPEAT_MAX_VAF,
    );
    add(
        "panel_of_normals",
        pon.is_some_and(|s| super::pon::is_artefact(v, s)),
    );
    f
}

/// `likely_germline` when the allele fraction is what a constitutional heterozygous or homozygous
/// variant gives (near 50% or 100%) with enough depth to say so; `unknown` otherwise. Blast
/// percentage can put a clonal somatic variant near 50% too, so this is a label, never a filter.
pub fn origin(v: &SmallVariant) -> String {
    let germline = v.depth >= 20 && ((0.35..=0.65).contains(&v.vaf) || v.vaf >= 0.9);
    if germline {
        "likely_germline".into()
    } else {
        "unknown".into()
    }
}

/// Median of small samples (0 when empty).
pub fn median<T: Copy + Ord + Default>(v: &[T]) -> T {
    if v.is_empty() {
        return T::default();
    }
    let mut s = v.to_vec();
    s.sort_unstable();
    s[s.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> SmallVariant {
        SmallVariant {
            id: "chr12:25245350:C:T".into(),
            chrom: "chr12".into(),
            pos: 25245350,
            reference: "C".into(),
            alt: "T".into(),
            kind: VariantKind::Snv,
            depth: 1000,
            ref_fragments: 950,
            alt_fragments: 50,
            vaf: 0.05,
            alt_forward: 30,
            alt_reverse: 28,
            ref_forward: 600,
            ref_reverse: 580,
            qual: 400.0,
            error_rate: 1e-4,
            median_alt_base_quality: 36,
            median_alt_mapq: 60,
            median_alt_read_position: 40,
            repeat_length: 0,
            filters: vec![],
            origin: "unknown".into(),
            source: "pileup".into(),
        }
    }

    #[test]
    fn a_clean_call_passes_and_each_artefact_is_named() {
        let t = Thresholds::default();
        assert!(evaluate(&good(), &t, None).is_empty());
        let mut v = good();
        v.alt_reverse = 0;
        assert_eq!(evaluate(&v, &t, None), vec!["strand_bias"]);
        let mut v = good();
        v.median_alt_read_position = 2;
        v.median_alt_mapq = 21;
        assert_eq!(evaluate(&v, &t, None), vec!["read_position", "low_mapq"]);
        let mut v = good();
        v.kind = VariantKind::Deletion;
        v.repeat_length = 10;
        v.median_alt_base_quality = 5; // indels are not judged on base quality
        assert_eq!(evaluate(&v, &t, None), vec!["repeat"]);
        let mut v = good();
        v.alt_fragments = 2;
        v.vaf = 0.002;
        v.qual = 12.0;
        assert_eq!(
            evaluate(&v, &t, None),
            vec!["min_alt", "min_vaf", "low_qual"]
        );
    }

    #[test]
    fn germline_is_a_label() {
        let mut v = good();
        v.vaf = 0.48;
        assert_eq!(origin(&v), "likely_germline");
        assert!(evaluate(&v, &Thresholds::default(), None).is_empty());
        assert_eq!(origin(&good()), "unknown");
    }
}
