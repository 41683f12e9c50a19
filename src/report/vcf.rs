//! `variants.vcf.gz` and `sv.vcf.gz` (+ `.tbi`): VCF 4.3, bgzipped and tabix-indexed, one sample
//! column. Every emitted call is written, failing ones with their FILTER reasons; provenance sits in
//! the header. Fusions are BND pairs with mate IDs.
use crate::call::fusion::filters::{FusionThresholds, FILTERS as FUSION_FILTERS};
use crate::call::small::filters::FILTERS;
use crate::call::small::model::Thresholds;
use crate::error::{Error, Result};
use crate::model::{CnvState, CopyNumberCall};
use crate::model::{
    FusionCall, HotspotCall, Provenance, Retained, SmallVariant, VariantAnnotation,
};
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
        "CSQ",
        ".",
        "String",
        "Consequence on the pinned transcript, then on any --transcripts ones. Format: Allele|Consequence|SYMBOL|Feature|EXON|INTRON|HGVSc|HGVSp|HGVSg (percent-encoded)",
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

/// Header lines every puente VCF starts with: provenance and contigs (panel names, as the
/// report's IDs), with the reference MD5 of each.
fn provenance_header(prov: &Provenance, contigs: &[(String, u64)]) -> String {
    let mut h = String::from("##fileformat=VCFv4.3\n");
    if let Some(d) = &prov.analysis_date {
        h += &format!("##fileDate={}\n", d.replace('-', ""));
    }
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
    h
}

/// FILTER, INFO and FORMAT definitions and the column line.
fn definitions(
    filters: &[(&str, &str)],
    info: &[(&str, &str, &str, &str)],
    format: &[(&str, &str, &str, &str)],
    sample: &str,
) -> String {
    let mut h = String::from("##FILTER=<ID=PASS,Description=\"All filters passed\">\n");
    for (id, d) in filters {
        h += &format!("##FILTER=<ID={id},Description=\"{d}\">\n");
    }
    for (key, fields) in [("INFO", info), ("FORMAT", format)] {
        for (id, n, ty, d) in fields {
            h += &format!("##{key}=<ID={id},Number={n},Type={ty},Description=\"{d}\">\n");
        }
    }
    h += &format!("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{sample}\n");
    h
}

/// The small-variant header: provenance, thresholds, definitions.
fn header(sample: &str, prov: &Provenance, contigs: &[(String, u64)], t: &Thresholds) -> String {
    let mut h = provenance_header(prov, contigs);
    h += &format!(
        "##puenteThresholds=<ID=small_variants,MinAltFragments={},MinVaf={},MinQual={}>\n",
        t.min_alt_fragments, t.min_vaf, t.min_qual
    );
    h + &definitions(FILTERS, INFO, FORMAT, sample)
}

/// VEP-style CSQ entries: one per transcript, fields percent-encoded so `p.(Gly12=)` survives.
fn csq(v: &SmallVariant, a: &VariantAnnotation) -> String {
    let enc = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '%' | ',' | ';' | '=' | '|' | ' ' | '\t' => format!("%{:02X}", c as u32),
                _ => c.to_string(),
            })
            .collect()
    };
    let o = |s: &Option<String>| enc(s.as_deref().unwrap_or(""));
    let named = |tx: &Option<String>, name: &Option<String>| match (tx, name) {
        (Some(t), Some(n)) => enc(&format!("{t}:{n}")),
        _ => String::new(),
    };
    let mut entries = vec![format!(
        "{}|{}|{}|{}|{}|{}|{}|{}|{}",
        enc(&v.alt),
        enc(&a.consequences.join("&")),
        o(&a.gene),
        o(&a.transcript),
        o(&a.exon),
        o(&a.intron),
        named(&a.transcript, &a.hgvs_c),
        named(&a.transcript, &a.hgvs_p),
        enc(&a.hgvs_g)
    )];
    for t in &a.other_transcripts {
        let tx = Some(t.transcript.clone());
        entries.push(format!(
            "{}|{}|{}|{}|{}|{}|{}|{}|{}",
            enc(&v.alt),
            enc(&t.consequence),
            enc(&t.gene),
            enc(&t.transcript),
            o(&t.exon),
            o(&t.intron),
            named(&tx, &t.hgvs_c),
            named(&tx, &t.hgvs_p),
            enc(&a.hgvs_g)
        ));
    }
    entries.join(",")
}

fn record(v: &SmallVariant, hotspots: &[String], ann: Option<&VariantAnnotation>) -> String {
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
    if let Some(a) = ann {
        info += &format!(";CSQ={}", csq(v, a));
    }
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

/// What variants.vcf.gz is written from.
pub struct SmallVcf<'a> {
    pub sample: &'a str,
    pub provenance: &'a Provenance,
    pub contigs: &'a [(String, u64)],
    pub calls: &'a [SmallVariant],
    pub hotspots: &'a [HotspotCall],
    pub annotations: &'a [VariantAnnotation],
    pub thresholds: &'a Thresholds,
}

impl<'a> SmallVcf<'a> {
    /// Everything from the report, so a saved report.json re-renders the same VCF.
    pub fn from_report(report: &'a crate::report::Report, contigs: &'a [(String, u64)]) -> Self {
        SmallVcf {
            sample: &report.sample.sample_id,
            provenance: &report.provenance,
            contigs,
            calls: &report.small_variants,
            hotspots: &report.hotspots,
            annotations: &report.annotations,
            thresholds: &report.methods.small_variants.thresholds,
        }
    }
}

/// Write `path` (bgzipped VCF) and `path.tbi`, each through a temporary file.
pub fn write_small_variants(path: &Path, v: &SmallVcf) -> Result<()> {
    let (sample, prov, contigs) = (v.sample, v.provenance, v.contigs);
    let (calls, hotspots, annotations, t) = (v.calls, v.hotspots, v.annotations, v.thresholds);
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
        let ann = annotations.iter().find(|a| a.variant_id == v.id);
        text += &record(
            v,
            by_call.get(v.id.as_str()).map_or(&[], |x| x.as_slice()),
            ann,
        );
    }
    write_indexed(path, &text)
}

/// Write VCF `text` bgzipped to `path` and its tabix (or CSI) index, each through a temporary file.
fn write_indexed(path: &Path, text: &str) -> Result<()> {
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

const SV_INFO: &[(&str, &str, &str, &str)] = &[
    (
        "SVTYPE",
        "1",
        "String",
        "BND: one side of a rearrangement junction; DEL/DUP: exon-level copy-number change",
    ),
    ("END", "1", "Integer", "Last base of the copy-number change"),
    (
        "SVLEN",
        ".",
        "Integer",
        "Length of the copy-number change (negative for losses)",
    ),
    (
        "EXONS",
        "1",
        "String",
        "Exons of the gene's panel transcript that changed",
    ),
    (
        "CNSTATE",
        "1",
        "String",
        "DEL, HOMDEL or AMP (copy-number call)",
    ),
    ("LOG2", "1", "Float", "Mean log2 ratio over the exons"),
    ("ZSCORE", "1", "Float", "Combined z-score over the exons"),
    ("PATTERN", "1", "String", "Named pattern (e.g. IKZF1_Δ4-7)"),
    (
        "MATEID",
        ".",
        "String",
        "ID of the record for the other side",
    ),
    (
        "EVENT",
        "1",
        "String",
        "Event shared by the junctions of one (balanced) rearrangement",
    ),
    (
        "FUSION",
        "1",
        "String",
        "HGNC fusion name, 5' partner first",
    ),
    (
        "PARTNER",
        "1",
        "String",
        "5prime or 3prime: which partner this side is",
    ),
    ("GENE", "1", "String", "Panel gene or locus at this side"),
    ("EXON", "1", "Integer", "Exon kept next to the junction"),
    ("ISOFORM", "1", "String", "Isoform name (e.g. e1a2_(p190))"),
    (
        "FRAME",
        "1",
        "String",
        "in_frame, out_of_frame, cds3_intact, not_productive or unknown",
    ),
    (
        "KNOWN",
        "0",
        "Flag",
        "Pair listed in the panel's known fusions",
    ),
    (
        "IMPRECISE",
        "0",
        "Flag",
        "No split read: breakpoint placed within an insert size",
    ),
    (
        "HOMLEN",
        ".",
        "Integer",
        "Microhomology at the junction (bases)",
    ),
    ("LIBRARY", "1", "String", "dna or rna"),
];

const SV_FORMAT: &[(&str, &str, &str, &str)] = &[
    (
        "SR",
        "1",
        "Integer",
        "Fragments with a read split across the junction",
    ),
    (
        "PE",
        "1",
        "Integer",
        "Other fragments with mates on the two partners",
    ),
    (
        "MQ0",
        "1",
        "Integer",
        "Fragments below the MAPQ floor, not counted as support",
    ),
    (
        "TCN",
        "1",
        "Float",
        "Estimated copies in the tumour cells (copy-number records; VCF's CN is an integer genotype)",
    ),
];

/// BND ALT for a side kept on `retained` joined to the partner side `(chrom, pos, retained)`.
fn bnd_alt(base: char, retained: Retained, chrom: &str, pos: u64, partner: Retained) -> String {
    match (retained, partner) {
        (Retained::Left, Retained::Right) => format!("{base}[{chrom}:{pos}["),
        (Retained::Left, Retained::Left) => format!("{base}]{chrom}:{pos}]"),
        (Retained::Right, Retained::Left) => format!("]{chrom}:{pos}]{base}"),
        (Retained::Right, Retained::Right) => format!("[{chrom}:{pos}[{base}"),
    }
}

/// Write `sv.vcf.gz` (+ index): each fusion call as two BND records with mate IDs. `ref_base`
/// gives the reference base at a 1-based position (N when unknown).
/// What sv.vcf.gz holds: fusion junctions (BND pairs) and copy-number calls (symbolic alleles).
pub struct SvRecords<'a> {
    pub fusions: &'a [FusionCall],
    pub copy_number: &'a [CopyNumberCall],
}

pub fn write_sv(
    path: &Path,
    sample: &str,
    prov: &Provenance,
    contigs: &[(String, u64)],
    records: SvRecords,
    thresholds: &FusionThresholds,
    ref_base: &dyn Fn(&str, u64) -> char,
) -> Result<()> {
    let mut h = provenance_header(prov, contigs);
    h += &format!(
        "##puenteThresholds=<ID=fusions,MinSupport={},MinSplitReads={}>\n",
        thresholds.min_support, thresholds.min_split_reads
    );
    h += "##ALT=<ID=DEL,Description=\"Copy-number loss\">\n##ALT=<ID=DUP,Description=\"Copy-number gain\">\n";
    let filters: Vec<(&str, &str)> = FUSION_FILTERS
        .iter()
        .chain(crate::call::cnv::FILTERS)
        .copied()
        .collect();
    h += &definitions(&filters, SV_INFO, SV_FORMAT, sample);
    let rank = |c: &str| {
        contigs
            .iter()
            .position(|(n, _)| n == c)
            .unwrap_or(usize::MAX)
    };
    let mut rows: Vec<(usize, u64, String)> = Vec::new();
    for c in records.fusions {
        let filter = if c.filters.is_empty() {
            "PASS".to_string()
        } else {
            c.filters.join(";")
        };
        let sides = [
            (&c.five_prime, &c.three_prime, "5prime", "5", "3"),
            (&c.three_prime, &c.five_prime, "3prime", "3", "5"),
        ];
        for (me, other, which, tag, other_tag) in sides {
            let mut info = format!(
                "SVTYPE=BND;MATEID={}_{other_tag};EVENT={};FUSION={};PARTNER={which};LIBRARY={}",
                c.id,
                c.event_id,
                c.name,
                c.library.name()
            );
            if let Some(g) = &me.gene {
                info += &format!(";GENE={g}");
            }
            if let Some(e) = me.exon {
                info += &format!(";EXON={e}");
            }
            if let Some(i) = &c.isoform {
                info += &format!(";ISOFORM={}", i.replace(' ', "_"));
            }
            info += &format!(";FRAME={};HOMLEN={}", c.frame.name(), c.homology);
            if c.known {
                info += ";KNOWN";
            }
            if !c.precise {
                info += ";IMPRECISE";
            }
            let alt = bnd_alt(
                ref_base(&me.chrom, me.pos),
                me.retained,
                &other.chrom,
                other.pos,
                other.retained,
            );
            rows.push((
                rank(&me.chrom),
                me.pos,
                format!(
                    "{}\t{}\t{}_{tag}\t{}\t{alt}\t.\t{filter}\t{info}\tSR:PE:MQ0\t{}:{}:{}\n",
                    me.chrom,
                    me.pos,
                    c.id,
                    ref_base(&me.chrom, me.pos),
                    c.split_reads,
                    c.spanning_pairs,
                    c.mapq0_support
                ),
            ));
        }
    }
    for c in records.copy_number {
        let (svtype, sign) = match c.state {
            CnvState::Del | CnvState::Homdel => ("DEL", -1i64),
            CnvState::Amp => ("DUP", 1),
            CnvState::Neutral | CnvState::NoCoverage => continue,
        };
        // symbolic alleles start at the base before the event
        let pos = c.start.saturating_sub(1).max(1);
        let filter = if c.filters.is_empty() {
            "PASS".to_string()
        } else {
            c.filters.join(";")
        };
        let mut info = format!(
            "SVTYPE={svtype};END={};SVLEN={};GENE={};EXONS={};CNSTATE={};LOG2={:.3};ZSCORE={:.2};IMPRECISE",
            c.end,
            sign * (c.end - c.start + 1) as i64,
            c.gene,
            c.exon_label(),
            c.state.name(),
            c.log2,
            c.z
        );
        if let Some(p) = &c.pattern {
            info += &format!(";PATTERN={}", vcf_text(p));
        }
        let cn = c.copy_number.map_or(".".into(), |x| format!("{x:.2}"));
        rows.push((
            rank(&c.chrom),
            pos,
            format!(
                "{}\t{pos}\t{}\t{}\t<{svtype}>\t.\t{filter}\t{info}\tTCN\t{cn}\n",
                c.chrom,
                c.id,
                ref_base(&c.chrom, pos)
            ),
        ));
    }
    rows.sort();
    for (_, _, r) in rows {
        h += &r;
    }
    write_indexed(path, &h)
}

/// INFO values may not hold spaces, commas, semicolons or equals signs; kept ASCII for older
/// readers (`Δ4-7` becomes `del4-7`).
fn vcf_text(s: &str) -> String {
    s.replace('Δ', "del")
        .replace(", ", "_")
        .chars()
        .filter(|c| c.is_ascii() && !matches!(c, '(' | ')'))
        .map(|c| {
            if matches!(c, ' ' | ',' | ';' | '=') {
                '_'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PanelRef, ReferenceRef};

    #[test]
    fn copy_number_records_are_valid_indexed_vcf() {
        let dir = std::env::temp_dir().join(format!("puente-svvcf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let prov = Provenance {
            puente_version: "0.1.0".into(),
            command_line: vec!["puente".into(), "run".into()],
            panel: PanelRef {
                name: "all-v1".into(),
                version: "1.0.0".into(),
                build: "GRCh38".into(),
                sha256: "ab".into(),
            },
            reference: ReferenceRef {
                path: "ref.fa".into(),
                build: "GRCh38".into(),
                contig_md5: Default::default(),
            },
            inputs: vec![],
            read_groups: vec![],
            analysis_date: None,
        };
        let call = CopyNumberCall {
            start: 50376533,
            end: 50391863,
            gene_exons: 8,
            log2: -0.5,
            z: -12.0,
            copy_number: Some(1.1),
            tumor_fraction_used: Some(0.8),
            pattern: Some("IKZF1 Δ4-7 (IK6, dominant negative)".into()),
            filters: vec!["low_z".into()],
            ..CopyNumberCall::for_test("IKZF1", "chr7", (4, 7), CnvState::Del)
        };
        let path = dir.join("sv.vcf.gz");
        write_sv(
            &path,
            "S1",
            &prov,
            &[("chr7".into(), 159345973)],
            SvRecords {
                fusions: &[],
                copy_number: &[call],
            },
            &FusionThresholds::default(),
            &|_, _| 'G',
        )
        .unwrap();
        assert!(dir.join("sv.vcf.gz.tbi").is_file());
        let mut text = String::new();
        use std::io::Read;
        flate2::read::MultiGzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        assert!(
            text.contains("chr7\t50376532\tCNV:IKZF1:4-7:DEL\tG\t<DEL>\t.\tlow_z\t"),
            "{text}"
        );
        assert!(
            text.contains("PATTERN=IKZF1_del4-7_IK6_dominant_negative"),
            "{text}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
