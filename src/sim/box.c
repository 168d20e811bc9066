/* box.c: periodic triclinic cell geometry. */
#include "sim/box.h"

#include <math.h>

void am_box_set(AmBox *box, const double lo[3], const double hi[3], double xy, double xz, double yz)
{
  for (int k = 0; k < 3; k++)
    box->lo[k] = lo[k];
  box->lx = hi[0] - lo[0];
  box->ly = hi[1] - lo[1];
  box->lz = hi[2] - lo[2];
  box->xy = xy;
  box->xz = xz;
  box->yz = yz;
}

void am_box_hi(const AmBox *box, double hi[3])
{
  hi[0] = box->lo[0] + box->lx;
  hi[1] = box->lo[1] + box->ly;
  hi[2] = box->lo[2] + box->lz;
}

bool am_box_is_triclinic(const AmBox *box)
{
  return box->xy != 0.0 || box->xz != 0.0 || box->yz != 0.0;
}

double am_box_volume(const AmBox *box)
{
  return box->lx * box->ly * box->lz;
}

void am_box_heights(const AmBox *box, double h[3])
{
  const double v = am_box_volume(box);
  /* |b × c| and |a × c| with a, b, c as in box.h. */
  const double bxc = sqrt(box->ly * box->lz * box->ly * box->lz + box->xy * box->lz * box->xy * box->lz +
                          (box->xy * box->yz - box->ly * box->xz) * (box->xy * box->yz - box->ly * box->xz));
  const double axc = box->lx * sqrt(box->lz * box->lz + box->yz * box->yz);
  h[0] = v / bxc;
  h[1] = v / axc;
  h[2] = box->lz;
}

AmStatus am_box_validate(const AmBox *box, AmError *err)
{
  const double all[] = {box->lo[0], box->lo[1], box->lo[2], box->lx, box->ly, box->lz, box->xy, box->xz, box->yz};
  for (unsigned k = 0; k < sizeof all / sizeof all[0]; k++)
    if (!isfinite(all[k]))
      return am_error_set(err, AM_ERR_NUMERIC, "box has a non-finite bound or tilt");
  if (!(box->lx > 0.0 && box->ly > 0.0 && box->lz > 0.0))
    return am_error_set(err, AM_ERR_INVALID, "box lengths must be positive (got %g × %g × %g Å)", box->lx,
                        box->ly, box->lz);
  return AM_OK;
}

void am_box_to_frac(const AmBox *box, const double r[3], double s[3])
{
  const double dx = r[0] - box->lo[0], dy = r[1] - box->lo[1], dz = r[2] - box->lo[2];
  s[2] = dz / box->lz;
  s[1] = (dy - box->yz * s[2]) / box->ly;
  s[0] = (dx - box->xy * s[1] - box->xz * s[2]) / box->lx;
}

void am_box_frac_to_vector(const AmBox *box, const double ds[3], double d[3])
{
  d[0] = box->lx * ds[0] + box->xy * ds[1] + box->xz * ds[2];
  d[1] = box->ly * ds[1] + box->yz * ds[2];
  d[2] = box->lz * ds[2];
}

void am_box_from_frac(const AmBox *box, const double s[3], double r[3])
{
  am_box_frac_to_vector(box, s, r);
  for (int k = 0; k < 3; k++)
    r[k] += box->lo[k];
}

void am_box_wrap(const AmBox *box, double r[3], int32_t image[3])
{
  double s[3];
  am_box_to_frac(box, r, s);
  double shift[3];
  for (int k = 0; k < 3; k++) {
    shift[k] = floor(s[k]);
    s[k] -= shift[k];
    /* Rounding can leave s at exactly 1; keep the half-open interval. */
    if (s[k] >= 1.0) {
      s[k] -= 1.0;
      shift[k] += 1.0;
    }
    if (image)
      image[k] += (int32_t) shift[k];
  }
  if (shift[0] != 0.0 || shift[1] != 0.0 || shift[2] != 0.0) {
    double d[3];
    am_box_frac_to_vector(box, shift, d);
    for (int k = 0; k < 3; k++)
      r[k] -= d[k];
  }
}

void am_box_unwrap(const AmBox *box, const double r[3], const int32_t image[3], double out[3])
{
  const double n[3] = {image[0], image[1], image[2]};
  double d[3];
  am_box_frac_to_vector(box, n, d);
  for (int k = 0; k < 3; k++)
    out[k] = r[k] + d[k];
}

void am_box_minimum_image(const AmBox *box, double d[3])
{
  /* Round in fractional space, then search the neighbouring images: rounding alone is
   * not enough for strongly tilted cells. */
  double s[3];
  s[2] = d[2] / box->lz;
  s[1] = (d[1] - box->yz * s[2]) / box->ly;
  s[0] = (d[0] - box->xy * s[1] - box->xz * s[2]) / box->lx;
  for (int k = 0; k < 3; k++)
    s[k] -= nearbyint(s[k]);
  double best[3];
  am_box_frac_to_vector(box, s, best);
  double best_r2 = best[0] * best[0] + best[1] * best[1] + best[2] * best[2];
  for (int i = -1; i <= 1; i++)
    for (int j = -1; j <= 1; j++)
      for (int k = -1; k <= 1; k++) {
        if (!i && !j && !k)
          continue;
        const double t[3] = {s[0] + i, s[1] + j, s[2] + k};
        double c[3];
        am_box_frac_to_vector(box, t, c);
        const double r2 = c[0] * c[0] + c[1] * c[1] + c[2] * c[2];
        if (r2 < best_r2) {
          best_r2 = r2;
          best[0] = c[0];
          best[1] = c[1];
          best[2] = c[2];
        }
      }
  for (int k = 0; k < 3; k++)
    d[k] = best[k];
}
