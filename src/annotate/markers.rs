//! The marker knowledge base (`markers.toml`): loading with validation (a bad row is refused with its
//! line and reason), and matching calls of every kind against it. The tier of each implication
//! follows from its evidence level, so tiers cannot contradict the evidence they cite.
use crate::call::cnv::CnvCalls;
use crate::model::{
    CnvState, Finding, FusionCall, Implication, KnowledgeBaseRef, SmallVariant, Source,
    VariantAnnotation,
};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct KbFile {
    knowledge_base: KbMeta,
    sources: BTreeMap<String, String>,
    marker: Vec<Marker>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct KbMeta {
    name: String,
    version: String,
    date: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    pub id: String,
    pub kind: String,
    #[serde(default)]
    pub gene: Option<String>,
    #[serde(default)]
    pub gene5: Option<String>,
    #[serde(default)]
    pub gene3: Option<String>,
    #[serde(default)]
    pub changes: Vec<String>,
    #[serde(default)]
    pub codons: Vec<String>,
    #[serde(default)]
    pub classes: Vec<String>,
    #[serde(default)]
    pub exons: Vec<u32>,
    #[serde(default)]
    pub residues: Option<[u64; 2]>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub min_copies: Option<f64>,
    #[serde(default)]
    pub intragenic: Option<bool>,
    #[serde(default)]
    pub pattern: Option<String>,
    pub lesion: String,
    pub subtype_defining: bool,
    #[serde(default)]
    pub who_haem5: Option<String>,
    #[serde(default)]
    pub icc_2022: Option<String>,
    pub prognosis: String,
    pub verified: bool,
    pub sources: Vec<String>,
    pub implications: Vec<Implication>,
}

const KINDS: &[&str] = &[
    "fusion",
    "variant",
    "gene_class",
    "copy_number",
    "ikzf1plus",
    "ploidy",
];
const PROGNOSES: &[&str] = &[
    "favourable",
    "intermediate",
    "adverse",
    "very_adverse",
    "uncertain",
];
const CLASSES: &[&str] = &["truncating", "missense", "inframe"];
const STATES: &[&str] = &["loss", "homdel", "amp"];
const PLOIDY: &[&str] = &["high_hyperdiploid", "near_haploid_or_low_hypodiploid"];

/// AMP/ASCO/CAP 2017: levels A and B are Tier I, C and D Tier II.
fn tier_of(level: &str) -> Option<&'static str> {
    match level {
        "A" | "B" => Some("I"),
        "C" | "D" => Some("II"),
        _ => None,
    }
}

#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    pub reference: KnowledgeBaseRef,
    pub date: String,
    pub sources: BTreeMap<String, String>,
    pub markers: Vec<Marker>,
}

/// Genes, exon counts and protein lengths the knowledge base may refer to.
pub struct PanelGenes {
    pub genes: BTreeSet<String>,
    /// gene -> protein length in residues (coding genes only)
    pub protein_length: BTreeMap<String, u64>,
    pub exon_count: BTreeMap<String, u32>,
}

impl PanelGenes {
    pub fn of(panel: &crate::panel::Panel) -> PanelGenes {
        let mut genes: BTreeSet<String> = panel
            .manifest
            .genes
            .iter()
            .map(|g| g.name.clone())
            .collect();
        for f in &panel.fusions {
            genes.insert(f.gene5.clone());
            genes.insert(f.gene3.clone());
        }
        let mut protein_length = BTreeMap::new();
        let mut exon_count = BTreeMap::new();
        for t in super::transcript::Transcript::from_panel(panel) {
            if let Some(n) = t.cds_length() {
                protein_length.insert(t.gene.clone(), n / 3 - 1);
            }
            exon_count.insert(t.gene.clone(), t.exons.len() as u32);
        }
        PanelGenes {
            genes,
            protein_length,
            exon_count,
        }
    }
}

/// `P80R` -> (P, 80, Some(R)); `G12` -> (G, 12, None).
fn parse_change(s: &str) -> Option<(char, u64, Option<char>)> {
    let mut it = s.chars();
    let aa = it.next().filter(|c| c.is_ascii_uppercase())?;
    let rest: String = it.collect();
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let pos = digits.parse().ok()?;
    let tail: Vec<char> = rest[digits.len()..].chars().collect();
    match tail.as_slice() {
        [] => Some((aa, pos, None)),
        [c] if c.is_ascii_uppercase() || *c == '*' => Some((aa, pos, Some(*c))),
        _ => None,
    }
}

impl KnowledgeBase {
    /// Every marker ID (what risk rules may name in `finding("...")`).
    pub fn marker_ids(&self) -> std::collections::BTreeSet<String> {
        self.markers.iter().map(|m| m.id.clone()).collect()
    }

    /// Placeholder while the panel that validates the real one is being built.
    pub fn empty() -> KnowledgeBase {
        KnowledgeBase {
            reference: KnowledgeBaseRef {
                name: String::new(),
                version: String::new(),
                sha256: String::new(),
            },
            date: String::new(),
            sources: BTreeMap::new(),
            markers: vec![],
        }
    }

    /// Parse and validate. Errors name the marker, its line in the file, and the reason.
    pub fn parse(text: &str, genes: &PanelGenes) -> Result<KnowledgeBase, String> {
        let file: KbFile = toml::from_str(text).map_err(|e| format!("markers.toml: {e}"))?;
        let line_of = |id: &str| {
            let needle = format!("id = \"{id}\"");
            text.lines()
                .position(|l| l.trim() == needle)
                .map(|i| i + 1)
                .unwrap_or(0)
        };
        let mut problems = Vec::new();
        let mut seen = BTreeSet::new();
        for (k, v) in &file.sources {
            if v.trim().is_empty() {
                problems.push(format!("source {k} has no citation"));
            }
        }
        for m in &file.marker {
            let line = line_of(&m.id);
            let mut bad = |reason: String| {
                problems.push(format!(
                    "markers.toml line {line}: marker {}: {reason}",
                    m.id
                ))
            };
            if !seen.insert(m.id.clone()) {
                bad("duplicate id".into());
            }
            if !KINDS.contains(&m.kind.as_str()) {
                bad(format!(
                    "unknown kind {:?} (one of {})",
                    m.kind,
                    KINDS.join(", ")
                ));
            }
            if !PROGNOSES.contains(&m.prognosis.as_str()) {
                bad(format!(
                    "unknown prognosis {:?} (one of {})",
                    m.prognosis,
                    PROGNOSES.join(", ")
                ));
            }
            if m.sources.is_empty() {
                bad("no source".into());
            }
            for s in &m.sources {
                if !file.sources.contains_key(s) {
                    bad(format!("source {s:?} is not defined in [sources]"));
                }
            }
            if m.implications.is_empty() {
                bad("no implication".into());
            }
            for i in &m.implications {
                if !["diagnostic", "prognostic", "therapeutic"].contains(&i.kind.as_str()) {
                    bad(format!(
                        "implication type {:?} is not diagnostic, prognostic or therapeutic",
                        i.kind
                    ));
                }
                if tier_of(&i.level).is_none() {
                    bad(format!("evidence level {:?} is not A, B, C or D", i.level));
                }
                if i.kind == "therapeutic" && i.drug.as_deref().is_none_or(|d| d.trim().is_empty())
                {
                    bad("therapeutic implication without a drug".into());
                }
                if i.text.trim().is_empty() {
                    bad("implication without text".into());
                }
            }
            let known = |g: &str| genes.genes.contains(g);
            match m.kind.as_str() {
                "fusion" => {
                    let (g5, g3) = (m.gene5.as_deref(), m.gene3.as_deref());
                    match (g5, g3) {
                        (Some("*"), Some("*")) => {
                            bad("a fusion needs at least one named partner".into())
                        }
                        (Some(a), Some(b)) => {
                            for g in [a, b] {
                                if g != "*" && !known(g) {
                                    bad(format!("gene {g} is not on the panel"));
                                }
                            }
                        }
                        _ => bad("a fusion needs gene5 and gene3".into()),
                    }
                }
                "variant" | "gene_class" | "copy_number" => {
                    let Some(g) = m.gene.as_deref() else {
                        bad("no gene".into());
                        continue;
                    };
                    if !known(g) {
                        bad(format!("gene {g} is not on the panel"));
                        continue;
                    }
                    let len = genes.protein_length.get(g).copied();
                    if m.kind == "variant" {
                        if m.changes.is_empty() && m.codons.is_empty() {
                            bad("a variant row needs changes or codons".into());
                        }
                        for c in m.changes.iter().chain(&m.codons) {
                            match parse_change(c) {
                                None => bad(format!("{c:?} is not a protein change such as P80R or a codon such as G12")),
                                Some((_, p, _)) if len.is_some_and(|l| p > l) => bad(format!(
                                    "{c} lies beyond the {} residues of {g}'s pinned transcript",
                                    len.unwrap_or(0)
                                )),
                                Some((_, _, alt)) => {
                                    if m.changes.contains(c) && alt.is_none() {
                                        bad(format!("change {c} names no new residue (use codons for any change)"));
                                    }
                                }
                            }
                        }
                    }
                    if m.kind == "gene_class" {
                        if m.classes.is_empty() {
                            bad("a gene_class row needs classes".into());
                        }
                        for c in &m.classes {
                            if !CLASSES.contains(&c.as_str()) {
                                bad(format!(
                                    "unknown class {c:?} (one of {})",
                                    CLASSES.join(", ")
                                ));
                            }
                        }
                        if let (Some([a, b]), Some(l)) = (m.residues, len) {
                            if a > b || b > l {
                                bad(format!("residues {a}-{b} outside 1-{l}"));
                            }
                        }
                    }
                    if m.kind == "copy_number" {
                        if !m.state.as_deref().is_some_and(|s| STATES.contains(&s)) {
                            bad(format!(
                                "copy_number state must be one of {}",
                                STATES.join(", ")
                            ));
                        }
                        if !m.exons.is_empty() && m.exons.len() != 2 {
                            bad("exons must be [first, last]".into());
                        }
                    }
                    if let Some(n) = genes.exon_count.get(g) {
                        if let Some(e) = m.exons.iter().find(|e| **e == 0 || **e > *n) {
                            bad(format!("exon {e} does not exist ({g} has {n})"));
                        }
                    }
                }
                "ploidy" if !m.pattern.as_deref().is_some_and(|p| PLOIDY.contains(&p)) => {
                    bad(format!(
                        "ploidy pattern must be one of {}",
                        PLOIDY.join(", ")
                    ));
                }
                _ => {}
            }
        }
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        let mut markers = file.marker;
        for m in &mut markers {
            for i in &mut m.implications {
                i.tier = tier_of(&i.level).unwrap_or("II").to_string();
            }
        }
        Ok(KnowledgeBase {
            reference: KnowledgeBaseRef {
                name: file.knowledge_base.name,
                version: file.knowledge_base.version,
                sha256: crate::util::sha256_bytes(text.as_bytes()),
            },
            date: file.knowledge_base.date,
            sources: file.sources,
            markers,
        })
    }

    fn finding(&self, m: &Marker, detail: String, call_ids: Vec<String>) -> Finding {
        let tier = if m.implications.iter().any(|i| i.tier == "I") {
            "I"
        } else {
            "II"
        }
        .to_string();
        Finding {
            marker_id: m.id.clone(),
            kind: m.kind.clone(),
            lesion: m.lesion.clone(),
            detail,
            call_ids,
            subtype_defining: m.subtype_defining,
            who_haem5: m.who_haem5.clone(),
            icc_2022: m.icc_2022.clone(),
            prognosis: m.prognosis.clone(),
            verified: m.verified,
            tier,
            implications: m.implications.clone(),
            sources: m
                .sources
                .iter()
                .map(|k| Source {
                    key: k.clone(),
                    citation: self.sources.get(k).cloned().unwrap_or_default(),
                })
                .collect(),
            knowledge_base_version: self.reference.version.clone(),
        }
    }

    /// The most specific markers matching `score` (0 = no match).
    fn best(&self, score: impl Fn(&Marker) -> u32) -> Vec<&Marker> {
        let scored: Vec<(u32, &Marker)> = self
            .markers
            .iter()
            .map(|m| (score(m), m))
            .filter(|(s, _)| *s > 0)
            .collect();
        let top = scored.iter().map(|(s, _)| *s).max().unwrap_or(0);
        scored
            .into_iter()
            .filter(|(s, _)| *s == top)
            .map(|(_, m)| m)
            .collect()
    }

    /// Match every passing call against the knowledge base.
    pub fn findings(
        &self,
        variants: &[SmallVariant],
        annotations: &[VariantAnnotation],
        fusions: &[FusionCall],
        cnv: &CnvCalls,
    ) -> Vec<Finding> {
        let mut out = Vec::new();
        for (v, a) in variants.iter().zip(annotations) {
            if !v.passes() {
                continue;
            }
            for m in self.best(|m| variant_score(m, a)) {
                let mut detail = format!(
                    "{} {} {} VAF {:.1}% ({} of {} fragments)",
                    a.gene.as_deref().unwrap_or(""),
                    a.hgvs_c.as_deref().unwrap_or(""),
                    a.hgvs_p.as_deref().unwrap_or(""),
                    v.vaf * 100.0,
                    v.alt_fragments,
                    v.depth
                );
                if v.origin == "likely_germline" {
                    detail.push_str("; VAF suggests germline origin");
                }
                out.push(self.finding(m, detail, vec![v.id.clone()]));
            }
        }
        for f in fusions.iter().filter(|f| f.passes()) {
            for m in self.best(|m| fusion_score(m, f)) {
                let mut detail = format!(
                    "{} ({} split reads, {} spanning pairs",
                    f.name, f.split_reads, f.spanning_pairs
                );
                if let Some(i) = &f.isoform {
                    detail.push_str(&format!(", isoform {i}"));
                }
                detail.push(')');
                out.push(self.finding(m, detail, vec![f.id.clone()]));
            }
        }
        for c in cnv.calls.iter().filter(|c| c.passed()) {
            for m in self.best(|m| cnv_score(m, c)) {
                let detail = format!(
                    "{} {} exons {} (log2 {:.2}{})",
                    c.gene,
                    c.state.name(),
                    c.exon_label(),
                    c.log2,
                    c.copy_number
                        .map(|n| format!(", {n:.1} copies"))
                        .unwrap_or_default()
                );
                out.push(self.finding(m, detail, vec![c.id.clone()]));
            }
        }
        if cnv.ikzf1plus.status == "positive" {
            let ids: Vec<String> = cnv
                .calls
                .iter()
                .filter(|c| {
                    c.passed()
                        && c.state.is_loss()
                        && ["IKZF1", "CDKN2A", "CDKN2B", "PAX5", "P2RY8"].contains(&c.gene.as_str())
                })
                .map(|c| c.id.clone())
                .collect();
            for m in self.markers.iter().filter(|m| m.kind == "ikzf1plus") {
                out.push(self.finding(m, cnv.ikzf1plus.reason.clone(), ids.clone()));
            }
        }
        for m in self.markers.iter().filter(|m| {
            m.kind == "ploidy" && m.pattern.as_deref() == Some(cnv.ploidy.pattern.as_str())
        }) {
            out.push(self.finding(m, cnv.ploidy.note.clone(), vec!["ploidy".into()]));
        }
        out
    }
}

fn variant_score(m: &Marker, a: &VariantAnnotation) -> u32 {
    if m.gene.as_deref() != a.gene.as_deref() || a.gene.is_none() {
        return 0;
    }
    let p = a.protein_change.as_deref().unwrap_or("");
    match m.kind.as_str() {
        "variant" => {
            if m.changes.iter().any(|c| c == p) {
                return 4;
            }
            let at_codon = |c: &String| {
                p.strip_prefix(c.as_str()).is_some_and(|rest| {
                    !rest.starts_with(|x: char| x.is_ascii_digit()) && !rest.ends_with('=')
                })
            };
            if m.codons.iter().any(at_codon) {
                return 3;
            }
            0
        }
        "gene_class" => {
            let has = |t: &[&str]| a.consequences.iter().any(|c| t.contains(&c.as_str()));
            let class_ok = m.classes.iter().any(|c| match c.as_str() {
                "truncating" => has(&[
                    "stop_gained",
                    "frameshift_variant",
                    "splice_donor_variant",
                    "splice_acceptor_variant",
                    "start_lost",
                ]),
                "missense" => has(&["missense_variant"]),
                "inframe" => has(&["inframe_insertion", "inframe_deletion"]),
                _ => false,
            });
            if !class_ok {
                return 0;
            }
            let exon = a
                .exon
                .as_deref()
                .and_then(|e| e.split('/').next())
                .and_then(|e| e.parse::<u32>().ok());
            if !m.exons.is_empty() && !exon.is_some_and(|e| m.exons.contains(&e)) {
                return 0;
            }
            if let Some([lo, hi]) = m.residues {
                if !a.protein_position.is_some_and(|(s, e)| s <= hi && e >= lo) {
                    return 0;
                }
            }
            1 + u32::from(!m.exons.is_empty() || m.residues.is_some())
        }
        _ => 0,
    }
}

fn fusion_score(m: &Marker, f: &FusionCall) -> u32 {
    if m.kind != "fusion" {
        return 0;
    }
    let side = |want: Option<&str>, got: Option<&str>| match (want, got) {
        (Some("*"), _) => Some(1),
        (Some(w), Some(g)) if w == g => Some(2),
        _ => None,
    };
    match (
        side(m.gene5.as_deref(), f.gene5.as_deref()),
        side(m.gene3.as_deref(), f.gene3.as_deref()),
    ) {
        (Some(a), Some(b)) => a + b,
        _ => 0,
    }
}

fn cnv_score(m: &Marker, c: &crate::model::CopyNumberCall) -> u32 {
    if m.kind != "copy_number" || m.gene.as_deref() != Some(c.gene.as_str()) {
        return 0;
    }
    let state_ok = match m.state.as_deref() {
        Some("loss") => c.state.is_loss(),
        Some("homdel") => c.state == CnvState::Homdel,
        Some("amp") => {
            c.state == CnvState::Amp
                && m.min_copies
                    .is_none_or(|n| c.copy_number.is_some_and(|x| x >= n))
        }
        _ => false,
    };
    if !state_ok {
        return 0;
    }
    if let [a, b] = m.exons[..] {
        if (c.first_exon, c.last_exon) != (a, b) {
            return 0;
        }
    }
    if m.intragenic == Some(true) && c.first_exon == 1 && c.last_exon == c.gene_exons {
        return 0;
    }
    1 + u32::from(!m.exons.is_empty()) + u32::from(m.state.as_deref() == Some("homdel"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::Panel;

    fn kb() -> KnowledgeBase {
        let p = Panel::load("all-v1").unwrap();
        KnowledgeBase::parse(
            include_str!("../../reference-panels/all-v1/markers.toml"),
            &PanelGenes::of(&p),
        )
        .unwrap()
    }

    fn ann(gene: &str, p: &str, csq: &str, exon: &str, pos: u64) -> VariantAnnotation {
        VariantAnnotation {
            variant_id: "v".into(),
            gene: Some(gene.into()),
            transcript: None,
            consequence: csq.into(),
            consequences: vec![csq.into()],
            exon: Some(exon.into()),
            intron: None,
            hgvs_g: String::new(),
            hgvs_c: None,
            hgvs_p: None,
            protein_change: Some(p.into()),
            protein_position: Some((pos, pos)),
            other_transcripts: vec![],
        }
    }

    #[test]
    fn shipped_knowledge_base_loads_with_tiers_from_levels() {
        let k = kb();
        assert!(k.markers.len() > 40);
        let bcr = k
            .markers
            .iter()
            .find(|m| m.id == "fusion.BCR-ABL1")
            .unwrap();
        assert!(bcr.implications.iter().all(|i| i.tier == "I"));
        let kras = k
            .markers
            .iter()
            .find(|m| m.id == "variant.KRAS-hotspots")
            .unwrap();
        assert!(kras.implications.iter().all(|i| i.tier == "II"));
    }

    #[test]
    fn variants_match_the_most_specific_row() {
        let k = kb();
        let m = k.best(|m| variant_score(m, &ann("KRAS", "G12D", "missense_variant", "2/5", 12)));
        assert_eq!(
            m.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
            ["variant.KRAS-hotspots"]
        );
        assert!(k
            .best(|m| variant_score(m, &ann("KRAS", "G120D", "missense_variant", "2/5", 120)))
            .is_empty());
        assert!(k
            .best(|m| variant_score(m, &ann("KRAS", "G12=", "synonymous_variant", "2/5", 12)))
            .is_empty());
        let m = k.best(|m| variant_score(m, &ann("PAX5", "P80R", "missense_variant", "2/10", 80)));
        assert_eq!(m[0].id, "variant.PAX5-P80R");
        let m =
            k.best(|m| variant_score(m, &ann("TP53", "R175H", "missense_variant", "5/11", 175)));
        assert_eq!(m[0].id, "class.TP53-missense-DBD");
        assert!(k
            .best(|m| variant_score(m, &ann("TP53", "P47S", "missense_variant", "4/11", 47)))
            .is_empty());
        let m = k.best(|m| variant_score(m, &ann("TP53", "R213*", "stop_gained", "6/11", 213)));
        assert_eq!(m[0].id, "class.TP53-truncating");
        let m = k.best(|m| {
            variant_score(
                m,
                &ann("IL7R", "L242_L243insPPCL", "inframe_insertion", "6/8", 242),
            )
        });
        assert_eq!(m[0].id, "class.IL7R-exon6-insertion");
        assert!(k
            .best(|m| variant_score(
                m,
                &ann("IL7R", "L42_L43insPPCL", "inframe_insertion", "2/8", 42)
            ))
            .is_empty());
    }

    #[test]
    fn bad_rows_are_refused_with_line_and_reason() {
        let p = Panel::load("all-v1").unwrap();
        let g = PanelGenes::of(&p);
        let base = include_str!("../../reference-panels/all-v1/markers.toml");
        let bad = base.replace("gene = \"PAX5\"\nchanges", "gene = \"NOTAGENE\"\nchanges");
        let e = KnowledgeBase::parse(&bad, &g).unwrap_err();
        assert!(
            e.contains("variant.PAX5-P80R: gene NOTAGENE is not on the panel")
                && e.contains("line "),
            "{e}"
        );
        let dup = base.replace("id = \"fusion.TCF4-HLF\"", "id = \"fusion.TCF3-HLF\"");
        assert!(KnowledgeBase::parse(&dup, &g)
            .unwrap_err()
            .contains("duplicate id"));
        let nosrc = base.replace(
            "sources = [\"MARKERS-1a\", \"MD-ALL\", \"IntegrateALL\"]",
            "sources = []",
        );
        assert!(KnowledgeBase::parse(&nosrc, &g)
            .unwrap_err()
            .contains("no source"));
        let undef = base.replace(
            "sources = [\"MARKERS-1a\", \"MD-ALL\", \"IntegrateALL\"]",
            "sources = [\"Nobody\"]",
        );
        assert!(KnowledgeBase::parse(&undef, &g)
            .unwrap_err()
            .contains("\"Nobody\" is not defined"));
        let level = base.replacen("level = \"A\"", "level = \"E\"", 1);
        assert!(KnowledgeBase::parse(&level, &g)
            .unwrap_err()
            .contains("evidence level"));
        let far = base.replace("changes = [\"P80R\"]", "changes = [\"P800R\"]");
        assert!(KnowledgeBase::parse(&far, &g)
            .unwrap_err()
            .contains("beyond the 391 residues"));
    }
}
