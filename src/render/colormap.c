/* colormap.c: palette, class colours and continuous colour maps (see colormap.h). */
#include "render/colormap.h"

#include <math.h>
#include <stddef.h>
#include <strings.h>

AmColor am_color_from_hex(uint32_t rgb)
{
  AmColor c = {((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0,
               1.0};
  return c;
}

AmColor am_color_with_alpha(AmColor c, double alpha)
{
  c.a = alpha;
  return c;
}

/* Okabe-Ito, reordered so the first colours of a plot are the strongest on white:
 * yellow is weak on white paper and comes late. */
static const uint32_t palette_hex[AM_PALETTE_SIZE] = {
    0x0072B2, /* blue */
    0xD55E00, /* vermillion */
    0x009E73, /* bluish green */
    0xE69F00, /* orange */
    0xCC79A7, /* reddish purple */
    0x56B4E9, /* sky blue */
    0xF0E442, /* yellow */
    0x000000, /* black */
};

AmColor am_palette_color(unsigned index)
{
  return am_color_from_hex(palette_hex[index % AM_PALETTE_SIZE]);
}

/* VA are the vast majority of atoms, so they get a quiet grey and the rare RA/FA stand
 * out; grey/orange/blue/dark grey is the Okabe-Ito subset whose smallest CIELAB distance
 * under simulated dichromacy is largest (about 40, see tests/test-colormap.c). */
static const uint32_t class_hex[AM_ATOM_COLOR_N] = {0xBBBBBB, 0xE69F00, 0x0072B2, 0x333333};
static const char *const class_names[AM_ATOM_COLOR_N] = {"VA", "RA", "FA", "pinned"};

AmColor am_atom_class_color(AmAtomColorClass cls)
{
  if ((int)cls < 0 || cls >= AM_ATOM_COLOR_N)
    return am_color_from_hex(0xFF00FF); /* impossible class: make it loud, not plausible */
  return am_color_from_hex(class_hex[cls]);
}

const char *am_atom_class_name(AmAtomColorClass cls)
{
  if ((int)cls < 0 || cls >= AM_ATOM_COLOR_N)
    return "?";
  return class_names[cls];
}

AmColor am_species_color(const char *element)
{
  if (element == NULL)
    return am_palette_color(AM_PALETTE_SIZE - 1);
  if (strcasecmp(element, "Cu") == 0)
    return am_color_from_hex(0xD55E00); /* vermillion, close to copper */
  if (strcasecmp(element, "Zr") == 0)
    return am_color_from_hex(0x56B4E9); /* sky blue */
  unsigned h = 0;
  for (const char *p = element; *p; p++)
    h = h * 31u + (unsigned char)*p;
  return am_palette_color(h % (AM_PALETTE_SIZE - 1));
}

/* Continuous maps as knots (t, r, g, b) interpolated linearly in sRGB. Viridis and cividis
 * are sampled from the 256-entry tables published with matplotlib (viridis: van der Walt
 * & Smith, CC0; cividis: Nuñez, Anderton & Renslow, PLoS ONE 13, e0199239 (2018)); every
 * 8th entry plus the ends and cividis' kinks keeps the error below 1/255. */
typedef struct {
  double t, r, g, b;
} Knot;

#define K(i, r, g, b) {(i) / 255.0, r, g, b}

static const Knot viridis[] = {
    K(0, 0.267004, 0.004874, 0.329415),   K(8, 0.277018, 0.050344, 0.375715),
    K(16, 0.282327, 0.094955, 0.417331),  K(24, 0.282884, 0.135920, 0.453427),
    K(32, 0.278826, 0.175490, 0.483397),  K(40, 0.270595, 0.214069, 0.507052),
    K(48, 0.258965, 0.251537, 0.524736),  K(56, 0.244972, 0.287675, 0.537260),
    K(64, 0.229739, 0.322361, 0.545706),  K(72, 0.214298, 0.355619, 0.551184),
    K(80, 0.199430, 0.387607, 0.554642),  K(88, 0.185556, 0.418570, 0.556753),
    K(96, 0.172719, 0.448791, 0.557885),  K(104, 0.160665, 0.478540, 0.558115),
    K(112, 0.149039, 0.508051, 0.557250), K(120, 0.137770, 0.537492, 0.554906),
    K(128, 0.127568, 0.566949, 0.550556), K(136, 0.120565, 0.596422, 0.543611),
    K(144, 0.120638, 0.625828, 0.533488), K(152, 0.132268, 0.655014, 0.519661),
    K(160, 0.157851, 0.683765, 0.501686), K(168, 0.196571, 0.711827, 0.479221),
    K(176, 0.246070, 0.738910, 0.452024), K(184, 0.304148, 0.764704, 0.419943),
    K(192, 0.369214, 0.788888, 0.382914), K(200, 0.440137, 0.811138, 0.340967),
    K(208, 0.515992, 0.831158, 0.294279), K(216, 0.595839, 0.848717, 0.243329),
    K(224, 0.678489, 0.863742, 0.189503), K(232, 0.762373, 0.876424, 0.137064),
    K(240, 0.845561, 0.887322, 0.099702), K(248, 0.926106, 0.897330, 0.104071),
    K(255, 0.993248, 0.906157, 0.143936),
};

static const Knot cividis[] = {
    K(0, 0.000000, 0.135112, 0.304751),   K(8, 0.000000, 0.157932, 0.357521),
    K(16, 0.000000, 0.178802, 0.414764),  K(19, 0.000000, 0.186915, 0.435532),
    K(22, 0.000000, 0.193366, 0.441561),  K(24, 0.017852, 0.198528, 0.441248),
    K(32, 0.103401, 0.220406, 0.435790),  K(40, 0.154261, 0.242475, 0.430120),
    K(48, 0.195057, 0.264372, 0.425924),  K(56, 0.230871, 0.286134, 0.423498),
    K(64, 0.263738, 0.307831, 0.422789),  K(72, 0.294669, 0.329531, 0.423716),
    K(80, 0.324250, 0.351289, 0.426250),  K(88, 0.352892, 0.373153, 0.430226),
    K(96, 0.380830, 0.395164, 0.435653),  K(104, 0.408226, 0.417357, 0.442570),
    K(112, 0.435168, 0.439763, 0.451134), K(120, 0.461616, 0.462405, 0.461969),
    K(128, 0.488697, 0.485318, 0.471008), K(136, 0.517920, 0.508454, 0.472707),
    K(144, 0.547840, 0.531895, 0.471704), K(152, 0.578236, 0.555673, 0.468724),
    K(160, 0.609105, 0.579816, 0.463638), K(168, 0.640352, 0.604354, 0.456791),
    K(176, 0.671991, 0.629316, 0.448018), K(184, 0.704037, 0.654731, 0.437147),
    K(192, 0.736488, 0.680629, 0.424028), K(200, 0.769353, 0.707035, 0.408516),
    K(208, 0.802667, 0.733978, 0.390153), K(216, 0.836429, 0.761483, 0.368747),
    K(224, 0.870717, 0.789572, 0.343333), K(232, 0.905589, 0.818257, 0.312889),
    K(240, 0.941147, 0.847530, 0.275815), K(248, 0.977780, 0.877281, 0.227954),
    K(251, 0.992218, 0.888385, 0.205468), K(252, 0.994847, 0.892954, 0.203445),
    K(255, 0.995737, 0.909344, 0.217772),
};

#undef K

#define H(t, hex) {t, ((hex) >> 16 & 0xff) / 255.0, ((hex) >> 8 & 0xff) / 255.0, ((hex)&0xff) / 255.0}

/* ColorBrewer RdBu, 9 classes, blue for negative. */
static const Knot blue_red[] = {
    H(0.000, 0x2166AC), H(0.125, 0x4393C3), H(0.250, 0x92C5DE), H(0.375, 0xD1E5F0),
    H(0.500, 0xF7F7F7), H(0.625, 0xFDDBC7), H(0.750, 0xF4A582), H(0.875, 0xD6604D),
    H(1.000, 0xB2182B),
};

static const Knot greys[] = {H(0.0, 0xFFFFFF), H(1.0, 0x000000)};

#undef H

typedef struct {
  const char *name;
  const Knot *knots;
  size_t n;
} MapDef;

static const MapDef maps[AM_COLORMAP_N] = {
    [AM_COLORMAP_VIRIDIS] = {"viridis", viridis, sizeof viridis / sizeof viridis[0]},
    [AM_COLORMAP_CIVIDIS] = {"cividis", cividis, sizeof cividis / sizeof cividis[0]},
    [AM_COLORMAP_BLUE_RED] = {"blue-red", blue_red, sizeof blue_red / sizeof blue_red[0]},
    [AM_COLORMAP_GREYS] = {"greys", greys, sizeof greys / sizeof greys[0]},
};

AmColor am_colormap_eval(AmColormap map, double t)
{
  AmColor none = {0, 0, 0, 0};
  if ((int)map < 0 || map >= AM_COLORMAP_N || isnan(t))
    return none;
  const MapDef *m = &maps[map];
  if (t <= 0.0)
    t = 0.0;
  if (t >= 1.0)
    t = 1.0;
  size_t hi = 1;
  while (hi < m->n - 1 && m->knots[hi].t < t)
    hi++;
  const Knot *a = &m->knots[hi - 1], *b = &m->knots[hi];
  double f = (t - a->t) / (b->t - a->t);
  AmColor c = {a->r + f * (b->r - a->r), a->g + f * (b->g - a->g), a->b + f * (b->b - a->b),
               1.0};
  return c;
}

double am_colormap_normalize(double value, double vmin, double vmax, bool log_scale)
{
  if (isnan(value) || isnan(vmin) || isnan(vmax))
    return NAN;
  if (log_scale) {
    if (value <= 0.0 || vmin <= 0.0 || vmax <= 0.0)
      return NAN;
    value = log10(value);
    vmin = log10(vmin);
    vmax = log10(vmax);
  }
  if (!(vmax > vmin)) /* a constant field: show it in the middle of the map */
    return 0.5;
  double t = (value - vmin) / (vmax - vmin);
  return t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
}

AmColor am_colormap_value(AmColormap map, double value, double vmin, double vmax,
                          bool log_scale)
{
  return am_colormap_eval(map, am_colormap_normalize(value, vmin, vmax, log_scale));
}

const char *am_colormap_name(AmColormap map)
{
  if ((int)map < 0 || map >= AM_COLORMAP_N)
    return NULL;
  return maps[map].name;
}

bool am_colormap_from_name(const char *name, AmColormap *out)
{
  if (name == NULL)
    return false;
  for (int i = 0; i < AM_COLORMAP_N; i++) {
    if (strcasecmp(name, maps[i].name) == 0) {
      if (out)
        *out = (AmColormap)i;
      return true;
    }
  }
  return false;
}
