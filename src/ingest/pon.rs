//! Read a panel-of-normals file written by `puente pon build` (see [`crate::report::tsv::write_pon`]).
use crate::error::{Error, Result};
use crate::model::{PanelOfNormals, PanelRef, PonSample, PonSite, PonTarget};
use std::collections::BTreeMap;
use std::path::Path;

fn fields(line: &str) -> BTreeMap<&str, &str> {
    line.split('\t')
        .skip(1)
        .filter_map(|kv| kv.split_once('='))
        .collect()
}

pub fn read(path: &Path) -> Result<PanelOfNormals> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let bad = |line: usize, reason: String| Error::input(path, format!("line {line}: {reason}"));
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let (_, first) = lines.next().unwrap_or((1, ""));
    if !first.starts_with("##puente-pon\t") {
        return Err(Error::input(
            path,
            "not a puente panel of normals (first line must be ##puente-pon); build one with `puente pon build`",
        ));
    }
    let head = fields(first);
    let mut pon = PanelOfNormals {
        format_version: head.get("format").unwrap_or(&"").to_string(),
        puente_version: head.get("puente").unwrap_or(&"").to_string(),
        panel: PanelRef {
            name: String::new(),
            version: String::new(),
            build: String::new(),
            sha256: String::new(),
        },
        samples: vec![],
        targets: vec![],
        sites: vec![],
    };
    let mut header_seen = false;
    for (n, line) in lines {
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("##") {
            let f = fields(line);
            let get = |k: &str| f.get(k).map(|s| s.to_string()).unwrap_or_default();
            match rest.split('\t').next().unwrap_or("") {
                "panel" => {
                    pon.panel = PanelRef {
                        name: get("name"),
                        version: get("version"),
                        build: get("build"),
                        sha256: get("sha256"),
                    }
                }
                "normal" => pon.samples.push(PonSample {
                    sample_id: get("sample_id"),
                    path: get("path"),
                    sha256: get("sha256"),
                    sex: get("sex"),
                }),
                "site" => {
                    let int = |k: &str| -> Result<u64> {
                        f.get(k)
                            .and_then(|v| v.parse().ok())
                            .ok_or_else(|| bad(n, format!("##site needs a whole number for {k}")))
                    };
                    let max_vaf = f
                        .get("max_vaf")
                        .and_then(|v| v.parse::<f64>().ok())
                        .filter(|v| (0.0..=1.0).contains(v))
                        .ok_or_else(|| bad(n, "##site needs max_vaf between 0 and 1".into()))?;
                    let id = get("id");
                    if id.split(':').count() != 4 {
                        return Err(bad(n, format!("##site id {id:?} is not chrom:pos:ref:alt")));
                    }
                    pon.sites.push(PonSite {
                        id,
                        normals: int("normals")? as u32,
                        alt_fragments: int("alt_fragments")?,
                        depth: int("depth")?,
                        max_vaf,
                    });
                }
                _ => {}
            }
            continue;
        }
        if !header_seen {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols != crate::report::tsv::PON_COLUMNS {
                return Err(bad(
                    n,
                    format!(
                        "expected the header {:?}",
                        crate::report::tsv::PON_COLUMNS.join(" ")
                    ),
                ));
            }
            header_seen = true;
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 8 {
            return Err(bad(n, format!("expected 8 columns, found {}", f.len())));
        }
        let num = |i: usize| -> Result<f64> {
            f[i].parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    bad(
                        n,
                        format!(
                            "column {} is not a number: {:?}",
                            crate::report::tsv::PON_COLUMNS[i],
                            f[i]
                        ),
                    )
                })
        };
        let int = |i: usize| -> Result<u64> {
            f[i].parse::<u64>().map_err(|_| {
                bad(
                    n,
                    format!(
                        "column {} is not a position: {:?}",
                        crate::report::tsv::PON_COLUMNS[i],
                        f[i]
                    ),
                )
            })
        };
        pon.targets.push(PonTarget {
            chrom: f[0].to_string(),
            start: int(1)?,
            end: int(2)?,
            name: f[3].to_string(),
            gc: num(4)?,
            log2: num(5)?,
            sd: num(6)?,
            depth: num(7)?,
        });
    }
    if pon.panel.name.is_empty() || pon.targets.is_empty() {
        return Err(Error::input(
            path,
            "panel of normals is incomplete (no ##panel line or no targets): was it truncated?",
        ));
    }
    Ok(pon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_clear_errors() {
        let dir = std::env::temp_dir().join(format!("puente-pon-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pon = PanelOfNormals {
            format_version: "1".into(),
            puente_version: "0.1.0".into(),
            panel: PanelRef {
                name: "all-v1".into(),
                version: "1.0.0".into(),
                build: "GRCh38".into(),
                sha256: "ab".into(),
            },
            samples: vec![PonSample {
                sample_id: "N1".into(),
                path: "/data/N1.bam".into(),
                sha256: "cd".into(),
                sex: "F".into(),
            }],
            targets: vec![PonTarget {
                chrom: "chr7".into(),
                start: 10,
                end: 200,
                name: "IKZF1_exon4".into(),
                gc: 0.41,
                log2: -0.2,
                sd: 0.05,
                depth: 380.5,
            }],
            sites: vec![PonSite {
                id: "chr12:25245347:C:A".into(),
                normals: 3,
                alt_fragments: 14,
                depth: 2400,
                max_vaf: 0.008,
            }],
        };
        let p = dir.join("pon.tsv");
        crate::report::tsv::write_pon(&p, &pon).unwrap();
        assert_eq!(read(&p).unwrap(), pon);
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, text.replace("0.05\t380.5", "x\t380.5")).unwrap();
        let e = read(&p).unwrap_err().to_string();
        assert!(e.contains("line 6") && e.contains("sd"), "{e}");
        std::fs::write(&p, text.replace("max_vaf=0.008", "max_vaf=8")).unwrap();
        let e = read(&p).unwrap_err().to_string();
        assert!(e.contains("line 4") && e.contains("max_vaf"), "{e}");
        std::fs::write(&p, "chrom\tstart\n").unwrap();
        assert!(read(&p).unwrap_err().to_string().contains("pon build"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
