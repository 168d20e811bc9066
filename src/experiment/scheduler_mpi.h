/* scheduler_mpi.h: amorph as an MPI program (built only with -Dmpi=enabled).
 *
 * MPI is started only when a launcher (mpirun, mpiexec, srun) started this process, so an
 * MPI build run by hand behaves exactly like a build without MPI. Rank 0 reads and checks
 * the config, writes every file and coordinates; the other ranks are silent workers that
 * get the resolved config from rank 0 and run the jobs it hands them (scheduler.h:
 * am_scheduler_distributed, am_scheduler_serve). Nothing here is used by the GUI. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether an MPI launcher started this process (its environment says so). */
gboolean am_mpi_launched(void);
/* MPI_Init_thread (funneled: only the main thread talks to MPI). */
gboolean am_mpi_start(int *argc, char ***argv, GError **error);
/* 0 and 1 when MPI was not started. */
int am_mpi_rank(void);
int am_mpi_size(void);
/* This rank's host name (for messages). */
const char *am_mpi_host(void);
/* MPI_Finalize, if started. */
void am_mpi_finish(void);

/* Collective: rank 0 gives text (NULL when it failed and every rank should give up), the
 * others receive it. Returns a copy of the text on every rank, or NULL. */
char *am_mpi_share_text(const char *text);

/* Rank 0: tells every worker rank to stop, once, if they were sent a config (before that,
 * every rank reaches the same verdict and leaves by itself). */
void am_mpi_stop_workers(void);

/* A worker rank that could not set itself up: tells rank 0 why, as rank 0 would have
 * reported it, and waits until rank 0 says stop. */
void am_mpi_worker_fail(const GError *error);

G_END_DECLS
