//! Load and validate a panel directory (manifest, BEDs, transcripts, hotspots, fusions).
//!
//! The shipped `all-v1` panel is embedded in the binary so `--panel all-v1` works anywhere; a directory
//! with the same files is a custom panel. Every file's sha256 is checked against `panel.toml`, so an
//! edited or truncated file is refused before any sample is processed.
use crate::error::{Error, Result};
use crate::ingest::build::GenomeBuild;
use crate::model::{PanelRef, Region};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const FILES: [&str; 10] = [
    "capture.bed",
    "reportable.bed",
    "fusion_search.bed",
    "backbone.bed",
    "transcripts.tsv",
    "hotspots.tsv",
    "fusions.tsv",
    "markers.toml",
    "pgx.toml",
    "risk.toml",
];

macro_rules! embedded {
    ($($f:literal),*) => {
        &[("panel.toml", include_str!("../../reference-panels/all-v1/panel.toml")),
          $(($f, include_str!(concat!("../../reference-panels/all-v1/", $f)))),*]
    };
}
static ALL_V1: &[(&str, &str)] = embedded!(
    "capture.bed",
    "reportable.bed",
    "fusion_search.bed",
    "backbone.bed",
    "transcripts.tsv",
    "hotspots.tsv",
    "fusions.tsv",
    "markers.toml",
    "pgx.toml",
    "risk.toml"
);

/// Names accepted by `--panel` without a directory.
pub const BUILTIN: &[&str] = &["all-v1"];

#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub panel: PanelMeta,
    pub qc: QcThresholds,
    pub files: BTreeMap<String, String>,
    #[serde(rename = "gene")]
    pub genes: Vec<Gene>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PanelMeta {
    pub name: String,
    pub version: String,
    pub build: String,
    pub description: String,
}

/// Coverage thresholds; defaults follow AMP/CAP (>= 250 reads per target).
#[derive(Debug, Clone, Deserialize)]
pub struct QcThresholds {
    pub min_depth: u32,
    pub warn_depth: u32,
    pub min_fraction_at_min_depth: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Gene {
    pub name: String,
    pub roles: Vec<String>,
    pub transcript: String,
    pub chrom: String,
    pub strand: String,
    pub start: u64,
    pub end: u64,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Exon {
    pub gene: String,
    pub transcript: String,
    pub chrom: String,
    pub strand: char,
    pub number: u32,
    /// 1-based inclusive.
    pub start: u64,
    pub end: u64,
    pub cds: Option<(u64, u64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hotspot {
    pub gene: String,
    pub transcript: String,
    pub name: String,
    pub hgvs_c: String,
    pub kind: String,
    pub chrom: String,
    /// 1-based inclusive.
    pub start: u64,
    pub end: u64,
    pub reference: String,
    pub alt: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KnownFusion {
    pub gene5: String,
    pub gene3: String,
    pub subtype: String,
    pub class: String,
}

#[derive(Debug, Clone)]
pub struct Panel {
    pub manifest: Manifest,
    /// Where it came from: a built-in name or a directory.
    pub source: String,
    pub sha256: String,
    pub capture: Vec<Region>,
    pub reportable: Vec<Region>,
    pub fusion_search: Vec<Region>,
    pub backbone: Vec<Region>,
    pub exons: Vec<Exon>,
    pub hotspots: Vec<Hotspot>,
    pub fusions: Vec<KnownFusion>,
    /// Marker knowledge base (markers.toml), validated against the panel's genes and transcripts.
    pub knowledge_base: crate::annotate::markers::KnowledgeBase,
    /// TPMT/NUDT15 allele definitions (pgx.toml).
    pub pgx: crate::pgx::Definitions,
    /// Risk-stratification rules (risk.toml).
    pub risk: crate::risk::RuleSet,
}

impl Panel {
    /// `spec` is a built-in name (`all-v1`) or a panel directory.
    pub fn load(spec: &str) -> Result<Panel> {
        let files: BTreeMap<String, String> = if let Some(_n) = BUILTIN.iter().find(|n| **n == spec)
        {
            ALL_V1
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        } else {
            let dir = Path::new(spec);
            if !dir.is_dir() {
                return Err(Error::Panel {
                    panel: spec.into(),
                    reason: format!(
                        "not a built-in panel ({}) nor a directory",
                        BUILTIN.join(", ")
                    ),
                });
            }
            let mut m = BTreeMap::new();
            for f in std::iter::once("panel.toml").chain(FILES) {
                let p = dir.join(f);
                let text = std::fs::read_to_string(&p).map_err(|e| Error::Panel {
                    panel: spec.into(),
                    reason: format!("{}: {e}", p.display()),
                })?;
                m.insert(f.to_string(), text);
            }
            m
        };
        Self::from_files(spec, &files)
    }

    fn from_files(spec: &str, files: &BTreeMap<String, String>) -> Result<Panel> {
        let err = |reason: String| Error::Panel {
            panel: spec.into(),
            reason,
        };
        let manifest_text = &files["panel.toml"];
        let manifest: Manifest =
            toml::from_str(manifest_text).map_err(|e| err(format!("panel.toml: {e}")))?;
        for f in FILES {
            let want = manifest
                .files
                .get(f)
                .ok_or_else(|| err(format!("panel.toml lists no sha256 for {f}")))?;
            let got = crate::util::sha256_bytes(files[f].as_bytes());
            if &got != want {
                return Err(err(format!("{f}: sha256 {got} does not match panel.toml ({want}); the file was changed or truncated")));
            }
        }
        let bed = |f: &str| parse_bed(&files[f]).map_err(|r| err(format!("{f}: {r}")));
        let exons = parse_transcripts(&files["transcripts.tsv"])
            .map_err(|r| err(format!("transcripts.tsv: {r}")))?;
        let hotspots = parse_hotspots(&files["hotspots.tsv"])
            .map_err(|r| err(format!("hotspots.tsv: {r}")))?;
        let fusions =
            parse_fusions(&files["fusions.tsv"]).map_err(|r| err(format!("fusions.tsv: {r}")))?;
        let pgx = crate::pgx::Definitions::parse(&files["pgx.toml"], &hotspots).map_err(err)?;
        let mut panel = Panel {
            source: spec.to_string(),
            sha256: crate::util::sha256_bytes(manifest_text.as_bytes()),
            capture: bed("capture.bed")?,
            reportable: bed("reportable.bed")?,
            fusion_search: bed("fusion_search.bed")?,
            backbone: bed("backbone.bed")?,
            exons,
            hotspots,
            fusions,
            manifest,
            knowledge_base: crate::annotate::markers::KnowledgeBase::empty(),
            pgx,
            risk: crate::risk::RuleSet::empty(),
        };
        panel.knowledge_base = crate::annotate::markers::KnowledgeBase::parse(
            &files["markers.toml"],
            &crate::annotate::markers::PanelGenes::of(&panel),
        )
        .map_err(err)?;
        panel.risk =
            crate::risk::RuleSet::parse(&files["risk.toml"], &panel.knowledge_base.marker_ids())
                .map_err(|r| err(format!("risk.toml: {r}")))?;
        Ok(panel)
    }

    pub fn reference(&self) -> PanelRef {
        PanelRef {
            name: self.manifest.panel.name.clone(),
            version: self.manifest.panel.version.clone(),
            build: self.manifest.panel.build.clone(),
            sha256: self.sha256.clone(),
        }
    }

    pub fn build(&self) -> Option<GenomeBuild> {
        GenomeBuild::from_name(&self.manifest.panel.build)
    }

    /// Contigs the panel touches, in capture order.
    pub fn contigs(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.capture {
            if out.last() != Some(&r.chrom) && !out.contains(&r.chrom) {
                out.push(r.chrom.clone());
            }
        }
        out
    }

    /// Copy-number bins: every transcript exon (its own coordinates, even inside a merged capture
    /// target), each backbone window, and the rest of every capture target (tiled intronic
    /// breakpoint regions) in bins of at most 5 kb. Merged capture targets mix exons with long
    /// introns, so exon-level copy number needs the exons measured on their own. Sorted by
    /// panel contig order and position; BED coordinates.
    pub fn cnv_bins(&self) -> Vec<Region> {
        const MAX_BIN: u64 = 5_000;
        const MIN_BIN: u64 = 200;
        let mut bins: Vec<Region> = Vec::new();
        for t in &self.capture {
            // exons inside this target, clipped to it
            let mut exons: Vec<Region> = self
                .exons
                .iter()
                .filter(|e| e.chrom == t.chrom && e.start - 1 < t.end && e.end > t.start)
                .map(|e| Region {
                    chrom: t.chrom.clone(),
                    start: (e.start - 1).max(t.start),
                    end: e.end.min(t.end),
                    name: format!("{}_exon{}", e.gene, e.number),
                })
                .collect();
            exons.sort_by_key(|r| (r.start, r.end));
            exons.dedup_by(|a, b| a.start == b.start && a.end == b.end);
            // the parts of the target no exon covers, tiled
            let mut cursor = t.start;
            let mut gaps = Vec::new();
            for e in &exons {
                if e.start > cursor {
                    gaps.push((cursor, e.start));
                }
                cursor = cursor.max(e.end);
            }
            if cursor < t.end {
                gaps.push((cursor, t.end));
            }
            // intronic bins are named after the target's genes (never `_exon`, which names exon bins)
            let label = if t.name.starts_with("backbone") {
                t.name.clone()
            } else {
                format!("{}_region", Panel::target_genes(&t.name).join("+"))
            };
            for (a, b) in gaps {
                if b - a < MIN_BIN || (!exons.is_empty() && b - a < 2 * MIN_BIN) {
                    continue; // exon pads and short gaps: no bin of their own
                }
                let n = (b - a).div_ceil(MAX_BIN);
                let step = (b - a).div_ceil(n);
                for k in 0..n {
                    let s = a + k * step;
                    bins.push(Region {
                        chrom: t.chrom.clone(),
                        start: s,
                        end: (s + step).min(b),
                        name: format!("{label}_bin{}", bins.len()),
                    });
                }
            }
            bins.extend(exons);
        }
        let order = self.contigs();
        let rank = |c: &str| order.iter().position(|o| o == c).unwrap_or(usize::MAX);
        bins.sort_by(|a, b| {
            (rank(&a.chrom), a.start, a.end).cmp(&(rank(&b.chrom), b.start, b.end))
        });
        bins.dedup_by(|a, b| a.chrom == b.chrom && a.start == b.start && a.end == b.end);
        bins
    }

    /// Gene(s) a capture target belongs to, from its BED name (`IKZF1_exon4,IKZF1_intron3`).
    pub fn target_genes(name: &str) -> Vec<String> {
        let mut g: Vec<String> = name
            .split(',')
            .map(|p| p.split('_').next().unwrap_or(p).to_string())
            .collect();
        g.dedup();
        g
    }

    /// Consistency checks behind `puente panel validate`; returns every problem found.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let build = match self.build() {
            Some(b) => b,
            None => {
                problems.push(format!(
                    "unknown genome build {:?}",
                    self.manifest.panel.build
                ));
                return problems;
            }
        };
        for (name, regions) in [
            ("capture.bed", &self.capture),
            ("reportable.bed", &self.reportable),
            ("fusion_search.bed", &self.fusion_search),
            ("backbone.bed", &self.backbone),
        ] {
            for w in regions.windows(2) {
                let (a, b) = (&w[0], &w[1]);
                let ord = |c: &str| build.contig_index(c).unwrap_or(usize::MAX);
                if (ord(&a.chrom), a.start) > (ord(&b.chrom), b.start) {
                    problems.push(format!(
                        "{name}: not sorted at {}:{} ({})",
                        b.chrom,
                        b.start + 1,
                        b.name
                    ));
                }
            }
            for r in regions.iter() {
                match build.contig_length(&r.chrom) {
                    None => problems.push(format!(
                        "{name}: contig {} is not in {}",
                        r.chrom,
                        build.name()
                    )),
                    Some(len) if r.end > len || r.start >= r.end => {
                        problems.push(format!(
                        "{name}: {}:{}-{} ({}) lies outside the contig (length {len}) or is empty",
                        r.chrom, r.start + 1, r.end, r.name
                    ))
                    }
                    _ => {}
                }
            }
        }
        let inside = |set: &[Region], chrom: &str, s: u64, e: u64| {
            set.iter()
                .any(|r| r.chrom == chrom && r.start < s && e <= r.end)
        };
        for r in &self.reportable {
            // reportable regions are exons +/- splice pad; they must have been sequenced
            let mid = (r.start + r.end) / 2;
            if !inside(&self.capture, &r.chrom, mid, mid + 1) {
                problems.push(format!(
                    "reportable.bed: {} at {}:{} is outside the capture",
                    r.name,
                    r.chrom,
                    r.start + 1
                ));
            }
        }
        for h in &self.hotspots {
            if !inside(&self.capture, &h.chrom, h.start, h.end) {
                problems.push(format!(
                    "hotspot {} {} at {}:{} is outside the capture",
                    h.gene, h.hgvs_c, h.chrom, h.start
                ));
            }
            if !self.manifest.genes.iter().any(|g| g.name == h.gene) {
                problems.push(format!(
                    "hotspot {} {}: gene not in panel.toml",
                    h.gene, h.hgvs_c
                ));
            }
        }
        problems.extend(transcript_problems(&self.exons, "transcripts.tsv"));
        let by_tx: BTreeSet<&str> = self.exons.iter().map(|e| e.transcript.as_str()).collect();
        for g in &self.manifest.genes {
            if !g.transcript.is_empty() && !by_tx.contains(g.transcript.as_str()) {
                problems.push(format!(
                    "panel.toml: gene {} names transcript {} missing from transcripts.tsv",
                    g.name, g.transcript
                ));
            }
        }
        for f in &self.fusions {
            for g in [&f.gene5, &f.gene3] {
                if !self.manifest.genes.iter().any(|x| &x.name == g) {
                    problems.push(format!(
                        "fusions.tsv: {}::{} partner {g} is not a panel gene",
                        f.gene5, f.gene3
                    ));
                }
            }
        }
        problems
    }
}

fn fields(line: &str, n: usize, lineno: usize) -> std::result::Result<Vec<&str>, String> {
    let f: Vec<&str> = line.split('\t').collect();
    if f.len() < n {
        return Err(format!(
            "line {lineno}: expected {n} tab-separated columns, found {}",
            f.len()
        ));
    }
    Ok(f)
}

fn num(s: &str, lineno: usize) -> std::result::Result<u64, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("line {lineno}: {s:?} is not a whole number"))
}

/// BED (0-based half-open); `#`, `track` and `browser` lines are skipped.
pub fn parse_bed(text: &str) -> std::result::Result<Vec<Region>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty()
            || line.starts_with('#')
            || line.starts_with("track")
            || line.starts_with("browser")
        {
            continue;
        }
        let f = fields(line, 3, i + 1)?;
        out.push(Region {
            chrom: f[0].to_string(),
            start: num(f[1], i + 1)?,
            end: num(f[2], i + 1)?,
            name: f.get(3).unwrap_or(&"").to_string(),
        });
    }
    Ok(out)
}

fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i + 1, l))
}

/// Data rows of a headed TSV, each with at least `ncols` columns, mapped by `row`.
/// Structure of transcript models (as in transcripts.tsv): exons numbered 1..n in transcription
/// order, not overlapping, CDS inside its exons and a whole number of codons. `file` names the
/// source in each problem.
pub fn transcript_problems(exons: &[Exon], file: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut by_tx: BTreeMap<&str, Vec<&Exon>> = BTreeMap::new();
    for e in exons {
        by_tx.entry(&e.transcript).or_default().push(e);
    }
    for (tx, exons) in &by_tx {
        for (i, e) in exons.iter().enumerate() {
            if e.number as usize != i + 1 {
                problems.push(format!("{file}: {tx} exon numbers are not 1..n in order"));
                break;
            }
            if e.start > e.end {
                problems.push(format!("{file}: {tx} exon {} has start > end", e.number));
            }
            if let Some((cs, ce)) = e.cds {
                if cs < e.start || ce > e.end || cs > ce {
                    problems.push(format!(
                        "{file}: {tx} exon {} CDS lies outside the exon",
                        e.number
                    ));
                }
            }
        }
        for w in exons.windows(2) {
            let ok = if w[0].strand == '+' {
                w[0].end < w[1].start
            } else {
                w[1].end < w[0].start
            };
            if !ok {
                problems.push(format!(
                    "{file}: {tx} exons {} and {} overlap or are out of transcription order",
                    w[0].number, w[1].number
                ));
            }
        }
        let coding: u64 = exons
            .iter()
            .filter_map(|e| e.cds)
            .map(|(s, e)| e - s + 1)
            .sum();
        if coding > 0 && !coding.is_multiple_of(3) {
            problems.push(format!(
                "{file}: {tx} CDS length {coding} is not a multiple of 3"
            ));
        }
    }
    problems
}

fn parse_rows<T>(
    text: &str,
    ncols: usize,
    row: impl Fn(&[&str], usize) -> std::result::Result<T, String>,
) -> std::result::Result<Vec<T>, String> {
    data_lines(text)
        .map(|(n, line)| row(&fields(line, ncols, n)?, n))
        .collect()
}

/// Parse transcripts.tsv-format text (header line, 10 tab-separated columns).
pub fn parse_transcripts(text: &str) -> std::result::Result<Vec<Exon>, String> {
    parse_rows(text, 10, |f, n| {
        let cds = if f[7].is_empty() {
            None
        } else {
            Some((num(f[7], n)?, num(f[8], n)?))
        };
        Ok(Exon {
            gene: f[0].into(),
            transcript: f[1].into(),
            chrom: f[2].into(),
            strand: f[3].chars().next().unwrap_or('+'),
            number: num(f[4], n)? as u32,
            start: num(f[5], n)?,
            end: num(f[6], n)?,
            cds,
        })
    })
}

fn parse_hotspots(text: &str) -> std::result::Result<Vec<Hotspot>, String> {
    parse_rows(text, 12, |f, n| {
        Ok(Hotspot {
            gene: f[0].into(),
            transcript: f[1].into(),
            name: f[2].into(),
            hgvs_c: f[3].into(),
            kind: f[4].into(),
            chrom: f[5].into(),
            start: num(f[6], n)?,
            end: num(f[7], n)?,
            reference: f[8].into(),
            alt: f[9].into(),
        })
    })
}

fn parse_fusions(text: &str) -> std::result::Result<Vec<KnownFusion>, String> {
    parse_rows(text, 5, |f, _| {
        Ok(KnownFusion {
            gene5: f[0].into(),
            gene3: f[1].into(),
            subtype: f[3].into(),
            class: f[4].into(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cnv_bins_give_every_exon_its_own_bin_inside_the_capture() {
        let p = Panel::load("all-v1").unwrap();
        let bins = p.cnv_bins();
        // PAX5 exons 5-8 sit inside one merged capture target with tiled introns
        for n in 5..=8 {
            let e = p
                .exons
                .iter()
                .find(|e| e.gene == "PAX5" && e.number == n)
                .unwrap();
            assert!(
                bins.iter()
                    .any(|b| b.chrom == e.chrom && b.start == e.start - 1 && b.end == e.end),
                "PAX5 exon {n} has no bin of its own"
            );
        }
        for b in &bins {
            assert!(b.len() <= 5_000 || b.name.contains("_exon"), "{b:?}");
            assert!(
                p.capture
                    .iter()
                    .any(|t| t.chrom == b.chrom && t.start <= b.start && b.end <= t.end),
                "{b:?} outside the capture"
            );
            let is_exon = p
                .exons
                .iter()
                .any(|e| e.chrom == b.chrom && e.start - 1 <= b.start && b.end <= e.end);
            // only exon bins may carry `_exon` in their name (copy number maps exons by it)
            assert_eq!(is_exon, b.name.contains("_exon"), "{b:?}");
        }
        assert!(bins
            .windows(2)
            .all(|w| w[0].chrom != w[1].chrom || w[0].start <= w[1].start));
    }

    #[test]
    fn builtin_panel_loads_and_validates() {
        let p = Panel::load("all-v1").unwrap();
        assert_eq!(p.manifest.panel.build, "GRCh38");
        let problems = p.validate();
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(p
            .hotspots
            .iter()
            .any(|h| h.gene == "KRAS" && h.start == 25245350 && h.reference == "C"));
        assert!(p
            .fusion_search
            .iter()
            .any(|r| r.name.contains("BCR_intron1")));
    }

    #[test]
    fn bed_parse_reports_line() {
        assert_eq!(parse_bed("chr1\t5\t10\tx\n").unwrap()[0].len(), 5);
        let e = parse_bed("chr1\tfive\t10\n").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
    }

    #[test]
    fn validate_finds_unsorted_and_outside() {
        let mut p = Panel::load("all-v1").unwrap();
        p.capture.swap(0, 1);
        p.backbone.push(Region {
            chrom: "chr1".into(),
            start: 300_000_000,
            end: 300_000_100,
            name: "x".into(),
        });
        let problems = p.validate();
        assert!(
            problems.iter().any(|s| s.contains("not sorted")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|s| s.contains("outside the contig")),
            "{problems:?}"
        );
    }

    #[test]
    fn target_gene_names() {
        assert_eq!(
            Panel::target_genes("IKZF1_exon4,IKZF1_exon5"),
            vec!["IKZF1"]
        );
        assert_eq!(
            Panel::target_genes("CRLF2_exon1,CRLF2_upstream"),
            vec!["CRLF2"]
        );
    }
}
