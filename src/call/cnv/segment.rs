//! Exon-level calls per gene. Segmentation over a whole panel merges or loses exon-scale events
//! (a 4-exon IKZF1 deletion is a few hundred captured bases), so each copy-number gene is read on
//! its own, exon by exon in transcript order: runs of consecutive exons that all lean the same way
//! are scored together (Stouffer's combined z over distinct targets) and called when the combined
//! evidence and the size of the change both clear their thresholds.
use super::Profile;
use crate::model::{CnvState, CopyNumberCall, ExonCopy, GeneCopy};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct CnvThresholds {
    /// An exon joins a candidate run when its |z| reaches this (and its log2 leans the same way).
    pub candidate_z: f64,
    /// One exon between two candidates bridges them when it leans the same way at this |z|
    /// (one noisy exon must not split a deletion in two).
    pub bridge_z: f64,
    /// A run of two or more exons is called at this combined |z| ...
    pub call_z: f64,
    /// ... when its mean |log2| reaches this (a one-copy loss in 40% of cells is -0.32; weaker
    /// runs are kept, filtered `small_change`).
    pub min_log2: f64,
    /// A single exon needs this |z| ...
    pub single_exon_z: f64,
    /// ... and this |log2|.
    pub single_exon_log2: f64,
    /// Candidates below the call thresholds are kept (filtered) from this combined |z| on.
    pub report_z: f64,
    /// A loss is homozygous when even its log2 plus three standard errors leaves fewer tumour
    /// copies than this (not compatible with losing one copy).
    pub homdel_copies: f64,
}

impl Default for CnvThresholds {
    fn default() -> Self {
        CnvThresholds {
            candidate_z: 2.0,
            bridge_z: 0.5,
            call_z: 4.5,
            min_log2: 0.3,
            single_exon_z: 5.0,
            single_exon_log2: 0.3,
            report_z: 3.5,
            homdel_copies: 1.0,
        }
    }
}

/// A copy-number gene's exons, in transcript order, each with the capture target measuring it.
pub struct GeneExons {
    pub gene: String,
    pub chrom: String,
    pub strand: char,
    /// (exon number, target index or None when the exon was not captured)
    pub exons: Vec<(u32, Option<usize>)>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lean {
    Loss,
    Gain,
    None,
}

/// Tumour copies from a log2 ratio: `tf` is the tumour (blast) fraction, 1 when unknown.
pub fn copies(log2: f64, tf: f64) -> f64 {
    let tf = tf.clamp(0.05, 1.0);
    (2.0 * (2f64.powf(log2) - (1.0 - tf)) / tf).clamp(0.0, 50.0)
}

fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Drop end exons of a run that are weaker than the rest of the run by more than 3 sd: a
/// neighbouring exon that merely leans the same way (noise at z -2) must not widen the called
/// range (IKZF1 Δ4-7 reported as Δ4-8). The sd includes the sampling noise of the depth actually
/// observed, which is large inside a homozygous loss.
fn trim_run_ends(exons: &mut Vec<(u32, usize)>, p: &Profile) {
    loop {
        let mut distinct: Vec<usize> = exons.iter().map(|e| e.1).collect();
        distinct.dedup();
        if distinct.len() < 2 {
            return;
        }
        let weaker_by = |t: usize| {
            let rest: Vec<f64> = distinct
                .iter()
                .filter(|&&x| x != t)
                .map(|&x| p.log2[x])
                .collect();
            let level = rest.iter().sum::<f64>() / rest.len() as f64;
            let sd = (p.sd[t].powi(2) + super::sampling_sd(p.depth[t], p.targets[t].len()).powi(2))
                .sqrt();
            // positive when the exon sits closer to two copies than the rest of the run
            (p.log2[t] - level) * -level.signum() / sd.max(1e-9)
        };
        let (first, last) = (distinct[0], distinct[distinct.len() - 1]);
        let (fo, lo) = (weaker_by(first), weaker_by(last));
        if fo.max(lo) <= 3.0 {
            return;
        }
        let drop = if fo >= lo { first } else { last };
        exons.retain(|e| e.1 != drop);
    }
}

/// Exon evidence of one gene.
pub fn gene_copy(g: &GeneExons, p: &Profile) -> GeneCopy {
    GeneCopy {
        gene: g.gene.clone(),
        chrom: g.chrom.clone(),
        strand: g.strand,
        exons: g
            .exons
            .iter()
            .filter_map(|&(n, t)| {
                let t = t?;
                Some(ExonCopy {
                    exon: n,
                    chrom: p.targets[t].chrom.clone(),
                    start: p.targets[t].start + 1,
                    end: p.targets[t].end,
                    depth: r3(p.depth[t]),
                    gc: r3(p.gc[t]),
                    log2: r3(p.log2[t]),
                    z: r3(p.z(t)),
                    sd: r3(p.sd[t]),
                })
            })
            .collect(),
    }
}

/// Calls on one gene: every run of exons leaning the same way that reaches `report_z` (passing or
/// with its filters), or one NEUTRAL / NO_COVERAGE row when nothing passes.
pub fn call_gene(
    g: &GeneExons,
    p: &Profile,
    tf: Option<f64>,
    th: &CnvThresholds,
) -> Vec<CopyNumberCall> {
    let n_exons = g.exons.iter().map(|e| e.0).max().unwrap_or(0);
    let lean = |t: Option<usize>, z_min: f64| match t {
        Some(t) if p.assessable[t] => {
            let (l, z) = (p.log2[t], p.z(t));
            let strong = z_min >= th.candidate_z;
            if z <= -z_min && l <= if strong { -0.1 } else { 0.0 } {
                Lean::Loss
            } else if z >= z_min && l >= if strong { 0.1 } else { 0.0 } {
                Lean::Gain
            } else {
                Lean::None
            }
        }
        _ => Lean::None,
    };
    let strong: Vec<Lean> = g.exons.iter().map(|e| lean(e.1, th.candidate_z)).collect();
    let weak: Vec<Lean> = g.exons.iter().map(|e| lean(e.1, th.bridge_z)).collect();
    let mut runs: Vec<(Lean, Vec<(u32, usize)>)> = Vec::new();
    let mut i = 0;
    while i < g.exons.len() {
        let l = strong[i];
        if l == Lean::None || g.exons[i].1.is_none() {
            i += 1;
            continue;
        }
        let mut members = vec![i];
        let mut j = i + 1;
        loop {
            if j < g.exons.len() && strong[j] == l {
                members.push(j);
                j += 1;
            } else if j + 1 < g.exons.len() && weak[j] == l && strong[j + 1] == l {
                members.extend([j, j + 1]);
                j += 2;
            } else {
                break;
            }
        }
        let run = members
            .into_iter()
            .filter_map(|k| g.exons[k].1.map(|t| (g.exons[k].0, t)))
            .collect();
        runs.push((l, run));
        i = j;
    }
    let mut out = Vec::new();
    for (l, mut exons) in runs {
        trim_run_ends(&mut exons, p);
        let mut distinct: Vec<usize> = exons.iter().map(|e| e.1).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let k = distinct.len() as f64;
        let z = distinct.iter().map(|&t| p.z(t)).sum::<f64>() / k.sqrt();
        let log2 = distinct.iter().map(|&t| p.log2[t]).sum::<f64>() / k;
        if z.abs() < th.report_z {
            continue;
        }
        let (need_z, need_l) = if distinct.len() == 1 {
            (th.single_exon_z, th.single_exon_log2)
        } else {
            (th.call_z, th.min_log2)
        };
        let mut filters = Vec::new();
        if z.abs() < need_z {
            filters.push("low_z".to_string());
        }
        if log2.abs() < need_l {
            filters.push("small_change".to_string());
        }
        let cn = copies(log2, tf.unwrap_or(1.0));
        let se = if z != 0.0 { (log2 / z).abs() } else { 0.0 };
        let cn_upper = copies(log2 + 3.0 * se, tf.unwrap_or(1.0));
        let all_zero = distinct.iter().all(|&t| p.depth[t] == 0.0);
        let state = match l {
            Lean::Loss if cn_upper < th.homdel_copies || all_zero => CnvState::Homdel,
            Lean::Loss => CnvState::Del,
            _ => CnvState::Amp,
        };
        let (first, last) = (exons[0].0, exons[exons.len() - 1].0);
        let (first, last) = (first.min(last), first.max(last));
        let start = distinct
            .iter()
            .map(|&t| p.targets[t].start + 1)
            .min()
            .unwrap_or(0);
        let end = distinct
            .iter()
            .map(|&t| p.targets[t].end)
            .max()
            .unwrap_or(0);
        let mut notes = Vec::new();
        if all_zero {
            notes.push(
                "no reads at all on these exons: homozygous loss in (nearly) every cell".into(),
            );
        } else if tf.is_none() && state == CnvState::Del && log2 < -0.6 {
            notes.push("tumour fraction not given: copies assume a pure sample; with fewer blasts this loss may be homozygous in them".into());
        }
        let mut c = CopyNumberCall {
            id: String::new(),
            gene: g.gene.clone(),
            chrom: g.chrom.clone(),
            start,
            end,
            first_exon: first,
            last_exon: last,
            gene_exons: n_exons,
            state,
            log2: r3(log2),
            z: r3(z),
            copy_number: Some((cn * 100.0).round() / 100.0),
            tumor_fraction_used: tf,
            pattern: None,
            ploidy_context: None,
            breakpoints: None,
            junction_fragments: 0,
            filters,
            notes,
        };
        c.pattern = pattern(&c);
        c.id = format!("CNV:{}:{}:{}", c.gene, c.exon_label(), c.state.name());
        out.push(c);
    }
    if !out.iter().any(|c| c.passed()) {
        out.insert(0, summary_row(g, p));
    }
    out
}

/// The whole-gene row of a gene without a passing call.
pub fn summary_row(g: &GeneExons, p: &Profile) -> CopyNumberCall {
    let n_exons = g.exons.iter().map(|e| e.0).max().unwrap_or(0);
    let mut distinct: Vec<usize> = g
        .exons
        .iter()
        .filter_map(|e| e.1)
        .filter(|&t| p.assessable[t])
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    let k = distinct.len();
    let (state, log2, z) = if k == 0 {
        (CnvState::NoCoverage, 0.0, 0.0)
    } else {
        (
            CnvState::Neutral,
            distinct.iter().map(|&t| p.log2[t]).sum::<f64>() / k as f64,
            distinct.iter().map(|&t| p.z(t)).sum::<f64>() / (k as f64).sqrt(),
        )
    };
    let all: Vec<usize> = g.exons.iter().filter_map(|e| e.1).collect();
    let mut notes = Vec::new();
    if state == CnvState::NoCoverage {
        notes.push(if all.is_empty() {
            "no exon of this gene is in the capture".to_string()
        } else {
            "the normals never cover these targets: copy number cannot be assessed".to_string()
        });
    }
    CopyNumberCall {
        id: format!("CNV:{}:1-{}:{}", g.gene, n_exons, state.name()),
        gene: g.gene.clone(),
        chrom: g.chrom.clone(),
        start: all
            .iter()
            .map(|&t| p.targets[t].start + 1)
            .min()
            .unwrap_or(0),
        end: all.iter().map(|&t| p.targets[t].end).max().unwrap_or(0),
        first_exon: 1,
        last_exon: n_exons,
        gene_exons: n_exons,
        state,
        log2: r3(log2),
        z: r3(z),
        copy_number: None,
        tumor_fraction_used: None,
        pattern: None,
        ploidy_context: None,
        breakpoints: None,
        junction_fragments: 0,
        filters: vec![],
        notes,
    }
}

/// Clinical names of the patterns that matter for ALL.
pub fn pattern(c: &CopyNumberCall) -> Option<String> {
    let whole = c.first_exon == 1 && c.last_exon == c.gene_exons;
    let range = if whole {
        format!("Δ1-{} (whole gene)", c.gene_exons)
    } else {
        format!("Δ{}", c.exon_label())
    };
    match (c.gene.as_str(), c.state) {
        ("IKZF1", s) if s.is_loss() => Some(match (c.first_exon, c.last_exon) {
            (4, 7) => "IKZF1 Δ4-7 (IK6, dominant negative)".to_string(),
            _ => format!("IKZF1 {range}"),
        }),
        ("P2RY8", s) if s.is_loss() => Some("PAR1 deletion (P2RY8::CRLF2 type)".into()),
        ("ERG", s) if s.is_loss() && !whole => {
            Some(format!("ERG intragenic deletion {range} (DUX4-r marker)"))
        }
        ("CDKN2A" | "CDKN2B", CnvState::Homdel) => Some("9p21.3 homozygous deletion".into()),
        ("RUNX1", CnvState::Amp) if c.copy_number.unwrap_or(0.0) >= 5.0 => {
            Some("RUNX1 amplification (iAMP21 signal; confirm by FISH)".into())
        }
        (_, s) if s.is_loss() => Some(format!("{} {range}", c.gene)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::cnv::coverage::TargetClass;
    use crate::model::Region;

    fn profile(log2: &[f64], sd: f64) -> Profile {
        let n = log2.len();
        Profile {
            targets: (0..n)
                .map(|i| Region {
                    chrom: "chr7".into(),
                    start: 1000 * i as u64,
                    end: 1000 * i as u64 + 200,
                    name: format!("IKZF1_exon{}", i + 1),
                })
                .collect(),
            depth: log2
                .iter()
                .map(|l| {
                    if *l <= -6.0 {
                        0.0
                    } else {
                        400.0 * 2f64.powf(*l)
                    }
                })
                .collect(),
            gc: vec![0.45; n],
            log2: log2.to_vec(),
            sd: vec![sd; n],
            assessable: vec![true; n],
            class: vec![TargetClass::Autosome; n],
        }
    }

    fn ikzf1(n: usize) -> GeneExons {
        GeneExons {
            gene: "IKZF1".into(),
            chrom: "chr7".into(),
            strand: '+',
            exons: (0..n).map(|i| (i as u32 + 1, Some(i))).collect(),
        }
    }

    #[test]
    fn ik6_is_called_and_named() {
        let p = profile(&[0.02, -0.03, 0.01, -0.42, -0.40, -0.45, -0.38, 0.03], 0.08);
        let calls = call_gene(&ikzf1(8), &p, Some(0.5), &CnvThresholds::default());
        assert_eq!(calls.len(), 1, "{calls:?}");
        let c = &calls[0];
        assert!(c.passed());
        assert_eq!((c.first_exon, c.last_exon, c.state), (4, 7, CnvState::Del));
        assert_eq!(
            c.pattern.as_deref(),
            Some("IKZF1 Δ4-7 (IK6, dominant negative)")
        );
        assert!((c.copy_number.unwrap() - 1.0).abs() < 0.15, "{c:?}");
        assert_eq!(c.id, "CNV:IKZF1:4-7:DEL");
    }

    #[test]
    fn one_weak_exon_does_not_split_a_deletion() {
        let p = profile(&[0.0, -0.4, -0.45, -0.08, -0.42, -0.4, 0.02, 0.01], 0.08);
        let calls = call_gene(&ikzf1(8), &p, None, &CnvThresholds::default());
        let c: Vec<_> = calls.iter().filter(|c| c.passed()).collect();
        assert_eq!(c.len(), 1, "{calls:?}");
        assert_eq!((c[0].first_exon, c[0].last_exon), (2, 6));
        // an exon leaning the other way does split it
        let p = profile(&[0.0, -0.4, -0.45, 0.1, -0.42, -0.4, 0.02, 0.01], 0.08);
        let calls = call_gene(&ikzf1(8), &p, None, &CnvThresholds::default());
        assert_eq!(calls.iter().filter(|c| c.passed()).count(), 2);
    }

    #[test]
    fn a_noisy_neighbour_does_not_widen_the_range() {
        // exon 8 leans down at z -2.2 next to a deletion at -0.8: the call stays 4-7
        let p = profile(&[0.05, -0.1, 0.04, -0.84, -0.75, -0.9, -0.73, -0.2], 0.09);
        let calls = call_gene(&ikzf1(8), &p, Some(0.8), &CnvThresholds::default());
        let c: Vec<_> = calls.iter().filter(|c| c.passed()).collect();
        assert_eq!((c[0].first_exon, c[0].last_exon), (4, 7), "{calls:?}");
    }

    #[test]
    fn zero_coverage_is_a_homozygous_loss() {
        let p = profile(&[0.0, -6.0, -6.0, 0.0], 0.08);
        let g = GeneExons {
            gene: "CDKN2A".into(),
            ..ikzf1(4)
        };
        let calls = call_gene(&g, &p, None, &CnvThresholds::default());
        let c = calls.iter().find(|c| c.passed()).unwrap();
        assert_eq!(c.state, CnvState::Homdel);
        assert_eq!(c.pattern.as_deref(), Some("9p21.3 homozygous deletion"));
    }

    #[test]
    fn noise_gives_a_neutral_row_and_weak_runs_are_filtered() {
        let p = profile(&[0.05, -0.1, 0.02, -0.2, -0.25, 0.0, 0.03, -0.05], 0.08);
        let calls = call_gene(&ikzf1(8), &p, None, &CnvThresholds::default());
        assert_eq!(calls[0].state, CnvState::Neutral);
        assert!(calls[1..].iter().all(|c| !c.passed()), "{calls:?}");
        // a lone exon at z -3 is not reported at all
        let p = profile(&[0.0, 0.0, -0.24, 0.0], 0.08);
        let calls = call_gene(&ikzf1(4), &p, None, &CnvThresholds::default());
        assert_eq!(calls.len(), 1);
    }

    #[test]
    fn uncaptured_gene_is_no_coverage_and_copies_follow_tumour_fraction() {
        let p = profile(&[0.0], 0.08);
        let g = GeneExons {
            exons: vec![(1, None), (2, None)],
            ..ikzf1(0)
        };
        let calls = call_gene(&g, &p, None, &CnvThresholds::default());
        assert_eq!(calls[0].state, CnvState::NoCoverage);
        // homozygous loss at 30% blasts: ratio 0.7
        assert!(copies(0.7f64.log2(), 0.3) < 0.05);
        assert!((copies(0.75f64.log2(), 0.5) - 1.0).abs() < 1e-9);
        assert!((copies(0.0, 0.8) - 2.0).abs() < 1e-9);
    }
}
