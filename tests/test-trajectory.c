/* test-trajectory.c: XY heatmaps and bounded u′(t) series of chosen atoms, on synthetic
 * paths with known sites. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "analysis/trajectory.h"

static double gauss(GRand *rng)
{
  const double u1 = 1.0 - g_rand_double(rng), u2 = g_rand_double(rng);
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

typedef struct {
  double x, y;
} Peak;

/* The highest bin, then the highest bin at least `exclude` Å from the first. */
static void two_peaks(const AmTrajectory *tr, const double *dens, double exclude, Peak pk[2])
{
  const double bin = tr->params.bin;
  for (int which = 0; which < 2; which++) {
    double best = -1.0;
    for (size_t iy = 0; iy < tr->ny; iy++)
      for (size_t ix = 0; ix < tr->nx; ix++) {
        const double x = tr->params.x_min + (ix + 0.5) * bin, y = tr->params.y_min + (iy + 0.5) * bin;
        if (which == 1 && hypot(x - pk[0].x, y - pk[0].y) < exclude)
          continue;
        if (dens[iy * tr->nx + ix] > best) {
          best = dens[iy * tr->nx + ix];
          pk[which].x = x;
          pk[which].y = y;
        }
      }
  }
}

/* Atom 2 of 4 hops between its start site and a site 1.5 Å away at 30° in the XY plane,
 * with 0.1 Å thermal noise, while the box shears: the heatmap shows two peaks at the two
 * sites and nothing between them; the affine part is removed. Atom 0 is also recorded and
 * only vibrates: one peak at the origin. */
static void test_two_sites(void)
{
  const size_t n_total = 4, atoms[2] = {2, 0};
  AmTrajectoryParams p;
  am_trajectory_params_default(&p);
  AmTrajectory tr;
  AmError err = {0};
  g_assert_cmpint(am_trajectory_init(&tr, n_total, atoms, 2, &p, &err), ==, AM_OK);
  g_assert_cmpuint(tr.nx, ==, 200);
  g_assert_cmpuint(tr.ny, ==, 200);
  const double site[2] = {1.5 * cos(M_PI / 6), 1.5 * sin(M_PI / 6)};
  GRand *rng = g_rand_new_with_seed(17);
  double r[12], aff[12];
  int at_b = 0;
  const int frames = 20000;
  for (int f = 0; f < frames; f++) {
    const double t = 60.0 + 0.5 * f;
    const double gamma = 0.05 * sin(2 * M_PI * t / 10.0);
    const bool b = f > 0 && (f / 37) % 2 == 1;
    at_b += b;
    for (int i = 0; i < 4; i++) {
      const double base[3] = {2.0 * i, 3.0 + 4.0 * i, 1.0};
      double d[3] = {0.1 * gauss(rng), 0.1 * gauss(rng), 0.1 * gauss(rng)};
      if (f == 0)
        d[0] = d[1] = d[2] = 0.0;
      if (i == 2 && b) {
        d[0] += site[0];
        d[1] += site[1];
      }
      aff[3 * i] = gamma * (base[1] + d[1]);
      aff[3 * i + 1] = aff[3 * i + 2] = 0.0;
      for (int a = 0; a < 3; a++)
        r[3 * i + a] = base[a] + d[a] + aff[3 * i + a];
    }
    g_assert_cmpint(am_trajectory_add(&tr, t, r, aff, &err), ==, AM_OK);
  }
  g_rand_free(rng);
  g_assert_cmpuint(tr.frames, ==, frames);
  double *dens = g_new(double, tr.nx * tr.ny);
  g_assert_cmpint(am_trajectory_density(&tr, 0, dens, &err), ==, AM_OK);
  double mass = 0.0;
  for (size_t k = 0; k < tr.nx * tr.ny; k++)
    mass += dens[k] * p.bin * p.bin;
  g_assert_cmpfloat_with_epsilon(mass, 1.0, 1e-12); /* nothing leaves ±5 Å */
  Peak pk[2];
  two_peaks(&tr, dens, 0.5, pk);
  /* Order the peaks: origin first. */
  if (hypot(pk[0].x, pk[0].y) > hypot(pk[1].x, pk[1].y)) {
    const Peak tmp = pk[0];
    pk[0] = pk[1];
    pk[1] = tmp;
  }
  g_test_message("peaks at (%.3f, %.3f) and (%.3f, %.3f), site at (%.3f, %.3f)", pk[0].x, pk[0].y, pk[1].x,
                 pk[1].y, site[0], site[1]);
  /* Peaks within two bins (0.1 Å) of the sites; their distance 1.5 Å to within 0.1 Å. */
  g_assert_cmpfloat(hypot(pk[0].x, pk[0].y), <, 0.1);
  g_assert_cmpfloat(hypot(pk[1].x - site[0], pk[1].y - site[1]), <, 0.1);
  g_assert_cmpfloat_with_epsilon(hypot(pk[1].x - pk[0].x, pk[1].y - pk[0].y), 1.5, 0.1);
  /* Half the mass at each site (the hop pattern spends `at_b` frames at B), none between. */
  double mass_b = 0.0, mid = 0.0;
  for (size_t iy = 0; iy < tr.ny; iy++)
    for (size_t ix = 0; ix < tr.nx; ix++) {
      const double x = p.x_min + (ix + 0.5) * p.bin, y = p.y_min + (iy + 0.5) * p.bin;
      const double w = dens[iy * tr.nx + ix] * p.bin * p.bin;
      if (hypot(x - site[0], y - site[1]) < 0.5)
        mass_b += w;
      if (hypot(x - site[0] / 2, y - site[1] / 2) < 0.2)
        mid += w;
    }
  g_assert_cmpfloat_with_epsilon(mass_b, (double)at_b / frames, 0.01);
  g_assert_cmpfloat(mid, <, 1e-3);

  /* The vibrating atom: one peak at the origin (the affine part removed). */
  g_assert_cmpint(am_trajectory_density(&tr, 1, dens, &err), ==, AM_OK);
  two_peaks(&tr, dens, 0.5, pk);
  g_assert_cmpfloat(hypot(pk[0].x, pk[0].y), <, 0.1);
  double near = 0.0;
  for (size_t iy = 0; iy < tr.ny; iy++)
    for (size_t ix = 0; ix < tr.nx; ix++) {
      const double x = p.x_min + (ix + 0.5) * p.bin, y = p.y_min + (iy + 0.5) * p.bin;
      if (hypot(x, y) < 0.5)
        near += dens[iy * tr.nx + ix] * p.bin * p.bin;
    }
  g_assert_cmpfloat(near, >, 0.999);
  g_free(dens);
  g_assert_cmpint(am_trajectory_density(&tr, 2, dens, &err), ==, AM_ERR_INVALID);
  am_trajectory_free(&tr);
}

/* Bounded series: with capacity 8, 37 frames keep frames 0, 8, 16, 24, 32 (stride 8),
 * each with its exact u′; a checkpoint taken on the way resumes identically. */
static void test_series(void)
{
  const size_t atoms[1] = {1};
  AmTrajectoryParams p;
  am_trajectory_params_default(&p);
  p.series_capacity = 8;
  p.x_min = p.y_min = -1.0;
  p.x_max = p.y_max = 1.0;
  p.bin = 0.5;
  AmTrajectory tr, resumed;
  AmError err = {0};
  g_assert_cmpint(am_trajectory_init(&tr, 2, atoms, 1, &p, &err), ==, AM_OK);
  double r[6] = {0}, *u_of_frame = g_new(double, 37);
  guint8 *ckpt = NULL;
  size_t ckpt_len = 0;
  for (int f = 0; f < 37; f++) {
    /* Atom 1 drifts along z by 0.1·f and x by 0.05·f: u′ = f·√0.0125. */
    r[3] = 5.0 + 0.05 * f;
    r[4] = -2.0;
    r[5] = 7.0 + 0.1 * f;
    r[0] = NAN; /* atom 0 is not recorded: its coordinates are never looked at */
    u_of_frame[f] = hypot(0.05 * f, 0.1 * f);
    g_assert_cmpint(am_trajectory_add(&tr, 100.0 + f, r, NULL, &err), ==, AM_OK);
    if (f == 20) {
      ckpt_len = am_trajectory_serialize(&tr, NULL, 0);
      ckpt = g_malloc(ckpt_len);
      g_assert_cmpuint(am_trajectory_serialize(&tr, ckpt, ckpt_len), ==, ckpt_len);
      size_t used;
      g_assert_cmpint(am_trajectory_deserialize(&resumed, ckpt, ckpt_len, &used, &err), ==, AM_OK);
      g_assert_cmpuint(used, ==, ckpt_len);
    } else if (f > 20) {
      g_assert_cmpint(am_trajectory_add(&resumed, 100.0 + f, r, NULL, &err), ==, AM_OK);
    }
  }
  const double *t, *u;
  size_t len;
  g_assert_cmpint(am_trajectory_series(&tr, 0, &t, &u, &len, &err), ==, AM_OK);
  g_assert_cmpuint(len, ==, 5);
  g_assert_cmpuint(tr.stride, ==, 8);
  for (size_t j = 0; j < len; j++) {
    g_assert_cmpfloat(t[j], ==, 100.0 + 8.0 * j);
    g_assert_cmpfloat_with_epsilon(u[j], u_of_frame[8 * j], 1e-12);
  }
  /* Heatmap: x displacement 0.05·f reaches 1 Å at f = 20: frames 20…36 fall outside. */
  g_assert_cmpuint(tr.outside[0], ==, 17);
  const size_t sz = am_trajectory_serialize(&tr, NULL, 0);
  g_assert_cmpuint(am_trajectory_serialize(&resumed, NULL, 0), ==, sz);
  guint8 *b1 = g_malloc(sz), *b2 = g_malloc(sz);
  am_trajectory_serialize(&tr, b1, sz);
  am_trajectory_serialize(&resumed, b2, sz);
  g_assert_cmpmem(b1, sz, b2, sz);
  for (size_t l = 0; l < ckpt_len; l += 13) {
    AmTrajectory bad;
    g_assert_cmpint(am_trajectory_deserialize(&bad, ckpt, l, NULL, &err), ==, AM_ERR_FORMAT);
    g_assert_null(bad.atoms);
  }
  g_free(b1);
  g_free(b2);
  g_free(ckpt);
  g_free(u_of_frame);
  am_trajectory_free(&resumed);
  am_trajectory_free(&tr);
}

/* The series stays bounded over a long run and covers it uniformly. */
static void test_series_long(void)
{
  const size_t atoms[1] = {0};
  AmTrajectoryParams p;
  am_trajectory_params_default(&p);
  p.series_capacity = 100;
  AmTrajectory tr;
  AmError err = {0};
  g_assert_cmpint(am_trajectory_init(&tr, 1, atoms, 1, &p, &err), ==, AM_OK);
  double r[3] = {0, 0, 0};
  for (int f = 0; f < 100000; f++)
    g_assert_cmpint(am_trajectory_add(&tr, 1.0 * f, r, NULL, &err), ==, AM_OK);
  const double *t, *u;
  size_t len;
  g_assert_cmpint(am_trajectory_series(&tr, 0, &t, &u, &len, &err), ==, AM_OK);
  g_assert_cmpuint(len, <=, 100);
  g_assert_cmpuint(len, >=, 50);
  for (size_t j = 0; j < len; j++)
    g_assert_cmpfloat(t[j], ==, (double)(j * tr.stride));
  g_assert_cmpfloat(t[len - 1], >, 100000 - 1 - (double)tr.stride);
  am_trajectory_free(&tr);
}

static void test_bad_input(void)
{
  AmTrajectoryParams p;
  am_trajectory_params_default(&p);
  AmTrajectory tr;
  AmError err = {0};
  const size_t atoms[2] = {0, 5};
  g_assert_cmpint(am_trajectory_init(&tr, 5, atoms, 2, &p, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "index 5"));
  g_assert_cmpint(am_trajectory_init(&tr, 5, atoms, 0, &p, &err), ==, AM_ERR_INVALID);
  p.bin = 0.3;
  g_assert_cmpint(am_trajectory_init(&tr, 6, atoms, 2, &p, &err), ==, AM_ERR_INVALID);
  am_trajectory_params_default(&p);
  p.series_capacity = 7;
  g_assert_cmpint(am_trajectory_init(&tr, 6, atoms, 2, &p, &err), ==, AM_ERR_INVALID);
  am_trajectory_params_default(&p);
  p.x_max = p.x_min;
  g_assert_cmpint(am_trajectory_init(&tr, 6, atoms, 2, &p, &err), ==, AM_ERR_INVALID);
  g_assert_null(tr.atoms);

  am_trajectory_params_default(&p);
  p.series_capacity = 0;
  g_assert_cmpint(am_trajectory_init(&tr, 6, atoms, 2, &p, &err), ==, AM_OK);
  double r[18] = {0}, dens[40000];
  const double *t, *u;
  size_t len;
  g_assert_cmpint(am_trajectory_density(&tr, 0, dens, &err), ==, AM_ERR_INVALID); /* no frames */
  g_assert_cmpint(am_trajectory_add(&tr, 1.0, r, NULL, &err), ==, AM_OK);
  g_assert_cmpint(am_trajectory_series(&tr, 0, &t, &u, &len, &err), ==, AM_ERR_INVALID);
  g_assert_cmpint(am_trajectory_add(&tr, 1.0, r, NULL, &err), ==, AM_ERR_INVALID); /* time not increasing */
  g_assert_true(tr.failed);
  g_assert_cmpint(am_trajectory_density(&tr, 0, dens, &err), ==, AM_ERR_INVALID);
  am_trajectory_free(&tr);
  g_assert_cmpint(am_trajectory_init(&tr, 6, atoms, 2, &p, &err), ==, AM_OK);
  r[3 * 5 + 2] = NAN;
  g_assert_cmpint(am_trajectory_add(&tr, 1.0, r, NULL, &err), ==, AM_ERR_NUMERIC);
  g_assert_nonnull(strstr(err.message, "atom 5"));
  g_assert_cmpint(am_trajectory_add(&tr, 2.0, r, NULL, &err), ==, AM_ERR_INVALID);
  am_trajectory_free(&tr);
}

/* The pool: atoms 1 and 3 of 5 have known non-affine paths under shear (atom 1 sits
 * still, atom 3 alternates between 0 and 1.23 Å along a diagonal); their u′ pooled into one
 * histogram gives exactly those values, twice as many at 0 as at 1.23 Å. Atom 0 is the
 * recorder's own and does not count. The pool survives a checkpoint, an empty pool is a
 * valid result, and a pool after the first frame is refused. */
static void test_pool(void)
{
  const size_t atoms[1] = {0}, pool[2] = {1, 3};
  AmTrajectoryParams p;
  am_trajectory_params_default(&p);
  AmTrajectory tr = {0};
  AmError err = {0};
  g_assert_cmpint(am_trajectory_init(&tr, 5, atoms, 1, &p, &err), ==, AM_OK);
  g_assert_cmpint(am_trajectory_pool(&tr, pool, 2, 0.01, 5.0, &err), ==, AM_OK);
  g_assert_cmpint(am_trajectory_pool(&tr, pool, 2, 0.01, 5.0, &err), !=, AM_OK);
  const int frames = 100;
  const double hop = 1.23 / sqrt(2.0);
  for (int f = 0; f < frames; f++) {
    double x[15], aff[15];
    for (int k = 0; k < 15; k++) {
      aff[k] = (k % 3 == 0) ? 0.3 * sin(0.1 * f) * (double)(k / 3) : 0.0; /* shear: x moves with y-ish */
      x[k] = 2.0 * k + aff[k];
    }
    x[0] += 0.4 * f; /* the recorded atom drifts: not in the pool */
    if (f % 2) {
      x[9] += hop;
      x[10] += hop;
    }
    g_assert_cmpint(am_trajectory_add(&tr, 1.0 + f, x, aff, &err), ==, AM_OK);
  }
  const AmHistogram *h = &tr.pool_u;
  g_assert_cmpuint(am_histogram_total(h), ==, 2 * frames);
  const size_t b0 = 0, b1 = (size_t)(1.23 / 0.01 + 1e-9);
  g_assert_cmpuint(h->counts[b0], ==, frames + frames / 2);
  g_assert_cmpuint(h->counts[b1] + h->counts[b1 - 1], ==, frames / 2);
  /* Peak displacement vectors: none for the atom that sits still, the diagonal hop for
   * the other (the affine part removed). */
  for (int c = 0; c < 4; c++)
    g_assert_cmpfloat(fabs(tr.pool_peak[c]), <, 1e-12);
  g_assert_cmpfloat(fabs(tr.pool_peak[4] - hop), <, 1e-12);
  g_assert_cmpfloat(fabs(tr.pool_peak[5] - hop), <, 1e-12);
  g_assert_cmpfloat(fabs(tr.pool_peak[6]), <, 1e-12);
  g_assert_cmpfloat(fabs(tr.pool_peak[7] - 1.23), <, 1e-12);

  size_t len = am_trajectory_serialize(&tr, NULL, 0);
  guint8 *buf = g_malloc(len);
  g_assert_cmpuint(am_trajectory_serialize(&tr, buf, len), ==, len);
  AmTrajectory back = {0};
  size_t used = 0;
  g_assert_cmpint(am_trajectory_deserialize(&back, buf, len, &used, &err), ==, AM_OK);
  g_assert_cmpuint(used, ==, len);
  g_assert_true(back.pooled);
  g_assert_cmpuint(back.n_pool, ==, 2);
  g_assert_cmpmem(back.pool_u.counts, back.pool_u.nbins * 8, h->counts, h->nbins * 8);
  g_assert_cmpmem(back.pool_q0, 6 * sizeof(double), tr.pool_q0, 6 * sizeof(double));
  g_assert_cmpmem(back.pool_peak, 8 * sizeof(double), tr.pool_peak, 8 * sizeof(double));
  /* A version-2 record (before the peaks were kept) is still read: same contents, peaks
   * unknown. Its last bytes are the histogram, where version 3 appends the peaks. */
  {
    guint8 *v2 = g_memdup2(buf, len);
    v2[G_BYTE_ORDER == G_LITTLE_ENDIAN ? 0 : 7] = (guint8) '2'; /* "AMTRAJ03" → "AMTRAJ02" */
    AmTrajectory old = {0};
    size_t used2 = 0;
    g_assert_cmpint(am_trajectory_deserialize(&old, v2, len - 8 * sizeof(double), &used2, &err), ==, AM_OK);
    g_assert_cmpuint(used2, ==, len - 8 * sizeof(double));
    g_assert_cmpuint(old.n_pool, ==, 2);
    g_assert_cmpmem(old.pool_u.counts, old.pool_u.nbins * 8, h->counts, h->nbins * 8);
    for (int c = 0; c < 8; c++)
      g_assert_true(isnan(old.pool_peak[c]));
    am_trajectory_free(&old);
    g_free(v2);
  }
  /* Every cut of the record is refused, none crashes. */
  for (size_t cut = 0; cut < len; cut += 7) {
    AmTrajectory t2 = {0};
    g_assert_cmpint(am_trajectory_deserialize(&t2, buf, cut, NULL, &err), !=, AM_OK);
    am_trajectory_free(&t2);
  }
  g_free(buf);
  am_trajectory_free(&back);
  am_trajectory_free(&tr);

  /* An empty pool and a pool after the first frame. */
  g_assert_cmpint(am_trajectory_init(&tr, 5, atoms, 1, &p, &err), ==, AM_OK);
  g_assert_cmpint(am_trajectory_pool(&tr, NULL, 0, 0.01, 5.0, &err), ==, AM_OK);
  double x[15] = {0};
  g_assert_cmpint(am_trajectory_add(&tr, 0.0, x, NULL, &err), ==, AM_OK);
  g_assert_cmpuint(am_histogram_total(&tr.pool_u), ==, 0);
  am_trajectory_free(&tr);
  g_assert_cmpint(am_trajectory_init(&tr, 5, atoms, 1, &p, &err), ==, AM_OK);
  g_assert_cmpint(am_trajectory_add(&tr, 0.0, x, NULL, &err), ==, AM_OK);
  g_assert_cmpint(am_trajectory_pool(&tr, pool, 2, 0.01, 5.0, &err), !=, AM_OK);
  g_assert_nonnull(strstr(err.message, "before the first frame"));
  /* A pooled atom out of range. */
  am_trajectory_free(&tr);
  const size_t bad[1] = {5};
  g_assert_cmpint(am_trajectory_init(&tr, 5, atoms, 1, &p, &err), ==, AM_OK);
  g_assert_cmpint(am_trajectory_pool(&tr, bad, 1, 0.01, 5.0, &err), !=, AM_OK);
  g_assert_false(tr.pooled);
  am_trajectory_free(&tr);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/analysis/trajectory/two-sites-heatmap", test_two_sites);
  g_test_add_func("/analysis/trajectory/series-decimation-and-checkpoint", test_series);
  g_test_add_func("/analysis/trajectory/series-long-run-bounded", test_series_long);
  g_test_add_func("/analysis/trajectory/bad-input", test_bad_input);
  g_test_add_func("/analysis/trajectory/pooled-histogram", test_pool);
  return g_test_run();
}
