//! TPMT and NUDT15: genotype the defining positions from the sample's reads (through the hotspot
//! genotyper, so depth and reference checks are shared), find every star-allele diplotype the
//! unphased genotypes allow, and turn it into a CPIC phenotype and thiopurine dosing category. A
//! position that could not be called makes the gene indeterminate whenever it could change the
//! phenotype: *1 is never assumed.
use crate::model::{
    HotspotCall, HotspotStatus, PgxDosing, PgxDrugDose, PgxGene, PgxPosition, PgxResult,
};
use serde::Deserialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definitions {
    pub definitions: Meta,
    pub position: Vec<Position>,
    pub allele: Vec<Allele>,
    pub dosing: Vec<DosingRow>,
}

/// What a clinician reads for one dosing category and drug.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DosingRow {
    pub category: String,
    pub drug: String,
    pub strength: String,
    pub recommendation: String,
}

/// Categories the phenotype logic can return, and the drugs each needs a row for.
pub const CATEGORIES: [&str; 6] = [
    "normal",
    "intermediate",
    "compound_intermediate",
    "tpmt_poor",
    "nudt15_poor",
    "indeterminate",
];
pub const DRUGS: [&str; 2] = ["mercaptopurine", "thioguanine"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub name: String,
    pub version: String,
    pub source: String,
    pub min_depth: u32,
    pub het_min_vaf: f64,
    pub hom_min_vaf: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub id: String,
    pub gene: String,
    pub chrom: String,
    pub pos: u64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub alt: String,
    pub hgvs_c: String,
    /// One-letter protein change (`p.A154T`) for coding substitutions.
    #[serde(default)]
    pub protein: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allele {
    pub gene: String,
    pub name: String,
    pub function: String,
    pub variants: Vec<String>,
    pub prior: f64,
}

pub const GENES: [&str; 2] = ["TPMT", "NUDT15"];

impl Definitions {
    /// Parse and validate: every allele's variants defined, one reference (*1) per gene, functions
    /// known, and each position present as a `pgx` hotspot of the panel so it gets genotyped.
    pub fn parse(text: &str, hotspots: &[crate::panel::Hotspot]) -> Result<Definitions, String> {
        let d: Definitions = toml::from_str(text).map_err(|e| format!("pgx.toml: {e}"))?;
        let mut problems = Vec::new();
        let ids: BTreeSet<&str> = d.position.iter().map(|p| p.id.as_str()).collect();
        if ids.len() != d.position.len() {
            problems.push("duplicate position id".to_string());
        }
        for p in &d.position {
            if !hotspots.iter().any(|h| {
                h.kind == "pgx"
                    && h.chrom == p.chrom
                    && h.start == p.pos
                    && h.reference == p.reference
                    && h.alt == p.alt
            }) {
                problems.push(format!(
                    "position {} ({}:{} {}>{}) is not a pgx row of hotspots.tsv, so it would never be genotyped",
                    p.id, p.chrom, p.pos, p.reference, p.alt
                ));
            }
        }
        for g in GENES {
            let refs = d
                .allele
                .iter()
                .filter(|a| a.gene == g && a.variants.is_empty())
                .count();
            if refs != 1 {
                problems.push(format!(
                    "{g}: {refs} reference alleles (need exactly one with no variants)"
                ));
            }
        }
        for a in &d.allele {
            if !GENES.contains(&a.gene.as_str()) {
                problems.push(format!(
                    "allele {} {}: gene is not TPMT or NUDT15",
                    a.gene, a.name
                ));
            }
            if !["normal", "decreased", "no", "uncertain"].contains(&a.function.as_str()) {
                problems.push(format!(
                    "allele {} {}: unknown function {:?}",
                    a.gene, a.name, a.function
                ));
            }
            for v in &a.variants {
                if !d.position.iter().any(|p| &p.id == v && p.gene == a.gene) {
                    problems.push(format!(
                        "allele {} {}: variant {v} is not a {} position",
                        a.gene, a.name, a.gene
                    ));
                }
            }
        }
        for c in CATEGORIES {
            for drug in DRUGS {
                let n = d
                    .dosing
                    .iter()
                    .filter(|r| r.category == c && r.drug == drug)
                    .count();
                if n != 1 {
                    problems.push(format!("dosing {c}/{drug}: {n} rows (need exactly one)"));
                }
            }
        }
        for r in &d.dosing {
            if !CATEGORIES.contains(&r.category.as_str()) || !DRUGS.contains(&r.drug.as_str()) {
                problems.push(format!(
                    "dosing {}/{}: unknown category or drug (categories: {}; drugs: {})",
                    r.category,
                    r.drug,
                    CATEGORIES.join(", "),
                    DRUGS.join(", ")
                ));
            }
            if r.recommendation.trim().is_empty() {
                problems.push(format!(
                    "dosing {}/{}: empty recommendation",
                    r.category, r.drug
                ));
            }
        }
        if problems.is_empty() {
            Ok(d)
        } else {
            Err(format!("pgx.toml: {}", problems.join("; ")))
        }
    }

    /// Genotype both genes from the hotspot results and assign the dosing category.
    pub fn call(&self, hotspots: &[HotspotCall]) -> PgxResult {
        let m = &self.definitions;
        let genes: Vec<PgxGene> = GENES
            .iter()
            .map(|g| {
                let positions: Vec<PgxPosition> = self
                    .position
                    .iter()
                    .filter(|p| p.gene == *g)
                    .map(|p| {
                        let h = hotspots.iter().find(|h| {
                            h.kind == "pgx"
                                && h.chrom == p.chrom
                                && h.start == p.pos
                                && h.hgvs_c == p.hgvs_c
                        });
                        genotype_position(p, h, m)
                    })
                    .collect();
                self.diplotype(g, positions)
            })
            .collect();
        let dosing = self.dosing(&genes[0].phenotype, &genes[1].phenotype);
        let mut caveats = vec![
            "Genotypes come from the diagnostic (leukemia) sample: copy-number change or loss of heterozygosity in the blasts can distort allele fractions, and a recent transfusion adds donor DNA. Confirm from a germline sample (remission blood or buccal) before acting on a result that changes the dose.".to_string(),
            "Only the defining positions listed are tested; rarer star alleles are not excluded.".to_string(),
        ];
        for g in &genes {
            for p in &g.positions {
                if p.genotype == Some(1) && (p.vaf < 0.3 || p.vaf > 0.7) {
                    caveats.push(format!(
                        "{} {} ({}): heterozygous call at VAF {:.0}%, away from 50%: allelic imbalance in the tumour or a somatic change",
                        g.gene, p.hgvs_c, p.id, p.vaf * 100.0
                    ));
                }
            }
        }
        PgxResult {
            definitions: m.source.clone(),
            definitions_version: m.version.clone(),
            genes,
            dosing,
            caveats,
        }
    }

    fn diplotype(&self, gene: &str, positions: Vec<PgxPosition>) -> PgxGene {
        let alleles: Vec<&Allele> = self.allele.iter().filter(|a| a.gene == gene).collect();
        let count = |a: &Allele, id: &str| u8::from(a.variants.iter().any(|v| v == id));
        // every unordered pair consistent with the called positions; uncalled ones are free
        let mut fits: Vec<(f64, &Allele, &Allele)> = Vec::new();
        for (i, a) in alleles.iter().enumerate() {
            for b in &alleles[i..] {
                let ok = positions.iter().all(|p| {
                    p.genotype
                        .is_none_or(|g| count(a, &p.id) + count(b, &p.id) == g)
                });
                if ok {
                    let w = a.prior * b.prior * if std::ptr::eq(*a, *b) { 1.0 } else { 2.0 };
                    fits.push((w, a, b));
                }
            }
        }
        fits.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.name.cmp(&y.1.name)));
        let name = |a: &Allele, b: &Allele| {
            let (x, y) = if star_order(&a.name) <= star_order(&b.name) {
                (a, b)
            } else {
                (b, a)
            };
            format!("{}/{}", x.name, y.name)
        };
        let uncalled: Vec<String> = positions
            .iter()
            .filter(|p| p.genotype.is_none())
            .map(|p| format!("{} ({}, {})", p.hgvs_c, p.id, p.status))
            .collect();
        let phenos: BTreeSet<&'static str> = fits.iter().map(|(_, a, b)| phenotype(a, b)).collect();
        let mut out = PgxGene {
            gene: gene.to_string(),
            positions,
            diplotype: None,
            alternatives: vec![],
            phenotype: "Indeterminate".into(),
            status: "indeterminate".into(),
            note: String::new(),
        };
        let Some(&(_, a, b)) = fits.first() else {
            out.status = "no_match".into();
            out.note = "the genotypes match no pair of defined star alleles (a rare allele, a somatic change or an artefact): confirm by a germline test".into();
            return out;
        };
        out.alternatives = fits[1..].iter().map(|(_, x, y)| name(x, y)).collect();
        if !uncalled.is_empty() && phenos.len() > 1 {
            out.note = format!(
                "not callable at {}: the result could be any of {}; never assumed *1",
                uncalled.join(", "),
                fits.iter()
                    .map(|(_, x, y)| name(x, y))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            out.alternatives.insert(0, name(a, b));
            return out;
        }
        out.diplotype = Some(name(a, b));
        out.phenotype = phenotype(a, b).to_string();
        if fits.len() > 1 && phenos.len() > 1 {
            out.status = "ambiguous_phase".into();
            out.note = format!(
                "unphased genotypes also fit {} ({}); {} is by far the most frequent and is reported, as CPIC advises",
                out.alternatives.join(", "),
                fits[1..]
                    .iter()
                    .map(|(_, x, y)| phenotype(x, y))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join(", "),
                name(a, b)
            );
        } else {
            out.status = "called".into();
            if !uncalled.is_empty() {
                out.note = format!(
                    "not callable at {}, which cannot change the phenotype",
                    uncalled.join(", ")
                );
            }
        }
        out
    }
}

/// `*3A` sorts after `*2` and before `*10`.
fn star_order(name: &str) -> (u32, String) {
    let t = name.trim_start_matches('*');
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    (
        digits.parse().unwrap_or(u32::MAX),
        t[digits.len()..].to_string(),
    )
}

/// CPIC phenotype from the two alleles' functions (MARKERS.md 2b).
fn phenotype(a: &Allele, b: &Allele) -> &'static str {
    let mut f = [a.function.as_str(), b.function.as_str()];
    f.sort();
    match f {
        ["normal", "normal"] => "Normal Metabolizer",
        ["no", "normal"] | ["decreased", "normal"] => "Intermediate Metabolizer",
        ["no", "uncertain"] | ["decreased", "no"] | ["decreased", "decreased"] => {
            "Possible Intermediate Metabolizer"
        }
        ["no", "no"] => "Poor Metabolizer",
        _ => "Indeterminate",
    }
}

fn genotype_position(p: &Position, h: Option<&HotspotCall>, m: &Meta) -> PgxPosition {
    let mut out = PgxPosition {
        id: p.id.clone(),
        gene: p.gene.clone(),
        hgvs_c: p.hgvs_c.clone(),
        chrom: p.chrom.clone(),
        pos: p.pos,
        reference: p.reference.clone(),
        alt: p.alt.clone(),
        depth: 0,
        alt_fragments: 0,
        vaf: 0.0,
        genotype: None,
        status: "not_covered".into(),
    };
    let Some(h) = h else { return out };
    out.depth = h.depth;
    out.alt_fragments = h.alt_fragments;
    out.vaf = h.vaf;
    out.status = match h.status {
        HotspotStatus::NotCovered => "not_covered",
        HotspotStatus::ReferenceMismatch => "reference_mismatch",
        _ if h.depth < m.min_depth => "low_depth",
        _ => "called",
    }
    .into();
    if out.status == "called" {
        out.genotype = Some(if h.vaf >= m.hom_min_vaf {
            2
        } else if h.vaf >= m.het_min_vaf {
            1
        } else {
            0
        });
    }
    out
}

fn is_im(p: &str) -> bool {
    p == "Intermediate Metabolizer" || p == "Possible Intermediate Metabolizer"
}

/// Dosing category from the two phenotypes (CPIC 2018; compound IM from the 2024 update), with
/// the words for each drug from pgx.toml. A poor metabolizer of either gene decides alone (TPMT
/// first: its reduction is the larger).
fn category(tpmt: &str, nudt15: &str) -> &'static str {
    let pm = |p: &str| p == "Poor Metabolizer";
    let nm = |p: &str| p == "Normal Metabolizer";
    if pm(tpmt) {
        "tpmt_poor"
    } else if pm(nudt15) {
        "nudt15_poor"
    } else if tpmt == "Indeterminate" || nudt15 == "Indeterminate" {
        "indeterminate"
    } else if is_im(tpmt) && is_im(nudt15) {
        "compound_intermediate"
    } else if is_im(tpmt) || is_im(nudt15) {
        "intermediate"
    } else if nm(tpmt) && nm(nudt15) {
        "normal"
    } else {
        "indeterminate"
    }
}

impl Definitions {
    fn dosing(&self, tpmt: &str, nudt15: &str) -> PgxDosing {
        let category = category(tpmt, nudt15);
        PgxDosing {
            category: category.into(),
            drugs: self
                .dosing
                .iter()
                .filter(|r| r.category == category)
                .map(|r| PgxDrugDose {
                    drug: r.drug.clone(),
                    recommendation: r.recommendation.clone(),
                    strength: r.strength.clone(),
                })
                .collect(),
            source: self.definitions.source.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::Panel;

    #[test]
    fn a_dosing_table_missing_a_drug_is_refused() {
        let p = Panel::load("all-v1").unwrap();
        let text = include_str!("../../reference-panels/all-v1/pgx.toml");
        let cut = text.rfind("[[dosing]]").unwrap();
        let e = Definitions::parse(&text[..cut], &p.hotspots).unwrap_err();
        assert!(
            e.contains("dosing indeterminate/thioguanine: 0 rows"),
            "{e}"
        );
    }

    fn defs() -> Definitions {
        let p = Panel::load("all-v1").unwrap();
        p.pgx.clone()
    }

    /// Hotspot results with the given VAF per position id (others reference at 300x).
    fn hs(d: &Definitions, vafs: &[(&str, f64)], depth: u32) -> Vec<HotspotCall> {
        d.position
            .iter()
            .map(|p| {
                let vaf = vafs
                    .iter()
                    .find(|(id, _)| *id == p.id)
                    .map(|x| x.1)
                    .unwrap_or(0.0);
                HotspotCall {
                    gene: p.gene.clone(),
                    name: p.id.clone(),
                    hgvs_c: p.hgvs_c.clone(),
                    kind: "pgx".into(),
                    chrom: p.chrom.clone(),
                    start: p.pos,
                    end: p.pos + p.reference.len() as u64 - 1,
                    depth,
                    ref_fragments: 0,
                    alt_fragments: (vaf * depth as f64) as u32,
                    vaf,
                    limit_of_detection: None,
                    status: HotspotStatus::NotDetected,
                    calls: vec![],
                }
            })
            .collect()
    }

    #[test]
    fn reference_genotypes_are_normal_with_a_normal_dose() {
        let d = defs();
        let r = d.call(&hs(&d, &[], 300));
        assert_eq!(r.genes[0].diplotype.as_deref(), Some("*1/*1"));
        assert_eq!(r.genes[1].phenotype, "Normal Metabolizer");
        assert_eq!(r.dosing.category, "normal");
    }

    #[test]
    fn tpmt_double_heterozygote_is_the_cpic_ambiguity() {
        let d = defs();
        let r = d.call(&hs(&d, &[("rs1800460", 0.5), ("rs1142345", 0.48)], 300));
        let t = &r.genes[0];
        assert_eq!(t.diplotype.as_deref(), Some("*1/*3A"));
        assert_eq!(t.alternatives, vec!["*3B/*3C"]);
        assert_eq!(t.status, "ambiguous_phase");
        assert_eq!(t.phenotype, "Intermediate Metabolizer");
        assert_eq!(r.dosing.category, "intermediate");
        let r = d.call(&hs(&d, &[("rs1800460", 1.0), ("rs1142345", 1.0)], 300));
        assert_eq!(r.genes[0].diplotype.as_deref(), Some("*3A/*3A"));
        assert_eq!(r.dosing.category, "tpmt_poor");
    }

    #[test]
    fn nudt15_alleles_and_compound_intermediates() {
        let d = defs();
        let r = d.call(&hs(
            &d,
            &[("rs116855232", 0.5), ("rs746071566_ins", 0.5)],
            300,
        ));
        assert_eq!(r.genes[1].diplotype.as_deref(), Some("*1/*2"));
        assert_eq!(r.genes[1].alternatives, vec!["*3/*6"]);
        let r = d.call(&hs(&d, &[("rs116855232", 1.0)], 300));
        assert_eq!(r.genes[1].diplotype.as_deref(), Some("*3/*3"));
        assert_eq!(r.dosing.category, "nudt15_poor");
        // each thiopurine gets its own CPIC wording
        let words: Vec<(&str, &str)> = r
            .dosing
            .drugs
            .iter()
            .map(|d| (d.drug.as_str(), d.recommendation.as_str()))
            .collect();
        assert_eq!(words.len(), 2);
        assert!(words[0].0 == "mercaptopurine" && words[0].1.contains("10 mg/m²/day"));
        assert!(words[1].0 == "thioguanine" && words[1].1.contains("25% of the normal dose"));
        let r = d.call(&hs(&d, &[("rs116855232", 0.5), ("rs1142345", 0.5)], 300));
        assert_eq!(
            (
                r.genes[0].diplotype.as_deref(),
                r.genes[1].diplotype.as_deref()
            ),
            (Some("*1/*3C"), Some("*1/*3"))
        );
        assert_eq!(r.dosing.category, "compound_intermediate");
        let r = d.call(&hs(&d, &[("rs147390019", 0.5)], 300));
        assert_eq!(r.genes[1].phenotype, "Indeterminate");
        assert_eq!(r.dosing.category, "indeterminate");
    }

    #[test]
    fn uncalled_positions_never_default_to_star_one() {
        let d = defs();
        let mut h = hs(&d, &[], 300);
        h.iter_mut().find(|x| x.name == "rs1800584").unwrap().depth = 5;
        let r = d.call(&h);
        assert_eq!(r.genes[0].diplotype, None);
        assert_eq!(r.genes[0].status, "indeterminate");
        assert!(
            r.genes[0].note.contains("c.626-1G>A"),
            "{}",
            r.genes[0].note
        );
        assert_eq!(r.dosing.category, "indeterminate");
    }

    #[test]
    fn unknown_allele_references_are_refused() {
        let p = Panel::load("all-v1").unwrap();
        let text = include_str!("../../reference-panels/all-v1/pgx.toml")
            .replace("variants = [\"rs1800462\"]", "variants = [\"rs0\"]");
        let e = Definitions::parse(&text, &p.hotspots).unwrap_err();
        assert!(e.contains("variant rs0 is not a TPMT position"), "{e}");
    }
}
