//! report.json's JSON Schema: the checked-in file must be what the types generate (set
//! PUENTE_UPDATE_SCHEMA=1 to rewrite it after a deliberate change, and bump SCHEMA_VERSION), and it
//! must reject what a reader should reject.
mod common;
use serde_json::Value;
use std::path::PathBuf;

fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/report.schema.json")
}

#[test]
fn checked_in_schema_matches_the_types() {
    let generated = serde_json::to_string_pretty(&puente::report::json_schema()).unwrap() + "\n";
    if std::env::var_os("PUENTE_UPDATE_SCHEMA").is_some() {
        std::fs::write(schema_path(), &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(schema_path()).unwrap_or_default();
    assert!(
        on_disk == generated,
        "schemas/report.schema.json is out of date with the report types: rerun with PUENTE_UPDATE_SCHEMA=1 and bump SCHEMA_VERSION if the change is incompatible"
    );
    let v: Value = serde_json::from_str(&on_disk).unwrap();
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert!(jsonschema::meta::is_valid(&v));
}

#[test]
fn schema_rejects_a_wrong_version_and_missing_sections() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let bad = serde_json::json!({"schema_version": "9.0.0"});
    let errors: Vec<String> = v.iter_errors(&bad).map(|e| e.to_string()).collect();
    let expected = format!("\"{}\" was expected", puente::report::SCHEMA_VERSION);
    assert!(errors.iter().any(|e| e.contains(&expected)), "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("\"provenance\" is a required property")),
        "{errors:?}"
    );
}

/// concordance.json, validation.json and registry.json: checked-in schemas equal what the types
/// generate.
#[test]
fn concordance_validation_and_registry_schemas_match_the_types() {
    for (name, generated) in [
        (
            "concordance.schema.json",
            puente::concordance::json_schema(),
        ),
        (
            "validation.schema.json",
            puente::concordance::validate::json_schema(),
        ),
        ("registry.schema.json", puente::registry::json_schema()),
    ] {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("schemas")
            .join(name);
        let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
        if std::env::var_os("PUENTE_UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == text,
            "schemas/{name} is out of date: rerun with PUENTE_UPDATE_SCHEMA=1"
        );
        assert!(jsonschema::meta::is_valid(&generated));
    }
}
