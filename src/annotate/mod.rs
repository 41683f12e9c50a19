//! Annotation: the consequence of each small variant on the panel's pinned transcript (HGVS g., c.
//! and p.), matches of every call against the marker knowledge base (`markers.toml`), and the
//! AMP/ASCO/CAP tier and implications those matches carry.
pub mod hgvs;
pub mod markers;
pub mod protein;
pub mod transcript;

use crate::ingest::Reference;
use crate::model::VariantAnnotation;
use crate::panel::Panel;
use hgvs::Change;
use transcript::{Anchor, Region, Sequence, Transcript};

/// Sequence from the run's FASTA, with panel contig names resolved to the FASTA's (`chr1` vs `1`).
pub struct ReferenceSequence<'a> {
    reference: &'a Reference,
    names: Vec<String>,
}

impl<'a> ReferenceSequence<'a> {
    pub fn new(reference: &'a Reference) -> Self {
        ReferenceSequence {
            names: reference.contigs.iter().map(|(n, _)| n.clone()).collect(),
            reference,
        }
    }
}

impl Sequence for ReferenceSequence<'_> {
    fn fetch(&self, chrom: &str, start0: u64, end0: u64) -> Option<Vec<u8>> {
        let name = crate::ingest::build::resolve_contig(chrom, &self.names)?;
        if end0 > self.reference.length(name)? {
            return None;
        }
        self.reference
            .fetch(name, start0, end0)
            .ok()
            .map(|s| s.to_ascii_uppercase())
    }
}

/// How far past the transcript end a lost stop codon is read on.
const READ_THROUGH: u64 = 3000;

/// Severity order of the consequence terms (most severe first), as in the usual VEP ranking.
const SEVERITY: &[&str] = &[
    "splice_acceptor_variant",
    "splice_donor_variant",
    "stop_gained",
    "frameshift_variant",
    "stop_lost",
    "start_lost",
    "inframe_insertion",
    "inframe_deletion",
    "missense_variant",
    "coding_sequence_variant",
    "splice_region_variant",
    "synonymous_variant",
    "5_prime_UTR_variant",
    "3_prime_UTR_variant",
    "intron_variant",
    "upstream_gene_variant",
    "downstream_gene_variant",
    "intergenic_variant",
];

fn rank(term: &str) -> usize {
    SEVERITY
        .iter()
        .position(|t| *t == term)
        .unwrap_or(SEVERITY.len())
}

/// Annotates variants against the panel's transcripts and a reference sequence.
pub struct Annotator<'a> {
    pub transcripts: Vec<Transcript>,
    /// Transcripts the lab asked for besides the pinned ones: named, never used to pick the
    /// reported consequence.
    pub extra: Vec<Transcript>,
    seq: &'a dyn Sequence,
    grch38: bool,
}

impl<'a> Annotator<'a> {
    pub fn new(panel: &Panel, seq: &'a dyn Sequence) -> Self {
        Annotator {
            transcripts: Transcript::from_panel(panel),
            extra: vec![],
            seq,
            grch38: panel.manifest.panel.build == "GRCh38",
        }
    }

    /// Also name every change on `extra` (see [`load_extra_transcripts`]).
    pub fn with_extra(mut self, extra: Vec<Transcript>) -> Self {
        self.extra = extra;
        self
    }

    pub fn with_transcripts(transcripts: Vec<Transcript>, seq: &'a dyn Sequence) -> Self {
        Annotator {
            transcripts,
            extra: vec![],
            seq,
            grch38: true,
        }
    }

    /// Annotate a VCF-style allele (left-aligned, anchored indels) on the transcript whose gene it
    /// lies in (within 5 kb upstream or downstream counts), or as intergenic.
    pub fn annotate(
        &self,
        id: &str,
        chrom: &str,
        pos: u64,
        reference: &str,
        alt: &str,
    ) -> VariantAnnotation {
        let change = Change::from_vcf(chrom, pos, reference, alt);
        let accession = if self.grch38 {
            hgvs::grch38_accession(chrom)
        } else {
            None
        };
        let hgvs_g = hgvs::g_name(&change, self.seq, accession);
        let near = |t: &&Transcript| {
            t.chrom == chrom && change.start + 5000 >= t.start() && change.start <= t.end() + 5000
        };
        let mut best: Option<VariantAnnotation> = None;
        for t in self.transcripts.iter().filter(near) {
            let a = self.on_transcript(id, &change, t, &hgvs_g);
            if best
                .as_ref()
                .is_none_or(|b| rank(&a.consequence) < rank(&b.consequence))
            {
                best = Some(a);
            }
        }
        let others: Vec<crate::model::TranscriptConsequence> = self
            .extra
            .iter()
            .filter(near)
            .map(|t| {
                let a = self.on_transcript(id, &change, t, &hgvs_g);
                crate::model::TranscriptConsequence {
                    gene: t.gene.clone(),
                    transcript: t.id.clone(),
                    consequence: a.consequence,
                    exon: a.exon,
                    intron: a.intron,
                    hgvs_c: a.hgvs_c,
                    hgvs_p: a.hgvs_p,
                }
            })
            .collect();
        let mut out = best.unwrap_or_else(|| VariantAnnotation {
            variant_id: id.to_string(),
            gene: None,
            transcript: None,
            consequence: "intergenic_variant".into(),
            consequences: vec!["intergenic_variant".into()],
            exon: None,
            intron: None,
            hgvs_g,
            hgvs_c: None,
            hgvs_p: None,
            protein_change: None,
            protein_position: None,
            other_transcripts: vec![],
        });
        out.other_transcripts = others;
        out
    }

    fn on_transcript(
        &self,
        id: &str,
        change: &Change,
        t: &Transcript,
        hgvs_g: &str,
    ) -> VariantAnnotation {
        let (c, hgvs_c) = hgvs::c_name(change, t, self.seq);
        // the bases the change touches; an insertion touches its two flanks
        let (lo, hi) = if c.deleted.is_empty() {
            (c.start - 1, c.start)
        } else {
            (c.start, c.end())
        };
        let mut terms: Vec<&'static str> = Vec::new();
        let mut splice_site = false;
        let mut first_region = None;
        let span = hi - lo + 1;
        // long deletions: look at the ends and at every exon edge inside them
        let mut probes: Vec<u64> = if span <= 2000 {
            (lo..=hi).collect()
        } else {
            vec![lo, hi]
        };
        for &(_, s, e) in &t.exons {
            for g in [s.saturating_sub(2), s.saturating_sub(1), e + 1, e + 2] {
                if lo <= g && g <= hi && span > 2000 {
                    probes.push(g);
                }
            }
        }
        let edges: Vec<(u64, u64)> = t.exons.iter().map(|&(_, s, e)| (s, e)).collect();
        let (tx_first, tx_last) = (t.start(), t.end());
        for &g in &probes {
            let region = t.region(g);
            first_region.get_or_insert(region);
            let cp = t.c_pos(g);
            match region {
                Region::Intron(_) => {
                    let o = cp.offset;
                    if o == 1 || o == 2 {
                        terms.push("splice_donor_variant");
                        splice_site = true;
                    } else if o == -1 || o == -2 {
                        terms.push("splice_acceptor_variant");
                        splice_site = true;
                    } else if (3..=8).contains(&o.abs()) {
                        terms.push("splice_region_variant");
                    } else {
                        terms.push("intron_variant");
                    }
                }
                Region::Exon(_) => {
                    // within 3 bases of an internal exon edge
                    if edges.iter().any(|&(s, e)| {
                        (s != tx_first && g >= s && g < s + 3)
                            || (e != tx_last && g <= e && g + 3 > e)
                    }) {
                        terms.push("splice_region_variant");
                    }
                    match cp.anchor {
                        Anchor::Utr5(_) => terms.push("5_prime_UTR_variant"),
                        Anchor::Utr3(_) => terms.push("3_prime_UTR_variant"),
                        Anchor::Cds(_) => {}
                    }
                }
                Region::Upstream => terms.push("upstream_gene_variant"),
                Region::Downstream => terms.push("downstream_gene_variant"),
            }
        }
        let mut hgvs_p = None;
        let mut protein_change = None;
        let mut protein_position = None;
        let in_cds = |g: u64| {
            matches!(
                t.c_pos(g),
                transcript::CPos {
                    anchor: Anchor::Cds(_),
                    offset: 0
                }
            )
        };
        // an insertion is coding only between two coding bases; a deletion when it removes one
        let coding = if c.deleted.is_empty() {
            in_cds(lo) && in_cds(hi)
        } else {
            probes.iter().any(|&g| in_cds(g))
        };
        if coding && t.cds.is_some() {
            match self.protein(&c, t) {
                Some(p) => {
                    terms.push(p.consequence);
                    hgvs_p = Some(format!("p.({})", p.hgvs));
                    protein_change = Some(p.short);
                    protein_position = Some((p.first_residue, p.last_residue));
                }
                None => {
                    // crosses an exon edge or the start/stop boundary: no safe prediction
                    terms.push("coding_sequence_variant");
                    hgvs_p = Some("p.?".into());
                }
            }
        } else if splice_site && t.cds.is_some() {
            hgvs_p = Some("p.?".into());
        }
        terms.sort_by_key(|t| rank(t));
        terms.dedup();
        let n = t.exon_count();
        let (exon, intron) = match first_region {
            Some(Region::Exon(k)) => (Some(format!("{k}/{n}")), None),
            Some(Region::Intron(k)) => (None, Some(format!("{k}/{}", n - 1))),
            _ => (None, None),
        };
        VariantAnnotation {
            variant_id: id.to_string(),
            gene: Some(t.gene.clone()),
            transcript: Some(t.id.clone()),
            consequence: terms
                .first()
                .copied()
                .unwrap_or("intron_variant")
                .to_string(),
            consequences: terms.iter().map(|s| s.to_string()).collect(),
            exon,
            intron,
            hgvs_g: hgvs_g.to_string(),
            hgvs_c: Some(hgvs_c),
            hgvs_p,
            protein_change,
            protein_position,
            other_transcripts: vec![],
        }
    }

    /// Protein effect of a change lying wholly inside the spliced transcript and touching the CDS.
    fn protein(&self, c: &Change, t: &Transcript) -> Option<protein::ProteinChange> {
        let c0 = t.cds_start_index()? as i64;
        let cds = t.coding_sequence(self.seq, READ_THROUGH)?;
        let (ins, del_len) = if t.plus() {
            (c.inserted.clone(), c.deleted.len())
        } else {
            (transcript::revcomp(&c.inserted), c.deleted.len())
        };
        // first affected index along the coding sequence (0 = first base of the start codon)
        let k: i64 = if c.deleted.is_empty() {
            // insertion between two exonic bases adjacent on the transcript
            let (a, b) = (t.tx_index(c.start - 1)?, t.tx_index(c.start)?);
            if a.abs_diff(b) != 1 {
                return None;
            }
            a.max(b) as i64 - c0
        } else {
            let (a, b) = (t.tx_index(c.start)?, t.tx_index(c.end())?);
            if a.abs_diff(b) as usize != del_len - 1 {
                return None;
            }
            a.min(b) as i64 - c0
        };
        let (reference, complete) = protein::translate(&cds);
        // the model's CDS must translate to exactly one protein ending in its stop codon; the
        // reference check at load refuses models that do not, this guards custom inputs
        if !complete || reference.len() as u64 * 3 != t.cds_length()? {
            return None;
        }
        if k < 0 {
            // a deletion that starts in the 5' UTR and removes the start codon
            return (k + del_len as i64 > 0).then(|| protein::ProteinChange {
                consequence: "start_lost",
                hgvs: "Met1?".into(),
                short: "M1?".into(),
                first_residue: 1,
                last_residue: 1,
            });
        }
        let k = k as usize;
        let mut alt = cds[..k].to_vec();
        alt.extend_from_slice(&ins);
        alt.extend_from_slice(&cds[k + del_len..]);
        let (alt_p, alt_complete) = protein::translate(&alt);
        Some(protein::describe(
            &reference,
            &alt_p,
            alt_complete,
            ins.len() as i64 - del_len as i64,
            (k / 3 + 1) as u64,
        ))
    }
}

#[cfg(test)]
mod tests;

/// Read extra transcript models a lab wants calls named on (transcripts.tsv columns: gene,
/// transcript, chrom, strand, exon, start, end, cds_start, cds_end, model). Refused with the file
/// and reason when malformed, for a gene not on the panel, a transcript the panel already pins, or
/// a CDS that does not read as a protein on `seq` (wrong build or wrong coordinates).
pub fn load_extra_transcripts(
    path: &std::path::Path,
    panel: &Panel,
    seq: &dyn Sequence,
) -> crate::error::Result<Vec<Transcript>> {
    use crate::error::Error;
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let invalid = |reason: String| Error::InvalidInput {
        path: path.to_path_buf(),
        reason,
    };
    let exons = crate::panel::parse_transcripts(&text).map_err(invalid)?;
    if exons.is_empty() {
        return Err(invalid("no transcript rows".into()));
    }
    let file = path.display().to_string();
    let mut problems = crate::panel::transcript_problems(&exons, &file);
    let pinned = Transcript::from_panel(panel);
    let contigs = panel.contigs();
    for t in Transcript::from_exons(&exons) {
        if !panel.manifest.genes.iter().any(|g| g.name == t.gene) {
            problems.push(format!(
                "{}: gene {} is not on panel {}",
                t.id, t.gene, panel.manifest.panel.name
            ));
        } else if let Some(p) = pinned.iter().find(|p| p.gene == t.gene) {
            if p.chrom != t.chrom {
                problems.push(format!(
                    "{}: {} is on {}, the panel's {} on {}",
                    t.id, t.gene, t.chrom, p.id, p.chrom
                ));
            }
        }
        if pinned.iter().any(|p| p.id == t.id) {
            problems.push(format!("{}: already the panel's pinned transcript", t.id));
        }
        if !contigs.contains(&t.chrom) {
            problems.push(format!(
                "{}: contig {} is not a panel contig",
                t.id, t.chrom
            ));
        }
    }
    if problems.is_empty() {
        let ts = Transcript::from_exons(&exons);
        problems = cds_problems(&ts, seq, &file);
        if problems.is_empty() {
            return Ok(ts);
        }
        return Err(Error::Reference {
            path: path.to_path_buf(),
            reason: format!(
                "transcripts do not match the reference: {}",
                problems.join("; ")
            ),
        });
    }
    Err(invalid(problems.join("; ")))
}

/// Problems between the panel's transcript models / hotspots and a reference: a CDS that does not
/// start with ATG, end with a stop or read through without one, a hotspot whose REF differs. Bases
/// that are N (a sparse or masked reference) are not judged.
pub fn reference_problems(panel: &Panel, seq: &dyn Sequence) -> Vec<String> {
    let mut out = cds_problems(&Transcript::from_panel(panel), seq, "transcripts.tsv");
    hotspot_problems(panel, seq, &mut out);
    out
}

/// Coding sequences that do not read as a protein on this reference (`file` names the source).
pub fn cds_problems(transcripts: &[Transcript], seq: &dyn Sequence, file: &str) -> Vec<String> {
    let mut out = Vec::new();
    for t in transcripts {
        let Some(bases) = t.cds_bases() else { continue };
        if bases.len() % 3 != 0 {
            out.push(format!(
                "{file}: {} {}: CDS length {} is not a multiple of 3",
                t.gene,
                t.id,
                bases.len()
            ));
            continue;
        }
        let mut cds = Vec::with_capacity(bases.len());
        for &g in &bases {
            match seq.fetch(&t.chrom, g - 1, g) {
                Some(b) => cds.push(if t.plus() {
                    b[0]
                } else {
                    transcript::revcomp(&b)[0]
                }),
                None => break,
            }
        }
        if cds.len() != bases.len() || cds.contains(&b'N') {
            continue;
        }
        let codons: Vec<&[u8]> = cds.chunks(3).collect();
        let at = |k: usize| format!("{}:{}", t.chrom, bases[3 * k]);
        if codons[0] != b"ATG" {
            out.push(format!(
                "{file}: {} {}: the CDS starts with {} at {}, not ATG (exons do not match this reference)",
                t.gene,
                t.id,
                String::from_utf8_lossy(codons[0]),
                at(0)
            ));
            continue;
        }
        let last = codons.len() - 1;
        if protein::translate_codon(codons[last]) != b'*' {
            out.push(format!(
                "{file}: {} {}: the CDS ends with {} at {}, not a stop codon",
                t.gene,
                t.id,
                String::from_utf8_lossy(codons[last]),
                at(last)
            ));
        }
        if let Some(k) = codons[..last]
            .iter()
            .position(|c| protein::translate_codon(c) == b'*')
        {
            out.push(format!(
                "{file}: {} {}: stop codon {} inside the CDS at codon {} ({})",
                t.gene,
                t.id,
                String::from_utf8_lossy(codons[k]),
                k + 1,
                at(k)
            ));
        }
    }
    out
}

fn hotspot_problems(panel: &Panel, seq: &dyn Sequence, out: &mut Vec<String>) {
    for h in &panel.hotspots {
        if h.reference == "." {
            continue;
        }
        let Some(b) = seq.fetch(
            &h.chrom,
            h.start - 1,
            h.start - 1 + h.reference.len() as u64,
        ) else {
            continue;
        };
        if b.contains(&b'N') {
            continue;
        }
        if b != h.reference.as_bytes() {
            out.push(format!(
                "hotspots.tsv: {} {} at {}:{}: REF {} but the reference has {}",
                h.gene,
                h.name,
                h.chrom,
                h.start,
                h.reference,
                String::from_utf8_lossy(&b)
            ));
        }
    }
}
