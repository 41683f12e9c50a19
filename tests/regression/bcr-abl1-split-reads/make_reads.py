"""Writes reads.sam for this case (no reference needed: the evidence is in CIGARs, SA tags and
mate fields). BCR intron 1 (chr22:23218018, kept to the left) joined to ABL1 intron 1
(chr9:130844794, kept to the right): 4 split reads cut at different read positions, one split
read whose two alignments share 2 bases of microhomology, a duplicate and a MAPQ-0 split read
(neither counts as support; the MAPQ-0 read's mate is MAPQ 0 too), 2 discordant pairs, and a lone chimeric read elsewhere (noise)."""
import random

random.seed(11)
L = 100
BCR, ABL = 23218018, 130844794
lines = []


def seq():
    return "".join(random.choice("ACGT") for _ in range(L))


def split(name, k, flag_extra=0, mapq_supp=60, hom=0):
    """R1 reads k bases of BCR ending at the junction (+hom shared bases), then ABL1."""
    s = seq()
    q = "I" * L
    p1 = BCR - k + 1
    m1 = k + hom
    cig1 = f"{m1}M{L - m1}S"
    cig2 = f"{k}S{L - k}M"
    hcig2 = f"{k}H{L - k}M"
    mate = ABL + 150
    f1 = 0x1 | 0x20 | 0x40 | flag_extra
    lines.append(("chr22", p1, f"{name}\t{f1}\tchr22\t{p1}\t60\t{cig1}\tchr9\t{mate}\t0\t{s}\t{q}\tSA:Z:chr9,{ABL},+,{cig2},{mapq_supp},0;\tRG:Z:rg1"))
    lines.append(("chr9", ABL, f"{name}\t{f1 | 0x800}\tchr9\t{ABL}\t{mapq_supp}\t{hcig2}\tchr9\t{mate}\t0\t{s[k:]}\t{q[k:]}\tSA:Z:chr22,{p1},+,{cig1},60,0;\tRG:Z:rg1"))
    f2 = 0x1 | 0x10 | 0x80 | flag_extra
    # the mate lies on the partner too: as repetitive as the supplementary alignment
    lines.append(("chr9", mate, f"{name}\t{f2}\tchr9\t{mate}\t{mapq_supp}\t{L}M\tchr22\t{p1}\t0\t{seq()}\t{q}\tRG:Z:rg1"))


def pair(name, p1, p2):
    q = "I" * L
    lines.append(("chr22", p1, f"{name}\t{0x1 | 0x20 | 0x40}\tchr22\t{p1}\t60\t{L}M\tchr9\t{p2}\t0\t{seq()}\t{q}\tRG:Z:rg1"))
    lines.append(("chr9", p2, f"{name}\t{0x1 | 0x10 | 0x80}\tchr9\t{p2}\t60\t{L}M\tchr22\t{p1}\t0\t{seq()}\t{q}\tRG:Z:rg1"))


for i, k in enumerate([60, 50, 70, 45]):
    split(f"split{i}", k)
split("microhomology", 60, hom=2)
split("duplicate", 60, flag_extra=0x400)
split("mapq0", 55, mapq_supp=0)
pair("pair0", BCR - 300, ABL + 200)
pair("pair1", BCR - 250, ABL + 120)
# one chimeric read joining BCR exon 1 to an unrelated ABL1 position: a single fragment is noise
s = seq()
lines.append(("chr22", 23180600, f"noise\t{0x1 | 0x20 | 0x40}\tchr22\t23180600\t60\t60M40S\tchr9\t130870000\t0\t{s}\t{'I' * L}\tSA:Z:chr9,130869000,+,60S40M,60,0;\tRG:Z:rg1"))
lines.append(("chr9", 130870000, f"noise\t{0x1 | 0x10 | 0x80}\tchr9\t130870000\t60\t{L}M\tchr22\t23180600\t0\t{seq()}\t{'I' * L}\tRG:Z:rg1"))

order = {"chr9": 0, "chr22": 1}
lines.sort(key=lambda x: (order[x[0]], x[1]))
with open("reads.sam", "w") as f:
    f.write("@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:chr9\tLN:138394717\n@SQ\tSN:chr22\tLN:50818468\n")
    f.write("@RG\tID:rg1\tSM:CASE\tCN:LAB-REG\n")
    for _, _, l in lines:
        f.write(l + "\n")
