/* colormap.h: the colours Amorph uses everywhere, so plots and the 3-D atom view agree.
 *
 * A categorical palette for series and species (Okabe & Ito, "Color Universal Design",
 * 2008: eight colours distinguishable with the common colour-vision deficiencies), fixed
 * colours for the atom classes VA / RA / FA and pinned atoms, and continuous maps for
 * values (heatmaps, colour-by-value scatter, atoms coloured by a per-atom quantity).
 * All colours are sRGB components in [0, 1]; nothing here depends on cairo or GL. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct {
  double r, g, b, a;
} AmColor;

/* 0xRRGGBB to an opaque colour. */
AmColor am_color_from_hex(uint32_t rgb);
AmColor am_color_with_alpha(AmColor c, double alpha);

/* The categorical palette, in the order series take it: blue, vermillion, bluish green,
 * orange, reddish purple, sky blue, yellow, black. Index wraps around. */
#define AM_PALETTE_SIZE 8
AmColor am_palette_color(unsigned index);

/* Atom classes from the displacement analysis (SCIENCE.md) plus pinned atoms. The class
 * colours are a blue / orange / purple triple that stays apart under deuteranopia,
 * protanopia and tritanopia (checked in tests/test-colormap.c). */
typedef enum {
  AM_ATOM_COLOR_VA = 0, /* vibrational */
  AM_ATOM_COLOR_RA,     /* reversible */
  AM_ATOM_COLOR_FA,     /* fast */
  AM_ATOM_COLOR_PINNED,
  AM_ATOM_COLOR_N
} AmAtomColorClass;

AmColor am_atom_class_color(AmAtomColorClass cls);
/* Short name for legends: "VA", "RA", "FA", "pinned". */
const char *am_atom_class_name(AmAtomColorClass cls);

/* Colour of a chemical species by element symbol (Cu, Zr have fixed colours; any other
 * symbol gets a palette colour derived from the symbol, stable between runs). */
AmColor am_species_color(const char *element);

/* Continuous colour maps. Viridis and cividis are perceptually uniform and readable in
 * grey scale and by colour-blind viewers (cividis is optimised for deuteranopia);
 * BLUE_RED is a diverging map (ColorBrewer RdBu, reversed) for signed quantities centred
 * on zero; GREYS runs white to black. */
typedef enum {
  AM_COLORMAP_VIRIDIS = 0,
  AM_COLORMAP_CIVIDIS,
  AM_COLORMAP_BLUE_RED,
  AM_COLORMAP_GREYS,
  AM_COLORMAP_N
} AmColormap;

/* Colour at position t in [0, 1] (clamped). NaN gives a fully transparent colour so
 * missing data shows the background rather than a misleading value. */
AmColor am_colormap_eval(AmColormap map, double t);

/* Maps value to t with vmin -> 0, vmax -> 1, linearly or in log10 when log_scale (then
 * values <= 0 give transparent, as NaN does). Out-of-range values clamp. */
double am_colormap_normalize(double value, double vmin, double vmax, bool log_scale);
AmColor am_colormap_value(AmColormap map, double value, double vmin, double vmax,
                          bool log_scale);

/* "viridis", "cividis", "blue-red", "greys"; NULL for an unknown map. */
const char *am_colormap_name(AmColormap map);
/* Inverse of am_colormap_name (case-insensitive); false and *out untouched if unknown. */
bool am_colormap_from_name(const char *name, AmColormap *out);
