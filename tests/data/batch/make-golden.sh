#!/bin/sh
# Regenerates the LAMMPS references of tests/test-batch.c with Debian's lmp: for each of
# nve-tiny.lmp, nvt-tiny.lmp and npt-tiny.lmp, the thermo lines (step pe ke etotal temp
# press pxx pyy pzz pxy pxz pyz vol) in <name>.thermo. Run from anywhere.
set -eu
cd "$(dirname "$0")"
version=$(lmp -h 2>/dev/null | sed -n 's/^Large-scale Atomic\/Molecular Massively Parallel Simulator - //p' | head -1)
for name in nve-tiny nvt-tiny npt-tiny; do
  lmp -in $name.lmp -log $name.log -screen none >/dev/null
  {
    echo "# LAMMPS $version, from $name.lmp"
    awk '/^ *Step/{on=1; next} /^Loop/{on=0} on' $name.log
  } > $name.thermo
  rm -f $name.log
done
rm -f log.lammps
