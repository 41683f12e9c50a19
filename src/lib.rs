//! puente: NGS diagnostic pipeline for pediatric acute lymphoblastic leukemia (ALL) panels.
//!
//! Stages exchange [`model`] types; file formats stay in [`ingest`] (reading) and [`report`] (writing).
//! The binary (`src/main.rs`, `src/cli/`) is a thin layer over [`pipeline`] and [`batch`].

pub mod annotate;
pub mod batch;
pub mod call;
pub mod concordance;
pub mod error;
pub mod ingest;
pub mod model;
pub mod panel;
pub mod pgx;
pub mod pipeline;
pub mod qc;
pub mod registry;
pub mod report;
pub mod risk;
pub mod sim;
pub mod util;

pub use error::{Error, Result};

/// Version stamped into every output's provenance.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
