"""Validate a puente report.fhir.json with fhir.resources (FHIR R4B models, which R4 Bundles of
these resource types satisfy) and check the Genomics Reporting IG elements puente promises."""
import json
import sys

from fhir.resources.R4B.bundle import Bundle

IG = "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/"

data = json.load(open(sys.argv[1]))
Bundle.model_validate(data)
urls = {e["fullUrl"] for e in data["entry"]}
problems = []
reports = [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "DiagnosticReport"]
if len(reports) != 1:
    problems.append(f"{len(reports)} DiagnosticReports")
for e in data["entry"]:
    r = e["resource"]
    specimen = r.get("specimen", [])
    refs = [r.get("subject")] + r.get("derivedFrom", []) + r.get("result", [])
    refs += specimen if isinstance(specimen, list) else [specimen]
    for ref in filter(None, refs):
        if ref.get("reference") not in urls:
            problems.append(f"{e['fullUrl']}: dangling reference {ref}")
    allowed = {"Observation": {"registered", "preliminary", "final", "amended"},
               "DiagnosticReport": {"registered", "partial", "preliminary", "final"}}
    if r["resourceType"] in allowed and r.get("status") not in allowed[r["resourceType"]]:
        problems.append(f"{e['fullUrl']}: status {r.get('status')!r}")
    if r["resourceType"] == "Observation":
        prof = r["meta"]["profile"][0]
        if not prof.startswith(IG):
            problems.append(f"{e['fullUrl']}: profile {prof}")
        if prof.endswith("/variant") and "valueCodeableConcept" not in r:
            problems.append(f"{e['fullUrl']}: Variant without a value")
        if prof.endswith("-implication") and not r.get("derivedFrom"):
            problems.append(f"{e['fullUrl']}: implication derived from nothing")
        if not any(c["code"]["coding"][0]["code"] for c in r.get("component", [])):
            problems.append(f"{e['fullUrl']}: no components")
if problems:
    sys.exit("\n".join(problems))
print(f"ok: {len(data['entry'])} entries")
