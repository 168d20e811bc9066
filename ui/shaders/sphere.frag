// sphere.frag: ray-casts the atom's sphere inside its quad, shades it and writes its depth.
precision highp float;

#ifdef AM_CONSERVATIVE_DEPTH
// Depth only ever moves back from the quad's (which touches the sphere's front).
layout(depth_greater) out float gl_FragDepth;
#endif

in vec2 v_ray;
in vec3 v_center;
in float v_radius;
in vec4 v_color;
flat in float v_marks;

uniform mat4 proj;
uniform float ortho;
uniform vec3 pinned_color;

out vec4 frag_color;

void main()
{
  // Eye ray in view space: from the eye through this fragment (perspective), or straight
  // down the view axis (orthographic).
  vec3 ro = ortho > 0.5 ? vec3(v_ray, 0.0) : vec3(0.0);
  vec3 rd = ortho > 0.5 ? vec3(0.0, 0.0, -1.0) : normalize(vec3(v_ray, -1.0));
  vec3 oc = ro - v_center;
  float b = dot(oc, rd);
  float h = b * b - (dot(oc, oc) - v_radius * v_radius);
  if (h < 0.0)
    discard;
  vec3 hit = ro + (-b - sqrt(h)) * rd;
  vec3 n = (hit - v_center) / v_radius;
  vec3 to_eye = -rd;
  float facing = clamp(dot(n, to_eye), 0.0, 1.0);

  // A key light from the upper left and a weak fill from the right, plus a highlight: the
  // relief of a dense packing must read even in flat colours.
  vec3 key = normalize(vec3(-0.45, 0.65, 0.62));
  vec3 fill = normalize(vec3(0.7, -0.2, 0.7));
  float diffuse = max(dot(n, key), 0.0) * 0.72 + max(dot(n, fill), 0.0) * 0.18;
  float spec = pow(max(dot(n, normalize(key + to_eye)), 0.0), 48.0) * 0.35;
  vec3 base = v_color.rgb;
  int marks = int(v_marks + 0.5);
  if ((marks & 2) != 0)
    base = mix(base, vec3(1.0), 0.45);
  vec3 col = base * (0.32 + diffuse) + vec3(spec);
  // Darken towards the outline so touching atoms of one colour stay apart.
  col *= mix(0.55, 1.0, smoothstep(0.0, 0.35, facing));
  if ((marks & 1) != 0) {
    // Pinned: a dark, glossy ball (the palette's pinned colour) with a thin light rim, so it
    // stands out in a packing of bright atoms; the rim keeps a hint of the species colour.
    vec3 held = pinned_color * (0.45 + diffuse) + vec3(spec * 1.6);
    float rim = 1.0 - smoothstep(0.16, 0.30, facing);
    col = mix(held, mix(vec3(1.0), base, 0.35), rim);
  }
  frag_color = vec4(col, 1.0);

  vec4 clip = proj * vec4(hit, 1.0);
  float ndc_z = clip.z / clip.w;
  // The front of an atom cut by the near plane (or behind the eye): show what lies behind
  // it, as picking does (am_pick_spheres).
  if (ndc_z < -1.0 || clip.w <= 0.0)
    discard;
  gl_FragDepth = ndc_z * 0.5 + 0.5;
}
