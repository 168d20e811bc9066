#!/bin/sh
# make-md-reference.sh: regenerates the LAMMPS reference runs that tests/test-integrate.c
# compares Amorph's NVT and NPT integrators with. Not run by CI: the files it writes under
# tests/data/md-reference/ are committed; rerun only when the protocol or the potential
# changes, and commit the result with the LAMMPS version it reports.
#
# Needs `lmp` (Debian package lammps; 29 Sep 2021 was used) and awk. Run from anywhere:
#   sh tests/data/make-md-reference.sh
#
# Writes
#   liquid-1500.data  432-atom Cu50Zr50 liquid (B2 6×6×6 disordered, melted 10 ps in NVT at
#                     3000 K, NPT cooled to 1500 K in 20 ps and held 20 ps at 0 bar), with velocities: the start of every run below
#   nvt.ref           LAMMPS `fix nvt temp 1500 1500 0.2` (= 100 dt) from that state
#   npt.ref           LAMMPS `fix npt temp 1500 1500 0.2 iso 0 0 2.0` (= 1000 dt)
#   fcc-cu-shear.ref  FCC Cu 4×4×4 (a = 3.615 Å, 256 atoms): "static_pxy" = Pxy (bar) after
#                     an affine xy tilt of γ = 0.01 at 0 K; "g1"/"g2" = G′, G″ (GPa) fitted
#                     to σxy = −Pxy over cycles 2–3 of `fix deform xy wiggle` (ε_A = 0.01,
#                     t_p = 2 ps) in NVT at 10 K. LAMMPS moves the box after the force call,
#                     so its σ lags γ by one step: G″ ≈ −G′·ω·dt, which Amorph must not show.
# Each .ref holds "steps N", "skip K" and, for temp press pe vol, "name mean stderr": means
# over the samples after the first K steps (every 10 steps), standard errors from 10 block
# averages (blocks are longer than the correlation times, so they are nearly independent).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$here/md-reference"
pot="$root/data/potentials/CuZr_mm.eam.fs"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

steps=5000
skip=500

cat > make.lmp <<'LMP'
units metal
atom_style atomic
boundary p p p
lattice custom 3.26 a1 1 0 0 a2 0 1 0 a3 0 0 1 basis 0 0 0 basis 0.5 0.5 0.5
region box block 0 6 0 6 0 6
create_box 2 box
create_atoms 1 box basis 1 1 basis 2 2
mass 1 63.546
mass 2 91.224
pair_style eam/fs
pair_coeff * * ${pot} Cu Zr
neighbor 1.0 bin
neigh_modify delay 0 every 1 check yes
timestep 0.002
displace_atoms all random 0.2 0.2 0.2 81223 units box
velocity all create 3000 4928459 mom yes rot no dist gaussian
fix 1 all nvt temp 3000 3000 0.2
run 5000
unfix 1
fix 1 all npt temp 3000 1500 0.2 iso 0 0 2.0
run 10000
unfix 1
fix 1 all npt temp 1500 1500 0.2 iso 0 0 2.0
run 10000
write_data liquid-1500.data
LMP
lmp -log make.log -screen none -var pot "$pot" -in make.lmp || { tail make.log >&2; exit 1; }
# Labels in the Masses section let Amorph bind types to elements.
sed -e 's/^1 63.546$/1 63.546 # Cu/' -e 's/^2 91.224$/2 91.224 # Zr/' liquid-1500.data > "$out/liquid-1500.data"

run_ref() {  # $1 = name, $2 = fix line
  cat > run.lmp <<LMP
units metal
atom_style atomic
boundary p p p
read_data $out/liquid-1500.data
pair_style eam/fs
pair_coeff * * $pot Cu Zr
neighbor 1.0 bin
neigh_modify delay 0 every 1 check yes
timestep 0.002
$2
thermo_style custom step temp press pe vol
thermo_modify format float %.10g
thermo 10
run $steps
LMP
  lmp -log "$1.log" -screen none -in run.lmp
  awk -v steps=$steps -v skip=$skip '
    /^ *Step/ { on = 1; next }
    /^Loop time/ { on = 0 }
    on && NF == 5 && $1 + 0 > skip { n++; for (k = 2; k <= 5; k++) v[k, n] = $k }
    END {
      printf "steps %d\nskip %d\n", steps, skip
      split("temp press pe vol", name, " ")
      nb = 10; per = int(n / nb)
      for (k = 2; k <= 5; k++) {
        s = 0; for (i = 1; i <= n; i++) s += v[k, i]; mean = s / n
        ss = 0
        for (b = 0; b < nb; b++) { bs = 0; for (i = b * per + 1; i <= (b + 1) * per; i++) bs += v[k, i]; bm = bs / per; ss += (bm - mean) ^ 2 }
        printf "%s %.10g %.6g\n", name[k - 1], mean, sqrt(ss / (nb * (nb - 1)))
      }
    }' "$1.log" > "$out/$1.ref"
}
run_ref nvt "fix 1 all nvt temp 1500 1500 0.2"
run_ref npt "fix 1 all npt temp 1500 1500 0.2 iso 0 0 2.0"
cat > cu.lmp <<LMP
units metal
atom_style atomic
boundary p p p
lattice fcc 3.615
region box prism 0 4 0 4 0 4 0 0 0
create_box 1 box
create_atoms 1 box
mass 1 63.546
pair_style eam/fs
pair_coeff * * $pot Cu
neighbor 1.0 bin
neigh_modify delay 0 every 1 check yes
timestep 0.002
thermo_style custom step pxy
thermo_modify format float %.10g
run 0
change_box all xy final 0.1446 remap units box
run 0
variable pstatic equal pxy
print "static_pxy \${pstatic}" file static.txt
change_box all xy final 0.0 remap units box
velocity all create 20 3 mom yes rot no dist gaussian
fix 1 all nvt temp 10 10 0.2
run 250
reset_timestep 0
fix 2 all deform 1 xy wiggle 0.1446 2.0 remap x units box
thermo_style custom step pxy
thermo 1
run 3000
LMP
lmp -log cu.log -screen none -in cu.lmp
{
  cat static.txt
  awk '/^ *Step +Pxy/ { runs++; on = 1; next } /^Loop/ { on = 0 }
    on && runs == 4 && NF == 2 && $1 > 1000 {
      w = 2 * 3.14159265358979 / 2.0; t = $1 * 0.002; s = -$2
      b1 = sin(w * t); b2 = cos(w * t)
      n++; s1 += b1; s2 += b2; s11 += b1 * b1; s22 += b2 * b2; s12 += b1 * b2; r0 += s; r1 += b1 * s; r2 += b2 * s
    }
    END {
      # 3x3 normal equations [n s1 s2; s1 s11 s12; s2 s12 s22] c = [r0 r1 r2], Cramer
      d = n * (s11 * s22 - s12 * s12) - s1 * (s1 * s22 - s12 * s2) + s2 * (s1 * s12 - s11 * s2)
      a = (n * (r1 * s22 - s12 * r2) - r0 * (s1 * s22 - s12 * s2) + s2 * (s1 * r2 - r1 * s2)) / d
      b = (n * (s11 * r2 - r1 * s12) - s1 * (s1 * r2 - r1 * s2) + r0 * (s1 * s12 - s11 * s2)) / d
      printf "g1 %.4f\ng2 %.4f\n", a / 0.01 / 1e4, b / 0.01 / 1e4
    }' cu.log
} > "$out/fcc-cu-shear.ref"
lmp -h | sed -n 's/^Large-scale[^-]*- \(.*\)$/LAMMPS \1/p' | head -1 > "$out/VERSION"
echo "wrote $out"
