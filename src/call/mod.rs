//! Callers. Each reads alignments through [`crate::ingest`] and returns [`crate::model`] types.
pub mod cnv;
pub mod fusion;
pub mod small;
