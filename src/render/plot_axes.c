/* plot_axes.c: axis ranges from data, tick placement (1-2-5 steps, decades on log axes)
 * and tick labels. The drawing of axes lives in plot_draw.c. */
#include "render/plot_private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Tolerance, in units of the step, for deciding that a tick sits on a range end:
 * 0.1 + 0.2 must count as 0.3. */
#define TICK_EPS 1e-9

size_t am_plot_ticks_linear(double lo, double hi, int max_ticks, double *ticks, size_t cap,
                            double *step)
{
  if (!isfinite(lo) || !isfinite(hi) || !(hi > lo))
    return 0;
  if (max_ticks < 2)
    max_ticks = 2;
  double span = hi - lo;
  /* Relative to the values the range is too small for distinct doubles per tick. */
  if (span < 1e-12 * fmax(fabs(lo), fabs(hi)))
    return 0;
  static const double mult[] = {1, 2, 5, 10, 20, 50, 100, 200, 500};
  double mag = pow(10.0, floor(log10(span / max_ticks)));
  double s = mag;
  double i0 = 0, i1 = -1;
  for (size_t k = 0; k < sizeof mult / sizeof mult[0]; k++) {
    s = mult[k] * mag;
    i0 = ceil(lo / s - TICK_EPS);
    i1 = floor(hi / s + TICK_EPS);
    if (i1 - i0 + 1 <= max_ticks)
      break;
  }
  size_t n = 0;
  for (double i = i0; i <= i1; i += 1.0, n++) {
    if (n < cap) {
      double v = i * s;
      ticks[n] = fabs(v) < 1e-12 * s ? 0.0 : v;
    }
  }
  if (step)
    *step = s;
  return n;
}

static bool is_power_of_ten(double v)
{
  double k = log10(v);
  return fabs(k - round(k)) < 1e-9;
}

size_t am_plot_ticks_log(double lo, double hi, int max_ticks, double *ticks, size_t cap,
                         double *minor, size_t minor_cap, size_t *n_minor)
{
  size_t nm = 0;
  if (n_minor)
    *n_minor = 0;
  if (!isfinite(lo) || !isfinite(hi) || !(lo > 0) || !(hi > lo))
    return 0;
  if (max_ticks < 2)
    max_ticks = 2;
  double a = log10(lo), b = log10(hi);
  int k0 = (int)ceil(a - TICK_EPS), k1 = (int)floor(b + TICK_EPS);
  if (k1 - k0 + 1 >= 2) {
    static const int steps[] = {1, 2, 3, 5, 10, 20, 50, 100};
    int d = 1;
    for (size_t j = 0; j < sizeof steps / sizeof steps[0]; j++) {
      d = steps[j];
      /* Multiples of d so that 10^0 stays a tick whenever it is in range. */
      int j0 = (int)ceil((double)k0 / d), j1 = (int)floor((double)k1 / d);
      if (j1 - j0 + 1 <= max_ticks)
        break;
    }
    size_t n = 0;
    for (int j = (int)ceil((double)k0 / d); j <= (int)floor((double)k1 / d); j++, n++)
      if (n < cap)
        ticks[n] = pow(10.0, (double)j * d);
    if (d > 1 && minor) { /* the decades between labelled ones */
      for (int k = k0; k <= k1; k++)
        if (k % d != 0 && nm < minor_cap)
          minor[nm++] = pow(10.0, k);
    }
    if (d == 1 && minor) {
      for (int k = (int)floor(a) ; k <= k1; k++) {
        for (int m = 2; m <= 9; m++) {
          double v = m * pow(10.0, k);
          if (v >= lo * (1 - TICK_EPS) && v <= hi * (1 + TICK_EPS) && nm < minor_cap)
            minor[nm++] = v;
        }
      }
    }
    if (n_minor)
      *n_minor = nm;
    return n;
  }
  /* Less than two decades marked: try 1-2-5 multiples, then every digit. */
  static const int sets[2][9] = {{1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
  static const int set_n[2] = {3, 9};
  for (int si = 0; si < 2; si++) {
    size_t n = 0;
    double tmp[AM_PLOT_MAX_TICKS];
    for (int k = (int)floor(a) - 1; k <= (int)ceil(b); k++) {
      for (int m = 0; m < set_n[si]; m++) {
        double v = sets[si][m] * pow(10.0, k);
        if (v >= lo * (1 - TICK_EPS) && v <= hi * (1 + TICK_EPS) && n < AM_PLOT_MAX_TICKS)
          tmp[n++] = v;
      }
    }
    if (n >= 2 && n <= (size_t)max_ticks) {
      for (size_t i = 0; i < n && i < cap; i++)
        ticks[i] = tmp[i];
      return n;
    }
    if (n > (size_t)max_ticks)
      break; /* finer sets only get denser */
  }
  return am_plot_ticks_linear(lo, hi, max_ticks, ticks, cap, NULL);
}

/* Appends s to buf, replacing '-' by a true minus sign (U+2212). */
static void put_number(char *buf, size_t size, const char *s)
{
  size_t o = strlen(buf);
  for (; *s && o + 4 < size; s++) {
    if (*s == '-') {
      memcpy(buf + o, "\xe2\x88\x92", 3);
      o += 3;
    } else {
      buf[o++] = *s;
    }
  }
  buf[o] = '\0';
}

static void format_power(double value, char *buf, size_t size)
{
  int k = (int)floor(log10(fabs(value)) + TICK_EPS);
  double m = value / pow(10.0, k);
  char num[64];
  buf[0] = '\0';
  if (fabs(fabs(m) - 1.0) > 1e-6) {
    snprintf(num, sizeof num, "%.3g", m);
    put_number(buf, size, num);
    g_strlcat(buf, "×", size);
  } else if (m < 0) {
    put_number(buf, size, "-");
  }
  g_strlcat(buf, "10<sup>", size);
  snprintf(num, sizeof num, "%d", k);
  put_number(buf, size, num);
  g_strlcat(buf, "</sup>", size);
}

void am_plot_format_tick(double value, double step, bool log_powers, char *buf, size_t size)
{
  if (size == 0)
    return;
  buf[0] = '\0';
  if (!isfinite(value)) {
    g_strlcpy(buf, "?", size);
    return;
  }
  if (value == 0.0) {
    g_strlcpy(buf, "0", size);
    return;
  }
  if (log_powers) {
    format_power(value, buf, size);
    return;
  }
  char num[64];
  if (!(step > 0) || !isfinite(step)) {
    double av = fabs(value);
    if (av >= 1e5 || av < 1e-3) {
      format_power(value, buf, size);
      return;
    }
    snprintf(num, sizeof num, "%.4g", value);
  } else {
    int decimals = (int)-floor(log10(step) + TICK_EPS);
    if (decimals < 0)
      decimals = 0;
    if (decimals > 12)
      decimals = 12;
    snprintf(num, sizeof num, "%.*f", decimals, value);
    /* A value within rounding of zero prints as "-0.0". */
    bool all_zero = true;
    for (const char *p = num; *p; p++)
      if (*p >= '1' && *p <= '9')
        all_zero = false;
    if (all_zero && num[0] == '-')
      memmove(num, num + 1, strlen(num));
  }
  put_number(buf, size, num);
}

/* ---- ranges ---------------------------------------------------------------------- */

static void default_range(const AxisState *ax, double *lo, double *hi)
{
  bool has_lo = !isnan(ax->fixed_lo), has_hi = !isnan(ax->fixed_hi);
  if (ax->log) {
    *lo = has_lo ? ax->fixed_lo : has_hi ? ax->fixed_hi / 10 : 1;
    *hi = has_hi ? ax->fixed_hi : *lo * 10;
  } else {
    *lo = has_lo ? ax->fixed_lo : has_hi ? ax->fixed_hi - 1 : 0;
    *hi = has_hi ? ax->fixed_hi : *lo + 1;
  }
}

void am_plot_axis_resolve_range_(AmPlotPanel *p, AmPlotAxis axis)
{
  AxisState *ax = &p->axis[axis];
  double lo = INFINITY, hi = -INFINITY;
  bool pad_lo = false, pad_hi = false;
  for (guint i = 0; i < p->series->len; i++)
    am_plot_series_extent_(g_ptr_array_index(p->series, i), axis, ax->log, &lo, &hi, &pad_lo,
                           &pad_hi);
  if (ax->include_zero && !ax->log && lo <= hi) {
    if (lo > 0) {
      lo = 0;
      pad_lo = false;
    }
    if (hi < 0) {
      hi = 0;
      pad_hi = false;
    }
  }
  if (!isnan(ax->fixed_lo)) {
    lo = ax->fixed_lo;
    pad_lo = false;
  }
  if (!isnan(ax->fixed_hi)) {
    hi = ax->fixed_hi;
    pad_hi = false;
  }
  if (!(lo <= hi) || !isfinite(lo) || !isfinite(hi)) {
    default_range(ax, &lo, &hi);
    pad_lo = pad_hi = false;
  }
  double ta = ax->log ? log10(lo) : lo, tb = ax->log ? log10(hi) : hi;
  if (tb - ta <= 1e-9 * fmax(1.0, fmax(fabs(ta), fabs(tb)))) {
    /* One value: centre it in a range of sensible size. */
    double d = ax->log ? 0.5 : (ta == 0 ? 1.0 : 0.1 * fabs(ta));
    ta -= isnan(ax->fixed_lo) ? d : 0;
    tb += isnan(ax->fixed_hi) ? d : 0;
    if (tb <= ta)
      tb = ta + d;
    pad_lo = pad_hi = false;
  }
  if (!ax->tight) {
    double w = tb - ta;
    if (pad_lo)
      ta -= 0.05 * w;
    if (pad_hi)
      tb += 0.05 * w;
  }
  ax->lo = ax->log ? pow(10.0, ta) : ta;
  ax->hi = ax->log ? pow(10.0, tb) : tb;
}

/* ---- ticks of an axis ------------------------------------------------------------ */

void am_plot_axis_choose_ticks_(AxisState *ax, int max_ticks)
{
  ax->n_minor = 0;
  ax->exponent = 0;
  ax->log_powers = false;
  ax->step = NAN;
  if (ax->log) {
    size_t nm = 0;
    ax->n_ticks = am_plot_ticks_log(ax->lo, ax->hi, max_ticks, ax->ticks, AM_PLOT_MAX_TICKS,
                                    ax->minor, AM_PLOT_MAX_MINOR, &nm);
    ax->n_minor = nm;
    ax->log_powers = ax->n_ticks >= 2;
    for (size_t i = 0; i < ax->n_ticks; i++)
      if (!is_power_of_ten(ax->ticks[i]))
        ax->log_powers = false;
  } else {
    double step = NAN;
    ax->n_ticks = am_plot_ticks_linear(ax->lo, ax->hi, max_ticks, ax->ticks, AM_PLOT_MAX_TICKS,
                                       &step);
    ax->step = step;
    double m = 0;
    for (size_t i = 0; i < ax->n_ticks; i++)
      m = fmax(m, fabs(ax->ticks[i]));
    /* Long or tiny numbers make unreadable labels: factor out a power of ten. */
    if (m >= 1e5 || (m > 0 && m < 1e-3))
      ax->exponent = (int)floor(log10(m) + TICK_EPS);
  }
  if (ax->n_ticks > AM_PLOT_MAX_TICKS)
    ax->n_ticks = AM_PLOT_MAX_TICKS;
}

void am_plot_axis_tick_label_(const AxisState *ax, double v, char *buf, size_t size)
{
  if (ax->log) {
    am_plot_format_tick(v, NAN, ax->log_powers, buf, size);
  } else {
    double f = pow(10.0, ax->exponent);
    am_plot_format_tick(v / f, ax->step / f, false, buf, size);
  }
}

void am_plot_axis_tick_labels_extent_(PlotCtx *ctx, const AxisState *ax, double *max_w,
                                      double *max_h)
{
  double mw = 0, mh = 0;
  char buf[128];
  for (size_t i = 0; i < ax->n_ticks; i++) {
    double w, h;
    am_plot_axis_tick_label_(ax, ax->ticks[i], buf, sizeof buf);
    am_plot_text_size_(ctx, buf, 0.9, false, &w, &h);
    mw = fmax(mw, w);
    mh = fmax(mh, h);
  }
  if (ax->n_ticks == 0) /* keep room for labels so layouts do not jump */
    am_plot_text_size_(ctx, "0", 0.9, false, &mw, &mh);
  *max_w = mw;
  *max_h = mh;
}
