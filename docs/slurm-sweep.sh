#!/bin/bash
# docs/slurm-sweep.sh: the paper's MD-DMS sweep (data/presets/paper.ini) over MPI under
# SLURM. Submit it from the folder that is to hold the results:
#     sbatch slurm-sweep.sh
# and submit it again, unchanged, after a time limit, a node failure or a cancel: it always
# passes --resume, so finished jobs are kept and only the rest runs (docs/cluster.md).
#
# 64 ranks compute; one more, rank 0, hands out the jobs and writes the output folder. It
# sleeps between messages, so its task costs almost nothing, but SLURM still gives it a
# slot. Each computing rank runs one job at a time on one core (OMP_NUM_THREADS=1): that
# keeps the results equal to a workstation run's, bit for bit.
#
# One replica job of paper.ini is 8·10^6 MD steps of 4000 atoms, about 16 h on one core
# (docs/cluster.md): the time limit must be well above that, or no job ever finishes.
#SBATCH --job-name=amorph-paper
#SBATCH --ntasks=65
#SBATCH --cpus-per-task=1
#SBATCH --time=3-00:00:00
#SBATCH --output=amorph-paper-%j.log

set -euo pipefail

# Where things are; override on the sbatch command line, e.g.
#     sbatch --export=ALL,AMORPH=$HOME/amorph/build-cluster/src/amorph slurm-sweep.sh
AMORPH=${AMORPH:-amorph}
CONFIG=${CONFIG:-/usr/share/amorph/presets/paper.ini}
OUTPUT=${OUTPUT:-$PWD/paper}
# The PMI plugin that this site's OpenMPI was built for (`srun --mpi=list` shows them).
SRUN_MPI=${SRUN_MPI:-pmix}

export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
export OMP_WAIT_POLICY=PASSIVE
# A rank that stays silent this long (a hung node) makes rank 0 abort the run; the jobs
# finished so far stay in $OUTPUT/jobs and the next submission resumes from there.
export AMORPH_MPI_TIMEOUT_S=${AMORPH_MPI_TIMEOUT_S:-600}

# --kill-on-bad-exit: one dead rank ends the step at once instead of leaving the others
# waiting; the records written so far are complete (written atomically) and are reused.
srun --mpi="$SRUN_MPI" --kill-on-bad-exit=1 \
  "$AMORPH" --batch "$CONFIG" --output "$OUTPUT" --resume
