//! Fusions, copy number, PGx, classification (subtype, risk groups) and the marker-level 2×2
//! table of two reports of one sample.
use super::stats::TwoByTwo;
use crate::model::{CnvState, FusionCall, FusionStatus, HotspotStatus, Library};
use crate::report::Report;
use serde::{Deserialize, Serialize};

/// The classification row that informs but is not a result: a pass/warn difference in QC does
/// not make two labs' results disagree.
pub const QC_VERDICT: &str = "QC verdict";

/// A fusion call reduced to what two labs can compare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FusionEvidence {
    pub id: String,
    pub name: String,
    pub library: Library,
    /// `chrom:pos` of the 5′ and 3′ breakpoints.
    pub five_prime: String,
    pub three_prime: String,
    /// Exons kept at the junction (5′ partner's last, 3′ partner's first).
    pub exon5: Option<u32>,
    pub exon3: Option<u32>,
    pub split_reads: u32,
    pub spanning_pairs: u32,
    pub known: bool,
    pub filters: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FusionMatch {
    pub name: String,
    pub reference: FusionEvidence,
    pub test: FusionEvidence,
    /// `breakpoints` (DNA, both ends within tolerance), `exons` (same junction exons, e.g. DNA
    /// vs RNA), or `gene_pair` (same partners, junction differs or unknown).
    pub basis: String,
    /// Base distance of the 5′ and 3′ breakpoints when both are DNA on the same contigs.
    pub distance5: Option<u64>,
    pub distance3: Option<u64>,
    pub breakpoints_agree: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FusionDiscordant {
    pub found_by: String,
    pub fusion: FusionEvidence,
    /// The other lab's filtered call of the same pair, if any.
    pub other_filtered: Option<FusionEvidence>,
    /// The other lab's result for the known fusion: status, depth, detection limit.
    pub other_target: Option<FusionTargetEvidence>,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FusionTargetEvidence {
    pub status: FusionStatus,
    pub depth5: f64,
    pub depth3: f64,
    pub limit_of_detection: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FusionComparison {
    pub tolerance_bp: u64,
    pub matched: Vec<FusionMatch>,
    pub reference_only: Vec<FusionDiscordant>,
    pub test_only: Vec<FusionDiscordant>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CnvEvidence {
    pub id: String,
    pub gene: String,
    pub state: String,
    pub exons: String,
    pub log2: f64,
    pub copy_number: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CnvMatch {
    pub gene: String,
    pub reference: CnvEvidence,
    pub test: CnvEvidence,
    pub same_exons: bool,
    pub same_state: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CnvDiscordant {
    pub found_by: String,
    pub call: CnvEvidence,
    /// The other lab's mean log2 ratio over the same exons (None where not measured).
    pub other_log2: Option<f64>,
    pub other_filtered: Option<CnvEvidence>,
    pub explanation: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CnvComparison {
    pub matched: Vec<CnvMatch>,
    pub reference_only: Vec<CnvDiscordant>,
    pub test_only: Vec<CnvDiscordant>,
}

/// One categorical result in both labs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CategoryComparison {
    pub item: String,
    pub reference: Option<String>,
    pub test: Option<String>,
    /// None when either lab has no value (not assessed, provisional without an input).
    pub agree: Option<bool>,
    pub note: Option<String>,
}

/// One panel marker: positive, negative or not evaluable (None) in each lab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MarkerRow {
    pub marker: String,
    /// `hotspot`, `fusion`, `copy_number`.
    pub kind: String,
    pub reference: Option<bool>,
    pub test: Option<bool>,
    pub agree: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MarkerComparison {
    pub rows: Vec<MarkerRow>,
    /// Over rows evaluable in both labs.
    pub table: TwoByTwo,
    pub by_kind: Vec<(String, TwoByTwo)>,
    pub kappa: Option<f64>,
}

fn fusion_evidence(f: &FusionCall) -> FusionEvidence {
    FusionEvidence {
        id: f.id.clone(),
        name: f.name.clone(),
        library: f.library,
        five_prime: format!("{}:{}", f.five_prime.chrom, f.five_prime.pos),
        three_prime: format!("{}:{}", f.three_prime.chrom, f.three_prime.pos),
        exon5: f.five_prime.exon,
        exon3: f.three_prime.exon,
        split_reads: f.split_reads,
        spanning_pairs: f.spanning_pairs,
        known: f.known,
        filters: f.filters.clone(),
    }
}

/// One passing call per event (a reciprocal pair is one rearrangement), known partners first.
fn fusion_events(r: &Report) -> Vec<&FusionCall> {
    let mut seen = std::collections::BTreeSet::new();
    let mut v: Vec<&FusionCall> = r
        .fusions
        .iter()
        .filter(|f| f.passes() && f.gene5.is_some() && f.gene3.is_some())
        .collect();
    v.sort_by_key(|f| !f.known);
    v.into_iter()
        .filter(|f| seen.insert(f.event_id.clone()))
        .collect()
}

/// Names of an event's fusions (itself and its reciprocal).
fn event_names<'a>(r: &'a Report, f: &'a FusionCall) -> Vec<&'a str> {
    r.fusions
        .iter()
        .filter(|g| g.event_id == f.event_id)
        .map(|g| g.name.as_str())
        .collect()
}

pub fn compare_fusions(a: &Report, b: &Report, tolerance: u64) -> FusionComparison {
    let ea = fusion_events(a);
    let eb = fusion_events(b);
    let mut used_b = vec![false; eb.len()];
    let mut out = FusionComparison {
        tolerance_bp: tolerance,
        ..Default::default()
    };
    let mut unmatched_a = Vec::new();
    for fa in &ea {
        let names_a = event_names(a, fa);
        // the test call of the same pair (either direction of a reciprocal event)
        let hit = eb
            .iter()
            .enumerate()
            .find(|(j, fb)| !used_b[*j] && event_names(b, fb).iter().any(|n| names_a.contains(n)));
        let Some((j, fb)) = hit else {
            unmatched_a.push(*fa);
            continue;
        };
        used_b[j] = true;
        // compare the same orientation: the test call of the reference call's name if there is one
        let fb = b
            .fusions
            .iter()
            .find(|g| g.event_id == fb.event_id && g.name == fa.name)
            .unwrap_or(fb);
        let dna = fa.library == Library::Dna && fb.library == Library::Dna;
        let dist = |x: &crate::model::Breakpoint, y: &crate::model::Breakpoint| {
            (x.chrom == y.chrom).then(|| x.pos.abs_diff(y.pos))
        };
        let (d5, d3) = if dna {
            (
                dist(&fa.five_prime, &fb.five_prime),
                dist(&fa.three_prime, &fb.three_prime),
            )
        } else {
            (None, None)
        };
        let exons_known = fa.five_prime.exon.is_some() && fa.three_prime.exon.is_some();
        let same_exons = exons_known
            && (fa.five_prime.exon, fa.three_prime.exon)
                == (fb.five_prime.exon, fb.three_prime.exon);
        let within = matches!((d5, d3), (Some(x), Some(y)) if x <= tolerance && y <= tolerance);
        let (basis, agree) = if dna && within {
            ("breakpoints", true)
        } else if !dna && same_exons {
            ("exons", true)
        } else {
            ("gene_pair", false)
        };
        out.matched.push(FusionMatch {
            name: fa.name.clone(),
            reference: fusion_evidence(fa),
            test: fusion_evidence(fb),
            basis: basis.into(),
            distance5: d5,
            distance3: d3,
            breakpoints_agree: agree,
        });
    }
    let discordant = |found_by: &str, f: &FusionCall, other: &Report| {
        let other_filtered = other
            .fusions
            .iter()
            .find(|g| !g.passes() && g.name == f.name)
            .map(fusion_evidence);
        let other_target = other
            .fusion_targets
            .iter()
            .find(|t| t.name == f.name)
            .map(|t| FusionTargetEvidence {
                status: t.status,
                depth5: t.depth5,
                depth3: t.depth3,
                limit_of_detection: t.limit_of_detection,
            });
        let o = super::other_lab(found_by);
        let explanation = match (&other_filtered, &other_target) {
            (Some(g), _) => format!(
                "the {o} lab saw {} ({} split reads, {} pairs) but filtered it: {}",
                g.name,
                g.split_reads,
                g.spanning_pairs,
                g.filters.join(", ")
            ),
            (None, Some(t))
                if matches!(
                    t.status,
                    FusionStatus::InsufficientDepth | FusionStatus::NotCovered
                ) =>
            {
                format!(
                    "the {o} lab could not test it ({:?}, depth {:.0}x/{:.0}x)",
                    t.status, t.depth5, t.depth3
                )
            }
            (None, Some(t)) => format!(
                "the {o} lab tested it and found nothing (depth {:.0}x/{:.0}x, detection limit {})",
                t.depth5,
                t.depth3,
                t.limit_of_detection
                    .map_or("n/a".into(), |l| format!("{:.1}%", 100.0 * l))
            ),
            (None, None) => format!("not a panel fusion; the {o} lab did not report it"),
        };
        FusionDiscordant {
            found_by: found_by.into(),
            fusion: fusion_evidence(f),
            other_filtered,
            other_target,
            explanation,
        }
    };
    out.reference_only = unmatched_a
        .into_iter()
        .map(|f| discordant("reference", f, b))
        .collect();
    out.test_only = eb
        .iter()
        .enumerate()
        .filter(|(j, _)| !used_b[*j])
        .map(|(_, f)| discordant("test", f, a))
        .collect();
    out
}

fn is_change(s: CnvState) -> bool {
    matches!(s, CnvState::Del | CnvState::Homdel | CnvState::Amp)
}

fn cnv_evidence(c: &crate::model::CopyNumberCall) -> CnvEvidence {
    CnvEvidence {
        id: c.id.clone(),
        gene: c.gene.clone(),
        state: c.state.name().into(),
        exons: c.exon_label(),
        log2: c.log2,
        copy_number: c.copy_number,
    }
}

pub fn compare_cnv(a: &Report, b: &Report) -> CnvComparison {
    let calls = |r: &Report| -> Vec<crate::model::CopyNumberCall> {
        r.copy_number
            .calls
            .iter()
            .filter(|c| c.passed() && is_change(c.state))
            .cloned()
            .collect()
    };
    let (ca, cb) = (calls(a), calls(b));
    let mut used_b = vec![false; cb.len()];
    let mut out = CnvComparison::default();
    let mut only_a = Vec::new();
    for x in &ca {
        let hit = cb.iter().enumerate().find(|(j, y)| {
            !used_b[*j]
                && y.gene == x.gene
                && y.state.is_loss() == x.state.is_loss()
                && y.first_exon <= x.last_exon
                && x.first_exon <= y.last_exon
        });
        match hit {
            Some((j, y)) => {
                used_b[j] = true;
                out.matched.push(CnvMatch {
                    gene: x.gene.clone(),
                    reference: cnv_evidence(x),
                    test: cnv_evidence(y),
                    same_exons: (x.first_exon, x.last_exon) == (y.first_exon, y.last_exon),
                    same_state: x.state == y.state,
                });
            }
            None => only_a.push(x),
        }
    }
    let discordant = |found_by: &str, c: &crate::model::CopyNumberCall, other: &Report| {
        let exons: Vec<f64> = other
            .copy_number
            .genes
            .iter()
            .filter(|g| g.gene == c.gene)
            .flat_map(|g| g.exons.iter())
            .filter(|e| (c.first_exon..=c.last_exon).contains(&e.exon) && e.log2.is_finite())
            .map(|e| e.log2)
            .collect();
        let other_log2 =
            (!exons.is_empty()).then(|| exons.iter().sum::<f64>() / exons.len() as f64);
        let other_filtered = other
            .copy_number
            .calls
            .iter()
            .find(|o| {
                !o.passed()
                    && o.gene == c.gene
                    && is_change(o.state)
                    && o.first_exon <= c.last_exon
                    && c.first_exon <= o.last_exon
            })
            .map(cnv_evidence);
        let o = super::other_lab(found_by);
        let explanation = match (&other_filtered, other_log2) {
            (Some(f), _) => format!(
                "the {o} lab saw {} {} exons {} but filtered it",
                f.gene, f.state, f.exons
            ),
            (None, Some(l)) => format!(
                "the {o} lab measured log2 {l:.2} over exons {} (here {:.2})",
                c.exon_label(),
                c.log2
            ),
            (None, None) => format!("the {o} lab did not measure these exons"),
        };
        CnvDiscordant {
            found_by: found_by.into(),
            call: cnv_evidence(c),
            other_log2,
            other_filtered,
            explanation,
        }
    };
    out.reference_only = only_a
        .into_iter()
        .map(|c| discordant("reference", c, b))
        .collect();
    out.test_only = cb
        .iter()
        .enumerate()
        .filter(|(j, _)| !used_b[*j])
        .map(|(_, c)| discordant("test", c, a))
        .collect();
    out
}

fn category(
    item: &str,
    a: Option<String>,
    b: Option<String>,
    note: Option<String>,
) -> CategoryComparison {
    let agree = match (&a, &b) {
        (Some(x), Some(y)) => Some(x == y),
        _ => None,
    };
    CategoryComparison {
        item: item.into(),
        reference: a,
        test: b,
        agree,
        note,
    }
}

pub fn compare_pgx(a: &Report, b: &Report) -> Vec<CategoryComparison> {
    let mut out = Vec::new();
    let genes: std::collections::BTreeSet<&str> = a
        .pgx
        .genes
        .iter()
        .chain(&b.pgx.genes)
        .map(|g| g.gene.as_str())
        .collect();
    for gene in genes {
        let ga = a.pgx.genes.iter().find(|g| g.gene == gene);
        let gb = b.pgx.genes.iter().find(|g| g.gene == gene);
        let note = match (ga, gb) {
            (Some(x), Some(y)) if x.status != y.status => {
                Some(format!("status {} vs {}", x.status, y.status))
            }
            _ => None,
        };
        out.push(category(
            &format!("{gene} diplotype"),
            ga.and_then(|g| g.diplotype.clone()),
            gb.and_then(|g| g.diplotype.clone()),
            note,
        ));
        out.push(category(
            &format!("{gene} phenotype"),
            ga.map(|g| g.phenotype.clone()),
            gb.map(|g| g.phenotype.clone()),
            None,
        ));
    }
    out.push(category(
        "thiopurine dosing category",
        Some(a.pgx.dosing.category.clone()),
        Some(b.pgx.dosing.category.clone()),
        None,
    ));
    out
}

pub fn compare_classification(a: &Report, b: &Report) -> Vec<CategoryComparison> {
    let subtypes = |r: &Report| {
        Some(if r.risk.subtypes.is_empty() {
            "none".to_string()
        } else {
            r.risk.subtypes.join("; ")
        })
    };
    let mut out = vec![category("subtype", subtypes(a), subtypes(b), None)];
    let mut ids: Vec<&str> = a.risk.outputs.iter().map(|o| o.id.as_str()).collect();
    for o in &b.risk.outputs {
        if !ids.contains(&o.id.as_str()) {
            ids.push(&o.id);
        }
    }
    for id in ids {
        let oa = a.risk.outputs.iter().find(|o| o.id == id);
        let ob = b.risk.outputs.iter().find(|o| o.id == id);
        let prov = |o: Option<&crate::model::RiskOutput>| o.is_some_and(|o| o.provisional);
        let note = (prov(oa) || prov(ob)).then(|| {
            format!(
                "provisional in {}",
                match (prov(oa), prov(ob)) {
                    (true, true) => "both labs",
                    (true, false) => "the reference lab",
                    _ => "the test lab",
                }
            )
        });
        out.push(category(
            &format!("risk: {id}"),
            oa.and_then(|o| o.value.clone()),
            ob.and_then(|o| o.value.clone()),
            note,
        ));
    }
    let assessable = |s: &str| (s != "not_assessable").then(|| s.to_string());
    out.push(category(
        "IKZF1plus",
        assessable(&a.copy_number.ikzf1plus.status),
        assessable(&b.copy_number.ikzf1plus.status),
        None,
    ));
    out.push(category(
        "ploidy signal",
        assessable(&a.copy_number.ploidy.pattern),
        assessable(&b.copy_number.ploidy.pattern),
        None,
    ));
    out.push(category(
        QC_VERDICT,
        Some(format!("{:?}", a.qc.verdict).to_lowercase()),
        Some(format!("{:?}", b.qc.verdict).to_lowercase()),
        None,
    ));
    out
}

/// Every panel marker in both labs. Positives are reported calls; negatives are tested and not
/// found; anything else (low depth, not covered, reference mismatch, filtered) is not evaluable.
pub fn compare_markers(a: &Report, b: &Report) -> MarkerComparison {
    type Calls = std::collections::BTreeMap<(String, String), Option<bool>>;
    let markers = |r: &Report| -> Calls {
        let mut m = Calls::new();
        for h in r.hotspots.iter().filter(|h| h.kind != "pgx") {
            let v = match h.status {
                HotspotStatus::Detected | HotspotStatus::OtherChange => Some(true),
                HotspotStatus::NotDetected => Some(false),
                _ => None,
            };
            m.insert(("hotspot".into(), format!("{} {}", h.gene, h.name)), v);
        }
        for t in &r.fusion_targets {
            let v = match t.status {
                FusionStatus::Detected => Some(true),
                FusionStatus::NotDetected => Some(false),
                _ => None,
            };
            m.insert(("fusion".into(), t.name.clone()), v);
        }
        for g in &r.copy_number.genes {
            let calls: Vec<_> = r
                .copy_number
                .calls
                .iter()
                .filter(|c| c.gene == g.gene)
                .collect();
            let v = if calls.iter().any(|c| c.passed() && is_change(c.state)) {
                Some(true)
            } else if calls.iter().any(|c| c.state == CnvState::NoCoverage) || calls.is_empty() {
                None
            } else {
                Some(false)
            };
            m.insert(("copy_number".into(), g.gene.clone()), v);
        }
        m
    };
    let (ma, mb) = (markers(a), markers(b));
    let mut out = MarkerComparison::default();
    let mut kinds: std::collections::BTreeMap<String, TwoByTwo> = Default::default();
    let keys: std::collections::BTreeSet<&(String, String)> = ma.keys().chain(mb.keys()).collect();
    for k in keys {
        let (x, y) = (ma.get(k).copied().flatten(), mb.get(k).copied().flatten());
        let agree = x.zip(y).map(|(x, y)| x == y);
        if let (Some(x), Some(y)) = (x, y) {
            out.table.add(x, y);
            kinds.entry(k.0.clone()).or_default().add(x, y);
        }
        out.rows.push(MarkerRow {
            marker: k.1.clone(),
            kind: k.0.clone(),
            reference: x,
            test: y,
            agree,
        });
    }
    out.kappa = out.table.kappa();
    out.by_kind = kinds.into_iter().collect();
    out
}
