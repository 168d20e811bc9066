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
    const double bx = cell[0], bxy = cell[1], by = cell[2], bxz = cell[3], byz = cell[4], bz = cell[5];
    // About five atoms per block, voro++'s own advice for its search grid.
    const double block = std::cbrt(5.0 * bx * by * bz / (double) (n > 0 ? n : 1));
    auto blocks = [block](double len) {
      int b = (int) std::floor(len / block);
      return b < 1 ? 1 : (b > 200 ? 200 : b);
    };
    voro::container_periodic con(bx, bxy, by, bxz, byz, bz, blocks(bx), blocks(by), blocks(bz), 8);
    for (size_t i = 0; i < n; i++)
      con.put((int) i, x[3 * i], x[3 * i + 1], x[3 * i + 2]);

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
        volume[id] = c.volume();
        double cx, cy, cz;
        c.centroid(cx, cy, cz);
        theta[3 * id] = cx;
        theta[3 * id + 1] = cy;
        theta[3 * id + 2] = cz;
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
          ar[id].push_back(areas[f]);
          for (int k = 0; k < 3; k++)
            bd[id].push_back(2.0 * dist * nrm[k]);
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
