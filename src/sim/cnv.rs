//! Copy-number benchmark cohorts: normals for a panel of normals, lesion-negative test samples,
//! samples carrying the exon-level deletions and gains the ALL panel must find, and aneuploid
//! samples for the ploidy signal. Every sample has its own germline SNPs and GC bias.
use super::{exon_deletion, ChromosomeCopies, PlantedGain, SampleSpec};
use crate::error::Result;
use crate::model::CnvState;
use crate::panel::Panel;
use serde::{Deserialize, Serialize};

/// A copy-number lesion a test sample carries, as the caller should report it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExpectedCnv {
    pub gene: String,
    pub first_exon: u32,
    pub last_exon: u32,
    pub state: CnvState,
    pub label: String,
}

/// What a cohort sample is for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CohortSample {
    pub spec: SampleSpec,
    pub expected: Vec<ExpectedCnv>,
    /// Expected ploidy pattern (`none`, `high_hyperdiploid`, `near_haploid_or_low_hypodiploid`).
    pub ploidy: String,
}

/// A sample without lesions: germline SNPs on, a GC bias drawn from the seed.
pub fn plain(id: &str, seed: u64, depth: f64) -> SampleSpec {
    let mut s = SampleSpec::new(id, seed);
    s.depth = depth;
    s.germline_snps = true;
    // GC bias between -1.5 and +1.5 (log scale per unit GC), fixed by the seed
    s.gc_bias = ((seed.wrapping_mul(0x9E37_79B9) >> 7) % 301) as f64 / 100.0 - 1.5;
    s.duplicate_rate = 0.05;
    s
}

/// The focal lesions of the benchmark, all in one sample: heterozygous IKZF1 Δ4-7, homozygous
/// CDKN2A/CDKN2B, PAX5 Δ2-6, intragenic ERG Δ3-9, ETV6 Δ3-8, BTG1 whole gene, EBF1 Δ10-16,
/// RB1 Δ18-27, the PAR1 deletion (P2RY8 exon 2) and a RUNX1 amplification (+3 copies).
pub fn focal_lesions(panel: &Panel, s: &mut SampleSpec) -> Result<Vec<ExpectedCnv>> {
    let mut exp = Vec::new();
    let mut del = |gene: &str, a: u32, b: u32, copies: u8, label: &str| -> Result<()> {
        s.deletions
            .push(exon_deletion(panel, gene, a, b, copies, label)?);
        exp.push(ExpectedCnv {
            gene: gene.into(),
            first_exon: a,
            last_exon: b,
            state: if copies == 2 {
                CnvState::Homdel
            } else {
                CnvState::Del
            },
            label: label.into(),
        });
        Ok(())
    };
    del("IKZF1", 4, 7, 1, "IKZF1 Δ4-7")?;
    del("PAX5", 2, 6, 1, "PAX5 Δ2-6")?;
    del("ERG", 3, 9, 1, "ERG Δ3-9")?;
    del("ETV6", 3, 8, 1, "ETV6 Δ3-8")?;
    del("BTG1", 1, 2, 1, "BTG1 whole gene")?;
    del("EBF1", 10, 16, 1, "EBF1 Δ10-16")?;
    del("RB1", 18, 27, 1, "RB1 Δ18-27")?;
    del("P2RY8", 2, 2, 1, "PAR1 deletion (P2RY8 exon 2)")?;
    // one homozygous 9p21.3 deletion across CDKN2A and CDKN2B
    let (chrom, a, _) = super::exon_span(panel, "CDKN2A", 1, 4)?;
    let (_, _, b) = super::exon_span(panel, "CDKN2B", 1, 2)?;
    s.deletions.push(super::PlantedDeletion {
        chrom,
        start: a,
        end: b,
        copies: 2,
        label: "CDKN2A/B homozygous".into(),
    });
    for (g, n) in [("CDKN2A", 4), ("CDKN2B", 2)] {
        exp.push(ExpectedCnv {
            gene: g.into(),
            first_exon: 1,
            last_exon: n,
            state: CnvState::Homdel,
            label: "CDKN2A/B homozygous".into(),
        });
    }
    let (chrom, start, end) = super::exon_span(panel, "RUNX1", 1, 6)?;
    s.gains.push(PlantedGain {
        chrom,
        start,
        end,
        copies: 3,
        label: "RUNX1 amplification".into(),
    });
    exp.push(ExpectedCnv {
        gene: "RUNX1".into(),
        first_exon: 1,
        last_exon: 6,
        state: CnvState::Amp,
        label: "RUNX1 +3 copies".into(),
    });
    Ok(exp)
}

/// Whole-chromosome copies for a high-hyperdiploid clone: +X, +4, +6, +10, +14, +17, +18, +21 x2.
pub fn hyperdiploid() -> Vec<ChromosomeCopies> {
    let mut v: Vec<ChromosomeCopies> = ["chrX", "chr4", "chr6", "chr10", "chr14", "chr17", "chr18"]
        .iter()
        .map(|c| ChromosomeCopies {
            chrom: c.to_string(),
            copies: 3,
            b_copies: 1,
        })
        .collect();
    v.push(ChromosomeCopies {
        chrom: "chr21".into(),
        copies: 4,
        b_copies: 2,
    });
    v
}

/// A near-haploid clone: one copy of every chromosome except the usual disomies (X, 14, 18, 21).
pub fn near_haploid(panel: &Panel) -> Vec<ChromosomeCopies> {
    panel
        .contigs()
        .into_iter()
        .filter(|c| !["chrX", "chr14", "chr18", "chr21", "chrY", "chrM"].contains(&c.as_str()))
        .map(|c| ChromosomeCopies {
            chrom: c,
            copies: 1,
            b_copies: 0,
        })
        .collect()
}

/// The benchmark cohort: `normals` for the panel of normals; `negatives` lesion-free test samples;
/// one sample with every focal lesion per tumour fraction; one hyperdiploid and one near-haploid
/// sample (80% blasts).
pub fn cohort(
    panel: &Panel,
    seed: u64,
    depth: f64,
    normals: usize,
    negatives: usize,
    tfs: &[f64],
) -> Result<(Vec<SampleSpec>, Vec<CohortSample>)> {
    let pon: Vec<SampleSpec> = (0..normals)
        .map(|i| {
            plain(
                &format!("NORMAL{:02}", i + 1),
                seed + 1000 + i as u64,
                depth,
            )
        })
        .collect();
    let mut tests: Vec<CohortSample> = (0..negatives)
        .map(|i| CohortSample {
            spec: plain(&format!("NEG{:02}", i + 1), seed + 2000 + i as u64, depth),
            expected: vec![],
            ploidy: "none".into(),
        })
        .collect();
    for (k, tf) in tfs.iter().enumerate() {
        let mut s = plain(&format!("FOCAL_TF{tf}"), seed + 3000 + k as u64, depth);
        s.tumor_fraction = *tf;
        let expected = focal_lesions(panel, &mut s)?;
        tests.push(CohortSample {
            spec: s,
            expected,
            ploidy: "none".into(),
        });
    }
    let mut h = plain("HYPERDIPLOID", seed + 4000, depth);
    h.tumor_fraction = 0.8;
    h.chromosomes = hyperdiploid();
    tests.push(CohortSample {
        spec: h,
        expected: vec![],
        ploidy: "high_hyperdiploid".into(),
    });
    let mut n = plain("NEARHAPLOID", seed + 5000, depth);
    n.tumor_fraction = 0.8;
    n.chromosomes = near_haploid(panel);
    tests.push(CohortSample {
        spec: n,
        expected: vec![],
        ploidy: "near_haploid_or_low_hypodiploid".into(),
    });
    Ok((pon, tests))
}
