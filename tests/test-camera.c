/* test-camera.c: the atom view's camera maths: projection round trips, framing, orbit and
 * pan semantics, and ray picking among overlapping spheres. */
#include <glib.h>
#include <math.h>

#include "render/camera.h"

static void setup(AmCamera *cam, bool ortho)
{
  am_camera_init(cam);
  am_camera_set_viewport(cam, 800, 600);
  double c[3] = {10, 20, 30};
  am_camera_frame(cam, c, 25);
  cam->orthographic = ortho;
}

static void check_round_trip(bool ortho)
{
  AmCamera cam;
  setup(&cam, ortho);
  am_camera_orbit(&cam, 0.7, -0.3);
  GRand *rand = g_rand_new_with_seed(7);
  for (int i = 0; i < 200; i++) {
    double p[3], win[3], back[3];
    for (int k = 0; k < 3; k++)
      p[k] = cam.target[k] + g_rand_double_range(rand, -20, 20);
    g_assert_true(am_camera_project(&cam, p, win));
    g_assert_cmpfloat(win[2], >, 0);
    g_assert_cmpfloat(win[2], <, 1);
    am_camera_unproject(&cam, win, back);
    for (int k = 0; k < 3; k++)
      g_assert_cmpfloat_with_epsilon(back[k], p[k], 1e-7 * 50);
  }
  g_rand_free(rand);
}

static void test_round_trip_perspective(void)
{
  check_round_trip(false);
}

static void test_round_trip_ortho(void)
{
  check_round_trip(true);
}

/* The target projects to the viewport centre; framing keeps the whole scene sphere inside
 * the viewport for wide and tall windows; behind the eye nothing projects. */
static void test_frame(void)
{
  double sizes[2][2] = {{800, 600}, {300, 900}};
  for (int s = 0; s < 2; s++)
    for (int ortho = 0; ortho < 2; ortho++) {
      AmCamera cam;
      am_camera_init(&cam);
      am_camera_set_viewport(&cam, sizes[s][0], sizes[s][1]);
      double c[3] = {1, 2, 3}, win[3];
      am_camera_frame(&cam, c, 10);
      cam.orthographic = ortho;
      g_assert_true(am_camera_project(&cam, c, win));
      g_assert_cmpfloat_with_epsilon(win[0], sizes[s][0] / 2, 1e-9);
      g_assert_cmpfloat_with_epsilon(win[1], sizes[s][1] / 2, 1e-9);
      double r[3], u[3], f[3];
      am_camera_basis(&cam, r, u, f);
      /* Points on the sphere's silhouette in the screen plane stay on screen. */
      for (int a = 0; a < 36; a++) {
        double ang = a * M_PI / 18, p[3];
        for (int k = 0; k < 3; k++)
          p[k] = c[k] + 10 * (cos(ang) * r[k] + sin(ang) * u[k]);
        g_assert_true(am_camera_project(&cam, p, win));
        g_assert_cmpfloat(win[0], >=, 0);
        g_assert_cmpfloat(win[0], <=, sizes[s][0]);
        g_assert_cmpfloat(win[1], >=, 0);
        g_assert_cmpfloat(win[1], <=, sizes[s][1]);
      }
      if (!ortho) {
        double eye[3], behind[3];
        am_camera_eye(&cam, eye);
        for (int k = 0; k < 3; k++)
          behind[k] = eye[k] - 5 * f[k];
        g_assert_false(am_camera_project(&cam, behind, win));
      }
    }
}

/* Screen directions: +x world is to the right at yaw 0, z is up; panning drags the point
 * under the cursor along; orbiting keeps the target fixed and clamps the pitch. */
static void test_orbit_pan(void)
{
  AmCamera cam;
  setup(&cam, false);
  cam.yaw = 0;
  cam.pitch = 0;
  double c[3] = {cam.target[0], cam.target[1], cam.target[2]};
  double px[3] = {c[0] + 1, c[1], c[2]}, pz[3] = {c[0], c[1], c[2] + 1}, w0[3], wx[3], wz[3];
  am_camera_project(&cam, c, w0);
  am_camera_project(&cam, px, wx);
  am_camera_project(&cam, pz, wz);
  g_assert_cmpfloat(wx[0], >, w0[0]);
  g_assert_cmpfloat_with_epsilon(wx[1], w0[1], 1e-9);
  g_assert_cmpfloat(wz[1], <, w0[1]);

  am_camera_pan(&cam, 40, -25);
  double w1[3];
  am_camera_project(&cam, c, w1);
  g_assert_cmpfloat_with_epsilon(w1[0], w0[0] + 40, 1e-6);
  g_assert_cmpfloat_with_epsilon(w1[1], w0[1] - 25, 1e-6);

  double t_before[3] = {cam.target[0], cam.target[1], cam.target[2]};
  am_camera_orbit(&cam, 1.0, 10.0);
  g_assert_cmpfloat(cam.pitch, ==, AM_CAMERA_MAX_PITCH);
  for (int k = 0; k < 3; k++)
    g_assert_cmpfloat(cam.target[k], ==, t_before[k]);
  double d = cam.distance;
  am_camera_zoom(&cam, 2);
  g_assert_cmpfloat_with_epsilon(cam.distance, d / 2, 1e-12);
  am_camera_zoom(&cam, 1e9);
  g_assert_cmpfloat(cam.distance, >, 0);
}

static void test_ray_sphere(void)
{
  double o[3] = {0, 0, 0}, d[3] = {0, 0, 1}, t;
  double c1[3] = {0, 0, 5};
  g_assert_true(am_ray_sphere(o, d, c1, 1, &t));
  g_assert_cmpfloat_with_epsilon(t, 4, 1e-12);
  double c2[3] = {0, 1.01, 5};
  g_assert_false(am_ray_sphere(o, d, c2, 1, &t));
  double c3[3] = {0, 0, -5};
  g_assert_false(am_ray_sphere(o, d, c3, 1, &t));
  double c4[3] = {0, 0, 0.5};
  g_assert_true(am_ray_sphere(o, d, c4, 1, &t));
  g_assert_cmpfloat_with_epsilon(t, 1.5, 1e-12);
}

/* Overlapping spheres along the line of sight: the pick is the front one, also when a big
 * sphere further back covers more of the screen; a click beside the front sphere but inside
 * the back one picks the back one; a click on nothing picks nothing. */
static void test_pick_overlapping(void)
{
  for (int ortho = 0; ortho < 2; ortho++) {
    AmCamera cam;
    am_camera_init(&cam);
    am_camera_set_viewport(&cam, 640, 480);
    double c[3] = {0, 0, 0};
    am_camera_frame(&cam, c, 10);
    cam.orthographic = ortho;
    double r[3], u[3], f[3];
    am_camera_basis(&cam, r, u, f);
    /* Sphere 0: big, behind the target; sphere 1: small, in front of it, overlapping 0 on
     * screen and in space; sphere 2: far off to the side. */
    float xyz[9], rad[3] = {3.0f, 1.0f, 1.0f};
    for (int k = 0; k < 3; k++) {
      xyz[k] = (float) (2.0 * f[k]);
      xyz[3 + k] = (float) (-1.5 * f[k]);
      xyz[6 + k] = (float) (8.0 * r[k]);
    }
    double centre[3] = {xyz[3], xyz[4], xyz[5]}, win[3], o[3], dir[3], t;
    g_assert_true(am_camera_project(&cam, centre, win));
    am_camera_ray(&cam, win[0], win[1], o, dir);
    g_assert_cmpint(am_pick_spheres(o, dir, 3, xyz, rad, &t), ==, 1);
    /* The hit is on the front of sphere 1, one radius before its centre along the ray. */
    double eye_to_c = 0;
    for (int k = 0; k < 3; k++)
      eye_to_c += (centre[k] - o[k]) * dir[k];
    g_assert_cmpfloat_with_epsilon(t, eye_to_c - 1.0, 1e-4);

    /* Two radii of sphere 1 to the right: outside 1, inside 0's silhouette. */
    double side[3];
    for (int k = 0; k < 3; k++)
      side[k] = centre[k] + 2.0 * r[k];
    am_camera_project(&cam, side, win);
    am_camera_ray(&cam, win[0], win[1], o, dir);
    g_assert_cmpint(am_pick_spheres(o, dir, 3, xyz, rad, NULL), ==, 0);

    double s2[3] = {xyz[6], xyz[7], xyz[8]};
    am_camera_project(&cam, s2, win);
    am_camera_ray(&cam, win[0], win[1], o, dir);
    g_assert_cmpint(am_pick_spheres(o, dir, 3, xyz, rad, NULL), ==, 2);

    am_camera_ray(&cam, 2, 2, o, dir);
    g_assert_cmpint(am_pick_spheres(o, dir, 3, xyz, rad, &t), ==, -1);
    g_assert_true(isinf(t));
  }
}

/* The ray starts on the near plane: a sphere around that point is cut open there and not
 * drawn in front of it, so the pick is the sphere behind, as the renderer shows. */
static void test_pick_near_plane_cut(void)
{
  double o[3] = {0, 0, 0}, d[3] = {0, 0, 1}, t;
  float xyz[6] = {0.1f, 0, 0.2f, 0, 0, 3};
  float rad[2] = {1, 1};
  g_assert_cmpint(am_pick_spheres(o, d, 2, xyz, rad, &t), ==, 1);
  g_assert_cmpfloat_with_epsilon(t, 2, 1e-6);
  /* Just ahead of the origin, the same sphere is whole and in front. */
  xyz[2] = 1.2f;
  g_assert_cmpint(am_pick_spheres(o, d, 2, xyz, rad, &t), ==, 0);
  /* With nothing behind it, nothing is picked. */
  xyz[2] = 0.5f;
  g_assert_cmpint(am_pick_spheres(o, d, 1, xyz, rad, &t), ==, -1);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/render/camera/round-trip-perspective", test_round_trip_perspective);
  g_test_add_func("/render/camera/round-trip-orthographic", test_round_trip_ortho);
  g_test_add_func("/render/camera/frame", test_frame);
  g_test_add_func("/render/camera/orbit-pan-zoom", test_orbit_pan);
  g_test_add_func("/render/camera/ray-sphere", test_ray_sphere);
  g_test_add_func("/render/camera/pick-overlapping", test_pick_overlapping);
  g_test_add_func("/render/camera/pick-near-plane-cut", test_pick_near_plane_cut);
  return g_test_run();
}
