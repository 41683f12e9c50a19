//! Helpers shared by the CLI-level integration tests (each test file uses a subset).
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_puente"))
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run puente")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh, empty directory under the test target dir.
pub fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Text of a gzipped or bgzipped file (VCF outputs).
pub fn read_gz(p: &Path) -> String {
    use std::io::Read;
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(p).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Check a report.json against the checked-in schema, listing every violation with its location.
#[allow(dead_code)]
pub fn assert_valid_report(report: &serde_json::Value) {
    assert_valid(report, "report.schema.json")
}

/// Check a document against one of the checked-in schemas (schemas/NAME).
pub fn assert_valid(report: &serde_json::Value, name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(name);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "document violates {name}:\n{}",
        errors.join("\n")
    );
}
