//! Small-variant artefacts learnt from a panel of normals. Some alleles recur at a low fraction in
//! every sample of an assay (a capture probe's PCR error, a sequence-context error that base
//! qualities do not show); the binomial model with a base-quality error rate calls them in every
//! leukaemia too. The normals of the same assay measure each such allele's rate: the caller then
//! scores the sample against that rate, and flags a call no stronger than the normals' own.
use super::model;
use crate::model::{PanelOfNormals, PonSite, SmallVariant};
use std::collections::HashMap;

/// In a normal, an allele at or above this fraction is constitutional (a germline SNP of that
/// person), not an artefact of the assay.
pub const GERMLINE_VAF: f64 = 0.3;
/// An artefact must be seen in at least this many normals.
pub const MIN_NORMALS: u32 = 2;
/// And the normals' pooled alt count must be this unlikely (Phred) under the model's own error
/// rate. A panel has some 250,000 possible alleles, so a looser bar keeps chance coincidences (two
/// errors in each of two normals): each would raise that allele's rate for every later sample.
pub const MIN_POOLED_QUAL: f64 = 60.0;
/// A sample's call is flagged `panel_of_normals` unless its VAF is above this multiple of the
/// highest VAF any normal showed.
pub const ABOVE_NORMALS: f64 = 3.0;

/// The artefact sites of one panel of normals, by allele id, with the number of normals they were
/// counted over.
#[derive(Debug, Clone, Default)]
pub struct ArtefactSites {
    normals: u32,
    sites: HashMap<String, PonSite>,
}

impl ArtefactSites {
    pub fn from_pon(pon: &PanelOfNormals) -> Self {
        ArtefactSites {
            normals: pon.samples.len() as u32,
            sites: pon
                .sites
                .iter()
                .map(|s| (s.id.clone(), s.clone()))
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.sites.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&PonSite> {
        self.sites.get(id)
    }

    /// The allele's mean fraction over all normals (those without it count as zero at the
    /// carriers' mean depth): the rate the sample is scored against.
    pub fn rate(&self, site: &PonSite) -> f64 {
        let carriers = site.normals.max(1) as f64;
        let depth = site.depth as f64 * self.normals.max(site.normals) as f64 / carriers;
        if depth <= 0.0 {
            return 0.0;
        }
        (site.alt_fragments as f64 / depth).min(1.0)
    }
}

/// True when a sample's call is no stronger than the allele already is in the normals.
pub fn is_artefact(v: &SmallVariant, site: &PonSite) -> bool {
    site.normals >= MIN_NORMALS && v.vaf < ABOVE_NORMALS * site.max_vaf
}

/// The recurrent artefacts among the normals' candidate calls (every candidate with at least two
/// alt fragments, whatever its filters), sorted by id.
pub fn collect(per_normal: &[Vec<SmallVariant>]) -> Vec<PonSite> {
    struct Acc {
        normals: u32,
        alt: u64,
        depth: u64,
        max_vaf: f64,
        error: f64,
    }
    let mut acc: HashMap<&str, Acc> = HashMap::new();
    for calls in per_normal {
        for v in calls
            .iter()
            .filter(|v| v.alt_fragments >= 2 && v.vaf < GERMLINE_VAF)
        {
            let a = acc.entry(v.id.as_str()).or_insert(Acc {
                normals: 0,
                alt: 0,
                depth: 0,
                max_vaf: 0.0,
                error: 0.0,
            });
            a.normals += 1;
            a.alt += v.alt_fragments as u64;
            a.depth += v.depth as u64;
            a.max_vaf = a.max_vaf.max(v.vaf);
            a.error = a.error.max(v.error_rate);
        }
    }
    let n = per_normal.len().max(1) as u64;
    let mut sites: Vec<PonSite> = acc
        .into_iter()
        .filter(|(_, a)| {
            // pooled over every normal, not only those that happened to show it
            let total = a.depth * n / a.normals as u64;
            a.normals >= MIN_NORMALS
                && model::qual(
                    a.alt.min(u32::MAX as u64) as u32,
                    total.min(u32::MAX as u64) as u32,
                    a.error,
                ) >= MIN_POOLED_QUAL
        })
        .map(|(id, a)| PonSite {
            id: id.to_string(),
            normals: a.normals,
            alt_fragments: a.alt,
            depth: a.depth,
            max_vaf: a.max_vaf,
        })
        .collect();
    sites.sort_by(|a, b| a.id.cmp(&b.id));
    sites
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::VariantKind;

    fn cand(id: &str, alt: u32, depth: u32) -> SmallVariant {
        SmallVariant {
            id: id.into(),
            chrom: "chr12".into(),
            pos: 100,
            reference: "C".into(),
            alt: "A".into(),
            kind: VariantKind::Snv,
            depth,
            ref_fragments: depth - alt,
            alt_fragments: alt,
            vaf: alt as f64 / depth as f64,
            alt_forward: alt / 2,
            alt_reverse: alt - alt / 2,
            ref_forward: 0,
            ref_reverse: 0,
            qual: 0.0,
            error_rate: 1e-4,
            median_alt_base_quality: 35,
            median_alt_mapq: 60,
            median_alt_read_position: 40,
            repeat_length: 0,
            filters: vec![],
            origin: String::new(),
            source: "pileup".into(),
        }
    }

    #[test]
    fn recurrent_low_fraction_alleles_become_sites_and_noise_does_not() {
        let art = "chr12:100:C:A";
        let mut normals: Vec<Vec<SmallVariant>> = (0..10)
            .map(|_| vec![cand(art, 6, 1000)]) // 0.6% in every normal
            .collect();
        // two random errors in two normals: expected somewhere, not an artefact
        normals[0].push(cand("chr12:200:G:T", 2, 1000));
        normals[1].push(cand("chr12:200:G:T", 2, 1000));
        // a germline SNP of two normals
        normals[2].push(cand("chr12:300:A:G", 480, 1000));
        normals[3].push(cand("chr12:300:A:G", 500, 1000));
        // once only
        normals[4].push(cand("chr12:400:T:C", 30, 1000));
        let sites = collect(&normals);
        assert_eq!(sites.len(), 1, "{sites:?}");
        let s = &sites[0];
        assert_eq!(
            (s.id.as_str(), s.normals, s.alt_fragments, s.depth),
            (art, 10, 60, 10000)
        );
        assert!((s.max_vaf - 0.006).abs() < 1e-9);
    }

    #[test]
    fn the_rate_counts_normals_without_the_allele() {
        let site = PonSite {
            id: "chr12:100:C:A".into(),
            normals: 5,
            alt_fragments: 25,
            depth: 5000,
            max_vaf: 0.008,
        };
        let a = ArtefactSites {
            normals: 10,
            sites: [(site.id.clone(), site.clone())].into(),
        };
        // 25 alt fragments over 10 normals of ~1000x
        assert!((a.rate(&site) - 0.0025).abs() < 1e-12);
        // 1% in the sample is not above 3 x 0.8%: flagged; 5% is a real clone
        assert!(is_artefact(&cand("x", 10, 1000), &site));
        assert!(!is_artefact(&cand("x", 50, 1000), &site));
    }
}
