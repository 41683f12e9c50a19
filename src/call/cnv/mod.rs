//! Copy number from panel depth: exon-level focal deletions and gains of the ALL copy-number genes,
//! the IKZF1plus profile, and a chromosome-level ploidy signal.
//!
//! Each capture target's mean depth (from QC: duplicates out, overlapping mates counted once) is
//! turned into a log2 ratio against what the panel of normals says that target reads in a
//! two-copy genome, after removing this sample's GC trend and centring on the median target. Its
//! z-score uses the normals' spread for that target (shrunk towards the panel-wide spread when the
//! normals are few) plus this sample's own sampling noise. Without a panel of normals, every target
//! is compared with the sample's median and the sample-wide spread: a labelled, far less sensitive
//! fallback.
pub mod coverage;
pub mod ikzf1plus;
pub mod ploidy;
pub mod pon;
pub mod segment;

use crate::model::{
    CnvBaseline, CnvState, CopyNumberCall, DeletionJunction, GeneCopy, Ikzf1Plus, PanelOfNormals,
    PloidySignal, Region, SampleInfo, SmallVariant,
};
use crate::panel::Panel;
use crate::util::{median_f64, robust_sd};
use coverage::TargetClass;
pub use segment::CnvThresholds;
use serde::{Deserialize, Serialize};

/// Filters a copy-number call can carry (VCF FILTER IDs).
pub const FILTERS: &[(&str, &str)] = &[
    (
        "low_z",
        "Combined z-score of the exons below the call threshold",
    ),
    ("small_change", "Mean log2 ratio below the minimum change"),
    (
        "whole_chromosome",
        "Same change as the rest of the chromosome: aneuploidy, not a focal event",
    ),
    (
        "noisy_sample",
        "Sample copy-number noise above the limit for exon-level calls",
    ),
];

/// Per-target measurements of one sample, aligned to the panel's capture targets.
#[derive(Debug, Clone)]
pub struct Profile {
    pub targets: Vec<Region>,
    pub depth: Vec<f64>,
    pub gc: Vec<f64>,
    /// log2 ratio against the baseline (0 = two copies).
    pub log2: Vec<f64>,
    /// Expected spread of `log2` at each target.
    pub sd: Vec<f64>,
    /// False where the baseline says the assay does not cover the target.
    pub assessable: Vec<bool>,
    pub class: Vec<TargetClass>,
}

impl Profile {
    pub fn z(&self, i: usize) -> f64 {
        if self.sd[i] > 0.0 {
            self.log2[i] / self.sd[i]
        } else {
            0.0
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct CnvOptions {
    pub thresholds: CnvThresholds,
}

/// Results for report.json, cnv.tsv and the SV VCF.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct CnvCalls {
    pub baseline: CnvBaseline,
    /// Robust spread of the autosomal target log2 ratios: the sample's noise level.
    pub noise: f64,
    pub genes: Vec<GeneCopy>,
    /// Per gene: passing and filtered exon-range calls, or one NEUTRAL / NO_COVERAGE row.
    pub calls: Vec<CopyNumberCall>,
    pub ikzf1plus: Ikzf1Plus,
    pub ploidy: PloidySignal,
    pub warnings: Vec<String>,
}

/// Where the panel of normals came from, for provenance.
pub struct PonSource<'a> {
    pub pon: &'a PanelOfNormals,
    pub path: String,
    pub sha256: String,
}

/// A target read at less than 1/16 of the median in the normals is not measurable.
const MIN_PON_LOG2: f64 = -4.0;
/// Shrink per-target spreads towards the panel-wide one as if it were this many extra normals.
const PRIOR_NORMALS: f64 = 5.0;
/// No target is trusted to better than this (systematic noise the normals cannot show).
const MIN_SYSTEMATIC_SD: f64 = 0.03;
/// Read length assumed when turning depth into a fragment count for the sampling noise.
const READ_LEN: f64 = 150.0;
/// Above this noise level (robust spread of target log2 ratios) calls are flagged.
const NOISY_SAMPLE: f64 = 0.35;

/// Sampling sd of a log2 depth over a bin of `len` bases read at `depth` (Poisson).
pub(crate) fn sampling_sd(depth: f64, len: u64) -> f64 {
    let n = (depth * len as f64 / READ_LEN).max(1.0);
    1.0 / (std::f64::consts::LN_2 * n.sqrt())
}

/// Normalise one sample against the panel of normals (or its own median without one).
/// Returns the profile, the sex used and where it came from, and warnings.
pub fn profile(
    targets: &[Region],
    depths: &[f64],
    gc: &[f64],
    pon: Option<&PanelOfNormals>,
    declared_sex: Option<&str>,
) -> (Profile, char, String, Vec<String>) {
    let class: Vec<TargetClass> = targets.iter().map(coverage::classify).collect();
    let mut warnings = Vec::new();
    let Some(mut l) = coverage::centred_log2(depths, &class) else {
        warnings
            .push("no reads on any autosomal capture target: copy number not assessable".into());
        let n = targets.len();
        return (
            Profile {
                targets: targets.to_vec(),
                depth: depths.to_vec(),
                gc: gc.to_vec(),
                log2: vec![0.0; n],
                sd: vec![1.0; n],
                assessable: vec![false; n],
                class,
            },
            'F',
            "unknown".into(),
            warnings,
        );
    };
    let inferred = coverage::infer_sex(&l, &class);
    let declared = declared_sex
        .map(|s| s.trim().to_ascii_uppercase())
        .and_then(|s| s.chars().next())
        .filter(|c| matches!(c, 'M' | 'F'));
    let (sex, source) = match (declared, inferred) {
        (Some(d), Some(i)) if d != i => {
            warnings.push(format!(
                "samplesheet sex {d} but chrX depth looks {i}: check for a sample swap (chrX gains or losses can also cause this); copy number uses {d}"
            ));
            (d, "samplesheet")
        }
        (Some(d), _) => (d, "samplesheet"),
        (None, Some(i)) => (i, "inferred from chrX depth"),
        (None, None) => ('F', "assumed (no chrX targets)"),
    };
    if sex == 'M' {
        coverage::scale_male_x(&mut l, &class);
    }
    let median_depth = median_f64(
        depths
            .iter()
            .zip(&class)
            .filter(|(d, c)| **d > 0.0 && **c == TargetClass::Autosome)
            .map(|(d, _)| *d),
    )
    .unwrap_or(0.0);
    let n = targets.len();
    let assessable: Vec<bool> = (0..n)
        .map(|i| {
            class[i] != TargetClass::Other && pon.is_none_or(|p| p.targets[i].log2 > MIN_PON_LOG2)
        })
        .collect();
    if let Some(p) = pon {
        for i in 0..n {
            if assessable[i] && l[i] > coverage::FLOOR {
                l[i] -= p.targets[i].log2;
            }
        }
    }
    let fit: Vec<bool> = (0..n).map(|i| assessable[i] && depths[i] > 0.0).collect();
    coverage::gc_correct(&mut l, gc, &fit);
    let centre = median_f64(
        (0..n)
            .filter(|&i| fit[i] && class[i] == TargetClass::Autosome)
            .map(|i| l[i]),
    )
    .unwrap_or(0.0);
    for x in l.iter_mut() {
        if *x > coverage::FLOOR {
            *x -= centre;
        }
    }
    let sd: Vec<f64> = match pon {
        Some(p) => {
            let global = median_f64(p.targets.iter().map(|t| t.sd)).unwrap_or(0.1);
            let k = p.samples.len() as f64;
            (0..n)
                .map(|i| {
                    let t = &p.targets[i];
                    let len = targets[i].len();
                    let shrunk = ((k * t.sd * t.sd + PRIOR_NORMALS * global * global)
                        / (k + PRIOR_NORMALS))
                        .sqrt();
                    let systematic = (shrunk.powi(2) - sampling_sd(t.depth, len).powi(2))
                        .max(MIN_SYSTEMATIC_SD * MIN_SYSTEMATIC_SD);
                    let expected = median_depth * 2f64.powf(t.log2);
                    // the normals' median is itself uncertain: var(median) ≈ π/2 · σ² / n
                    let baseline = 1.0 + std::f64::consts::FRAC_PI_2 / k.max(1.0);
                    (systematic * baseline + sampling_sd(expected, len).powi(2)).sqrt()
                })
                .collect()
        }
        None => {
            let vals: Vec<f64> = (0..n)
                .filter(|&i| fit[i] && class[i] == TargetClass::Autosome)
                .map(|i| l[i])
                .collect();
            let global = robust_sd(&vals).unwrap_or(1.0).max(MIN_SYSTEMATIC_SD);
            vec![global; n]
        }
    };
    // Calibrate: if this sample scatters more than its spreads say (a noisier library than the
    // normals), widen every spread. Measured on differences of neighbouring bins, which real
    // copy-number segments barely affect.
    let mut sd = sd;
    let z: Vec<(usize, f64)> = (0..n)
        .filter(|&i| fit[i] && class[i] == TargetClass::Autosome && sd[i] > 0.0)
        .map(|i| (i, l[i] / sd[i]))
        .collect();
    let diffs: Vec<f64> = z
        .windows(2)
        .filter(|w| targets[w[0].0].chrom == targets[w[1].0].chrom)
        .map(|w| w[1].1 - w[0].1)
        .collect();
    let scale = robust_sd(&diffs).map_or(1.0, |s| (s / std::f64::consts::SQRT_2).max(1.0));
    if scale > 1.0 {
        for x in sd.iter_mut() {
            *x *= scale;
        }
    }
    (
        Profile {
            targets: targets.to_vec(),
            depth: depths.to_vec(),
            gc: gc.to_vec(),
            log2: l,
            sd,
            assessable,
            class,
        },
        sex,
        source.into(),
        warnings,
    )
}

/// The copy-number genes of the panel with each exon's bin (the exon bin overlapping it most).
pub fn gene_exons(panel: &Panel, bins: &[Region]) -> Vec<segment::GeneExons> {
    let mut out = Vec::new();
    for g in panel
        .manifest
        .genes
        .iter()
        .filter(|g| g.roles.iter().any(|r| r == "cnv"))
    {
        let mut exons: Vec<&crate::panel::Exon> =
            panel.exons.iter().filter(|e| e.gene == g.name).collect();
        exons.sort_by_key(|e| e.number);
        let strand = exons.first().map(|e| e.strand).unwrap_or('+');
        let exons = exons
            .iter()
            .map(|e| {
                let best = bins
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.chrom == e.chrom && t.name.contains("_exon"))
                    .map(|(i, t)| {
                        let ov = (t.end.min(e.end) as i64 - t.start.max(e.start - 1) as i64).max(0);
                        (ov, i)
                    })
                    .filter(|(ov, _)| *ov > 0)
                    .max_by_key(|(ov, i)| (*ov, std::cmp::Reverse(*i)))
                    .map(|(_, i)| i);
                (e.number, best)
            })
            .collect();
        out.push(segment::GeneExons {
            gene: g.name.clone(),
            chrom: g.chrom.clone(),
            strand,
            exons,
        });
    }
    out.sort_by(|a, b| a.gene.cmp(&b.gene));
    out
}

/// Give a passing loss the junction that removes exactly its exons: the deleted segment covers the
/// called exons and ends before the gene's nearest retained exon on each side. Junction reads give
/// the breakpoints to the base and independent confirmation of the depth call.
fn attach_junction(
    c: &mut CopyNumberCall,
    g: &segment::GeneExons,
    p: &Profile,
    junctions: &[DeletionJunction],
) {
    if !c.passed() || !c.state.is_loss() {
        return;
    }
    let kept: Vec<&Region> = g
        .exons
        .iter()
        .filter(|(n, _)| *n < c.first_exon || *n > c.last_exon)
        .filter_map(|(_, t)| t.map(|t| &p.targets[t]))
        .collect();
    // 1-based bounds the junction must stay within
    let left_bound = kept
        .iter()
        .filter(|t| t.end < c.start)
        .map(|t| t.end)
        .max()
        .unwrap_or(0);
    let right_bound = kept
        .iter()
        .filter(|t| t.start + 1 > c.end)
        .map(|t| t.start + 1)
        .min()
        .unwrap_or(u64::MAX);
    let best = junctions
        .iter()
        .filter(|j| {
            j.chrom == c.chrom
                && j.left < c.start
                && j.right > c.end
                && j.left >= left_bound
                && j.right <= right_bound
        })
        .max_by_key(|j| (j.fragments, std::cmp::Reverse(j.left)));
    if let Some(j) = best {
        c.breakpoints = Some((j.left + 1, j.right - 1));
        c.junction_fragments = j.fragments;
        c.notes.push(format!(
            "deletion junction {}:{}-{} supported by {} fragments ({}): breakpoints to the base",
            j.chrom,
            j.left + 1,
            j.right - 1,
            j.fragments,
            j.source
        ));
    }
}

/// What one sample contributes to copy number.
pub struct CnvEvidence<'a> {
    /// Mean depth per copy-number bin (`panel.cnv_bins()` order).
    pub depths: &'a [f64],
    /// GC fraction per bin.
    pub gc: &'a [f64],
    /// Single-base calls (reportable and backbone): allele fractions for the ploidy signal.
    pub snps: &'a [&'a SmallVariant],
    /// Deletion-orientation junctions from the fusion module.
    pub junctions: &'a [DeletionJunction],
}

/// Call copy number for one sample.
pub fn call(
    panel: &Panel,
    ev: &CnvEvidence,
    pon: Option<PonSource>,
    sample: &SampleInfo,
    opts: &CnvOptions,
) -> CnvCalls {
    let (depths, gc, snps, junctions) = (ev.depths, ev.gc, ev.snps, ev.junctions);
    let bins = panel.cnv_bins();
    let (p, sex, sex_source, mut warnings) = profile(
        &bins,
        depths,
        gc,
        pon.as_ref().map(|s| s.pon),
        sample.sex.as_deref(),
    );
    let baseline = match &pon {
        Some(s) => {
            if s.pon.samples.len() < pon::MIN_NORMALS {
                warnings.push(format!(
                    "panel of normals has only {} normals (at least {} recommended): per-target spreads are uncertain",
                    s.pon.samples.len(),
                    pon::MIN_NORMALS
                ));
            }
            CnvBaseline {
                method: "panel_of_normals".into(),
                pon_path: Some(s.path.clone()),
                pon_sha256: Some(s.sha256.clone()),
                pon_samples: s.pon.samples.len() as u32,
            }
        }
        None => {
            warnings.push("no panel of normals (--pon): copy number uses the within-sample fallback, which cannot separate capture efficiency from copy changes; only large changes are called".into());
            CnvBaseline {
                method: "within_sample".into(),
                pon_path: None,
                pon_sha256: None,
                pon_samples: 0,
            }
        }
    };
    let auto: Vec<f64> = (0..p.targets.len())
        .filter(|&i| p.assessable[i] && p.class[i] == TargetClass::Autosome && p.depth[i] > 0.0)
        .map(|i| p.log2[i])
        .collect();
    let noise = robust_sd(&auto).unwrap_or(0.0);
    let tf = sample.tumor_fraction.filter(|t| *t > 0.0 && *t <= 1.0);
    let genes_ex = gene_exons(panel, &bins);
    let genes: Vec<GeneCopy> = genes_ex.iter().map(|g| segment::gene_copy(g, &p)).collect();
    let mut calls: Vec<CopyNumberCall> = genes_ex
        .iter()
        .flat_map(|g| segment::call_gene(g, &p, tf, &opts.thresholds))
        .collect();
    for g in &genes_ex {
        for c in calls.iter_mut().filter(|c| c.gene == g.gene) {
            attach_junction(c, g, &p, junctions);
        }
    }
    // chromosome medians leave out the targets of focal calls
    let mut excluded = vec![false; p.targets.len()];
    for c in calls
        .iter()
        .filter(|c| c.passed() && c.state != CnvState::Neutral)
    {
        for (i, t) in p.targets.iter().enumerate() {
            if t.chrom == c.chrom && t.start < c.end && t.end >= c.start {
                excluded[i] = true;
            }
        }
    }
    let chroms = panel.contigs();
    let ploidy = ploidy::signal(&p, &excluded, snps, &chroms, sex, &sex_source);
    for c in calls.iter_mut() {
        let Some(ch) = ploidy.chromosomes.iter().find(|x| x.chrom == c.chrom) else {
            continue;
        };
        if ch.state != "neutral" {
            c.ploidy_context = Some(format!("{} {}", ch.chrom, ch.state));
        }
        let whole = (ch.state == "gain" && c.state == CnvState::Amp)
            || (ch.state == "loss" && c.state.is_loss());
        // within what bins of one chromosome scatter; a focal change on top (iAMP21 on +21) reads
        // far beyond its chromosome
        if whole && (c.log2 - ch.log2).abs() < (0.5 * ch.log2.abs()).max(0.35) {
            c.filters.push("whole_chromosome".into());
            c.notes.push(format!(
                "same change as the rest of {} (median log2 {:.2}): part of a whole-chromosome change, not focal",
                ch.chrom, ch.log2
            ));
        }
    }
    if noise > NOISY_SAMPLE {
        warnings.push(format!(
            "copy-number noise is high (robust spread {noise:.2} log2): calls are flagged noisy_sample"
        ));
        for c in calls.iter_mut().filter(|c| c.state != CnvState::Neutral) {
            if c.state != CnvState::NoCoverage {
                c.filters.push("noisy_sample".into());
            }
        }
    }
    // a gene whose calls were all filtered above still needs its whole-gene row
    for g in &genes_ex {
        let gene_calls = calls.iter().filter(|c| c.gene == g.gene);
        let has_row = gene_calls
            .clone()
            .any(|c| c.passed() || matches!(c.state, CnvState::Neutral | CnvState::NoCoverage));
        if !has_row {
            let at = calls
                .iter()
                .position(|c| c.gene == g.gene)
                .unwrap_or(calls.len());
            calls.insert(at, segment::summary_row(g, &p));
        }
    }
    let ikzf1plus = ikzf1plus::assess(&calls);
    CnvCalls {
        baseline,
        noise: (noise * 1000.0).round() / 1000.0,
        genes,
        calls,
        ikzf1plus,
        ploidy,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bin(start: u64, end: u64, name: &str) -> Region {
        Region {
            chrom: "chrX".into(),
            start,
            end,
            name: name.into(),
        }
    }

    fn loss(first: u32, last: u32, start: u64, end: u64) -> CopyNumberCall {
        CopyNumberCall {
            start,
            end,
            gene_exons: 2,
            log2: -0.4,
            z: -8.0,
            ..CopyNumberCall::for_test("P2RY8", "chrX", (first, last), CnvState::Del)
        }
    }

    #[test]
    fn par1_deletion_takes_the_p2ry8_crlf2_junction_as_breakpoints() {
        // P2RY8 (minus strand): exon 2 at 1462581-1466582 deleted, exon 1 at 1536921 kept
        let targets = vec![
            bin(1462580, 1466582, "P2RY8_exon2"),
            bin(1536920, 1537185, "P2RY8_exon1"),
        ];
        let p = Profile {
            depth: vec![200.0, 400.0],
            gc: vec![0.45; 2],
            log2: vec![-0.4, 0.0],
            sd: vec![0.08; 2],
            assessable: vec![true; 2],
            class: vec![TargetClass::Autosome; 2],
            targets,
        };
        let g = segment::GeneExons {
            gene: "P2RY8".into(),
            chrom: "chrX".into(),
            strand: '-',
            exons: vec![(1, Some(1)), (2, Some(0))],
        };
        let junction = |left, right, fragments| DeletionJunction {
            chrom: "chrX".into(),
            left,
            right,
            fragments,
            source: "P2RY8::CRLF2".into(),
        };
        let js = [
            junction(1223024, 1501450, 12),
            // would delete the retained exon 1 too: not this call's junction
            junction(1223024, 1540000, 30),
        ];
        let mut c = loss(2, 2, 1462581, 1466582);
        attach_junction(&mut c, &g, &p, &js);
        assert_eq!(c.breakpoints, Some((1223025, 1501449)));
        assert_eq!(c.junction_fragments, 12);
        assert!(c.notes[0].contains("P2RY8::CRLF2"));
        // a filtered call gets nothing
        let mut f = loss(2, 2, 1462581, 1466582);
        f.filters.push("low_z".into());
        attach_junction(&mut f, &g, &p, &js);
        assert_eq!(f.breakpoints, None);
    }
}
