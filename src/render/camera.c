/* camera.c: turntable camera, projection matrices and ray picking (see camera.h). */
#include "render/camera.h"

#include <math.h>
#include <string.h>

#define DEFAULT_YAW (-0.52359877559829887)  /* -30°: a box seen from a corner reads as 3-D */
#define DEFAULT_PITCH (0.34906585039886590) /* 20° */

static double dot3(const double a[3], const double b[3])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void cross3(const double a[3], const double b[3], double out[3])
{
  double c[3] = {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
  memcpy(out, c, sizeof c);
}

static void normalize3(double v[3])
{
  double l = sqrt(dot3(v, v));
  if (l > 0) {
    v[0] /= l;
    v[1] /= l;
    v[2] /= l;
  }
}

static double clamp(double v, double lo, double hi)
{
  return v < lo ? lo : v > hi ? hi : v;
}

/* c = a·b for column-major 4×4 matrices. */
static void mat4_mul(const double a[16], const double b[16], double c[16])
{
  double r[16];
  for (int col = 0; col < 4; col++)
    for (int row = 0; row < 4; row++) {
      double s = 0;
      for (int k = 0; k < 4; k++)
        s += a[k * 4 + row] * b[col * 4 + k];
      r[col * 4 + row] = s;
    }
  memcpy(c, r, sizeof r);
}

static void mat4_apply(const double m[16], const double v[4], double out[4])
{
  for (int row = 0; row < 4; row++)
    out[row] = m[row] * v[0] + m[4 + row] * v[1] + m[8 + row] * v[2] + m[12 + row] * v[3];
}

/* General inverse by cofactors; the matrices here are always well conditioned (a view
 * times a projection with near > 0), so no pivoting is needed. Returns false if singular. */
static bool mat4_invert(const double m[16], double out[16])
{
  double inv[16];
  inv[0] = m[5] * m[10] * m[15] - m[5] * m[11] * m[14] - m[9] * m[6] * m[15] + m[9] * m[7] * m[14] +
           m[13] * m[6] * m[11] - m[13] * m[7] * m[10];
  inv[4] = -m[4] * m[10] * m[15] + m[4] * m[11] * m[14] + m[8] * m[6] * m[15] - m[8] * m[7] * m[14] -
           m[12] * m[6] * m[11] + m[12] * m[7] * m[10];
  inv[8] = m[4] * m[9] * m[15] - m[4] * m[11] * m[13] - m[8] * m[5] * m[15] + m[8] * m[7] * m[13] +
           m[12] * m[5] * m[11] - m[12] * m[7] * m[9];
  inv[12] = -m[4] * m[9] * m[14] + m[4] * m[10] * m[13] + m[8] * m[5] * m[14] - m[8] * m[6] * m[13] -
            m[12] * m[5] * m[10] + m[12] * m[6] * m[9];
  inv[1] = -m[1] * m[10] * m[15] + m[1] * m[11] * m[14] + m[9] * m[2] * m[15] - m[9] * m[3] * m[14] -
           m[13] * m[2] * m[11] + m[13] * m[3] * m[10];
  inv[5] = m[0] * m[10] * m[15] - m[0] * m[11] * m[14] - m[8] * m[2] * m[15] + m[8] * m[3] * m[14] +
           m[12] * m[2] * m[11] - m[12] * m[3] * m[10];
  inv[9] = -m[0] * m[9] * m[15] + m[0] * m[11] * m[13] + m[8] * m[1] * m[15] - m[8] * m[3] * m[13] -
           m[12] * m[1] * m[11] + m[12] * m[3] * m[9];
  inv[13] = m[0] * m[9] * m[14] - m[0] * m[10] * m[13] - m[8] * m[1] * m[14] + m[8] * m[2] * m[13] +
            m[12] * m[1] * m[10] - m[12] * m[2] * m[9];
  inv[2] = m[1] * m[6] * m[15] - m[1] * m[7] * m[14] - m[5] * m[2] * m[15] + m[5] * m[3] * m[14] +
           m[13] * m[2] * m[7] - m[13] * m[3] * m[6];
  inv[6] = -m[0] * m[6] * m[15] + m[0] * m[7] * m[14] + m[4] * m[2] * m[15] - m[4] * m[3] * m[14] -
           m[12] * m[2] * m[7] + m[12] * m[3] * m[6];
  inv[10] = m[0] * m[5] * m[15] - m[0] * m[7] * m[13] - m[4] * m[1] * m[15] + m[4] * m[3] * m[13] +
            m[12] * m[1] * m[7] - m[12] * m[3] * m[5];
  inv[14] = -m[0] * m[5] * m[14] + m[0] * m[6] * m[13] + m[4] * m[1] * m[14] - m[4] * m[2] * m[13] -
            m[12] * m[1] * m[6] + m[12] * m[2] * m[5];
  inv[3] = -m[1] * m[6] * m[11] + m[1] * m[7] * m[10] + m[5] * m[2] * m[11] - m[5] * m[3] * m[10] -
           m[9] * m[2] * m[7] + m[9] * m[3] * m[6];
  inv[7] = m[0] * m[6] * m[11] - m[0] * m[7] * m[10] - m[4] * m[2] * m[11] + m[4] * m[3] * m[10] +
           m[8] * m[2] * m[7] - m[8] * m[3] * m[6];
  inv[11] = -m[0] * m[5] * m[11] + m[0] * m[7] * m[9] + m[4] * m[1] * m[11] - m[4] * m[3] * m[9] -
            m[8] * m[1] * m[7] + m[8] * m[3] * m[5];
  inv[15] = m[0] * m[5] * m[10] - m[0] * m[6] * m[9] - m[4] * m[1] * m[10] + m[4] * m[2] * m[9] +
            m[8] * m[1] * m[6] - m[8] * m[2] * m[5];
  double det = m[0] * inv[0] + m[1] * inv[4] + m[2] * inv[8] + m[3] * inv[12];
  if (det == 0 || !isfinite(det))
    return false;
  for (int i = 0; i < 16; i++)
    out[i] = inv[i] / det;
  return true;
}

void am_camera_init(AmCamera *cam)
{
  memset(cam, 0, sizeof *cam);
  cam->fov_y = 30.0 * M_PI / 180.0;
  cam->width = 400;
  cam->height = 300;
  double c[3] = {0, 0, 0};
  am_camera_frame(cam, c, 1.0);
}

void am_camera_set_viewport(AmCamera *cam, double width, double height)
{
  /* A zero-sized widget (being mapped or collapsed) must not poison the matrices. */
  cam->width = width >= 1 ? width : 1;
  cam->height = height >= 1 ? height : 1;
}

void am_camera_frame(AmCamera *cam, const double center[3], double radius)
{
  if (!(radius > 0) || !isfinite(radius))
    radius = 1.0;
  memcpy(cam->target, center, sizeof cam->target);
  cam->scene_radius = radius;
  cam->yaw = DEFAULT_YAW;
  cam->pitch = DEFAULT_PITCH;
  double half_y = cam->fov_y / 2;
  double half_x = atan(tan(half_y) * cam->width / cam->height);
  double half = half_x < half_y ? half_x : half_y;
  cam->distance = 1.04 * radius / sin(half);
}

void am_camera_orbit(AmCamera *cam, double dyaw, double dpitch)
{
  cam->yaw = remainder(cam->yaw + dyaw, 2 * M_PI);
  cam->pitch = clamp(cam->pitch + dpitch, -AM_CAMERA_MAX_PITCH, AM_CAMERA_MAX_PITCH);
}

double am_camera_view_height(const AmCamera *cam)
{
  return 2 * cam->distance * tan(cam->fov_y / 2);
}

void am_camera_pan(AmCamera *cam, double dx, double dy)
{
  double right[3], up[3], forward[3];
  am_camera_basis(cam, right, up, forward);
  double s = am_camera_view_height(cam) / cam->height;
  for (int k = 0; k < 3; k++)
    cam->target[k] += -dx * s * right[k] + dy * s * up[k];
}

void am_camera_zoom(AmCamera *cam, double factor)
{
  if (!(factor > 0) || !isfinite(factor))
    return;
  double r = cam->scene_radius > 0 ? cam->scene_radius : 1.0;
  cam->distance = clamp(cam->distance / factor, 0.02 * r, 50 * r);
}

void am_camera_basis(const AmCamera *cam, double right[3], double up[3], double forward[3])
{
  double cp = cos(cam->pitch), sp = sin(cam->pitch), cy = cos(cam->yaw), sy = sin(cam->yaw);
  /* yaw = pitch = 0 looks along +y with x to the right and z up. */
  double f[3] = {-sy * cp, cy * cp, -sp};
  double r[3] = {cy, sy, 0};
  double u[3];
  cross3(r, f, u);
  normalize3(u);
  memcpy(forward, f, sizeof f);
  memcpy(right, r, sizeof r);
  memcpy(up, u, sizeof u);
}

void am_camera_eye(const AmCamera *cam, double eye[3])
{
  double r[3], u[3], f[3];
  am_camera_basis(cam, r, u, f);
  for (int k = 0; k < 3; k++)
    eye[k] = cam->target[k] - cam->distance * f[k];
}

void am_camera_clip(const AmCamera *cam, double *near_clip, double *far_clip)
{
  double r = (cam->scene_radius > 0 ? cam->scene_radius : 1.0) * 1.1;
  double n = cam->distance - r, f = cam->distance + r;
  /* Perspective depth precision goes with far/near; an orthographic view may clip behind
   * the eye, which keeps the whole scene when zoomed in. */
  if (!cam->orthographic && n < cam->distance * 0.01)
    n = cam->distance * 0.01;
  *near_clip = n;
  *far_clip = f;
}

void am_camera_view_matrix(const AmCamera *cam, double m[16])
{
  double r[3], u[3], f[3], eye[3];
  am_camera_basis(cam, r, u, f);
  am_camera_eye(cam, eye);
  double v[16] = {
      r[0], u[0], -f[0], 0,
      r[1], u[1], -f[1], 0,
      r[2], u[2], -f[2], 0,
      -dot3(r, eye), -dot3(u, eye), dot3(f, eye), 1,
  };
  memcpy(m, v, sizeof v);
}

void am_camera_projection_matrix(const AmCamera *cam, double m[16])
{
  double n, f;
  am_camera_clip(cam, &n, &f);
  double aspect = cam->width / cam->height;
  memset(m, 0, 16 * sizeof m[0]);
  if (cam->orthographic) {
    double hh = am_camera_view_height(cam) / 2, hw = hh * aspect;
    m[0] = 1 / hw;
    m[5] = 1 / hh;
    m[10] = -2 / (f - n);
    m[14] = -(f + n) / (f - n);
    m[15] = 1;
  } else {
    double t = 1 / tan(cam->fov_y / 2);
    m[0] = t / aspect;
    m[5] = t;
    m[10] = -(f + n) / (f - n);
    m[11] = -1;
    m[14] = -2 * f * n / (f - n);
  }
}

static void view_projection(const AmCamera *cam, double vp[16])
{
  double v[16], p[16];
  am_camera_view_matrix(cam, v);
  am_camera_projection_matrix(cam, p);
  mat4_mul(p, v, vp);
}

bool am_camera_project(const AmCamera *cam, const double world[3], double win[3])
{
  double vp[16], in[4] = {world[0], world[1], world[2], 1}, clip[4];
  view_projection(cam, vp);
  mat4_apply(vp, in, clip);
  if (!(clip[3] > 0))
    return false;
  win[0] = (clip[0] / clip[3] + 1) / 2 * cam->width;
  win[1] = (1 - clip[1] / clip[3]) / 2 * cam->height;
  win[2] = (clip[2] / clip[3] + 1) / 2;
  return true;
}

void am_camera_unproject(const AmCamera *cam, const double win[3], double world[3])
{
  double vp[16], inv[16];
  view_projection(cam, vp);
  if (!mat4_invert(vp, inv)) {
    memcpy(world, cam->target, 3 * sizeof world[0]);
    return;
  }
  double ndc[4] = {2 * win[0] / cam->width - 1, 1 - 2 * win[1] / cam->height, 2 * win[2] - 1, 1};
  double out[4];
  mat4_apply(inv, ndc, out);
  for (int k = 0; k < 3; k++)
    world[k] = out[k] / out[3];
}

void am_camera_ray(const AmCamera *cam, double x, double y, double origin[3], double dir[3])
{
  double a[3] = {x, y, 0}, b[3] = {x, y, 1}, pa[3], pb[3];
  am_camera_unproject(cam, a, pa);
  am_camera_unproject(cam, b, pb);
  for (int k = 0; k < 3; k++) {
    origin[k] = pa[k];
    dir[k] = pb[k] - pa[k];
  }
  normalize3(dir);
}

bool am_ray_sphere(const double origin[3], const double dir[3], const double center[3], double radius,
                   double *t)
{
  double oc[3] = {origin[0] - center[0], origin[1] - center[1], origin[2] - center[2]};
  double b = dot3(oc, dir);
  double c = dot3(oc, oc) - radius * radius;
  double disc = b * b - c;
  if (disc < 0)
    return false;
  double s = sqrt(disc);
  double t0 = -b - s, t1 = -b + s;
  if (t1 < 0)
    return false;
  *t = t0 >= 0 ? t0 : t1;
  return true;
}

long am_pick_spheres(const double origin[3], const double dir[3], size_t n, const float *xyz,
                     const float *radius, double *t_hit)
{
  long best = -1;
  double best_t = INFINITY;
  for (size_t i = 0; i < n; i++) {
    double c[3] = {xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]}, t;
    double oc[3] = {origin[0] - c[0], origin[1] - c[1], origin[2] - c[2]};
    /* A sphere around the origin is cut open by the near plane here: its front is not
     * drawn (sphere.frag discards it and shows what lies behind), so it is not picked. */
    if (dot3(oc, oc) < (double) radius[i] * radius[i])
      continue;
    if (am_ray_sphere(origin, dir, c, radius[i], &t) && t < best_t) {
      best_t = t;
      best = (long) i;
    }
  }
  if (t_hit)
    *t_hit = best >= 0 ? best_t : INFINITY;
  return best;
}
