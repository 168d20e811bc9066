/* test-eam.c: the EAM force engine against LAMMPS golden data (tests/data/golden, made by
 * tests/data/make-golden.sh), against its own energy derivatives, and on bad input. */
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "sim/data_file.h"
#include "sim/eam.h"
#include "sim/neighbor.h"
#include "sim/system.h"
#include "sim/units.h"

/* Skin used throughout: the small-box configuration is built to sit just above the
 * neighbour method's limit cutoff + skin = 9.6 Å. */
#define SKIN 2.0

static const char *const golden_names[] = {"b2-perturbed", "liquid", "tilted", "small-box", "dense-liquid"};
static const char *const cu_zr[] = {"Cu", "Zr"};

static AmEam *potential;

static char *source_path(const char *rel)
{
  const char *src = g_getenv("AMORPH_SOURCE_DIR");
  g_assert_nonnull(src);
  return g_build_filename(src, rel, NULL);
}

static void load_config_with(AmSystem *sys, const AmEam *pot, const char *const *names, const char *name,
                             double skin)
{
  AmError err = {0};
  am_system_init(sys, pot, skin);
  char *rel = g_strdup_printf("tests/data/golden/%s.data", name);
  char *path = source_path(rel);
  AmDataInfo info;
  AmStatus st = am_data_read(path, &sys->box, &sys->atoms, &info, &err);
  if (st)
    g_error("%s: %s", path, err.message);
  st = am_system_bind_types(sys, names, &err);
  if (st)
    g_error("%s: %s", path, err.message);
  g_free(rel);
  g_free(path);
}

static void load_config(AmSystem *sys, const char *name, double skin)
{
  load_config_with(sys, potential, cu_zr, name, skin);
}

typedef struct {
  long natoms;
  double pe;
  double p[6];       /* pxx pyy pzz pxy pxz pyz, bar */
  long n;
  long *id;
  double *f;         /* 3 per atom, in file (id) order */
  double *pe_atom;
  double *stress;    /* 6 per atom: compute stress/atom NULL virial, bar·Å³ */
} Golden;

static void golden_read(Golden *g, const char *name)
{
  memset(g, 0, sizeof *g);
  char *rel = g_strdup_printf("tests/data/golden/%s.ref", name);
  char *path = source_path(rel);
  gchar *text = NULL;
  GError *gerr = NULL;
  if (!g_file_get_contents(path, &text, NULL, &gerr))
    g_error("%s", gerr->message);
  static const char *const keys[] = {"pe", "pxx", "pyy", "pzz", "pxy", "pxz", "pyz"};
  gchar **lines = g_strsplit(text, "\n", -1);
  int found = 0;
  for (gchar **l = lines; *l; l++) {
    char key[32];
    double v;
    if (sscanf(*l, "%31s %lf", key, &v) != 2)
      continue;
    if (strcmp(key, "natoms") == 0)
      g->natoms = (long) v, found++;
    for (int k = 0; k < 7; k++)
      if (strcmp(key, keys[k]) == 0) {
        if (k == 0)
          g->pe = v;
        else
          g->p[k - 1] = v;
        found++;
      }
  }
  g_assert_cmpint(found, ==, 8);
  g_strfreev(lines);
  g_free(text);
  g_free(path);
  g_free(rel);

  rel = g_strdup_printf("tests/data/golden/%s.forces", name);
  path = source_path(rel);
  if (!g_file_get_contents(path, &text, NULL, &gerr))
    g_error("%s", gerr->message);
  lines = g_strsplit(text, "\n", -1);
  g->id = g_new0(long, g->natoms);
  g->f = g_new0(double, 3 * g->natoms);
  g->pe_atom = g_new0(double, g->natoms);
  g->stress = g_new0(double, 6 * g->natoms);
  bool in_atoms = false;
  for (gchar **l = lines; *l; l++) {
    if (g_str_has_prefix(*l, "ITEM: ATOMS")) {
      in_atoms = true;
      continue;
    }
    if (!in_atoms || !**l)
      continue;
    g_assert_cmpint(g->n, <, g->natoms);
    long id;
    int type;
    double *f = g->f + 3 * g->n, *s = g->stress + 6 * g->n;
    int got = sscanf(*l, "%ld %d %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf", &id, &type, &f[0], &f[1], &f[2],
                     &g->pe_atom[g->n], &s[0], &s[1], &s[2], &s[3], &s[4], &s[5]);
    g_assert_cmpint(got, ==, 12);
    g->id[g->n++] = id;
  }
  g_assert_cmpint(g->n, ==, g->natoms);
  g_strfreev(lines);
  g_free(text);
  g_free(path);
  g_free(rel);
}

static void golden_free(Golden *g)
{
  g_free(g->id);
  g_free(g->f);
  g_free(g->pe_atom);
  g_free(g->stress);
}

static void compute_ok(AmSystem *sys)
{
  AmError err = {0};
  AmStatus st = am_system_compute_forces(sys, &err);
  if (st)
    g_error("compute_forces: %s", err.message);
}

static void test_energy_vs_lammps(void)
{
  for (unsigned c = 0; c < G_N_ELEMENTS(golden_names); c++) {
    AmSystem sys;
    Golden g;
    load_config(&sys, golden_names[c], SKIN);
    golden_read(&g, golden_names[c]);
    g_assert_cmpint((long) sys.atoms.n, ==, g.natoms);
    sys.compute_flags = AM_COMPUTE_PER_ATOM_ENERGY;
    compute_ok(&sys);
    const double de = fabs(sys.pe - g.pe) / (double) g.natoms;
    g_test_message("%s: E = %.12f eV, LAMMPS %.12f eV, |ΔE|/N = %.2e eV", golden_names[c], sys.pe, g.pe, de);
    g_assert_cmpfloat(de, <, 1e-6);
    double worst = 0.0;
    for (long k = 0; k < g.n; k++) {
      const long i = am_atoms_find_id(&sys.atoms, g.id[k]);
      g_assert_cmpint(i, >=, 0);
      worst = fmax(worst, fabs(sys.pe_atom[i] - g.pe_atom[k]));
    }
    g_test_message("%s: per-atom energy max |Δ| = %.2e eV", golden_names[c], worst);
    g_assert_cmpfloat(worst, <, 1e-6);
    golden_free(&g);
    am_system_free(&sys);
  }
}

static void test_forces_vs_lammps(void)
{
  for (unsigned c = 0; c < G_N_ELEMENTS(golden_names); c++) {
    AmSystem sys;
    Golden g;
    load_config(&sys, golden_names[c], SKIN);
    golden_read(&g, golden_names[c]);
    compute_ok(&sys);
    double worst = 0.0, fmax_abs = 0.0;
    for (long k = 0; k < g.n; k++) {
      const long i = am_atoms_find_id(&sys.atoms, g.id[k]);
      g_assert_cmpint(i, >=, 0);
      for (int d = 0; d < 3; d++) {
        worst = fmax(worst, fabs(sys.atoms.f[3 * i + d] - g.f[3 * k + d]));
        fmax_abs = fmax(fmax_abs, fabs(g.f[3 * k + d]));
      }
    }
    g_test_message("%s: max |ΔF| = %.2e eV/Å (largest force component %.2f eV/Å)", golden_names[c], worst,
                   fmax_abs);
    g_assert_cmpfloat(worst, <, 1e-5);
    /* Guard against comparing zeros with zeros. */
    g_assert_cmpfloat(fmax_abs, >, 0.1);
    golden_free(&g);
    am_system_free(&sys);
  }
}

static void kinetic_tensor(const AmAtoms *atoms, double kin[6])
{
  memset(kin, 0, 6 * sizeof *kin);
  for (size_t i = 0; i < atoms->n; i++) {
    const double m = atoms->mass[atoms->type[i]] * AM_MVV2E;
    const double *v = atoms->v + 3 * i;
    kin[0] += m * v[0] * v[0], kin[1] += m * v[1] * v[1], kin[2] += m * v[2] * v[2];
    kin[3] += m * v[0] * v[1], kin[4] += m * v[0] * v[2], kin[5] += m * v[1] * v[2];
  }
}

static void test_virial_vs_lammps(void)
{
  bool saw_velocities = false;
  for (unsigned c = 0; c < G_N_ELEMENTS(golden_names); c++) {
    AmSystem sys;
    Golden g;
    load_config(&sys, golden_names[c], SKIN);
    golden_read(&g, golden_names[c]);
    sys.compute_flags = AM_COMPUTE_PER_ATOM_VIRIAL;
    compute_ok(&sys);
    double kin[6];
    kinetic_tensor(&sys.atoms, kin);
    if (fabs(kin[0]) > 0.0)
      saw_velocities = true;
    const double vol = am_box_volume(&sys.box);
    double worst = 0.0;
    for (int d = 0; d < 6; d++) {
      const double p = (kin[d] + sys.virial[d]) / vol * AM_NKTV2P;
      worst = fmax(worst, fabs(p - g.p[d]));
    }
    g_test_message("%s: pressure tensor max |ΔP| = %.2e bar (pxx %.3f bar)", golden_names[c], worst, g.p[0]);
    g_assert_cmpfloat(worst, <, 0.1);
    /* Per-atom virials: LAMMPS' stress/atom is minus the per-atom virial in bar·Å³. */
    double worst_atom = 0.0;
    for (long k = 0; k < g.n; k++) {
      const long i = am_atoms_find_id(&sys.atoms, g.id[k]);
      for (int d = 0; d < 6; d++)
        worst_atom = fmax(worst_atom, fabs(-sys.virial_atom[6 * i + d] - g.stress[6 * k + d] / AM_NKTV2P));
    }
    g_test_message("%s: per-atom virial max |Δ| = %.2e eV", golden_names[c], worst_atom);
    g_assert_cmpfloat(worst_atom, <, 1e-6);
    golden_free(&g);
    am_system_free(&sys);
  }
  g_assert_true(saw_velocities);
}

/* eam/alloy through the same engine: a Cu-Ni potential whose file lists Ni before Cu, so
 * binding by name matters. */
static void test_alloy_vs_lammps(void)
{
  char *path = source_path("tests/data/golden/CuNi.eam.alloy");
  AmEam *cuni = NULL;
  AmError err = {0};
  if (am_eam_load(path, AM_EAM_ALLOY, &cuni, &err))
    g_error("%s", err.message);
  g_free(path);
  g_assert_cmpint(am_eam_find_element(cuni, "Ni"), ==, 0);
  g_assert_cmpint(am_eam_find_element(cuni, "Cu"), ==, 1);
  static const char *const cu_ni[] = {"Cu", "Ni"};
  AmSystem sys;
  Golden g;
  load_config_with(&sys, cuni, cu_ni, "cuni-alloy", SKIN);
  golden_read(&g, "cuni-alloy");
  sys.compute_flags = AM_COMPUTE_PER_ATOM_ENERGY;
  compute_ok(&sys);
  const double de = fabs(sys.pe - g.pe) / (double) g.natoms;
  double df = 0.0, dea = 0.0, dp = 0.0, kin[6];
  for (long k = 0; k < g.n; k++) {
    const long i = am_atoms_find_id(&sys.atoms, g.id[k]);
    g_assert_cmpint(i, >=, 0);
    for (int d = 0; d < 3; d++)
      df = fmax(df, fabs(sys.atoms.f[3 * i + d] - g.f[3 * k + d]));
    dea = fmax(dea, fabs(sys.pe_atom[i] - g.pe_atom[k]));
  }
  kinetic_tensor(&sys.atoms, kin);
  g_assert_cmpfloat(kin[0], >, 0.0);
  for (int d = 0; d < 6; d++)
    dp = fmax(dp, fabs((kin[d] + sys.virial[d]) / am_box_volume(&sys.box) * AM_NKTV2P - g.p[d]));
  g_test_message("cuni-alloy: |ΔE|/N = %.2e eV, max |ΔF| = %.2e eV/Å, max |ΔE_i| = %.2e eV, max |ΔP| = %.2e bar", de,
                 df, dea, dp);
  g_assert_cmpfloat(de, <, 1e-6);
  g_assert_cmpfloat(df, <, 1e-5);
  g_assert_cmpfloat(dea, <, 1e-6);
  g_assert_cmpfloat(dp, <, 0.1);
  golden_free(&g);
  am_system_free(&sys);
  am_eam_free(cuni);
}

/* The splines pass through the tabulated points, and F continues linearly past ρ_max. */
static void test_splines(void)
{
  char *path = source_path("data/potentials/CuZr_mm.eam.fs");
  AmEamTables tab;
  memset(&tab, 0, sizeof tab);
  AmError err = {0};
  g_assert_cmpint(am_eam_file_read(path, AM_EAM_FS, &tab, &err), ==, AM_OK);
  g_free(path);
  const int ne = tab.nelements;
  g_assert_cmpint(am_eam_element_count(potential), ==, ne);
  g_assert_cmpfloat(am_eam_cutoff(potential), ==, tab.cutoff);
  for (int a = 0; a < ne; a++) {
    g_assert_cmpstr(am_eam_element_name(potential, a), ==, tab.element[a]);
    g_assert_cmpfloat(am_eam_element_mass(potential, a), ==, tab.mass[a]);
  }
  for (int k = 100; k < tab.nr - 1; k += 997)
    for (int a = 0; a < ne; a++)
      for (int b = 0; b < ne; b++) {
        const double r = (k + 0.5) * tab.dr, r_lo = k * tab.dr, r_hi = (k + 1) * tab.dr;
        /* At the knots the splines equal the table (to rounding of r·(1/dr)). */
        const double z_lo = tab.z2r[((size_t) a * ne + b) * tab.nr + k];
        const double z_hi = tab.z2r[((size_t) a * ne + b) * tab.nr + k + 1];
        g_assert_cmpfloat(fabs(am_eam_pair(potential, a, b, r_lo, NULL) * r_lo - z_lo), <, 1e-9 * (1 + fabs(z_lo)));
        g_assert_cmpfloat(fabs(am_eam_pair(potential, a, b, r_hi, NULL) * r_hi - z_hi), <, 1e-9 * (1 + fabs(z_hi)));
        const double rho_lo = tab.rhor[((size_t) a * ne + b) * tab.nr + k];
        g_assert_cmpfloat(fabs(am_eam_density(potential, a, b, r_lo, NULL) - rho_lo), <, 1e-9 * (1 + fabs(rho_lo)));
        /* Analytic slopes agree with central differences of the spline itself. */
        double dphi, drho;
        am_eam_pair(potential, a, b, r, &dphi);
        am_eam_density(potential, a, b, r, &drho);
        const double hh = 1e-7;
        const double dphi_fd =
            (am_eam_pair(potential, a, b, r + hh, NULL) - am_eam_pair(potential, a, b, r - hh, NULL)) / (2 * hh);
        const double drho_fd =
            (am_eam_density(potential, a, b, r + hh, NULL) - am_eam_density(potential, a, b, r - hh, NULL)) / (2 * hh);
        g_assert_cmpfloat(fabs(dphi - dphi_fd), <, 1e-5 * (1 + fabs(dphi)));
        g_assert_cmpfloat(fabs(drho - drho_fd), <, 1e-5 * (1 + fabs(drho)));
      }
  const double rhomax = (tab.nrho - 1) * tab.drho;
  for (int a = 0; a < ne; a++) {
    const double f_knot = tab.frho[(size_t) a * tab.nrho + 1234];
    g_assert_cmpfloat(fabs(am_eam_embedding(potential, a, 1234 * tab.drho, NULL) - f_knot), <, 1e-9 * (1 + fabs(f_knot)));
    double d_end, d_far;
    const double f_end = am_eam_embedding(potential, a, rhomax, &d_end);
    const double f_far = am_eam_embedding(potential, a, rhomax + 7.5, &d_far);
    g_assert_cmpfloat(d_far, ==, d_end);
    g_assert_cmpfloat(fabs(f_far - (f_end + 7.5 * d_end)), <, 1e-9 * (1 + fabs(f_far)));
  }
  am_eam_tables_free(&tab);
}

static void test_system_copy(void)
{
  AmSystem a, b;
  AmError err = {0};
  load_config(&a, "liquid", SKIN);
  a.compute_flags = AM_COMPUTE_PER_ATOM_ENERGY | AM_COMPUTE_PER_ATOM_VIRIAL;
  compute_ok(&a);
  am_system_init(&b, NULL, 0.0);
  g_assert_cmpint(am_system_copy(&b, &a, &err), ==, AM_OK);
  g_assert_true(b.potential == a.potential);
  g_assert_cmpfloat(b.skin, ==, a.skin);
  g_assert_cmpfloat(b.pe, ==, a.pe);
  g_assert_cmpmem(b.virial_atom, 6 * a.atoms.n * sizeof(double), a.virial_atom, 6 * a.atoms.n * sizeof(double));
  /* The copy computes on its own engine and gets the same numbers... */
  memset(b.atoms.f, 0, 3 * b.atoms.n * sizeof(double));
  compute_ok(&b);
  g_assert_cmpfloat(b.pe, ==, a.pe);
  g_assert_cmpmem(b.atoms.f, 3 * a.atoms.n * sizeof(double), a.atoms.f, 3 * a.atoms.n * sizeof(double));
  /* ... and moving its atoms leaves the original alone. */
  b.atoms.x[0] += 0.3;
  compute_ok(&b);
  compute_ok(&a);
  g_assert_cmpfloat(b.pe, !=, a.pe);
  am_system_free(&b);
  am_system_free(&a);
}

static double energy_of(AmSystem *sys)
{
  compute_ok(sys);
  return sys->pe;
}

static void test_forces_finite_difference(void)
{
  static const char *const configs[] = {"tilted", "dense-liquid"};
  const double h = 1e-5;
  for (unsigned c = 0; c < G_N_ELEMENTS(configs); c++) {
    AmSystem sys;
    load_config(&sys, configs[c], SKIN);
    compute_ok(&sys);
    double *f0 = g_memdup2(sys.atoms.f, 3 * sys.atoms.n * sizeof(double));
    double worst = 0.0;
    for (size_t i = 0; i < sys.atoms.n; i += sys.atoms.n / 7)
      for (int d = 0; d < 3; d++) {
        double *x = &sys.atoms.x[3 * i + d];
        const double x0 = *x;
        *x = x0 + h;
        const double ep = energy_of(&sys);
        *x = x0 - h;
        const double em = energy_of(&sys);
        *x = x0;
        const double fd = -(ep - em) / (2 * h);
        const double diff = fabs(fd - f0[3 * i + d]);
        worst = fmax(worst, diff);
        g_assert_cmpfloat(diff, <, 1e-5 + 1e-6 * fabs(f0[3 * i + d]));
      }
    g_test_message("%s: central differences vs forces, max |Δ| = %.2e eV/Å", configs[c], worst);
    g_free(f0);
    am_system_free(&sys);
  }
}

/* Energy after the homogeneous deformation r → (I + e·E_ab) r of box and atoms, with E_ab
 * the unit matrix with a 1 at (a, b), b ≥ a so the box stays in LAMMPS' restricted form. */
static double strained_energy(const AmSystem *ref, AmSystem *work, int a, int b, double e)
{
  AmError err = {0};
  g_assert_cmpint(am_system_copy(work, ref, &err), ==, AM_OK);
  double m[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  m[a][b] += e;
  const double h[3][3] = {{ref->box.lx, ref->box.xy, ref->box.xz}, {0, ref->box.ly, ref->box.yz}, {0, 0, ref->box.lz}};
  double hn[3][3] = {{0}};
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      for (int q = 0; q < 3; q++)
        hn[r][c] += m[r][q] * h[q][c];
  AmBox *box = &work->box;
  box->lx = hn[0][0], box->xy = hn[0][1], box->xz = hn[0][2];
  box->ly = hn[1][1], box->yz = hn[1][2], box->lz = hn[2][2];
  for (size_t i = 0; i < work->atoms.n; i++) {
    double s[3];
    am_box_to_frac(&ref->box, ref->atoms.x + 3 * i, s);
    am_box_from_frac(box, s, work->atoms.x + 3 * i);
  }
  /* Box lo stays: the deformation is about the box origin. */
  return energy_of(work);
}

static void test_virial_finite_strain(void)
{
  static const char *const configs[] = {"tilted", "liquid"};
  static const int comp[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};
  const double e = 1e-6;
  for (unsigned c = 0; c < G_N_ELEMENTS(configs); c++) {
    AmSystem sys, work;
    load_config(&sys, configs[c], SKIN);
    compute_ok(&sys);
    am_system_init(&work, potential, SKIN);
    double worst = 0.0;
    for (int k = 0; k < 6; k++) {
      const double ep = strained_energy(&sys, &work, comp[k][0], comp[k][1], e);
      const double em = strained_energy(&sys, &work, comp[k][0], comp[k][1], -e);
      /* W_ab = −∂E/∂ε_ab for x_a → x_a + ε_ab x_b. */
      const double w = -(ep - em) / (2 * e);
      const double diff = fabs(w - sys.virial[k]);
      worst = fmax(worst, diff);
      g_assert_cmpfloat(diff, <, 1e-4 + 1e-6 * fabs(sys.virial[k]));
    }
    g_test_message("%s: −dE/dε vs virial, max |Δ| = %.2e eV (virial xx %.3f eV)", configs[c], worst,
                   sys.virial[0]);
    am_system_free(&work);
    am_system_free(&sys);
  }
}

static void test_per_atom_sums(void)
{
  for (unsigned c = 0; c < G_N_ELEMENTS(golden_names); c++) {
    AmSystem sys;
    load_config(&sys, golden_names[c], SKIN);
    sys.compute_flags = AM_COMPUTE_PER_ATOM_ENERGY | AM_COMPUTE_PER_ATOM_VIRIAL;
    compute_ok(&sys);
    double e = 0.0, v[6] = {0};
    for (size_t i = 0; i < sys.atoms.n; i++) {
      e += sys.pe_atom[i];
      for (int d = 0; d < 6; d++)
        v[d] += sys.virial_atom[6 * i + d];
    }
    g_assert_cmpfloat(fabs(e - sys.pe), <, 1e-10 * fabs(sys.pe));
    for (int d = 0; d < 6; d++)
      g_assert_cmpfloat(fabs(v[d] - sys.virial[d]), <, 1e-10 * (1.0 + fabs(sys.virial[0])));
    /* Asking for per-atom data must not change the totals or the forces. */
    double *f = g_memdup2(sys.atoms.f, 3 * sys.atoms.n * sizeof(double));
    const double pe = sys.pe;
    sys.compute_flags = 0;
    compute_ok(&sys);
    g_assert_cmpfloat(sys.pe, ==, pe);
    g_assert_cmpmem(f, 3 * sys.atoms.n * sizeof(double), sys.atoms.f, 3 * sys.atoms.n * sizeof(double));
    g_free(f);
    am_system_free(&sys);
  }
}

/* Replicates an orthogonal configuration k×k×k times (ids renumbered). */
static void replicate(AmSystem *sys, int k)
{
  g_assert_false(am_box_is_triclinic(&sys->box));
  AmError err = {0};
  const size_t n = sys->atoms.n;
  g_assert_cmpint(am_atoms_resize(&sys->atoms, n * k * k * k, &err), ==, AM_OK);
  size_t c = n;
  for (int a = 0; a < k; a++)
    for (int b = 0; b < k; b++)
      for (int d = 0; d < k; d++) {
        if (!a && !b && !d)
          continue;
        for (size_t i = 0; i < n; i++, c++) {
          sys->atoms.id[c] = (int64_t) c + 1;
          sys->atoms.type[c] = sys->atoms.type[i];
          sys->atoms.x[3 * c] = sys->atoms.x[3 * i] + a * sys->box.lx;
          sys->atoms.x[3 * c + 1] = sys->atoms.x[3 * i + 1] + b * sys->box.ly;
          sys->atoms.x[3 * c + 2] = sys->atoms.x[3 * i + 2] + d * sys->box.lz;
        }
      }
  sys->box.lx *= k, sys->box.ly *= k, sys->box.lz *= k;
  am_system_invalidate(sys);
}

static void test_deterministic(void)
{
#ifdef _OPENMP
  const int saved = omp_get_max_threads();
#endif
  AmSystem a, b;
  load_config(&a, "dense-liquid", SKIN);
  load_config(&b, "dense-liquid", SKIN);
  /* Large enough that the engine really splits the work between two threads. */
  replicate(&a, 2);
  replicate(&b, 2);
  g_assert_cmpuint(a.atoms.n / AM_MIN_ATOMS_PER_THREAD, >=, 2);
  /* A small jiggle so the replicas are not exact copies of each other. */
  for (size_t k = 0; k < 3 * a.atoms.n; k++)
    a.atoms.x[k] = b.atoms.x[k] = a.atoms.x[k] + 0.01 * sin(0.37 * (double) k);
  const size_t n3 = 3 * a.atoms.n * sizeof(double);
  a.compute_flags = b.compute_flags = AM_COMPUTE_PER_ATOM_ENERGY | AM_COMPUTE_PER_ATOM_VIRIAL;
#ifdef _OPENMP
  omp_set_num_threads(2);
#endif
  compute_ok(&a);
  compute_ok(&b);
  g_assert_cmpmem(a.atoms.f, n3, b.atoms.f, n3);
  g_assert_cmpmem(&a.pe, sizeof a.pe, &b.pe, sizeof b.pe);
  g_assert_cmpmem(a.virial, sizeof a.virial, b.virial, sizeof b.virial);
  g_assert_cmpmem(a.virial_atom, 2 * n3, b.virial_atom, 2 * n3);
  /* Again on the same engine (list reused). */
  compute_ok(&b);
  g_assert_cmpmem(a.atoms.f, n3, b.atoms.f, n3);
  g_assert_cmpmem(&a.pe, sizeof a.pe, &b.pe, sizeof b.pe);

#ifdef _OPENMP
  omp_set_num_threads(1);
  am_system_invalidate(&b);
  compute_ok(&b);
  double worst = 0.0, scale = 0.0;
  size_t differ = 0;
  for (size_t k = 0; k < 3 * a.atoms.n; k++) {
    worst = fmax(worst, fabs(a.atoms.f[k] - b.atoms.f[k]));
    scale = fmax(scale, fabs(a.atoms.f[k]));
    differ += a.atoms.f[k] != b.atoms.f[k];
  }
  g_test_message("1 vs 2 threads, %zu atoms: max |ΔF| = %.2e eV/Å (%zu of %zu components differ), ΔE = %.2e eV",
                 a.atoms.n, worst, differ, 3 * a.atoms.n, b.pe - a.pe);
  g_assert_cmpfloat(worst, <=, 1e-10 * scale);
  g_assert_cmpfloat(fabs(a.pe - b.pe), <=, 1e-10 * fabs(a.pe));
  for (int d = 0; d < 6; d++)
    g_assert_cmpfloat(fabs(a.virial[d] - b.virial[d]), <=, 1e-10 * fabs(a.virial[0]));
  omp_set_num_threads(saved);
#endif
  am_system_free(&a);
  am_system_free(&b);
}

/* Pass 1 skips the skin pairs that cannot have come inside the cutoff since the build
 * (from the largest move and the box deformation): forces on a reused list, after atoms
 * moved almost as far as the skin allows and the box was sheared, must equal those from
 * a list built afresh at the new positions. A skipped pair inside the cutoff would be off
 * by a pair force, not by rounding. */
static void test_skin_skip(void)
{
  const double skin = 1.0;
  AmSystem a, b;
  load_config(&a, "dense-liquid", skin);
  load_config(&b, "dense-liquid", skin);
  compute_ok(&a);
  const long builds = am_force_engine_builds(a.engine);
  const size_t n = a.atoms.n, n3 = 3 * n;
  double *x0 = g_memdup2(a.atoms.x, n3 * sizeof *x0);
  for (int round = 1; round <= 3; round++) {
    /* Atoms move up to 0.14·round Å from where the list was built (2·0.42 Å plus the
     * box term stays under the 1 Å skin at round 3) and the box tilts by 0.05·round % of
     * its height. */
    for (size_t k = 0; k < n3; k++)
      a.atoms.x[k] = b.atoms.x[k] = x0[k] + 0.08 * round * sin(1.7 * (double) k + 0.3 * round);
    a.box.xy = b.box.xy = 0.0005 * round * a.box.ly;
    compute_ok(&a);
    am_system_invalidate(&b);
    compute_ok(&b);
    g_assert_cmpint(am_force_engine_builds(a.engine), ==, builds); /* the list was reused */
    double worst = 0.0, scale = 0.0;
    for (size_t k = 0; k < n3; k++) {
      worst = fmax(worst, fabs(a.atoms.f[k] - b.atoms.f[k]));
      scale = fmax(scale, fabs(b.atoms.f[k]));
    }
    g_test_message("round %d: max |ΔF| = %.2e eV/Å of %.2e, ΔE = %.2e eV", round, worst, scale, a.pe - b.pe);
    g_assert_cmpfloat(worst, <=, 1e-10 * scale);
    g_assert_cmpfloat(fabs(a.pe - b.pe), <=, 1e-10 * fabs(b.pe));
  }
  g_free(x0);
  am_system_free(&a);
  am_system_free(&b);
}

static void test_missing_element(void)
{
  AmSystem sys;
  AmError err = {0};
  am_system_init(&sys, potential, SKIN);
  char *path = source_path("tests/data/golden/b2-perturbed.data");
  g_assert_cmpint(am_data_read(path, &sys.box, &sys.atoms, NULL, &err), ==, AM_OK);
  g_free(path);

  /* Forces before binding: refused, not garbage. */
  g_assert_cmpint(am_system_compute_forces(&sys, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "am_system_bind_types"));

  static const char *const cu_al[] = {"Cu", "Al"};
  memset(&err, 0, sizeof err);
  g_assert_cmpint(am_system_bind_types(&sys, cu_al, &err), ==, AM_ERR_INVALID);
  g_test_message("%s", err.message);
  g_assert_nonnull(strstr(err.message, "\"Al\""));
  g_assert_nonnull(strstr(err.message, "Cu Zr"));

  /* A mass that contradicts the potential names the type and both masses. */
  sys.atoms.mass[1] = 40.0;
  memset(&err, 0, sizeof err);
  g_assert_cmpint(am_system_bind_types(&sys, cu_zr, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "91.224"));
  am_system_free(&sys);
}

static void test_box_too_small(void)
{
  AmSystem sys;
  AmError err = {0};
  /* small-box has heights of about 9.7 Å: fine for skin 2 (9.6 Å needed) ... */
  load_config(&sys, "small-box", SKIN);
  compute_ok(&sys);
  am_system_free(&sys);
  /* ... but not for skin 2.5. */
  load_config(&sys, "small-box", 2.5);
  g_assert_cmpint(am_system_compute_forces(&sys, &err), ==, AM_ERR_INVALID);
  g_test_message("%s", err.message);
  g_assert_nonnull(strstr(err.message, "10.1"));
  g_assert_nonnull(strstr(err.message, "cutoff + skin"));
  /* Shrinking a box that worked is refused too, not answered with a stale list. */
  sys.skin = SKIN;
  compute_ok(&sys);
  sys.box.lz *= 0.95;
  memset(&err, 0, sizeof err);
  g_assert_cmpint(am_system_compute_forces(&sys, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "z is too small"));
  am_system_free(&sys);
}

static void test_nan_position(void)
{
  AmSystem sys;
  AmError err = {0};
  load_config(&sys, "liquid", SKIN);
  compute_ok(&sys);
  sys.atoms.x[3 * 17 + 1] = NAN;
  g_assert_cmpint(am_system_compute_forces(&sys, &err), ==, AM_ERR_NUMERIC);
  g_test_message("%s", err.message);
  char *want = g_strdup_printf("atom %lld ", (long long) sys.atoms.id[17]);
  g_assert_nonnull(strstr(err.message, want));
  g_free(want);
  /* Two atoms on top of each other: refused as well, naming both. */
  sys.atoms.x[3 * 17 + 0] = sys.atoms.x[0];
  sys.atoms.x[3 * 17 + 1] = sys.atoms.x[1];
  sys.atoms.x[3 * 17 + 2] = sys.atoms.x[2];
  memset(&err, 0, sizeof err);
  g_assert_cmpint(am_system_compute_forces(&sys, &err), ==, AM_ERR_NUMERIC);
  g_test_message("%s", err.message);
  g_assert_nonnull(strstr(err.message, "closer than"));
  am_system_free(&sys);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  char *path = source_path("data/potentials/CuZr_mm.eam.fs");
  AmError err = {0};
  if (am_eam_load(path, AM_EAM_FS, &potential, &err))
    g_error("%s", err.message);
  g_free(path);
  g_test_add_func("/sim/eam/splines", test_splines);
  g_test_add_func("/sim/eam/energy-vs-lammps", test_energy_vs_lammps);
  g_test_add_func("/sim/eam/forces-vs-lammps", test_forces_vs_lammps);
  g_test_add_func("/sim/eam/virial-vs-lammps", test_virial_vs_lammps);
  g_test_add_func("/sim/eam/alloy-vs-lammps", test_alloy_vs_lammps);
  g_test_add_func("/sim/eam/forces-finite-difference", test_forces_finite_difference);
  g_test_add_func("/sim/eam/virial-finite-strain", test_virial_finite_strain);
  g_test_add_func("/sim/eam/per-atom-sums", test_per_atom_sums);
  g_test_add_func("/sim/eam/deterministic", test_deterministic);
  g_test_add_func("/sim/eam/skin-skip", test_skin_skip);
  g_test_add_func("/sim/eam/system-copy", test_system_copy);
  g_test_add_func("/sim/eam/missing-element", test_missing_element);
  g_test_add_func("/sim/eam/box-too-small", test_box_too_small);
  g_test_add_func("/sim/eam/nan-position", test_nan_position);
  int rc = g_test_run();
  am_eam_free(potential);
  return rc;
}
