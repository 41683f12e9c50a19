//! Chromosome-level ploidy signal from two independent measurements: the median depth ratio of
//! each chromosome's targets, and the allele fractions of its heterozygous germline SNPs. A gained
//! chromosome reads deeper and its SNPs leave 50% (2:1); a lost homologue leaves the depth at the
//! new baseline in a near-haploid genome but pushes the SNPs towards 0/100% (LOH). Either alone is
//! ambiguous; together they separate high hyperdiploidy from near-haploid / low-hypodiploid
//! genomes. This is a signal to confirm by DNA index or karyotype, and is reported as such.
use super::coverage::TargetClass;
use super::Profile;
use crate::ingest::build::canonical;
use crate::model::{ChromosomeCopy, PloidySignal, SmallVariant};
use crate::util::{median_f64, robust_sd};

/// Chromosomes gained in high hyperdiploid B-ALL (MARKERS 1a #12).
pub const HYPERDIPLOID_HALLMARKS: [&str; 8] = ["X", "4", "6", "10", "14", "17", "18", "21"];

/// Bins closer than this form one locus.
const LOCUS_GAP: u64 = 1_000_000;
/// A depth change of a whole chromosome needs this many distinct loci.
const MIN_LOCI: usize = 3;
/// A chromosome is gained/lost when its median log2 is this far from 0 ...
const MIN_LOG2: f64 = 0.1;
/// ... and this many standard errors.
const MIN_Z: f64 = 4.0;
/// Median |AF − 0.5| at heterozygous SNPs above this is loss of heterozygosity (2:1 gains stay
/// below ~0.17 even in a pure sample; a lost homologue at 80% blasts reads ~0.33).
const LOH_IMBALANCE: f64 = 0.25;
/// SNPs needed per chromosome to judge its allele balance.
const MIN_SNPS: usize = 6;
/// SNP sites need this many informative fragments.
const MIN_SNP_DEPTH: u32 = 25;

/// Allele fractions that can be a heterozygous germline SNP (LOH at high blast % reads ~0.05/0.95).
fn informative(v: &SmallVariant) -> bool {
    v.kind == crate::model::VariantKind::Snv
        && v.depth >= MIN_SNP_DEPTH
        && (0.03..=0.97).contains(&v.vaf)
}

/// `chroms` in panel order; `excluded[i]` marks targets inside focal calls.
pub fn signal(
    p: &Profile,
    excluded: &[bool],
    snps: &[&SmallVariant],
    chroms: &[String],
    sex: char,
    sex_source: &str,
) -> PloidySignal {
    let mut out = Vec::new();
    for chrom in chroms {
        let idx: Vec<usize> = (0..p.targets.len())
            .filter(|&i| {
                p.targets[i].chrom == *chrom
                    && p.assessable[i]
                    && !excluded[i]
                    && p.class[i] != TargetClass::Other
            })
            .collect();
        if idx.is_empty() {
            continue;
        }
        // one value per locus (bins within 1 Mb): a focal change spanning many bins of one gene
        // must not pass for the whole chromosome's level
        let mut loci: Vec<Vec<f64>> = Vec::new();
        let mut last_end = 0u64;
        for &i in &idx {
            let t = &p.targets[i];
            match loci.last_mut() {
                Some(l) if t.start < last_end + LOCUS_GAP => l.push(p.log2[i]),
                _ => loci.push(vec![p.log2[i]]),
            }
            last_end = t.end;
        }
        let vals: Vec<f64> = loci
            .iter()
            .filter_map(|l| median_f64(l.iter().copied()))
            .collect();
        let log2 = median_f64(vals.iter().copied()).unwrap_or(0.0);
        let se = 1.2533 * robust_sd(&vals).unwrap_or(1.0).max(0.03) / (vals.len() as f64).sqrt();
        let male_x = sex == 'M' && canonical(chrom) == "X";
        let afs: Vec<f64> = snps
            .iter()
            .filter(|v| v.chrom == *chrom && informative(v))
            .map(|v| (v.vaf - 0.5).abs())
            .collect();
        let imbalance = (!male_x && afs.len() >= MIN_SNPS)
            .then(|| median_f64(afs.iter().copied()))
            .flatten();
        let z = log2 / se;
        // depth first: a gained chromosome with 3:1 alleles is a gain, not LOH
        let enough = vals.len() >= MIN_LOCI;
        let state = if enough && log2 >= MIN_LOG2 && z >= MIN_Z {
            "gain"
        } else if imbalance.is_some_and(|x| x >= LOH_IMBALANCE) {
            "loh"
        } else if enough && log2 <= -MIN_LOG2 && z <= -MIN_Z {
            "loss"
        } else {
            "neutral"
        };
        out.push(ChromosomeCopy {
            chrom: chrom.clone(),
            targets: idx.len() as u32,
            loci: vals.len() as u32,
            log2: (log2 * 1000.0).round() / 1000.0,
            se: (se * 1000.0).round() / 1000.0,
            het_snps: afs.len() as u32,
            allelic_imbalance: imbalance.map(|x| (x * 1000.0).round() / 1000.0),
            state: state.into(),
        });
    }
    let with = |s: &str| -> Vec<String> {
        out.iter()
            .filter(|c| c.state == s)
            .map(|c| c.chrom.clone())
            .collect()
    };
    let (gained, lost, loh) = (with("gain"), with("loss"), with("loh"));
    let judged = out.iter().filter(|c| c.allelic_imbalance.is_some()).count();
    let hallmarks = gained
        .iter()
        .filter(|c| HYPERDIPLOID_HALLMARKS.contains(&canonical(c)))
        .count();
    let (pattern, note) = if out.len() < 10 {
        (
            "not_assessable",
            format!("only {} chromosomes have assessable targets", out.len()),
        )
    } else if loh.len() >= 5 {
        (
            "near_haploid_or_low_hypodiploid",
            format!(
                "loss of heterozygosity on {} chromosomes ({}): near-haploid or low-hypodiploid pattern{}; a doubled (masked) hypodiploid clone looks the same, so confirm by DNA index, karyotype or flow ploidy",
                loh.len(),
                loh.join(", "),
                if gained.is_empty() {
                    String::new()
                } else {
                    format!("; relatively deeper chromosomes ({}) are the retained disomies", gained.join(", "))
                }
            ),
        )
    } else if gained.len() >= 4 && hallmarks >= 3 {
        (
            "high_hyperdiploid",
            format!(
                "gains of {} ({} of the 8 hallmark chromosomes X, 4, 6, 10, 14, 17, 18, 21): high-hyperdiploid pattern; confirm by DNA index (≥1.16) or karyotype (51-67 chromosomes)",
                gained.join(", "),
                hallmarks
            ),
        )
    } else {
        (
            "none",
            format!(
                "no aneuploidy pattern ({} chromosomes by depth, {} also by allele balance)",
                out.len(),
                judged
            ),
        )
    };
    PloidySignal {
        pattern: pattern.into(),
        gained,
        lost,
        loh,
        sex: sex.to_string(),
        sex_source: sex_source.into(),
        chromosomes: out,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Region, VariantKind};

    fn chroms() -> Vec<String> {
        (1..=22)
            .map(|i| format!("chr{i}"))
            .chain(["chrX".to_string()])
            .collect()
    }

    /// 20 bins per chromosome at the given log2 (noise ±0.03).
    fn profile(level: impl Fn(&str) -> f64) -> Profile {
        let mut targets = Vec::new();
        let mut log2 = Vec::new();
        for c in chroms() {
            for i in 0..20u64 {
                targets.push(Region {
                    chrom: c.clone(),
                    start: 5_000_000 + i * 2_000_000,
                    end: 5_000_000 + i * 2_000_000 + 200,
                    name: String::new(),
                });
                log2.push(level(&c) + 0.03 * ((i % 3) as f64 - 1.0));
            }
        }
        let n = targets.len();
        Profile {
            targets,
            depth: vec![300.0; n],
            gc: vec![0.45; n],
            log2,
            sd: vec![0.08; n],
            assessable: vec![true; n],
            class: vec![TargetClass::Autosome; n],
        }
    }

    fn snps(vaf: impl Fn(&str) -> f64) -> Vec<SmallVariant> {
        let mut out = Vec::new();
        for c in chroms() {
            for i in 0..8u64 {
                let v = vaf(&c);
                out.push(SmallVariant {
                    id: String::new(),
                    chrom: c.clone(),
                    pos: 1000 + i,
                    reference: "A".into(),
                    alt: "G".into(),
                    kind: VariantKind::Snv,
                    depth: 200,
                    ref_fragments: 0,
                    alt_fragments: 0,
                    vaf: if i % 2 == 0 { v } else { 1.0 - v },
                    alt_forward: 0,
                    alt_reverse: 0,
                    ref_forward: 0,
                    ref_reverse: 0,
                    qual: 100.0,
                    error_rate: 0.001,
                    median_alt_base_quality: 30,
                    median_alt_mapq: 60,
                    median_alt_read_position: 50,
                    repeat_length: 0,
                    filters: vec![],
                    origin: String::new(),
                    source: String::new(),
                });
            }
        }
        out
    }

    fn run(p: &Profile, s: &[SmallVariant]) -> PloidySignal {
        let refs: Vec<&SmallVariant> = s.iter().collect();
        signal(
            p,
            &vec![false; p.targets.len()],
            &refs,
            &chroms(),
            'F',
            "samplesheet",
        )
    }

    #[test]
    fn hyperdiploid_gains_with_2_to_1_alleles() {
        let gained = [
            "chr4", "chr6", "chr10", "chr14", "chr17", "chr18", "chr21", "chrX",
        ];
        let p = profile(|c| if gained.contains(&c) { 0.42 } else { 0.0 });
        let s = snps(|c| if gained.contains(&c) { 0.36 } else { 0.49 });
        let r = run(&p, &s);
        assert_eq!(r.pattern, "high_hyperdiploid", "{}", r.note);
        assert_eq!(r.gained.len(), 8);
        assert!(r.loh.is_empty());
    }

    #[test]
    fn widespread_loh_is_the_near_haploid_pattern_and_balance_is_none() {
        let disomic = ["chr14", "chr18", "chr21", "chrX"];
        let p = profile(|c| if disomic.contains(&c) { 0.7 } else { 0.0 });
        let s = snps(|c| if disomic.contains(&c) { 0.5 } else { 0.15 });
        let r = run(&p, &s);
        assert_eq!(r.pattern, "near_haploid_or_low_hypodiploid", "{}", r.note);
        assert_eq!(r.loh.len(), 19);
        let r = run(&profile(|_| 0.0), &snps(|_| 0.48));
        assert_eq!(r.pattern, "none", "{}", r.note);
        assert!(r.gained.is_empty() && r.loh.is_empty() && r.lost.is_empty());
    }
}
