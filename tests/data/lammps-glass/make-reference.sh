#!/bin/sh
# make-reference.sh: LAMMPS quenches of Cu50Zr50 with the SAME protocol as Amorph's shipped
# glass samples (data/samples/README.md), so that tests/test-samples.c can check Amorph's
# samples against an independent engine. Different seeds give different glasses; the spread
# over seeds is the tolerance.
#
# Protocol (metal units, dt = 2 fs, fix npt iso P = 0, Tdamp = 100 dt, Pdamp = 1000 dt):
#   B2 start 8×8×8 cells, a = 3.3 Å, 24 random sites deleted (1000 atoms), species random
#   with exactly 500 Cu / 500 Zr; velocities at 2000 K; 20 ps at 2000 K; then, by rate:
#   --rate 1e12 (default; data/presets/quench-sample.ini): 1 ns at 1900 K, cool 1900 → 50 K
#       in 1850 ps (1 K/ps), 100 ps at 50 K. 1.485e6 steps, about an hour per seed on a core.
#   --rate 1e13 (data/presets/quench-sample-fast.ini): 100 ps at 1900 K, cool in 185 ps
#       (10 K/ps), 20 ps at 50 K. 1.625e5 steps.
# Measured over the last 10 ps at 50 K: mean density (g/cm³), mean potential energy per
# atom (eV), and the first-peak positions of g_CuCu, g_CuZr, g_ZrZr (Å; averaged g(r),
# 0.02 Å bins, the highest bin of 2–3.6 Å refined by a parabola through it and its
# neighbours, as am_rdf_first_peak does).
#
# Usage: sh tests/data/lammps-glass/make-reference.sh [--rate 1e12|1e13] [seed ...]
#   (default seeds: 1 2 3). Each finished seed appends one line to reference.txt:
#   seed <s> natoms 1000 rate_K_per_s <r> density_gcc <d> pe_atom_eV <e> peak_CuCu_A <r> ...
# Needs `lmp` (Debian lammps, 29 Sep 2021 was used) and awk.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
pot="$root/data/potentials/CuZr_mm.eam.fs"
out="$here/reference.txt"
rate=1e12
if [ "${1:-}" = --rate ]; then rate=$2; shift 2; fi
case "$rate" in
  1e12) hold_steps=500000 cool_steps=925000 final_steps=45000 ;;
  1e13) hold_steps=50000 cool_steps=92500 final_steps=5000 ;;
  *) echo "make-reference.sh: --rate must be 1e12 or 1e13, not '$rate'" >&2; exit 2 ;;
esac
[ $# -gt 0 ] || set -- 1 2 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/quench.lmp" <<'LMP'
units metal
atom_style atomic
boundary p p p
lattice custom 3.3 a1 1 0 0 a2 0 1 0 a3 0 0 1 basis 0 0 0 basis 0.5 0.5 0.5
region box block 0 8 0 8 0 8
create_box 3 box
create_atoms 1 box
# LAMMPS 2021 has no exact-count delete_atoms: mark exactly 24 sites as type 3, drop them.
set group all type/ratio 3 0.0234375 ${seed}
group vacant type 3
delete_atoms group vacant
set group all type/ratio 2 0.5 $(v_seed+1000)
mass 1 63.546
mass 2 91.224
mass 3 91.224
pair_style eam/fs
pair_coeff * * ${pot} Cu Zr Zr
neighbor 1.0 bin
neigh_modify delay 0 every 1 check yes
timestep 0.002
thermo 5000
velocity all create 2000 $(v_seed+2000) mom yes rot no dist gaussian
fix 1 all npt temp 2000 2000 0.2 iso 0 0 2.0
run 10000
unfix 1
fix 1 all npt temp 1900 1900 0.2 iso 0 0 2.0
run ${hold_steps}
unfix 1
fix 1 all npt temp 1900 50 0.2 iso 0 0 2.0
run ${cool_steps}
unfix 1
fix 1 all npt temp 50 50 0.2 iso 0 0 2.0
run ${final_steps}
compute pe all pe
variable peat equal c_pe/atoms
variable dens equal density
fix avg all ave/time 10 500 5000 v_peat v_dens file avg.txt
compute rdf all rdf 300 1 1 1 2 2 2 cutoff 6.0
fix rdf all ave/time 10 500 5000 c_rdf[*] file rdf.txt mode vector
run 5000
LMP

for seed in "$@"; do
  (cd "$work" && rm -f avg.txt rdf.txt && \
    lmp -var seed "$seed" -var pot "$pot" -var hold_steps $hold_steps -var cool_steps $cool_steps \
      -var final_steps $final_steps -in quench.lmp -log "log.$seed" -screen none || { tail -n 5 "log.$seed"; exit 1; })
  pe=$(awk '!/^#/ {v = $2} END {print v}' "$work/avg.txt")
  dens=$(awk '!/^#/ {v = $3} END {print v}' "$work/avg.txt")
  # rdf.txt rows after the block header: bin r g11 n11 g12 n12 g22 n22
  peaks=$(awk '
    /^#/ { next }
    NF == 2 { n = 0; next }
    NF >= 8 { n++; r[n] = $2; g[1, n] = $3; g[2, n] = $5; g[3, n] = $7; nb = n }
    END {
      dr = r[2] - r[1]
      for (p = 1; p <= 3; p++) {
        best = 0
        for (k = 2; k < nb; k++) if (r[k] >= 2.0 && r[k] <= 3.6 && (best == 0 || g[p, k] > g[p, best])) best = k
        a = g[p, best - 1]; b = g[p, best]; c = g[p, best + 1]
        den = a - 2 * b + c
        off = (den != 0) ? 0.5 * (a - c) / den : 0
        printf "%s %.4f ", (p == 1 ? "peak_CuCu_A" : p == 2 ? "peak_CuZr_A" : "peak_ZrZr_A"), r[best] + off * dr
      }
    }' "$work/rdf.txt")
  echo "seed $seed natoms 1000 rate_K_per_s $rate density_gcc $dens pe_atom_eV $pe $peaks" >> "$out"
  echo "seed $seed done: $(tail -n 1 "$out")"
done
