//! Small-cell suppression. A published count of 1 to k−1 children could single a child out, so it
//! is hidden (primary suppression). A hidden count is still recoverable by subtraction when the
//! total it belongs to and every other part are shown, so for each such sum one more part is
//! hidden (the smallest non-zero one), or the total itself when no part is left to hide
//! (complementary suppression). Zeros stay visible: they describe no child.

/// One published count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub value: u64,
    pub suppressed: bool,
}

/// `parts` add up to `total` (indices into the cell list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sum {
    pub parts: Vec<usize>,
    pub total: usize,
}

/// Suppress every count below `min_cell` (zeros excepted), then hide more cells until no sum has
/// exactly one hidden part beside a visible total. Deterministic: ties go to the lower index.
pub fn suppress(values: &[u64], sums: &[Sum], min_cell: u64) -> Vec<Cell> {
    let mut cells: Vec<Cell> = values
        .iter()
        .map(|&value| Cell {
            value,
            suppressed: value > 0 && value < min_cell,
        })
        .collect();
    loop {
        let mut changed = false;
        for sum in sums {
            if cells[sum.total].suppressed {
                continue;
            }
            let hidden = sum.parts.iter().filter(|&&i| cells[i].suppressed).count();
            if hidden != 1 {
                continue;
            }
            let next = sum
                .parts
                .iter()
                .copied()
                .filter(|&i| !cells[i].suppressed && cells[i].value > 0)
                .min_by_key(|&i| (cells[i].value, i));
            cells[next.unwrap_or(sum.total)].suppressed = true;
            changed = true;
        }
        if !changed {
            return cells;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hidden(cells: &[Cell]) -> Vec<usize> {
        (0..cells.len()).filter(|&i| cells[i].suppressed).collect()
    }

    #[test]
    fn small_counts_hidden_zeros_kept() {
        let c = suppress(&[0, 1, 4, 5, 12], &[], 5);
        assert_eq!(hidden(&c), vec![1, 2]);
    }

    #[test]
    fn a_lone_hidden_part_takes_the_smallest_other_with_it() {
        // 40 = 3 + 7 + 30: hiding 3 alone would leave it as 40 - 7 - 30
        let c = suppress(
            &[3, 7, 30, 40],
            &[Sum {
                parts: vec![0, 1, 2],
                total: 3,
            }],
            5,
        );
        assert_eq!(hidden(&c), vec![0, 1]);
        // two hidden parts already protect each other
        let c = suppress(
            &[3, 2, 30, 35],
            &[Sum {
                parts: vec![0, 1, 2],
                total: 3,
            }],
            5,
        );
        assert_eq!(hidden(&c), vec![0, 1]);
    }

    #[test]
    fn when_the_other_parts_are_zero_the_total_is_hidden() {
        let c = suppress(
            &[3, 0, 0, 3],
            &[Sum {
                parts: vec![0, 1, 2],
                total: 3,
            }],
            5,
        );
        assert_eq!(hidden(&c), vec![0, 3]);
    }

    #[test]
    fn suppression_spreads_across_linked_sums() {
        // a 2×2 table of groups × categories with margins: row sums and column sums
        //            cat A  cat B | total
        // group 1      2     20   |  22
        // group 2     10     30   |  40
        // overall     12     50   |  62
        let v = [2, 20, 10, 30, 22, 40, 12, 50, 62];
        let sums = [
            Sum {
                parts: vec![0, 1],
                total: 4,
            },
            Sum {
                parts: vec![2, 3],
                total: 5,
            },
            Sum {
                parts: vec![6, 7],
                total: 8,
            },
            Sum {
                parts: vec![0, 2],
                total: 6,
            },
            Sum {
                parts: vec![1, 3],
                total: 7,
            },
            Sum {
                parts: vec![4, 5],
                total: 8,
            },
        ];
        let c = suppress(&v, &sums, 5);
        for s in &sums {
            let n = s.parts.iter().filter(|&&i| c[i].suppressed).count();
            assert!(c[s.total].suppressed || n != 1, "{s:?} leaks: {c:?}");
        }
        assert!(c[0].suppressed && c[2].suppressed && c[1].suppressed && c[3].suppressed);
    }
}
