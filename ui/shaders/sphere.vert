// sphere.vert: one camera-facing quad per atom, large enough to hold the sphere's outline.
// The renderer prepends the #version line (330 core or 300 es).
layout(location = 0) in vec2 corner;         // quad corner in [-1, 1]²
layout(location = 1) in vec4 center_radius;  // atom centre (Å, world) and radius (Å)
layout(location = 2) in vec4 color;
layout(location = 3) in float marks;

uniform mat4 view;
uniform mat4 proj;
uniform float ortho;

out vec3 v_pos;     // this corner in view space
out vec3 v_center;  // the atom's centre in view space
out float v_radius;
out vec4 v_color;
flat out float v_marks;

void main()
{
  vec4 c = view * vec4(center_radius.xyz, 1.0);
  float r = center_radius.w;
  // Under perspective a sphere's outline on its centre plane is wider than its radius,
  // the more so the closer and the further off-axis it is: widen the quad to match.
  float k = 1.05;
  if (ortho < 0.5) {
    float d = max(length(c.xyz), 1e-3);
    float s = min(r / d, 0.95);
    float cos_off = abs(c.z) / d;
    k = 1.05 / (sqrt(1.0 - s * s) * max(cos_off * cos_off, 0.3));
  }
  vec3 p = c.xyz + vec3(corner * r * k, 0.0);
  v_pos = p;
  v_center = c.xyz;
  v_radius = r;
  v_color = color;
  v_marks = marks;
  gl_Position = proj * vec4(p, 1.0);
}
