//! Library error type. Every variant names the file, contig, position or sample that is wrong, and maps
//! to one documented exit code (see README "Exit codes").
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("panel {panel}: {reason}")]
    Panel { panel: String, reason: String },
    #[error("{path}: {reason}")]
    InvalidInput { path: PathBuf, reason: String },
    #[error("{path}: genome build mismatch: input is {found}, panel {panel} is {expected}")]
    BuildMismatch {
        path: PathBuf,
        found: String,
        expected: String,
        panel: String,
    },
    #[error("{path}: {reason}")]
    Reference { path: PathBuf, reason: String },
    #[error("{path}: alignment file is truncated or corrupt: {reason}")]
    Truncated { path: PathBuf, reason: String },
    #[error("samplesheet {path}: {} problem(s):\n  {}", problems.len(), problems.join("\n  "))]
    Samplesheet {
        path: PathBuf,
        problems: Vec<String>,
    },
    #[error("{path}: {reason}")]
    Htslib { path: PathBuf, reason: String },
    #[error("{} and {} cannot be compared: {}{}", reference.display(), test.display(), differences.join("; "), if differences.is_empty() { "" } else { " (use --force to compare anyway)" })]
    Incomparable {
        reference: PathBuf,
        test: PathBuf,
        differences: Vec<String>,
    },
    #[error("{failed} of {total} samples failed (see batch_summary.tsv)")]
    BatchFailed { failed: usize, total: usize },
}

impl Error {
    /// Documented process exit codes (README "Exit codes").
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Io { .. } => 3,
            Error::Panel { .. } => 4,
            Error::InvalidInput { .. } | Error::Truncated { .. } | Error::Htslib { .. } => 5,
            Error::BuildMismatch { .. } | Error::Reference { .. } => 6,
            Error::Samplesheet { .. } => 7,
            Error::BatchFailed { .. } => 8,
            Error::Incomparable { .. } => 9,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn input(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
