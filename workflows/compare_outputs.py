#!/usr/bin/env python3
"""Check that two result folders hold the same results: `puente batch`'s and the workflow's.

Compared per sample: report.json and qc.json (without the command line and the aligned BAM's checksum, whose
header records the command), qc.json, fusions.tsv and cnv.tsv (without '#' provenance lines), the
records of variants.vcf.gz and sv.vcf.gz; then batch_summary.tsv with the folder names taken out.
Exit 1 listing every difference.
"""
import gzip
import json
import os
import sys


def load_report(path):
    """A report.json or qc.json without what names the command that wrote it."""
    with open(path, encoding="utf-8") as f:
        r = json.load(f)
    prov = r.get("provenance", {})
    prov.pop("command_line", None)
    for i in prov.get("inputs", []):
        if i.get("role") == "alignment" and any(
            j.get("role") == "fastq_1" for j in prov["inputs"]
        ):
            # puente's own BAM: its header names the command that made it
            i.pop("sha256", None)
            i["path"] = os.path.basename(i.get("path", ""))
    return r


def body(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [l for l in f if not l.startswith("#")]


def summary(path, folder):
    rows = []
    for line in body(path):
        rows.append(line.replace(os.path.abspath(folder) + os.sep, "").replace(folder + os.sep, ""))
    return rows


def main(a, b):
    problems = []
    samples = sorted(
        d for d in os.listdir(a) if os.path.isfile(os.path.join(a, d, "report.json"))
    )
    if not samples:
        problems.append(f"{a}: no sample results")
    for s in samples:
        pa, pb = os.path.join(a, s), os.path.join(b, s)
        if not os.path.isfile(os.path.join(pb, "report.json")):
            problems.append(f"{s}: missing from {b}")
            continue
        if load_report(os.path.join(pa, "report.json")) != load_report(
            os.path.join(pb, "report.json")
        ):
            problems.append(f"{s}: report.json differs")
        if load_report(os.path.join(pa, "qc.json")) != load_report(os.path.join(pb, "qc.json")):
                problems.append(f"{s}: qc.json differs")
        for name in ["fusions.tsv", "cnv.tsv", "variants.vcf.gz", "sv.vcf.gz"]:
            if body(os.path.join(pa, name)) != body(os.path.join(pb, name)):
                problems.append(f"{s}: {name} differs")
    if summary(os.path.join(a, "batch_summary.tsv"), a) != summary(
        os.path.join(b, "batch_summary.tsv"), b
    ):
        problems.append("batch_summary.tsv differs")
    for p in problems:
        print(f"DIFFERENT: {p}", file=sys.stderr)
    print(f"compared {len(samples)} samples: {'same results' if not problems else f'{len(problems)} difference(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: compare_outputs.py BATCH_OUT WORKFLOW_OUT")
    sys.exit(main(sys.argv[1], sys.argv[2]))
