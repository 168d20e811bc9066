#!/bin/sh
# make-golden.sh: regenerates the LAMMPS reference data of tests/test-eam.c and
# tests/test-neighbor.c in tests/data/golden/. Not run by CI: the files it writes are
# committed; rerun it only when the configurations or the potential change, and commit the
# result together with the LAMMPS version it reports.
#
# Needs the `lmp` binary (Debian package lammps, 29 Sep 2021 was used) with pair_style
# eam/fs. Run from anywhere:  sh tests/data/make-golden.sh
#
# For every configuration NAME it writes
#   NAME.data    the configuration (LAMMPS write_data, atom_style atomic, full precision)
#   NAME.ref     natoms, pe (eV), the pressure tensor pxx pyy pzz pxy pxz pyz (bar,
#                including the kinetic part, which is zero without velocities)
#   NAME.forces  per atom, sorted by id: id type fx fy fz pe_atom and the six per-atom
#                virial components of compute stress/atom NULL virial (bar·Å³, i.e.
#                minus the per-atom virial times nktv2p), %.17g
#
# Configurations (Cu = type 1, Zr = type 2, potential data/potentials/CuZr_mm.eam.fs):
#   b2-perturbed   B2 CuZr 4×4×4 (128 atoms), random displacements up to 0.1 Å
#   liquid         250 atoms melted at 3000 K and held in NPT at 2000 K, with velocities
#   tilted         the liquid in a triclinic box with large tilts (xy, xz, yz), no velocities
#   small-box      B2 3×3×3 (54 atoms), perturbed, small tilt: every box height is
#                  9.7 Å, just above cutoff + skin = 7.6 + 2.0 Å (the neighbour method's
#                  limit for the skin the tests use)
#   dense-liquid   the liquid compressed by 8 % (close contacts, 40 GPa), with velocities
#   cuni-alloy     eam/alloy: random fcc Cu-Ni (256 atoms) in a tilted box, perturbed,
#                  with velocities, potential CuNi.eam.alloy (copied here, see below)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$here/golden"
pot="$root/data/potentials/CuZr_mm.eam.fs"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# Shared tail: compute, dump and print the reference numbers of the current state.
cat > tail.lmp <<'LMP'
pair_style ${pstyle}
pair_coeff * * ${pfile} ${e1} ${e2}
compute pea all pe/atom
compute sta all stress/atom NULL virial
thermo_style custom step pe pxx pyy pzz pxy pxz pyz
thermo_modify format float %20.15g
dump d all custom 1 ${name}.forces id type fx fy fz c_pea c_sta[1] c_sta[2] c_sta[3] c_sta[4] c_sta[5] c_sta[6]
dump_modify d sort id format float %.17g
run 0
undump d
print """natoms $(atoms)
pe $(pe:%.17g)
pxx $(pxx:%.17g)
pyy $(pyy:%.17g)
pzz $(pzz:%.17g)
pxy $(pxy:%.17g)
pxz $(pxz:%.17g)
pyz $(pyz:%.17g)""" file ${name}.ref
write_data ${name}.data
LMP

head_lmp='units metal
atom_style atomic
boundary p p p
atom_modify map array
variable pstyle string eam/fs
variable pfile string ${pot}
variable e1 string Cu
variable e2 string Zr'

# B2 lattice: Cu at the cube corner, Zr at the centre.
lattice_lmp='lattice custom 3.26 a1 1 0 0 a2 0 1 0 a3 0 0 1 basis 0 0 0 basis 0.5 0.5 0.5'
b2_lmp='create_box 2 box
create_atoms 1 box basis 1 1 basis 2 2
mass 1 63.546
mass 2 91.224'

cat > b2.lmp <<LMP
$head_lmp
$lattice_lmp
region box block 0 4 0 4 0 4
$b2_lmp
displace_atoms all random 0.1 0.1 0.1 4711 units box
variable name string b2-perturbed
include tail.lmp
LMP

cat > liquid.lmp <<LMP
$head_lmp
$lattice_lmp
region box block 0 5 0 5 0 5
$b2_lmp
pair_style eam/fs
pair_coeff * * \${pot} Cu Zr
velocity all create 3000.0 8123 mom yes rot no dist gaussian
timestep 0.002
fix 1 all npt temp 3000.0 3000.0 0.2 iso 0.0 0.0 0.5
run 1500
unfix 1
fix 1 all npt temp 2000.0 2000.0 0.2 iso 0.0 0.0 0.5
run 1500
unfix 1
write_data liquid-start.data
variable name string liquid
include tail.lmp
LMP

cat > tilted.lmp <<LMP
$head_lmp
read_data liquid-start.data
velocity all set 0.0 0.0 0.0
change_box all triclinic
variable lx equal lx
change_box all xy final \$(0.45*lx) xz final \$(-0.3*lx) yz final \$(0.25*lx) remap units box
variable name string tilted
include tail.lmp
LMP

cat > small.lmp <<LMP
$head_lmp
$lattice_lmp
region box block 0 3 0 3 0 3
$b2_lmp
displace_atoms all random 0.08 0.08 0.08 977 units box
change_box all triclinic
change_box all xy final 0.9 remap units box
variable name string small-box
include tail.lmp
LMP

cat > dense.lmp <<LMP
$head_lmp
read_data liquid-start.data
change_box all x scale 0.92 y scale 0.92 z scale 0.92 remap
variable name string dense-liquid
include tail.lmp
LMP

# eam/alloy: the Cu-Ni potential of Onat and Durukanoglu (J. Phys.: Condens. Matter 26,
# 035404 (2014)) from LAMMPS' potentials folder, copied next to the data. Its elements are
# listed Ni, Cu, while the data's type 1 is Cu: the test binds types by name.
alloy_src=/usr/share/lammps/potentials/CuNi.eam.alloy
cp "$alloy_src" "$out/CuNi.eam.alloy"
cat > alloy.lmp <<LMP
$head_lmp
variable pstyle string eam/alloy
variable pfile string $out/CuNi.eam.alloy
variable e1 string Cu
variable e2 string Ni
lattice fcc 3.56
region box prism 0 4 0 4 0 4 1 -1 1
create_box 2 box
create_atoms 1 box
set type 1 type/ratio 2 0.5 3319
mass 1 63.546
mass 2 58.689
displace_atoms all random 0.12 0.12 0.12 5150 units box
velocity all create 600.0 2207 mom yes rot no dist gaussian
variable name string cuni-alloy
include tail.lmp
LMP

for f in b2 liquid tilted small dense alloy; do
  lmp -screen none -log "$f.log" -var pot "$pot" -in "$f.lmp" || { cat "$f.log"; exit 1; }
done
for n in b2-perturbed liquid tilted small-box dense-liquid cuni-alloy; do
  # LAMMPS writes the dump header with the timestep; keep it, the reader skips ITEM lines.
  cp "$n.data" "$n.ref" "$n.forces" "$out/"
done
# The data files name the potential by absolute path in no place, but write_data puts the
# date-free header first; strip nothing else.
lmp -h | sed -n '2,3p' | sed 's/^/# /' > "$out/VERSION"
echo "golden data written to $out"
