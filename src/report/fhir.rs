//! `report.fhir.json`: the report as a FHIR R4 Bundle following the HL7 Genomics Reporting IG, for
//! hospital systems: a genomics report, one Variant observation per passing call (small variant,
//! fusion, copy-number change), diagnostic and therapeutic implications from the knowledge-base
//! findings, and a Genotype per pharmacogene with the thiopurine implication. IDs are derived from
//! the input checksum, so the same report always gives the same Bundle.
use super::Report;
use serde_json::{json, Value};

const IG: &str = "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/";
const TBD: &str = "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs";
const LOINC: &str = "http://loinc.org";
const HGVS: &str = "http://varnomen.hgvs.org";
const SO: &str = "http://www.sequenceontology.org";

/// A stable `urn:uuid:` from the report's input checksum and a local name.
fn uuid(seed: &str, name: &str) -> String {
    let h = crate::util::sha256_bytes(format!("{seed}/{name}").as_bytes());
    format!(
        "urn:uuid:{}-{}-8{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn loinc(code: &str, display: &str) -> Value {
    json!({"coding": [{"system": LOINC, "code": code, "display": display}]})
}

fn categories() -> Value {
    json!([
        {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]},
        {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "GE", "display": "Genetics"}]}
    ])
}

fn component(code: &str, display: &str, value: Value) -> Value {
    let mut c = json!({"code": loinc(code, display)});
    if let Value::Object(m) = value {
        for (k, v) in m {
            c[k] = v;
        }
    }
    c
}

fn concept(system: &str, code: &str) -> Value {
    json!({"valueCodeableConcept": {"coding": [{"system": system, "code": code}]}})
}

fn text(s: &str) -> Value {
    json!({"valueCodeableConcept": {"text": s}})
}

fn observation(profile: &str, code: Value, subject: &str, specimen: &str) -> Value {
    json!({
        "resourceType": "Observation",
        "meta": {"profile": [format!("{IG}{profile}")]},
        "status": "final",
        "category": categories(),
        "code": code,
        "subject": {"reference": subject},
        "specimen": {"reference": specimen},
    })
}

/// A diagnostic or therapeutic implication derived from `derived`, with its components and note.
fn implication(
    kind: &str,
    ctx: (&str, &str),
    derived: &[Value],
    comps: Value,
    note: &str,
) -> Value {
    let mut o = observation(
        kind,
        json!({"coding": [{"system": TBD, "code": kind}]}),
        ctx.0,
        ctx.1,
    );
    o["derivedFrom"] = Value::Array(derived.to_vec());
    o["component"] = comps;
    o["note"] = json!([{ "text": note }]);
    o
}

/// A Variant observation (value: present) with its components and an optional note.
fn variant(ctx: (&str, &str), comps: Vec<Value>, note: Option<String>) -> Value {
    let mut o = observation(
        "variant",
        loinc("69548-6", "Genetic variant assessment"),
        ctx.0,
        ctx.1,
    );
    o["valueCodeableConcept"] =
        json!({"coding": [{"system": LOINC, "code": "LA9633-4", "display": "Present"}]});
    o["component"] = Value::Array(comps);
    if let Some(n) = note {
        o["note"] = json!([{ "text": n }]);
    }
    o
}

pub fn bundle(r: &Report) -> Value {
    let seed = r
        .provenance
        .inputs
        .first()
        .map(|i| i.sha256.clone())
        .unwrap_or_else(|| r.sample.sample_id.clone());
    let id = |name: &str| uuid(&seed, name);
    let patient = id("patient");
    let specimen = id("specimen");
    let ctx = (patient.as_str(), specimen.as_str());
    let mut entries: Vec<(String, Value)> = Vec::new();
    // call ID -> Variant observation
    let mut by_call: Vec<(String, String)> = Vec::new();
    let mut add_variant = |call: &str, url: String, o: Value| {
        by_call.push((call.to_string(), url.clone()));
        entries.push((url, o));
    };
    for v in r.small_variants.iter().filter(|v| v.filters.is_empty()) {
        let quantity = |x: f64| json!({"valueQuantity": {"value": x, "system": "http://unitsofmeasure.org", "code": "1"}});
        let mut comps = vec![
            component(
                "62374-4",
                "Human reference sequence assembly version",
                concept(LOINC, "LA26806-2"),
            ),
            component(
                "69547-8",
                "Genomic ref allele [ID]",
                json!({"valueString": v.reference}),
            ),
            component(
                "69551-0",
                "Genomic alt allele [ID]",
                json!({"valueString": v.alt}),
            ),
            component("81258-6", "Sample VAF", quantity(v.vaf)),
            component("82121-5", "Allelic read depth", quantity(v.depth as f64)),
        ];
        if let Some(a) = r.annotations.iter().find(|a| a.variant_id == v.id) {
            if let Some(g) = &a.gene {
                comps.push(component("48018-6", "Gene studied [ID]", text(g)));
            }
            comps.push(component(
                "81252-9",
                "Discrete genetic variant",
                concept(HGVS, &a.hgvs_g),
            ));
            if let (Some(t), Some(c)) = (&a.transcript, &a.hgvs_c) {
                comps.push(component(
                    "51958-7",
                    "Transcript reference sequence [ID]",
                    text(t),
                ));
                comps.push(component(
                    "48004-6",
                    "DNA change (c.HGVS)",
                    concept(HGVS, &format!("{t}:{c}")),
                ));
            }
            if let Some(p) = &a.hgvs_p {
                comps.push(component(
                    "48005-3",
                    "Amino acid change (pHGVS)",
                    concept(HGVS, p),
                ));
            }
        }
        add_variant(
            &v.id,
            id(&format!("variant/{}", v.id)),
            variant(ctx, comps, None),
        );
    }
    for f in r.fusions.iter().filter(|f| f.passes()) {
        let mut comps = vec![component(
            "48019-4",
            "DNA change type",
            concept(SO, "SO:0001565"),
        )];
        for g in [&f.gene5, &f.gene3].into_iter().flatten() {
            comps.push(component("48018-6", "Gene studied [ID]", text(g)));
        }
        let note = format!(
            "{} {} ({} split reads, {} spanning pairs)",
            f.name,
            f.isoform.as_deref().unwrap_or(""),
            f.split_reads,
            f.spanning_pairs
        );
        add_variant(
            &f.id,
            id(&format!("fusion/{}", f.id)),
            variant(ctx, comps, Some(note)),
        );
    }
    for c in r.copy_number.calls.iter().filter(|c| c.passed()) {
        let so = match c.state.name() {
            "AMP" => "SO:0001742",
            "DEL" | "HOMDEL" => "SO:0001743",
            _ => continue,
        };
        let comps = vec![
            component("48019-4", "DNA change type", concept(SO, so)),
            component("48018-6", "Gene studied [ID]", text(&c.gene)),
        ];
        let note = format!(
            "{} {} exons {}: log2 {:.2}",
            c.gene,
            c.state.name(),
            c.exon_label(),
            c.log2
        );
        add_variant(
            &c.id,
            id(&format!("cnv/{}", c.id)),
            variant(ctx, comps, Some(note)),
        );
    }
    let refs = |ids: &[String]| -> Vec<Value> {
        ids.iter()
            .filter_map(|c| by_call.iter().find(|(k, _)| k == c))
            .map(|(_, u)| json!({"reference": u}))
            .collect()
    };
    let mut implications: Vec<(String, Value)> = Vec::new();
    for f in &r.findings {
        let derived = refs(&f.call_ids);
        let mut comps = vec![];
        if let Some(s) = f.who_haem5.as_ref().or(f.icc_2022.as_ref()) {
            comps.push(component("81259-4", "Associated phenotype", text(s)));
        }
        if let Some(i) = f.implications.first() {
            comps.push(component("93044-6", "Level of evidence", text(&i.level)));
        }
        let note = format!(
            "{}: {}; prognosis {}; tier {}",
            f.lesion, f.detail, f.prognosis, f.tier
        );
        implications.push((
            id(&format!("finding/{}", f.marker_id)),
            implication(
                "diagnostic-implication",
                ctx,
                &derived,
                Value::Array(comps),
                &note,
            ),
        ));
        for (k, i) in f
            .implications
            .iter()
            .enumerate()
            .filter(|(_, i)| i.kind == "therapeutic")
        {
            let Some(drug) = &i.drug else { continue };
            let comps = json!([
                component("51963-7", "Medication assessed [ID]", text(drug)),
                component("93044-6", "Level of evidence", text(&i.level)),
            ]);
            implications.push((
                id(&format!("therapy/{}/{k}", f.marker_id)),
                implication("therapeutic-implication", ctx, &derived, comps, &i.text),
            ));
        }
    }
    let mut genotypes = Vec::new();
    for g in &r.pgx.genes {
        let url = id(&format!("genotype/{}", g.gene));
        let mut o = observation(
            "genotype",
            loinc("84413-4", "Genotype display name"),
            ctx.0,
            ctx.1,
        );
        let name = match &g.diplotype {
            Some(d) => format!("{}{d}", g.gene),
            None => format!("{} {}", g.gene, g.status),
        };
        o["valueCodeableConcept"] = json!({ "text": name });
        o["component"] = json!([component("48018-6", "Gene studied [ID]", text(&g.gene))]);
        o["note"] = json!([{"text": format!("{}; status {}", g.phenotype, g.status)}]);
        genotypes.push(json!({ "reference": url }));
        implications.push((url, o));
    }
    for d in &r.pgx.dosing.drugs {
        let comps = json!([
            component("51963-7", "Medication assessed [ID]", text(&d.drug)),
            component(
                "53040-2",
                "Genetic variation's effect on drug metabolism",
                text(&r.pgx.dosing.category)
            ),
        ]);
        let note = format!("{} (CPIC {})", d.recommendation, d.strength);
        implications.push((
            id(&format!("pgx/{}", d.drug)),
            implication("therapeutic-implication", ctx, &genotypes, comps, &note),
        ));
    }
    entries.extend(implications);
    let results: Vec<String> = entries.iter().map(|(u, _)| u.clone()).collect();
    let conclusion = {
        let subtype = if r.risk.subtypes.is_empty() {
            "no subtype-defining lesion".to_string()
        } else {
            r.risk.subtypes.join("; ")
        };
        let groups: Vec<String> = r
            .risk
            .outputs
            .iter()
            .map(|o| {
                format!(
                    "{}: {}{}",
                    o.title,
                    o.value.as_deref().unwrap_or("not determined"),
                    if o.provisional { " (provisional)" } else { "" }
                )
            })
            .collect();
        format!(
            "QC {:?}. Subtype: {subtype}. {}",
            r.qc.verdict,
            groups.join("; ")
        )
    };
    let report = json!({
        "resourceType": "DiagnosticReport",
        "meta": {"profile": [format!("{IG}genomic-report")]},
        "status": if r.qc.verdict == crate::model::Verdict::Fail { "partial" } else { "final" },
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "GE", "display": "Genetics"}]}],
        "code": loinc("51969-4", "Genetic analysis report"),
        "subject": {"reference": patient},
        "specimen": [{"reference": specimen}],
        "result": results.iter().map(|u| json!({"reference": u})).collect::<Vec<_>>(),
        "conclusion": conclusion,
    });
    let mut all = vec![
        (
            patient.clone(),
            json!({"resourceType": "Patient", "identifier": [{"system": "urn:puente:sample-id", "value": r.sample.sample_id}]}),
        ),
        (
            specimen.clone(),
            json!({"resourceType": "Specimen", "identifier": [{"system": "urn:puente:sample-id", "value": r.sample.sample_id}], "subject": {"reference": patient}}),
        ),
        (id("report"), report),
    ];
    all.extend(entries);
    json!({
        "resourceType": "Bundle",
        "identifier": {"system": "urn:puente:report", "value": format!("{}:{}", r.sample.sample_id, &seed[..seed.len().min(16)])},
        "type": "collection",
        "entry": all.into_iter().map(|(u, res)| json!({"fullUrl": u, "resource": res})).collect::<Vec<_>>(),
    })
}
