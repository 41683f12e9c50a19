//! Tab-separated outputs (`fusions.tsv`): `#` provenance lines, one header line, one row per call.
use crate::error::Result;
use crate::model::{FusionCall, Provenance};
use crate::util::write_atomic;
use std::path::Path;

/// Column order of fusions.tsv (DESIGN.md contract, then the linking and evidence columns).
pub const FUSION_COLUMNS: &[&str] = &[
    "sample",
    "gene5",
    "gene3",
    "name",
    "chrom5",
    "pos5",
    "strand5",
    "chrom3",
    "pos3",
    "strand3",
    "exon5",
    "exon3",
    "isoform",
    "split_reads",
    "spanning_pairs",
    "mapq0_support",
    "frame",
    "library",
    "filter",
    "event_id",
    "id",
    "known",
    "precise",
    "reciprocal",
];

fn provenance_lines(prov: &Provenance) -> String {
    let mut s = format!("# puente {}\n", prov.puente_version);
    s += &format!(
        "# panel {} {} ({}) sha256 {}\n",
        prov.panel.name, prov.panel.version, prov.panel.build, prov.panel.sha256
    );
    for i in &prov.inputs {
        s += &format!("# input {} sha256 {}\n", i.role, i.sha256);
    }
    s
}

pub fn write_fusions(
    path: &Path,
    sample: &str,
    prov: &Provenance,
    calls: &[FusionCall],
) -> Result<()> {
    let mut s = provenance_lines(prov);
    s += &FUSION_COLUMNS.join("\t");
    s.push('\n');
    let opt = |x: &Option<String>| x.clone().unwrap_or_else(|| ".".into());
    let num = |x: Option<u32>| x.map_or(".".to_string(), |n| n.to_string());
    for c in calls {
        let row = [
            sample.to_string(),
            c.gene5.clone().unwrap_or_else(|| "?".into()),
            c.gene3.clone().unwrap_or_else(|| "?".into()),
            c.name.clone(),
            c.five_prime.chrom.clone(),
            c.five_prime.pos.to_string(),
            c.five_prime.strand.to_string(),
            c.three_prime.chrom.clone(),
            c.three_prime.pos.to_string(),
            c.three_prime.strand.to_string(),
            num(c.five_prime.exon),
            num(c.three_prime.exon),
            opt(&c.isoform),
            c.split_reads.to_string(),
            c.spanning_pairs.to_string(),
            c.mapq0_support.to_string(),
            c.frame.name().to_string(),
            c.library.name().to_string(),
            if c.filters.is_empty() {
                "PASS".into()
            } else {
                c.filters.join(";")
            },
            c.event_id.clone(),
            c.id.clone(),
            c.known.to_string(),
            c.precise.to_string(),
            opt(&c.reciprocal),
        ];
        s += &row.join("\t");
        s.push('\n');
    }
    write_atomic(path, s.as_bytes())
}
