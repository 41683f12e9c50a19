//! `variants.vcf.gz` (+ `.tbi`): VCF 4.3, bgzipped and tabix-indexed, one sample column. Every
//! emitted call is written, failing ones with their FILTER reasons; provenance sits in the header.
use crate::call::small::filters::FILTERS;
use crate::call::small::model::Thresholds;
use crate::error::{Error, Result};
use crate::model::{HotspotCall, Provenance, SmallVariant};
use crate::util::{commit, tmp_path};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

const INFO: &[(&str, &str, &str, &str)] = &[
    ("DP", "1", "Integer", "Informative fragments at the site"),
    ("AF", "A", "Float", "Alt fragments / informative fragments"),
    (
        "KIND",
        "1",
        "String",
        "snv, mnv, insertion, deletion or delins",
    ),
    (
        "ERR",
        "1",
        "Float",
        "Per-fragment error rate assumed by the QUAL test",
    ),
    (
        "REPEAT",
        "1",
        "Integer",
        "Length of the homopolymer/tandem repeat at the variant (0 = none)",
    ),
    ("MBQ", "1", "Integer", "Median base quality of alt bases"),
    ("MMQ", "1", "Integer", "Median mapping quality of alt reads"),
    (
        "MPOS",
        "1",
        "Integer",
        "Median distance of the alt allele from the nearer read end",
    ),
    (
        "ORIGIN",
        "1",
        "String",
        "likely_germline (VAF near 50% or 100%) or unknown",
    ),
    (
        "SOURCE",
        "1",
        "String",
        "pileup (aligned reads) or soft_clip (assembled from clipped reads)",
    ),
    (
        "HOTSPOT",
        ".",
        "String",
        "Panel hotspots this call matches (gene_name)",
    ),
];

const FORMAT: &[(&str, &str, &str, &str)] = &[
    (
        "GT",
        "1",
        "String",
        "Genotype (0/1 unless VAF >= 0.9); somatic VAFs are in AF",
    ),
    ("AD", "R", "Integer", "Ref and alt fragment counts"),
    ("DP", "1", "Integer", "Informative fragments"),
    ("AF", "A", "Float", "Variant allele fraction"),
    (
        "SB",
        "4",
        "Integer",
        "Ref forward, ref reverse, alt forward, alt reverse reads",
    ),
];

/// The header: provenance, contigs (panel names, as the report's IDs), INFO/FORMAT/FILTER.
fn header(sample: &str, prov: &Provenance, contigs: &[(String, u64)], t: &Thresholds) -> String {
    let mut h = String::from("##fileformat=VCFv4.3\n");
    h += &format!("##source=puente {}\n", prov.puente_version);
    h += &format!(
        "##puenteCommand=\"{}\"\n",
        prov.command_line.join(" ").replace('"', "'")
    );
    h += &format!(
        "##puentePanel=<ID={},Version={},Build={},Sha256={}>\n",
        prov.panel.name, prov.panel.version, prov.panel.build, prov.panel.sha256
    );
    for i in &prov.inputs {
        h += &format!("##puenteInput=<ID={},Sha256={}>\n", i.role, i.sha256);
    }
    h += &format!("##reference=file://{}\n", prov.reference.path);
    h += &format!(
        "##puenteThresholds=<ID=small_variants,MinAltFragments={},MinVaf={},MinQual={}>\n",
        t.min_alt_fragments, t.min_vaf, t.min_qual
    );
    for (name, len) in contigs {
        let md5 = prov
            .reference
            .contig_md5
            .iter()
            .find(|(k, _)| {
                crate::ingest::build::canonical(k) == crate::ingest::build::canonical(name)
            })
            .map(|(_, v)| format!(",md5={v}"))
            .unwrap_or_default();
        h += &format!(
            "##contig=<ID={name},length={len}{md5},assembly={}>\n",
            prov.reference.build
        );
    }
    h += "##FILTER=<ID=PASS,Description=\"All filters passed\">\n";
    for (id, d) in FILTERS {
        h += &format!("##FILTER=<ID={id},Description=\"{d}\">\n");
    }
    for (key, fields) in [("INFO", INFO), ("FORMAT", FORMAT)] {
        for (id, n, ty, d) in fields {
            h += &format!("##{key}=<ID={id},Number={n},Type={ty},Description=\"{d}\">\n");
        }
    }
    h += &format!("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{sample}\n");
    h
}

fn record(v: &SmallVariant, hotspots: &[String]) -> String {
    let filter = if v.filters.is_empty() {
        "PASS".to_string()
    } else {
        v.filters.join(";")
    };
    let kind = serde_json::to_value(v.kind)
        .ok()
        .and_then(|k| k.as_str().map(String::from))
        .unwrap_or_default();
    let mut info = format!(
        "DP={};AF={};KIND={kind};ERR={:.2e};REPEAT={};MBQ={};MMQ={};MPOS={};ORIGIN={};SOURCE={}",
        v.depth,
        v.vaf,
        v.error_rate,
        v.repeat_length,
        v.median_alt_base_quality,
        v.median_alt_mapq,
        v.median_alt_read_position,
        v.origin,
        v.source
    );
    if !hotspots.is_empty() {
        info += &format!(";HOTSPOT={}", hotspots.join(","));
    }
    let gt = if v.vaf >= 0.9 { "1/1" } else { "0/1" };
    format!(
        "{}\t{}\t{}\t{}\t{}\t{:.2}\t{filter}\t{info}\tGT:AD:DP:AF:SB\t{gt}:{},{}:{}:{}:{},{},{},{}\n",
        v.chrom,
        v.pos,
        v.id,
        v.reference,
        v.alt,
        v.qual,
        v.ref_fragments,
        v.alt_fragments,
        v.depth,
        v.vaf,
        v.ref_forward,
        v.ref_reverse,
        v.alt_forward,
        v.alt_reverse
    )
}

/// Write `path` (bgzipped VCF) and `path.tbi`, each through a temporary file.
pub fn write_small_variants(
    path: &Path,
    sample: &str,
    prov: &Provenance,
    contigs: &[(String, u64)],
    calls: &[SmallVariant],
    hotspots: &[HotspotCall],
    t: &Thresholds,
) -> Result<()> {
    let mut by_call: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for h in hotspots {
        for id in &h.calls {
            by_call.entry(id.as_str()).or_default().push(format!(
                "{}_{}",
                h.gene,
                h.name.replace([' ', ';', ','], "_")
            ));
        }
    }
    let mut text = header(sample, prov, contigs, t);
    for v in calls {
        text += &record(v, by_call.get(v.id.as_str()).map_or(&[], |x| x.as_slice()));
    }
    let tmp = tmp_path(path);
    let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let mut w = noodles::bgzf::io::Writer::new(file);
    w.write_all(text.as_bytes())
        .and_then(|_| w.try_finish())
        .map_err(|e| Error::io(&tmp, e))?;
    drop(w);
    commit(&tmp, path)?;
    let index = noodles::vcf::fs::index(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(e.kind(), format!("indexing the VCF: {e}")),
    })?;
    // tabix unless a contig is longer than 2^29 (never for human), then CSI
    let ext = match index {
        noodles::vcf::Index::Tabix(_) => "gz.tbi",
        noodles::vcf::Index::Csi(_) => "gz.csi",
    };
    let dst = path.with_extension(ext);
    let tmp = tmp_path(&dst);
    match &index {
        noodles::vcf::Index::Tabix(t) => noodles::tabix::fs::write(&tmp, t),
        noodles::vcf::Index::Csi(c) => noodles::csi::fs::write(&tmp, c),
    }
    .map_err(|e| Error::io(&tmp, e))?;
    commit(&tmp, &dst)
}
