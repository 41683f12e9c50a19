//! BAM/CRAM input and reference checks: header, genome build, sort order, index, read groups, EOF.
//! All htslib access for alignments lives here and in [`reads`]; later stages see domain types.
pub mod align;
pub mod build;
pub mod pon;
pub mod reads;
pub mod reference;
pub mod vcf;

use crate::error::{Error, Result};
use crate::model::ReadGroup;
use build::BuildEvidence;
use rust_htslib::bam::{self, Read};
use std::path::{Path, PathBuf};

pub use reference::Reference;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Bam,
    Cram,
}

/// An opened, checked alignment file.
#[derive(Debug, Clone)]
pub struct AlignmentInput {
    pub path: PathBuf,
    pub format: Format,
    pub contigs: Vec<(String, u64)>,
    pub build: BuildEvidence,
    pub read_groups: Vec<ReadGroup>,
    pub index: PathBuf,
    /// True when puente had to build the index (into the output directory, never beside the input).
    pub index_built: bool,
    pub reference: Option<PathBuf>,
}

/// BGZF end-of-file marker every complete BAM ends with.
const BGZF_EOF: [u8; 28] = [
    0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0, 0x42, 0x43, 0x02, 0, 0x1b, 0, 0x03, 0, 0,
    0, 0, 0, 0, 0, 0, 0,
];

fn sniff(path: &Path) -> Result<Format> {
    use std::io::Read as _;
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut magic = [0u8; 4];
    let n = f.read(&mut magic).map_err(|e| Error::io(path, e))?;
    if n == 4 && &magic == b"CRAM" {
        return Ok(Format::Cram);
    }
    if n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
        return Ok(Format::Bam);
    }
    Err(Error::input(
        path,
        "not a BAM or CRAM file (unrecognised magic bytes)",
    ))
}

fn check_bgzf_eof(path: &Path) -> Result<()> {
    use std::io::{Read as _, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = f.metadata().map_err(|e| Error::io(path, e))?.len();
    if len < 28 {
        return Err(Error::Truncated {
            path: path.into(),
            reason: format!("only {len} bytes"),
        });
    }
    f.seek(SeekFrom::End(-28)).map_err(|e| Error::io(path, e))?;
    let mut tail = [0u8; 28];
    f.read_exact(&mut tail).map_err(|e| Error::io(path, e))?;
    if tail != BGZF_EOF {
        return Err(Error::Truncated {
            path: path.into(),
            reason: "the BGZF end-of-file marker is missing (incomplete copy or interrupted write)"
                .into(),
        });
    }
    Ok(())
}

fn header_field<'a>(line: &'a str, tag: &str) -> Option<&'a str> {
    line.split('\t')
        .find_map(|f| f.strip_prefix(tag).and_then(|r| r.strip_prefix(':')))
}

fn existing_index(path: &Path, format: Format) -> Option<PathBuf> {
    let s = path.to_string_lossy();
    let cands: Vec<String> = match format {
        Format::Bam => vec![
            format!("{s}.bai"),
            format!("{s}.csi"),
            s.trim_end_matches(".bam").to_string() + ".bai",
        ],
        Format::Cram => vec![
            format!("{s}.crai"),
            s.trim_end_matches(".cram").to_string() + ".crai",
        ],
    };
    cands.into_iter().map(PathBuf::from).find(|p| p.is_file())
}

impl AlignmentInput {
    /// Open and check `path`. `reference` is required for CRAM; `index_dir` receives a built index
    /// when the input has none.
    pub fn open(
        path: &Path,
        reference: Option<&Reference>,
        index_dir: &Path,
        threads: usize,
    ) -> Result<Self> {
        if !path.is_file() {
            return Err(Error::input(path, "file not found"));
        }
        let format = sniff(path)?;
        if format == Format::Bam {
            check_bgzf_eof(path)?;
        }
        if format == Format::Cram && reference.is_none() {
            return Err(Error::Reference {
                path: path.into(),
                reason: "CRAM input needs the reference it was compressed against: give --reference FASTA".into(),
            });
        }
        let mut reader = bam::Reader::from_path(path)
            .map_err(|e| Error::input(path, format!("cannot open: {e}")))?;
        if let Some(r) = reference {
            if format == Format::Cram {
                reader
                    .set_reference(&r.path)
                    .map_err(|e| Error::Reference {
                        path: r.path.clone(),
                        reason: e.to_string(),
                    })?;
            }
        }
        let header = reader.header().clone();
        let text = String::from_utf8_lossy(header.as_bytes()).into_owned();
        let mut contigs = Vec::new();
        let mut m5 = Vec::new();
        let mut read_groups = Vec::new();
        let mut sort_order = None;
        for line in text.lines() {
            if line.starts_with("@HD") {
                sort_order = header_field(line, "SO").map(str::to_string);
            } else if line.starts_with("@SQ") {
                let name = header_field(line, "SN").unwrap_or("").to_string();
                let len = header_field(line, "LN")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(0);
                if let Some(m) = header_field(line, "M5") {
                    m5.push((name.clone(), m.to_ascii_lowercase()));
                }
                contigs.push((name, len));
            } else if line.starts_with("@RG") {
                read_groups.push(ReadGroup {
                    id: header_field(line, "ID").unwrap_or("").into(),
                    sample: header_field(line, "SM").map(Into::into),
                    library: header_field(line, "LB").map(Into::into),
                    center: header_field(line, "CN").map(Into::into),
                    platform: header_field(line, "PL").map(Into::into),
                });
            }
        }
        read_groups.sort();
        if contigs.is_empty() {
            return Err(Error::input(
                path,
                "header has no @SQ lines: the file is unaligned or not a BAM/CRAM of a reference",
            ));
        }
        match sort_order.as_deref() {
            Some("coordinate") | None => {}
            Some(other) => {
                return Err(Error::input(
                    path,
                    format!("not coordinate-sorted (@HD SO:{other}); sort it with `samtools sort`"),
                ))
            }
        }
        let build = build::detect(contigs.iter().map(|(n, l)| (n.as_str(), *l)));
        if let Some(r) = reference {
            for (name, want) in &m5 {
                if let Some(got) = r.md5_if_cached(name) {
                    if &got != want {
                        return Err(Error::Reference {
                            path: r.path.clone(),
                            reason: format!("contig {name} MD5 {got} differs from the input's @SQ M5 {want}: wrong reference for {}", path.display()),
                        });
                    }
                }
            }
            if format == Format::Cram {
                // CRAM decoding against the wrong sequence gives wrong bases silently: check every M5.
                for (name, want) in &m5 {
                    if let Some(got) = r.contig_md5(name)? {
                        if &got != want {
                            return Err(Error::Reference {
                                path: r.path.clone(),
                                reason: format!("contig {name} MD5 {got} differs from the CRAM's @SQ M5 {want}: this is not the reference the CRAM was made with"),
                            });
                        }
                    }
                }
            }
        }
        let (index, index_built) = match existing_index(path, format) {
            Some(i) => (i, false),
            None => {
                std::fs::create_dir_all(index_dir).map_err(|e| Error::io(index_dir, e))?;
                let fname = path
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let ext = if format == Format::Bam { "bai" } else { "crai" };
                let idx = index_dir.join(format!("{fname}.{ext}"));
                let tmp = crate::util::tmp_path(&idx);
                bam::index::build(path, Some(&tmp), bam::index::Type::Bai, threads.max(1) as u32).map_err(|e| {
                    Error::input(path, format!("no index found and building one failed ({e}); is the file coordinate-sorted and complete?"))
                })?;
                crate::util::commit(&tmp, &idx)?;
                (idx, true)
            }
        };
        Ok(AlignmentInput {
            path: path.into(),
            format,
            contigs,
            build,
            read_groups,
            index,
            index_built,
            reference: reference.map(|r| r.path.clone()),
        })
    }

    /// Refuse an input whose build differs from the panel's, naming both.
    pub fn check_build(&self, panel: &crate::panel::Panel) -> Result<()> {
        let want = panel.build();
        if self.build.build != want {
            return Err(Error::BuildMismatch {
                path: self.path.clone(),
                found: self.build.describe(),
                expected: panel.manifest.panel.build.clone(),
                panel: panel.manifest.panel.name.clone(),
            });
        }
        Ok(())
    }

    pub fn contig_names(&self) -> Vec<String> {
        self.contigs.iter().map(|(n, _)| n.clone()).collect()
    }

    /// An indexed reader with `threads` decompression threads.
    pub fn indexed_reader(&self, threads: usize) -> Result<bam::IndexedReader> {
        let mut r =
            bam::IndexedReader::from_path_and_index(&self.path, &self.index).map_err(|e| {
                Error::input(
                    &self.path,
                    format!("cannot open with index {}: {e}", self.index.display()),
                )
            })?;
        if let Some(refp) = &self.reference {
            if self.format == Format::Cram {
                r.set_reference(refp).map_err(|e| Error::Reference {
                    path: refp.clone(),
                    reason: e.to_string(),
                })?;
            }
        }
        if threads > 1 {
            r.set_threads(threads).map_err(|e| Error::Htslib {
                path: self.path.clone(),
                reason: e.to_string(),
            })?;
        }
        Ok(r)
    }

    /// Unmapped reads without a position (index statistics), for the mapped fraction.
    pub fn unplaced_unmapped(&self) -> Result<u64> {
        let mut r = self.indexed_reader(1)?;
        let stats = r.index_stats().map_err(|e| Error::Htslib {
            path: self.path.clone(),
            reason: e.to_string(),
        })?;
        Ok(stats.iter().filter(|s| s.0 < 0).map(|s| s.3).sum())
    }
}
