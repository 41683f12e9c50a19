//! Low-VAF SNV/MNV/indel calling over the panel's reportable regions, and hotspot genotyping.
//!
//! Per region (in parallel over contigs): a fragment-level pileup ([`pileup`]), candidates
//! normalized to one representation ([`normalize`]), scored against the site's error rate
//! ([`model`]), filtered with reasons kept ([`filters`]); long insertions that the aligner left as
//! soft clips are assembled from the clipped reads ([`softclip`]); every panel hotspot is genotyped
//! ([`hotspot`]).
pub mod filters;
pub mod hotspot;
pub mod model;
pub mod normalize;
pub mod pileup;
pub mod pon;
pub mod softclip;

use crate::error::{Error, Result};
use crate::ingest::build::resolve_contig;
use crate::ingest::reads::{for_each_record, ReadCounts, ReadFilter};
use crate::ingest::{AlignmentInput, Reference};
use crate::model::{HotspotCall, HotspotStatus, Region, SmallVariant, VariantKind};
use crate::panel::Panel;
use model::Thresholds;
use normalize::{repeat_length, to_vcf, Change, RefWindow};
use pileup::{ChangeStats, Pileup};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CallOptions {
    pub thresholds: Thresholds,
    /// Bases below this quality count neither for depth nor as evidence.
    pub min_base_quality: u8,
    /// Candidates below this QUAL are noise, not calls, and are not written (hotspots still report
    /// their counts).
    pub emit_min_qual: f64,
    pub filter: ReadFilter,
    /// Recurrent artefacts from the panel of normals (`puente pon build`): scored against their
    /// measured rate and flagged `panel_of_normals`.
    #[serde(skip)]
    pub artefacts: Option<std::sync::Arc<pon::ArtefactSites>>,
    /// How many artefact sites the panel of normals gave (0 without one, or with a PoN built
    /// before puente learnt them).
    #[serde(default)]
    pub pon_artefact_sites: usize,
    /// Leave out the backbone windows (whose SNPs only feed the ploidy signal): a panel of normals
    /// learns artefacts of the reportable regions only, in a quarter of the time.
    #[serde(skip)]
    pub reportable_only: bool,
}

impl CallOptions {
    /// These options with the panel of normals' artefact sites.
    pub fn with_pon(mut self, pon: &crate::model::PanelOfNormals) -> Self {
        let sites = pon::ArtefactSites::from_pon(pon);
        self.pon_artefact_sites = sites.len();
        self.artefacts = Some(std::sync::Arc::new(sites));
        self
    }
}

impl Default for CallOptions {
    fn default() -> Self {
        CallOptions {
            thresholds: Thresholds::default(),
            min_base_quality: 13,
            emit_min_qual: 40.0,
            filter: ReadFilter::default(),
            artefacts: None,
            pon_artefact_sites: 0,
            reportable_only: false,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SmallCalls {
    /// Sorted by panel contig order, then position and alleles.
    pub variants: Vec<SmallVariant>,
    /// In the panel's hotspot order.
    pub hotspots: Vec<HotspotCall>,
    /// Single-base changes in the backbone windows (outside the reportable regions): germline SNPs
    /// whose allele fractions feed the ploidy signal; never reported as variants.
    #[serde(skip)]
    pub backbone_snps: Vec<SmallVariant>,
    pub warnings: Vec<String>,
    pub regions: usize,
    pub bases: u64,
    pub reads: ReadCounts,
}

/// Reference padding around each region: room for left-alignment and repeat context.
const PAD: u64 = 300;

/// Regions to call: the panel's reportable intervals plus every hotspot, merged per contig.
pub fn calling_regions(panel: &Panel) -> Vec<Region> {
    let mut all: Vec<Region> = panel.reportable.clone();
    for h in &panel.hotspots {
        all.push(Region {
            chrom: h.chrom.clone(),
            start: h.start - 1,
            end: h.end,
            name: format!("{}:{}", h.gene, h.name),
        });
    }
    merge_regions(panel, all)
}

/// Sort by panel contig order and merge overlapping regions.
fn merge_regions(panel: &Panel, mut all: Vec<Region>) -> Vec<Region> {
    let order = panel.contigs();
    let rank = |c: &str| order.iter().position(|o| o == c).unwrap_or(usize::MAX);
    all.sort_by_key(|r| (rank(&r.chrom), r.start, r.end));
    let mut merged: Vec<Region> = Vec::new();
    for r in all {
        match merged.last_mut() {
            Some(m) if m.chrom == r.chrom && r.start <= m.end => m.end = m.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

struct ContigResult {
    variants: Vec<SmallVariant>,
    hotspots: Vec<(usize, HotspotCall)>,
    warnings: Vec<String>,
    reads: ReadCounts,
    bases: u64,
}

pub fn call(
    input: &AlignmentInput,
    reference: &Reference,
    panel: &Panel,
    opts: &CallOptions,
) -> Result<SmallCalls> {
    let reportable = calling_regions(panel);
    let backbone: &[Region] = if opts.reportable_only {
        &[]
    } else {
        &panel.backbone
    };
    let regions = merge_regions(panel, reportable.iter().chain(backbone).cloned().collect());
    let mut contigs: Vec<&str> = Vec::new();
    for r in &regions {
        if contigs.last() != Some(&r.chrom.as_str()) {
            contigs.push(&r.chrom);
        }
    }
    let results: Vec<Result<ContigResult>> = contigs
        .par_iter()
        .map(|c| {
            let rs: Vec<&Region> = regions.iter().filter(|r| &r.chrom == c).collect();
            call_contig(c, &rs, input, reference, panel, opts)
        })
        .collect();
    let mut out = SmallCalls {
        regions: regions.len(),
        ..Default::default()
    };
    let mut hotspots: Vec<(usize, HotspotCall)> = Vec::new();
    for r in results {
        let r = r?;
        for v in r.variants {
            let inside = reportable
                .iter()
                .any(|g| g.chrom == v.chrom && g.start < v.end() && v.pos <= g.end);
            if inside {
                out.variants.push(v);
            } else if v.kind == crate::model::VariantKind::Snv {
                out.backbone_snps.push(v);
            }
        }
        hotspots.extend(r.hotspots);
        out.warnings.extend(r.warnings);
        out.reads.add(&r.reads);
        out.bases += r.bases;
    }
    hotspots.sort_by_key(|(i, _)| *i);
    out.hotspots = hotspots.into_iter().map(|(_, h)| h).collect();
    Ok(out)
}

fn call_contig(
    chrom: &str,
    regions: &[&Region],
    input: &AlignmentInput,
    reference: &Reference,
    panel: &Panel,
    opts: &CallOptions,
) -> Result<ContigResult> {
    let mut res = ContigResult {
        variants: vec![],
        hotspots: vec![],
        warnings: vec![],
        reads: ReadCounts::default(),
        bases: 0,
    };
    let hotspots: Vec<(usize, &crate::panel::Hotspot)> = panel
        .hotspots
        .iter()
        .enumerate()
        .filter(|(_, h)| h.chrom == chrom)
        .collect();
    let input_names = input.contig_names();
    let Some(in_name) = resolve_contig(chrom, &input_names) else {
        res.warnings.push(format!(
            "{chrom} is not in {}: its {} calling regions were not tested",
            input.path.display(),
            regions.len()
        ));
        for (i, h) in hotspots {
            res.hotspots
                .push((i, hotspot::untested(h, HotspotStatus::NotCovered)));
        }
        return Ok(res);
    };
    let ref_names: Vec<String> = reference.contigs.iter().map(|(n, _)| n.clone()).collect();
    let ref_name = resolve_contig(chrom, &ref_names).ok_or_else(|| Error::Reference {
        path: reference.path.clone(),
        reason: format!("panel contig {chrom} is missing from the reference"),
    })?;
    let ref_len = reference.length(ref_name).unwrap_or(0);
    let mut reader = input.indexed_reader(1)?;
    for region in regions {
        if region.end > ref_len {
            res.warnings.push(format!(
                "calling region {}:{}-{} lies outside the reference contig (length {ref_len}); skipped",
                region.chrom,
                region.start + 1,
                region.end
            ));
            continue;
        }
        let w0 = region.start.saturating_sub(PAD);
        let w1 = (region.end + PAD).min(ref_len);
        let seq = reference.fetch(ref_name, w0, w1)?;
        let mut pile = Pileup::new(
            RefWindow {
                start: w0,
                seq: &seq,
            },
            (region.start, region.end),
            opts.min_base_quality,
        );
        let counts = for_each_record(
            &mut reader,
            &input.path,
            in_name,
            Some((region.start, region.end)),
            &opts.filter,
            |rec| pile.add_record(rec, &input.path, in_name),
        )?;
        pile.finish();
        res.reads.add(&counts);
        res.bases += region.len();
        let from_clips = softclip::recover(&mut pile);
        let mut calls: Vec<SmallVariant> = pile
            .changes
            .iter()
            .filter_map(|(c, s)| {
                let source = if from_clips.contains(c) {
                    "soft_clip"
                } else {
                    "pileup"
                };
                score(&pile, c, s, chrom, opts, source)
            })
            .collect();
        calls.sort_by(|a, b| (a.pos, &a.reference, &a.alt).cmp(&(b.pos, &b.reference, &b.alt)));
        for (i, h) in &hotspots {
            if h.start > region.start && h.end <= region.end {
                res.hotspots.push((
                    *i,
                    hotspot::genotype(
                        h,
                        &pile,
                        &calls,
                        &opts.thresholds,
                        panel.manifest.qc.warn_depth,
                        &mut res.warnings,
                    ),
                ));
            }
        }
        res.variants.extend(calls);
    }
    Ok(res)
}

/// Turn one change's evidence into a call (None when it is noise below the emission threshold).
pub fn score(
    p: &Pileup,
    c: &Change,
    s: &ChangeStats,
    chrom: &str,
    opts: &CallOptions,
    source: &str,
) -> Option<SmallVariant> {
    if s.alt < 2 {
        return None;
    }
    let (pos, reference, alt) = to_vcf(c, &p.window)?;
    let kind = VariantKind::of(&reference, &alt);
    let i0 = c.pos.checked_sub(p.window.start)? as usize;
    let r = c.reference.len();
    if i0 + r > p.depth.len() || i0 == 0 {
        return None;
    }
    let depth = if r == 0 {
        p.depth[i0 - 1]
    } else {
        *p.depth[i0..i0 + r].iter().min()?
    }
    .max(s.alt);
    let anchor = if kind == VariantKind::Snv { i0 } else { i0 - 1 };
    let (ref_fragments, ref_fwd, ref_rev) = if kind == VariantKind::Snv {
        (p.ref_count[i0], p.ref_fwd[i0], p.ref_rev[i0])
    } else {
        (
            depth - s.alt,
            p.ref_fwd[anchor].saturating_sub(s.fwd),
            p.ref_rev[anchor].saturating_sub(s.rev),
        )
    };
    let repeat = repeat_length(c, &p.window);
    let model_rate = match kind {
        VariantKind::Snv => {
            let d = p.depth[i0].max(1) as f64;
            model::snv_error(p.err_sum[i0] / d)
        }
        VariantKind::Mnv => model::MNV_ERROR,
        VariantKind::Delins => model::delins_error(repeat),
        _ => model::indel_error(repeat),
    };
    // emitted on the model's own rate, so an allele the panel of normals explains stays in the
    // VCF, filtered and with its lower QUAL, instead of vanishing; the id and the PoN lookup are
    // only made for what is emitted (most candidates are single-read noise)
    if model::qual(s.alt, depth, model_rate) < opts.emit_min_qual {
        return None;
    }
    let id = format!("{chrom}:{pos}:{reference}:{alt}");
    let pon_site = opts
        .artefacts
        .as_deref()
        .and_then(|a| Some((a, a.get(&id)?)));
    let error_rate = pon_site.map_or(model_rate, |(a, site)| model_rate.max(a.rate(site)));
    let qual = model::qual(s.alt, depth, error_rate);
    let vaf = ((s.alt as f64 / depth as f64) * 1e4).round() / 1e4;
    let mut v = SmallVariant {
        id,
        chrom: chrom.to_string(),
        pos,
        reference,
        alt,
        kind,
        depth,
        ref_fragments,
        alt_fragments: s.alt,
        vaf,
        alt_forward: s.fwd,
        alt_reverse: s.rev,
        ref_forward: ref_fwd,
        ref_reverse: ref_rev,
        qual,
        error_rate,
        median_alt_base_quality: filters::median(&s.quals),
        median_alt_mapq: filters::median(&s.mapqs),
        median_alt_read_position: filters::median(&s.dists) as u32,
        repeat_length: repeat,
        filters: vec![],
        origin: String::new(),
        source: source.to_string(),
    };
    v.filters = filters::evaluate(&v, &opts.thresholds, pon_site.map(|(_, s)| s));
    v.origin = filters::origin(&v);
    Some(v)
}
