// sphere.vert: one screen-aligned quad per atom that bounds the sphere's projected outline
// exactly (for a perspective view the outline is an ellipse, wider than the radius, more so
// near the eye and off-axis). The quad is emitted in normalised device coordinates at the
// depth of the sphere's nearest point, and carries the eye ray that the fragment shader
// casts. The renderer prepends the #version line (330 core or 300 es).
layout(location = 0) in vec2 corner;         // quad corner in [-1, 1]²
layout(location = 1) in vec4 center_radius;  // atom centre (Å, world) and radius (Å)
layout(location = 2) in vec4 color;
layout(location = 3) in float marks;

uniform mat4 view;
uniform mat4 proj;   // symmetric frustum or centred orthographic box (camera.c)
uniform float ortho;

out vec2 v_ray;     // perspective: (x, y) of the ray at view depth 1; orthographic: its origin
out vec3 v_center;  // the atom's centre in view space
out float v_radius;
out vec4 v_color;
flat out float v_marks;

// Bounds of the tangent x/z' of the lines from the eye that touch a circle of radius r
// centred at (cx, d), d the distance in front of the eye, d > r. A tangent at or beyond
// 90° from the view axis is unbounded.
vec2 tangent_bounds(float cx, float d, float r)
{
  float t = sqrt(max(cx * cx + d * d - r * r, 0.0));
  float den_lo = d * t + cx * r, den_hi = d * t - cx * r;
  float lo = den_lo > 0.0 ? (cx * t - d * r) / den_lo : -1e6;
  float hi = den_hi > 0.0 ? (cx * t + d * r) / den_hi : 1e6;
  return vec2(lo, hi);
}

void main()
{
  vec3 c = (view * vec4(center_radius.xyz, 1.0)).xyz;
  float r = center_radius.w;
  v_center = c;
  v_radius = r;
  v_color = color;
  v_marks = marks;

  float sx = proj[0][0], sy = proj[1][1];
  // The near plane's distance from the eye, read back from the projection matrix.
  float near_d = ortho > 0.5 ? (proj[3][2] + 1.0) / proj[2][2] : proj[3][2] / (proj[2][2] - 1.0);
  float d = -c.z;
  if (d + r < near_d) {
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);  // wholly in front of the near plane: clipped away
    return;
  }
  vec2 ndc;
  if (ortho > 0.5) {
    vec2 lo = vec2(sx, sy) * (c.xy - r) + proj[3].xy;
    vec2 hi = vec2(sx, sy) * (c.xy + r) + proj[3].xy;
    ndc = mix(lo, hi, corner * 0.5 + 0.5);
    v_ray = (ndc - proj[3].xy) / vec2(sx, sy);
  } else {
    vec2 bx = vec2(-1e6, 1e6), by = vec2(-1e6, 1e6);
    if (d > r * 1.001) {  // else the eye is inside the atom: it fills the view
      bx = tangent_bounds(c.x, d, r);
      by = tangent_bounds(c.y, d, r);
    }
    vec2 lo = clamp(vec2(sx * bx.x, sy * by.x), -1.0, 1.0);
    vec2 hi = clamp(vec2(sx * bx.y, sy * by.y), -1.0, 1.0);
    ndc = mix(lo, hi, corner * 0.5 + 0.5);
    v_ray = ndc / vec2(sx, sy);
  }
  // The quad's depth is that of the atom's nearest point, or of the near plane when that
  // point is cut off, so it is never behind the surface the fragment shader finds.
  float z_front = min(c.z + r, -near_d);
  vec4 q = proj * vec4(0.0, 0.0, z_front, 1.0);
  gl_Position = vec4(ndc, q.z / q.w, 1.0);
}
