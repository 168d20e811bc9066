// voronoi_cxx.cc: the one C++ file. Runs voro++'s periodic container and copies what the
// structure analysis needs into plain arrays, so that nothing C++ crosses the C API.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include <voro++/voro++.hh>

extern "C" {
#include "analysis/voronoi.h"
}

namespace {

struct Faces {
  std::vector<size_t> count;        // faces kept per atom
  std::vector<size_t> neighbor;     // per atom, in atom order after the gather
  std::vector<double> area;
  std::vector<double> bond;
};

}  // namespace

extern "C" int am_voronoi_cxx_tessellate(size_t n, const double *x, const double cell[6], double min_face_fraction,
                                         double *volume, double *theta, size_t **face_start_out,
                                         size_t **neighbor_out, double **face_area_out, double **bond_out,
                                         size_t *nfaces_out, char *message, size_t message_len)
{
  *face_start_out = nullptr;
  *neighbor_out = nullptr;
  *face_area_out = nullptr;
  *bond_out = nullptr;
  *nfaces_out = 0;
  try {
    // voro++ 0.4.6 decides "vertex on the cutting plane" with absolute tolerances (2e-11)
    // tuned for lengths of order one, and builds the unit Voronoi cell that every cell
    // starts from by cutting a box ten cells wide. With boxes of tens of Å the round-off
    // of those cuts reaches the tolerance: an orthogonal 39.35 x 42.63 x 42.63 Å box gets
    // a duplicated corner vertex joined by a zero-length edge, on which the plane walk of
    // later cells stalls (a cell "deleted" or a cut missed, depending on the block grid).
    // So voro++ works on the system scaled by a power of two that brings the box to
    // [0.25, 0.5): exact in binary, undone exactly on the way out.
    double longest = 0.0;
    for (int k = 0; k < 6; k++)
      longest = std::fmax(longest, std::fabs(cell[k]));
    int exponent = 0;
    std::frexp(longest, &exponent);
    const int shift = -exponent - 1;
    const double bx = std::ldexp(cell[0], shift), bxy = std::ldexp(cell[1], shift), by = std::ldexp(cell[2], shift),
                 bxz = std::ldexp(cell[3], shift), byz = std::ldexp(cell[4], shift), bz = std::ldexp(cell[5], shift);
    // About five atoms per block, voro++'s own advice for its search grid.
    const double block = std::cbrt(5.0 * bx * by * bz / (double) (n > 0 ? n : 1));
    auto blocks = [block](double len) {
      int b = (int) std::floor(len / block);
      return b < 1 ? 1 : (b > 200 ? 200 : b);
    };
    voro::container_periodic con(bx, bxy, by, bxz, byz, bz, blocks(bx), blocks(by), blocks(bz), 8);
    // Check for the failure described above, so that it is reported as what it is.
    const voro::voronoicell &unit = con.unit_voro;
    for (int v = 0; v < unit.p; v++)
      for (int e = 0; e < unit.nu[v]; e++) {
        const int w = unit.ed[v][e];
        const double dx = unit.pts[3 * v] - unit.pts[3 * w], dy = unit.pts[3 * v + 1] - unit.pts[3 * w + 1],
                     dz = unit.pts[3 * v + 2] - unit.pts[3 * w + 2];
        if (std::sqrt(dx * dx + dy * dy + dz * dz) < 1e-12) {
          std::snprintf(message, message_len,
                        "voro++ built a degenerate Voronoi cell of the periodic lattice (an edge of length %g "
                        "in a box scaled to 0.5)",
                        std::sqrt(dx * dx + dy * dy + dz * dz));
          return 1;
        }
      }
    for (size_t i = 0; i < n; i++)
      con.put((int) i, std::ldexp(x[3 * i], shift), std::ldexp(x[3 * i + 1], shift), std::ldexp(x[3 * i + 2], shift));

    // Cells come out in block order; keep each atom's faces apart until all are known.
    std::vector<std::vector<size_t>> nb(n);
    std::vector<std::vector<double>> ar(n), bd(n);
    std::vector<char> done(n, 0);
    voro::voronoicell_neighbor c;
    voro::c_loop_all_periodic vl(con);
    std::vector<int> ids, fv;
    std::vector<double> areas, normals, verts;
    size_t computed = 0;
    if (vl.start()) do {
        const int id = vl.pid();
        if (id < 0 || (size_t) id >= n || done[id]) {
          std::snprintf(message, message_len, "voro++ returned an unexpected particle %d", id);
          return 1;
        }
        if (!con.compute_cell(c, vl)) {
          std::snprintf(message, message_len,
                        "the Voronoi cell of atom index %d could not be built (coincident atoms?)", id);
          return 1;
        }
        done[id] = 1;
        computed++;
        volume[id] = std::ldexp(c.volume(), -3 * shift);
        double cx, cy, cz;
        c.centroid(cx, cy, cz);
        theta[3 * id] = std::ldexp(cx, -shift);
        theta[3 * id + 1] = std::ldexp(cy, -shift);
        theta[3 * id + 2] = std::ldexp(cz, -shift);
        c.neighbors(ids);
        c.face_areas(areas);
        c.normals(normals);
        c.face_vertices(fv);
        c.vertices(verts);
        double surface = 0.0;
        for (double a : areas)
          surface += a;
        size_t pos = 0;
        for (size_t f = 0; f < ids.size(); f++) {
          const int nv = fv[pos];
          const int v0 = fv[pos + 1];
          pos += (size_t) nv + 1;
          if (!(areas[f] > min_face_fraction * surface))
            continue;
          const double *nrm = &normals[3 * f];
          const double *v = &verts[3 * (size_t) v0];
          const double dist = v[0] * nrm[0] + v[1] * nrm[1] + v[2] * nrm[2];
          nb[id].push_back((size_t) ids[f]);
          ar[id].push_back(std::ldexp(areas[f], -2 * shift));
          for (int k = 0; k < 3; k++)
            bd[id].push_back(std::ldexp(2.0 * dist * nrm[k], -shift));
        }
      } while (vl.inc());
    if (computed != n) {
      std::snprintf(message, message_len, "voro++ built %zu of %zu cells", computed, n);
      return 1;
    }
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
      total += nb[i].size();
    size_t *start = (size_t *) std::malloc((n + 1) * sizeof(size_t));
    size_t *neighbor = (size_t *) std::malloc((total ? total : 1) * sizeof(size_t));
    double *area = (double *) std::malloc((total ? total : 1) * sizeof(double));
    double *bond = (double *) std::malloc(3 * (total ? total : 1) * sizeof(double));
    if (!start || !neighbor || !area || !bond) {
      std::free(start);
      std::free(neighbor);
      std::free(area);
      std::free(bond);
      std::snprintf(message, message_len, "cannot allocate %zu faces", total);
      return 2;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
      start[i] = k;
      for (size_t f = 0; f < nb[i].size(); f++, k++) {
        neighbor[k] = nb[i][f];
        area[k] = ar[i][f];
        for (int d = 0; d < 3; d++)
          bond[3 * k + d] = bd[i][3 * f + d];
      }
    }
    start[n] = k;
    *face_start_out = start;
    *neighbor_out = neighbor;
    *face_area_out = area;
    *bond_out = bond;
    *nfaces_out = total;
    return 0;
  } catch (const std::bad_alloc &) {
    std::snprintf(message, message_len, "out of memory inside voro++");
    return 2;
  } catch (...) {
    std::snprintf(message, message_len, "voro++ threw an exception");
    return 1;
  }
}
