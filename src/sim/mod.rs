//! Deterministic test-data simulator: sparse GRCh38 reference, paired reads with planted lesions,
//! truth files. Used by `puente simulate`, `puente demo`, the tests and the benches.
pub mod cnv;
pub mod fusions;
pub mod reads;
pub mod reference;
pub mod variants;

use crate::error::{Error, Result};
use crate::panel::Panel;
pub use reads::{
    simulate_sample, ChromosomeCopies, PlantedDeletion, PlantedFusion, PlantedGain, PlantedVariant,
    SampleSpec,
};
pub use reference::{write_reference, SimGenome};

/// Regions the read simulator covers: every exon of the panel's transcripts (`exon:` names, full
/// depth) plus the fusion-search introns and backbone windows (intronic depth).
pub fn sim_targets(panel: &Panel) -> Vec<crate::model::Region> {
    let mut out: Vec<crate::model::Region> = panel
        .exons
        .iter()
        .map(|e| crate::model::Region {
            chrom: e.chrom.clone(),
            start: e.start - 1,
            end: e.end,
            name: format!("exon:{}:{}:{}", e.gene, e.strand, e.number),
        })
        .collect();
    out.extend(panel.fusion_search.iter().cloned());
    out.extend(panel.backbone.iter().cloned());
    out
}

fn region_mid(panel: &Panel, name: &str) -> Result<(String, u64)> {
    panel
        .fusion_search
        .iter()
        .find(|r| r.name.split(',').any(|n| n == name))
        .map(|r| (r.chrom.clone(), (r.start + r.end) / 2))
        .ok_or_else(|| Error::Panel {
            panel: panel.source.clone(),
            reason: format!("no fusion-search region {name}"),
        })
}

pub fn exon_span(panel: &Panel, gene: &str, first: u32, last: u32) -> Result<(String, u64, u64)> {
    let ex: Vec<_> = panel
        .exons
        .iter()
        .filter(|e| e.gene == gene && e.number >= first && e.number <= last)
        .collect();
    if ex.is_empty() {
        return Err(Error::Panel {
            panel: panel.source.clone(),
            reason: format!("{gene} exons {first}-{last} not in the panel"),
        });
    }
    let lo = ex.iter().map(|e| e.start).min().unwrap_or(0);
    let hi = ex.iter().map(|e| e.end).max().unwrap_or(0);
    // deletion breakpoints sit in the flanking introns
    Ok((ex[0].chrom.clone(), lo - 300, hi + 300))
}

pub fn hotspot_variant(panel: &Panel, gene: &str, c: &str, vaf: f64) -> Result<PlantedVariant> {
    let h = panel
        .hotspots
        .iter()
        .find(|h| h.gene == gene && h.hgvs_c == c)
        .ok_or_else(|| Error::Panel {
            panel: panel.source.clone(),
            reason: format!("no hotspot {gene} {c}"),
        })?;
    Ok(PlantedVariant {
        chrom: h.chrom.clone(),
        pos: h.start,
        reference: h.reference.clone(),
        alt: h.alt.clone(),
        vaf,
        label: format!("{gene} {} {c}", h.name),
    })
}

/// A DNA fusion joining the middles of two fusion-search introns.
pub fn intronic_fusion(
    panel: &Panel,
    intron5: &str,
    intron3: &str,
    reverse3: bool,
    label: &str,
) -> Result<PlantedFusion> {
    let (chrom5, pos5) = region_mid(panel, intron5)?;
    let (chrom3, pos3) = region_mid(panel, intron3)?;
    Ok(PlantedFusion {
        chrom5,
        pos5,
        chrom3,
        pos3,
        reverse3,
        reverse5: false,
        fraction: 0.5,
        label: label.into(),
        rna_exons: None,
    })
}

/// Loss of `copies` of a gene's exons `first..=last` (breakpoints in the flanking introns).
pub fn exon_deletion(
    panel: &Panel,
    gene: &str,
    first: u32,
    last: u32,
    copies: u8,
    label: &str,
) -> Result<PlantedDeletion> {
    let (chrom, start, end) = exon_span(panel, gene, first, last)?;
    Ok(PlantedDeletion {
        chrom,
        start,
        end,
        copies,
        label: label.into(),
    })
}

/// The demo cohort: the main ALL lesion classes, positioned from the panel so they stay consistent
/// with it, plus one sample that must fail QC.
pub fn demo_cohort(panel: &Panel, seed: u64) -> Result<Vec<SampleSpec>> {
    let mut a = SampleSpec::new("DEMO-01", seed + 1);
    a.fusions.push(intronic_fusion(
        panel,
        "BCR_intron1",
        "ABL1_intron1",
        false,
        "BCR::ABL1 e1a2 (p190)",
    )?);
    a.deletions.push(exon_deletion(
        panel,
        "IKZF1",
        4,
        7,
        1,
        "IKZF1 exons 4-7 (IK6)",
    )?);
    a.variants
        .push(hotspot_variant(panel, "NUDT15", "c.415C>T", 0.5)?);

    let mut b = SampleSpec::new("DEMO-02", seed + 2);
    b.fusions.push(intronic_fusion(
        panel,
        "ETV6_intron5",
        "RUNX1_intron1",
        true,
        "ETV6::RUNX1",
    )?);
    b.variants
        .push(hotspot_variant(panel, "KRAS", "c.35G>A", 0.12)?);
    b.variants
        .push(hotspot_variant(panel, "TPMT", "c.460G>A", 0.5)?);
    b.variants
        .push(hotspot_variant(panel, "TPMT", "c.719A>G", 0.5)?);
    b.deletions.push(exon_deletion(
        panel,
        "CDKN2A",
        1,
        3,
        2,
        "CDKN2A homozygous deletion",
    )?);

    let mut low = SampleSpec::new("DEMO-03", seed + 3);
    low.depth = 60.0;
    low.duplicate_rate = 0.3;
    low.variants
        .push(hotspot_variant(panel, "TP53", "c.524G>A", 0.3)?);
    Ok(vec![a, b, low])
}

/// Rewrite `bam` as an aligner that reports no supplementary alignments would have written it:
/// supplementary records dropped, SA tags removed (chimeric reads keep only their soft clips).
/// Writes `<stem>.nosa.bam` (+ .bai) beside it.
pub fn strip_supplementary(bam: &std::path::Path) -> Result<std::path::PathBuf> {
    use rust_htslib::bam::{self, Read};
    let err = |p: &std::path::Path| {
        let p = p.to_path_buf();
        move |e: rust_htslib::errors::Error| Error::Htslib {
            path: p,
            reason: e.to_string(),
        }
    };
    let out = bam.with_extension("nosa.bam");
    let mut reader = bam::Reader::from_path(bam).map_err(err(bam))?;
    let header = bam::Header::from_template(reader.header());
    let mut writer = bam::Writer::from_path(&out, &header, bam::Format::Bam).map_err(err(&out))?;
    let mut rec = bam::Record::new();
    while let Some(r) = reader.read(&mut rec) {
        r.map_err(err(bam))?;
        if rec.flags() & 0x800 != 0 {
            continue;
        }
        let _ = rec.remove_aux(b"SA");
        writer.write(&rec).map_err(err(&out))?;
    }
    drop(writer);
    bam::index::build(&out, None, bam::index::Type::Bai, 1).map_err(err(&out))?;
    Ok(out)
}
