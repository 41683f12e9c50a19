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

/// Column order of cnv.tsv (DESIGN.md contract, then location, pattern and id).
pub const CNV_COLUMNS: &[&str] = &[
    "sample",
    "gene",
    "exons",
    "call",
    "log2",
    "z",
    "copy_number",
    "ploidy_context",
    "filter",
    "chrom",
    "start",
    "end",
    "pattern",
    "id",
];

pub fn write_cnv(
    path: &Path,
    sample: &str,
    prov: &Provenance,
    cnv: &crate::call::cnv::CnvCalls,
) -> Result<()> {
    let mut s = provenance_lines(prov);
    s += &format!(
        "# baseline {} ({} normals); ikzf1plus {}; ploidy signal {}\n",
        cnv.baseline.method, cnv.baseline.pon_samples, cnv.ikzf1plus.status, cnv.ploidy.pattern
    );
    s += &CNV_COLUMNS.join("\t");
    s.push('\n');
    for c in &cnv.calls {
        let row = [
            sample.to_string(),
            c.gene.clone(),
            c.exon_label(),
            c.state.name().to_string(),
            format!("{:.3}", c.log2),
            format!("{:.2}", c.z),
            c.copy_number.map_or(".".into(), |x| format!("{x:.2}")),
            c.ploidy_context.clone().unwrap_or_else(|| ".".into()),
            if c.filters.is_empty() {
                "PASS".into()
            } else {
                c.filters.join(";")
            },
            c.chrom.clone(),
            c.start.to_string(),
            c.end.to_string(),
            c.pattern.clone().unwrap_or_else(|| ".".into()),
            c.id.clone(),
        ];
        s += &row.join("\t");
        s.push('\n');
    }
    write_atomic(path, s.as_bytes())
}

/// Column order of a panel-of-normals file (after its `##` metadata lines).
pub const PON_COLUMNS: &[&str] = &["chrom", "start", "end", "name", "gc", "log2", "sd", "depth"];

/// Write a panel of normals: `##puente-pon`, `##panel`, one `##normal` line per sample and one
/// `##site` line per recurrent small-variant artefact, then one row per capture target (BED
/// coordinates). Read back by [`crate::ingest::pon::read`].
pub fn write_pon(path: &Path, pon: &crate::model::PanelOfNormals) -> Result<()> {
    let mut s = format!(
        "##puente-pon\tformat={}\tpuente={}\n##panel\tname={}\tversion={}\tbuild={}\tsha256={}\n",
        pon.format_version,
        pon.puente_version,
        pon.panel.name,
        pon.panel.version,
        pon.panel.build,
        pon.panel.sha256
    );
    for n in &pon.samples {
        s += &format!(
            "##normal\tsample_id={}\tsex={}\tsha256={}\tpath={}\n",
            n.sample_id, n.sex, n.sha256, n.path
        );
    }
    for x in &pon.sites {
        s += &format!(
            "##site\tid={}\tnormals={}\talt_fragments={}\tdepth={}\tmax_vaf={}\n",
            x.id, x.normals, x.alt_fragments, x.depth, x.max_vaf
        );
    }
    s += &PON_COLUMNS.join("\t");
    s.push('\n');
    for t in &pon.targets {
        s += &format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            t.chrom, t.start, t.end, t.name, t.gc, t.log2, t.sd, t.depth
        );
    }
    write_atomic(path, s.as_bytes())
}
