//! Random small-variant truth sets over the panel's reportable regions, and scoring of calls against
//! them by variant class and VAF stratum (the accuracy tests and benchmarks share this code).
use super::reads::PlantedVariant;
use super::reference::SimGenome;
use crate::call::small::normalize::{normalize, to_vcf, Change, RefWindow};
use crate::model::{Region, SmallVariant};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Classes of the accuracy benchmark (indels 1-30 bp).
pub const CLASSES: [&str; 5] = ["snv", "mnv", "deletion", "insertion", "delins"];
/// Insertions that aligners soft-clip: tandem duplications (FLT3-ITD-like, 15-90 bp) and
/// non-templated insertions of 31-90 bp.
pub const LONG_CLASSES: [&str; 2] = ["tandem_dup", "long_insertion"];

fn other_base(rng: &mut ChaCha8Rng, b: u8) -> u8 {
    let alts: Vec<u8> = b"ACGT".iter().copied().filter(|&x| x != b).collect();
    alts[rng.gen_range(0..3)]
}

fn random_seq(rng: &mut ChaCha8Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| b"ACGT"[rng.gen_range(0..4)]).collect()
}

/// `per_class` variants of each class at each VAF, at least `spacing` bases apart, inside
/// `regions` (skipping 20 bases at each end so reads cover them as well as the middle).
pub fn random_variants(
    genome: &SimGenome,
    regions: &[Region],
    classes: &[&str],
    per_class: usize,
    vafs: &[f64],
    spacing: u64,
    seed: u64,
) -> Vec<PlantedVariant> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let usable: Vec<&Region> = regions.iter().filter(|r| r.len() > 60).collect();
    let total: u64 = usable.iter().map(|r| r.len() - 40).sum();
    let mut taken: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    let mut out = Vec::new();
    if total == 0 {
        return out;
    }
    for &vaf in vafs {
        for &class in classes {
            let mut made = 0;
            let mut tries = 0;
            while made < per_class && tries < per_class * 200 {
                tries += 1;
                let mut x = rng.gen_range(0..total);
                let r = usable
                    .iter()
                    .find(|r| {
                        if x < r.len() - 40 {
                            true
                        } else {
                            x -= r.len() - 40;
                            false
                        }
                    })
                    .expect("offset inside the regions");
                let pos0 = r.start + 20 + x;
                let near = taken.get(&r.chrom).is_some_and(|s| {
                    s.range(pos0.saturating_sub(spacing)..pos0 + spacing)
                        .next()
                        .is_some()
                });
                if near {
                    continue;
                }
                let Some(ctx) = genome.slice(&r.chrom, pos0, pos0 + 40) else {
                    continue;
                };
                let Some(before) = genome.slice(&r.chrom, pos0.saturating_sub(100), pos0 + 1)
                else {
                    continue;
                };
                if ctx.iter().chain(before).any(|b| !b"ACGT".contains(b)) {
                    continue;
                }
                let (reference, alt) = match class {
                    "snv" => (vec![ctx[0]], vec![other_base(&mut rng, ctx[0])]),
                    "mnv" => {
                        let n = rng.gen_range(2..=3);
                        let r = ctx[..n].to_vec();
                        let a = r.iter().map(|&b| other_base(&mut rng, b)).collect();
                        (r, a)
                    }
                    "deletion" => {
                        let n = rng.gen_range(1..=30);
                        (ctx[..=n].to_vec(), vec![ctx[0]])
                    }
                    "tandem_dup" => {
                        // the n bases ending at the anchor, inserted again after it
                        let n = rng.gen_range(15..=90).min(before.len() - 1);
                        let mut a = vec![ctx[0]];
                        a.extend_from_slice(&before[before.len() - n..]);
                        (vec![ctx[0]], a)
                    }
                    "insertion" | "long_insertion" => {
                        let n = if class == "insertion" {
                            rng.gen_range(1..=30)
                        } else {
                            rng.gen_range(31..=90)
                        };
                        let mut a = vec![ctx[0]];
                        a.extend(random_seq(&mut rng, n));
                        (vec![ctx[0]], a)
                    }
                    _ => {
                        // delins: 2-6 bases replaced by 1-8 different bases, first base changed
                        let n = rng.gen_range(2..=6);
                        let m = loop {
                            let m = rng.gen_range(1..=8);
                            if m != n {
                                break m;
                            }
                        };
                        let mut a = random_seq(&mut rng, m);
                        a[0] = other_base(&mut rng, ctx[0]);
                        let last = *a.last().unwrap_or(&b'A');
                        if last == ctx[n - 1] {
                            let k = a.len() - 1;
                            a[k] = other_base(&mut rng, last);
                        }
                        (ctx[..n].to_vec(), a)
                    }
                };
                taken.entry(r.chrom.clone()).or_default().insert(pos0);
                out.push(PlantedVariant {
                    chrom: r.chrom.clone(),
                    pos: pos0 + 1,
                    reference: String::from_utf8_lossy(&reference).into(),
                    alt: String::from_utf8_lossy(&alt).into(),
                    vaf,
                    label: format!("{class} vaf={vaf}"),
                });
                made += 1;
            }
        }
    }
    out
}

/// The truth variant as the caller writes it: normalized, VCF-anchored, `chrom:pos:ref:alt`.
pub fn normalized_id(genome: &SimGenome, v: &PlantedVariant) -> Option<String> {
    let w0 = (v.pos - 1).saturating_sub(400);
    let w1 = v.pos + 400;
    let seq = genome.slice(&v.chrom, w0, w1)?;
    let w = RefWindow { start: w0, seq };
    let c = normalize(
        Change {
            pos: v.pos - 1,
            reference: v.reference.as_bytes().to_vec(),
            alt: v.alt.as_bytes().to_vec(),
        },
        &w,
    );
    let (pos, r, a) = to_vcf(&c, &w)?;
    Some(format!("{}:{pos}:{r}:{a}", v.chrom))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Stratum {
    pub class: String,
    pub vaf: f64,
    pub truth: usize,
    pub found: usize,
    pub recall: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Accuracy {
    pub strata: Vec<Stratum>,
    pub passing_calls: usize,
    pub true_positives: usize,
    pub false_positives: Vec<String>,
    pub missed: Vec<String>,
    pub precision: f64,
}

/// Recall per (class, VAF) and precision of passing calls. `class_of` comes from the truth label.
pub fn score(genome: &SimGenome, truth: &[PlantedVariant], calls: &[SmallVariant]) -> Accuracy {
    let passing: BTreeSet<&str> = calls
        .iter()
        .filter(|c| c.passes())
        .map(|c| c.id.as_str())
        .collect();
    let mut strata: BTreeMap<(String, u64), (usize, usize)> = BTreeMap::new();
    let mut truth_ids = BTreeSet::new();
    let mut acc = Accuracy::default();
    for t in truth {
        let class = t
            .label
            .split_whitespace()
            .next()
            .unwrap_or("other")
            .to_string();
        let Some(id) = normalized_id(genome, t) else {
            continue;
        };
        let e = strata
            .entry((class, (t.vaf * 1e6).round() as u64))
            .or_default();
        e.0 += 1;
        if passing.contains(id.as_str()) {
            e.1 += 1;
        } else {
            acc.missed.push(format!("{id} ({})", t.label));
        }
        truth_ids.insert(id);
    }
    for ((class, vaf), (n, f)) in strata {
        acc.strata.push(Stratum {
            class,
            vaf: vaf as f64 / 1e6,
            truth: n,
            found: f,
            recall: if n == 0 { 0.0 } else { f as f64 / n as f64 },
        });
    }
    acc.passing_calls = passing.len();
    acc.true_positives = passing.iter().filter(|id| truth_ids.contains(**id)).count();
    acc.false_positives = passing
        .iter()
        .filter(|id| !truth_ids.contains(**id))
        .map(|s| s.to_string())
        .collect();
    acc.precision = if acc.passing_calls == 0 {
        1.0
    } else {
        acc.true_positives as f64 / acc.passing_calls as f64
    };
    acc
}
