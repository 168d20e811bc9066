#!/bin/sh
# Makes the LAMMPS reference for test-voronoi: 300 random points (no two closer than
# 1.6 Å) in a tilted periodic box, and LAMMPS' `compute voronoi/atom` volumes and face
# counts for them; and the same for the shipped 4000-atom glass (data/samples), whose
# box once gave voro++ a degenerate lattice cell. Needs python3 and a LAMMPS `lmp` built with the VORONOI package
# (Debian's is). Run from this directory: sh make-golden.sh
set -e
python3 - <<'PY'
import random
random.seed(20261125)
lx, ly, lz = 17.0, 15.5, 16.2
xy, xz, yz = 3.1, -2.4, 1.7
pts = []
def frac_to_cart(s):
    return (lx * s[0] + xy * s[1] + xz * s[2], ly * s[1] + yz * s[2], lz * s[2])
def mind2(a, b):
    best = 1e9
    for i in (-1, 0, 1):
        for j in (-1, 0, 1):
            for k in (-1, 0, 1):
                d = frac_to_cart((a[0] - b[0] + i, a[1] - b[1] + j, a[2] - b[2] + k))
                best = min(best, d[0] ** 2 + d[1] ** 2 + d[2] ** 2)
    return best
while len(pts) < 300:
    s = (random.random(), random.random(), random.random())
    if all(mind2(s, p) > 1.6 ** 2 for p in pts):
        pts.append(s)
with open("points.data", "w") as f:
    f.write("random points for test-voronoi (make-golden.sh)\n\n300 atoms\n2 atom types\n\n")
    f.write("0 %.10f xlo xhi\n0 %.10f ylo yhi\n0 %.10f zlo zhi\n%.10f %.10f %.10f xy xz yz\n\n" % (lx, ly, lz, xy, xz, yz))
    f.write("Masses\n\n1 63.546 # Cu\n2 91.224 # Zr\n\nAtoms # atomic\n\n")
    for i, s in enumerate(pts):
        x, y, z = frac_to_cart(s)
        f.write("%d %d %.12f %.12f %.12f\n" % (i + 1, 1 + i % 2, x, y, z))
PY
cat > in.voronoi <<'LMP'
units metal
atom_style atomic
boundary p p p
read_data points.data
# The default ghost cutoff (the pair cutoff, none here) leaves cells near the faces of
# a tilted box unclosed; ghosts out to 12 Å close them.
comm_modify cutoff 12.0
compute v all voronoi/atom
dump d all custom 1 voronoi-lammps.dump id c_v[1] c_v[2]
dump_modify d sort id format float %.12g
run 0
LMP
lmp -in in.voronoi -log none -screen none
sed -e 's|points.data|../../../data/samples/cu50zr50-4000.data|' \
    -e 's|voronoi-lammps.dump|glass-4000-lammps.dump|' in.voronoi > in.glass
lmp -in in.glass -log none -screen none
rm -f in.voronoi in.glass
