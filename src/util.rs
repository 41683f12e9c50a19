//! Small shared helpers: atomic writes, checksums and dates.
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

/// Write a file atomically: a temp file in the same directory, then rename, so an interrupted run never
/// leaves a half-written output where a complete one was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let tmp = tmp_path(path);
    let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.write_all(bytes).map_err(|e| Error::io(&tmp, e))?;
    f.sync_all().map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Temp name beside `path` (same filesystem, so rename is atomic).
pub fn tmp_path(path: &Path) -> std::path::PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp{}", std::process::id()))
}

/// Rename a finished temp file into place.
pub fn commit(tmp: &Path, path: &Path) -> Result<()> {
    std::fs::rename(tmp, path).map_err(|e| Error::io(path, e))
}

pub fn sha256_bytes(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

/// Streaming sha256 of a file.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// serde_json pretty output with a trailing newline (stable key order comes from struct field order
/// and BTreeMaps).
pub fn to_json<T: serde::Serialize>(v: &T) -> Vec<u8> {
    let mut s = serde_json::to_vec_pretty(v).expect("serialisable");
    s.push(b'\n');
    s
}

/// Median of finite values (mean of the two middle ones for an even count); None when empty.
pub fn median_f64(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Robust standard deviation: 1.4826 × the median absolute deviation.
pub fn robust_sd(values: &[f64]) -> Option<f64> {
    let m = median_f64(values.iter().copied())?;
    median_f64(values.iter().map(|x| (x - m).abs())).map(|d| 1.4826 * d)
}

/// Today's UTC date (YYYY-MM-DD) for provenance. `SOURCE_DATE_EPOCH` (seconds since 1970, the
/// reproducible-builds convention) replaces the clock so a re-run can reproduce every byte.
pub fn analysis_date() -> String {
    let pinned = std::env::var("SOURCE_DATE_EPOCH").ok();
    date_of_epoch(pinned.as_deref()).unwrap_or_else(|| {
        chrono::Utc::now()
            .date_naive()
            .format("%Y-%m-%d")
            .to_string()
    })
}

/// The UTC date of a SOURCE_DATE_EPOCH value; None when absent or not whole seconds.
fn date_of_epoch(secs: Option<&str>) -> Option<String> {
    let secs = secs?.trim().parse::<i64>().ok()?;
    let t = chrono::DateTime::from_timestamp(secs, 0)?;
    Some(t.date_naive().format("%Y-%m-%d").to_string())
}

/// A calendar date written as YYYY-MM-DD (the only form the samplesheet and reports use).
pub fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    let s = s.trim();
    (s.len() == 10)
        .then(|| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            date_of_epoch(Some("1795046399")).as_deref(),
            Some("2026-11-18")
        );
        assert_eq!(date_of_epoch(Some("soon")), None);
        assert_eq!(date_of_epoch(None), None);
        assert!(parse_date("2028-02-29").is_some());
        for bad in ["2026-02-29", "2026-2-3", "03/02/2026", "2026-13-01", ""] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
        assert_eq!(analysis_date().len(), 10);
    }
}
