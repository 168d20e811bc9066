#!/usr/bin/env python3
"""Writes tiny.eam.alloy and tiny.eam.fs: two-element setfl files whose values follow
simple formulas (checked by tests/test-eam-file.c), spread over lines irregularly (1 to 4
values a line, fixed seed) to exercise the reader's line handling.

  F_a(k)        = -(a+1) - 0.1 k                  k < Nrho = 5
  rho_a(k)      = 10 (a+1) + 0.01 k               eam/alloy
  rho_ab(k)     = 10 (a+1) + (b+1) + 0.01 k       eam/fs (b-th function in a's block)
  r phi_ab(k)   = 100 (a+1) + 10 (b+1) + k        a >= b, k < Nr = 6
"""
import random

random.seed(5)


def emit(vals, f):
    i = 0
    while i < len(vals):
        k = random.randint(1, 4)
        f.write("  ".join(repr(v) for v in vals[i:i + k]) + "\n")
        i += k


def write(style, path):
    ne = 2
    Z = [28, 13]
    m = [58.6934, 26.981539]
    a0 = [3.52, 4.05]
    lat = ["fcc", "fcc"]
    nrho, nr = 5, 6
    with open(path, "w") as f:
        f.write("tiny %s test potential: values follow simple formulas (see test-eam-file.c)\n" % style)
        f.write("second comment line\n\n")
        f.write("2 Ni Al\n")
        f.write("5 0.5 6 0.25 1.25\n")
        for a in range(ne):
            f.write("%d %r %r %s\n" % (Z[a], m[a], a0[a], lat[a]))
            emit([-(a + 1) - 0.1 * k for k in range(nrho)], f)
            if style == "fs":
                for b in range(ne):
                    emit([10.0 * (a + 1) + (b + 1) + 0.01 * k for k in range(nr)], f)
            else:
                if a == 1:
                    f.write("# a comment line and a blank line inside the tables\n\n")
                emit([10.0 * (a + 1) + 0.01 * k for k in range(nr)], f)
        for a in range(ne):
            for b in range(a + 1):
                emit([100.0 * (a + 1) + 10 * (b + 1) + k for k in range(nr)], f)


write("alloy", "tiny.eam.alloy")
write("fs", "tiny.eam.fs")
