//! Coverage and read QC over the panel's capture targets, with a reportable verdict per target and a
//! pass/warn/fail per sample from the panel's thresholds (AMP/CAP: >= 250 reads per target).
//!
//! Depth counts each fragment once where mates overlap (as mosdepth does by default) and skips
//! unmapped, secondary, QC-fail, duplicate and low-MAPQ reads (see [`ReadFilter`]).
use crate::error::Result;
use crate::ingest::build::resolve_contig;
use crate::ingest::reads::{for_each_read, ReadCounts, ReadFilter, ReadView};
use crate::ingest::AlignmentInput;
use crate::model::{Region, Verdict};
use crate::panel::Panel;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

pub const THRESHOLDS: [u32; 4] = [100, 250, 500, 1000];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct DepthStats {
    pub bases: u64,
    pub mean: f64,
    pub median: u32,
    pub min: u32,
    /// % of bases at >= 100x, 250x, 500x, 1000x.
    pub pct_ge: BTreeMap<String, f64>,
    /// Fold-80 base penalty: mean / 20th-percentile depth (1.0 is perfectly even).
    pub fold80: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct TargetQc {
    pub chrom: String,
    pub start: u64,
    pub end: u64,
    pub name: String,
    #[serde(flatten)]
    pub depth: DepthStats,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct GeneQc {
    pub gene: String,
    #[serde(flatten)]
    pub depth: DepthStats,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct SampleQc {
    pub reads: ReadCounts,
    pub unplaced_unmapped: u64,
    pub mapped_pct: f64,
    pub duplicate_pct: f64,
    pub on_target_pct: f64,
    pub insert_size_median: Option<u64>,
    /// Over the exons of the panel's transcripts (what is reported); intronic fusion-search and
    /// backbone regions excluded.
    pub exon_targets: DepthStats,
    pub all_targets: DepthStats,
    pub min_depth: u32,
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub genes: Vec<GeneQc>,
    /// Depth at each panel hotspot position (first base).
    pub hotspots: Vec<HotspotDepth>,
    pub targets: Vec<TargetQc>,
    /// Stretches of the reportable regions below the minimum depth: where a negative result
    /// means nothing (and where two labs' results cannot be compared).
    #[serde(default)]
    pub below_min_depth: Vec<LowDepthRun>,
    /// Mean depth of each of the panel's copy-number bins ([`Panel::cnv_bins`] order).
    #[serde(skip)]
    pub cnv_bins: Vec<f64>,
}

/// A run of consecutive reportable bases under the minimum depth.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct LowDepthRun {
    pub chrom: String,
    /// 0-based half-open.
    pub start: u64,
    pub end: u64,
    /// The reportable region it lies in.
    pub name: String,
    pub mean_depth: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct HotspotDepth {
    pub gene: String,
    pub hgvs_c: String,
    pub chrom: String,
    pub pos: u64,
    pub depth: u32,
}

fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Summary statistics from a depth histogram (depth -> bases).
fn stats_from_hist(hist: &BTreeMap<u32, u64>) -> DepthStats {
    let bases: u64 = hist.values().sum();
    let mut pct_ge = BTreeMap::new();
    if bases == 0 {
        for t in THRESHOLDS {
            pct_ge.insert(format!("{t}x"), 0.0);
        }
        return DepthStats {
            bases,
            mean: 0.0,
            median: 0,
            min: 0,
            pct_ge,
            fold80: 0.0,
        };
    }
    let total: u64 = hist.iter().map(|(d, n)| *d as u64 * n).sum();
    let mean = total as f64 / bases as f64;
    let quantile = |q: f64| {
        let want = ((bases as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (d, n) in hist {
            seen += n;
            if seen >= want {
                return *d;
            }
        }
        0
    };
    for t in THRESHOLDS {
        let n: u64 = hist.range(t..).map(|(_, n)| n).sum();
        pct_ge.insert(format!("{t}x"), r2(100.0 * n as f64 / bases as f64));
    }
    let p20 = quantile(0.2);
    DepthStats {
        bases,
        mean: r2(mean),
        median: quantile(0.5),
        min: *hist.keys().next().unwrap_or(&0),
        pct_ge,
        fold80: if p20 == 0 { 0.0 } else { r2(mean / p20 as f64) },
    }
}

fn verdict_for(d: &DepthStats, min_depth: u32, warn_depth: u32, min_frac: f64) -> Verdict {
    let frac_at_min =
        if d.bases == 0 {
            0.0
        } else {
            // pct_ge holds the AMP/CAP thresholds; compute others on demand from the mean
            d.pct_ge.get(&format!("{min_depth}x")).copied().unwrap_or(
                if d.mean >= min_depth as f64 {
                    100.0
                } else {
                    0.0
                },
            ) / 100.0
        };
    if frac_at_min >= min_frac {
        Verdict::Pass
    } else if d.mean >= warn_depth as f64 {
        Verdict::Warn
    } else {
        Verdict::Fail
    }
}

/// Statistics of a depth histogram and the verdict they earn under the panel's thresholds.
fn judged(h: &BTreeMap<u32, u64>, q: &crate::panel::QcThresholds) -> (DepthStats, Verdict) {
    let depth = stats_from_hist(h);
    let verdict = verdict_for(
        &depth,
        q.min_depth,
        q.warn_depth,
        q.min_fraction_at_min_depth,
    );
    (depth, verdict)
}

/// Per-contig depth accumulation for non-overlapping sorted targets.
struct ContigDepth<'a> {
    targets: Vec<&'a Region>,
    depth: Vec<Vec<u32>>,
    /// First-seen mate's blocks, to count overlapping mate bases once.
    pending: HashMap<Vec<u8>, Vec<(u64, u64)>>,
    on_target_reads: u64,
    insert_hist: BTreeMap<u64, u64>,
}

impl<'a> ContigDepth<'a> {
    fn new(targets: Vec<&'a Region>) -> Self {
        let depth = targets
            .iter()
            .map(|t| vec![0u32; t.len() as usize])
            .collect();
        ContigDepth {
            targets,
            depth,
            pending: HashMap::new(),
            on_target_reads: 0,
            insert_hist: BTreeMap::new(),
        }
    }

    fn add_block(&mut self, s: u64, e: u64) -> bool {
        let i0 = self.targets.partition_point(|t| t.end <= s);
        let mut hit = false;
        for i in i0..self.targets.len() {
            let t = self.targets[i];
            if t.start >= e {
                break;
            }
            let (a, b) = (s.max(t.start), e.min(t.end));
            for x in &mut self.depth[i][(a - t.start) as usize..(b - t.start) as usize] {
                *x += 1;
            }
            hit = true;
        }
        hit
    }

    fn add_read(&mut self, r: &ReadView) {
        if r.first_in_pair && r.proper && r.insert_size > 0 && !r.supplementary {
            *self
                .insert_hist
                .entry((r.insert_size as u64).min(5000))
                .or_default() += 1;
        }
        let mut hit = false;
        if let Some(mate_blocks) = self.pending.remove(&r.qname) {
            for &(s, e) in &r.blocks {
                // add only the parts of this block not already covered by the mate
                let mut cur = s;
                for &(ms, me) in &mate_blocks {
                    if me <= cur || ms >= e {
                        continue;
                    }
                    if ms > cur {
                        hit |= self.add_block(cur, ms);
                    }
                    cur = cur.max(me);
                }
                if cur < e {
                    hit |= self.add_block(cur, e);
                }
            }
        } else {
            if r.paired
                && !r.supplementary
                && r.mate_tid == r.tid
                && r.mate_pos >= r.pos
                && r.mate_pos < r.end
            {
                self.pending.insert(r.qname.clone(), r.blocks.clone());
            }
            for &(s, e) in &r.blocks {
                hit |= self.add_block(s, e);
            }
        }
        if hit {
            self.on_target_reads += 1;
        }
        if self.pending.len() > 100_000 {
            // mates filtered out (duplicates, low MAPQ) never arrive: forget entries far behind
            let p = r.pos;
            self.pending
                .retain(|_, b| b.last().map(|x| x.1 + 10_000 > p).unwrap_or(false));
        }
    }
}

/// Compute QC for one sample.
pub fn run(
    input: &AlignmentInput,
    panel: &Panel,
    filter: &ReadFilter,
    threads: usize,
) -> Result<SampleQc> {
    let names = input.contig_names();
    let mut by_contig: BTreeMap<usize, (String, Vec<&Region>)> = BTreeMap::new();
    for t in &panel.capture {
        if let Some(name) = resolve_contig(&t.chrom, &names) {
            let idx = names.iter().position(|n| n == name).unwrap_or(usize::MAX);
            by_contig
                .entry(idx)
                .or_insert_with(|| (name.to_string(), Vec::new()))
                .1
                .push(t);
        }
    }
    // contigs without any target still hold mapped reads: walk them for the read counts
    for (i, n) in names.iter().enumerate() {
        by_contig
            .entry(i)
            .or_insert_with(|| (n.clone(), Vec::new()));
    }
    let jobs: Vec<(String, Vec<&Region>)> = by_contig.into_values().collect();
    let per_job_threads = if threads > jobs.len() { 2 } else { 1 };
    let results: Vec<Result<(ReadCounts, ContigDepth)>> = jobs
        .into_par_iter()
        .map(|(contig, targets)| {
            let mut cd = ContigDepth::new(targets);
            let counts =
                for_each_read(input, &contig, per_job_threads, filter, |r| cd.add_read(r))?;
            Ok((counts, cd))
        })
        .collect();
    let mut counts = ReadCounts::default();
    let mut on_target = 0;
    let mut insert_hist: BTreeMap<u64, u64> = BTreeMap::new();
    let mut targets = Vec::new();
    let mut below_min_depth = Vec::new();
    let mut hotspots = Vec::new();
    let mut gene_hist: BTreeMap<String, BTreeMap<u32, u64>> = BTreeMap::new();
    let (mut exon_hist, mut all_hist) = (BTreeMap::new(), BTreeMap::new());
    let q = &panel.manifest.qc;
    let bins = panel.cnv_bins();
    let mut cnv_bins = vec![0.0; bins.len()];
    for r in results {
        let (c, cd) = r?;
        // copy-number bins lie inside capture targets: mean depth read off the target arrays
        if let Some(chrom) = cd.targets.first().map(|t| t.chrom.clone()) {
            for (b, out) in bins.iter().zip(cnv_bins.iter_mut()) {
                if b.chrom != chrom || b.is_empty() {
                    continue;
                }
                let i = cd.targets.partition_point(|t| t.end <= b.start);
                let sum: u64 = match cd.targets.get(i) {
                    Some(t) if t.start <= b.start && b.end <= t.end => cd.depth[i]
                        [(b.start - t.start) as usize..(b.end - t.start) as usize]
                        .iter()
                        .map(|&x| x as u64)
                        .sum(),
                    _ => 0,
                };
                *out = sum as f64 / b.len() as f64;
            }
        }
        counts.add(&c);
        on_target += cd.on_target_reads;
        for (k, v) in cd.insert_hist {
            *insert_hist.entry(k).or_default() += v;
        }
        for h in &panel.hotspots {
            if let Some(i) = cd
                .targets
                .iter()
                .position(|t| t.chrom == h.chrom && t.start < h.start && h.start <= t.end)
            {
                let t = cd.targets[i];
                hotspots.push(HotspotDepth {
                    gene: h.gene.clone(),
                    hgvs_c: h.hgvs_c.clone(),
                    chrom: h.chrom.clone(),
                    pos: h.start,
                    depth: cd.depth[i][(h.start - 1 - t.start) as usize],
                });
            }
        }
        for (t, d) in cd.targets.iter().zip(&cd.depth) {
            let mut h = BTreeMap::new();
            for &x in d {
                *h.entry(x).or_insert(0u64) += 1;
            }
            for (k, v) in &h {
                *all_hist.entry(*k).or_insert(0u64) += v;
            }
            let (depth, verdict) = judged(&h, q);
            targets.push(TargetQc {
                chrom: t.chrom.clone(),
                start: t.start,
                end: t.end,
                name: t.name.clone(),
                depth,
                verdict,
            });
        }
        if let Some(chrom) = cd.targets.first().map(|t| t.chrom.clone()) {
            for r in panel.reportable.iter().filter(|r| r.chrom == chrom) {
                let depth_at = |pos: u64| {
                    let i = cd.targets.partition_point(|t| t.end <= pos);
                    match cd.targets.get(i) {
                        Some(t) if t.start <= pos => cd.depth[i][(pos - t.start) as usize],
                        _ => 0,
                    }
                };
                low_depth_runs(r, q.min_depth, depth_at, &mut below_min_depth);
            }
        }
        // Exon-level view: every exon of every panel transcript, read off the target depth arrays
        // (an exon outside the capture counts as zero depth: it was not sequenced).
        if let Some(chrom) = cd.targets.first().map(|t| t.chrom.clone()) {
            for e in panel.exons.iter().filter(|e| e.chrom == chrom) {
                let gh = gene_hist.entry(e.gene.clone()).or_default();
                for pos in (e.start - 1)..e.end {
                    let i = cd.targets.partition_point(|t| t.end <= pos);
                    let d = match cd.targets.get(i) {
                        Some(t) if t.start <= pos => cd.depth[i][(pos - t.start) as usize],
                        _ => 0,
                    };
                    *gh.entry(d).or_insert(0) += 1;
                    *exon_hist.entry(d).or_insert(0u64) += 1;
                }
            }
        }
    }
    let genes: Vec<GeneQc> = gene_hist
        .into_iter()
        .map(|(gene, h)| {
            let (depth, verdict) = judged(&h, q);
            GeneQc {
                gene,
                depth,
                verdict,
            }
        })
        .collect();
    let unplaced = input.unplaced_unmapped()?;
    let total = counts.primary + unplaced;
    let pct = |a: u64, b: u64| {
        if b == 0 {
            0.0
        } else {
            r2(100.0 * a as f64 / b as f64)
        }
    };
    let insert_n: u64 = insert_hist.values().sum();
    let insert_size_median = (insert_n > 0).then(|| {
        let mut seen = 0;
        *insert_hist
            .iter()
            .find(|(_, n)| {
                seen += **n;
                seen * 2 >= insert_n
            })
            .map(|(k, _)| k)
            .unwrap_or(&0)
    });
    let exon_targets = stats_from_hist(&exon_hist);
    let mut qc = SampleQc {
        mapped_pct: pct(counts.mapped, total),
        duplicate_pct: pct(counts.duplicate, counts.mapped),
        on_target_pct: pct(on_target, counts.used),
        unplaced_unmapped: unplaced,
        reads: counts,
        insert_size_median,
        all_targets: stats_from_hist(&all_hist),
        exon_targets,
        min_depth: q.min_depth,
        verdict: Verdict::Pass,
        reasons: Vec::new(),
        genes,
        hotspots,
        targets,
        below_min_depth,
        cnv_bins,
    };
    judge(&mut qc, q.min_fraction_at_min_depth);
    Ok(qc)
}

/// Append the stretches of `r` whose depth is under `min`.
fn low_depth_runs(r: &Region, min: u32, depth_at: impl Fn(u64) -> u32, out: &mut Vec<LowDepthRun>) {
    let mut run: Option<(u64, u64)> = None; // (start, depth sum)
    for pos in r.start..=r.end {
        let d = (pos < r.end).then(|| depth_at(pos)).filter(|&d| d < min);
        match (d, run) {
            (Some(d), None) => run = Some((pos, d as u64)),
            (Some(d), Some((s, sum))) => run = Some((s, sum + d as u64)),
            (None, Some((s, sum))) => {
                out.push(LowDepthRun {
                    chrom: r.chrom.clone(),
                    start: s,
                    end: pos,
                    name: r.name.clone(),
                    mean_depth: r2(sum as f64 / (pos - s) as f64),
                });
                run = None;
            }
            (None, None) => {}
        }
    }
}

/// Sample verdict with the reasons a reviewer needs.
fn judge(qc: &mut SampleQc, min_frac: f64) {
    let mut v = Verdict::Pass;
    let mut reasons = Vec::new();
    if qc.reads.used == 0 {
        qc.verdict = Verdict::Fail;
        qc.reasons = vec!["no usable reads".into()];
        return;
    }
    let key = format!("{}x", qc.min_depth);
    let frac = qc.exon_targets.pct_ge.get(&key).copied().unwrap_or(0.0) / 100.0;
    if frac < 0.8 {
        v = v.max(Verdict::Fail);
        reasons.push(format!(
            "only {:.1}% of exon bases reach {}x (needs >= 80%)",
            frac * 100.0,
            qc.min_depth
        ));
    } else if frac < min_frac {
        v = v.max(Verdict::Warn);
        reasons.push(format!(
            "{:.1}% of exon bases reach {}x (target >= {:.0}%)",
            frac * 100.0,
            qc.min_depth,
            min_frac * 100.0
        ));
    }
    if qc.mapped_pct < 80.0 {
        v = v.max(Verdict::Fail);
        reasons.push(format!("mapped reads {:.1}% < 80%", qc.mapped_pct));
    }
    if qc.duplicate_pct > 50.0 {
        v = v.max(Verdict::Warn);
        reasons.push(format!("duplicate rate {:.1}% > 50%", qc.duplicate_pct));
    }
    let failing: Vec<&str> = qc
        .genes
        .iter()
        .filter(|g| g.verdict == Verdict::Fail)
        .map(|g| g.gene.as_str())
        .collect();
    if !failing.is_empty() {
        v = v.max(Verdict::Warn);
        reasons.push(format!(
            "genes below {}x: {}",
            qc.min_depth,
            failing.join(", ")
        ));
    }
    qc.verdict = v;
    qc.reasons = reasons;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hist(v: &[u32]) -> BTreeMap<u32, u64> {
        let mut h = BTreeMap::new();
        for &x in v {
            *h.entry(x).or_insert(0) += 1;
        }
        h
    }

    #[test]
    fn depth_stats() {
        let s = stats_from_hist(&hist(&[100, 200, 300, 400, 1000]));
        assert_eq!(s.mean, 400.0);
        assert_eq!(s.median, 300);
        assert_eq!(s.min, 100);
        assert_eq!(s.pct_ge["250x"], 60.0);
        assert_eq!(s.fold80, 4.0);
        let empty = stats_from_hist(&BTreeMap::new());
        assert_eq!(empty.bases, 0);
    }

    #[test]
    fn mate_overlap_counted_once() {
        let t = Region {
            chrom: "c".into(),
            start: 0,
            end: 100,
            name: "G_exon1".into(),
        };
        let mut cd = ContigDepth::new(vec![&t]);
        let mk = |pos: u64, end: u64, mate: u64, first: bool| ReadView {
            pos,
            end,
            blocks: vec![(pos, end)],
            paired: true,
            proper: true,
            first_in_pair: first,
            tid: 0,
            mate_tid: 0,
            mate_pos: mate,
            insert_size: 70,
            qname: b"q1".to_vec(),
            supplementary: false,
        };
        cd.add_read(&mk(10, 60, 30, true));
        cd.add_read(&mk(30, 80, 10, false));
        assert_eq!(cd.depth[0][20], 1);
        assert_eq!(cd.depth[0][40], 1, "overlap counted once");
        assert_eq!(cd.depth[0][70], 1);
        assert_eq!(cd.depth[0][85], 0);
        assert!(cd.pending.is_empty());
    }

    #[test]
    fn verdicts() {
        let good = stats_from_hist(&hist(&[300; 10]));
        assert_eq!(verdict_for(&good, 250, 100, 0.9), Verdict::Pass);
        let mid = stats_from_hist(&hist(&[150; 10]));
        assert_eq!(verdict_for(&mid, 250, 100, 0.9), Verdict::Warn);
        let bad = stats_from_hist(&hist(&[10; 10]));
        assert_eq!(verdict_for(&bad, 250, 100, 0.9), Verdict::Fail);
    }
}
