//! The panel's genes as the fusion caller needs them: span, strand, exons in transcript order, and
//! which gene (or locus without a transcript, e.g. IGH) a genomic position belongs to.
use crate::model::Location;
use crate::panel::Panel;

/// Breakpoints this far 5′ of a gene still place the whole gene behind the partner (PAR1 deletions
/// put P2RY8 a few kb upstream of CRLF2; IGH breakpoints fall upstream of CRLF2, EPOR, MYC).
pub const UPSTREAM_WINDOW: u64 = 30_000;

/// One exon of a panel transcript (1-based inclusive, CDS part if coding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExonSpan {
    pub number: u32,
    pub start: u64,
    pub end: u64,
    pub cds: Option<(u64, u64)>,
}

#[derive(Debug, Clone)]
pub struct GeneModel {
    pub name: String,
    pub chrom: String,
    pub strand: char,
    /// 1-based inclusive span.
    pub start: u64,
    pub end: u64,
    pub transcript: Option<String>,
    /// Sorted by exon number (transcript order).
    pub exons: Vec<ExonSpan>,
    /// Fusion-search regions named `<gene>_upstream`: extend the upstream window.
    pub upstream: Vec<(u64, u64)>,
}

impl GeneModel {
    /// Where `pos` (1-based) falls on this gene, or None when it is neither in nor just upstream of it.
    pub fn locate(&self, pos: u64) -> Option<Location> {
        if self.exons.is_empty() {
            return (pos >= self.start && pos <= self.end).then_some(Location::Locus);
        }
        if pos >= self.start && pos <= self.end {
            if let Some(x) = self.exons.iter().find(|x| pos >= x.start && pos <= x.end) {
                return Some(Location::Exon(x.number));
            }
            // the intron after exon n in transcript order
            let n = self
                .exons
                .iter()
                .filter(|x| {
                    if self.strand == '+' {
                        x.end < pos
                    } else {
                        x.start > pos
                    }
                })
                .map(|x| x.number)
                .max();
            return Some(n.map_or(Location::Upstream, Location::Intron));
        }
        let upstream = if self.strand == '+' {
            pos < self.start && self.start - pos <= UPSTREAM_WINDOW
        } else {
            pos > self.end && pos - self.end <= UPSTREAM_WINDOW
        };
        if upstream || self.upstream.iter().any(|&(s, e)| pos >= s && pos <= e) {
            return Some(Location::Upstream);
        }
        None
    }

    /// Coding bases of the transcript before the junction: through exon `n` when the gene is the 5′
    /// partner (`through` = true), before exon `n` when it is the 3′ partner. None without a CDS.
    pub fn coding_before(&self, n: u32, through: bool) -> Option<u64> {
        let mut any = false;
        let mut total = 0;
        for x in &self.exons {
            if let Some((s, e)) = x.cds {
                any = true;
                if x.number < n || (through && x.number == n) {
                    total += e + 1 - s;
                }
            }
        }
        any.then_some(total)
    }

    pub fn coding_length(&self) -> u64 {
        self.exons
            .iter()
            .filter_map(|x| x.cds.map(|(s, e)| e + 1 - s))
            .sum()
    }

    pub fn first_coding_exon(&self) -> Option<u32> {
        self.exons
            .iter()
            .find(|x| x.cds.is_some())
            .map(|x| x.number)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Genes {
    pub genes: Vec<GeneModel>,
}

impl Genes {
    pub fn from_panel(panel: &Panel) -> Self {
        let mut genes: Vec<GeneModel> = panel
            .manifest
            .genes
            .iter()
            .map(|g| {
                let mut exons: Vec<_> = panel
                    .exons
                    .iter()
                    .filter(|e| e.gene == g.name)
                    .map(|e| ExonSpan {
                        number: e.number,
                        start: e.start,
                        end: e.end,
                        cds: e.cds,
                    })
                    .collect();
                exons.sort_by_key(|x| x.number);
                let upstream = panel
                    .fusion_search
                    .iter()
                    .filter(|r| {
                        r.chrom == g.chrom
                            && r.name
                                .split(',')
                                .any(|n| n == format!("{}_upstream", g.name))
                    })
                    .map(|r| (r.start + 1, r.end))
                    .collect();
                GeneModel {
                    name: g.name.clone(),
                    chrom: g.chrom.clone(),
                    strand: g.strand.chars().next().unwrap_or('+'),
                    start: g.start,
                    end: g.end,
                    transcript: (!g.transcript.is_empty()).then(|| g.transcript.clone()),
                    exons,
                    upstream,
                }
            })
            .collect();
        genes.sort_by(|a, b| (&a.chrom, a.start, &a.name).cmp(&(&b.chrom, b.start, &b.name)));
        Genes { genes }
    }

    pub fn get(&self, name: &str) -> Option<&GeneModel> {
        self.genes.iter().find(|g| g.name == name)
    }

    /// The gene a position belongs to: inside a gene before upstream of one, a fusion-role gene
    /// before others; ties by name so the answer never depends on order.
    pub fn at(&self, chrom: &str, pos: u64) -> Option<(&GeneModel, Location)> {
        let mut hits: Vec<(&GeneModel, Location)> = self
            .genes
            .iter()
            .filter(|g| g.chrom == chrom)
            .filter_map(|g| g.locate(pos).map(|l| (g, l)))
            .collect();
        hits.sort_by_key(|(g, l)| (matches!(l, Location::Upstream), g.name.clone()));
        hits.into_iter().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plus() -> GeneModel {
        GeneModel {
            name: "G".into(),
            chrom: "chr1".into(),
            strand: '+',
            start: 1000,
            end: 5000,
            transcript: Some("T".into()),
            exons: vec![
                ExonSpan {
                    number: 1,
                    start: 1000,
                    end: 1100,
                    cds: Some((1050, 1100)),
                },
                ExonSpan {
                    number: 2,
                    start: 2000,
                    end: 2100,
                    cds: Some((2000, 2100)),
                },
                ExonSpan {
                    number: 3,
                    start: 4900,
                    end: 5000,
                    cds: Some((4900, 4950)),
                },
            ],
            upstream: vec![],
        }
    }

    #[test]
    fn locates_exons_introns_upstream() {
        let g = plus();
        assert_eq!(g.locate(1050), Some(Location::Exon(1)));
        assert_eq!(g.locate(1500), Some(Location::Intron(1)));
        assert_eq!(g.locate(3000), Some(Location::Intron(2)));
        assert_eq!(g.locate(900), Some(Location::Upstream));
        assert_eq!(g.locate(6000), None);
        let mut m = plus();
        m.strand = '-';
        m.exons = vec![
            ExonSpan {
                number: 1,
                start: 4900,
                end: 5000,
                cds: None,
            },
            ExonSpan {
                number: 2,
                start: 2000,
                end: 2100,
                cds: None,
            },
            ExonSpan {
                number: 3,
                start: 1000,
                end: 1100,
                cds: None,
            },
        ];
        assert_eq!(m.locate(3000), Some(Location::Intron(1)));
        assert_eq!(m.locate(1500), Some(Location::Intron(2)));
        assert_eq!(m.locate(5100), Some(Location::Upstream));
        assert_eq!(m.locate(900), None);
    }

    #[test]
    fn coding_bases_before_a_junction() {
        let g = plus();
        assert_eq!(g.coding_before(1, true), Some(51));
        assert_eq!(g.coding_before(2, false), Some(51));
        assert_eq!(g.coding_before(2, true), Some(152));
        assert_eq!(g.coding_length(), 203);
    }
}
