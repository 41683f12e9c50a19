//! Read filtering in one place, and a decoded view of each alignment for the stages.
use super::AlignmentInput;
use crate::error::{Error, Result};
use rust_htslib::bam::{self, record::Cigar, Read};
use serde::{Deserialize, Serialize};

/// Which reads count. Defaults match what the field uses for coverage (mosdepth/samtools: drop
/// unmapped, secondary, QC-fail and duplicates) plus a MAPQ floor so repeats do not inflate depth.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReadFilter {
    pub min_mapq: u8,
    pub drop_duplicates: bool,
}

impl Default for ReadFilter {
    fn default() -> Self {
        ReadFilter {
            min_mapq: 20,
            drop_duplicates: true,
        }
    }
}

/// Counts of what the filter saw, for QC.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ReadCounts {
    /// Primary alignments (each read once), mapped or placed-unmapped.
    pub primary: u64,
    pub mapped: u64,
    pub secondary: u64,
    pub supplementary: u64,
    pub qc_fail: u64,
    pub duplicate: u64,
    pub low_mapq: u64,
    pub used: u64,
}

impl ReadCounts {
    pub fn add(&mut self, o: &ReadCounts) {
        self.primary += o.primary;
        self.mapped += o.mapped;
        self.secondary += o.secondary;
        self.supplementary += o.supplementary;
        self.qc_fail += o.qc_fail;
        self.duplicate += o.duplicate;
        self.low_mapq += o.low_mapq;
        self.used += o.used;
    }
}

/// One alignment, decoded: reference blocks covered by aligned bases (0-based half-open).
#[derive(Debug, Clone, Default)]
pub struct ReadView {
    pub pos: u64,
    pub end: u64,
    pub blocks: Vec<(u64, u64)>,
    pub paired: bool,
    pub proper: bool,
    pub first_in_pair: bool,
    pub mate_tid: i32,
    pub tid: i32,
    pub mate_pos: u64,
    pub insert_size: i64,
    pub qname: Vec<u8>,
    pub supplementary: bool,
}

fn blocks_of(rec: &bam::Record, out: &mut Vec<(u64, u64)>) -> u64 {
    out.clear();
    let mut p = rec.pos() as u64;
    for c in rec.cigar().iter() {
        match c {
            Cigar::Match(l) | Cigar::Equal(l) | Cigar::Diff(l) => {
                let l = *l as u64;
                match out.last_mut() {
                    Some(last) if last.1 == p => last.1 += l,
                    _ => out.push((p, p + l)),
                }
                p += l;
            }
            Cigar::Del(l) | Cigar::RefSkip(l) => p += *l as u64,
            _ => {}
        }
    }
    p
}

/// Walk every alignment on `contig` (input's own name), calling `f` for each read that passes the
/// filter; returns the counts. Coordinate order is checked: an unsorted file is an error, not wrong QC.
pub fn for_each_read(
    input: &AlignmentInput,
    contig: &str,
    threads: usize,
    filter: &ReadFilter,
    mut f: impl FnMut(&ReadView),
) -> Result<ReadCounts> {
    let mut reader = input.indexed_reader(threads)?;
    let mut view = ReadView::default();
    for_each_record(&mut reader, &input.path, contig, None, filter, |rec| {
        let flags = rec.flags();
        view.end = blocks_of(rec, &mut view.blocks);
        view.pos = rec.pos() as u64;
        view.paired = flags & 0x1 != 0;
        view.proper = flags & 0x2 != 0;
        view.first_in_pair = flags & 0x40 != 0;
        view.tid = rec.tid();
        view.mate_tid = rec.mtid();
        view.mate_pos = rec.mpos().max(0) as u64;
        view.insert_size = rec.insert_size();
        view.supplementary = flags & 0x800 != 0;
        view.qname.clear();
        view.qname.extend_from_slice(rec.qname());
        f(&view);
        Ok(())
    })
}

/// The filter applied to raw records of `contig` (optionally only those overlapping the 0-based
/// half-open `range`) read from an already open `reader`, so stages that visit many regions of one
/// contig open the file once. `f` may refuse a record (e.g. no base qualities) by returning an error.
pub fn for_each_record(
    reader: &mut bam::IndexedReader,
    path: &std::path::Path,
    contig: &str,
    range: Option<(u64, u64)>,
    filter: &ReadFilter,
    mut f: impl FnMut(&bam::Record) -> Result<()>,
) -> Result<ReadCounts> {
    let mut counts = ReadCounts::default();
    let fetched = match range {
        Some((s, e)) => reader.fetch((contig, s as i64, e as i64)),
        None => reader.fetch(contig),
    };
    fetched.map_err(|e| Error::Htslib {
        path: path.to_path_buf(),
        reason: format!("fetch {contig}: {e}"),
    })?;
    let mut rec = bam::Record::new();
    let mut last_pos = 0i64;
    while let Some(r) = reader.read(&mut rec) {
        r.map_err(|e| Error::Truncated {
            path: path.to_path_buf(),
            reason: format!("reading {contig} near position {}: {e}", last_pos + 1),
        })?;
        if rec.pos() < last_pos {
            return Err(Error::input(
                path,
                format!(
                    "not coordinate-sorted: {contig}:{} after {}",
                    rec.pos() + 1,
                    last_pos + 1
                ),
            ));
        }
        last_pos = rec.pos();
        let flags = rec.flags();
        if flags & 0x100 != 0 {
            counts.secondary += 1;
            continue;
        }
        if flags & 0x800 != 0 {
            counts.supplementary += 1;
        } else {
            counts.primary += 1;
            if flags & 0x4 == 0 {
                counts.mapped += 1;
            }
        }
        if flags & 0x4 != 0 {
            continue;
        }
        if flags & 0x200 != 0 {
            counts.qc_fail += 1;
            continue;
        }
        if flags & 0x400 != 0 {
            counts.duplicate += 1;
            if filter.drop_duplicates {
                continue;
            }
        }
        if rec.mapq() < filter.min_mapq {
            counts.low_mapq += 1;
            continue;
        }
        counts.used += 1;
        f(&rec)?;
    }
    Ok(counts)
}
