//! Panel of normals: what each capture target reads in samples without copy-number changes. A
//! target's capture efficiency is a property of the assay, far larger than a one-copy change at
//! exon scale, so it must be learnt from normals of the same assay (panel + build).
use super::coverage::{self, TargetClass};
use crate::error::{Error, Result};
use crate::model::{PanelOfNormals, PanelRef, PonSample, PonTarget, Region};
use crate::util::{median_f64, robust_sd};

/// 2: adds the `##site` lines of small-variant artefacts (format-1 files are read, without them).
pub const FORMAT_VERSION: &str = "2";

/// Fewer normals than this give a warning: per-target spreads are then poorly estimated.
pub const MIN_NORMALS: usize = 10;

/// One normal's measurements, aligned to the panel's capture targets.
pub struct NormalDepths {
    pub sample: PonSample,
    pub depths: Vec<f64>,
}

/// A normal's depths normalised for the PoN: centred, male chrX scaled, GC trend removed.
pub fn normalise_normal(
    depths: &[f64],
    gc: &[f64],
    class: &[TargetClass],
) -> Option<(Vec<f64>, char)> {
    let mut l = coverage::centred_log2(depths, class)?;
    let sex = coverage::infer_sex(&l, class).unwrap_or('F');
    if sex == 'M' {
        coverage::scale_male_x(&mut l, class);
    }
    let used: Vec<bool> = class
        .iter()
        .zip(depths)
        .map(|(c, d)| *c != TargetClass::Other && *d > 0.0)
        .collect();
    coverage::gc_correct(&mut l, gc, &used);
    Some((l, sex))
}

/// Build the panel of normals from normals measured on `targets`.
pub fn build(
    panel: PanelRef,
    targets: &[Region],
    gc: &[f64],
    normals: Vec<NormalDepths>,
) -> Result<PanelOfNormals> {
    let class: Vec<TargetClass> = targets.iter().map(coverage::classify).collect();
    let mut samples = Vec::new();
    let mut profiles: Vec<Vec<f64>> = Vec::new();
    let mut depths: Vec<Vec<f64>> = Vec::new();
    for mut n in normals {
        let (l, sex) = normalise_normal(&n.depths, gc, &class).ok_or_else(|| {
            Error::input(
                &n.sample.path,
                format!(
                    "normal {} has no reads on any autosomal capture target",
                    n.sample.sample_id
                ),
            )
        })?;
        n.sample.sex = sex.to_string();
        samples.push(n.sample);
        profiles.push(l);
        depths.push(n.depths);
    }
    if samples.is_empty() {
        return Err(Error::input("pon", "no normal samples given"));
    }
    let out = targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let col: Vec<f64> = profiles.iter().map(|p| p[i]).collect();
            PonTarget {
                chrom: t.chrom.clone(),
                start: t.start,
                end: t.end,
                name: t.name.clone(),
                gc: round4(gc[i]),
                log2: round4(median_f64(col.iter().copied()).unwrap_or(coverage::FLOOR)),
                sd: round4(robust_sd(&col).unwrap_or(0.0)),
                depth: round4(median_f64(depths.iter().map(|d| d[i])).unwrap_or(0.0)),
            }
        })
        .collect();
    Ok(PanelOfNormals {
        format_version: FORMAT_VERSION.into(),
        puente_version: crate::VERSION.into(),
        panel,
        samples,
        targets: out,
        sites: vec![],
    })
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// Refuse a PoN made for another assay: panel name, version and checksum, build, and the exact
/// capture targets must all match.
pub fn check_compatible(
    pon: &PanelOfNormals,
    panel: &PanelRef,
    targets: &[Region],
    path: &str,
) -> Result<()> {
    let refuse = |reason: String| Err(Error::input(path, reason));
    if pon.format_version != FORMAT_VERSION {
        return refuse(format!(
            "panel-of-normals format {} is not the supported format {FORMAT_VERSION}; rebuild it with `puente pon build`",
            pon.format_version
        ));
    }
    if pon.panel.build != panel.build {
        return refuse(format!(
            "panel of normals was built on {} but the panel is {}",
            pon.panel.build, panel.build
        ));
    }
    if pon.panel.name != panel.name || pon.panel.version != panel.version {
        return refuse(format!(
            "panel of normals was built for panel {} {} but this run uses {} {}",
            pon.panel.name, pon.panel.version, panel.name, panel.version
        ));
    }
    if pon.panel.sha256 != panel.sha256 {
        return refuse(format!(
            "panel of normals was built for a different {} panel resource (sha256 {} vs {})",
            panel.name, pon.panel.sha256, panel.sha256
        ));
    }
    let same = pon.targets.len() == targets.len()
        && pon
            .targets
            .iter()
            .zip(targets)
            .all(|(p, t)| p.chrom == t.chrom && p.start == t.start && p.end == t.end);
    if !same {
        return refuse(format!(
            "panel of normals has {} bins that do not match the panel's {} copy-number bins (built with another puente or panel version?); rebuild it with `puente pon build`",
            pon.targets.len(),
            targets.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(n: usize) -> Vec<Region> {
        (0..n)
            .map(|i| Region {
                chrom: "chr1".into(),
                start: 1000 * i as u64,
                end: 1000 * i as u64 + 200,
                name: format!("T{i}"),
            })
            .collect()
    }

    fn panel_ref() -> PanelRef {
        PanelRef {
            name: "all-v1".into(),
            version: "1.0.0".into(),
            build: "GRCh38".into(),
            sha256: "abc".into(),
        }
    }

    #[test]
    fn pon_learns_target_efficiency_and_spread() {
        let t = targets(40);
        let gc = vec![0.45; 40];
        // target i has efficiency 2^(i%4 - 1.5); normals differ by small noise
        let normals: Vec<NormalDepths> = (0..12)
            .map(|s| NormalDepths {
                sample: PonSample {
                    sample_id: format!("N{s}"),
                    path: format!("N{s}.bam"),
                    sha256: String::new(),
                    sex: String::new(),
                },
                depths: (0..40)
                    .map(|i| {
                        let noise = 1.0 + 0.02 * (((s * 7 + i * 3) % 5) as f64 - 2.0);
                        300.0 * 2f64.powf((i % 4) as f64 - 1.5) * noise
                    })
                    .collect(),
            })
            .collect();
        let pon = build(panel_ref(), &t, &gc, normals).unwrap();
        assert_eq!(pon.samples.len(), 12);
        let d = pon.targets[3].log2 - pon.targets[0].log2;
        assert!((d - 3.0).abs() < 0.05, "{d}");
        assert!(pon.targets.iter().all(|x| x.sd < 0.1));
    }

    #[test]
    fn incompatible_pon_is_refused_with_the_reason() {
        let t = targets(3);
        let normals = vec![NormalDepths {
            sample: PonSample {
                sample_id: "N".into(),
                path: "N.bam".into(),
                sha256: String::new(),
                sex: String::new(),
            },
            depths: vec![100.0; 3],
        }];
        let pon = build(panel_ref(), &t, &[0.4; 3], normals).unwrap();
        let mut other = panel_ref();
        other.build = "GRCh37".into();
        let e = check_compatible(&pon, &other, &t, "pon.tsv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("GRCh38") && e.contains("GRCh37"), "{e}");
        let mut other = panel_ref();
        other.sha256 = "def".into();
        assert!(check_compatible(&pon, &other, &t, "pon.tsv").is_err());
        assert!(check_compatible(&pon, &panel_ref(), &t[..2], "pon.tsv").is_err());
        assert!(check_compatible(&pon, &panel_ref(), &t, "pon.tsv").is_ok());
    }
}
