//! The small-variant section: which calls are comparable (reportable and adequately covered in both
//! labs), how they match, per class and VAF stratum, and for each discordant call what the other
//! lab saw at that place.
use super::small::{self, Allele, MatchKind, NormProblem, RefSeq};
use super::stats::{vaf_agreement, Proportion, VafAgreement};
use super::{vaf_bin, variant_class, LabInput, VAF_BINS};
use crate::model::{HotspotStatus, SmallVariant};
use crate::panel::Panel;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CompareRegions {
    /// Bases of the panel's reportable regions.
    pub reportable_bases: u64,
    /// Reportable bases covered adequately in both labs: the only place calls are compared.
    pub compared_bases: u64,
    pub excluded: Vec<ExcludedRegion>,
}

/// A stretch of reportable bases one lab covered below the panel's minimum depth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ExcludedRegion {
    pub chrom: String,
    pub start: u64,
    pub end: u64,
    pub name: String,
    /// `reference`, `test`.
    pub lab: String,
    pub mean_depth: f64,
}

/// A call with the evidence behind it, as one lab reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CallEvidence {
    pub id: String,
    /// After normalisation (what was matched).
    pub normalized: String,
    pub class: String,
    pub gene: Option<String>,
    pub hgvs_c: Option<String>,
    pub hgvs_p: Option<String>,
    pub depth: u32,
    pub alt_fragments: u32,
    pub vaf: f64,
    pub qual: f64,
    pub filters: Vec<String>,
    pub origin: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VariantMatch {
    pub kind: MatchKind,
    pub reference: Vec<CallEvidence>,
    pub test: Vec<CallEvidence>,
}

/// What the lab that did not call a variant saw there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OtherEvidence {
    /// The same change (or one overlapping it) that this lab filtered.
    pub filtered_call: Option<CallEvidence>,
    /// Passing calls of this lab within 5 bases: a different change or representation.
    pub nearby_calls: Vec<String>,
    /// This lab's genotype of a panel hotspot at the position.
    pub hotspot: Option<HotspotEvidence>,
    /// This lab's mean depth over the gene.
    pub gene_mean_depth: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HotspotEvidence {
    pub name: String,
    pub status: HotspotStatus,
    pub depth: u32,
    pub alt_fragments: u32,
    pub vaf: f64,
    pub limit_of_detection: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DiscordantCall {
    /// `reference` (the test lab missed it) or `test` (the reference lab does not confirm it).
    pub found_by: String,
    pub call: CallEvidence,
    pub other_lab: OtherEvidence,
    /// The likeliest reason, for the reviewer.
    pub explanation: String,
}

/// A passing call left out of the comparison, with why.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OutsideCall {
    pub lab: String,
    pub id: String,
    pub reason: String,
}

/// Counts of one variant class in one VAF stratum (`all` = every stratum). Each lab's calls are
/// binned by its own VAF.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Stratum {
    pub class: String,
    pub vaf_bin: String,
    pub reference_calls: u64,
    pub reference_matched: u64,
    pub test_calls: u64,
    pub test_matched: u64,
    pub ppa: Proportion,
    pub ppv: Proportion,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VafPoint {
    pub label: String,
    pub reference_vaf: f64,
    pub test_vaf: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SmallVariantComparison {
    /// How calls were matched (with or without the reference sequence).
    pub matching: String,
    pub strata: Vec<Stratum>,
    pub matches: Vec<VariantMatch>,
    pub discordant: Vec<DiscordantCall>,
    pub outside: Vec<OutsideCall>,
    /// Calls whose REF is not the reference's (compared as written).
    pub normalization_problems: Vec<String>,
    /// Clusters of nearby calls too large to enumerate (matched by position and alleles only).
    pub unresolved_clusters: usize,
    pub vaf: VafAgreement,
    pub vaf_points: Vec<VafPoint>,
}

/// Sorted, merged 0-based intervals per contig.
#[derive(Default)]
struct Intervals(std::collections::BTreeMap<String, Vec<(u64, u64)>>);

impl Intervals {
    fn from(iter: impl IntoIterator<Item = (String, u64, u64)>) -> Self {
        let mut m: std::collections::BTreeMap<String, Vec<(u64, u64)>> = Default::default();
        for (c, s, e) in iter {
            m.entry(c).or_default().push((s, e));
        }
        for v in m.values_mut() {
            v.sort_unstable();
            let mut merged: Vec<(u64, u64)> = Vec::with_capacity(v.len());
            for &(s, e) in v.iter() {
                match merged.last_mut() {
                    Some(l) if s <= l.1 => l.1 = l.1.max(e),
                    _ => merged.push((s, e)),
                }
            }
            *v = merged;
        }
        Intervals(m)
    }
    fn overlaps(&self, chrom: &str, s: u64, e: u64) -> bool {
        self.0
            .get(chrom)
            .is_some_and(|v| v.iter().any(|&(a, b)| a < e && s < b))
    }
    fn bases(&self) -> u64 {
        self.0.values().flatten().map(|(s, e)| e - s).sum()
    }
    fn intersection_bases(&self, o: &Intervals) -> u64 {
        let mut n = 0;
        for (c, v) in &self.0 {
            if let Some(w) = o.0.get(c) {
                for &(s, e) in v {
                    for &(a, b) in w {
                        n += e.min(b).saturating_sub(s.max(a));
                    }
                }
            }
        }
        n
    }
}

fn evidence(lab: &LabInput, v: &SmallVariant, normalized: &Allele) -> CallEvidence {
    let ann = lab
        .report()
        .and_then(|r| r.annotations.iter().find(|a| a.variant_id == v.id));
    CallEvidence {
        id: v.id.clone(),
        normalized: normalized.key(),
        class: variant_class(v).into(),
        gene: ann.and_then(|a| a.gene.clone()),
        hgvs_c: ann.and_then(|a| a.hgvs_c.clone()),
        hgvs_p: ann.and_then(|a| a.hgvs_p.clone()),
        depth: v.depth,
        alt_fragments: v.alt_fragments,
        vaf: v.vaf,
        qual: v.qual,
        filters: v.filters.clone(),
        origin: v.origin.clone(),
    }
}

fn allele(v: &SmallVariant) -> Allele {
    Allele::new(&v.chrom, v.pos, &v.reference, &v.alt)
}

pub(super) fn compare_small(
    reference: &LabInput,
    test: &LabInput,
    panel: &Panel,
    refseq: Option<&dyn RefSeq>,
    warnings: &mut Vec<String>,
) -> (SmallVariantComparison, CompareRegions) {
    let labs = [("reference", reference), ("test", test)];
    let reportable = Intervals::from(
        panel
            .reportable
            .iter()
            .map(|r| (r.chrom.clone(), r.start, r.end)),
    );
    let mut excluded = Vec::new();
    for (role, lab) in labs {
        match lab.report().map(|r| &r.qc.below_min_depth) {
            Some(Some(low)) => {
                for t in low {
                    if reportable.overlaps(&t.chrom, t.start, t.end) {
                        excluded.push(ExcludedRegion {
                            chrom: t.chrom.clone(),
                            start: t.start,
                            end: t.end,
                            name: t.name.clone(),
                            lab: role.into(),
                            mean_depth: t.mean_depth,
                        });
                    }
                }
            }
            Some(None) => warnings.push(format!(
                "the {role} report predates per-target coverage (schema < 0.6.1): all of its reportable regions count as covered"
            )),
            None => warnings.push(format!(
                "the {role} result is a VCF: no coverage information, all reportable regions count as covered and a missing call cannot be told from no coverage"
            )),
        }
    }
    let low = Intervals::from(excluded.iter().map(|e| (e.chrom.clone(), e.start, e.end)));
    let regions = CompareRegions {
        reportable_bases: reportable.bases(),
        compared_bases: reportable.bases() - reportable.intersection_bases(&low),
        excluded,
    };
    let scope = |v: &SmallVariant| -> Result<(), String> {
        let (s, e) = (v.pos - 1, v.end());
        if !reportable.overlaps(&v.chrom, s, e) {
            return Err("outside the panel's reportable regions".into());
        }
        if let Some(x) = regions
            .excluded
            .iter()
            .find(|x| x.chrom == v.chrom && x.start < e && s < x.end)
        {
            return Err(format!(
                "{} below the minimum depth in the {} lab (mean {:.0}x)",
                x.name, x.lab, x.mean_depth
            ));
        }
        Ok(())
    };

    let mut out = SmallVariantComparison {
        matching: if refseq.is_some() {
            "haplotype-aware, normalised against the reference FASTA"
        } else {
            "haplotype-aware where the calls' own bases cover the window (no reference FASTA: indels in repeats are compared as written)"
        }
        .into(),
        ..Default::default()
    };
    // per lab: in-scope passing calls and their normalised alleles
    let mut sides: Vec<(Vec<&SmallVariant>, Vec<Allele>)> = Vec::new();
    for (role, lab) in labs {
        let mut calls = Vec::new();
        let mut alleles = Vec::new();
        for v in lab.variants().iter().filter(|v| v.passes()) {
            if let Err(reason) = scope(v) {
                out.outside.push(OutsideCall {
                    lab: role.into(),
                    id: v.id.clone(),
                    reason,
                });
                continue;
            }
            let a = allele(v);
            let n = match small::normalize(&a, refseq) {
                Ok(n) => n,
                Err(NormProblem::RefMismatch { found }) => {
                    out.normalization_problems.push(format!(
                        "{role} {}: REF {} but the reference has {found}",
                        v.id, v.reference
                    ));
                    a
                }
                Err(NormProblem::Unavailable) => {
                    out.normalization_problems.push(format!(
                        "{role} {}: position not in the reference FASTA",
                        v.id
                    ));
                    a
                }
            };
            calls.push(v);
            alleles.push(n);
        }
        sides.push((calls, alleles));
    }
    let (ref_calls, ref_alleles) = &sides[0];
    let (test_calls, test_alleles) = &sides[1];
    let m = small::match_alleles(ref_alleles, test_alleles, refseq);
    out.unresolved_clusters = m.unresolved_clusters;

    let mut ref_matched = vec![false; ref_calls.len()];
    let mut test_matched = vec![false; test_calls.len()];
    for g in &m.groups {
        let kind = if g.kind == small::MatchKind::Exact
            && g.reference.len() == 1
            && ref_calls[g.reference[0]].id != test_calls[g.test[0]].id
        {
            MatchKind::Normalized
        } else {
            g.kind
        };
        let r: Vec<CallEvidence> = g
            .reference
            .iter()
            .map(|&i| {
                ref_matched[i] = true;
                evidence(reference, ref_calls[i], &ref_alleles[i])
            })
            .collect();
        let t: Vec<CallEvidence> = g
            .test
            .iter()
            .map(|&j| {
                test_matched[j] = true;
                evidence(test, test_calls[j], &test_alleles[j])
            })
            .collect();
        let mean = |x: &[CallEvidence]| x.iter().map(|c| c.vaf).sum::<f64>() / x.len() as f64;
        out.vaf_points.push(VafPoint {
            label: r
                .iter()
                .map(|c| match (&c.gene, &c.hgvs_p) {
                    (Some(gn), Some(p)) => format!("{gn} {p}"),
                    _ => c.id.clone(),
                })
                .collect::<Vec<_>>()
                .join(" + "),
            reference_vaf: mean(&r),
            test_vaf: mean(&t),
        });
        out.matches.push(VariantMatch {
            kind,
            reference: r,
            test: t,
        });
    }
    let pairs: Vec<(f64, f64)> = out
        .vaf_points
        .iter()
        .map(|p| (p.reference_vaf, p.test_vaf))
        .collect();
    out.vaf = vaf_agreement(&pairs);

    for (found_by, lab, other, calls, alleles, idx) in [
        (
            "reference",
            reference,
            test,
            ref_calls,
            ref_alleles,
            &m.reference_only,
        ),
        (
            "test",
            test,
            reference,
            test_calls,
            test_alleles,
            &m.test_only,
        ),
    ] {
        for &i in idx {
            let call = evidence(lab, calls[i], &alleles[i]);
            let other_ev =
                other_evidence(other, calls[i], &alleles[i], call.gene.as_deref(), refseq);
            let explanation = explain(found_by, &call, &other_ev);
            out.discordant.push(DiscordantCall {
                found_by: found_by.into(),
                call,
                other_lab: other_ev,
                explanation,
            });
        }
    }

    // strata: every class, per VAF bin and overall
    for class in ["snv", "mnv", "indel"] {
        for bin in VAF_BINS.iter().map(|b| b.1).chain(["all"]) {
            let count = |calls: &[&SmallVariant], matched: &[bool]| {
                let sel: Vec<bool> = calls
                    .iter()
                    .zip(matched)
                    .filter(|(v, _)| {
                        variant_class(v) == class && (bin == "all" || vaf_bin(v.vaf) == bin)
                    })
                    .map(|(_, &m)| m)
                    .collect();
                (sel.len() as u64, sel.iter().filter(|&&m| m).count() as u64)
            };
            let (rc, rm) = count(ref_calls, &ref_matched);
            let (tc, tm) = count(test_calls, &test_matched);
            if bin != "all" && rc == 0 && tc == 0 {
                continue;
            }
            out.strata.push(Stratum {
                class: class.into(),
                vaf_bin: bin.into(),
                reference_calls: rc,
                reference_matched: rm,
                test_calls: tc,
                test_matched: tm,
                ppa: Proportion::new(rm, rc),
                ppv: Proportion::new(tm, tc),
            });
        }
    }
    (out, regions)
}

fn other_evidence(
    other: &LabInput,
    v: &SmallVariant,
    normalized: &Allele,
    gene: Option<&str>,
    refseq: Option<&dyn RefSeq>,
) -> OtherEvidence {
    let (s, e) = (v.pos, v.end());
    let overlaps =
        |w: &SmallVariant, pad: u64| w.chrom == v.chrom && w.pos <= e + pad && s <= w.end() + pad;
    let same =
        |w: &SmallVariant| small::normalize(&allele(w), refseq).is_ok_and(|n| &n == normalized);
    let filtered = other.variants().iter().filter(|w| !w.passes());
    let filtered_call = filtered
        .clone()
        .find(|w| same(w))
        .or_else(|| filtered.clone().find(|w| overlaps(w, 0)))
        .map(|w| evidence(other, w, &allele(w)));
    let nearby_calls = other
        .variants()
        .iter()
        .filter(|w| w.passes() && overlaps(w, 5))
        .map(|w| w.id.clone())
        .collect();
    let report = other.report();
    let hotspot = report.and_then(|r| {
        r.hotspots
            .iter()
            .find(|h| h.chrom == v.chrom && h.start <= e && s <= h.end)
            .map(|h| HotspotEvidence {
                name: format!("{} {}", h.gene, h.name),
                status: h.status,
                depth: h.depth,
                alt_fragments: h.alt_fragments,
                vaf: h.vaf,
                limit_of_detection: h.limit_of_detection,
            })
    });
    let gene_mean_depth = report.and_then(|r| {
        let g = gene?;
        r.qc.genes
            .iter()
            .find(|x| x.gene == g)
            .map(|x| x.mean_depth)
    });
    OtherEvidence {
        filtered_call,
        nearby_calls,
        hotspot,
        gene_mean_depth,
    }
}

fn explain(found_by: &str, call: &CallEvidence, o: &OtherEvidence) -> String {
    let other = super::other_lab(found_by);
    let pct = |x: f64| format!("{:.1}%", 100.0 * x);
    if let Some(f) = &o.filtered_call {
        return format!(
            "the {other} lab saw {} ({} fragments, VAF {}) but filtered it: {}",
            f.id,
            f.alt_fragments,
            pct(f.vaf),
            f.filters.join(", ")
        );
    }
    if !o.nearby_calls.is_empty() {
        return format!(
            "the {other} lab called a different change here: {}",
            o.nearby_calls.join(", ")
        );
    }
    if let Some(h) = &o.hotspot {
        match (h.status, h.limit_of_detection) {
            (HotspotStatus::InsufficientDepth | HotspotStatus::NotCovered, _) => {
                return format!(
                    "the {other} lab did not cover hotspot {} adequately ({}x)",
                    h.name, h.depth
                )
            }
            (_, Some(lod)) if lod > call.vaf => {
                return format!(
                    "VAF {} is below the {other} lab's limit of detection at {} ({} at {}x)",
                    pct(call.vaf),
                    h.name,
                    pct(lod),
                    h.depth
                )
            }
            _ => {}
        }
    }
    if call.vaf < 0.05 {
        return format!(
            "low VAF ({}): near the limit of detection, sampling may explain it",
            pct(call.vaf)
        );
    }
    match o.gene_mean_depth {
        Some(d) => {
            format!("not called by the {other} lab (gene mean depth {d:.0}x): review the reads")
        }
        None => format!("not called by the {other} lab: review the reads"),
    }
}
