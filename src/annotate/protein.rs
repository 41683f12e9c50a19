//! Translation and the HGVS p. description of a change in the coding sequence. The description is
//! derived by comparing the reference and variant proteins (not by rules per variant class), so
//! delins, duplications, frameshifts and stop changes come out of one procedure; the common prefix
//! is trimmed first, which places in-frame changes in repeats at their most C-terminal position
//! (the HGVS 3' rule).

/// Standard genetic code, codons in TCAG order.
const CODE: &[u8; 64] = b"FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG";

fn base_index(b: u8) -> Option<usize> {
    match b {
        b'T' => Some(0),
        b'C' => Some(1),
        b'A' => Some(2),
        b'G' => Some(3),
        _ => None,
    }
}

/// One-letter amino acid of a codon (`X` when it contains N or another ambiguity code).
pub fn translate_codon(c: &[u8]) -> u8 {
    match (base_index(c[0]), base_index(c[1]), base_index(c[2])) {
        (Some(a), Some(b), Some(d)) => CODE[a * 16 + b * 4 + d],
        _ => b'X',
    }
}

/// Translate until (and including) the first stop; `complete` is false when the sequence ran out
/// before a stop.
pub fn translate(seq: &[u8]) -> (Vec<u8>, bool) {
    let mut p = Vec::with_capacity(seq.len() / 3 + 1);
    for c in seq.chunks_exact(3) {
        let aa = translate_codon(c);
        p.push(aa);
        if aa == b'*' {
            return (p, true);
        }
    }
    (p, false)
}

/// Three-letter code (HGVS uses `Ter` for the stop).
pub fn three(aa: u8) -> &'static str {
    match aa {
        b'A' => "Ala",
        b'R' => "Arg",
        b'N' => "Asn",
        b'D' => "Asp",
        b'C' => "Cys",
        b'Q' => "Gln",
        b'E' => "Glu",
        b'G' => "Gly",
        b'H' => "His",
        b'I' => "Ile",
        b'L' => "Leu",
        b'K' => "Lys",
        b'M' => "Met",
        b'F' => "Phe",
        b'P' => "Pro",
        b'S' => "Ser",
        b'T' => "Thr",
        b'W' => "Trp",
        b'Y' => "Tyr",
        b'V' => "Val",
        b'*' => "Ter",
        _ => "Xaa",
    }
}

fn seq3(s: &[u8]) -> String {
    s.iter().map(|&a| three(a)).collect()
}

/// Effect on the protein as a Sequence Ontology term plus the HGVS p. description (without the
/// parentheses of a prediction) and the affected residue numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProteinChange {
    pub consequence: &'static str,
    pub hgvs: String,
    /// One-letter short form used by the marker knowledge base (`G12D`, `R139Cfs*5`, `V18_V19insGV`).
    pub short: String,
    pub first_residue: u64,
    pub last_residue: u64,
}

/// Compare the reference protein (`reference` ends with the stop) with the variant translation.
/// `len_change` is inserted minus deleted coding bases (not a multiple of three: frameshift);
/// `first_changed_codon` (1-based) names the residue of a synonymous change.
pub fn describe(
    reference: &[u8],
    alt: &[u8],
    alt_complete: bool,
    len_change: i64,
    first_changed_codon: u64,
) -> ProteinChange {
    let frameshift = len_change % 3 != 0;
    let lr = reference.len();
    let la = alt.len();
    let i = reference
        .iter()
        .zip(alt)
        .position(|(a, b)| a != b)
        .unwrap_or(lr.min(la));
    let pos = |k: usize| (k + 1) as u64;
    let mk = |c: &'static str, hgvs: String, short: String, a: usize, b: usize| ProteinChange {
        consequence: c,
        hgvs,
        short,
        first_residue: pos(a),
        last_residue: pos(b),
    };
    if i == lr.min(la) && lr == la {
        let k = (first_changed_codon.max(1) - 1).min(lr as u64 - 1) as usize;
        let aa = reference[k];
        return mk(
            "synonymous_variant",
            format!("{}{}=", three(aa), pos(k)),
            format!("{}{}=", aa as char, pos(k)),
            k,
            k,
        );
    }
    if i == 0 {
        return mk("start_lost", "Met1?".into(), "M1?".into(), 0, 0);
    }
    if i >= lr {
        // the reference stopped but the variant did not differ before it: cannot happen with a stop
        // at the end of `reference`, kept for truncated models
        return mk("coding_sequence_variant", "?".into(), "?".into(), i, i);
    }
    let r = reference[i];
    if r == b'*' {
        // stop lost: the protein reads on to the next stop
        let Some(&x) = alt.get(i) else {
            return mk("stop_lost", "?".into(), "?".into(), i, i);
        };
        let ext = match alt[i..].iter().position(|&a| a == b'*') {
            Some(k) if alt_complete => k.to_string(),
            _ => "?".into(),
        };
        return mk(
            "stop_lost",
            format!("Ter{}{}extTer{}", pos(i), three(x), ext),
            format!("*{}{}ext*{}", pos(i), x as char, ext),
            i,
            i,
        );
    }
    if frameshift {
        let Some(&x) = alt.get(i) else {
            return mk(
                "frameshift_variant",
                format!("{}{}fs", three(r), pos(i)),
                format!("{}{}fs", r as char, pos(i)),
                i,
                i,
            );
        };
        if x == b'*' {
            return mk(
                "frameshift_variant",
                format!("{}{}Ter", three(r), pos(i)),
                format!("{}{}*", r as char, pos(i)),
                i,
                i,
            );
        }
        let ter = match alt[i..].iter().position(|&a| a == b'*') {
            Some(k) if alt_complete => (k + 1).to_string(),
            _ => "?".into(),
        };
        return mk(
            "frameshift_variant",
            format!("{}{}{}fsTer{}", three(r), pos(i), three(x), ter),
            format!("{}{}{}fs*{}", r as char, pos(i), x as char, ter),
            i,
            i,
        );
    }
    let range = |a: usize, b: usize| {
        if a == b {
            format!("{}{}", three(reference[a]), pos(a))
        } else {
            format!(
                "{}{}_{}{}",
                three(reference[a]),
                pos(a),
                three(reference[b]),
                pos(b)
            )
        }
    };
    let range1 = |a: usize, b: usize| {
        if a == b {
            format!("{}{}", reference[a] as char, pos(a))
        } else {
            format!(
                "{}{}_{}{}",
                reference[a] as char,
                pos(a),
                reference[b] as char,
                pos(b)
            )
        }
    };
    let one = |s: &[u8]| String::from_utf8_lossy(s).into_owned();
    // in frame, a new stop before the old one: describe up to it; what follows is lost
    if alt_complete && (la as i64) < lr as i64 + len_change / 3 {
        let k = la - 1;
        if k == i {
            return mk(
                "stop_gained",
                format!("{}{}Ter", three(r), pos(i)),
                format!("{}{}*", r as char, pos(i)),
                i,
                i,
            );
        }
        let aa = &alt[i..=k];
        return mk(
            "stop_gained",
            format!("{}delins{}", range(i, k), seq3(aa)),
            format!("{}delins{}", range1(i, k), one(aa)),
            i,
            k,
        );
    }
    // trim the common suffix without overlapping the prefix
    let mut j = 0;
    while j < lr - i && j < la - i && reference[lr - 1 - j] == alt[la - 1 - j] {
        j += 1;
    }
    let rr = &reference[i..lr - j];
    let aa = &alt[i..la - j];
    let (a, b) = (i, i + rr.len().max(1) - 1);
    match (rr.len(), aa.len()) {
        (1, 1) => mk(
            "missense_variant",
            format!("{}{}{}", three(rr[0]), pos(i), three(aa[0])),
            format!("{}{}{}", rr[0] as char, pos(i), aa[0] as char),
            i,
            i,
        ),
        (_, 0) => mk(
            "inframe_deletion",
            format!("{}del", range(a, b)),
            format!("{}del", range1(a, b)),
            a,
            b,
        ),
        (0, n) => {
            // insertion between residues i and i+1 (1-based); a copy of what precedes is a dup
            if i >= n && &reference[i - n..i] == aa {
                mk(
                    "inframe_insertion",
                    format!("{}dup", range(i - n, i - 1)),
                    format!("{}dup", range1(i - n, i - 1)),
                    i - n,
                    i - 1,
                )
            } else {
                mk(
                    "inframe_insertion",
                    format!("{}_{}ins{}", range(i - 1, i - 1), range(i, i), seq3(aa)),
                    format!("{}_{}ins{}", range1(i - 1, i - 1), range1(i, i), one(aa)),
                    i - 1,
                    i,
                )
            }
        }
        (m, n) => mk(
            if m == n {
                "missense_variant"
            } else if n < m {
                "inframe_deletion"
            } else {
                "inframe_insertion"
            },
            format!("{}delins{}", range(a, b), seq3(aa)),
            format!("{}delins{}", range1(a, b), one(aa)),
            a,
            b,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n`: coding bases inserted minus deleted.
    fn d(r: &str, a: &str, n: i64) -> String {
        let complete = a.ends_with('*');
        describe(r.as_bytes(), a.as_bytes(), complete, n, 1).hgvs
    }

    #[test]
    fn translation_follows_the_standard_code() {
        assert_eq!(translate(b"ATGGGTTAAGG").0, b"MG*");
        assert!(!translate(b"ATGGG").1);
        assert_eq!(translate_codon(b"TGG"), b'W');
        assert_eq!(translate_codon(b"NGG"), b'X');
    }

    #[test]
    fn protein_descriptions_by_class() {
        assert_eq!(d("MTEYKLVVVGAGGVGK*", "MTEYKLVVVGADGVGK*", 0), "Gly12Asp");
        assert_eq!(d("MTEYKLVVVGAGGVGK*", "MTEYKLVVVGA*", 0), "Gly12Ter");
        assert_eq!(d("MTEY*", "MTEY*", 0), "Met1=");
        assert_eq!(d("MTEY*", "ITEY*", 0), "Met1?");
        // an in-frame insertion carrying a stop
        assert_eq!(d("MAKRS*", "MAW*", 3), "Lys3_Arg4delinsTrpTer");
        // two adjacent residues changed by one MNV
        assert_eq!(d("MAGGK*", "MAVDK*", 0), "Gly3_Gly4delinsValAsp");
        // in-frame deletion in a GV repeat is placed at its C-terminal end
        assert_eq!(d("MGVGVGVVT*", "MGVGVVT*", -6), "Gly6_Val7del");
        // an in-frame copy of the preceding residues is a duplication
        assert_eq!(d("MGVGVGVVT*", "MGVGVGVGVVT*", 6), "Gly6_Val7dup");
        assert_eq!(d("MAK*", "MAWWK*", 6), "Ala2_Lys3insTrpTrp");
        assert_eq!(d("MAKR*", "MAR*", -3), "Lys3del");
        // frameshift: the new reading frame stops 5 residues on, counting the first changed one
        assert_eq!(d("MRRLLLK*", "MCPQSW*", 1), "Arg2CysfsTer6");
        assert_eq!(d("MRRLLLK*", "MRRLT*", 1), "Leu5ThrfsTer2");
        assert_eq!(d("MRRLLLK*", "MRR*", 1), "Leu4Ter");
        assert_eq!(d("MRRLLLK*", "MRRLTQQ", 1), "Leu5ThrfsTer?");
        // stop lost reads into the extension
        assert_eq!(d("MAK*", "MAKQLL*", 0), "Ter4GlnextTer3");
        assert_eq!(d("MAK*", "MAKQLL", 0), "Ter4GlnextTer?");
    }

    #[test]
    fn short_forms_are_what_the_knowledge_base_matches() {
        let s = |r: &str, a: &str, n: i64| describe(r.as_bytes(), a.as_bytes(), true, n, 1).short;
        assert_eq!(s("MTEYKLVVVGAGGVGK*", "MTEYKLVVVGADGVGK*", 0), "G12D");
        assert_eq!(s("MRRLLLK*", "MCPQSW*", 1), "R2Cfs*6");
        assert_eq!(s("MGVGVGVVT*", "MGVGVGVGVVT*", 6), "G6_V7dup");
    }
}
