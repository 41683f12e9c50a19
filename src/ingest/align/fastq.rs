//! Paired FASTQ input, checked record by record: a bad file is refused naming the file and the first
//! bad record, never aligned half-way into a BAM that looks complete.
use crate::error::{Error, Result};
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Highest quality character accepted (Q45 in Phred+33). Illumina instruments write at most Q41-Q42;
/// Phred+64 files put ordinary Q30 bases at '^' (Q61 if read as Phred+33), far above this.
const MAX_QUAL: u8 = b'!' + 45;

/// One FASTQ record. `name` stops at the first whitespace, without a `/1` or `/2` suffix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub name: Vec<u8>,
    /// UMI from a SAM-style `RX:Z:` tag in the header comment (fgbio, bcl-convert with tags kept).
    pub umi: Option<Vec<u8>>,
    pub seq: Vec<u8>,
    /// Phred scores (not ASCII).
    pub qual: Vec<u8>,
}

/// Sequential reader of one FASTQ file (plain, gzip or bgzip).
pub struct Reader {
    path: PathBuf,
    inner: Box<dyn BufRead + Send>,
    /// Records read so far.
    pub records: u64,
    line: u64,
    buf: [String; 4],
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fastq::Reader({})", self.path.display())
    }
}

impl Reader {
    pub fn open(path: &Path) -> Result<Self> {
        use std::io::Read;
        if !path.is_file() {
            return Err(Error::input(path, "FASTQ file not found"));
        }
        let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut magic = [0u8; 2];
        let n = f.read(&mut magic).map_err(|e| Error::io(path, e))?;
        let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let inner: Box<dyn BufRead + Send> = if n == 2 && magic == [0x1f, 0x8b] {
            Box::new(std::io::BufReader::with_capacity(
                1 << 20,
                flate2::read::MultiGzDecoder::new(f),
            ))
        } else {
            Box::new(std::io::BufReader::with_capacity(1 << 20, f))
        };
        Ok(Self::from_reader(path, inner))
    }

    pub fn from_reader(path: &Path, inner: Box<dyn BufRead + Send>) -> Self {
        Reader {
            path: path.into(),
            inner,
            records: 0,
            line: 0,
            buf: Default::default(),
        }
    }

    fn bad(&self, what: impl std::fmt::Display) -> Error {
        Error::input(
            &self.path,
            format!("record {} (line {}): {what}", self.records + 1, self.line),
        )
    }

    /// The next record, or None at a clean end of file.
    pub fn next_record(&mut self) -> Result<Option<Record>> {
        for i in 0..4 {
            self.buf[i].clear();
            let n = self.inner.read_line(&mut self.buf[i]).map_err(|e| {
                let last = if self.records == 0 {
                    "before the first record".to_string()
                } else {
                    format!("after record {}", self.records)
                };
                Error::input(
                    &self.path,
                    format!("cannot read {last} (line {}): {e} — the file is truncated or corrupt (an interrupted copy or download?)", self.line + 1),
                )
            })?;
            if n == 0 {
                if i == 0 {
                    return Ok(None);
                }
                return Err(self.bad("the file ends inside this record (truncated?)"));
            }
            self.line += 1;
            let l = self.buf[i].trim_end_matches(['\n', '\r']).len();
            self.buf[i].truncate(l);
        }
        let [head, seq, plus, qual] = &self.buf;
        let Some(head) = head.strip_prefix('@') else {
            self.line -= 3;
            return Err(self.bad(format!(
                "header {:?} does not start with '@' (not FASTQ, or multi-line records)",
                short(head)
            )));
        };
        if !plus.starts_with('+') {
            self.line -= 1;
            return Err(self.bad(format!(
                "third line {:?} does not start with '+' (multi-line FASTQ is not supported)",
                short(plus)
            )));
        }
        let mut parts = head.splitn(2, [' ', '\t']);
        let mut name = parts.next().unwrap_or("").as_bytes().to_vec();
        if name.is_empty() {
            self.line -= 3;
            return Err(self.bad("empty read name"));
        }
        if name.len() > 254 || name.iter().any(|b| !(b'!'..=b'~').contains(b)) {
            self.line -= 3;
            return Err(self.bad(format!(
                "read name {:?} is not a valid SAM read name (printable, at most 254 characters)",
                short(&String::from_utf8_lossy(&name))
            )));
        }
        if name.ends_with(b"/1") || name.ends_with(b"/2") {
            name.truncate(name.len() - 2);
        }
        let umi = parts.next().and_then(|c| {
            c.split([' ', '\t'])
                .find_map(|t| t.strip_prefix("RX:Z:"))
                .map(|u| u.as_bytes().to_vec())
        });
        if let Some(b) = seq.bytes().find(|b| !b.is_ascii_alphabetic()) {
            self.line -= 2;
            return Err(self.bad(format!(
                "sequence of read {} has character {:?}",
                String::from_utf8_lossy(&name),
                b as char
            )));
        }
        if qual.len() != seq.len() {
            return Err(self.bad(format!(
                "read {}: {} bases but {} quality values",
                String::from_utf8_lossy(&name),
                seq.len(),
                qual.len()
            )));
        }
        let mut q = Vec::with_capacity(qual.len());
        for b in qual.bytes() {
            if !(b'!'..=MAX_QUAL).contains(&b) {
                let why = if b > MAX_QUAL && b <= b'~' {
                    format!("is Q{} in Phred+33, above what sequencers write: the file looks Phred+64 encoded (Illumina 1.3-1.7); convert it to Phred+33 (e.g. `seqtk seq -Q64 -V`)", b - 33)
                } else {
                    "is not a Phred+33 quality character".to_string()
                };
                return Err(self.bad(format!(
                    "read {}: quality {:?} {why}",
                    String::from_utf8_lossy(&name),
                    b as char
                )));
            }
            q.push(b - 33);
        }
        let seq = seq.bytes().map(|b| b.to_ascii_uppercase()).collect();
        self.records += 1;
        Ok(Some(Record {
            name,
            umi,
            seq,
            qual: q,
        }))
    }
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

/// R1 and R2 read in step: the files must hold the same reads in the same order.
#[derive(Debug)]
pub struct PairReader {
    pub r1: Reader,
    pub r2: Reader,
}

impl PairReader {
    pub fn open(r1: &Path, r2: &Path) -> Result<Self> {
        if r1 == r2 {
            return Err(Error::input(r2, "fastq_2 is the same file as fastq_1"));
        }
        Ok(PairReader {
            r1: Reader::open(r1)?,
            r2: Reader::open(r2)?,
        })
    }

    /// Up to `n` pairs; fewer only at the end of both files.
    pub fn next_batch(&mut self, n: usize) -> Result<Vec<(Record, Record)>> {
        let mut out = Vec::with_capacity(n.min(1 << 16));
        while out.len() < n {
            let a = self.r1.next_record()?;
            let b = self.r2.next_record()?;
            match (a, b) {
                (None, None) => break,
                (Some(a), Some(b)) => {
                    if a.name != b.name {
                        return Err(Error::input(
                            &self.r2.path,
                            format!(
                                "record {}: read name {} does not match {} in {} (files out of step or not a pair)",
                                self.r2.records,
                                String::from_utf8_lossy(&b.name),
                                String::from_utf8_lossy(&a.name),
                                self.r1.path.display()
                            ),
                        ));
                    }
                    out.push((a, b));
                }
                (Some(a), None) => {
                    return Err(Error::input(
                        &self.r2.path,
                        format!(
                            "ends after {} records but {} goes on (record {}: {}): the pair has different read counts",
                            self.r2.records,
                            self.r1.path.display(),
                            self.r1.records,
                            String::from_utf8_lossy(&a.name)
                        ),
                    ))
                }
                (None, Some(b)) => {
                    return Err(Error::input(
                        &self.r1.path,
                        format!(
                            "ends after {} records but {} goes on (record {}: {}): the pair has different read counts",
                            self.r1.records,
                            self.r2.path.display(),
                            self.r2.records,
                            String::from_utf8_lossy(&b.name)
                        ),
                    ))
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(text: &str) -> Reader {
        Reader::from_reader(
            Path::new("x.fq"),
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
        )
    }

    fn err(text: &str) -> String {
        let mut r = reader(text);
        loop {
            match r.next_record() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("no error for {text:?}"),
                Err(e) => return e.to_string(),
            }
        }
    }

    #[test]
    fn parses_names_umis_and_qualities() {
        let mut r =
            reader("@r1/1 1:N:0:ACGT\tRX:Z:AAC-GTT\nacgN\n+\nII#!\n@r2 BX:Z:1\nA\n+r2\n5\n");
        let a = r.next_record().unwrap().unwrap();
        assert_eq!(a.name, b"r1");
        assert_eq!(a.umi.as_deref(), Some(&b"AAC-GTT"[..]));
        assert_eq!(a.seq, b"ACGN");
        assert_eq!(a.qual, vec![40, 40, 2, 0]);
        let b = r.next_record().unwrap().unwrap();
        assert_eq!((b.name.as_slice(), b.umi), (&b"r2"[..], None));
        assert!(r.next_record().unwrap().is_none());
        assert_eq!(r.records, 2);
    }

    #[test]
    fn names_the_first_bad_record() {
        let ok = "@a\nAC\n+\nII\n";
        let e = err(&format!("{ok}@b\nAC\n+\nI\n"));
        assert!(
            e.contains("record 2 (line 8)") && e.contains("2 bases but 1 quality"),
            "{e}"
        );
        let e = err(&format!("{ok}@b\nAC\n"));
        assert!(e.contains("record 2") && e.contains("ends inside"), "{e}");
        let e = err(&format!("{ok}b\nAC\n+\nII\n"));
        assert!(e.contains("record 2 (line 5)") && e.contains("'@'"), "{e}");
        let e = err(&format!("{ok}@b\nA-\n+\nII\n"));
        assert!(e.contains("'-'"), "{e}");
        let e = err(&format!("{ok}@b\nAC\nII\n+\n"));
        assert!(e.contains("'+'"), "{e}");
    }

    #[test]
    fn phred64_is_refused_with_the_fix() {
        let e = err("@a\nACGT\n+\nhhhB\n");
        assert!(
            e.contains("record 1") && e.contains("Phred+64") && e.contains("'h'"),
            "{e}"
        );
        // the best Illumina qualities (Q41, 'J') are fine
        assert!(reader("@a\nA\n+\nJ\n").next_record().unwrap().is_some());
    }

    #[test]
    fn truncated_gzip_names_the_last_good_record() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for i in 0..2000 {
            writeln!(gz, "@read{i}\nACGTACGTAC\n+\nIIIIIIIIII").unwrap();
        }
        let bytes = gz.finish().unwrap();
        let cut = bytes[..bytes.len() / 2].to_vec();
        let mut r = Reader::from_reader(
            Path::new("x.fq.gz"),
            Box::new(std::io::BufReader::new(flate2::read::MultiGzDecoder::new(
                std::io::Cursor::new(cut),
            ))),
        );
        let e = loop {
            match r.next_record() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("truncation not noticed"),
                Err(e) => break e.to_string(),
            }
        };
        assert!(e.contains("x.fq.gz") && e.contains("truncated"), "{e}");
        assert!(r.records > 0 && r.records < 2000);
    }

    #[test]
    fn pairs_must_match_in_names_and_counts() {
        let pair = |a: &str, b: &str| PairReader {
            r1: Reader::from_reader(
                Path::new("R1.fq"),
                Box::new(std::io::Cursor::new(a.as_bytes().to_vec())),
            ),
            r2: Reader::from_reader(
                Path::new("R2.fq"),
                Box::new(std::io::Cursor::new(b.as_bytes().to_vec())),
            ),
        };
        let ok = pair("@a/1\nA\n+\nI\n", "@a/2\nT\n+\nI\n")
            .next_batch(10)
            .unwrap();
        assert_eq!(ok.len(), 1);
        let e = pair("@a\nA\n+\nI\n@b\nA\n+\nI\n", "@a\nT\n+\nI\n@c\nT\n+\nI\n")
            .next_batch(10)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("R2.fq") && e.contains("record 2") && e.contains("c does not match b"),
            "{e}"
        );
        let e = pair("@a\nA\n+\nI\n@b\nA\n+\nI\n", "@a\nT\n+\nI\n")
            .next_batch(10)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("R2.fq: ends after 1 records") && e.contains("different read counts"),
            "{e}"
        );
        // batches stop at n and resume
        let mut p = pair("@a\nA\n+\nI\n@b\nA\n+\nI\n", "@a\nT\n+\nI\n@b\nT\n+\nI\n");
        assert_eq!(p.next_batch(1).unwrap().len(), 1);
        assert_eq!(p.next_batch(5).unwrap().len(), 1);
        assert!(p.next_batch(5).unwrap().is_empty());
    }
}
