/* camera.h: the 3-D atom view's camera and the picking maths, in plain C (no GL, no GTK).
 *
 * A turntable camera: it looks at a target point from a distance, turned by a yaw about
 * the world z axis and a pitch above the xy plane (the MD box's z stays up on screen, as
 * in OVITO). Perspective or orthographic; in orthographic mode the visible height at the
 * target is the one the perspective view shows there, so toggling keeps the scale.
 *
 * Window coordinates are the widget's: origin top-left, x right, y down, in the same
 * units as the viewport size given to am_camera_set_viewport (logical pixels). Matrices
 * are column-major 4×4, as OpenGL takes them; window depth is OpenGL's default [0, 1]. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct {
  double target[3];   /* the point the camera orbits around (Å) */
  double distance;    /* from the eye to the target (Å) */
  double yaw;         /* rotation about world z (radians) */
  double pitch;       /* elevation above the xy plane (radians), within ±AM_CAMERA_MAX_PITCH */
  double fov_y;       /* vertical field of view of the perspective view (radians) */
  bool orthographic;
  double scene_radius; /* radius of what should stay inside near/far (Å) */
  double width, height; /* viewport (logical pixels) */
} AmCamera;

#define AM_CAMERA_MAX_PITCH 1.5533430342749532 /* 89°: the turntable never flips over */

/* A camera for a unit scene seen from the front, 400×300 viewport. */
void am_camera_init(AmCamera *cam);
void am_camera_set_viewport(AmCamera *cam, double width, double height);
/* Looks at a sphere (centre, radius) from the default direction, from as close as keeps it
 * all in view for the current aspect. */
void am_camera_frame(AmCamera *cam, const double center[3], double radius);

/* Turntable rotation by angles (radians); pitch is clamped. */
void am_camera_orbit(AmCamera *cam, double dyaw, double dpitch);
/* Moves the target by a window-space displacement (pixels), so that the point under the
 * cursor at the target's depth follows the cursor. */
void am_camera_pan(AmCamera *cam, double dx, double dy);
/* Divides the distance by factor (> 1 zooms in), kept within sensible bounds of the scene. */
void am_camera_zoom(AmCamera *cam, double factor);

/* Eye position in world coordinates, and the camera's right / up / forward unit vectors. */
void am_camera_eye(const AmCamera *cam, double eye[3]);
void am_camera_basis(const AmCamera *cam, double right[3], double up[3], double forward[3]);
/* Near and far clip distances that enclose the scene sphere around the target. */
void am_camera_clip(const AmCamera *cam, double *near_clip, double *far_clip);
/* Visible height (Å) at the target's distance; the orthographic view's full height. */
double am_camera_view_height(const AmCamera *cam);

void am_camera_view_matrix(const AmCamera *cam, double m[16]);
void am_camera_projection_matrix(const AmCamera *cam, double m[16]);

/* World point to window coordinates (x, y in pixels, depth in [0, 1] when between the clip
 * planes). Returns false for a point at or behind the eye (perspective), where the
 * projection has no meaning. */
bool am_camera_project(const AmCamera *cam, const double world[3], double win[3]);
/* Window point with depth to world coordinates; inverse of am_camera_project. */
void am_camera_unproject(const AmCamera *cam, const double win[3], double world[3]);
/* The ray through a window point: origin on the near plane, unit direction into the scene. */
void am_camera_ray(const AmCamera *cam, double x, double y, double origin[3], double dir[3]);

/* Distance t ≥ 0 along a ray (unit dir) to its first hit with a sphere; false on a miss or
 * when the sphere lies entirely behind the origin. An origin inside the sphere hits at the
 * exit point. */
bool am_ray_sphere(const double origin[3], const double dir[3], const double center[3], double radius,
                   double *t);
/* The nearest of n spheres hit by the ray, or -1. Positions are xyz-interleaved floats (what
 * the renderer draws); radius[i] is per sphere. t_hit may be NULL. The origin is taken to
 * be on the near plane (am_camera_ray): a sphere the origin lies inside is cut open there,
 * the renderer shows what lies behind it, and so it is not picked either. */
long am_pick_spheres(const double origin[3], const double dir[3], size_t n, const float *xyz,
                     const float *radius, double *t_hit);
