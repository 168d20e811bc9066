/* atom_renderer.c: instanced sphere impostors and the cell outline (see atom_renderer.h). */
#include "render/atom_renderer.h"

#include <epoxy/gl.h>
#include <string.h>

G_DEFINE_QUARK(am-atom-renderer-error-quark, am_atom_renderer_error)

/* One instance as the vertex shader reads it. */
typedef struct {
  float x, y, z, r;
  uint8_t rgba[4];
  float marks;
} Instance;

struct AmAtomRenderer {
  GLuint sphere_prog, line_prog;
  GLint s_view, s_proj, s_ortho, s_pinned;
  GLint l_view, l_proj, l_color;
  GLuint sphere_vao, quad_vbo, inst_vbo;
  GLuint line_vao, line_vbo;
  GLuint arrow_vao, arrow_vbo;
  size_t n_arrow_vertices, arrow_capacity; /* vertices in the GL buffer, and room for */
  AmColor arrow_color;
  Instance *inst;
  size_t n, capacity;
  size_t uploaded_capacity; /* instances the GL buffer can hold */
  bool dirty;               /* inst changed since the last upload */
  bool has_box;
  float box_lines[24 * 3];
  AmColor background, box_color, pinned_color;
};

static GLuint compile(GLenum kind, const char *src, const char *what, GError **error)
{
  const char *header = "#version 300 es\nprecision highp float;\n";
  if (epoxy_is_desktop_gl())
    header = epoxy_has_gl_extension("GL_ARB_conservative_depth")
                 ? "#version 330 core\n#extension GL_ARB_conservative_depth : require\n#define AM_CONSERVATIVE_DEPTH 1\n"
                 : "#version 330 core\n";
  const char *parts[2] = {header, src};
  GLuint sh = glCreateShader(kind);
  glShaderSource(sh, 2, parts, NULL);
  glCompileShader(sh);
  GLint ok = 0;
  glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char log[2048] = "";
    glGetShaderInfoLog(sh, sizeof log, NULL, log);
    g_set_error(error, AM_ATOM_RENDERER_ERROR, AM_ATOM_RENDERER_ERROR_SHADER, "The %s shader did not compile: %s",
                what, log);
    glDeleteShader(sh);
    return 0;
  }
  return sh;
}

static GLuint link_program(const char *vs_src, const char *fs_src, const char *what, GError **error)
{
  GLuint vs = compile(GL_VERTEX_SHADER, vs_src, what, error);
  if (!vs)
    return 0;
  GLuint fs = compile(GL_FRAGMENT_SHADER, fs_src, what, error);
  if (!fs) {
    glDeleteShader(vs);
    return 0;
  }
  GLuint prog = glCreateProgram();
  glAttachShader(prog, vs);
  glAttachShader(prog, fs);
  glLinkProgram(prog);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = 0;
  glGetProgramiv(prog, GL_LINK_STATUS, &ok);
  if (!ok) {
    char log[2048] = "";
    glGetProgramInfoLog(prog, sizeof log, NULL, log);
    g_set_error(error, AM_ATOM_RENDERER_ERROR, AM_ATOM_RENDERER_ERROR_SHADER, "The %s program did not link: %s",
                what, log);
    glDeleteProgram(prog);
    return 0;
  }
  return prog;
}

AmAtomRenderer *am_atom_renderer_new(const char *sphere_vs, const char *sphere_fs, const char *line_vs,
                                     const char *line_fs, GError **error)
{
  int version = epoxy_gl_version();
  bool desktop = epoxy_is_desktop_gl();
  if ((desktop && version < 33) || (!desktop && version < 30)) {
    g_set_error(error, AM_ATOM_RENDERER_ERROR, AM_ATOM_RENDERER_ERROR_GL,
                "The atom view needs OpenGL 3.3 or OpenGL ES 3.0; this context is %s %d.%d",
                desktop ? "OpenGL" : "OpenGL ES", version / 10, version % 10);
    return NULL;
  }
  AmAtomRenderer *r = g_new0(AmAtomRenderer, 1);
  r->sphere_prog = link_program(sphere_vs, sphere_fs, "sphere", error);
  if (!r->sphere_prog) {
    g_free(r);
    return NULL;
  }
  r->line_prog = link_program(line_vs, line_fs, "box line", error);
  if (!r->line_prog) {
    glDeleteProgram(r->sphere_prog);
    g_free(r);
    return NULL;
  }
  r->s_view = glGetUniformLocation(r->sphere_prog, "view");
  r->s_proj = glGetUniformLocation(r->sphere_prog, "proj");
  r->s_ortho = glGetUniformLocation(r->sphere_prog, "ortho");
  r->s_pinned = glGetUniformLocation(r->sphere_prog, "pinned_color");
  r->l_view = glGetUniformLocation(r->line_prog, "view");
  r->l_proj = glGetUniformLocation(r->line_prog, "proj");
  r->l_color = glGetUniformLocation(r->line_prog, "color");

  static const float quad[8] = {-1, -1, 1, -1, -1, 1, 1, 1};
  glGenVertexArrays(1, &r->sphere_vao);
  glBindVertexArray(r->sphere_vao);
  glGenBuffers(1, &r->quad_vbo);
  glBindBuffer(GL_ARRAY_BUFFER, r->quad_vbo);
  glBufferData(GL_ARRAY_BUFFER, sizeof quad, quad, GL_STATIC_DRAW);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 2 * sizeof(float), (void *) 0);
  glGenBuffers(1, &r->inst_vbo);
  glBindBuffer(GL_ARRAY_BUFFER, r->inst_vbo);
  glEnableVertexAttribArray(1);
  glVertexAttribPointer(1, 4, GL_FLOAT, GL_FALSE, sizeof(Instance), (void *) offsetof(Instance, x));
  glVertexAttribDivisor(1, 1);
  glEnableVertexAttribArray(2);
  glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, sizeof(Instance), (void *) offsetof(Instance, rgba));
  glVertexAttribDivisor(2, 1);
  glEnableVertexAttribArray(3);
  glVertexAttribPointer(3, 1, GL_FLOAT, GL_FALSE, sizeof(Instance), (void *) offsetof(Instance, marks));
  glVertexAttribDivisor(3, 1);

  glGenVertexArrays(1, &r->line_vao);
  glBindVertexArray(r->line_vao);
  glGenBuffers(1, &r->line_vbo);
  glBindBuffer(GL_ARRAY_BUFFER, r->line_vbo);
  glBufferData(GL_ARRAY_BUFFER, sizeof r->box_lines, NULL, GL_DYNAMIC_DRAW);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 3 * sizeof(float), (void *) 0);
  glBindVertexArray(0);
  glBindBuffer(GL_ARRAY_BUFFER, 0);

  glGenVertexArrays(1, &r->arrow_vao);
  glBindVertexArray(r->arrow_vao);
  glGenBuffers(1, &r->arrow_vbo);
  glBindBuffer(GL_ARRAY_BUFFER, r->arrow_vbo);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 3 * sizeof(float), (void *) 0);
  glBindVertexArray(0);
  glBindBuffer(GL_ARRAY_BUFFER, 0);
  r->arrow_color = am_color_from_hex(0xf0e442);

  r->background = am_color_from_hex(0x24272c);
  r->box_color = am_color_with_alpha(am_color_from_hex(0x9aa0a6), 1.0);
  r->pinned_color = am_atom_class_color(AM_ATOM_COLOR_PINNED);
  return r;
}

void am_atom_renderer_free(AmAtomRenderer *r)
{
  if (!r)
    return;
  glDeleteBuffers(1, &r->quad_vbo);
  glDeleteBuffers(1, &r->inst_vbo);
  glDeleteBuffers(1, &r->line_vbo);
  glDeleteBuffers(1, &r->arrow_vbo);
  glDeleteVertexArrays(1, &r->sphere_vao);
  glDeleteVertexArrays(1, &r->line_vao);
  glDeleteVertexArrays(1, &r->arrow_vao);
  glDeleteProgram(r->sphere_prog);
  glDeleteProgram(r->line_prog);
  g_free(r->inst);
  g_free(r);
}

static uint8_t to_byte(float v)
{
  if (!(v > 0))
    return 0;
  if (v >= 1)
    return 255;
  return (uint8_t) (v * 255.0f + 0.5f);
}

void am_atom_renderer_set_atoms(AmAtomRenderer *r, size_t n, const float *xyz, const float *radius,
                                const float *rgba, const uint8_t *marks)
{
  if (n > r->capacity) {
    r->inst = g_renew(Instance, r->inst, n);
    r->capacity = n;
  }
  r->n = n;
  for (size_t i = 0; i < n; i++) {
    Instance *in = &r->inst[i];
    in->x = xyz[3 * i];
    in->y = xyz[3 * i + 1];
    in->z = xyz[3 * i + 2];
    in->r = radius[i];
    for (int k = 0; k < 4; k++)
      in->rgba[k] = to_byte(rgba[4 * i + k]);
    in->marks = marks ? (float) marks[i] : 0.0f;
  }
  r->dirty = true;
}

void am_atom_renderer_set_positions(AmAtomRenderer *r, size_t n, const float *xyz)
{
  g_return_if_fail(n == r->n);
  for (size_t i = 0; i < n; i++) {
    r->inst[i].x = xyz[3 * i];
    r->inst[i].y = xyz[3 * i + 1];
    r->inst[i].z = xyz[3 * i + 2];
  }
  r->dirty = true;
}

void am_atom_renderer_set_marks(AmAtomRenderer *r, size_t n, const uint8_t *marks)
{
  g_return_if_fail(n == r->n);
  for (size_t i = 0; i < n; i++)
    r->inst[i].marks = marks ? (float) marks[i] : 0.0f;
  r->dirty = true;
}

size_t am_atom_renderer_count(const AmAtomRenderer *r)
{
  return r->n;
}

void am_atom_renderer_set_box(AmAtomRenderer *r, const AmBox *box)
{
  r->has_box = box != NULL;
  if (!box)
    return;
  /* The 8 corners lo + i·a + j·b + k·c, joined along the 12 edges. */
  double corner[8][3];
  for (int c = 0; c < 8; c++) {
    double s[3] = {c & 1, (c >> 1) & 1, (c >> 2) & 1};
    am_box_from_frac(box, s, corner[c]);
  }
  int e = 0;
  for (int c = 0; c < 8; c++)
    for (int bit = 0; bit < 3; bit++)
      if (!(c & (1 << bit))) {
        int d = c | (1 << bit);
        for (int k = 0; k < 3; k++) {
          r->box_lines[6 * e + k] = (float) corner[c][k];
          r->box_lines[6 * e + 3 + k] = (float) corner[d][k];
        }
        e++;
      }
  glBindBuffer(GL_ARRAY_BUFFER, r->line_vbo);
  glBufferSubData(GL_ARRAY_BUFFER, 0, sizeof r->box_lines, r->box_lines);
  glBindBuffer(GL_ARRAY_BUFFER, 0);
}

void am_atom_renderer_set_background(AmAtomRenderer *r, AmColor color)
{
  r->background = color;
}

void am_atom_renderer_set_box_color(AmAtomRenderer *r, AmColor color)
{
  r->box_color = color;
}

static void to_float16(const double m[16], float out[16])
{
  for (int i = 0; i < 16; i++)
    out[i] = (float) m[i];
}

void am_atom_renderer_draw(AmAtomRenderer *r, const double view[16], const double proj[16], bool orthographic,
                           int width, int height)
{
  glViewport(0, 0, width, height);
  glClearColor((float) r->background.r, (float) r->background.g, (float) r->background.b, 1.0f);
  glClearDepthf(1.0f);
  glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
  glEnable(GL_DEPTH_TEST);
  glDepthFunc(GL_LESS);
  glDisable(GL_BLEND);
  glDisable(GL_CULL_FACE);

  float v[16], p[16];
  to_float16(view, v);
  to_float16(proj, p);

  if (r->dirty) {
    glBindBuffer(GL_ARRAY_BUFFER, r->inst_vbo);
    if (r->capacity > r->uploaded_capacity) {
      glBufferData(GL_ARRAY_BUFFER, r->capacity * sizeof(Instance), NULL, GL_DYNAMIC_DRAW);
      r->uploaded_capacity = r->capacity;
    }
    if (r->n)
      glBufferSubData(GL_ARRAY_BUFFER, 0, r->n * sizeof(Instance), r->inst);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    r->dirty = false;
  }

  if (r->n) {
    glUseProgram(r->sphere_prog);
    glUniformMatrix4fv(r->s_view, 1, GL_FALSE, v);
    glUniformMatrix4fv(r->s_proj, 1, GL_FALSE, p);
    glUniform1f(r->s_ortho, orthographic ? 1.0f : 0.0f);
    glUniform3f(r->s_pinned, (float) r->pinned_color.r, (float) r->pinned_color.g, (float) r->pinned_color.b);
    glBindVertexArray(r->sphere_vao);
    glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, (GLsizei) r->n);
  }

  if (r->has_box) {
    glUseProgram(r->line_prog);
    glUniformMatrix4fv(r->l_view, 1, GL_FALSE, v);
    glUniformMatrix4fv(r->l_proj, 1, GL_FALSE, p);
    glUniform4f(r->l_color, (float) r->box_color.r, (float) r->box_color.g, (float) r->box_color.b,
                (float) r->box_color.a);
    glBindVertexArray(r->line_vao);
    glDrawArrays(GL_LINES, 0, 24);
  }
  if (r->n_arrow_vertices) {
    /* Over the atoms: a displacement of an ångström or two would hide inside its own
     * sphere. */
    glDisable(GL_DEPTH_TEST);
    glUseProgram(r->line_prog);
    glUniformMatrix4fv(r->l_view, 1, GL_FALSE, v);
    glUniformMatrix4fv(r->l_proj, 1, GL_FALSE, p);
    glUniform4f(r->l_color, (float) r->arrow_color.r, (float) r->arrow_color.g, (float) r->arrow_color.b, 1.0f);
    glBindVertexArray(r->arrow_vao);
    glDrawArrays(GL_LINES, 0, (GLsizei) r->n_arrow_vertices);
    glEnable(GL_DEPTH_TEST);
  }
  glBindVertexArray(0);
  glUseProgram(0);
}

void am_atom_renderer_set_arrows(AmAtomRenderer *r, size_t n_segments, const float *xyz, AmColor color)
{
  r->arrow_color = color;
  r->n_arrow_vertices = xyz ? 2 * n_segments : 0;
  if (!r->n_arrow_vertices)
    return;
  glBindBuffer(GL_ARRAY_BUFFER, r->arrow_vbo);
  if (r->n_arrow_vertices > r->arrow_capacity) {
    r->arrow_capacity = 2 * r->n_arrow_vertices;
    glBufferData(GL_ARRAY_BUFFER, r->arrow_capacity * 3 * sizeof(float), NULL, GL_DYNAMIC_DRAW);
  }
  glBufferSubData(GL_ARRAY_BUFFER, 0, r->n_arrow_vertices * 3 * sizeof(float), xyz);
  glBindBuffer(GL_ARRAY_BUFFER, 0);
}
