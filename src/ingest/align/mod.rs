//! FASTQ pairs -> coordinate-sorted, indexed BAM with duplicates marked, through the embedded minimap2.
//!
//! Pairs are read in chunks and aligned in parallel (minimap2's pairing, one pair per call); each read
//! gets its primary alignment and its supplementary pieces with SA tags, so split reads reach the fusion
//! caller as from `bwa mem`. Chunks are sorted in memory and, when there is more than one, spilled to
//! temporary BAMs and merged. Duplicates are marked by fragment ends (unclipped 5' positions and strands
//! of both reads, plus the UMI when reads carry an `RX:Z:` tag), keeping the pair with the highest sum of
//! base qualities. Output is identical for any thread count: chunks are cut by pair count and every tie
//! is broken by input order.
pub mod fastq;
pub mod index;

use crate::error::{Error, Result};
use crate::ingest::Reference;
use crate::model::ReadGroup;
use index::{Index, Preset};
use minimap2::{Mapping, Strand};
use rust_htslib::bam::{
    self,
    header::HeaderRecord,
    record::{Aux, Cigar, CigarString},
    Read as _,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Pairs aligned and sorted in memory at a time (about 1.2 GB at 2x150 bp reads).
pub const DEFAULT_CHUNK_PAIRS: usize = 500_000;
/// Longest fragment still called a proper pair in DNA libraries (minimap2's own pairing limit).
const MAX_PROPER_FRAGMENT: i64 = 1000;
/// Longest span of an RNA pair across introns still called proper.
const MAX_PROPER_RNA_SPAN: i64 = 500_000;
/// Base qualities counted in a pair's duplicate score (Picard's rule).
const DUP_SCORE_MIN_QUAL: u8 = 15;
/// Temporary tag carrying the pair's input number through spilled chunks (removed on output).
const SERIAL_TAG: &[u8] = b"ZP";

#[derive(Debug, Clone)]
pub struct AlignOptions {
    pub fastq1: PathBuf,
    pub fastq2: PathBuf,
    /// Output BAM; its index is written beside it as `.bai`.
    pub out: PathBuf,
    pub read_group: ReadGroup,
    pub preset: Preset,
    /// Directory of cached minimap2 indexes ([`index::default_dir`]).
    pub index_dir: PathBuf,
    pub threads: usize,
    pub command_line: Vec<String>,
    pub chunk_pairs: usize,
}

/// What alignment did, for the report's provenance and the log.
#[derive(
    Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct AlignStats {
    pub aligner: String,
    pub preset: String,
    pub pairs: u64,
    /// Reads with a primary alignment.
    pub mapped_reads: u64,
    pub proper_pairs: u64,
    pub supplementary: u64,
    /// Pairs (or single mapped reads) marked as duplicates of a better-scoring one.
    pub duplicate_fragments: u64,
    /// Pairs whose duplicate key included a UMI.
    pub umi_pairs: u64,
    pub index: String,
    /// This run built the index (not kept in reports: it depends on what ran before).
    #[serde(skip)]
    pub index_built: bool,
}

/// Align `opts.fastq1`/`fastq2` against `reference` into `opts.out` (+ `.bai`). The BAM appears only
/// when complete; a bad FASTQ stops the run naming the file and the record, leaving nothing behind.
pub fn align(opts: &AlignOptions, reference: &Reference) -> Result<AlignStats> {
    let mut reads = fastq::PairReader::open(&opts.fastq1, &opts.fastq2)?;
    let ix = index::shared(reference, opts.preset, &opts.index_dir, opts.threads)?;
    if ix.aligner.idx_parts.len() != 1 {
        return Err(Error::Reference {
            path: reference.path.clone(),
            reason: "the minimap2 index came in several parts; puente needs one".into(),
        });
    }
    let header = header(reference, opts);
    if let Some(d) = opts.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
    }
    let spill_dir = crate::util::tmp_path(&opts.out.with_extension("chunks"));
    let result = align_into(opts, reference, &ix, &mut reads, &header, &spill_dir);
    std::fs::remove_dir_all(&spill_dir).ok();
    let mut stats = result?;
    stats.index = ix.path.display().to_string();
    stats.index_built = ix.built;
    Ok(stats)
}

fn align_into(
    opts: &AlignOptions,
    reference: &Reference,
    ix: &Index,
    reads: &mut fastq::PairReader,
    header: &bam::Header,
    spill_dir: &Path,
) -> Result<AlignStats> {
    use rayon::prelude::*;
    let names: Vec<&str> = reference.contigs.iter().map(|(n, _)| n.as_str()).collect();
    let rg = opts.read_group.id.clone();
    let mut stats = AlignStats {
        aligner: format!("minimap2 {}", index::minimap2_version()),
        preset: opts.preset.minimap2_name().into(),
        ..Default::default()
    };
    let mut dup = DupTable::default();
    let mut chunks: Vec<PathBuf> = Vec::new();
    let mut pending: Option<Vec<Tagged>> = None;
    let mut serial = 0u64;
    loop {
        let batch = reads.next_batch(opts.chunk_pairs.max(1))?;
        if batch.is_empty() {
            break;
        }
        let first = serial;
        serial += batch.len() as u64;
        let aligned: Vec<Result<PairOut>> = batch
            .par_iter()
            .map(|(a, b)| align_pair(ix, opts.preset, &names, &rg, a, b))
            .collect();
        let mut recs = Vec::with_capacity(batch.len() * 2);
        for (i, p) in aligned.into_iter().enumerate() {
            let p = p?;
            stats.pairs += 1;
            stats.mapped_reads += p.mapped;
            stats.proper_pairs += p.proper as u64;
            stats.supplementary += p.supplementary;
            if let Some(k) = p.key {
                stats.umi_pairs += batch[i].0.umi.is_some() as u64;
                dup.add(k, batch[i].0.umi.as_deref(), p.score, first + i as u64);
            }
            recs.extend(p.records.into_iter().map(|r| (first + i as u64, r)));
        }
        drop(batch);
        recs.par_sort_by_key(|(s, r)| (sort_tid(r), r.pos(), *s));
        if let Some(prev) = pending.take() {
            chunks.push(spill(prev, header, spill_dir, chunks.len())?);
        }
        pending = Some(recs);
    }
    let duplicates = dup.duplicates(serial);
    stats.duplicate_fragments = duplicates.count();
    let tmp = crate::util::tmp_path(&opts.out);
    let written = (|| -> Result<()> {
        let mut w = bam::Writer::from_path(&tmp, header, bam::Format::Bam).map_err(htslib(&tmp))?;
        w.set_threads(opts.threads.max(1)).map_err(htslib(&tmp))?;
        let mut put = |serial: u64, mut r: bam::Record| -> Result<()> {
            if duplicates.contains(serial) {
                r.set_flags(r.flags() | 0x400);
            }
            w.write(&r).map_err(htslib(&tmp))
        };
        if chunks.is_empty() {
            for (s, r) in pending.take().unwrap_or_default() {
                put(s, r)?;
            }
        } else {
            if let Some(last) = pending.take() {
                chunks.push(spill(last, header, spill_dir, chunks.len())?);
            }
            merge(&chunks, &mut put)?;
        }
        Ok(())
    })();
    if let Err(e) = written {
        std::fs::remove_file(&tmp).ok();
        return Err(e);
    }
    let bai = PathBuf::from(format!("{}.bai", opts.out.display()));
    let tmp_bai = crate::util::tmp_path(&bai);
    bam::index::build(
        &tmp,
        Some(&tmp_bai),
        bam::index::Type::Bai,
        opts.threads.max(1) as u32,
    )
    .map_err(|e| Error::Htslib {
        path: opts.out.clone(),
        reason: format!("indexing the aligned BAM failed: {e}"),
    })?;
    crate::util::commit(&tmp, &opts.out)?;
    crate::util::commit(&tmp_bai, &bai)?;
    Ok(stats)
}

type Tagged = (u64, bam::Record);

fn htslib(path: &Path) -> impl Fn(rust_htslib::errors::Error) -> Error + '_ {
    move |e| Error::Htslib {
        path: path.into(),
        reason: e.to_string(),
    }
}

/// Unmapped reads without a position sort last, as in `samtools sort`.
fn sort_tid(r: &bam::Record) -> u32 {
    if r.tid() < 0 {
        u32::MAX
    } else {
        r.tid() as u32
    }
}

fn spill(recs: Vec<Tagged>, header: &bam::Header, dir: &Path, n: usize) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let p = dir.join(format!("chunk{n:05}.bam"));
    let mut w = bam::Writer::from_path(&p, header, bam::Format::Bam).map_err(htslib(&p))?;
    w.set_compression_level(bam::CompressionLevel::Fastest)
        .map_err(htslib(&p))?;
    for (s, mut r) in recs {
        r.push_aux(SERIAL_TAG, Aux::U32(s as u32))
            .and_then(|_| r.push_aux(b"ZQ", Aux::U32((s >> 32) as u32)))
            .map_err(htslib(&p))?;
        w.write(&r).map_err(htslib(&p))?;
    }
    Ok(p)
}

fn take_serial(r: &mut bam::Record, path: &Path) -> Result<u64> {
    let get = |r: &bam::Record, t: &[u8]| match r.aux(t) {
        Ok(Aux::U32(v)) => Ok(v as u64),
        Ok(Aux::U8(v)) => Ok(v as u64),
        Ok(Aux::U16(v)) => Ok(v as u64),
        Ok(Aux::I32(v)) => Ok(v as u64),
        _ => Err(Error::Htslib {
            path: path.into(),
            reason: "spilled record lost its pair number".into(),
        }),
    };
    let s = get(r, SERIAL_TAG)? | (get(r, b"ZQ")? << 32);
    r.remove_aux(SERIAL_TAG).map_err(htslib(path))?;
    r.remove_aux(b"ZQ").map_err(htslib(path))?;
    Ok(s)
}

/// k-way merge of sorted chunks; ties go to the earlier pair, as in the in-memory sort.
fn merge(chunks: &[PathBuf], put: &mut dyn FnMut(u64, bam::Record) -> Result<()>) -> Result<()> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut readers = Vec::new();
    for p in chunks {
        readers.push(bam::Reader::from_path(p).map_err(htslib(p))?);
    }
    let next = |i: usize, readers: &mut Vec<bam::Reader>| -> Result<Option<Tagged>> {
        let mut r = bam::Record::new();
        match readers[i].read(&mut r) {
            None => Ok(None),
            Some(Err(e)) => Err(htslib(&chunks[i])(e)),
            Some(Ok(())) => {
                let s = take_serial(&mut r, &chunks[i])?;
                Ok(Some((s, r)))
            }
        }
    };
    let mut heap = BinaryHeap::new();
    let mut held: Vec<Option<bam::Record>> = vec![None; chunks.len()];
    for (i, slot) in held.iter_mut().enumerate() {
        if let Some((s, r)) = next(i, &mut readers)? {
            heap.push(Reverse((sort_tid(&r), r.pos(), s, i)));
            *slot = Some(r);
        }
    }
    while let Some(Reverse((_, _, s, i))) = heap.pop() {
        let r = held[i].take().expect("held record");
        put(s, r)?;
        if let Some((s2, r2)) = next(i, &mut readers)? {
            heap.push(Reverse((sort_tid(&r2), r2.pos(), s2, i)));
            held[i] = Some(r2);
        }
    }
    Ok(())
}

/// A coordinate-sorted BAM header (@HD and one @SQ per contig) for the caller to add @RG/@PG to.
pub fn sorted_header(contigs: &[(String, u64)]) -> bam::Header {
    let mut h = bam::Header::new();
    let mut hd = HeaderRecord::new(b"HD");
    hd.push_tag(b"VN", "1.6").push_tag(b"SO", "coordinate");
    h.push_record(&hd);
    for (n, l) in contigs {
        let mut sq = HeaderRecord::new(b"SQ");
        sq.push_tag(b"SN", n).push_tag(b"LN", l);
        h.push_record(&sq);
    }
    h
}

fn header(reference: &Reference, opts: &AlignOptions) -> bam::Header {
    let mut h = sorted_header(&reference.contigs);
    let g = &opts.read_group;
    let mut rg = HeaderRecord::new(b"RG");
    rg.push_tag(b"ID", &g.id);
    for (tag, v) in [
        (b"SM", &g.sample),
        (b"LB", &g.library),
        (b"CN", &g.center),
        (b"PL", &g.platform),
    ] {
        if let Some(v) = v {
            rg.push_tag(tag, sanitize(v));
        }
    }
    h.push_record(&rg);
    let mut mm = HeaderRecord::new(b"PG");
    mm.push_tag(b"ID", "minimap2")
        .push_tag(b"PN", "minimap2")
        .push_tag(b"VN", index::minimap2_version())
        .push_tag(
            b"CL",
            format!("minimap2 -x {}", opts.preset.minimap2_name()),
        );
    h.push_record(&mm);
    let mut pg = HeaderRecord::new(b"PG");
    pg.push_tag(b"ID", "puente-align")
        .push_tag(b"PN", "puente")
        .push_tag(b"PP", "minimap2")
        .push_tag(b"VN", crate::VERSION)
        .push_tag(b"CL", sanitize(&opts.command_line.join(" ")));
    h.push_record(&pg);
    h
}

/// Header values cannot hold tabs or newlines.
fn sanitize(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

/// One aligned pair: its records, and the key and score for duplicate marking.
struct PairOut {
    records: Vec<bam::Record>,
    key: Option<Ends>,
    score: u32,
    mapped: u64,
    proper: bool,
    supplementary: u64,
}

/// A placed alignment in contig coordinates.
#[derive(Debug, Clone)]
struct Placed {
    tid: i32,
    pos: i64,
    end: i64,
    reverse: bool,
    mapq: u8,
    /// CIGAR with soft clips (for SA tags and primary records).
    cigar: Vec<Cigar>,
    nm: i32,
    score: i32,
    lead_clip: u32,
    trail_clip: u32,
}

impl Placed {
    /// Unclipped 5' position: where the fragment end really is, whatever was clipped.
    fn five_prime(&self) -> i64 {
        if self.reverse {
            self.end - 1 + self.trail_clip as i64
        } else {
            self.pos - self.lead_clip as i64
        }
    }

    fn cigar_string(&self) -> String {
        self.cigar.iter().map(|c| c.to_string()).collect()
    }
}

fn place(ix: &Index, m: &Mapping, qlen: usize) -> Option<Placed> {
    let (tid, off) = *ix.segments.get(usize::try_from(m.target_id).ok()?)?;
    let aln = m.alignment.as_ref()?;
    let ops = aln.cigar.as_ref()?;
    let reverse = m.strand == Strand::Reverse;
    let (qs, qe) = (m.query_start.max(0) as u32, m.query_end.max(0) as u32);
    let (lead, trail) = if reverse {
        (qlen as u32 - qe, qs)
    } else {
        (qs, qlen as u32 - qe)
    };
    let mut cigar = Vec::with_capacity(ops.len() + 2);
    if lead > 0 {
        cigar.push(Cigar::SoftClip(lead));
    }
    for &(len, op) in ops {
        cigar.push(match op {
            0 => Cigar::Match(len),
            1 => Cigar::Ins(len),
            2 => Cigar::Del(len),
            3 => Cigar::RefSkip(len),
            7 => Cigar::Equal(len),
            8 => Cigar::Diff(len),
            _ => return None,
        });
    }
    if trail > 0 {
        cigar.push(Cigar::SoftClip(trail));
    }
    Some(Placed {
        tid: tid as i32,
        pos: off as i64 + m.target_start as i64,
        end: off as i64 + m.target_end as i64,
        reverse,
        mapq: m.mapq.min(255) as u8,
        cigar,
        nm: aln.nm,
        score: aln.alignment_score.unwrap_or(0),
        lead_clip: lead,
        trail_clip: trail,
    })
}

/// Fragment ends for duplicate marking: (contig, unclipped 5' position, reverse) of each mapped read,
/// in a canonical order so R1/R2 swaps of the same fragment match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Ends {
    a: (i32, i64, bool),
    b: Option<(i32, i64, bool)>,
}

fn ends(p1: Option<&Placed>, p2: Option<&Placed>) -> Option<Ends> {
    let e = |p: &Placed| (p.tid, p.five_prime(), p.reverse);
    match (p1.map(e), p2.map(e)) {
        (Some(x), Some(y)) => Some(Ends {
            a: x.min(y),
            b: Some(x.max(y)),
        }),
        (Some(x), None) | (None, Some(x)) => Some(Ends { a: x, b: None }),
        (None, None) => None,
    }
}

fn align_pair(
    ix: &Index,
    preset: Preset,
    names: &[&str],
    rg: &str,
    a: &fastq::Record,
    b: &fastq::Record,
) -> Result<PairOut> {
    let qname = &a.name;
    let (m1, m2) = if a.seq.is_empty() || b.seq.is_empty() {
        let single = |r: &fastq::Record| -> Vec<Mapping> {
            if r.seq.is_empty() {
                return Vec::new();
            }
            ix.aligner
                .map(&r.seq, false, false, None, None, Some(qname))
                .unwrap_or_default()
        };
        (single(a), single(b))
    } else {
        ix.aligner
            .map_pair(&a.seq, &b.seq, false, false, None, None, Some(qname))
            .map_err(|e| {
                Error::input(
                    PathBuf::from(String::from_utf8_lossy(qname).into_owned()),
                    format!("minimap2 could not align this pair: {e}"),
                )
            })?
    };
    let split = |ms: &[Mapping], len: usize| -> (Option<Placed>, Vec<Placed>) {
        let primary = ms
            .iter()
            .find(|m| m.is_primary)
            .and_then(|m| place(ix, m, len));
        let supp = if primary.is_some() {
            ms.iter()
                .filter(|m| m.is_supplementary)
                .filter_map(|m| place(ix, m, len))
                .collect()
        } else {
            Vec::new()
        };
        (primary, supp)
    };
    let (p1, s1) = split(&m1, a.seq.len());
    let (p2, s2) = split(&m2, b.seq.len());
    let proper = match (&p1, &p2) {
        (Some(x), Some(y)) if x.tid == y.tid && x.reverse != y.reverse => {
            let (f, r) = if x.reverse { (y, x) } else { (x, y) };
            let span = r.end.max(f.end) - f.pos.min(r.pos);
            let limit = match preset {
                Preset::Dna => MAX_PROPER_FRAGMENT,
                Preset::Rna => MAX_PROPER_RNA_SPAN,
            };
            f.pos <= r.pos && span <= limit
        }
        _ => false,
    };
    let mut records = Vec::new();
    for (k, (read, prim, supp, mate)) in [(a, &p1, &s1, &p2), (b, &p2, &s2, &p1)]
        .into_iter()
        .enumerate()
    {
        let base_flags: u16 = 0x1 | if k == 0 { 0x40 } else { 0x80 } | if proper { 0x2 } else { 0 };
        records.push(primary_record(
            read,
            prim.as_ref(),
            supp,
            mate.as_ref(),
            base_flags,
            names,
            rg,
        )?);
        if let Some(p) = prim {
            for (i, s) in supp.iter().enumerate() {
                let others: Vec<&Placed> = std::iter::once(p)
                    .chain(
                        supp.iter()
                            .enumerate()
                            .filter(|(j, _)| *j != i)
                            .map(|(_, o)| o),
                    )
                    .collect();
                records.push(supplementary_record(
                    read,
                    s,
                    &others,
                    mate.as_ref(),
                    base_flags & !0x2,
                    names,
                    rg,
                )?);
            }
        }
    }
    let qsum = |r: &fastq::Record| -> u32 {
        r.qual
            .iter()
            .filter(|&&q| q >= DUP_SCORE_MIN_QUAL)
            .map(|&q| q as u32)
            .sum()
    };
    Ok(PairOut {
        records,
        key: ends(p1.as_ref(), p2.as_ref()),
        score: qsum(a) + qsum(b),
        mapped: p1.is_some() as u64 + p2.is_some() as u64,
        proper,
        supplementary: (s1.len() + s2.len()) as u64,
    })
}

fn revcomp(s: &[u8]) -> Vec<u8> {
    s.iter()
        .rev()
        .map(|b| match b {
            b'A' => b'T',
            b'C' => b'G',
            b'G' => b'C',
            b'T' => b'A',
            _ => b'N',
        })
        .collect()
}

/// SEQ and QUAL in the alignment's orientation.
fn oriented(read: &fastq::Record, reverse: bool) -> (Vec<u8>, Vec<u8>) {
    if reverse {
        (
            revcomp(&read.seq),
            read.qual.iter().rev().copied().collect(),
        )
    } else {
        (read.seq.clone(), read.qual.clone())
    }
}

fn sa_tag(others: &[&Placed], names: &[&str]) -> String {
    others
        .iter()
        .map(|o| {
            format!(
                "{},{},{},{},{},{};",
                names[o.tid as usize],
                o.pos + 1,
                if o.reverse { '-' } else { '+' },
                o.cigar_string(),
                o.mapq,
                o.nm
            )
        })
        .collect()
}

fn set_mate(rec: &mut bam::Record, own: Option<&Placed>, mate: Option<&Placed>, flags: &mut u16) {
    match (own, mate) {
        (_, Some(m)) => {
            rec.set_mtid(m.tid);
            rec.set_mpos(m.pos);
            if m.reverse {
                *flags |= 0x20;
            }
            if let Some(p) = own.filter(|p| p.tid == m.tid) {
                let (l, r) = (p.pos.min(m.pos), p.end.max(m.end));
                let tlen = r - l;
                let leftmost = (p.pos, p.reverse) <= (m.pos, m.reverse);
                rec.set_insert_size(if leftmost { tlen } else { -tlen });
            }
        }
        (Some(p), None) => {
            // an unmapped mate sits at this read's position
            *flags |= 0x8;
            rec.set_mtid(p.tid);
            rec.set_mpos(p.pos);
        }
        (None, None) => {
            *flags |= 0x8;
            rec.set_mtid(-1);
            rec.set_mpos(-1);
        }
    }
}

fn primary_record(
    read: &fastq::Record,
    p: Option<&Placed>,
    supp: &[Placed],
    mate: Option<&Placed>,
    mut flags: u16,
    names: &[&str],
    rg: &str,
) -> Result<bam::Record> {
    let mut rec = bam::Record::new();
    match p {
        Some(p) => {
            let (seq, qual) = oriented(read, p.reverse);
            rec.set(&read.name, Some(&CigarString(p.cigar.clone())), &seq, &qual);
            rec.set_tid(p.tid);
            rec.set_pos(p.pos);
            rec.set_mapq(p.mapq);
            if p.reverse {
                flags |= 0x10;
            }
        }
        None => {
            // unmapped: placed at the mate, sequence as sequenced
            rec.set(&read.name, None, &read.seq, &read.qual);
            flags |= 0x4;
            flags &= !0x2;
            rec.set_tid(mate.map(|m| m.tid).unwrap_or(-1));
            rec.set_pos(mate.map(|m| m.pos).unwrap_or(-1));
            rec.set_mapq(0);
        }
    }
    set_mate(&mut rec, p, mate, &mut flags);
    rec.set_flags(flags);
    let sa =
        (p.is_some() && !supp.is_empty()).then(|| sa_tag(&supp.iter().collect::<Vec<_>>(), names));
    push_tags(&mut rec, read, p, sa, mate, rg)?;
    Ok(rec)
}

/// Optional tags in a fixed order: NM, AS (aligned reads), SA, MC (mate's CIGAR), RG, RX (UMI).
fn push_tags(
    rec: &mut bam::Record,
    read: &fastq::Record,
    placed: Option<&Placed>,
    sa: Option<String>,
    mate: Option<&Placed>,
    rg: &str,
) -> Result<()> {
    let err = |e| {
        Error::input(
            PathBuf::from(String::from_utf8_lossy(&read.name).into_owned()),
            format!("cannot build the BAM record: {e}"),
        )
    };
    if let Some(p) = placed {
        rec.push_aux(b"NM", Aux::I32(p.nm)).map_err(err)?;
        rec.push_aux(b"AS", Aux::I32(p.score)).map_err(err)?;
    }
    if let Some(sa) = sa {
        rec.push_aux(b"SA", Aux::String(&sa)).map_err(err)?;
    }
    if let Some(m) = mate {
        rec.push_aux(b"MC", Aux::String(&m.cigar_string()))
            .map_err(err)?;
    }
    rec.push_aux(b"RG", Aux::String(rg)).map_err(err)?;
    if let Some(u) = &read.umi {
        rec.push_aux(b"RX", Aux::String(&String::from_utf8_lossy(u)))
            .map_err(err)?;
    }
    Ok(())
}

/// A supplementary piece, hard-clipped like `bwa mem`'s (the primary record carries the full read).
fn supplementary_record(
    read: &fastq::Record,
    s: &Placed,
    others: &[&Placed],
    mate: Option<&Placed>,
    mut flags: u16,
    names: &[&str],
    rg: &str,
) -> Result<bam::Record> {
    let (seq, qual) = oriented(read, s.reverse);
    let (l, t) = (s.lead_clip as usize, s.trail_clip as usize);
    let cigar: Vec<Cigar> = s
        .cigar
        .iter()
        .map(|c| match c {
            Cigar::SoftClip(n) => Cigar::HardClip(*n),
            o => *o,
        })
        .collect();
    let mut rec = bam::Record::new();
    rec.set(
        &read.name,
        Some(&CigarString(cigar)),
        &seq[l..seq.len() - t],
        &qual[l..qual.len() - t],
    );
    rec.set_tid(s.tid);
    rec.set_pos(s.pos);
    rec.set_mapq(s.mapq);
    flags |= 0x800;
    if s.reverse {
        flags |= 0x10;
    }
    set_mate(&mut rec, Some(s), mate, &mut flags);
    rec.set_flags(flags);
    // no MC: mate cigars are for the primary records that duplicate markers pair up
    push_tags(
        &mut rec,
        read,
        Some(s),
        Some(sa_tag(others, names)),
        None,
        rg,
    )?;
    Ok(rec)
}

/// Best pair per duplicate key; everything else with the key is a duplicate.
#[derive(Default)]
struct DupTable {
    umis: HashMap<Vec<u8>, u32>,
    best: HashMap<(Ends, u32), (u32, u64)>,
    keyed: Vec<(u64, Ends, u32)>,
}

impl DupTable {
    fn add(&mut self, ends: Ends, umi: Option<&[u8]>, score: u32, serial: u64) {
        let n = self.umis.len() as u32 + 1;
        let u = umi
            .map(|u| *self.umis.entry(u.to_vec()).or_insert(n))
            .unwrap_or(0);
        let e = self.best.entry((ends, u)).or_insert((score, serial));
        // highest score wins; among equals the earliest pair, so the choice is reproducible
        if score > e.0 {
            *e = (score, serial);
        }
        self.keyed.push((serial, ends, u));
    }

    fn duplicates(self, pairs: u64) -> DupSet {
        let mut bits = vec![0u64; (pairs as usize).div_ceil(64)];
        for (s, e, u) in &self.keyed {
            if self.best.get(&(*e, *u)).map(|b| b.1) != Some(*s) {
                bits[(*s / 64) as usize] |= 1 << (s % 64);
            }
        }
        DupSet(bits)
    }
}

struct DupSet(Vec<u64>);

impl DupSet {
    fn contains(&self, serial: u64) -> bool {
        self.0
            .get((serial / 64) as usize)
            .is_some_and(|w| w >> (serial % 64) & 1 == 1)
    }

    fn count(&self) -> u64 {
        self.0.iter().map(|w| w.count_ones() as u64).sum()
    }
}

#[cfg(test)]
mod tests;
