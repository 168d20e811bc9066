/* atom_view.c: the 3-D atom view (see atom_view.h). */
#include "gui/atom_view.h"

#include <math.h>
#include <string.h>

#include "render/atom_renderer.h"

#define DEFAULT_ATOM_SCALE 0.8
#define ORBIT_RADIANS_PER_PIXEL 0.008
#define KEY_ORBIT_STEP (5.0 * G_PI / 180.0)
#define KEY_PAN_STEP 24.0
#define ZOOM_STEP 1.15
/* A press and release closer than this (logical pixels) is a click, not a drag. */
#define CLICK_SLOP 4.0

struct _AmorphAtomView {
  GtkGLArea parent_instance;

  AmAtomRenderer *renderer;
  AmCamera camera;
  gboolean camera_framed;

  AmBox box;
  gboolean has_box;
  size_t n;
  float *xyz;
  float *radius;     /* species radius × scale */
  float *draw_radius; /* radius, or 0 for an atom the class filter or the slab hides */
  size_t n_visible;
  float *rgba;
  uint8_t *marks;
  int32_t *type;
  int64_t *id;       /* the file's atom ids, for tooltips */
  int ntypes;
  char species[AM_MAX_TYPES][16];
  uint8_t *classes;  /* n, or NULL */
  double *values;    /* n, or NULL */
  AmColormap value_map;
  char *value_name, *value_unit; /* for the tooltip: Pango markup and unit */
  double vmin, vmax;
  uint8_t *pinned;   /* n */
  long hover;

  /* What is shown: classes (bits 1 << AmAtomColorClass; pinned atoms always show), a slab
   * (fractional centre along a cell axis, thickness in Å) and RA displacement arrows. */
  guint class_filter;
  gboolean slab_on;
  int slab_axis;
  double slab_center, slab_thickness;
  float *arrow_vec;  /* 3n displacement vectors (Å), or NULL */
  gboolean show_arrows;
  float *arrow_xyz;  /* segments as last drawn */
  size_t arrow_cap;

  AmorphColorMode color_mode;
  gboolean orthographic;
  double atom_scale;
  gboolean show_box;

  /* What the renderer has not seen yet. */
  gboolean atoms_dirty, positions_dirty, marks_dirty, box_dirty;

  /* Drag state. */
  guint drag_button;
  gboolean drag_pan;
  gboolean drag_band;  /* Ctrl-drag: a selection rectangle */
  gboolean band_shown;
  double band_x0, band_y0, band_x1, band_y1;
  gboolean dragging;  /* moved past the click slop */
  double drag_last_x, drag_last_y;

  guint64 frames;
  guint tick_id;
};

enum {
  PROP_0,
  PROP_COLOR_MODE,
  PROP_ORTHOGRAPHIC,
  PROP_ATOM_SCALE,
  PROP_SHOW_BOX,
  N_PROPS
};
static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_ATOM_CLICKED,
  SIGNAL_CAMERA_CHANGED,
  SIGNAL_ATOMS_SELECTED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE(AmorphAtomView, amorph_atom_view, GTK_TYPE_GL_AREA)

typedef struct {
  const char *symbol;
  double mass;    /* standard atomic weight (amu) */
  double radius;  /* metallic radius (Å), for display */
} Species;

static const Species species_table[] = {
    {"Cu", 63.546, 1.28}, {"Zr", 91.224, 1.60}, {"Al", 26.982, 1.43}, {"Ni", 58.693, 1.24},
    {"Fe", 55.845, 1.26}, {"Co", 58.933, 1.25}, {"Ag", 107.868, 1.44}, {"Au", 196.967, 1.44},
    {"Pd", 106.42, 1.37}, {"Pt", 195.084, 1.39}, {"Ti", 47.867, 1.47}, {"Mg", 24.305, 1.60},
    {"Nb", 92.906, 1.46}, {"Ta", 180.948, 1.46}, {"La", 138.905, 1.87}, {"Be", 9.012, 1.12},
};

double amorph_species_radius(const char *element)
{
  for (size_t i = 0; i < G_N_ELEMENTS(species_table); i++)
    if (element && g_ascii_strcasecmp(element, species_table[i].symbol) == 0)
      return species_table[i].radius;
  return 1.4;
}

const char *amorph_species_for_type(const AmAtoms *atoms, int type)
{
  if (type < 0 || type >= atoms->ntypes)
    return "";
  if (atoms->type_label[type][0])
    return atoms->type_label[type];
  for (size_t i = 0; i < G_N_ELEMENTS(species_table); i++)
    if (fabs(atoms->mass[type] - species_table[i].mass) < 0.05)
      return species_table[i].symbol;
  return "";
}

/* ---- colours and marks ---------------------------------------------------------- */

static void update_visibility(AmorphAtomView *self);

static AmColor type_color(AmorphAtomView *self, int t)
{
  if (t >= 0 && t < self->ntypes && self->species[t][0])
    return am_species_color(self->species[t]);
  return am_palette_color((unsigned) (t < 0 ? 0 : t));
}

static void update_colors(AmorphAtomView *self)
{
  for (size_t i = 0; i < self->n; i++) {
    AmColor c;
    if (self->color_mode == AMORPH_COLOR_BY_CLASS && self->classes)
      c = am_atom_class_color(self->classes[i] < AM_ATOM_COLOR_PINNED ? (AmAtomColorClass) self->classes[i]
                                                                      : AM_ATOM_COLOR_VA);
    else if (self->color_mode == AMORPH_COLOR_BY_VALUE && self->values) {
      c = am_colormap_value(self->value_map, self->values[i], self->vmin, self->vmax, false);
      if (!(c.a > 0)) /* missing value: a neutral grey, not the background */
        c = am_color_from_hex(0x808080);
    } else
      c = type_color(self, self->type[i]);
    self->rgba[4 * i] = (float) c.r;
    self->rgba[4 * i + 1] = (float) c.g;
    self->rgba[4 * i + 2] = (float) c.b;
    self->rgba[4 * i + 3] = 1.0f;
  }
  self->atoms_dirty = TRUE;
}

static void update_radii(AmorphAtomView *self)
{
  double r[AM_MAX_TYPES];
  for (int t = 0; t < AM_MAX_TYPES; t++)
    r[t] = amorph_species_radius(t < self->ntypes ? self->species[t] : "") * self->atom_scale;
  for (size_t i = 0; i < self->n; i++) {
    int t = self->type[i];
    self->radius[i] = (float) (t >= 0 && t < AM_MAX_TYPES ? r[t] : 1.4 * self->atom_scale);
  }
  update_visibility(self);
}

static void update_marks(AmorphAtomView *self)
{
  for (size_t i = 0; i < self->n; i++)
    self->marks[i] = (self->pinned[i] ? AM_ATOM_MARK_PINNED : 0) | ((long) i == self->hover ? AM_ATOM_MARK_HOVER : 0);
  self->marks_dirty = TRUE;
}

static void queue_render(AmorphAtomView *self)
{
  gtk_gl_area_queue_render(GTK_GL_AREA(self));
}

static gboolean slab_hides(AmorphAtomView *self, const float *x)
{
  if (!self->slab_on || !self->has_box)
    return FALSE;
  const double r[3] = {x[0], x[1], x[2]};
  double f[3];
  am_box_to_frac(&self->box, r, f);
  const double len[3] = {self->box.lx, self->box.ly, self->box.lz};
  /* The slab wraps around the periodic cell like the atoms do. */
  double d = f[self->slab_axis] - self->slab_center;
  d -= floor(d + 0.5);
  return fabs(d) * len[self->slab_axis] > 0.5 * self->slab_thickness;
}

/* The drawn radii from the class filter and the slab: a hidden atom is drawn with radius
 * 0, which the impostor and picking both treat as absent. */
static void update_visibility(AmorphAtomView *self)
{
  const guint all = (1u << AM_ATOM_COLOR_VA) | (1u << AM_ATOM_COLOR_RA) | (1u << AM_ATOM_COLOR_FA);
  const gboolean by_class = self->classes && (self->class_filter & all) != all;
  size_t visible = 0;
  for (size_t i = 0; i < self->n; i++) {
    gboolean hide = slab_hides(self, self->xyz + 3 * i);
    if (!hide && by_class && !self->pinned[i]) {
      guint c = self->classes[i] < AM_ATOM_COLOR_N ? self->classes[i] : AM_ATOM_COLOR_VA;
      hide = c != AM_ATOM_COLOR_PINNED && !(self->class_filter & (1u << c));
    }
    self->draw_radius[i] = hide ? 0.0f : self->radius[i];
    visible += !hide;
  }
  self->n_visible = visible;
  self->atoms_dirty = TRUE;
}

/* Each shown RA's displacement as an arrow ending at the atom's centre, with a head
 * whose barbs lie across the line of sight (so it reads from any side). */
static size_t build_arrows(AmorphAtomView *self)
{
  if (!self->show_arrows || !self->arrow_vec || !self->classes)
    return 0;
  double right[3], up[3], fwd[3];
  am_camera_basis(&self->camera, right, up, fwd);
  size_t m = 0;
  for (size_t i = 0; i < self->n; i++) {
    if (self->classes[i] != AM_ATOM_COLOR_RA || self->draw_radius[i] <= 0)
      continue;
    const float *d = self->arrow_vec + 3 * i, *x = self->xyz + 3 * i;
    double len = sqrt((double) d[0] * d[0] + (double) d[1] * d[1] + (double) d[2] * d[2]);
    if (!(len > 1e-6))
      continue;
    if (self->arrow_cap < 18 * (m + 1)) {
      self->arrow_cap = MAX(18 * (m + 1), 2 * self->arrow_cap);
      self->arrow_xyz = g_renew(float, self->arrow_xyz, self->arrow_cap);
    }
    double u[3] = {d[0] / len, d[1] / len, d[2] / len};
    double side[3] = {u[1] * fwd[2] - u[2] * fwd[1], u[2] * fwd[0] - u[0] * fwd[2], u[0] * fwd[1] - u[1] * fwd[0]};
    double sl = sqrt(side[0] * side[0] + side[1] * side[1] + side[2] * side[2]);
    if (sl < 1e-9) /* pointing at the eye: any perpendicular will do */
      memcpy(side, right, sizeof side), sl = 1;
    double head = MIN(0.35 * len, 0.6);
    float *o = self->arrow_xyz + 18 * m;
    for (int k = 0; k < 3; k++) {
      double tip = x[k], back = tip - head * u[k], w = 0.5 * head * side[k] / sl;
      o[k] = (float) (tip - d[k]);
      o[3 + k] = (float) tip;
      o[6 + k] = (float) tip;
      o[9 + k] = (float) (back + w);
      o[12 + k] = (float) tip;
      o[15 + k] = (float) (back - w);
    }
    m++;
  }
  return 3 * m;
}

/* Redraws and tells overlays (the axis triad) that the camera turned, moved or zoomed. */
static void camera_moved(AmorphAtomView *self)
{
  queue_render(self);
  g_signal_emit(self, signals[SIGNAL_CAMERA_CHANGED], 0);
}

/* ---- GL ----------------------------------------------------------------------------- */

static char *load_shader(const char *name, GError **error)
{
  g_autofree char *path = g_strdup_printf("/org/amorph/Amorph/shaders/%s", name);
  GBytes *bytes = g_resources_lookup_data(path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (!bytes)
    return NULL;
  gsize len;
  const char *data = g_bytes_get_data(bytes, &len);
  char *s = g_strndup(data, len);
  g_bytes_unref(bytes);
  return s;
}

#if !GTK_CHECK_VERSION(4, 12, 0)
/* GTK before 4.12 lets a GtkGLArea have either desktop GL or GLES, desktop by default, so
 * on a display that only offers GLES (EGL with GDK_DEBUG=gl-gles, some embedded drivers)
 * it would get no context at all. The renderer runs on both: accept either. */
static GdkGLContext *amorph_atom_view_create_context(GtkGLArea *area)
{
  GError *error = NULL;
  GdkSurface *surface = gtk_native_get_surface(gtk_widget_get_native(GTK_WIDGET(area)));
  GdkGLContext *context = gdk_surface_create_gl_context(surface, &error);
  if (!context) {
    gtk_gl_area_set_error(area, error);
    g_clear_error(&error);
    return NULL;
  }
  gdk_gl_context_set_allowed_apis(context, GDK_GL_API_GL | GDK_GL_API_GLES);
  if (!gdk_gl_context_realize(context, &error)) {
    gtk_gl_area_set_error(area, error);
    g_clear_error(&error);
    g_object_unref(context);
    return NULL;
  }
  return context;
}
#endif

static void amorph_atom_view_realize(GtkWidget *widget)
{
  AmorphAtomView *self = AMORPH_ATOM_VIEW(widget);
  GTK_WIDGET_CLASS(amorph_atom_view_parent_class)->realize(widget);
  GtkGLArea *area = GTK_GL_AREA(widget);
  gtk_gl_area_make_current(area);
  if (gtk_gl_area_get_error(area))
    return;
  GError *error = NULL;
  g_autofree char *svs = load_shader("sphere.vert", &error);
  g_autofree char *sfs = svs ? load_shader("sphere.frag", &error) : NULL;
  g_autofree char *lvs = sfs ? load_shader("line.vert", &error) : NULL;
  g_autofree char *lfs = lvs ? load_shader("line.frag", &error) : NULL;
  if (lfs)
    self->renderer = am_atom_renderer_new(svs, sfs, lvs, lfs, &error);
  if (!self->renderer) {
    gtk_gl_area_set_error(area, error);
    g_clear_error(&error);
    return;
  }
  self->atoms_dirty = self->box_dirty = TRUE;
}

static void amorph_atom_view_unrealize(GtkWidget *widget)
{
  AmorphAtomView *self = AMORPH_ATOM_VIEW(widget);
  gtk_gl_area_make_current(GTK_GL_AREA(widget));
  if (self->renderer && !gtk_gl_area_get_error(GTK_GL_AREA(widget)))
    am_atom_renderer_free(self->renderer);
  self->renderer = NULL;
  GTK_WIDGET_CLASS(amorph_atom_view_parent_class)->unrealize(widget);
}

static void sync_camera_viewport(AmorphAtomView *self)
{
  int w = gtk_widget_get_width(GTK_WIDGET(self)), h = gtk_widget_get_height(GTK_WIDGET(self));
  am_camera_set_viewport(&self->camera, w, h);
  if (!self->camera_framed && self->n && w > 1 && h > 1)
    amorph_atom_view_reset_camera(self);
}

static gboolean amorph_atom_view_render(GtkGLArea *area, GdkGLContext *context)
{
  (void) context;
  AmorphAtomView *self = AMORPH_ATOM_VIEW(area);
  if (!self->renderer)
    return FALSE;
  sync_camera_viewport(self);
  if (self->atoms_dirty) {
    am_atom_renderer_set_atoms(self->renderer, self->n, self->xyz, self->draw_radius, self->rgba, self->marks);
    self->atoms_dirty = self->positions_dirty = self->marks_dirty = FALSE;
  }
  if (self->positions_dirty) {
    am_atom_renderer_set_positions(self->renderer, self->n, self->xyz);
    self->positions_dirty = FALSE;
  }
  if (self->marks_dirty) {
    am_atom_renderer_set_marks(self->renderer, self->n, self->marks);
    self->marks_dirty = FALSE;
  }
  if (self->box_dirty) {
    am_atom_renderer_set_box(self->renderer, self->has_box && self->show_box ? &self->box : NULL);
    self->box_dirty = FALSE;
  }
  size_t n_arrows = build_arrows(self);
  /* Black: the arrows lie mostly over their own RA, whose colour (orange as a class,
   * light in cividis and viridis) it contrasts with in every colouring. */
  am_atom_renderer_set_arrows(self->renderer, n_arrows, n_arrows ? self->arrow_xyz : NULL,
                              am_color_from_hex(0x000000));
  double view[16], proj[16];
  self->camera.orthographic = self->orthographic;
  am_camera_view_matrix(&self->camera, view);
  am_camera_projection_matrix(&self->camera, proj);
  int scale = gtk_widget_get_scale_factor(GTK_WIDGET(self));
  am_atom_renderer_draw(self->renderer, view, proj, self->orthographic, gtk_widget_get_width(GTK_WIDGET(self)) * scale,
                        gtk_widget_get_height(GTK_WIDGET(self)) * scale);
  self->frames++;
  return TRUE;
}

/* ---- input -------------------------------------------------------------------------- */

static void set_hover(AmorphAtomView *self, long index)
{
  if (index == self->hover)
    return;
  self->hover = index;
  gtk_widget_set_cursor_from_name(GTK_WIDGET(self), index >= 0 ? "pointer" : NULL);
  update_marks(self);
  queue_render(self);
}

long amorph_atom_view_pick(AmorphAtomView *self, double x, double y)
{
  g_return_val_if_fail(AMORPH_IS_ATOM_VIEW(self), -1);
  if (!self->n)
    return -1;
  sync_camera_viewport(self);
  self->camera.orthographic = self->orthographic;
  double o[3], d[3];
  am_camera_ray(&self->camera, x, y, o, d);
  return am_pick_spheres(o, d, self->n, self->xyz, self->draw_radius, NULL);
}

static void drag_begin(GtkGestureDrag *gesture, double x, double y, AmorphAtomView *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state(GTK_EVENT_CONTROLLER(gesture));
  self->drag_button = gtk_gesture_single_get_current_button(GTK_GESTURE_SINGLE(gesture));
  self->drag_band = self->drag_button == GDK_BUTTON_PRIMARY && (mods & GDK_CONTROL_MASK);
  self->drag_pan = !self->drag_band && (self->drag_button == GDK_BUTTON_MIDDLE || (mods & GDK_SHIFT_MASK));
  self->band_x0 = self->band_x1 = x;
  self->band_y0 = self->band_y1 = y;
  self->dragging = FALSE;
  self->drag_last_x = self->drag_last_y = 0;
  gtk_widget_grab_focus(GTK_WIDGET(self));
}

static void drag_update(GtkGestureDrag *gesture, double dx, double dy, AmorphAtomView *self)
{
  (void) gesture;
  if (!self->dragging && hypot(dx, dy) < CLICK_SLOP)
    return;
  if (!self->dragging) {
    self->dragging = TRUE;
    set_hover(self, -1);
  }
  if (self->drag_band) {
    self->band_x1 = self->band_x0 + dx;
    self->band_y1 = self->band_y0 + dy;
    self->band_shown = TRUE;
    gtk_widget_queue_draw(GTK_WIDGET(self));
    return;
  }
  double ddx = dx - self->drag_last_x, ddy = dy - self->drag_last_y;
  self->drag_last_x = dx;
  self->drag_last_y = dy;
  if (self->drag_pan)
    am_camera_pan(&self->camera, ddx, ddy);
  else
    am_camera_orbit(&self->camera, -ddx * ORBIT_RADIANS_PER_PIXEL, ddy * ORBIT_RADIANS_PER_PIXEL);
  camera_moved(self);
}

static void drag_end(GtkGestureDrag *gesture, double dx, double dy, AmorphAtomView *self)
{
  if (self->drag_band && self->dragging) {
    self->band_shown = FALSE;
    gtk_widget_queue_draw(GTK_WIDGET(self));
    GArray *sel = amorph_atom_view_atoms_in_rect(self, self->band_x0, self->band_y0, self->band_x0 + dx,
                                                 self->band_y0 + dy);
    g_signal_emit(self, signals[SIGNAL_ATOMS_SELECTED], 0, sel);
    g_array_unref(sel);
    return;
  }
  if (self->dragging || self->drag_button != GDK_BUTTON_PRIMARY)
    return;
  double x0, y0;
  gtk_gesture_drag_get_start_point(gesture, &x0, &y0);
  long i = amorph_atom_view_pick(self, x0 + dx, y0 + dy);
  if (i >= 0)
    g_signal_emit(self, signals[SIGNAL_ATOM_CLICKED], 0, (guint) i);
}

static gboolean scroll(GtkEventControllerScroll *ctl, double dx, double dy, AmorphAtomView *self)
{
  (void) ctl;
  (void) dx;
  am_camera_zoom(&self->camera, pow(ZOOM_STEP, -dy));
  camera_moved(self);
  return TRUE;
}

static void motion(GtkEventControllerMotion *ctl, double x, double y, AmorphAtomView *self)
{
  (void) ctl;
  if (!self->dragging)
    set_hover(self, amorph_atom_view_pick(self, x, y));
}

static void leave(GtkEventControllerMotion *ctl, AmorphAtomView *self)
{
  (void) ctl;
  set_hover(self, -1);
}

static gboolean key_pressed(GtkEventControllerKey *ctl, guint keyval, guint keycode, GdkModifierType state,
                            AmorphAtomView *self)
{
  (void) ctl;
  (void) keycode;
  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;
  gboolean shift = (state & GDK_SHIFT_MASK) != 0;
  switch (keyval) {
  case GDK_KEY_Left:
  case GDK_KEY_Right: {
    double s = keyval == GDK_KEY_Left ? -1 : 1;
    if (shift)
      am_camera_pan(&self->camera, -s * KEY_PAN_STEP, 0);
    else
      am_camera_orbit(&self->camera, s * KEY_ORBIT_STEP, 0);
    break;
  }
  case GDK_KEY_Up:
  case GDK_KEY_Down: {
    double s = keyval == GDK_KEY_Up ? -1 : 1;
    if (shift)
      am_camera_pan(&self->camera, 0, -s * KEY_PAN_STEP);
    else
      am_camera_orbit(&self->camera, 0, -s * KEY_ORBIT_STEP);
    break;
  }
  case GDK_KEY_plus:
  case GDK_KEY_equal:
  case GDK_KEY_KP_Add:
    am_camera_zoom(&self->camera, ZOOM_STEP);
    break;
  case GDK_KEY_minus:
  case GDK_KEY_KP_Subtract:
    am_camera_zoom(&self->camera, 1 / ZOOM_STEP);
    break;
  case GDK_KEY_r:
  case GDK_KEY_R:
    amorph_atom_view_reset_camera(self);
    break;
  case GDK_KEY_o:
  case GDK_KEY_O:
    amorph_atom_view_set_orthographic(self, !self->orthographic);
    break;
  default:
    return FALSE;
  }
  camera_moved(self);
  return TRUE;
}

static void amorph_atom_view_snapshot(GtkWidget *widget, GtkSnapshot *snapshot)
{
  AmorphAtomView *self = AMORPH_ATOM_VIEW(widget);
  GTK_WIDGET_CLASS(amorph_atom_view_parent_class)->snapshot(widget, snapshot);
  if (!self->band_shown)
    return;
  graphene_rect_t r = GRAPHENE_RECT_INIT((float) MIN(self->band_x0, self->band_x1),
                                         (float) MIN(self->band_y0, self->band_y1),
                                         (float) fabs(self->band_x1 - self->band_x0),
                                         (float) fabs(self->band_y1 - self->band_y0));
  const GdkRGBA fill = {0.34f, 0.71f, 0.91f, 0.18f}, edge = {0.34f, 0.71f, 0.91f, 0.9f};
  gtk_snapshot_append_color(snapshot, &fill, &r);
  GskRoundedRect rr;
  gsk_rounded_rect_init_from_rect(&rr, &r, 0);
  const float widths[4] = {1, 1, 1, 1};
  const GdkRGBA edges[4] = {edge, edge, edge, edge};
  gtk_snapshot_append_border(snapshot, &rr, widths, edges);
}

static gboolean query_tooltip(GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                              gpointer user_data)
{
  (void) user_data;
  AmorphAtomView *self = AMORPH_ATOM_VIEW(widget);
  if (keyboard)
    return FALSE;
  long i = amorph_atom_view_pick(self, x, y);
  if (i < 0)
    return FALSE;
  int t = self->type[i];
  const char *sp = t >= 0 && t < self->ntypes && self->species[t][0] ? self->species[t] : NULL;
  g_autofree char *type_name = sp ? g_strdup(sp) : g_strdup_printf("type %d", t + 1);
  GString *text = g_string_new(NULL);
  g_string_append_printf(text, "<b>%s</b> · atom %" G_GINT64_FORMAT, type_name, (gint64) self->id[i]);
  if (self->classes && self->classes[i] < AM_ATOM_COLOR_PINNED)
    g_string_append_printf(text, " · %s", am_atom_class_name((AmAtomColorClass) self->classes[i]));
  if (self->pinned[i])
    g_string_append(text, " · pinned");
  if (self->values && self->color_mode == AMORPH_COLOR_BY_VALUE && self->value_name)
    g_string_append_printf(text, "\n%s = %.3g %s", self->value_name, self->values[i],
                           self->value_unit ? self->value_unit : "");
  g_string_append_printf(text, "\n<small>%.2f, %.2f, %.2f Å</small>", self->xyz[3 * i], self->xyz[3 * i + 1],
                         self->xyz[3 * i + 2]);
  gtk_tooltip_set_markup(tooltip, text->str);
  g_string_free(text, TRUE);
  return TRUE;
}

/* ---- public ------------------------------------------------------------------------- */

GtkWidget *amorph_atom_view_new(void)
{
  return g_object_new(AMORPH_TYPE_ATOM_VIEW, NULL);
}

static void free_arrays(AmorphAtomView *self)
{
  g_clear_pointer(&self->xyz, g_free);
  g_clear_pointer(&self->radius, g_free);
  g_clear_pointer(&self->draw_radius, g_free);
  g_clear_pointer(&self->arrow_vec, g_free);
  g_clear_pointer(&self->rgba, g_free);
  g_clear_pointer(&self->marks, g_free);
  g_clear_pointer(&self->type, g_free);
  g_clear_pointer(&self->id, g_free);
  g_clear_pointer(&self->classes, g_free);
  g_clear_pointer(&self->values, g_free);
  g_clear_pointer(&self->pinned, g_free);
  self->n = 0;
}

void amorph_atom_view_clear(AmorphAtomView *self)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  free_arrays(self);
  self->has_box = FALSE;
  self->hover = -1;
  self->atoms_dirty = self->box_dirty = TRUE;
  queue_render(self);
}

void amorph_atom_view_set_atoms(AmorphAtomView *self, const AmBox *box, const AmAtoms *atoms)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  free_arrays(self);
  size_t n = atoms->n;
  self->n = n;
  self->xyz = g_new(float, 3 * n + 1);
  self->radius = g_new(float, n + 1);
  self->draw_radius = g_new(float, n + 1);
  self->rgba = g_new(float, 4 * n + 1);
  self->marks = g_new0(uint8_t, n + 1);
  self->type = g_new(int32_t, n + 1);
  self->pinned = g_new0(uint8_t, n + 1);
  for (size_t k = 0; k < 3 * n; k++)
    self->xyz[k] = (float) atoms->x[k];
  memcpy(self->type, atoms->type, n * sizeof *self->type);
  self->box = *box;
  self->has_box = TRUE;
  self->id = g_memdup2(atoms->id, (n ? n : 1) * sizeof *atoms->id);
  self->ntypes = atoms->ntypes;
  memset(self->species, 0, sizeof self->species);
  for (int t = 0; t < atoms->ntypes && t < AM_MAX_TYPES; t++)
    g_strlcpy(self->species[t], amorph_species_for_type(atoms, t), sizeof self->species[t]);
  self->box = *box;
  self->has_box = TRUE;
  self->hover = -1;
  update_radii(self);
  update_colors(self);
  update_marks(self);
  self->box_dirty = TRUE;
  self->camera_framed = FALSE;
  sync_camera_viewport(self);
  queue_render(self);
}

void amorph_atom_view_set_positions(AmorphAtomView *self, const AmBox *box, size_t n, const double *x)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  g_return_if_fail(n == self->n);
  for (size_t k = 0; k < 3 * n; k++)
    self->xyz[k] = (float) x[k];
  if (box) {
    self->box = *box;
    self->box_dirty = TRUE;
  }
  if (self->slab_on)
    update_visibility(self);
  self->positions_dirty = TRUE;
  queue_render(self);
}

void amorph_atom_view_set_classes(AmorphAtomView *self, size_t n, const uint8_t *classes)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  g_return_if_fail(n == self->n);
  g_free(self->classes);
  self->classes = g_memdup2(classes, n ? n : 1);
  if (self->color_mode == AMORPH_COLOR_BY_CLASS)
    update_colors(self);
  else
    update_visibility(self);
  queue_render(self);
}

gboolean amorph_atom_view_has_classes(AmorphAtomView *self)
{
  g_return_val_if_fail(AMORPH_IS_ATOM_VIEW(self), FALSE);
  return self->classes != NULL;
}

void amorph_atom_view_set_values(AmorphAtomView *self, size_t n, const double *values, AmColormap map,
                                 double vmin, double vmax)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  g_return_if_fail(n == self->n);
  g_free(self->values);
  self->values = g_memdup2(values, (n ? n : 1) * sizeof *values);
  self->value_map = map;
  self->vmin = vmin;
  self->vmax = vmax;
  if (self->color_mode == AMORPH_COLOR_BY_VALUE) {
    update_colors(self);
    queue_render(self);
  }
}

void amorph_atom_view_clear_values(AmorphAtomView *self)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  if (!self->values)
    return;
  g_clear_pointer(&self->values, g_free);
  if (self->color_mode == AMORPH_COLOR_BY_VALUE) {
    update_colors(self);
    queue_render(self);
  }
}

gboolean amorph_atom_view_has_values(AmorphAtomView *self)
{
  g_return_val_if_fail(AMORPH_IS_ATOM_VIEW(self), FALSE);
  return self->values != NULL;
}

void amorph_atom_view_set_pinned(AmorphAtomView *self, size_t n, const uint8_t *pinned)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  g_return_if_fail(n == self->n);
  for (size_t i = 0; i < n; i++)
    self->pinned[i] = pinned ? pinned[i] != 0 : 0;
  update_marks(self);
  update_visibility(self);
  queue_render(self);
}

size_t amorph_atom_view_get_n_atoms(AmorphAtomView *self)
{
  g_return_val_if_fail(AMORPH_IS_ATOM_VIEW(self), 0);
  return self->n;
}

gboolean amorph_atom_view_get_atom_position(AmorphAtomView *self, size_t i, double xyz[3])
{
  g_return_val_if_fail(AMORPH_IS_ATOM_VIEW(self), FALSE);
  if (i >= self->n)
    return FALSE;
  for (int k = 0; k < 3; k++)
    xyz[k] = self->xyz[3 * i + k];
  return TRUE;
}

void amorph_atom_view_set_color_mode(AmorphAtomView *self, AmorphColorMode mode)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  if (self->color_mode == mode)
    return;
  self->color_mode = mode;
  update_colors(self);
  queue_render(self);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_COLOR_MODE]);
}

AmorphColorMode amorph_atom_view_get_color_mode(AmorphAtomView *self)
{
  return self->color_mode;
}

void amorph_atom_view_set_orthographic(AmorphAtomView *self, gboolean orthographic)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  orthographic = !!orthographic;
  if (self->orthographic == orthographic)
    return;
  self->orthographic = orthographic;
  self->camera.orthographic = orthographic;
  camera_moved(self);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_ORTHOGRAPHIC]);
}

gboolean amorph_atom_view_get_orthographic(AmorphAtomView *self)
{
  return self->orthographic;
}

void amorph_atom_view_set_atom_scale(AmorphAtomView *self, double scale)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  scale = CLAMP(scale, 0.1, 1.5);
  if (self->atom_scale == scale)
    return;
  self->atom_scale = scale;
  update_radii(self);
  queue_render(self);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_ATOM_SCALE]);
}

double amorph_atom_view_get_atom_scale(AmorphAtomView *self)
{
  return self->atom_scale;
}

void amorph_atom_view_set_show_box(AmorphAtomView *self, gboolean show)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  show = !!show;
  if (self->show_box == show)
    return;
  self->show_box = show;
  self->box_dirty = TRUE;
  queue_render(self);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_SHOW_BOX]);
}

gboolean amorph_atom_view_get_show_box(AmorphAtomView *self)
{
  return self->show_box;
}

const AmCamera *amorph_atom_view_get_camera(AmorphAtomView *self)
{
  sync_camera_viewport(self);
  self->camera.orthographic = self->orthographic;
  return &self->camera;
}

void amorph_atom_view_reset_camera(AmorphAtomView *self)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  double c[3] = {0, 0, 0}, radius = 10;
  if (self->has_box) {
    /* The cell's centre and its half diagonal (the longest one, for a tilted cell). */
    double s[3] = {0.5, 0.5, 0.5};
    am_box_from_frac(&self->box, s, c);
    radius = 0;
    for (int k = 0; k < 8; k++) {
      double f[3] = {k & 1, (k >> 1) & 1, (k >> 2) & 1}, p[3];
      am_box_from_frac(&self->box, f, p);
      double d = sqrt((p[0] - c[0]) * (p[0] - c[0]) + (p[1] - c[1]) * (p[1] - c[1]) + (p[2] - c[2]) * (p[2] - c[2]));
      radius = MAX(radius, d);
    }
  }
  am_camera_frame(&self->camera, c, radius);
  self->camera_framed = self->n > 0;
  camera_moved(self);
}

void amorph_atom_view_set_camera(AmorphAtomView *self, const AmCamera *cam)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  g_return_if_fail(cam != NULL);
  double w = self->camera.width, h = self->camera.height;
  self->camera = *cam;
  self->camera.width = w;
  self->camera.height = h;
  self->camera.orthographic = self->orthographic;
  /* A camera placed on purpose is not replaced by the first framing. */
  self->camera_framed = self->n > 0;
  camera_moved(self);
}

guint64 amorph_atom_view_get_frame_count(AmorphAtomView *self)
{
  return self->frames;
}

static gboolean tick(GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  (void) clock;
  (void) user_data;
  gtk_gl_area_queue_render(GTK_GL_AREA(widget));
  return G_SOURCE_CONTINUE;
}

void amorph_atom_view_set_animate(AmorphAtomView *self, gboolean animate)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  if (animate && !self->tick_id)
    self->tick_id = gtk_widget_add_tick_callback(GTK_WIDGET(self), tick, NULL, NULL);
  else if (!animate && self->tick_id) {
    gtk_widget_remove_tick_callback(GTK_WIDGET(self), self->tick_id);
    self->tick_id = 0;
  }
}

/* ---- GObject -------------------------------------------------------------------------- */

static void amorph_atom_view_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AmorphAtomView *self = AMORPH_ATOM_VIEW(object);
  switch (prop_id) {
  case PROP_COLOR_MODE:
    g_value_set_int(value, self->color_mode);
    break;
  case PROP_ORTHOGRAPHIC:
    g_value_set_boolean(value, self->orthographic);
    break;
  case PROP_ATOM_SCALE:
    g_value_set_double(value, self->atom_scale);
    break;
  case PROP_SHOW_BOX:
    g_value_set_boolean(value, self->show_box);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void amorph_atom_view_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  AmorphAtomView *self = AMORPH_ATOM_VIEW(object);
  switch (prop_id) {
  case PROP_COLOR_MODE:
    amorph_atom_view_set_color_mode(self, g_value_get_int(value));
    break;
  case PROP_ORTHOGRAPHIC:
    amorph_atom_view_set_orthographic(self, g_value_get_boolean(value));
    break;
  case PROP_ATOM_SCALE:
    amorph_atom_view_set_atom_scale(self, g_value_get_double(value));
    break;
  case PROP_SHOW_BOX:
    amorph_atom_view_set_show_box(self, g_value_get_boolean(value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void amorph_atom_view_finalize(GObject *object)
{
  AmorphAtomView *self = AMORPH_ATOM_VIEW(object);
  free_arrays(self);
  g_free(self->arrow_xyz);
  g_free(self->value_name);
  g_free(self->value_unit);
  G_OBJECT_CLASS(amorph_atom_view_parent_class)->finalize(object);
}

static void amorph_atom_view_class_init(AmorphAtomViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  GtkGLAreaClass *area_class = GTK_GL_AREA_CLASS(klass);

  object_class->get_property = amorph_atom_view_get_property;
  object_class->set_property = amorph_atom_view_set_property;
  object_class->finalize = amorph_atom_view_finalize;
  widget_class->realize = amorph_atom_view_realize;
  widget_class->unrealize = amorph_atom_view_unrealize;
  area_class->render = amorph_atom_view_render;
  widget_class->snapshot = amorph_atom_view_snapshot;
#if !GTK_CHECK_VERSION(4, 12, 0)
  area_class->create_context = amorph_atom_view_create_context;
#endif

  props[PROP_COLOR_MODE] = g_param_spec_int("color-mode", NULL, NULL, AMORPH_COLOR_BY_SPECIES, AMORPH_COLOR_BY_VALUE,
                                            AMORPH_COLOR_BY_SPECIES,
                                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  props[PROP_ORTHOGRAPHIC] = g_param_spec_boolean("orthographic", NULL, NULL, FALSE,
                                                  G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  props[PROP_ATOM_SCALE] = g_param_spec_double("atom-scale", NULL, NULL, 0.1, 1.5, DEFAULT_ATOM_SCALE,
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  props[PROP_SHOW_BOX] = g_param_spec_boolean("show-box", NULL, NULL, TRUE,
                                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties(object_class, N_PROPS, props);

  /* The window toggles the pin of the atom; the view only reports which one was hit. */
  signals[SIGNAL_ATOM_CLICKED] = g_signal_new("atom-clicked", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                              NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SIGNAL_CAMERA_CHANGED] = g_signal_new("camera-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                                NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Ctrl-drag's rectangle: a GArray of guint indices (atoms_in_rect's), valid during
   * emission; the window decides what selecting means (it pins them). */
  signals[SIGNAL_ATOMS_SELECTED] = g_signal_new("atoms-selected", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                                NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ARRAY);
  gtk_widget_class_set_css_name(widget_class, "atomview");
}

static void amorph_atom_view_init(AmorphAtomView *self)
{
  self->atom_scale = DEFAULT_ATOM_SCALE;
  self->show_box = TRUE;
  self->hover = -1;
  self->class_filter = ~0u;
  self->slab_axis = 2;
  self->slab_center = 0.5;
  self->slab_thickness = 10;
  am_camera_init(&self->camera);
  gtk_gl_area_set_has_depth_buffer(GTK_GL_AREA(self), TRUE);
  gtk_gl_area_set_auto_render(GTK_GL_AREA(self), TRUE);
  gtk_widget_set_focusable(GTK_WIDGET(self), TRUE);
  gtk_widget_set_focus_on_click(GTK_WIDGET(self), TRUE);
  gtk_widget_set_hexpand(GTK_WIDGET(self), TRUE);
  gtk_widget_set_vexpand(GTK_WIDGET(self), TRUE);
  gtk_widget_set_has_tooltip(GTK_WIDGET(self), TRUE);
  g_signal_connect(self, "query-tooltip", G_CALLBACK(query_tooltip), NULL);

  GtkGesture *drag = gtk_gesture_drag_new();
  gtk_gesture_single_set_button(GTK_GESTURE_SINGLE(drag), 0);
  g_signal_connect(drag, "drag-begin", G_CALLBACK(drag_begin), self);
  g_signal_connect(drag, "drag-update", G_CALLBACK(drag_update), self);
  g_signal_connect(drag, "drag-end", G_CALLBACK(drag_end), self);
  gtk_widget_add_controller(GTK_WIDGET(self), GTK_EVENT_CONTROLLER(drag));

  GtkEventController *sc = gtk_event_controller_scroll_new(GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect(sc, "scroll", G_CALLBACK(scroll), self);
  gtk_widget_add_controller(GTK_WIDGET(self), sc);

  GtkEventController *mc = gtk_event_controller_motion_new();
  g_signal_connect(mc, "motion", G_CALLBACK(motion), self);
  g_signal_connect(mc, "leave", G_CALLBACK(leave), self);
  gtk_widget_add_controller(GTK_WIDGET(self), mc);

  GtkEventController *kc = gtk_event_controller_key_new();
  g_signal_connect(kc, "key-pressed", G_CALLBACK(key_pressed), self);
  gtk_widget_add_controller(GTK_WIDGET(self), kc);
}

/* ---- what is shown, and selections -------------------------------------------------- */

void amorph_atom_view_set_class_filter(AmorphAtomView *self, guint mask)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  if (self->class_filter == mask)
    return;
  self->class_filter = mask;
  update_visibility(self);
  queue_render(self);
}

guint amorph_atom_view_get_class_filter(AmorphAtomView *self)
{
  g_return_val_if_fail(AMORPH_IS_ATOM_VIEW(self), ~0u);
  return self->class_filter;
}

void amorph_atom_view_set_slab(AmorphAtomView *self, gboolean on, int axis, double center, double thickness)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  g_return_if_fail(axis >= 0 && axis < 3);
  self->slab_on = !!on;
  self->slab_axis = axis;
  self->slab_center = isfinite(center) ? center - floor(center) : 0.5;
  self->slab_thickness = isfinite(thickness) && thickness > 0 ? thickness : 0;
  update_visibility(self);
  queue_render(self);
}

gboolean amorph_atom_view_get_slab(AmorphAtomView *self, int *axis, double *center, double *thickness)
{
  g_return_val_if_fail(AMORPH_IS_ATOM_VIEW(self), FALSE);
  if (axis)
    *axis = self->slab_axis;
  if (center)
    *center = self->slab_center;
  if (thickness)
    *thickness = self->slab_thickness;
  return self->slab_on;
}

size_t amorph_atom_view_get_n_visible(AmorphAtomView *self)
{
  g_return_val_if_fail(AMORPH_IS_ATOM_VIEW(self), 0);
  return self->n_visible;
}

gboolean amorph_atom_view_is_visible(AmorphAtomView *self, size_t i)
{
  g_return_val_if_fail(AMORPH_IS_ATOM_VIEW(self), FALSE);
  return i < self->n && self->draw_radius[i] > 0;
}

GArray *amorph_atom_view_visible_atoms(AmorphAtomView *self)
{
  g_return_val_if_fail(AMORPH_IS_ATOM_VIEW(self), NULL);
  GArray *out = g_array_new(FALSE, FALSE, sizeof(guint));
  for (guint i = 0; i < self->n; i++)
    if (self->draw_radius[i] > 0)
      g_array_append_val(out, i);
  return out;
}

GArray *amorph_atom_view_atoms_in_rect(AmorphAtomView *self, double x0, double y0, double x1, double y1)
{
  g_return_val_if_fail(AMORPH_IS_ATOM_VIEW(self), NULL);
  GArray *out = g_array_new(FALSE, FALSE, sizeof(guint));
  const double xl = MIN(x0, x1), xh = MAX(x0, x1), yl = MIN(y0, y1), yh = MAX(y0, y1);
  const AmCamera *cam = amorph_atom_view_get_camera(self);
  for (guint i = 0; i < self->n; i++) {
    if (!(self->draw_radius[i] > 0))
      continue;
    const double w[3] = {self->xyz[3 * i], self->xyz[3 * i + 1], self->xyz[3 * i + 2]};
    double win[3];
    if (am_camera_project(cam, w, win) && win[0] >= xl && win[0] <= xh && win[1] >= yl && win[1] <= yh)
      g_array_append_val(out, i);
  }
  return out;
}

void amorph_atom_view_set_arrows(AmorphAtomView *self, size_t n, const float *vectors)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  g_clear_pointer(&self->arrow_vec, g_free);
  if (vectors && n == self->n && n > 0)
    self->arrow_vec = g_memdup2(vectors, 3 * n * sizeof *vectors);
  if (self->show_arrows)
    queue_render(self);
}

void amorph_atom_view_set_show_arrows(AmorphAtomView *self, gboolean show)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  self->show_arrows = !!show;
  queue_render(self);
}

gboolean amorph_atom_view_get_show_arrows(AmorphAtomView *self)
{
  g_return_val_if_fail(AMORPH_IS_ATOM_VIEW(self), FALSE);
  return self->show_arrows;
}

size_t amorph_atom_view_get_n_arrows(AmorphAtomView *self)
{
  g_return_val_if_fail(AMORPH_IS_ATOM_VIEW(self), 0);
  return build_arrows(self) / 3;
}

void amorph_atom_view_get_value_range(AmorphAtomView *self, AmColormap *map, double *vmin, double *vmax)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  if (map)
    *map = self->value_map;
  if (vmin)
    *vmin = self->vmin;
  if (vmax)
    *vmax = self->vmax;
}

gboolean amorph_atom_view_get_value(AmorphAtomView *self, size_t i, double *value)
{
  g_return_val_if_fail(AMORPH_IS_ATOM_VIEW(self), FALSE);
  if (!self->values || i >= self->n)
    return FALSE;
  *value = self->values[i];
  return TRUE;
}

void amorph_atom_view_set_value_label(AmorphAtomView *self, const char *name_markup, const char *unit)
{
  g_return_if_fail(AMORPH_IS_ATOM_VIEW(self));
  g_free(self->value_name);
  g_free(self->value_unit);
  self->value_name = g_strdup(name_markup);
  self->value_unit = g_strdup(unit);
}
