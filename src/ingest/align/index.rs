//! minimap2 index of the reference, built once and cached.
//!
//! The index holds the reference without its long N runs (assembly gaps): each stretch of sequence
//! between gaps of at least [`MIN_N_GAP`] bases becomes one indexed segment, and alignments are moved
//! back to contig coordinates. Reads cannot align inside a gap anyway, and skipping gaps keeps a
//! sparse reference (the simulator's, or a panel-only FASTA padded with N) from costing the memory
//! of the whole genome.
use crate::error::{Error, Result};
use crate::ingest::Reference;
use minimap2::{Aligner, Built};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Shortest run of N that splits the reference into separately indexed segments. Longer than any
/// sequenced fragment, so no read pair can straddle one.
pub const MIN_N_GAP: u64 = 1000;

/// Bumped when the segment layout or naming changes, so old cache files are rebuilt.
const LAYOUT_VERSION: u32 = 1;

/// Aligner settings: minimap2's short-read preset for DNA, its spliced short-read preset for RNA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    Dna,
    Rna,
}

impl Preset {
    /// minimap2's name for the preset (`-x`).
    pub fn minimap2_name(self) -> &'static str {
        match self {
            Preset::Dna => "sr",
            Preset::Rna => "splice:sr",
        }
    }

    fn builder(self) -> Aligner<minimap2::PresetSet> {
        match self {
            Preset::Dna => Aligner::builder().sr(),
            Preset::Rna => Aligner::builder().splice_sr(),
        }
    }
}

/// What the cache file was built from; a mismatch rebuilds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Sidecar {
    layout: u32,
    reference: String,
    minimap2: String,
    preset: Preset,
    contigs: Vec<(String, u64)>,
    /// Indexed segments in index order: (contig number, 0-based offset in the contig).
    segments: Vec<(u32, u64)>,
}

/// A loaded index.
pub struct Index {
    pub aligner: Aligner<Built>,
    /// Index sequence number -> (contig number in the reference, offset).
    pub segments: Vec<(u32, u64)>,
    pub path: PathBuf,
    /// True when this call built the index (first use of this reference and preset).
    pub built: bool,
    pub preset: Preset,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Index({}, {} segments)",
            self.path.display(),
            self.segments.len()
        )
    }
}

/// minimap2 version bundled in this build (the crate's build metadata).
pub fn minimap2_version() -> &'static str {
    "2.30"
}

/// Where indexes are cached when no directory is given: `PUENTE_INDEX_DIR`, else the user cache
/// directory (`$XDG_CACHE_HOME/puente/index` or `~/.cache/puente/index`). The reference's own
/// directory is never written to unasked: shared references are often read-only.
pub fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("PUENTE_INDEX_DIR").filter(|d| !d.is_empty()) {
        return d.into();
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("puente").join("index")
}

fn cache_paths(reference: &Reference, preset: Preset, dir: &Path) -> Result<(PathBuf, PathBuf)> {
    let key = reference.identity().ok_or_else(|| Error::Reference {
        path: reference.path.clone(),
        reason: "cannot read the file's size and modification time".into(),
    })?;
    let stem = reference
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "reference".into());
    let h = crate::util::sha256_bytes(format!("{key}|{preset:?}").as_bytes());
    let base = format!(
        "{stem}.{}.{}",
        &h[..12],
        preset.minimap2_name().replace(':', "-")
    );
    Ok((
        dir.join(format!("{base}.mmi")),
        dir.join(format!("{base}.json")),
    ))
}

fn sidecar_for(reference: &Reference, preset: Preset, segments: Vec<(u32, u64)>) -> Sidecar {
    Sidecar {
        layout: LAYOUT_VERSION,
        reference: reference.identity().unwrap_or_default(),
        minimap2: minimap2_version().into(),
        preset,
        contigs: reference.contigs.clone(),
        segments,
    }
}

/// The index for `reference` and `preset`, loaded once per process: a batch aligning several FASTQ
/// samples at a time shares one copy in memory (GRCh38's takes about 8 GB).
pub fn shared(
    reference: &Reference,
    preset: Preset,
    dir: &Path,
    threads: usize,
) -> Result<std::sync::Arc<Index>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, Arc<Index>>>> = OnceLock::new();
    let (mmi, _) = cache_paths(reference, preset, dir)?;
    // held while loading, so parallel samples wait for one load instead of each reading the file
    let mut loaded = LOADED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(ix) = loaded.get(&mmi) {
        return Ok(Arc::clone(ix));
    }
    let ix = Arc::new(open_or_build(reference, preset, dir, threads)?);
    loaded.insert(mmi, Arc::clone(&ix));
    Ok(ix)
}

/// Load the cached index for `reference` and `preset` from `dir`, building it first when missing or
/// stale. Building writes to temp files and renames, so concurrent jobs never read a partial index.
pub fn open_or_build(
    reference: &Reference,
    preset: Preset,
    dir: &Path,
    threads: usize,
) -> Result<Index> {
    let (mmi, json) = cache_paths(reference, preset, dir)?;
    // one builder at a time per index (parallel cluster jobs on one machine wait for the first);
    // the lock goes with the process, so a killed build never blocks the next
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let lock_path = mmi.with_extension("lock");
    let lock = std::fs::File::create(&lock_path).map_err(|e| Error::io(&lock_path, e))?;
    lock.lock().map_err(|e| Error::io(&lock_path, e))?;
    if let (true, Ok(text)) = (mmi.is_file(), std::fs::read_to_string(&json)) {
        if let Ok(side) = serde_json::from_str::<Sidecar>(&text) {
            if side == sidecar_for(reference, preset, side.segments.clone()) {
                let aligner = load(preset, &mmi, &mmi)?;
                if aligner.n_seq() as usize == side.segments.len() {
                    return Ok(Index {
                        aligner,
                        segments: side.segments,
                        path: mmi,
                        built: false,
                        preset,
                    });
                }
            }
        }
    }
    build(reference, preset, dir, &mmi, &json, threads)
}

fn load(preset: Preset, path: &Path, name: &Path) -> Result<Aligner<Built>> {
    preset
        .builder()
        .with_cigar()
        .with_index(path, None)
        .map_err(|e| Error::Reference {
            path: name.into(),
            reason: format!("minimap2 index: {e}"),
        })
}

fn build(
    reference: &Reference,
    preset: Preset,
    dir: &Path,
    mmi: &Path,
    json: &Path,
    threads: usize,
) -> Result<Index> {
    use rayon::prelude::*;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let fasta = crate::util::tmp_path(&mmi.with_extension("segments.fa"));
    // contigs are read in parallel, a few at a time so at most a few contigs sit in memory
    let mut segments = Vec::new();
    {
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(&fasta).map_err(|e| Error::io(&fasta, e))?,
        );
        let tids: Vec<u32> = (0..reference.contigs.len() as u32).collect();
        for group in tids.chunks(threads.max(1)) {
            let done: Vec<Result<Vec<Segment>>> = group
                .par_iter()
                .map(|&t| contig_segments(reference, &reference.contigs[t as usize].0))
                .collect();
            for (&t, segs) in group.iter().zip(done) {
                for (off, seq) in segs? {
                    writeln!(out, ">{}", segments.len()).map_err(|e| Error::io(&fasta, e))?;
                    out.write_all(&seq).map_err(|e| Error::io(&fasta, e))?;
                    out.write_all(b"\n").map_err(|e| Error::io(&fasta, e))?;
                    segments.push((t, off));
                }
            }
        }
        out.flush().map_err(|e| Error::io(&fasta, e))?;
    }
    if segments.is_empty() {
        std::fs::remove_file(&fasta).ok();
        return Err(Error::Reference {
            path: reference.path.clone(),
            reason: "the reference holds no sequence (only N): nothing to align to".into(),
        });
    }
    let tmp_mmi = crate::util::tmp_path(mmi);
    let tmp_str = tmp_mmi.to_string_lossy().into_owned();
    let built = preset
        .builder()
        .with_index_threads(threads.max(1))
        .with_cigar()
        .with_index(&fasta, Some(&tmp_str))
        .map_err(|e| Error::Reference {
            path: reference.path.clone(),
            reason: format!("building the minimap2 index failed: {e}"),
        });
    std::fs::remove_file(&fasta).ok();
    let aligner = built?;
    if !tmp_mmi.is_file() {
        return Err(Error::io(
            &tmp_mmi,
            std::io::Error::other("minimap2 did not write the index (disk full or no permission?)"),
        ));
    }
    crate::util::commit(&tmp_mmi, mmi)?;
    let side = sidecar_for(reference, preset, segments.clone());
    crate::util::write_atomic(json, &crate::util::to_json(&side))?;
    Ok(Index {
        aligner,
        segments,
        path: mmi.into(),
        built: true,
        preset,
    })
}

/// Stretches of one contig between N runs of at least [`MIN_N_GAP`], with their offsets. Short N
/// runs stay inside their segment, as in the reference.
fn contig_segments(reference: &Reference, contig: &str) -> Result<Vec<Segment>> {
    let mut s = Segmenter::default();
    reference.scan(contig, |off, seq| {
        s.push(off, seq);
        Ok(())
    })?;
    Ok(s.finish())
}

/// A stretch of sequence and its 0-based offset in the contig.
type Segment = (u64, Vec<u8>);

#[derive(Default)]
struct Segmenter {
    done: Vec<Segment>,
    current: Option<Segment>,
    /// Ns seen since the last base, not yet added to `current`.
    pending_n: u64,
}

impl Segmenter {
    fn push(&mut self, offset: u64, seq: &[u8]) {
        for (i, &b) in seq.iter().enumerate() {
            if b == b'N' {
                self.pending_n += 1;
                continue;
            }
            let pos = offset + i as u64;
            if self.pending_n >= MIN_N_GAP {
                if let Some(c) = self.current.take() {
                    self.done.push(c);
                }
            }
            match &mut self.current {
                Some((_, s)) => {
                    s.extend(std::iter::repeat_n(b'N', self.pending_n as usize));
                    s.push(b);
                }
                None => self.current = Some((pos, vec![b])),
            }
            self.pending_n = 0;
        }
    }

    fn finish(mut self) -> Vec<Segment> {
        self.done.extend(self.current.take());
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_n_runs_split_segments_and_short_ones_stay() {
        let gap = "N".repeat(MIN_N_GAP as usize);
        let seq = format!("NNNACGT{gap}TTNNNGG{gap}N");
        let mut s = Segmenter::default();
        // fed in two pieces split inside the first gap, as scan() does with 8 MB pieces
        let (a, b) = seq.as_bytes().split_at(10);
        s.push(0, a);
        s.push(10, b);
        let segs = s.finish();
        let start2 = 7 + MIN_N_GAP;
        assert_eq!(
            segs,
            vec![(3, b"ACGT".to_vec()), (start2, b"TTNNNGG".to_vec())]
        );
        assert!(Segmenter::default().finish().is_empty());
    }
}
