/* config.c: the protocols' key schemas, and reading, checking and writing configs. */
#include "experiment/config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amorph-config.h"

G_DEFINE_QUARK(am-config-error-quark, am_config_error)

#define SHIPPED_POTENTIAL "potentials/CuZr_mm.eam.fs"
#define INT_LIMIT 9007199254740991.0 /* 2^53 - 1: beyond it a double bound is inexact */

/* ---- Schemas ---------------------------------------------------------------------- */

static const AmKeySpec run_keys[] = {
  { "protocol", AM_KEY_CHOICE, "single-point", "", 0, 0, 0, NULL,
    "What to run: single-point (energy, forces, pressure of one configuration), md (NVE/NVT/NPT "
    "run), quench (melt, hold and cool under NPT into a glass), dms-sweep (MD-DMS temperature "
    "sweep), pinning (MD-DMS with RAs or VAs pinned), structure (per-atom Voronoi volume, LCA, Q6, energy, von Mises stress, soft-mode participation, and g(r), of one configuration)." },
  { "label", AM_KEY_STRING, "", "", 0, 0, 0, NULL,
    "Free text copied into the manifest, to tell runs apart." },
  { NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL },
};

static const AmSectionSpec run_section = {
  "run", "What to run.", run_keys,
};

/* The [system] keys besides the data file, shared by every protocol's [system]. */
#define AM_SYSTEM_POTENTIAL_KEYS                                                               \
  { "elements", AM_KEY_WORDS, "Cu Zr", "", 1, 8, 0, NULL,                                      \
    "Potential element of each atom type, in type order (type 1 first)." },                    \
  { "potential", AM_KEY_PATH, "", "", 0, 0,                                                    \
    AM_KEY_OPTIONAL | AM_KEY_MUST_EXIST | AM_KEY_SHIPPED_POTENTIAL, NULL,                      \
    "setfl EAM potential file; empty means the shipped CuZr_mm.eam.fs (Mendelev et al.)." },  \
  { "potential_style", AM_KEY_CHOICE, "fs", "", 0, 0, 0, "fs|alloy",                           \
    "setfl flavour of the potential file: fs (eam/fs) or alloy (eam/alloy)." },               \
  { "skin_A", AM_KEY_FLOAT, "1.0", "Å", 0.1, 5.0, 0, NULL,                                     \
    "Neighbour-list skin beyond the potential cutoff." }

static const AmKeySpec system_keys[] = {
  { "data", AM_KEY_PATH, "", "", 0, 0, AM_KEY_REQUIRED | AM_KEY_MUST_EXIST, NULL,
    "LAMMPS data file (atom_style atomic) with the starting configuration; relative to this "
    "file's folder." },
  AM_SYSTEM_POTENTIAL_KEYS,
  { NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL },
};

static const AmSectionSpec system_section = {
  "system", "The sample and the potential.", system_keys,
};

/* A quench may start from a generated lattice instead of a data file. */
static const AmKeySpec quench_system_keys[] = {
  { "data", AM_KEY_PATH, "", "", 0, 0, AM_KEY_OPTIONAL | AM_KEY_MUST_EXIST, NULL,
    "LAMMPS data file (atom_style atomic) to melt, when [quench] start = data." },
  AM_SYSTEM_POTENTIAL_KEYS,
  { NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL },
};

static const AmSectionSpec quench_system_section = {
  "system", "The starting configuration (with [quench] start = data) and the potential.",
  quench_system_keys,
};

static const AmKeySpec output_keys[] = {
  { "progress_interval_s", AM_KEY_FLOAT, "10", "s", 0.1, 86400, 0, NULL,
    "Seconds between progress lines when stderr is not a terminal." },
  { "write_velocities", AM_KEY_BOOL, "true", "", 0, 0, 0, NULL,
    "Whether final data files carry a Velocities section." },
  { NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL },
};

static const AmSectionSpec output_section = {
  "output", "What is written besides the protocol's results.", output_keys,
};

/* Integration keys shared by md and quench: one definition, so their defaults and ranges
 * cannot drift apart. */
#define AM_INTEGRATION_KEYS                                          \
  { "timestep_ps", AM_KEY_FLOAT, "0.002", "ps", 0, 0.02, AM_KEY_MIN_EXCLUSIVE, NULL,          \
    "MD timestep (SCIENCE.md: 2 fs)." },                                                     \
  { "seed", AM_KEY_INT, "12345", "", 0, INT_LIMIT, AM_KEY_SEED, NULL,                        \
    "Seed of the velocity stream (used when velocities are created)." },                     \
  { "velocities", AM_KEY_CHOICE, "auto", "", 0, 0, 0, "auto|file|create",                    \
    "Starting velocities: auto (the data file's Velocities section when present, else "      \
    "created), file (must be present), create (Maxwell-Boltzmann from seed)." },             \
  { "thermostat_damp_timesteps", AM_KEY_FLOAT, "100", "timesteps", 1, 1e6, 0, NULL,          \
    "Nosé-Hoover thermostat period T_damp in timesteps (LAMMPS Tdamp = this × dt)." },        \
  { "barostat_damp_timesteps", AM_KEY_FLOAT, "1000", "timesteps", 1, 1e7, 0, NULL,           \
    "Barostat period P_damp in timesteps (LAMMPS Pdamp = this × dt)." },                      \
  { "chain_length", AM_KEY_INT, "3", "", 1, 8, 0, NULL,                                      \
    "Length of the Nosé-Hoover chains (LAMMPS tchain and pchain)." },                        \
  { "barostat_coupling", AM_KEY_CHOICE, "iso", "", 0, 0, 0, "iso|aniso",                     \
    "iso: one strain rate from the mean pressure; aniso: x, y, z each from its own "         \
    "diagonal pressure." },                                                                  \
  { "thermo_interval", AM_KEY_INT, "100", "steps", 1, 1e12, 0, NULL,                         \
    "Steps between rows of thermo.csv." }

static const AmKeySpec md_keys[] = {
  { "ensemble", AM_KEY_CHOICE, "nvt", "", 0, 0, 0, "nve|nvt|npt",
    "nve (velocity Verlet), nvt (Nosé-Hoover chain) or npt (plus MTK barostat)." },
  { "temperature_K", AM_KEY_FLOAT, "300", "K", 0, 1e5, 0, NULL,
    "Target temperature (NVT, NPT) and temperature of created velocities (all ensembles)." },
  { "temperature_stop_K", AM_KEY_FLOAT, "", "K", 0, 1e5, AM_KEY_OPTIONAL, NULL,
    "Target at the end of the run for a linear ramp; empty means no ramp." },
  { "pressure_bar", AM_KEY_FLOAT, "0", "bar", -1e6, 1e6, 0, NULL,
    "Target pressure (NPT)." },
  { "steps", AM_KEY_INT, "1000", "steps", 0, 1e12, 0, NULL, "Number of MD steps." },
  AM_INTEGRATION_KEYS,
  { "trajectory_interval", AM_KEY_INT, "0", "steps", 0, 1e12, 0, NULL,
    "Steps between frames of trajectory.extxyz; 0 writes no trajectory." },
  { "shear_amplitude", AM_KEY_FLOAT, "0", "", 0, 1, 0, NULL,
    "Amplitude ε_A of a sinusoidal xy shear strain γ(t) = ε_A sin(2πt/t_p) with affine "
    "remap (NVE, NVT); 0 means no shear." },
  { "shear_period_ps", AM_KEY_FLOAT, "10", "ps", 0, 1e7, AM_KEY_MIN_EXCLUSIVE, NULL,
    "Period t_p of the sinusoidal shear." },
  { NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL },
};

static const AmSectionSpec md_section = {
  "md", "Molecular dynamics in one ensemble.", md_keys,
};

static const AmKeySpec quench_keys[] = {
  { "start", AM_KEY_CHOICE, "data", "", 0, 0, 0, "data|b2",
    "Starting structure: data (the [system] data file) or b2 (random species on B2 lattice "
    "sites, natoms atoms with the given composition)." },
  { "natoms", AM_KEY_INT, "4000", "atoms", 2, 1e8, 0, NULL,
    "Number of atoms of a b2 start." },
  { "composition", AM_KEY_WORDS, "0.5 0.5", "", 1, 8, 0, NULL,
    "Atom fraction of each element of [system] elements, in the same order (b2 start)." },
  { "lattice_constant_A", AM_KEY_FLOAT, "3.3", "Å", 1, 10, 0, NULL,
    "Cube edge of the B2 cell of a b2 start (the melt forgets it; near the liquid density "
    "avoids a violent first step)." },
  { "lattice_seed", AM_KEY_INT, "2026", "", 0, INT_LIMIT, AM_KEY_SEED, NULL,
    "Seed of the choice of sites and species of a b2 start." },
  { "melt_K", AM_KEY_FLOAT, "2000", "K", 1, 1e5, 0, NULL,
    "Temperature of the melting stage, above the liquidus to erase the starting structure." },
  { "melt_ps", AM_KEY_FLOAT, "20", "ps", 0, 1e7, 0, NULL,
    "Duration of the melting stage (0 skips it)." },
  { "hold_K", AM_KEY_FLOAT, "1900", "K", 1, 1e5, 0, NULL,
    "Temperature at which the liquid is equilibrated before cooling (paper: 1900 K)." },
  { "hold_ps", AM_KEY_FLOAT, "50", "ps", 0, 1e7, 0, NULL,
    "Duration of the liquid hold (paper: 10 ns)." },
  { "final_K", AM_KEY_FLOAT, "50", "K", 0, 1e5, 0, NULL,
    "Temperature the liquid is cooled to (paper: 50 K)." },
  { "rate_K_per_ps", AM_KEY_FLOAT, "1", "K/ps", 0, 1e4, AM_KEY_MIN_EXCLUSIVE, NULL,
    "Cooling rate from hold_K to final_K (paper: 1e10 K/s = 0.01 K/ps)." },
  { "final_hold_ps", AM_KEY_FLOAT, "20", "ps", 0, 1e7, 0, NULL,
    "Duration of the hold at final_K after cooling." },
  { "pressure_bar", AM_KEY_FLOAT, "0", "bar", -1e6, 1e6, 0, NULL,
    "Pressure of every stage (NPT)." },
  { "vt_interval_ps", AM_KEY_FLOAT, "1", "ps", 0, 1e6, AM_KEY_MIN_EXCLUSIVE, NULL,
    "Block length of volume_temperature.csv: each row averages one block." },
  { "checkpoint_ps", AM_KEY_FLOAT, "100", "ps", 0, 1e7, 0, NULL,
    "Simulated time between checkpoints (quench.checkpoint in the output folder), from which "
    "--resume continues a killed quench bit for bit; 0 writes none. The neighbour list is "
    "rebuilt at each checkpoint, so the value is part of the trajectory's definition." },
  AM_INTEGRATION_KEYS,
  { NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL },
};

static const AmSectionSpec quench_section = {
  "quench", "Melt, hold and cool at a constant rate under NPT.", quench_keys,
};

/* MD-DMS (dms_sweep.c): the keys of a sweep, shared by dms-sweep and pinning. Defaults
 * are the paper's protocol (SCIENCE.md); presets scale it down. */
static const AmKeySpec dms_system_keys[] = {
  { "data", AM_KEY_PATH, "", "", 0, 0, AM_KEY_OPTIONAL | AM_KEY_MUST_EXIST, NULL,
    "LAMMPS data file of the glass; empty means the shipped sample data/samples/cu50zr50-4000.data." },
  AM_SYSTEM_POTENTIAL_KEYS,
  { NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL },
};

static const AmSectionSpec dms_system_section = {
  "system", "The glass sample and the potential.", dms_system_keys,
};

#define AM_DMS_KEYS                                                                          \
  { "temperatures_K", AM_KEY_WORDS, "50 100 150 200 250 300 350 400 450 500 600 700 800 900 1000", \
    "K", 1, 1000, 0, NULL, "Temperatures of the sweep, in the order they are reported." },   \
  { "period_ps", AM_KEY_FLOAT, "1000", "ps", 0, 1e7, AM_KEY_MIN_EXCLUSIVE, NULL,             \
    "Loading period t_p (paper: 1000 ps); a whole number of timesteps." },                   \
  { "strain_amplitude", AM_KEY_FLOAT, "0.01", "", 0, 0.2, AM_KEY_MIN_EXCLUSIVE, NULL,        \
    "Shear strain amplitude ε_A of γ(t) = ε_A sin(2πt/t_p) (paper: 0.01)." },                \
  { "cycles", AM_KEY_INT, "16", "", 1, 100000, 0, NULL, "Loading cycles per replica (paper: 16)." }, \
  { "analysed_cycles", AM_KEY_INT, "10", "", 1, 100000, 0, NULL,                             \
    "The last cycles that are fitted and tracked (paper: 10, cycles 7-16)." },               \
  { "replicas", AM_KEY_INT, "50", "", 2, 1000000, 0, NULL,                                   \
    "Isoconfigurational replicas per temperature (paper: 50); at least 2 for an error bar." }, \
  { "timestep_ps", AM_KEY_FLOAT, "0.002", "ps", 0, 0.02, AM_KEY_MIN_EXCLUSIVE, NULL,         \
    "MD timestep (SCIENCE.md: 2 fs)." },                                                     \
  { "equilibration_ps", AM_KEY_FLOAT, "100", "ps", 0, 1e7, 0, NULL,                          \
    "NPT hold at each temperature (P = 0) before the box is fixed at its mean dimensions "   \
    "over the second half; 0 uses the sample's box as it is." },                             \
  { "sample_interval_ps", AM_KEY_FLOAT, "1", "ps", 0, 1e6, AM_KEY_MIN_EXCLUSIVE, NULL,       \
    "Interval of the displacement samples (u, u′, classes, events); must divide period_ps." }, \
  { "stress_interval_steps", AM_KEY_INT, "1", "steps", 1, 1e6, 0, NULL,                      \
    "Steps between the stress samples of the sinusoid fit." },                               \
  { "seed", AM_KEY_INT, "12345", "", 0, INT_LIMIT, AM_KEY_SEED, NULL,                        \
    "Seed of every random stream of the sweep (momenta of each job, random pinned atoms)." }, \
  { "thermostat_damp_timesteps", AM_KEY_FLOAT, "100", "timesteps", 1, 1e6, 0, NULL,          \
    "Nosé-Hoover thermostat period T_damp in timesteps." },                                  \
  { "barostat_damp_timesteps", AM_KEY_FLOAT, "1000", "timesteps", 1, 1e7, 0, NULL,           \
    "Barostat period P_damp in timesteps (equilibration)." },                                \
  { "chain_length", AM_KEY_INT, "3", "", 1, 8, 0, NULL,                                      \
    "Length of the Nosé-Hoover chains." },                                                   \
  { "va_max_A", AM_KEY_FLOAT, "1.0", "Å", 0, 100, AM_KEY_MIN_EXCLUSIVE, NULL,                \
    "u′_max below this: vibrational atom (VA); also the reach and return of a reversible event." }, \
  { "fa_min_A", AM_KEY_FLOAT, "2.0", "Å", 0, 100, AM_KEY_MIN_EXCLUSIVE, NULL,                \
    "u′_max at or above this: fast atom (FA); a reversible event stays below it." },         \
  { "jump_threshold_A", AM_KEY_FLOAT, "1.4", "Å", 0, 100, AM_KEY_MIN_EXCLUSIVE, NULL,        \
    "u_c of f(u > u_c), the fraction of jump distances u(t_p) above it." },                  \
  { "selected_fraction", AM_KEY_FLOAT, "0.5", "", 0, 1, 0, NULL,                             \
    "An atom is a selected RA when it has events in more than this fraction of all analysed " \
    "cycles of all replicas (paper: 50 %)." },                                               \
  { "histogram_bin_A", AM_KEY_FLOAT, "0.01", "Å", 0, 1, AM_KEY_MIN_EXCLUSIVE, NULL,          \
    "Bin width Δu of p(u) and p(u′)." },                                                     \
  { "histogram_max_A", AM_KEY_FLOAT, "10", "Å", 0, 1000, AM_KEY_MIN_EXCLUSIVE, NULL,         \
    "p(u) and p(u′) cover [0, this); larger values count as overflow." },                    \
  { "trace_points_per_cycle", AM_KEY_INT, "100", "", 4, 1e6, 0, NULL,                        \
    "Points per cycle of the stress trace kept for replica 0 (Fig. 1)." },                   \
  { "watch_temperature_K", AM_KEY_FLOAT, "", "K", 0, 1e5, AM_KEY_OPTIONAL, NULL,             \
    "Temperature of the job the GUI shows live (empty: none)." },                            \
  { "watch_replica", AM_KEY_INT, "0", "", 0, 1e6, 0, NULL,                                   \
    "Replica of the watched job." },                                                         \
  { "watch_pin_set", AM_KEY_INT, "0", "", 0, 3, 0, NULL,                                     \
    "Pin set of the watched job, as the results number them (pinning: 0 none, 1 the pinned " \
    "RAs or pinned_ids, 2 the random VAs)." },                                               \
  { "trajectories", AM_KEY_BOOL, "true", "", 0, 0, 0, NULL,                                  \
    "Rerun replica 0 of each temperature (same stream, same numbers) recording XY heatmaps "  \
    "and u′(t) of its most reversible atom, of the most reversible atom at the selection "   \
    "temperature, and of its least and most mobile atoms (Figs. 4a, 6): one replica more "   \
    "per temperature." }

static const AmKeySpec dms_keys[] = {
  AM_DMS_KEYS,
  { "pinned", AM_KEY_CHOICE, "none", "", 0, 0, 0, "none|ids|auto-ra|random-va",
    "Pinned atoms: none, ids (the file pinned_ids), auto-ra (the pinned_count atoms with most "
    "reversible events in an unpinned run at selection_temperature_K), random-va (pinned_count "
    "random atoms that stayed vibrational there)." },
  { "pinned_ids", AM_KEY_PATH, "", "", 0, 0, AM_KEY_OPTIONAL | AM_KEY_MUST_EXIST, NULL,
    "File of atom ids to pin (whitespace separated, # comments), for pinned = ids." },
  { "pinned_count", AM_KEY_INT, "", "", 1, 1e9, AM_KEY_OPTIONAL, NULL,
    "Atoms to pin for auto-ra and random-va; empty means 2 % of the atoms (paper: 80 of 4000)." },
  { "selection_temperature_K", AM_KEY_FLOAT, "300", "K", 0, 1e5, AM_KEY_MIN_EXCLUSIVE, NULL,
    "Temperature of the unpinned run that chooses auto-ra and random-va atoms." },
  { NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL },
};

static const AmSectionSpec dms_section = {
  "dms", "MD dynamic mechanical spectroscopy: the temperature sweep of isoconfigurational replicas.",
  dms_keys,
};

static const AmKeySpec dms_pinning_keys[] = {
  AM_DMS_KEYS,
  { NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL },
};

static const AmSectionSpec dms_pinning_dms_section = {
  "dms", "MD dynamic mechanical spectroscopy: the temperature sweep of isoconfigurational replicas.",
  dms_pinning_keys,
};

static const AmKeySpec pinning_keys[] = {
  { "pinned_count", AM_KEY_INT, "", "", 1, 1e9, AM_KEY_OPTIONAL, NULL,
    "RAs to pin (those with most reversible events), and as many random VAs; empty means 2 % "
    "of the atoms (paper: 80 of 4000). Not with pinned_ids." },
  { "pinned_ids", AM_KEY_PATH, "", "", 0, 0, AM_KEY_OPTIONAL | AM_KEY_MUST_EXIST, NULL,
    "File of atom ids (the format of [dms] pinned_ids) pinned instead of the selected RAs, e.g. "
    "atoms clicked in the explorer; the control set is then as many random VAs, none of them "
    "in the file." },
  { "selection_temperature_K", AM_KEY_FLOAT, "300", "K", 0, 1e5, AM_KEY_MIN_EXCLUSIVE, NULL,
    "Temperature of the unpinned sweep whose replicas choose the pinned RAs and VAs." },
  { NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL },
};

static const AmSectionSpec pinning_section = {
  "pinning", "The pinning experiment: the sweep unpinned, with the selected RAs (or the atoms of "
  "pinned_ids) pinned, and with as many random VAs pinned.", pinning_keys,
};

static const AmSectionSpec *const dms_sweep_sections[] = {
  &dms_system_section, &dms_section, &output_section, NULL,
};
static const AmSectionSpec *const pinning_sections[] = {
  &dms_system_section, &dms_pinning_dms_section, &pinning_section, &output_section, NULL,
};

static const AmSectionSpec *const single_point_sections[] = {
  &system_section, &output_section, NULL,
};
static const AmSectionSpec *const md_sections[] = {
  &system_section, &md_section, &output_section, NULL,
};
static const AmSectionSpec *const quench_sections[] = {
  &quench_system_section, &quench_section, &output_section, NULL,
};

static const AmProtocolSchema single_point_schema = {
  "single-point", "energy, forces and pressure tensor of one configuration", single_point_sections,
};
static const AmProtocolSchema md_schema = {
  "md", "NVE, NVT or NPT molecular dynamics with thermo output", md_sections,
};
static const AmProtocolSchema quench_schema = {
  "quench", "melt, hold and cool under NPT into a glass, with the volume-temperature curve",
  quench_sections,
};

static const AmProtocolSchema dms_sweep_schema = {
  "dms-sweep", "MD-DMS temperature sweep: G′, G″, atom classes and reversible atoms, mean ± SEM over "
  "isoconfigurational replicas", dms_sweep_sections,
};
static const AmProtocolSchema pinning_schema = {
  "pinning", "MD-DMS sweep unpinned, with the selected RAs pinned and with random VAs pinned",
  pinning_sections,
};

/* The structure protocol (protocol_structure.c): per-atom structure of one configuration. */
static const AmKeySpec structure_keys[] = {
  { "inherent_structure", AM_KEY_BOOL, "false", "", 0, 0, 0, NULL,
    "Analyse the FIRE inherent structure instead of the configuration as given (soft modes always "
    "use the inherent structure)." },
  { "soft_modes", AM_KEY_BOOL, "true", "", 0, 0, 0, NULL,
    "Compute the participation p in the lowest non-zero modes of the dynamical matrix (a dense "
    "3N × 3N eigenproblem: 1.15 GB and minutes for 4000 atoms)." },
  { "mode_fraction", AM_KEY_FLOAT, "0.01", "", 0, 1, AM_KEY_MIN_EXCLUSIVE, NULL,
    "Fraction of the 3N − 3 non-zero modes averaged over (paper: the lowest 1 %)." },
  { "hessian", AM_KEY_CHOICE, "analytic", "", 0, 0, 0, "analytic|finite-difference",
    "Dynamical matrix from the EAM second derivatives, or from central differences of forces." },
  { "difference_step_A", AM_KEY_FLOAT, "0.0001", "Å", 0, 0.05, AM_KEY_MIN_EXCLUSIVE, NULL,
    "Displacement of the central differences (hessian = finite-difference)." },
  { "fire_ftol_eV_A", AM_KEY_FLOAT, "1e-8", "eV/Å", 0, 1, AM_KEY_MIN_EXCLUSIVE, NULL,
    "Force tolerance of the FIRE minimisation to the inherent structure." },
  { "fire_max_iterations", AM_KEY_INT, "200000", "", 1, 1e9, 0, NULL,
    "Iteration limit of that minimisation." },
  { "q6_weights", AM_KEY_CHOICE, "none", "", 0, 0, 0, "none|area",
    "Q6 (Lechner-Dellago over Voronoi neighbours): unit weights, or weights by face area." },
  { "min_face_fraction", AM_KEY_FLOAT, "1e-7", "", 0, 0.1, 0, NULL,
    "Voronoi faces smaller than this fraction of their cell's surface are not neighbours." },
  { "rdf_bin_A", AM_KEY_FLOAT, "0.02", "Å", 0, 1, AM_KEY_MIN_EXCLUSIVE, NULL,
    "Bin width of the partial pair distributions." },
  { "rdf_max_A", AM_KEY_FLOAT, "", "Å", 0, 1000, AM_KEY_OPTIONAL | AM_KEY_MIN_EXCLUSIVE, NULL,
    "Largest r of g(r); empty means min(10 Å, half the shortest box height)." },
  { "ra_ids", AM_KEY_PATH, "", "", 0, 0, AM_KEY_OPTIONAL | AM_KEY_MUST_EXIST, NULL,
    "File of the selected reversible atoms' ids (whitespace separated, # comments): writes "
    "comparison.csv and the RA-vs-VA figures (5d, 7a, S3, S4). Not with ras_from." },
  { "ras_from", AM_KEY_PATH, "", "", 0, 0, AM_KEY_OPTIONAL, NULL,
    "A dms-sweep or pinning output folder (or its selected_ras.csv): the selected RAs of pin set "
    "none (else the first set) at the temperature nearest ras_temperature_K are the RAs, and "
    "ra_displacements.csv beside it, when present, gives Fig. 7a's arrows. Not with ra_ids." },
  { "ras_temperature_K", AM_KEY_FLOAT, "300", "K", 0, 1e5, 0, NULL,
    "Which temperature's selected RAs ras_from takes (the nearest one listed; paper: 300 K)." },
  { "va_ids", AM_KEY_PATH, "", "", 0, 0, AM_KEY_OPTIONAL | AM_KEY_MUST_EXIST, NULL,
    "File of the vibrational atoms' ids; empty means every atom not in ra_ids." },
  { NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL },
};

static const AmSectionSpec structure_section = {
  "structure", "Per-atom structure of one configuration (SCIENCE.md, Structure of single atoms).",
  structure_keys,
};

static const AmSectionSpec *const structure_sections[] = {
  &system_section, &structure_section, &output_section, NULL,
};

static const AmProtocolSchema structure_schema = {
  "structure", "per-atom Voronoi volume, LCA |Θ|, Q6, energy, von Mises stress and soft-mode participation, "
  "partial g(r), and RAs against VAs", structure_sections,
};

static const AmProtocolSchema *const protocols[] = {
  &single_point_schema, &md_schema, &quench_schema, &dms_sweep_schema, &pinning_schema, &structure_schema, NULL,
};

const AmProtocolSchema *const *am_config_protocols(void)
{
  return protocols;
}

const AmProtocolSchema *am_config_find_protocol(const char *name)
{
  for (int i = 0; protocols[i]; i++)
    if (g_strcmp0(protocols[i]->name, name) == 0)
      return protocols[i];
  return NULL;
}

const AmSectionSpec *am_config_run_section(void)
{
  return &run_section;
}

/* ---- The config object ------------------------------------------------------------ */

typedef struct {
  const AmSectionSpec *section;
  const AmKeySpec *spec;
  char *text;        /* canonical text */
  double d;
  gint64 i;
  gboolean b;
  char **words;
  gboolean set;      /* optional keys: a value was given */
  char *origin;      /* "file:line", "--set …" or "default" */
} Value;

struct AmConfig {
  const AmProtocolSchema *schema;
  char *source;
  GHashTable *values; /* "section.key" → Value* */
};

static void value_free(gpointer p)
{
  Value *v = p;
  g_free(v->text);
  g_strfreev(v->words);
  g_free(v->origin);
  g_free(v);
}

static AmConfig *config_new(const AmProtocolSchema *schema, const char *source)
{
  AmConfig *cfg = g_new0(AmConfig, 1);
  cfg->schema = schema;
  cfg->source = g_strdup(source ? source : "");
  cfg->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, value_free);
  return cfg;
}

void am_config_free(AmConfig *cfg)
{
  if (!cfg)
    return;
  g_hash_table_unref(cfg->values);
  g_free(cfg->source);
  g_free(cfg);
}

const char *am_config_protocol(const AmConfig *cfg)
{
  return cfg->schema->name;
}

const AmProtocolSchema *am_config_schema(const AmConfig *cfg)
{
  return cfg->schema;
}

const char *am_config_source(const AmConfig *cfg)
{
  return cfg->source;
}

/* The sections of a protocol, [run] first. */
static const AmSectionSpec *schema_section(const AmProtocolSchema *schema, int i)
{
  if (i == 0)
    return &run_section;
  return schema->sections[i - 1];
}

static const AmSectionSpec *find_section(const AmProtocolSchema *schema, const char *name)
{
  for (int i = 0; schema_section(schema, i); i++)
    if (strcmp(schema_section(schema, i)->name, name) == 0)
      return schema_section(schema, i);
  return NULL;
}

static const AmKeySpec *find_key(const AmSectionSpec *section, const char *name)
{
  for (const AmKeySpec *k = section->keys; k->name; k++)
    if (strcmp(k->name, name) == 0)
      return k;
  return NULL;
}

/* ---- Suggestions for typos -------------------------------------------------------- */

static guint edit_distance(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  g_autofree guint *row = g_new(guint, lb + 1);
  for (size_t j = 0; j <= lb; j++)
    row[j] = (guint) j;
  for (size_t i = 1; i <= la; i++) {
    guint diag = row[0];
    row[0] = (guint) i;
    for (size_t j = 1; j <= lb; j++) {
      guint up = row[j];
      guint cost = g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 1]) ? 0 : 1;
      guint best = MIN(row[j] + 1, row[j - 1] + 1);
      row[j] = MIN(best, diag + cost);
      diag = up;
    }
  }
  return row[lb];
}

/* " (did you mean “x”?)" or a list of the candidates. */
static char *suggest(const char *word, const char *const *candidates)
{
  const char *best = NULL;
  guint best_d = G_MAXUINT;
  for (int i = 0; candidates[i]; i++) {
    guint d = edit_distance(word, candidates[i]);
    if (d < best_d) {
      best_d = d;
      best = candidates[i];
    }
  }
  if (best && best_d <= MAX(2u, (guint) strlen(word) / 3))
    return g_strdup_printf(" (did you mean “%s”?)", best);
  g_autofree char *list = g_strjoinv(", ", (char **) candidates);
  return g_strdup_printf("; expected one of: %s", list);
}

static char *suggest_key(const AmSectionSpec *section, const char *key)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new();
  for (const AmKeySpec *k = section->keys; k->name; k++)
    g_ptr_array_add(names, (gpointer) k->name);
  g_ptr_array_add(names, NULL);
  return suggest(key, (const char *const *) names->pdata);
}

static char *suggest_section(const AmProtocolSchema *schema, const char *name)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new();
  for (int i = 0; schema_section(schema, i); i++)
    g_ptr_array_add(names, (gpointer) schema_section(schema, i)->name);
  g_ptr_array_add(names, NULL);
  return suggest(name, (const char *const *) names->pdata);
}

static gboolean section_of_any_protocol(const char *name)
{
  for (int p = 0; protocols[p]; p++)
    if (find_section(protocols[p], name))
      return TRUE;
  return FALSE;
}

/* ---- Scanning the file ------------------------------------------------------------ */

typedef struct {
  char *section;
  char *key;
  char *value;
  char *origin;   /* "file:line" or "--set arg" */
  char *section_origin; /* where the [section] header is */
  gboolean from_override;
} Entry;

static void entry_free(gpointer p)
{
  Entry *e = p;
  g_free(e->section);
  g_free(e->key);
  g_free(e->value);
  g_free(e->origin);
  g_free(e->section_origin);
  g_free(e);
}

/* GKeyFile's escapes; anything else after a backslash is an error there too. */
static gboolean unescape(const char *in, char **out, const char *origin, GError **error)
{
  GString *s = g_string_new(NULL);
  for (const char *p = in; *p; p++) {
    if (*p != '\\') {
      g_string_append_c(s, *p);
      continue;
    }
    p++;
    switch (*p) {
    case 's': g_string_append_c(s, ' '); break;
    case 'n': g_string_append_c(s, '\n'); break;
    case 't': g_string_append_c(s, '\t'); break;
    case 'r': g_string_append_c(s, '\r'); break;
    case '\\': g_string_append_c(s, '\\'); break;
    default:
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_PARSE,
                  "%s: invalid escape “\\%.1s” in value (allowed: \\s \\n \\t \\r \\\\)", origin, p);
      g_string_free(s, TRUE);
      return FALSE;
    }
    if (!*p)
      break;
  }
  *out = g_string_free(s, FALSE);
  return TRUE;
}

static gboolean valid_name(const char *s)
{
  if (!*s)
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!(g_ascii_isalnum(*p) || *p == '_' || *p == '-'))
      return FALSE;
  return TRUE;
}

static gboolean scan_text(const char *text, gsize len, const char *name, GPtrArray *entries,
                          GError **error)
{
  if (!g_utf8_validate(text, (gssize) len, NULL)) {
    g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_PARSE, "%s: not UTF-8 text", name);
    return FALSE;
  }
  if (memchr(text, '\0', len)) {
    g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_PARSE, "%s: contains a NUL byte", name);
    return FALSE;
  }
  g_autofree char *copy = g_strndup(text, len);
  g_auto(GStrv) lines = g_strsplit(copy, "\n", -1);
  g_autofree char *section = NULL;
  g_autofree char *section_origin = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

  for (int n = 0; lines[n]; n++) {
    g_autofree char *origin = g_strdup_printf("%s:%d", name, n + 1);
    char *line = g_strstrip(lines[n]);
    if (*line == '\0' || *line == '#')
      continue;
    if (*line == '[') {
      char *end = strchr(line, ']');
      if (!end || end[1] != '\0') {
        g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_PARSE,
                    "%s: malformed section header “%s”: expected “[name]”", origin, line);
        return FALSE;
      }
      *end = '\0';
      char *sname = g_strstrip(line + 1);
      if (!valid_name(sname)) {
        g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_PARSE,
                    "%s: invalid section name “%s”: expected letters, digits, _ or -", origin, sname);
        return FALSE;
      }
      g_free(section);
      section = g_strdup(sname);
      g_free(section_origin);
      section_origin = g_strdup(origin);
      continue;
    }
    char *eq = strchr(line, '=');
    if (!eq) {
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_PARSE,
                  "%s: “%s” is not a section header, key = value pair or # comment", origin, line);
      return FALSE;
    }
    *eq = '\0';
    char *key = g_strstrip(line);
    char *raw = eq + 1;
    /* A trailing comment starts at a # that follows whitespace. */
    for (char *p = raw; *p; p++)
      if (*p == '#' && p > raw && g_ascii_isspace(p[-1])) {
        *p = '\0';
        break;
      }
    raw = g_strstrip(raw);
    if (!valid_name(key)) {
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_PARSE,
                  "%s: invalid key name “%s”: expected letters, digits, _ or -", origin, key);
      return FALSE;
    }
    if (!section) {
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_PARSE,
                  "%s: key “%s” appears before any [section] header", origin, key);
      return FALSE;
    }
    g_autofree char *full = g_strdup_printf("%s.%s", section, key);
    const char *first = g_hash_table_lookup(seen, full);
    if (first) {
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_DUPLICATE,
                  "%s: [%s] %s is given twice (first at line %s)", origin, section, key, first);
      return FALSE;
    }
    g_hash_table_insert(seen, g_strdup(full), g_strdup_printf("%d", n + 1));
    Entry *e = g_new0(Entry, 1);
    if (!unescape(raw, &e->value, origin, error)) {
      g_free(e);
      return FALSE;
    }
    e->section = g_strdup(section);
    e->key = g_strdup(key);
    e->origin = g_steal_pointer(&origin);
    e->section_origin = g_strdup(section_origin);
    g_ptr_array_add(entries, e);
  }
  return TRUE;
}

static gboolean scan_override(const char *arg, GPtrArray *entries, GError **error)
{
  const char *eq = strchr(arg, '=');
  const char *dot = strchr(arg, '.');
  if (!eq || !dot || dot > eq) {
    g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_OVERRIDE,
                "--set %s: expected SECTION.KEY=VALUE (e.g. --set md.steps=1000)", arg);
    return FALSE;
  }
  g_autofree char *section = g_strstrip(g_strndup(arg, (gsize) (dot - arg)));
  g_autofree char *key = g_strstrip(g_strndup(dot + 1, (gsize) (eq - dot - 1)));
  if (!valid_name(section) || !valid_name(key)) {
    g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_OVERRIDE,
                "--set %s: expected SECTION.KEY=VALUE with names of letters, digits, _ or -", arg);
    return FALSE;
  }
  Entry *e = g_new0(Entry, 1);
  e->section = g_steal_pointer(&section);
  e->key = g_steal_pointer(&key);
  e->value = g_strstrip(g_strdup(eq + 1));
  e->origin = g_strdup_printf("--set %s", arg);
  e->section_origin = g_strdup(e->origin);
  e->from_override = TRUE;
  g_ptr_array_add(entries, e);
  return TRUE;
}

/* ---- Values ----------------------------------------------------------------------- */

/* Shortest text that reads back as the same double. */
static char *format_double(double d)
{
  char buf[64], fmt[8];
  for (int prec = 1; prec <= 17; prec++) {
    g_snprintf(fmt, sizeof fmt, "%%.%dg", prec);
    g_ascii_formatd(buf, sizeof buf, fmt, d);
    if (g_ascii_strtod(buf, NULL) == d) {
      /* %g switches to an exponent when the precision is below the integer digits
       * (1500 → "1.5e+03"); people write 1500. */
      double a = fabs(d);
      if (strchr(buf, 'e') && a >= 1 && a < 1e16) {
        g_snprintf(fmt, sizeof fmt, "%%.%dg", MAX(prec, (int) floor(log10(a)) + 1));
        g_ascii_formatd(buf, sizeof buf, fmt, d);
      }
      break;
    }
  }
  return g_strdup(buf);
}

static char *describe_range(const AmKeySpec *k)
{
  g_autofree char *lo = format_double(k->min);
  g_autofree char *hi = format_double(k->max);
  const char *unit = k->unit && *k->unit ? k->unit : "";
  if (k->type == AM_KEY_INT && k->max >= INT_LIMIT)
    return g_strdup_printf("%s %s %s%s%s", lo, (k->flags & AM_KEY_MIN_EXCLUSIVE) ? "<" : "≤",
                           k->name, *unit ? ", " : "", unit);
  return g_strdup_printf("%s %s %s ≤ %s%s%s", lo, (k->flags & AM_KEY_MIN_EXCLUSIVE) ? "<" : "≤",
                         k->name, hi, *unit ? " " : "", unit);
}

static gboolean in_range(const AmKeySpec *k, double d)
{
  if (k->flags & AM_KEY_MIN_EXCLUSIVE ? !(d > k->min) : !(d >= k->min))
    return FALSE;
  return d <= k->max;
}

/* The folder of a path, for resolving relative names in it. */
static char *base_dir_of(const char *path)
{
  g_autofree char *dir = g_path_get_dirname(path);
  if (g_path_is_absolute(dir))
    return g_steal_pointer(&dir);
  g_autofree char *cwd = g_get_current_dir();
  return g_canonicalize_filename(dir, cwd);
}

static gboolean parse_value(const AmSectionSpec *section, const AmKeySpec *k, const char *text,
                            const char *origin, const char *base_dir, Value *v, GError **error)
{
  const char *unit = k->unit && *k->unit ? k->unit : NULL;
  v->section = section;
  v->spec = k;
  v->set = TRUE;

  if ((k->flags & AM_KEY_OPTIONAL) && *text == '\0' &&
      (k->type == AM_KEY_FLOAT || k->type == AM_KEY_INT || k->type == AM_KEY_PATH)) {
    v->set = FALSE;
    if (k->type == AM_KEY_PATH && (k->flags & AM_KEY_SHIPPED_POTENTIAL)) {
      g_autoptr(GError) local = NULL;
      char *path = am_config_find_data_file(SHIPPED_POTENTIAL, &local);
      if (!path) {
        g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_MISSING,
                    "%s: [%s] %s is empty and the shipped potential is missing: %s", origin,
                    section->name, k->name, local->message);
        return FALSE;
      }
      v->text = path;
      v->set = TRUE;
      return TRUE;
    }
    v->text = g_strdup("");
    return TRUE;
  }

  switch (k->type) {
  case AM_KEY_FLOAT: {
    char *end = NULL;
    errno = 0;
    double d = g_ascii_strtod(text, &end);
    if (*text == '\0' || end == text || *end != '\0' || errno == ERANGE || !isfinite(d)) {
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE,
                  "%s: [%s] %s = “%s”: expected a finite number%s%s%s", origin, section->name,
                  k->name, text, unit ? " (" : "", unit ? unit : "", unit ? ")" : "");
      return FALSE;
    }
    if (!in_range(k, d)) {
      g_autofree char *range = describe_range(k);
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_OUT_OF_RANGE,
                  "%s: [%s] %s = %s is out of range: expected %s", origin, section->name, k->name,
                  text, range);
      return FALSE;
    }
    v->d = d;
    v->text = format_double(d);
    return TRUE;
  }
  case AM_KEY_INT: {
    char *end = NULL;
    errno = 0;
    gint64 i = g_ascii_strtoll(text, &end, 10);
    if (*text == '\0' || end == text || *end != '\0' || errno == ERANGE) {
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE,
                  "%s: [%s] %s = “%s”: expected a whole number%s%s%s", origin, section->name,
                  k->name, text, unit ? " (" : "", unit ? unit : "", unit ? ")" : "");
      return FALSE;
    }
    if (!in_range(k, (double) i) || (double) i > INT_LIMIT) {
      g_autofree char *range = describe_range(k);
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_OUT_OF_RANGE,
                  "%s: [%s] %s = %s is out of range: expected %s", origin, section->name, k->name,
                  text, range);
      return FALSE;
    }
    v->i = i;
    v->d = (double) i;
    v->text = g_strdup_printf("%" G_GINT64_FORMAT, i);
    return TRUE;
  }
  case AM_KEY_BOOL: {
    static const char *const yes[] = { "true", "yes", "1", "on", NULL };
    static const char *const no[] = { "false", "no", "0", "off", NULL };
    if (g_strv_contains(yes, text)) {
      v->b = TRUE;
    } else if (g_strv_contains(no, text)) {
      v->b = FALSE;
    } else {
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE,
                  "%s: [%s] %s = “%s”: expected true or false", origin, section->name, k->name, text);
      return FALSE;
    }
    v->text = g_strdup(v->b ? "true" : "false");
    return TRUE;
  }
  case AM_KEY_STRING:
    v->text = g_strdup(text);
    return TRUE;
  case AM_KEY_CHOICE: {
    g_auto(GStrv) choices = NULL;
    if (k->choices) {
      choices = g_strsplit(k->choices, "|", -1);
    } else {
      /* [run] protocol: the choices are the protocol table. */
      GPtrArray *names = g_ptr_array_new();
      for (int p = 0; protocols[p]; p++)
        g_ptr_array_add(names, g_strdup(protocols[p]->name));
      g_ptr_array_add(names, NULL);
      choices = (GStrv) g_ptr_array_free(names, FALSE);
    }
    if (!g_strv_contains((const char *const *) choices, text)) {
      g_autofree char *hint = suggest(text, (const char *const *) choices);
      g_set_error(error, AM_CONFIG_ERROR,
                  k->choices ? AM_CONFIG_ERROR_INVALID_VALUE : AM_CONFIG_ERROR_UNKNOWN_PROTOCOL,
                  "%s: [%s] %s = “%s” is not a known value%s", origin, section->name, k->name,
                  text, hint);
      return FALSE;
    }
    v->text = g_strdup(text);
    return TRUE;
  }
  case AM_KEY_PATH: {
    if (*text == '\0') {
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_MISSING,
                  "%s: [%s] %s is empty: expected a file name", origin, section->name, k->name);
      return FALSE;
    }
    char *path = g_canonicalize_filename(text, base_dir);
    if ((k->flags & AM_KEY_MUST_EXIST) &&
        (!g_file_test(path, G_FILE_TEST_IS_REGULAR) || access(path, R_OK) != 0)) {
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE,
                  "%s: [%s] %s = “%s”: no readable file %s", origin, section->name, k->name, text,
                  path);
      g_free(path);
      return FALSE;
    }
    v->text = path;
    return TRUE;
  }
  case AM_KEY_WORDS: {
    g_auto(GStrv) parts = g_strsplit_set(text, " \t", -1);
    GPtrArray *words = g_ptr_array_new();
    for (int i = 0; parts[i]; i++)
      if (*parts[i])
        g_ptr_array_add(words, g_strdup(parts[i]));
    guint n = words->len;
    g_ptr_array_add(words, NULL);
    v->words = (char **) g_ptr_array_free(words, FALSE);
    if (n < k->min || n > k->max) {
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_OUT_OF_RANGE,
                  "%s: [%s] %s = “%s”: expected %g to %g words, got %u", origin, section->name,
                  k->name, text, k->min, k->max, n);
      return FALSE;
    }
    v->text = g_strjoinv(" ", v->words);
    return TRUE;
  }
  }
  g_assert_not_reached();
}

/* ---- Resolving -------------------------------------------------------------------- */

static AmConfig *resolve(GPtrArray *entries, const char *source, const char *base_dir,
                         gboolean fill_required, const char *forced_protocol, GError **error)
{
  /* The protocol decides which sections exist, so find it first (last word wins: an
   * override beats the file). */
  const Entry *proto_entry = NULL;
  for (guint i = 0; i < entries->len; i++) {
    const Entry *e = entries->pdata[i];
    if (strcmp(e->section, "run") == 0 && strcmp(e->key, "protocol") == 0)
      proto_entry = e;
  }
  const char *proto_name = forced_protocol ? forced_protocol
                           : proto_entry   ? proto_entry->value
                                           : find_key(&run_section, "protocol")->default_value;
  const AmProtocolSchema *schema = am_config_find_protocol(proto_name);
  if (!schema) {
    Value tmp = { 0 };
    parse_value(&run_section, find_key(&run_section, "protocol"), proto_name,
                proto_entry ? proto_entry->origin : "default", base_dir, &tmp, error);
    g_free(tmp.text);
    g_strfreev(tmp.words);
    return NULL;
  }

  g_autoptr(AmConfig) cfg = config_new(schema, source);
  g_autofree char *cwd = g_get_current_dir();
  for (guint i = 0; i < entries->len; i++) {
    const Entry *e = entries->pdata[i];
    const AmSectionSpec *sec = find_section(schema, e->section);
    if (!sec) {
      if (section_of_any_protocol(e->section)) {
        g_autoptr(GString) used = g_string_new("[run]");
        for (int j = 0; schema->sections[j]; j++)
          g_string_append_printf(used, ", [%s]", schema->sections[j]->name);
        g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_UNKNOWN_SECTION,
                    "%s: section [%s] is not used by protocol %s (it reads %s)", e->section_origin,
                    e->section, schema->name, used->str);
      } else {
        g_autofree char *hint = suggest_section(schema, e->section);
        g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_UNKNOWN_SECTION,
                    "%s: unknown section [%s]%s", e->section_origin, e->section, hint);
      }
      return NULL;
    }
    const AmKeySpec *k = find_key(sec, e->key);
    if (!k) {
      g_autofree char *hint = suggest_key(sec, e->key);
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_UNKNOWN_KEY,
                  "%s: unknown key “%s” in [%s]%s", e->origin, e->key, e->section, hint);
      return NULL;
    }
    /* A later --set replaces the file's value, which then need not be valid (an empty
     * required path filled in on the command line). */
    gboolean superseded = FALSE;
    for (guint j = i + 1; j < entries->len && !superseded; j++) {
      const Entry *later = entries->pdata[j];
      superseded = strcmp(later->section, e->section) == 0 && strcmp(later->key, e->key) == 0;
    }
    if (superseded)
      continue;
    Value *v = g_new0(Value, 1);
    if (!parse_value(sec, k, e->value, e->origin, e->from_override ? cwd : base_dir, v, error)) {
      value_free(v);
      return NULL;
    }
    v->origin = g_strdup(e->origin);
    g_hash_table_replace(cfg->values, g_strdup_printf("%s.%s", sec->name, k->name), v);
  }

  /* Defaults for everything not given. */
  for (int s = 0; schema_section(schema, s); s++) {
    const AmSectionSpec *sec = schema_section(schema, s);
    for (const AmKeySpec *k = sec->keys; k->name; k++) {
      g_autofree char *full = g_strdup_printf("%s.%s", sec->name, k->name);
      if (g_hash_table_contains(cfg->values, full))
        continue;
      if ((k->flags & AM_KEY_REQUIRED) && fill_required) {
        g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_MISSING,
                    "%s: [%s] %s is required by protocol %s (%s)", *source ? source : "config",
                    sec->name, k->name, schema->name, k->help);
        return NULL;
      }
      Value *v = g_new0(Value, 1);
      if (k->flags & AM_KEY_REQUIRED) {
        v->section = sec;
        v->spec = k;
        v->text = g_strdup(k->default_value);
      } else if (!parse_value(sec, k, forced_protocol && k == find_key(&run_section, "protocol")
                                          ? forced_protocol
                                          : k->default_value,
                              "default", base_dir, v, error)) {
        value_free(v);
        return NULL;
      }
      v->origin = g_strdup("default");
      g_hash_table_replace(cfg->values, g_steal_pointer(&full), v);
    }
  }
  return g_steal_pointer(&cfg);
}

AmConfig *am_config_load_data(const char *text, gssize len, const char *name, const char *base_dir,
                              const char *const *overrides, GError **error)
{
  g_return_val_if_fail(text != NULL, NULL);
  gsize n = len < 0 ? strlen(text) : (gsize) len;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(entry_free);
  if (!scan_text(text, n, name, entries, error))
    return NULL;
  for (int i = 0; overrides && overrides[i]; i++)
    if (!scan_override(overrides[i], entries, error))
      return NULL;
  g_autofree char *cwd = g_get_current_dir();
  return resolve(entries, name, base_dir ? base_dir : cwd, TRUE, NULL, error);
}

AmConfig *am_config_load(const char *path, const char *const *overrides, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;
  if (!g_file_get_contents(path, &text, &len, &local)) {
    g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_IO, "cannot read config: %s", local->message);
    return NULL;
  }
  g_autofree char *base = base_dir_of(path);
  return am_config_load_data(text, (gssize) len, path, base, overrides, error);
}

AmConfig *am_config_new_defaults(const char *protocol, GError **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(entry_free);
  g_autofree char *cwd = g_get_current_dir();
  if (!am_config_find_protocol(protocol)) {
    Entry *e = g_new0(Entry, 1);
    e->section = g_strdup("run");
    e->key = g_strdup("protocol");
    e->value = g_strdup(protocol);
    e->origin = g_strdup("protocol name");
    g_ptr_array_add(entries, e);
    return resolve(entries, "", cwd, FALSE, NULL, error);
  }
  return resolve(entries, "", cwd, FALSE, protocol, error);
}

gboolean am_config_check_value(const char *protocol, const char *section, const char *key, const char *text,
                               const char *origin, const char *base_dir, char **canonical, GError **error)
{
  g_return_val_if_fail(section != NULL && key != NULL && text != NULL, FALSE);
  const AmProtocolSchema *schema = am_config_find_protocol(protocol);
  if (!schema) {
    g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_UNKNOWN_PROTOCOL, "unknown protocol “%s”",
                protocol ? protocol : "");
    return FALSE;
  }
  const AmSectionSpec *sec = find_section(schema, section);
  const AmKeySpec *k = sec ? find_key(sec, key) : NULL;
  if (!k) {
    g_set_error(error, AM_CONFIG_ERROR, sec ? AM_CONFIG_ERROR_UNKNOWN_KEY : AM_CONFIG_ERROR_UNKNOWN_SECTION,
                "protocol %s has no key [%s] %s", schema->name, section, key);
    return FALSE;
  }
  if ((k->flags & AM_KEY_REQUIRED) && *text == '\0') {
    g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_MISSING, "%s: [%s] %s is required by protocol %s (%s)",
                origin ? origin : "value", sec->name, k->name, schema->name, k->help);
    return FALSE;
  }
  g_autofree char *cwd = base_dir ? NULL : g_get_current_dir();
  Value v = { 0 };
  gboolean ok = parse_value(sec, k, text, origin ? origin : "value", base_dir ? base_dir : cwd, &v, error);
  if (ok && canonical)
    *canonical = g_steal_pointer(&v.text);
  g_free(v.text);
  g_strfreev(v.words);
  return ok;
}

/* ---- Getters ---------------------------------------------------------------------- */

static const Value *lookup(const AmConfig *cfg, const char *section, const char *key, AmKeyType type)
{
  g_autofree char *full = g_strdup_printf("%s.%s", section, key);
  const Value *v = g_hash_table_lookup(cfg->values, full);
  if (!v)
    g_error("config: protocol %s has no key [%s] %s", cfg->schema->name, section, key);
  if ((int) type >= 0 && v->spec->type != type)
    g_error("config: [%s] %s asked for with the wrong type", section, key);
  return v;
}

double am_config_get_double(const AmConfig *cfg, const char *section, const char *key)
{
  const Value *v = lookup(cfg, section, key, (AmKeyType) -1);
  if (v->spec->type != AM_KEY_FLOAT && v->spec->type != AM_KEY_INT)
    g_error("config: [%s] %s is not a number", section, key);
  return v->set ? v->d : NAN;
}

gint64 am_config_get_int(const AmConfig *cfg, const char *section, const char *key)
{
  return lookup(cfg, section, key, AM_KEY_INT)->i;
}

gboolean am_config_get_bool(const AmConfig *cfg, const char *section, const char *key)
{
  return lookup(cfg, section, key, AM_KEY_BOOL)->b;
}

const char *am_config_get_string(const AmConfig *cfg, const char *section, const char *key)
{
  const Value *v = lookup(cfg, section, key, (AmKeyType) -1);
  if (v->spec->type != AM_KEY_STRING && v->spec->type != AM_KEY_CHOICE && v->spec->type != AM_KEY_PATH)
    g_error("config: [%s] %s is not a string", section, key);
  return v->text;
}

const char *const *am_config_get_words(const AmConfig *cfg, const char *section, const char *key)
{
  return (const char *const *) lookup(cfg, section, key, AM_KEY_WORDS)->words;
}

gboolean am_config_is_set(const AmConfig *cfg, const char *section, const char *key)
{
  return lookup(cfg, section, key, (AmKeyType) -1)->set;
}

const char *am_config_get_text(const AmConfig *cfg, const char *section, const char *key)
{
  return lookup(cfg, section, key, (AmKeyType) -1)->text;
}

/* ---- Writing ---------------------------------------------------------------------- */

static char *escape_value(const char *s)
{
  GString *out = g_string_new(NULL);
  for (const char *p = s; *p; p++) {
    switch (*p) {
    case '\n': g_string_append(out, "\\n"); break;
    case '\t': g_string_append(out, "\\t"); break;
    case '\r': g_string_append(out, "\\r"); break;
    case '\\': g_string_append(out, "\\\\"); break;
    case ' ':
      /* " #" would start a trailing comment on reading. */
      g_string_append(out, p[1] == '#' ? "\\s" : " ");
      break;
    default: g_string_append_c(out, *p);
    }
  }
  /* Leading and trailing blanks would be stripped on reading. */
  if (out->len && out->str[0] == ' ') {
    g_string_erase(out, 0, 1);
    g_string_prepend(out, "\\s");
  }
  if (out->len && out->str[out->len - 1] == ' ') {
    g_string_truncate(out, out->len - 1);
    g_string_append(out, "\\s");
  }
  return g_string_free(out, FALSE);
}

static void append_key_doc(GString *s, const AmKeySpec *k)
{
  g_string_append_printf(s, "# %s", k->help);
  switch (k->type) {
  case AM_KEY_FLOAT:
  case AM_KEY_INT: {
    g_autofree char *range = describe_range(k);
    g_string_append_printf(s, "\n#   %s: %s%s", k->type == AM_KEY_INT ? "integer" : "number", range,
                           (k->flags & AM_KEY_OPTIONAL) ? ", or empty" : "");
    break;
  }
  case AM_KEY_CHOICE:
    if (k->choices) {
      g_autofree char *alts = g_strdup(k->choices);
      g_strdelimit(alts, "|", ',');
      g_string_append_printf(s, "\n#   one of: %s", alts);
    } else {
      g_string_append(s, "\n#   one of:");
      for (int p = 0; protocols[p]; p++)
        g_string_append_printf(s, "%s %s", p ? "," : "", protocols[p]->name);
    }
    break;
  case AM_KEY_BOOL:
    g_string_append(s, "\n#   true or false");
    break;
  case AM_KEY_WORDS:
    g_string_append_printf(s, "\n#   %g to %g words", k->min, k->max);
    break;
  case AM_KEY_PATH:
    g_string_append(s, (k->flags & AM_KEY_REQUIRED) ? "\n#   file (required)" : "\n#   file");
    break;
  case AM_KEY_STRING:
    break;
  }
  g_string_append_c(s, '\n');
}

/* The name of path's file when it lies directly in folder dir (canonical), else NULL. */
static char *name_in_dir(const char *path, const char *dir)
{
  if (!dir || !path || !g_path_is_absolute(path))
    return NULL;
  g_autofree char *parent = g_path_get_dirname(path);
  return strcmp(parent, dir) == 0 ? g_path_get_basename(path) : NULL;
}

char *am_config_to_ini(const AmConfig *cfg)
{
  return am_config_to_ini_in(cfg, NULL);
}

char *am_config_to_ini_in(const AmConfig *cfg, const char *dir)
{
  g_autofree char *base = dir ? g_canonicalize_filename(dir, NULL) : NULL;
  GString *s = g_string_new(NULL);
  g_string_append_printf(s, "# Amorph %s configuration, protocol %s (%s).\n", AMORPH_VERSION,
                         cfg->schema->name, cfg->schema->summary);
  for (int i = 0; schema_section(cfg->schema, i); i++) {
    const AmSectionSpec *sec = schema_section(cfg->schema, i);
    g_string_append_printf(s, "\n# %s\n[%s]\n", sec->help, sec->name);
    for (const AmKeySpec *k = sec->keys; k->name; k++) {
      const Value *v = lookup(cfg, sec->name, k->name, (AmKeyType) -1);
      g_autofree char *beside = k->type == AM_KEY_PATH ? name_in_dir(v->text, base) : NULL;
      g_autofree char *text = escape_value(beside ? beside : v->text);
      append_key_doc(s, k);
      /* A leading # right after '=' is part of the value, after a blank a comment. */
      g_string_append_printf(s, "%s =%s%s\n", k->name, text[0] == '#' ? "" : " ", text);
    }
  }
  return g_string_free(s, FALSE);
}

static void add_value_json(JsonBuilder *b, const Value *v)
{
  switch (v->spec->type) {
  case AM_KEY_FLOAT:
    if (v->set)
      json_builder_add_double_value(b, v->d);
    else
      json_builder_add_null_value(b);
    break;
  case AM_KEY_INT:
    if (v->set)
      json_builder_add_int_value(b, v->i);
    else
      json_builder_add_null_value(b);
    break;
  case AM_KEY_BOOL:
    json_builder_add_boolean_value(b, v->b);
    break;
  case AM_KEY_WORDS:
    json_builder_begin_array(b);
    for (int i = 0; v->words && v->words[i]; i++)
      json_builder_add_string_value(b, v->words[i]);
    json_builder_end_array(b);
    break;
  default:
    json_builder_add_string_value(b, v->text);
  }
}

JsonNode *am_config_to_json(const AmConfig *cfg)
{
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  for (int i = 0; schema_section(cfg->schema, i); i++) {
    const AmSectionSpec *sec = schema_section(cfg->schema, i);
    json_builder_set_member_name(b, sec->name);
    json_builder_begin_object(b);
    for (const AmKeySpec *k = sec->keys; k->name; k++) {
      json_builder_set_member_name(b, k->name);
      add_value_json(b, lookup(cfg, sec->name, k->name, (AmKeyType) -1));
    }
    json_builder_end_object(b);
  }
  json_builder_end_object(b);
  return json_builder_get_root(b);
}

JsonNode *am_config_seeds_to_json(const AmConfig *cfg)
{
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  for (int i = 0; schema_section(cfg->schema, i); i++) {
    const AmSectionSpec *sec = schema_section(cfg->schema, i);
    for (const AmKeySpec *k = sec->keys; k->name; k++) {
      if (!(k->flags & AM_KEY_SEED))
        continue;
      g_autofree char *full = g_strdup_printf("%s.%s", sec->name, k->name);
      json_builder_set_member_name(b, full);
      add_value_json(b, lookup(cfg, sec->name, k->name, (AmKeyType) -1));
    }
  }
  json_builder_end_object(b);
  return json_builder_get_root(b);
}

char *am_config_describe(const char *protocol, GError **error)
{
  const AmProtocolSchema *schema = am_config_find_protocol(protocol);
  if (!schema) {
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    for (int p = 0; protocols[p]; p++)
      g_ptr_array_add(names, (gpointer) protocols[p]->name);
    g_ptr_array_add(names, NULL);
    g_autofree char *hint = suggest(protocol, (const char *const *) names->pdata);
    g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_UNKNOWN_PROTOCOL, "unknown protocol “%s”%s",
                protocol, hint);
    return NULL;
  }
  GString *s = g_string_new(NULL);
  g_string_append_printf(s, "# Protocol %s: %s.\n# Defaults shown; every key may be omitted "
                            "unless marked required.\n", schema->name, schema->summary);
  for (int i = 0; schema_section(schema, i); i++) {
    const AmSectionSpec *sec = schema_section(schema, i);
    g_string_append_printf(s, "\n# %s\n[%s]\n", sec->help, sec->name);
    for (const AmKeySpec *k = sec->keys; k->name; k++) {
      append_key_doc(s, k);
      const char *def = k->default_value;
      if (sec == &run_section && strcmp(k->name, "protocol") == 0)
        def = schema->name;
      g_string_append_printf(s, "%s = %s\n", k->name, def);
    }
  }
  return g_string_free(s, FALSE);
}

/* ---- Shipped data ----------------------------------------------------------------- */

/* Where the running executable lives, or NULL where the OS does not say (non-Linux). */
static char *executable_dir(void)
{
  g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
  return exe && g_path_is_absolute(exe) ? g_path_get_dirname(exe) : NULL;
}

/* An executable under the build root runs uninstalled: the source tree's data is the one
 * that belongs to it, even when an older Amorph is installed in the prefix. */
static gboolean running_uninstalled(const char *exe_dir)
{
  if (!exe_dir)
    return TRUE; /* unknown: keep the order that suits a developer */
  /* /proc/self/exe has its symbolic links resolved, so the root must have them too. */
  char *root = realpath(AMORPH_BUILD_ROOT, NULL);
  if (!root)
    return FALSE; /* the build tree is gone: this copy was installed */
  gboolean inside = g_str_has_prefix(exe_dir, root) &&
                    (exe_dir[strlen(root)] == '/' || exe_dir[strlen(root)] == '\0');
  free(root);
  return inside;
}

char *am_config_find_data_file(const char *relative, GError **error)
{
  const char *env = g_getenv("AMORPH_DATA_DIR");
  if (env && *env) {
    /* An explicit data folder is not silently replaced by another. */
    char *path = g_build_filename(env, relative, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
      return path;
    g_free(path);
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no %s in $AMORPH_DATA_DIR (%s)",
                relative, env);
    return NULL;
  }
  g_autofree char *exe_dir = executable_dir();
  /* Installed: the data beside the binary first (found through the same relative path
   * as in the prefix, so a relocated or --destdir install works), then the configured
   * prefix. Uninstalled: the source tree. */
  g_autofree char *relocated = exe_dir && *AMORPH_DATADIR_FROM_BINDIR
                                   ? g_canonicalize_filename(AMORPH_DATADIR_FROM_BINDIR, exe_dir)
                                   : NULL;
  const char *dirs[3];
  int n = 0;
  if (running_uninstalled(exe_dir)) {
    dirs[n++] = AMORPH_SOURCE_DATADIR;
    dirs[n++] = AMORPH_DATADIR;
  } else {
    if (relocated)
      dirs[n++] = relocated;
    dirs[n++] = AMORPH_DATADIR;
  }
  for (int i = 0; i < n; i++) {
    char *path = g_build_filename(dirs[i], relative, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
      return path;
    g_free(path);
  }
  g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no %s in %s%s%s (set AMORPH_DATA_DIR "
              "to the folder that holds Amorph's data)", relative, dirs[0], n > 1 ? " or " : "",
              n > 1 ? dirs[1] : "");
  return NULL;
}
