#!/usr/bin/env python3
# make-icons.py: writes the two application icons in this folder. They are plain SVG; only
# the sine wave's outline is computed (a filled band, not a stroke, so that GTK can recolour
# the symbolic icon, which it does for fills only). Run it after changing the layout below.
import os
HERE = os.path.dirname(os.path.abspath(__file__))
import math

def wave_band(x0, x1, y0, amp, periods, half_width, n=48, scale=1.0):
    # filled outline of a thick sine stroke: offset the centre line along its normal
    pts = []
    for i in range(n + 1):
        x = x0 + (x1 - x0) * i / n
        ph = 2 * math.pi * periods * (x - x0) / (x1 - x0)
        y = y0 - amp * math.sin(ph)
        dy = -amp * math.cos(ph) * 2 * math.pi * periods / (x1 - x0)
        l = math.hypot(1, dy)
        pts.append((x, y, -dy / l, 1 / l))
    top = [(x - nx * half_width, y - ny * half_width) for x, y, nx, ny in pts]
    bot = [(x + nx * half_width, y + ny * half_width) for x, y, nx, ny in pts]
    # round caps
    def f(p): return "%.2f %.2f" % p
    d = "M " + f(top[0]) + " L " + " L ".join(f(p) for p in top[1:])
    d += " A %.2f %.2f 0 0 1 %s" % (half_width, half_width, f(bot[-1]))
    d += " L " + " L ".join(f(p) for p in reversed(bot[:-1]))
    d += " A %.2f %.2f 0 0 1 %s Z" % (half_width, half_width, f(top[0]))
    return d

# ---- full-colour 128 px icon ------------------------------------------------------
atoms = [  # x, y, r, species (cu: small copper, zr: large steel blue), back-to-front order
    (42, 32, 13, 'zr'), (72, 26, 10, 'cu'), (96, 38, 12, 'zr'),
    (27, 56, 10, 'cu'), (60, 52, 14, 'zr'), (89, 64, 10, 'cu'),
    (43, 76, 10, 'cu'), (70, 78, 12, 'zr'),
]
wave = wave_band(18, 110, 97, 10, 1.5, 4.5)
circles = "\n".join(
    '    <circle cx="%d" cy="%d" r="%d" fill="url(#%s)"/>' % (x, y, r, s) for x, y, r, s in atoms)
shadows = "\n".join(
    '    <circle cx="%.1f" cy="%.1f" r="%d" fill="#000" opacity="0.25"/>' % (x + 1.5, y + 2.5, r) for x, y, r, s in atoms)
big = f'''<?xml version="1.0" encoding="UTF-8"?>
<!-- org.amorph.Amorph.svg: the application icon. A cluster of copper and zirconium atoms
     (a Cu-Zr glass) above the sinusoidal strain that probes it. 128 px GNOME grid. -->
<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
  <defs>
    <linearGradient id="tile" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#2a4a7f"/>
      <stop offset="1" stop-color="#152745"/>
    </linearGradient>
    <radialGradient id="cu" cx="0.35" cy="0.32" r="0.75">
      <stop offset="0" stop-color="#ffd2a8"/>
      <stop offset="0.35" stop-color="#e8823f"/>
      <stop offset="1" stop-color="#8a3b12"/>
    </radialGradient>
    <radialGradient id="zr" cx="0.35" cy="0.32" r="0.75">
      <stop offset="0" stop-color="#f4f8fc"/>
      <stop offset="0.35" stop-color="#a9bccf"/>
      <stop offset="1" stop-color="#4a5d75"/>
    </radialGradient>
    <linearGradient id="wave" x1="0" y1="0" x2="1" y2="0">
      <stop offset="0" stop-color="#f9f06b"/>
      <stop offset="1" stop-color="#f6d32d"/>
    </linearGradient>
  </defs>
  <rect x="8" y="12" width="112" height="108" rx="18" fill="#0e1a2f"/>
  <rect x="8" y="8" width="112" height="106" rx="18" fill="url(#tile)"/>
  <rect x="8.5" y="8.5" width="111" height="105" rx="17.5" fill="none" stroke="#ffffff" stroke-opacity="0.12"/>
  <g>
{shadows}
{circles}
  </g>
  <path d="{wave_band(18, 110, 99, 10, 1.5, 6.5)}" fill="#0e1a2f" opacity="0.45"/>
  <path d="{wave}" fill="url(#wave)"/>
</svg>
'''
open(os.path.join(HERE, 'hicolor/scalable/apps/org.amorph.Amorph.svg'), 'w').write(big)

# ---- symbolic 16 px -----------------------------------------------------------------
small_atoms = [(4.5, 4.5, 2.5), (10, 3, 1.8), (8.2, 8.4, 2.2), (13.2, 7.8, 1.6), (2.8, 9.4, 1.5)]
sc = "\n".join('  <circle cx="%.1f" cy="%.1f" r="%.1f" fill="#2e3436"/>' % a for a in small_atoms)
sym = f'''<?xml version="1.0" encoding="UTF-8"?>
<!-- org.amorph.Amorph-symbolic.svg: the symbolic application icon (atoms above a sine
     wave), filled shapes only so that GTK can recolour it. -->
<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">
{sc}
  <path d="{wave_band(1.2, 14.8, 13.4, 1.4, 1.5, 0.85, n=40)}" fill="#2e3436"/>
</svg>
'''
open(os.path.join(HERE, 'hicolor/symbolic/apps/org.amorph.Amorph-symbolic.svg'), 'w').write(sym)
