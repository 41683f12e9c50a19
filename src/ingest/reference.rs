//! Reference FASTA (plain or bgzipped) through htslib's faidx: contig list, sequence, per-contig MD5.
use crate::error::{Error, Result};
use md5::{Digest, Md5};
use rust_htslib::faidx;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct Reference {
    pub path: PathBuf,
    reader: Mutex<faidx::Reader>,
    pub contigs: Vec<(String, u64)>,
    md5: Mutex<BTreeMap<String, String>>,
}

impl std::fmt::Debug for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reference({})", self.path.display())
    }
}

impl Reference {
    /// Open `path`; needs `path.fai` (and `path.gzi` when bgzipped) so nothing is written beside the
    /// user's reference.
    pub fn open(path: &Path) -> Result<Self> {
        let err = |reason: String| Error::Reference {
            path: path.into(),
            reason,
        };
        if !path.is_file() {
            return Err(err("reference FASTA not found".into()));
        }
        let fai = PathBuf::from(format!("{}.fai", path.display()));
        let text = std::fs::read_to_string(&fai).map_err(|_| {
            err(format!(
                "no FASTA index {}: create it with `samtools faidx`",
                fai.display()
            ))
        })?;
        let gz = {
            use std::io::Read;
            let mut m = [0u8; 2];
            std::fs::File::open(path)
                .and_then(|mut f| f.read_exact(&mut m))
                .map(|_| m == [0x1f, 0x8b])
                .unwrap_or(false)
        };
        if gz && !PathBuf::from(format!("{}.gzi", path.display())).is_file() {
            return Err(err("bgzipped FASTA without its .gzi index: run `samtools faidx` on it (or use an uncompressed FASTA)".into()));
        }
        let mut contigs = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let f: Vec<&str> = line.split('\t').collect();
            let len = f
                .get(1)
                .and_then(|l| l.parse().ok())
                .ok_or_else(|| err(format!("{} line {}: malformed", fai.display(), i + 1)))?;
            contigs.push((f[0].to_string(), len));
        }
        let reader =
            faidx::Reader::from_path(path).map_err(|e| err(format!("cannot open: {e}")))?;
        Ok(Reference {
            path: path.into(),
            reader: Mutex::new(reader),
            contigs,
            md5: Mutex::new(BTreeMap::new()),
        })
    }

    /// Identity of the reference file for caches (contig MD5s, aligner index): canonical path, size
    /// and modification time, so an edited or replaced FASTA is never mistaken for the old one.
    pub fn identity(&self) -> Option<String> {
        let m = std::fs::metadata(&self.path).ok()?;
        let t = m
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs();
        Some(format!(
            "{}|{}|{t}",
            std::fs::canonicalize(&self.path).ok()?.display(),
            m.len()
        ))
    }

    pub fn length(&self, contig: &str) -> Option<u64> {
        self.contigs
            .iter()
            .find(|(n, _)| n == contig)
            .map(|(_, l)| *l)
    }

    /// Uppercase sequence of `[start, end)` (0-based). Positions past the contig end are refused.
    pub fn fetch(&self, contig: &str, start: u64, end: u64) -> Result<Vec<u8>> {
        let len = self.length(contig).ok_or_else(|| Error::Reference {
            path: self.path.clone(),
            reason: format!("contig {contig} is not in the reference"),
        })?;
        if end > len || start >= end {
            return Err(Error::Reference {
                path: self.path.clone(),
                reason: format!(
                    "{contig}:{}-{end} is outside the contig (length {len})",
                    start + 1
                ),
            });
        }
        let r = self.reader.lock().expect("faidx lock");
        let mut s = r
            .fetch_seq(contig, start as usize, end as usize - 1)
            .map_err(|e| Error::Reference {
                path: self.path.clone(),
                reason: format!("{contig}: {e}"),
            })?;
        s.make_ascii_uppercase();
        Ok(s)
    }

    /// MD5 of the whole contig (uppercase, as @SQ M5), computed once and cached.
    pub fn contig_md5(&self, contig: &str) -> Result<Option<String>> {
        if let Some(m) = self.md5_if_cached(contig) {
            return Ok(Some(m));
        }
        if self.length(contig).is_none() {
            return Ok(None);
        }
        let mut h = Md5::new();
        self.scan(contig, |_, seq| {
            h.update(seq);
            Ok(())
        })?;
        let m = crate::util::hex(&h.finalize());
        self.md5
            .lock()
            .expect("md5 lock")
            .insert(contig.to_string(), m.clone());
        Ok(Some(m))
    }

    /// MD5 of several contigs in parallel (one faidx handle per worker), cached like [`contig_md5`].
    pub fn contig_md5_many(&self, contigs: &[String]) -> Result<BTreeMap<String, String>> {
        use rayon::prelude::*;
        let todo: Vec<&String> = contigs
            .iter()
            .filter(|c| self.md5_if_cached(c).is_none() && self.length(c).is_some())
            .collect();
        let done: Vec<Result<(String, String)>> = todo
            .par_iter()
            .map(|c| {
                let mut h = Md5::new();
                self.scan(c, |_, seq| {
                    h.update(seq);
                    Ok(())
                })?;
                Ok(((*c).clone(), crate::util::hex(&h.finalize())))
            })
            .collect();
        let mut cache = self.md5.lock().expect("md5 lock");
        for d in done {
            let (c, m) = d?;
            cache.insert(c, m);
        }
        Ok(contigs
            .iter()
            .filter_map(|c| cache.get(c).map(|m| (c.clone(), m.clone())))
            .collect())
    }

    /// Walk a whole contig in 8 MB uppercase pieces (with their 0-based offsets) through a faidx
    /// handle of its own, so several contigs can be read in parallel.
    pub fn scan(&self, contig: &str, mut f: impl FnMut(u64, &[u8]) -> Result<()>) -> Result<()> {
        let r = faidx::Reader::from_path(&self.path).map_err(|e| Error::Reference {
            path: self.path.clone(),
            reason: e.to_string(),
        })?;
        let len = self.length(contig).unwrap_or(0);
        let chunk = 8 << 20;
        let mut s = 0;
        while s < len {
            let e = (s + chunk).min(len);
            let mut seq = r
                .fetch_seq(contig, s as usize, e as usize - 1)
                .map_err(|err| Error::Reference {
                    path: self.path.clone(),
                    reason: format!("{contig}: {err}"),
                })?;
            seq.make_ascii_uppercase();
            f(s, &seq)?;
            s = e;
        }
        Ok(())
    }

    pub fn md5_if_cached(&self, contig: &str) -> Option<String> {
        self.md5.lock().expect("md5 lock").get(contig).cloned()
    }
}
