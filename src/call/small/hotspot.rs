//! Hotspot genotyping: every panel hotspot gets ref/alt fragment counts, depth, VAF, a limit of
//! detection and a status, whether or not anything was called there, so a negative result says at
//! what depth and sensitivity it is negative.
use super::model::{snv_error, Thresholds};
use super::pileup::Pileup;
use crate::model::{HotspotCall, HotspotStatus, SmallVariant};
use crate::panel::Hotspot;

/// Is `v` the hotspot itself (allele/pgx: same position and alleles; codon: any change touching it)?
fn is_hotspot(h: &Hotspot, v: &SmallVariant) -> bool {
    if h.kind == "codon" || h.alt == "." {
        overlaps(h, v)
    } else {
        v.pos == h.start && v.reference == h.reference && v.alt == h.alt
    }
}

fn overlaps(h: &Hotspot, v: &SmallVariant) -> bool {
    v.pos <= h.end && v.end() >= h.start
}

/// A result with no evidence yet: zero counts, no limit of detection, the given status.
pub fn untested(h: &Hotspot, status: HotspotStatus) -> HotspotCall {
    HotspotCall {
        gene: h.gene.clone(),
        name: h.name.clone(),
        hgvs_c: h.hgvs_c.clone(),
        kind: h.kind.clone(),
        chrom: h.chrom.clone(),
        start: h.start,
        end: h.end,
        depth: 0,
        ref_fragments: 0,
        alt_fragments: 0,
        vaf: 0.0,
        limit_of_detection: None,
        status,
        calls: vec![],
    }
}

/// Genotype one hotspot from the region's pileup and calls. `chrom` is the panel's contig name.
pub fn genotype(
    h: &Hotspot,
    p: &Pileup,
    calls: &[SmallVariant],
    t: &Thresholds,
    warn_depth: u32,
    warnings: &mut Vec<String>,
) -> HotspotCall {
    let mut out = untested(h, HotspotStatus::NotDetected);
    let (s0, e0) = (h.start - 1, h.end);
    let span: Vec<usize> = (s0..e0)
        .filter_map(|pos| {
            pos.checked_sub(p.window.start)
                .map(|i| i as usize)
                .filter(|&i| i < p.depth.len())
        })
        .collect();
    if span.len() as u64 != e0 - s0 {
        out.status = HotspotStatus::NotCovered;
        return out;
    }
    if h.reference != "." {
        let fasta: String = span.iter().map(|&i| p.window.seq[i] as char).collect();
        if fasta != h.reference {
            warnings.push(format!(
                "hotspot {} {} at {}:{}: panel reference base {} but the FASTA has {} (wrong build or wrong panel?); not genotyped",
                h.gene, h.name, h.chrom, h.start, h.reference, fasta
            ));
            out.status = HotspotStatus::ReferenceMismatch;
            return out;
        }
    }
    let depth = span.iter().map(|&i| p.depth[i]).min().unwrap_or(0);
    let codon = h.kind == "codon" || h.alt == ".";
    // pileup changes are minimal (no VCF anchor base): trim the panel's alleles the same way
    let shared = h
        .reference
        .bytes()
        .zip(h.alt.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let (m0, mref, malt) = (
        s0 + shared as u64,
        &h.reference.as_bytes()[shared..],
        &h.alt.as_bytes()[shared..],
    );
    let alt: u32 = p
        .changes
        .iter()
        .filter(|(c, _)| {
            if codon {
                let end = c.pos + c.reference.len().max(1) as u64;
                c.pos < e0 && end > s0
            } else {
                c.pos == m0 && c.reference == mref && c.alt == malt
            }
        })
        .map(|(_, s)| s.alt)
        .sum();
    let alt = alt.min(depth.max(alt));
    let depth = depth.max(alt);
    let mean_err = span
        .iter()
        .map(|&i| {
            if p.depth[i] == 0 {
                0.0
            } else {
                p.err_sum[i] / p.depth[i] as f64
            }
        })
        .fold(0.0, f64::max);
    out.depth = depth;
    out.alt_fragments = alt;
    out.ref_fragments = if span.len() == 1 {
        p.ref_count[span[0]]
    } else {
        depth - alt
    };
    out.vaf = if depth == 0 {
        0.0
    } else {
        ((alt as f64 / depth as f64) * 1e4).round() / 1e4
    };
    out.limit_of_detection = t.limit_of_detection(depth, snv_error(mean_err));
    let same: Vec<&SmallVariant> = calls.iter().filter(|v| is_hotspot(h, v)).collect();
    let other: Vec<&SmallVariant> = calls
        .iter()
        .filter(|v| overlaps(h, v) && !is_hotspot(h, v))
        .collect();
    out.calls = same.iter().chain(&other).map(|v| v.id.clone()).collect();
    out.status = if same.iter().any(|v| v.passes()) {
        HotspotStatus::Detected
    } else if other.iter().any(|v| v.passes()) {
        HotspotStatus::OtherChange
    } else if !same.is_empty() {
        HotspotStatus::DetectedFiltered
    } else if depth < warn_depth {
        HotspotStatus::InsufficientDepth
    } else {
        HotspotStatus::NotDetected
    };
    out
}
