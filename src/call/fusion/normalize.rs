//! One position per junction whatever the aligner: where the partners share sequence at the
//! junction (microhomology), the breakpoint can slide along it without changing the fusion
//! molecule. Aligners place it differently (bwa splits the overlap, STAR often shifts left), so two
//! labs would report different coordinates for the same event. The junction is moved to an exon
//! boundary when one lies in the range (RNA: where splicing put it), otherwise the 5′ partner keeps
//! the shared bases.
use super::cluster::Candidate;
use super::genes::Genes;
use crate::ingest::build::resolve_contig;
use crate::ingest::Reference;
use crate::model::{Breakpoint, FusionCall};

/// Longest slide considered: beyond this the partners are repeats, filtered elsewhere.
const MAX_SLIDE: i64 = 50;

fn comp(b: u8) -> u8 {
    match b.to_ascii_uppercase() {
        b'A' => b'T',
        b'C' => b'G',
        b'G' => b'C',
        b'T' => b'A',
        x => x,
    }
}

/// Reference reader over one window per side, in the fusion's reading direction.
struct Side {
    chrom: String,
    pos: u64,
    dir: i64,
    /// 0-based start of `seq` and the bases.
    start: u64,
    seq: Vec<u8>,
}

impl Side {
    fn load(bp: &Breakpoint, reference: &Reference) -> Option<Side> {
        let names: Vec<String> = reference.contigs.iter().map(|(n, _)| n.clone()).collect();
        let name = resolve_contig(&bp.chrom, &names)?;
        let len = reference.length(name)?;
        let start = bp.pos.saturating_sub(MAX_SLIDE as u64 + 2);
        let end = (bp.pos + MAX_SLIDE as u64 + 2).min(len);
        let seq = reference.fetch(name, start, end).ok()?;
        Some(Side {
            chrom: bp.chrom.clone(),
            pos: bp.pos,
            dir: if bp.strand == '+' { 1 } else { -1 },
            start,
            seq,
        })
    }

    /// Base `k` steps from the breakpoint along the fusion's direction, as the fusion reads it.
    fn base(&self, k: i64) -> Option<u8> {
        let p = self.pos as i64 + k * self.dir; // 1-based
        let i = usize::try_from(p - 1 - self.start as i64).ok()?;
        let b = self.seq.get(i)?.to_ascii_uppercase();
        if b == b'N' {
            return None;
        }
        Some(if self.dir < 0 { comp(b) } else { b })
    }
}

/// Slides toward the 5′ partner (`l`) and toward the 3′ partner (`r`) that keep the molecule.
fn slide_range(s5: &Side, s3: &Side) -> (i64, i64) {
    let mut r = 0;
    while r < MAX_SLIDE && s5.base(r + 1).is_some() && s5.base(r + 1) == s3.base(r) {
        r += 1;
    }
    let mut l = 0;
    while l < MAX_SLIDE && s5.base(-l).is_some() && s5.base(-l) == s3.base(-l - 1) {
        l += 1;
    }
    (l, r)
}

/// Is 1-based `pos` the last base of an exon of `gene` (5′ side) or the first (3′ side), in
/// transcription order?
fn at_exon_edge(genes: &Genes, gene: Option<&str>, pos: u64, five: bool) -> bool {
    let Some(g) = gene.and_then(|g| genes.get(g)) else {
        return false;
    };
    let plus = g.strand == '+';
    g.exons.iter().any(|x| {
        let edge = if five == plus { x.end } else { x.start };
        edge == pos
    })
}

/// The candidate with its junction moved to the chosen place along the shared sequence, and the
/// shared length; None when the reference cannot be read there.
pub fn normalize(
    c: &Candidate,
    call: &FusionCall,
    names: &[String],
    genes: &Genes,
    reference: &Reference,
) -> Option<(Candidate, u32)> {
    if !c.precise {
        return None;
    }
    let s5 = Side::load(&call.five_prime, reference)?;
    let s3 = Side::load(&call.three_prime, reference)?;
    let (l, r) = slide_range(&s5, &s3);
    let at = |k: i64| {
        (
            (s5.pos as i64 + k * s5.dir) as u64,
            (s3.pos as i64 + k * s3.dir) as u64,
        )
    };
    let edges = |k: i64| {
        let (p5, p3) = at(k);
        (
            at_exon_edge(genes, call.gene5.as_deref(), p5, true),
            at_exon_edge(genes, call.gene3.as_deref(), p3, false),
        )
    };
    let range = -l..=r;
    let shift = range
        .clone()
        .find(|&k| edges(k) == (true, true))
        .or_else(|| range.clone().find(|&k| edges(k).0 || edges(k).1))
        .unwrap_or(r);
    let (p5, p3) = at(shift);
    let mut out = c.clone();
    let (a, b) = c.ends();
    let moved = |e: crate::call::fusion::evidence::End| {
        let chrom = names.get(e.contig).map(String::as_str).unwrap_or("");
        if chrom == s5.chrom && e.pos == s5.pos && e.retained == call.five_prime.retained {
            crate::call::fusion::evidence::End { pos: p5, ..e }
        } else if chrom == s3.chrom && e.pos == s3.pos && e.retained == call.three_prime.retained {
            crate::call::fusion::evidence::End { pos: p3, ..e }
        } else {
            e
        }
    };
    out.a = Some(moved(a));
    out.b = Some(moved(b));
    Some((out, (l + r) as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(seq: &str, pos: u64, dir: i64) -> Side {
        Side {
            chrom: "c".into(),
            pos,
            dir,
            start: 0,
            seq: seq.as_bytes().to_vec(),
        }
    }

    #[test]
    fn shared_bases_give_the_slide_range() {
        // 5' partner ...ACGT|GCA... (kept up to pos 4); 3' partner ..TTGT|GCC.. (kept from pos 5)
        // the molecule ACGT+GCC: "GT" at the 5' end is also just before the 3' kept start, and "G"
        // after the 5' kept end is also the 3' partner's first kept base
        let s5 = side("ACGTGCAAAA", 4, 1);
        let s3 = side("AATTGTGCCA", 7, 1);
        let (l, r) = slide_range(&s5, &s3);
        assert_eq!((l, r), (2, 2));
    }

    #[test]
    fn minus_strand_sides_read_complemented() {
        // 3' partner read on the minus strand: kept from pos 6 downward
        let s5 = side("ACGTAAAAAA", 4, 1);
        let s3 = side("GGGGCAGGGG", 6, -1);
        // fusion reads ACGT then comp(A)=T at 6? base(0) of s3 is comp(seq[5])=comp('A')='T'
        assert_eq!(s3.base(0), Some(b'T'));
        assert_eq!(s3.base(-1), Some(b'C'));
        let (l, _) = slide_range(&s5, &s3);
        assert_eq!(l, 0);
    }
}
