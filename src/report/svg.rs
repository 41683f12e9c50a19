//! Inline SVG plots for the reports: log2 ratio per exon of a copy-number gene, so a reviewer sees
//! at a glance which exons a call rests on and how far each sits from two copies.
use crate::model::{CnvState, CopyNumberCall, GeneCopy};

const W: f64 = 560.0;
const H: f64 = 180.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 30.0;
const Y_MIN: f64 = -2.5;
const Y_MAX: f64 = 2.0;

/// Escape text for HTML and SVG, attributes included (the reports share it).
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn y(v: f64) -> f64 {
    let v = v.clamp(Y_MIN, Y_MAX);
    TOP + (Y_MAX - v) / (Y_MAX - Y_MIN) * (H - TOP - BOTTOM)
}

/// One gene: a point per exon (±2 sd bar), the called exon ranges shaded, reference lines at 0
/// (two copies) and −1 / +0.58 (one copy lost / gained in a pure sample). Values beyond the axis
/// are drawn at its edge as triangles.
pub fn gene_plot(gene: &GeneCopy, calls: &[&CopyNumberCall]) -> String {
    let n = gene.exons.len().max(1) as f64;
    let step = (W - LEFT - RIGHT) / n;
    let x = |i: usize| LEFT + step * (i as f64 + 0.5);
    let title = {
        let called: Vec<String> = calls
            .iter()
            .filter(|c| c.passed() && !matches!(c.state, CnvState::Neutral | CnvState::NoCoverage))
            .map(|c| format!("{} exons {}", c.state.name(), c.exon_label()))
            .collect();
        format!(
            "{} ({}, {} strand): {}",
            gene.gene,
            gene.chrom,
            gene.strand,
            if called.is_empty() {
                "no call".to_string()
            } else {
                called.join("; ")
            }
        )
    };
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{}\" font-family=\"sans-serif\" font-size=\"11\">\n",
        esc(&title)
    );
    s += &format!(
        "<text x=\"{LEFT}\" y=\"15\" font-weight=\"bold\">{}</text>\n",
        esc(&title)
    );
    // shaded called ranges
    for c in calls
        .iter()
        .filter(|c| !matches!(c.state, CnvState::Neutral | CnvState::NoCoverage))
    {
        let idx: Vec<usize> = gene
            .exons
            .iter()
            .enumerate()
            .filter(|(_, e)| e.exon >= c.first_exon && e.exon <= c.last_exon)
            .map(|(i, _)| i)
            .collect();
        let (Some(&a), Some(&b)) = (idx.first(), idx.last()) else {
            continue;
        };
        let colour = match (c.state.is_loss(), c.passed()) {
            (true, true) => "#f4c7c3",
            (false, true) => "#c6dbef",
            _ => "#eeeeee",
        };
        s += &format!(
            "<rect x=\"{:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>\n",
            x(a) - step / 2.0,
            step * (b - a + 1) as f64,
            H - TOP - BOTTOM
        );
    }
    for (v, label, dash) in [(0.0, "0", ""), (-1.0, "-1", "4,3"), (0.585, "+0.58", "4,3")] {
        s += &format!(
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#888\" stroke-dasharray=\"{dash}\"/>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{label}</text>\n",
            W - RIGHT,
            y(v),
            y(v),
            LEFT - 4.0,
            y(v) + 4.0
        );
    }
    s += &format!(
        "<text x=\"10\" y=\"{:.1}\" transform=\"rotate(-90 10 {:.1})\" text-anchor=\"middle\">log2 ratio</text>\n",
        (TOP + H - BOTTOM) / 2.0,
        (TOP + H - BOTTOM) / 2.0
    );
    for (i, e) in gene.exons.iter().enumerate() {
        let in_call = calls.iter().any(|c| {
            c.passed()
                && !matches!(c.state, CnvState::Neutral | CnvState::NoCoverage)
                && e.exon >= c.first_exon
                && e.exon <= c.last_exon
        });
        let colour = if !in_call {
            "#555"
        } else if e.log2 < 0.0 {
            "#c0392b"
        } else {
            "#2166ac"
        };
        let (lo, hi) = (y(e.log2 - 2.0 * e.sd), y(e.log2 + 2.0 * e.sd));
        s += &format!(
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{lo:.1}\" y2=\"{hi:.1}\" stroke=\"{colour}\" stroke-opacity=\"0.5\"/>\n",
            x(i)
        );
        let tip = format!(
            "exon {}: log2 {:.2}, z {:.1}, depth {:.0}x",
            e.exon, e.log2, e.z, e.depth
        );
        if e.log2 < Y_MIN || e.log2 > Y_MAX {
            let (yy, d) = if e.log2 < Y_MIN {
                (y(Y_MIN), 6.0)
            } else {
                (y(Y_MAX), -6.0)
            };
            s += &format!(
                "<path d=\"M{:.1} {:.1} l-5 {:.1} h10 z\" fill=\"{colour}\"><title>{}</title></path>\n",
                x(i),
                yy,
                -d,
                esc(&tip)
            );
        } else {
            s += &format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{colour}\"><title>{}</title></circle>\n",
                x(i),
                y(e.log2),
                esc(&tip)
            );
        }
        if gene.exons.len() <= 20 || i % 2 == 0 {
            s += &format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
                x(i),
                H - BOTTOM + 14.0,
                e.exon
            );
        }
    }
    s += &format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">exon</text>\n</svg>\n",
        (LEFT + W - RIGHT) / 2.0,
        H - 3.0
    );
    s
}

/// Mean depth per gene as horizontal bars, with the panel's minimum depth as a dashed line; genes
/// under it are drawn in the warning colour.
pub fn coverage_bars(genes: &[(String, f64)], min_depth: f64, label: &str) -> String {
    let row = 13.0;
    let (left, width) = (70.0, 460.0);
    let h = TOP + row * genes.len() as f64 + 20.0;
    let max = genes
        .iter()
        .map(|g| g.1)
        .fold(min_depth * 1.5, f64::max)
        .max(1.0);
    let x = |d: f64| left + d.min(max) / max * width;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" role=\"img\" aria-label=\"{0}\"><text x=\"{left}\" y=\"14\" font-size=\"11\">{0}</text>",
        esc(label)
    );
    for (i, (g, d)) in genes.iter().enumerate() {
        let yy = TOP + row * i as f64;
        let colour = if *d < min_depth { "#c0392b" } else { "#2e86c1" };
        s += &format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"end\">{}</text><rect x=\"{left}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"><title>{} {:.0}x</title></rect>",
            left - 4.0,
            yy + 9.0,
            esc(g),
            yy + 1.0,
            x(*d) - left,
            row - 3.0,
            esc(g),
            d
        );
    }
    let xm = x(min_depth);
    s += &format!(
        "<line x1=\"{xm:.1}\" y1=\"{TOP}\" x2=\"{xm:.1}\" y2=\"{:.1}\" stroke=\"#333\" stroke-dasharray=\"4 3\"/><text x=\"{xm:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\">{min_depth:.0}x</text></svg>",
        h - 18.0,
        h - 6.0
    );
    s
}

/// A fusion as its two partners: the 5′ partner's exons up to the one kept at the junction, then
/// the 3′ partner's from its first kept exon, with the breakpoint marked. `n5`/`n3` are the
/// partners' exon counts when the panel has their models.
pub fn fusion_diagram(
    name: &str,
    gene5: &str,
    exon5: Option<u32>,
    n5: Option<u32>,
    gene3: &str,
    exon3: Option<u32>,
    n3: Option<u32>,
) -> String {
    let h = 70.0;
    let mid = W / 2.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" role=\"img\" aria-label=\"{0}\"><text x=\"{mid}\" y=\"12\" font-size=\"11\" text-anchor=\"middle\">{0}</text>",
        esc(name)
    );
    // 5′ side: exons 1..=k drawn left of the junction, the rest faded
    let side = |first: u32, last: u32, kept: (u32, u32), x0: f64, x1: f64, colour: &str| {
        let n = (last - first + 1).max(1) as f64;
        let w = (x1 - x0) / n;
        let mut out = String::new();
        for (i, e) in (first..=last).enumerate() {
            let on = e >= kept.0 && e <= kept.1;
            out += &format!(
                "<rect x=\"{:.1}\" y=\"30\" width=\"{:.1}\" height=\"16\" fill=\"{}\" opacity=\"{}\"/><text x=\"{:.1}\" y=\"58\" font-size=\"8\" text-anchor=\"middle\">{e}</text>",
                x0 + w * i as f64 + 1.0,
                (w - 2.0).max(1.0),
                colour,
                if on { "1" } else { "0.25" },
                x0 + w * (i as f64 + 0.5)
            );
        }
        out
    };
    match exon5 {
        Some(k) => {
            let last = n5.unwrap_or(k).max(k);
            s += &side(1, last, (1, k), LEFT, mid - 6.0, "#1f618d");
        }
        None => s += &format!("<rect x=\"{LEFT}\" y=\"30\" width=\"{:.1}\" height=\"16\" fill=\"#1f618d\" opacity=\"0.5\"/>", mid - 6.0 - LEFT),
    }
    match exon3 {
        Some(j) => {
            let last = n3.unwrap_or(j).max(j);
            s += &side(1, last, (j, last), mid + 6.0, W - RIGHT, "#b9770e");
        }
        None => s += &format!("<rect x=\"{:.1}\" y=\"30\" width=\"{:.1}\" height=\"16\" fill=\"#b9770e\" opacity=\"0.5\"/>", mid + 6.0, W - RIGHT - mid - 6.0),
    }
    s += &format!(
        "<text x=\"{LEFT}\" y=\"26\" font-size=\"10\">{}</text><text x=\"{:.1}\" y=\"26\" font-size=\"10\" text-anchor=\"end\">{}</text><line x1=\"{mid}\" y1=\"22\" x2=\"{mid}\" y2=\"52\" stroke=\"#c0392b\" stroke-width=\"2\"/></svg>",
        esc(gene5),
        W - RIGHT,
        esc(gene3)
    );
    s
}

/// Paired VAFs (reference lab x, test lab y) on 0-1 axes (zoomed to the data when all are low),
/// with the identity line and the ±10% band CAP proficiency testing accepts.
pub fn vaf_scatter(points: &[(f64, f64, String)], x_label: &str, y_label: &str) -> String {
    let (size, pad) = (320.0, 40.0);
    let top = points.iter().map(|p| p.0.max(p.1)).fold(0.1f64, f64::max);
    // round the axis up to the next 0.1 so low-VAF panels are readable
    let max = ((top * 10.0).ceil() / 10.0).clamp(0.1, 1.0);
    let px = |v: f64| pad + v.clamp(0.0, max) / max * size;
    let py = |v: f64| pad + size - v.clamp(0.0, max) / max * size;
    let w = size + 2.0 * pad;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {w}\" width=\"{w}\" height=\"{w}\" role=\"img\" aria-label=\"{}\">",
        esc(&format!("{x_label} / {y_label}"))
    );
    // ±0.10 band around the identity line
    let band = format!(
        "{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
        px(0.0),
        py(0.1),
        px(max - 0.1),
        py(max),
        px(max),
        py(max),
        px(max),
        py(max - 0.1),
        px(0.1),
        py(0.0),
        px(0.0),
        py(0.0)
    );
    s += &format!("<polygon points=\"{band}\" fill=\"#d6eaf8\"/>");
    s += &format!(
        "<rect x=\"{pad}\" y=\"{pad}\" width=\"{size}\" height=\"{size}\" fill=\"none\" stroke=\"#555\"/><line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>",
        px(0.0),
        py(0.0),
        px(max),
        py(max)
    );
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        s += &format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\">{:.0}%</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"end\">{:.0}%</text>",
            px(v),
            pad + size + 12.0,
            100.0 * v,
            pad - 4.0,
            py(v) + 3.0,
            100.0 * v
        );
    }
    s += &format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text><text x=\"12\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\" transform=\"rotate(-90 12 {:.1})\">{}</text>",
        pad + size / 2.0,
        w - 6.0,
        esc(x_label),
        pad + size / 2.0,
        pad + size / 2.0,
        esc(y_label)
    );
    for (x, y, label) in points {
        s += &format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"#1f618d\" fill-opacity=\"0.8\"><title>{} {:.1}% / {:.1}%</title></circle>",
            px(*x),
            py(*y),
            esc(label),
            100.0 * x,
            100.0 * y
        );
    }
    s + "</svg>"
}

/// One bar of `proportion_bars`: a share with its 95% interval, or a note in its place.
pub struct Bar {
    pub name: String,
    pub share: Option<(f64, f64, f64)>,
    pub note: String,
}

/// One bar per category: a share (0-1) with its 95% interval as a whisker. A row without a share
/// (suppressed, or nothing tested) is labelled with `note` instead of a bar.
pub fn proportion_bars(rows: &[Bar], label: &str) -> String {
    let row = 15.0;
    let (left, width) = (210.0, 300.0);
    let h = TOP + row * rows.len() as f64 + 22.0;
    let x = |p: f64| left + p.clamp(0.0, 1.0) * width;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" role=\"img\" aria-label=\"{0}\"><text x=\"{left}\" y=\"14\" font-size=\"11\">{0}</text>",
        esc(label)
    );
    for (i, Bar { name, share, note }) in rows.iter().enumerate() {
        let yy = TOP + row * i as f64;
        let shown: String = name.chars().take(40).collect();
        s += &format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"end\"><title>{}</title>{}</text>",
            left - 4.0,
            yy + 10.0,
            esc(name),
            esc(&shown)
        );
        match share {
            Some((p, lo, hi)) => {
                let mid = yy + (row - 3.0) / 2.0 + 1.0;
                s += &format!(
                    "<rect x=\"{left}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#2e86c1\"><title>{} {:.1}% ({:.1}-{:.1}%)</title></rect><line x1=\"{:.1}\" y1=\"{mid:.1}\" x2=\"{:.1}\" y2=\"{mid:.1}\" stroke=\"#111\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"8\">{:.1}%</text>",
                    yy + 1.0,
                    x(*p) - left,
                    row - 3.0,
                    esc(name),
                    100.0 * p,
                    100.0 * lo,
                    100.0 * hi,
                    x(*lo),
                    x(*hi),
                    x(*hi) + 3.0,
                    yy + 10.0,
                    100.0 * p
                );
            }
            None => {
                s += &format!(
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"8\" fill=\"#777\">{}</text>",
                    left + 2.0,
                    yy + 10.0,
                    esc(note)
                );
            }
        }
    }
    let base = TOP + row * rows.len() as f64 + 2.0;
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        s += &format!(
            "<line x1=\"{0:.1}\" y1=\"{TOP}\" x2=\"{0:.1}\" y2=\"{base:.1}\" stroke=\"#ccc\" stroke-width=\"0.5\"/><text x=\"{0:.1}\" y=\"{1:.1}\" font-size=\"8\" text-anchor=\"middle\">{2:.0}%</text>",
            x(tick),
            base + 10.0,
            100.0 * tick
        );
    }
    s + "</svg>"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ExonCopy;

    #[test]
    fn plot_marks_called_exons_and_clamps_zero_coverage() {
        let exons = (1..=8)
            .map(|n| ExonCopy {
                exon: n,
                chrom: "chr7".into(),
                start: n as u64 * 1000,
                end: n as u64 * 1000 + 100,
                depth: if n == 5 { 0.0 } else { 400.0 },
                gc: 0.4,
                log2: if (4..=7).contains(&n) { -0.4 } else { 0.0 },
                z: 0.0,
                sd: 0.08,
            })
            .map(|mut e| {
                if e.exon == 5 {
                    e.log2 = -6.0;
                }
                e
            })
            .collect();
        let g = GeneCopy {
            gene: "IKZF1".into(),
            chrom: "chr7".into(),
            strand: '+',
            exons,
        };
        let call = CopyNumberCall {
            start: 4000,
            end: 7100,
            gene_exons: 8,
            log2: -0.4,
            z: -9.0,
            ..CopyNumberCall::for_test("IKZF1", "chr7", (4, 7), CnvState::Del)
        };
        let svg = gene_plot(&g, &[&call]);
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("IKZF1 (chr7, + strand): DEL exons 4-7"));
        assert_eq!(svg.matches("fill=\"#c0392b\"").count(), 4, "{svg}");
        assert!(
            svg.contains("<path"),
            "zero coverage drawn at the axis edge"
        );
    }
}
