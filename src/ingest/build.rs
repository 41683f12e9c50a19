//! Genome build recognition from contig names and lengths (GRCh37 vs GRCh38, with or without `chr`,
//! MT/chrM aliases). A BAM aligned to another build than the panel's would place every call wrongly,
//! so it is refused with both builds named.
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum GenomeBuild {
    GRCh38,
    GRCh37,
}

const GRCH38: [(&str, u64); 25] = [
    ("1", 248956422),
    ("2", 242193529),
    ("3", 198295559),
    ("4", 190214555),
    ("5", 181538259),
    ("6", 170805979),
    ("7", 159345973),
    ("8", 145138636),
    ("9", 138394717),
    ("10", 133797422),
    ("11", 135086622),
    ("12", 133275309),
    ("13", 114364328),
    ("14", 107043718),
    ("15", 101991189),
    ("16", 90338345),
    ("17", 83257441),
    ("18", 80373285),
    ("19", 58617616),
    ("20", 64444167),
    ("21", 46709983),
    ("22", 50818468),
    ("X", 156040895),
    ("Y", 57227415),
    ("MT", 16569),
];
const GRCH37: [(&str, u64); 25] = [
    ("1", 249250621),
    ("2", 243199373),
    ("3", 198022430),
    ("4", 191154276),
    ("5", 180915260),
    ("6", 171115067),
    ("7", 159138663),
    ("8", 146364022),
    ("9", 141213431),
    ("10", 135534747),
    ("11", 135006516),
    ("12", 133851895),
    ("13", 115169878),
    ("14", 107349540),
    ("15", 102531392),
    ("16", 90354753),
    ("17", 81195210),
    ("18", 78077248),
    ("19", 59128983),
    ("20", 63025520),
    ("21", 48129895),
    ("22", 51304566),
    ("X", 155270560),
    ("Y", 59373566),
    ("MT", 16569),
];

/// `chr7` / `7` -> `7`; `chrM` / `M` / `MT` -> `MT`.
pub fn canonical(name: &str) -> &str {
    let n = name.strip_prefix("chr").unwrap_or(name);
    if n == "M" {
        "MT"
    } else {
        n
    }
}

impl GenomeBuild {
    pub fn from_name(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "grch38" | "hg38" => Some(GenomeBuild::GRCh38),
            "grch37" | "hg19" | "b37" => Some(GenomeBuild::GRCh37),
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            GenomeBuild::GRCh38 => "GRCh38",
            GenomeBuild::GRCh37 => "GRCh37",
        }
    }

    fn table(&self) -> &'static [(&'static str, u64); 25] {
        match self {
            GenomeBuild::GRCh38 => &GRCH38,
            GenomeBuild::GRCh37 => &GRCH37,
        }
    }

    /// Primary contigs in `chr` style, in karyotype order.
    pub fn contigs(&self) -> Vec<(String, u64)> {
        self.table()
            .iter()
            .map(|(n, l)| {
                (
                    if *n == "MT" {
                        "chrM".to_string()
                    } else {
                        format!("chr{n}")
                    },
                    *l,
                )
            })
            .collect()
    }

    pub fn contig_length(&self, name: &str) -> Option<u64> {
        let c = canonical(name);
        self.table().iter().find(|(n, _)| *n == c).map(|(_, l)| *l)
    }

    pub fn contig_index(&self, name: &str) -> Option<usize> {
        let c = canonical(name);
        self.table().iter().position(|(n, _)| *n == c)
    }
}

/// What a set of (name, length) contigs says about the build.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BuildEvidence {
    pub build: Option<GenomeBuild>,
    pub matches: usize,
    pub conflicts: usize,
    pub chr_prefix: bool,
}

impl BuildEvidence {
    pub fn describe(&self) -> String {
        match self.build {
            Some(b) => format!(
                "{} ({} primary contigs match by length)",
                b.name(),
                self.matches
            ),
            None => {
                "an unknown build (primary contig lengths match neither GRCh37 nor GRCh38)".into()
            }
        }
    }
}

/// Decide the build from contig names and lengths. A build is recognised when at least one primary
/// contig matches it by name and length and none contradicts it (MT has the same length in both and
/// is ignored).
pub fn detect<'a>(contigs: impl IntoIterator<Item = (&'a str, u64)>) -> BuildEvidence {
    let contigs: Vec<(&str, u64)> = contigs.into_iter().collect();
    let chr_prefix = contigs.iter().any(|(n, _)| n.starts_with("chr"));
    let mut best = BuildEvidence {
        build: None,
        matches: 0,
        conflicts: 0,
        chr_prefix,
    };
    for b in [GenomeBuild::GRCh38, GenomeBuild::GRCh37] {
        let (mut m, mut c) = (0, 0);
        for (name, len) in &contigs {
            if canonical(name) == "MT" {
                continue;
            }
            match b.contig_length(name) {
                Some(l) if l == *len => m += 1,
                Some(_) => c += 1,
                None => {}
            }
        }
        if m > 0 && c == 0 && m > best.matches {
            best = BuildEvidence {
                build: Some(b),
                matches: m,
                conflicts: 0,
                chr_prefix,
            };
        }
    }
    best
}

/// Map a panel contig name (`chr7`) to the name used by an input (`7`, `chr7`, `chrM`/`MT`).
pub fn resolve_contig<'a>(panel_name: &str, input_names: &'a [String]) -> Option<&'a str> {
    let c = canonical(panel_name);
    input_names
        .iter()
        .find(|n| canonical(n) == c)
        .map(|s| s.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_builds_and_styles() {
        let e = detect([("chr1", 248956422), ("chr21", 46709983), ("chrM", 16569)]);
        assert_eq!(e.build, Some(GenomeBuild::GRCh38));
        assert!(e.chr_prefix);
        let e = detect([("1", 249250621), ("MT", 16569)]);
        assert_eq!(e.build, Some(GenomeBuild::GRCh37));
        assert!(!e.chr_prefix);
        // mixed evidence is unknown, never guessed
        let e = detect([("1", 249250621), ("2", 242193529)]);
        assert_eq!(e.build, None);
        assert_eq!(detect([("contig_1", 1000)]).build, None);
    }

    #[test]
    fn resolves_aliases() {
        let names = vec!["7".to_string(), "MT".to_string()];
        assert_eq!(resolve_contig("chr7", &names), Some("7"));
        assert_eq!(resolve_contig("chrM", &names), Some("MT"));
        assert_eq!(resolve_contig("chr8", &names), None);
    }
}
