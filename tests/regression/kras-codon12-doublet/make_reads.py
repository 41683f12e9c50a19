"""Writes reads.sam for this case from the simulator's reference (seed 7), e.g.
    puente simulate --out /tmp/r --seed 7 ... && python3 make_reads.py /tmp/r/reference.fa.gz
KRAS c.34_35delinsTT (codon 12 GGT>TTT, genomic chr12:25245350-25245351 CC>AA) on 6 fragments whose
mates overlap the site, among 12 reference fragments; plus artefacts that must not count: a fragment
whose mates disagree, a duplicate, and a read whose alt bases have base quality 2."""
import subprocess, sys

ref_fa = sys.argv[1]
W0 = 25245250  # 1-based start of the fetched window
seq = "".join(subprocess.run(["samtools", "faidx", ref_fa, f"chr12:{W0}-{W0 + 199}"],
                             capture_output=True, text=True, check=True).stdout.split("\n")[1:])
SITE = 25245350  # 1-based, first base of the doublet
L = 60

def bases(start, alt):
    s = list(seq[start - W0:start - W0 + L])
    if alt:
        for k, b in enumerate("AA"):
            s[SITE - start + k] = b
    return "".join(s)

lines = []
def pair(name, start, alt1, alt2, flag_extra=0, q1=None):
    m = start + 15
    lines.append((start, f"{name}\t{99 | flag_extra}\tchr12\t{start}\t60\t{L}M\t=\t{m}\t{L + 15}\t{bases(start, alt1)}\t{q1 or 'I' * L}\tRG:Z:rg1"))
    lines.append((m, f"{name}\t{147 | flag_extra}\tchr12\t{m}\t60\t{L}M\t=\t{start}\t{-(L + 15)}\t{bases(m, alt2)}\t{'I' * L}\tRG:Z:rg1"))

for i in range(12):
    pair(f"ref{i}", SITE - 35 + i, False, False)
for i in range(6):
    pair(f"alt{i}", SITE - 34 + 2 * i, True, True)
pair("discordant", SITE - 30, True, False)
pair("dup", SITE - 34, True, True, flag_extra=0x400)
q = list("I" * L)
start = SITE - 25
for k in range(2):
    q[SITE - start + k] = "#"
lines.append((start, f"lowbq\t0\tchr12\t{start}\t60\t{L}M\t*\t0\t0\t{bases(start, True)}\t{''.join(q)}\tRG:Z:rg1"))
lines.sort(key=lambda x: x[0])
with open("reads.sam", "w") as f:
    f.write("@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:chr12\tLN:133275309\n@RG\tID:rg1\tSM:CASE\tCN:LAB-REG\n")
    for _, l in lines:
        f.write(l + "\n")
