/* atom_renderer.h: draws atoms as shaded spheres and the periodic cell as lines with OpenGL
 * (through libepoxy), independent of any widget toolkit.
 *
 * Each atom is one instance of a camera-facing quad; the fragment shader casts the eye
 * ray against the true sphere, so silhouettes are round at any zoom, intersections between
 * overlapping atoms are exact, and the depth written is the sphere's, not the quad's.
 * Works on desktop GL ≥ 3.3 core and on OpenGL ES ≥ 3.0 (the shader sources are given
 * without a #version line; the renderer adds the right one).
 *
 * All calls need the GL context current; the renderer owns its GL objects and must be
 * freed with the same context current. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "render/colormap.h"
#include "sim/box.h"

typedef struct AmAtomRenderer AmAtomRenderer;

/* Per-atom marks the shader draws on top of the atom's colour. */
enum {
  AM_ATOM_MARK_PINNED = 1u << 0,  /* dark glossy ball with a light rim (the palette's pinned colour) */
  AM_ATOM_MARK_HOVER = 1u << 1,   /* brightened: under the pointer */
};

#define AM_ATOM_RENDERER_ERROR (am_atom_renderer_error_quark())
GQuark am_atom_renderer_error_quark(void);

typedef enum {
  AM_ATOM_RENDERER_ERROR_SHADER, /* a shader did not compile or link; the message has GL's log */
  AM_ATOM_RENDERER_ERROR_GL,     /* the context is too old or lacks something needed */
} AmAtomRendererError;

/* Compiles the programs from GLSL sources without a #version line: the sphere impostor
 * (vertex, fragment) and the box lines (vertex, fragment). */
AmAtomRenderer *am_atom_renderer_new(const char *sphere_vs, const char *sphere_fs, const char *line_vs,
                                     const char *line_fs, GError **error);
void am_atom_renderer_free(AmAtomRenderer *r);

/* Replaces all atoms. xyz: 3n positions (Å); radius: n (Å); rgba: 4n colours in [0, 1];
 * marks: n AM_ATOM_MARK_* bit sets, or NULL for none. The arrays are copied. */
void am_atom_renderer_set_atoms(AmAtomRenderer *r, size_t n, const float *xyz, const float *radius,
                                const float *rgba, const uint8_t *marks);
/* Updates only positions (same n as the last set_atoms), for live snapshots. */
void am_atom_renderer_set_positions(AmAtomRenderer *r, size_t n, const float *xyz);
/* Updates only the marks (same n as the last set_atoms). */
void am_atom_renderer_set_marks(AmAtomRenderer *r, size_t n, const uint8_t *marks);
size_t am_atom_renderer_count(const AmAtomRenderer *r);

/* Line segments drawn over the atoms in one colour (the view's displacement arrows):
 * xyz holds 6 floats per segment, its two ends (Å); NULL or 0 segments draws none. */
void am_atom_renderer_set_arrows(AmAtomRenderer *r, size_t n_segments, const float *xyz, AmColor color);
/* The cell outline; NULL hides it. */
void am_atom_renderer_set_box(AmAtomRenderer *r, const AmBox *box);
void am_atom_renderer_set_background(AmAtomRenderer *r, AmColor color);
void am_atom_renderer_set_box_color(AmAtomRenderer *r, AmColor color);

/* Clears the bound framebuffer (viewport width × height device pixels) and draws. view and
 * proj are column-major (camera.h). */
void am_atom_renderer_draw(AmAtomRenderer *r, const double view[16], const double proj[16], bool orthographic,
                           int width, int height);
