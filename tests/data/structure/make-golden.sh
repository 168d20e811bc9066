#!/bin/sh
# LAMMPS reference for test-structure: per-atom Voronoi volume and face count, potential
# energy and stress (`compute stress/atom`, kinetic part included, in bar·Å³) of the
# 256-atom test glass (tests/data/glass-256.data, which has velocities).
# Needs LAMMPS `lmp` with the VORONOI package (Debian's has it).
# Run from the repository root: sh tests/data/structure/make-golden.sh
set -e
cat > /tmp/amorph-structure-$$.in <<'LMP'
units metal
atom_style atomic
boundary p p p
read_data tests/data/glass-256.data
mass 1 63.546
mass 2 91.224
pair_style eam/fs
pair_coeff * * data/potentials/CuZr_mm.eam.fs Cu Zr
comm_modify cutoff 12.0
compute v all voronoi/atom
compute pe all pe/atom
compute s all stress/atom NULL
dump d all custom 1 tests/data/structure/glass-256-lammps.dump id type c_v[1] c_v[2] c_pe c_s[1] c_s[2] c_s[3] c_s[4] c_s[5] c_s[6]
dump_modify d sort id format float %.15g
run 0
LMP
lmp -in /tmp/amorph-structure-$$.in -log none -screen none
rm -f /tmp/amorph-structure-$$.in
