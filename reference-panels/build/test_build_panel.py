"""Unit tests for build_panel.py on inline fixtures (a tiny GTF and GeneFuse/GENCODE rows)."""
import os
import sys
import tempfile
import tomllib
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build_panel as bp  # noqa: E402

GTF = """\
chr1\tT\tgene\t100\t1000\t.\t-\t.\tgene_id "G1"; gene_name "MINUS";
chr1\tT\ttranscript\t100\t1000\t.\t-\t.\tgene_id "G1"; transcript_id "ENST1.2"; gene_name "MINUS"; tag "MANE_Select";
chr1\tT\texon\t801\t1000\t.\t-\t.\tgene_id "G1"; transcript_id "ENST1.2"; gene_name "MINUS"; exon_number "1";
chr1\tT\texon\t100\t300\t.\t-\t.\tgene_id "G1"; transcript_id "ENST1.2"; gene_name "MINUS"; exon_number "2";
chr1\tT\tCDS\t801\t900\t.\t-\t0\tgene_id "G1"; transcript_id "ENST1.2"; gene_name "MINUS";
chr1\tT\tCDS\t203\t300\t.\t-\t2\tgene_id "G1"; transcript_id "ENST1.2"; gene_name "MINUS";
chr1\tT\tstop_codon\t200\t202\t.\t-\t0\tgene_id "G1"; transcript_id "ENST1.2"; gene_name "MINUS";
"""


class PlaceTest(unittest.TestCase):
    def setUp(self):
        d = tempfile.mkdtemp()
        self.gtf = os.path.join(d, "x.gtf")
        with open(self.gtf, "w") as fh:
            fh.write(GTF)
        self.spec = {"gene": [{"name": "MINUS", "mane": "ENST1", "roles": ["snv"], "why": "t"}]}

    def test_gtf_model_and_minus_strand_hgvs(self):
        models, _ = bp.models_from_gtf(self.spec, self.gtf)
        tx = models["MINUS"]
        self.assertEqual(tx.tid, "ENST1.2")
        self.assertEqual([n for n, _, _ in tx.exons], [1, 2])
        self.assertEqual(tx.exons[0][1:], (801, 1000))
        # c.1 is the highest CDS base on the minus strand; c.101 jumps the intron
        self.assertEqual(bp.place_c(tx, "c.1A>G"), (900, "T", "C"))
        self.assertEqual(bp.place_c(tx, "c.101C>T")[0], 300)
        # intronic offset: c.101-1 is one base 3' of exon 2's start on the minus strand
        self.assertEqual(bp.place_c(tx, "c.101-1G>A")[0], 301)
        self.assertEqual(len(tx.coding_positions()) % 3, 0)
        with self.assertRaises(bp.BuildError):
            bp.place_c(tx, "c.9999A>G")

    def test_introns_and_merge(self):
        models, _ = bp.models_from_gtf(self.spec, self.gtf)
        self.assertEqual(models["MINUS"].introns(), [(1, 301, 800)])
        merged = bp.merge([("chr1", 10, 20, "a"), ("chr1", 15, 30, "b"), ("chr2", 1, 2, "c")])
        self.assertEqual(merged, [("chr1", 10, 30, "a,b"), ("chr2", 1, 2, "c")])

    def test_spec_is_valid(self):
        with open(os.path.join(os.path.dirname(__file__), "panel_spec.toml"), "rb") as fh:
            spec = tomllib.load(fh)
        names = {g["name"] for g in spec["gene"]}
        for h in spec["hotspot"] + spec["pgx_site"]:
            self.assertIn(h["gene"], names)
        for f in spec["fusion"]:
            self.assertIn(f["gene5"], names)
            self.assertIn(f["gene3"], names)


if __name__ == "__main__":
    unittest.main()
