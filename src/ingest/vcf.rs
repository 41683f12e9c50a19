//! Small-variant VCFs from other callers or labs, read as [`SmallVariant`]s for concordance.
//! Multi-allelic records are split; symbolic alleles (structural variants) are counted and left out.
use crate::error::{Error, Result};
use crate::model::{SmallVariant, VariantKind};
use rust_htslib::bcf::{self, Read};
use std::path::Path;

/// One VCF's small variants and what could not be read as one.
#[derive(Debug, Clone, Default)]
pub struct VcfCalls {
    /// First sample column, if any.
    pub sample: Option<String>,
    pub variants: Vec<SmallVariant>,
    /// Records with symbolic or breakend alleles, not compared.
    pub skipped_symbolic: usize,
}

/// Read every ALT allele of `path` (VCF, bgzipped VCF or BCF). A record passes when FILTER is
/// PASS or missing; the others keep their filters. VAF comes from FORMAT AF, else AD, else INFO AF.
pub fn read_small_variants(path: &Path) -> Result<VcfCalls> {
    let bad = |reason: String| Error::input(path, reason);
    let mut reader =
        bcf::Reader::from_path(path).map_err(|e| bad(format!("not a VCF/BCF: {e}")))?;
    let header = reader.header().clone();
    let mut out = VcfCalls {
        sample: header
            .samples()
            .first()
            .map(|s| String::from_utf8_lossy(s).into_owned()),
        ..Default::default()
    };
    let mut rec = reader.empty_record();
    let mut n = 0usize;
    while let Some(r) = reader.read(&mut rec) {
        n += 1;
        r.map_err(|e| bad(format!("record {n}: {e}")))?;
        let rid = rec
            .rid()
            .ok_or_else(|| bad(format!("record {n}: no contig")))?;
        let chrom = String::from_utf8_lossy(
            header
                .rid2name(rid)
                .map_err(|e| bad(format!("record {n}: {e}")))?,
        )
        .into_owned();
        let pos = rec.pos() as u64 + 1;
        let alleles: Vec<String> = rec
            .alleles()
            .iter()
            .map(|a| String::from_utf8_lossy(a).to_ascii_uppercase())
            .collect();
        let Some((reference, alts)) = alleles.split_first() else {
            return Err(bad(format!("{chrom}:{pos}: record without alleles")));
        };
        let filters: Vec<String> = rec
            .filters()
            .map(|id| String::from_utf8_lossy(&header.id_to_name(id)).into_owned())
            .filter(|f| f != "PASS")
            .collect();
        let fmt_int = |tag: &[u8]| -> Option<Vec<i32>> {
            rec.format(tag)
                .integer()
                .ok()
                .and_then(|v| v.first().map(|s| s.to_vec()))
        };
        let fmt_float = |tag: &[u8]| -> Option<Vec<f32>> {
            rec.format(tag)
                .float()
                .ok()
                .and_then(|v| v.first().map(|s| s.to_vec()))
        };
        let ad = fmt_int(b"AD");
        let dp = fmt_int(b"DP").and_then(|v| v.first().copied());
        let af = fmt_float(b"AF");
        let info_af = rec.info(b"AF").float().ok().flatten().map(|v| v.to_vec());
        let usable = |x: i32| (x >= 0 && x != i32::MIN + 1).then_some(x as u32);
        for (k, alt) in alts.iter().enumerate() {
            let symbolic = alt.starts_with('<')
                || alt.contains('[')
                || alt.contains(']')
                || alt == "*"
                || alt == "."
                || !alt.bytes().all(|b| b"ACGTN".contains(&b))
                || !reference.bytes().all(|b| b"ACGTN".contains(&b));
            if symbolic {
                out.skipped_symbolic += 1;
                continue;
            }
            let ref_n = ad
                .as_ref()
                .and_then(|v| v.first().copied())
                .and_then(usable);
            let alt_n = ad
                .as_ref()
                .and_then(|v| v.get(k + 1).copied())
                .and_then(usable);
            let depth = dp
                .and_then(usable)
                .or_else(|| {
                    ad.as_ref()
                        .map(|v| v.iter().filter_map(|&x| usable(x)).sum())
                })
                .unwrap_or(0);
            let finite = |x: f32| (x.is_finite()).then_some(x as f64);
            let vaf = af
                .as_ref()
                .and_then(|v| v.get(k).copied())
                .and_then(finite)
                .or_else(|| {
                    let a = alt_n? as f64;
                    let d = ad.as_ref()?.iter().filter_map(|&x| usable(x)).sum::<u32>() as f64;
                    (d > 0.0).then(|| a / d)
                })
                .or_else(|| info_af.as_ref()?.get(k).copied().and_then(finite))
                .unwrap_or(f64::NAN);
            out.variants.push(SmallVariant {
                id: format!("{chrom}:{pos}:{reference}:{alt}"),
                chrom: chrom.clone(),
                pos,
                reference: reference.clone(),
                alt: alt.clone(),
                kind: VariantKind::of(reference, alt),
                depth,
                ref_fragments: ref_n.unwrap_or(0),
                alt_fragments: alt_n.unwrap_or(0),
                vaf: if vaf.is_nan() { 0.0 } else { vaf },
                alt_forward: 0,
                alt_reverse: 0,
                ref_forward: 0,
                ref_reverse: 0,
                qual: Some(rec.qual())
                    .filter(|q| q.is_finite())
                    .map_or(0.0, f64::from),
                error_rate: 0.0,
                median_alt_base_quality: 0,
                median_alt_mapq: 0,
                median_alt_read_position: 0,
                repeat_length: 0,
                filters: filters.clone(),
                origin: "unknown".into(),
                source: "vcf".into(),
            });
        }
    }
    Ok(out)
}
