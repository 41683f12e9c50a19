//! From a junction to a fusion: which partner is 5′ and which 3′, the exons kept, the reading frame,
//! the isoform name and whether the pair is one the panel knows.
use super::cluster::Candidate;
use super::genes::{GeneModel, Genes};
use crate::model::{Breakpoint, Frame, FusionCall, Library, Location, Retained};
use crate::panel::KnownFusion;

/// What a side contributes to a fusion transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The 5′ part of the gene (its promoter and first exons) is kept.
    Five,
    /// The 3′ part (last exons) is kept.
    Three,
    /// A locus without a transcript (IGH): its enhancers drive the partner, named 5′ by convention.
    Regulatory,
}

fn role(g: &GeneModel, loc: &Location, retained: Retained) -> Option<Role> {
    if g.exons.is_empty() {
        return Some(Role::Regulatory);
    }
    let keeps_left_of_gene = (g.strand == '+') == (retained == Retained::Left);
    match loc {
        // upstream of the gene: the gene is kept whole or not at all
        Location::Upstream => (!keeps_left_of_gene).then_some(Role::Three),
        Location::Downstream | Location::Intergenic | Location::Locus => None,
        Location::Exon(_) | Location::Intron(_) => Some(if keeps_left_of_gene {
            Role::Five
        } else {
            Role::Three
        }),
    }
}

struct Side<'g> {
    chrom: String,
    pos: u64,
    retained: Retained,
    gene: Option<(&'g GeneModel, Location)>,
    role: Option<Role>,
}

fn breakpoint(s: &Side, five: bool, exon: Option<u32>) -> Breakpoint {
    // the fusion reads a 5′ partner toward the junction and a 3′ partner away from it
    let forward = if five {
        s.retained == Retained::Left
    } else {
        s.retained == Retained::Right
    };
    Breakpoint {
        chrom: s.chrom.clone(),
        pos: s.pos,
        retained: s.retained,
        strand: if forward { '+' } else { '-' },
        gene: s.gene.map(|(g, _)| g.name.clone()),
        transcript: s.gene.and_then(|(g, _)| g.transcript.clone()),
        location: s.gene.map(|(_, l)| l).unwrap_or(Location::Intergenic),
        exon,
    }
}

/// Last exon kept of a 5′ partner.
fn exon5(loc: &Location) -> Option<u32> {
    match loc {
        Location::Exon(n) | Location::Intron(n) => Some(*n),
        _ => None,
    }
}

/// First exon kept of a 3′ partner. A first exon has no splice acceptor, so behind a coding 5′
/// partner the transcript starts at exon 2 (BCR::ABL1 joins ABL1 a2 whether the break is before or
/// after exon 1a); behind a UTR or promoter (P2RY8, IGH) the whole gene from exon 1 is kept.
fn exon3(g: &GeneModel, loc: &Location, coding_five: bool) -> Option<u32> {
    let first = g.exons.first().map(|x| x.number)?;
    match loc {
        Location::Exon(n) => Some(*n),
        Location::Intron(n) => Some(n + 1),
        Location::Upstream if coding_five => g.exons.get(1).map(|x| x.number),
        Location::Upstream => Some(first),
        _ => None,
    }
}

/// Frame from coding bases before the junction on each partner.
fn frame(g5: &GeneModel, e5: u32, g3: &GeneModel, e3: u32) -> Frame {
    let (Some(c5), Some(c3)) = (g5.coding_before(e5, true), g3.coding_before(e3, false)) else {
        return Frame::Unknown;
    };
    if c5 == 0 {
        // 5′ partner gives only UTR: the 3′ partner's own start codon is used if it is kept
        let first3 = g3.first_coding_exon().unwrap_or(u32::MAX);
        return if e3 <= first3 {
            Frame::Cds3Intact
        } else {
            Frame::Unknown
        };
    }
    if c5 >= g5.coding_length() || c3 == 0 || c3 >= g3.coding_length() {
        return Frame::Unknown;
    }
    if c5 % 3 == c3 % 3 {
        Frame::InFrame
    } else {
        Frame::OutOfFrame
    }
}

/// Conventional isoform names where the field uses them.
fn isoform(gene5: &str, e5: Option<u32>, gene3: &str, e3: Option<u32>) -> Option<String> {
    match (gene5, gene3, e5, e3) {
        ("BCR", "ABL1", Some(b), Some(a)) => {
            let protein = match b {
                1 => " (p190)",
                13 | 14 => " (p210)",
                19 => " (p230)",
                _ => "",
            };
            Some(format!("e{b}a{a}{protein}"))
        }
        _ => None,
    }
}

/// Interpret a junction; None when it is not a fusion of panel genes (both sides in one gene, e.g.
/// an intragenic deletion, or no panel gene on either side).
pub fn interpret(
    c: &Candidate,
    names: &[String],
    genes: &Genes,
    known: &[KnownFusion],
    library: Library,
) -> Option<FusionCall> {
    let (a, b) = c.ends();
    let side = |e: &crate::call::fusion::evidence::End| -> Side<'_> {
        let chrom = names.get(e.contig).cloned().unwrap_or_default();
        let gene = genes.at(&chrom, e.pos);
        let role = gene.as_ref().and_then(|(g, l)| role(g, l, e.retained));
        Side {
            chrom,
            pos: e.pos,
            retained: e.retained,
            gene,
            role,
        }
    };
    let (sa, sb) = (side(&a), side(&b));
    let (ga, gb) = (sa.gene.map(|x| x.0), sb.gene.map(|x| x.0));
    match (ga, gb) {
        (None, None) => return None,
        (Some(x), Some(y)) if x.name == y.name => return None,
        _ => {}
    }
    // order the sides 5′ then 3′
    use Role::*;
    let (s5, s3, productive) = match (sa.role, sb.role) {
        (Some(Five), Some(Three)) | (Some(Regulatory), _) => (&sa, &sb, true),
        (Some(Three), Some(Five)) | (_, Some(Regulatory)) => (&sb, &sa, true),
        (Some(Five), None) if gb.is_none() => (&sa, &sb, true),
        (None, Some(Five)) if ga.is_none() => (&sb, &sa, true),
        (Some(Three), None) if gb.is_none() => (&sb, &sa, true),
        (None, Some(Three)) if ga.is_none() => (&sa, &sb, true),
        _ => (&sa, &sb, false),
    };
    let g5 = s5.gene.map(|x| x.0);
    let g3 = s3.gene.map(|x| x.0);
    let e5 = s5.gene.as_ref().and_then(|(_, l)| exon5(l));
    let coding_five = match (g5, e5) {
        (Some(g), Some(n)) => g.coding_before(n, true).unwrap_or(0) > 0,
        _ => false,
    };
    let e3 = s3.gene.as_ref().and_then(|(g, l)| exon3(g, l, coding_five));
    let fr = if !productive {
        Frame::NotProductive
    } else {
        match (g5, g3, e5, e3) {
            (Some(x), Some(y), Some(n5), Some(n3)) => frame(x, n5, y, n3),
            (Some(x), Some(y), _, Some(n3)) if x.exons.is_empty() => {
                let first3 = y.first_coding_exon().unwrap_or(u32::MAX);
                if n3 <= first3 {
                    Frame::Cds3Intact
                } else {
                    Frame::Unknown
                }
            }
            _ => Frame::Unknown,
        }
    };
    let mut notes = Vec::new();
    let name5 = g5.map_or("?".to_string(), |g| g.name.clone());
    let name3 = g3.map_or("?".to_string(), |g| g.name.clone());
    let name = format!("{name5}::{name3}");
    let k = known.iter().find(|k| k.gene5 == name5 && k.gene3 == name3);
    // the panel's known pairs make in-frame chimeras or keep the 3' CDS whole: an out-of-frame
    // result says the panel transcript is not the isoform the fusion uses
    let fr = if k.is_some() && fr == Frame::OutOfFrame {
        notes.push(format!(
            "out of frame on the panel transcripts ({} exon {}, {} exon {}), but this known fusion is in frame: the fusion uses another isoform; confirm the frame on RNA",
            s5.gene.and_then(|(g, _)| g.transcript.clone()).unwrap_or_default(),
            e5.unwrap_or(0),
            s3.gene.and_then(|(g, _)| g.transcript.clone()).unwrap_or_default(),
            e3.unwrap_or(0),
        ));
        Frame::Unknown
    } else {
        fr
    };
    let bp5 = breakpoint(s5, true, e5);
    let bp3 = breakpoint(s3, false, e3);
    if g5.is_none() || g3.is_none() {
        let (other, bp) = if g5.is_none() { (&bp5, 5) } else { (&bp3, 3) };
        notes.push(format!(
            "{bp}' partner outside the panel genes, at {}:{}",
            other.chrom, other.pos
        ));
    }
    if !c.precise {
        notes.push(
            "discordant pairs only: breakpoint placed within an insert size, not to the base"
                .into(),
        );
    }
    Some(FusionCall {
        id: format!("{name}:{}:{}:{}:{}", bp5.chrom, bp5.pos, bp3.chrom, bp3.pos),
        event_id: String::new(),
        isoform: isoform(&name5, e5, &name3, e3),
        name,
        gene5: g5.map(|g| g.name.clone()),
        gene3: g3.map(|g| g.name.clone()),
        five_prime: bp5,
        three_prime: bp3,
        known: k.is_some(),
        subtype: k.map(|k| k.subtype.clone()),
        class: k.map(|k| k.class.clone()),
        frame: fr,
        split_reads: c.split_count(),
        spanning_pairs: c.pair_count(),
        mapq0_support: c.low_mapq_count(),
        precise: c.precise,
        homology: c.homology,
        inserted: c.inserted,
        library,
        reciprocal: None,
        filters: vec![],
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::fusion::evidence::End;
    use crate::panel::Panel;

    fn call_at(
        genes: &Genes,
        panel: &Panel,
        a: (&str, u64, Retained),
        b: (&str, u64, Retained),
    ) -> Option<FusionCall> {
        let names: Vec<String> = vec![a.0.to_string(), b.0.to_string()];
        let c = Candidate {
            a: Some(End {
                contig: 0,
                pos: a.1,
                retained: a.2,
            }),
            b: Some(End {
                contig: 1,
                pos: b.1,
                retained: b.2,
            }),
            precise: true,
            ..Default::default()
        };
        interpret(&c, &names, genes, &panel.fusions, Library::Dna)
    }

    fn intron_mid(panel: &Panel, name: &str) -> u64 {
        let r = panel
            .fusion_search
            .iter()
            .find(|r| r.name.split(',').any(|n| n == name))
            .expect("region");
        (r.start + r.end) / 2
    }

    #[test]
    fn bcr_abl1_isoforms_are_in_frame_and_named() {
        let panel = Panel::load("all-v1").expect("panel");
        let genes = Genes::from_panel(&panel);
        let abl = intron_mid(&panel, "ABL1_intron1");
        for (intron, iso) in [
            ("BCR_intron1", "e1a2 (p190)"),
            ("BCR_intron13", "e13a2 (p210)"),
            ("BCR_intron14", "e14a2 (p210)"),
        ] {
            let bcr = intron_mid(&panel, intron);
            let f = call_at(
                &genes,
                &panel,
                ("chr22", bcr, Retained::Left),
                ("chr9", abl, Retained::Right),
            )
            .expect("fusion");
            assert_eq!(f.name, "BCR::ABL1");
            assert!(f.known);
            assert_eq!(f.isoform.as_deref(), Some(iso));
            assert_eq!(f.frame, Frame::InFrame, "{iso}");
            assert_eq!((f.five_prime.strand, f.three_prime.strand), ('+', '+'));
        }
    }

    #[test]
    fn reciprocal_product_and_unknown_partner() {
        let panel = Panel::load("all-v1").expect("panel");
        let genes = Genes::from_panel(&panel);
        let bcr = intron_mid(&panel, "BCR_intron1");
        let abl = intron_mid(&panel, "ABL1_intron1");
        // der(9): ABL1 5' part joined to BCR 3' part
        let f = call_at(
            &genes,
            &panel,
            ("chr9", abl, Retained::Left),
            ("chr22", bcr + 1, Retained::Right),
        )
        .expect("fusion");
        assert_eq!(f.name, "ABL1::BCR");
        assert!(!f.known);
        // KMT2A to a locus outside the panel
        let k = intron_mid(&panel, "KMT2A_intron9");
        let f = call_at(
            &genes,
            &panel,
            ("chr11", k, Retained::Left),
            ("chr3", 50_000_000, Retained::Right),
        )
        .expect("fusion");
        assert_eq!(f.name, "KMT2A::?");
        assert_eq!(f.gene3, None);
        assert!(f.notes[0].contains("chr3:50000000"));
        // both sides in one gene: an intragenic deletion, not a fusion
        assert!(call_at(
            &genes,
            &panel,
            ("chr22", bcr, Retained::Left),
            ("chr22", bcr + 5000, Retained::Right)
        )
        .is_none());
    }

    #[test]
    fn minus_strand_partners_and_enhancer_fusions() {
        let panel = Panel::load("all-v1").expect("panel");
        let genes = Genes::from_panel(&panel);
        // ETV6(+) intron 5 joined to RUNX1(-) intron 1: RUNX1 read on its minus strand
        let e = intron_mid(&panel, "ETV6_intron5");
        let r = intron_mid(&panel, "RUNX1_intron1");
        let f = call_at(
            &genes,
            &panel,
            ("chr12", e, Retained::Left),
            ("chr21", r, Retained::Left),
        )
        .expect("fusion");
        assert_eq!(f.name, "ETV6::RUNX1");
        assert_eq!((f.five_prime.exon, f.three_prime.exon), (Some(5), Some(2)));
        assert_eq!(f.three_prime.strand, '-');
        // the panel's RUNX1 model is the P2 isoform; the fusion uses RUNX1c, so the frame is
        // left open with a note rather than called out of frame
        assert_eq!(f.frame, Frame::Unknown);
        assert!(f.notes[0].contains("another isoform"), "{:?}", f.notes);
        // P2RY8::CRLF2 from the PAR1 deletion: CRLF2 upstream (left) joined to P2RY8 intron 1
        let c = intron_mid(&panel, "CRLF2_upstream");
        let p = intron_mid(&panel, "P2RY8_intron1");
        let f = call_at(
            &genes,
            &panel,
            ("chrX", c, Retained::Left),
            ("chrX", p, Retained::Right),
        )
        .expect("fusion");
        assert_eq!(f.name, "P2RY8::CRLF2");
        assert!(f.known);
        assert_eq!(f.frame, Frame::Cds3Intact);
        assert_eq!(f.three_prime.exon, Some(1));
        // IGH enhancer next to CRLF2
        let i = intron_mid(&panel, "IGH_locus");
        let f = call_at(
            &genes,
            &panel,
            ("chr14", i, Retained::Right),
            ("chrX", c, Retained::Left),
        )
        .expect("fusion");
        assert_eq!(f.name, "IGH::CRLF2");
        assert_eq!(f.frame, Frame::Cds3Intact);
    }
}
