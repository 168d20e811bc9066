#!/bin/sh
# Regenerates nve-tiny.thermo (LAMMPS thermo lines of nve-tiny.lmp: step pe ke etotal temp
# press pxx pyy pzz pxy pxz pyz) with Debian's lmp. Run from this folder.
set -eu
cd "$(dirname "$0")"
lmp -in nve-tiny.lmp -log none -screen none -echo none >/dev/null 2>&1 || true
lmp -in nve-tiny.lmp -log nve-tiny.log -screen none
{
  echo "# LAMMPS $(lmp -h 2>/dev/null | sed -n 's/^Large-scale Atomic\/Molecular Massively Parallel Simulator - //p' | head -1), from nve-tiny.lmp"
  awk '/^ *Step/{on=1; next} /^Loop/{on=0} on' nve-tiny.log
} > nve-tiny.thermo
rm -f nve-tiny.log log.lammps
