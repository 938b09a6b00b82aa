/*
 * The k-means loop and the connectivity pass of SLIC (Achanta et al., TPAMI 2012) as
 * scikit-image 0.19+ runs them for a 2-D, 3-channel image without a mask (its
 * `slic(..., enforce_connectivity=True, slic_zero=False)` after its rescaling): the same
 * arithmetic in the same order, so the labels are those of scikit-image to the bit, in
 * a quarter to a third of the time. The image is held as planes so the per-pixel loop
 * over a row vectorises; on x86-64 with GCC or Clang it is also built for AVX2 and
 * AVX-512F and the widest one the CPU runs is chosen when the module loads (`ISA`).
 *
 * Python calls (shls/models/superpixels/slic_core.py prepares the arguments):
 *   kmeans(image, height, width, centers, step_y, step_x, step, max_num_iter, labels)
 *   connectivity(labels, height, width, min_size, max_size, out)
 * Buffers: image float64 (H, W, 3); centers float64 (K, 5) = y, x, c0, c1, c2 (updated);
 * labels / out int64 (H, W). The GIL is released while they run.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(_MSC_VER)
#define restrict __restrict
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SHLS_X86_DISPATCH 1
#define SHLS_INLINE static inline __attribute__((always_inline))
#else
#define SHLS_INLINE static inline
#endif

/* One centre's window: every pixel of rows [y0, y1) and columns [x0, x1) takes centre k
 * where its distance is below the best so far (strictly, so ties keep the lower k). */
SHLS_INLINE int64_t assign_window(const double *restrict plane0,
                                  const double *restrict plane1,
                                  const double *restrict plane2,
                                  const double *restrict columns, Py_ssize_t width,
                                  Py_ssize_t y0, Py_ssize_t y1, Py_ssize_t x0, Py_ssize_t x1,
                                  const double *restrict center, double spatial_weight,
                                  int64_t k, double *restrict distance,
                                  int64_t *restrict labels) {
    const double cy = center[0], cx = center[1];
    const double m0 = center[2], m1 = center[3], m2 = center[4];
    int64_t changed = 0;
    for (Py_ssize_t y = y0; y < y1; ++y) {
        double dy = cy - (double)y;
        dy *= dy;
        const Py_ssize_t row = y * width;
        const double *restrict p0 = plane0 + row, *restrict p1 = plane1 + row;
        const double *restrict p2 = plane2 + row;
        double *restrict dist = distance + row;
        int64_t *restrict lab = labels + row;
        for (Py_ssize_t x = x0; x < x1; ++x) {
            double dx = cx - columns[x]; /* x as a double: AVX2 cannot convert int64 */
            dx *= dx;
            double d = (dy + dx) * spatial_weight;
            const double t0 = p0[x] - m0, t1 = p1[x] - m1, t2 = p2[x] - m2;
            double colour = t0 * t0 + t1 * t1;
            colour += t2 * t2;
            d += colour;
            const double current = dist[x];
            const int64_t better = current > d;
            dist[x] = current > d ? d : current;
            lab[x] = better ? k : lab[x];
            changed |= better;
        }
    }
    return changed;
}

typedef int64_t (*assign_fn)(const double *, const double *, const double *,
                              const double *, Py_ssize_t, Py_ssize_t, Py_ssize_t, Py_ssize_t,
                              Py_ssize_t, const double *, double, int64_t, double *,
                              int64_t *);

/* assign_window compiled as `name` with the function attributes `attrs` (a target ISA;
 * no FMA at any width: the sums round as above). */
#define SHLS_ASSIGN_VARIANT(name, attrs)                                                   \
    attrs static int64_t name(const double *p0, const double *p1, const double *p2,       \
                              const double *columns, Py_ssize_t width, Py_ssize_t y0,     \
                              Py_ssize_t y1, Py_ssize_t x0, Py_ssize_t x1,                \
                              const double *center, double weight, int64_t k,             \
                              double *distance, int64_t *labels) {                        \
        return assign_window(p0, p1, p2, columns, width, y0, y1, x0, x1, center, weight,  \
                             k, distance, labels);                                        \
    }

SHLS_ASSIGN_VARIANT(assign_baseline, )
#ifdef SHLS_X86_DISPATCH
SHLS_ASSIGN_VARIANT(assign_avx2, __attribute__((target("avx2"))))
SHLS_ASSIGN_VARIANT(assign_avx512, __attribute__((target("avx512f"))))
#endif

/* The widest loop this CPU runs, capped like PyTorch's by ATEN_CPU_CAPABILITY
 * ("default", "avx2"), so a restricted run measures what an AVX2-only CPU would. */
static assign_fn assign = assign_baseline;
static const char *assign_isa = "baseline";

static void choose_assign(void) {
#ifdef SHLS_X86_DISPATCH
    const char *cap = getenv("ATEN_CPU_CAPABILITY");
    const int allow512 = !cap || (strcmp(cap, "avx2") && strcmp(cap, "default"));
    const int allow2 = !cap || strcmp(cap, "default");
    __builtin_cpu_init();
    if (allow512 && __builtin_cpu_supports("avx512f")) {
        assign = assign_avx512;
        assign_isa = "avx512f";
    } else if (allow2 && __builtin_cpu_supports("avx2")) {
        assign = assign_avx2;
        assign_isa = "avx2";
    }
#endif
}

/* Every centre becomes the mean position and colour of its pixels, summed in raster
 * order; a centre without pixels becomes NaN and takes none from then on. */
static void update_centers(const double *plane0, const double *plane1,
                           const double *plane2, Py_ssize_t height, Py_ssize_t width,
                           const int64_t *labels, Py_ssize_t n_centers, double *centers,
                           Py_ssize_t *counts) {
    memset(centers, 0, sizeof(double) * 5 * (size_t)n_centers);
    memset(counts, 0, sizeof(Py_ssize_t) * (size_t)n_centers);
    for (Py_ssize_t y = 0; y < height; ++y) {
        for (Py_ssize_t x = 0; x < width; ++x) {
            const Py_ssize_t i = y * width + x;
            if (labels[i] < 0) continue; /* not reached by any window */
            double *c = centers + 5 * labels[i];
            counts[labels[i]] += 1;
            c[0] += (double)y;
            c[1] += (double)x;
            c[2] += plane0[i];
            c[3] += plane1[i];
            c[4] += plane2[i];
        }
    }
    for (Py_ssize_t k = 0; k < n_centers; ++k)
        for (int c = 0; c < 5; ++c)
            centers[5 * k + c] /= (double)counts[k];
}

/* The window bounds of scikit-image: max/min in double, then truncated to an index. */
static void window(double centre, Py_ssize_t step, Py_ssize_t size, Py_ssize_t *lo,
                   Py_ssize_t *hi) {
    double a = centre - 2.0 * (double)step, b = centre + 2.0 * (double)step + 1.0;
    *lo = (Py_ssize_t)(a > 0.0 ? a : 0.0);
    *hi = (Py_ssize_t)(b < (double)size ? b : (double)size);
}

static void kmeans(const double *image, Py_ssize_t height, Py_ssize_t width,
                   double *centers, Py_ssize_t n_centers, Py_ssize_t step_y,
                   Py_ssize_t step_x, float step, Py_ssize_t max_num_iter,
                   int64_t *labels, double *planes, double *distance,
                   Py_ssize_t *counts, double *columns) {
    const Py_ssize_t n = height * width;
    for (Py_ssize_t x = 0; x < width; ++x) columns[x] = (double)x;
    for (Py_ssize_t i = 0; i < n; ++i) {
        planes[i] = image[3 * i];
        planes[n + i] = image[3 * i + 1];
        planes[2 * n + i] = image[3 * i + 2];
        labels[i] = -1;
    }
    const double spatial_weight = 1.0 / (double)(step * step);
    for (Py_ssize_t it = 0; it < max_num_iter; ++it) {
        int64_t changed = 0;
        for (Py_ssize_t i = 0; i < n; ++i) distance[i] = DBL_MAX;
        for (Py_ssize_t k = 0; k < n_centers; ++k) {
            const double *c = centers + 5 * k;
            if (isnan(c[0]) || isnan(c[1])) continue; /* compares false everywhere */
            Py_ssize_t y0, y1, x0, x1;
            window(c[0], step_y, height, &y0, &y1);
            window(c[1], step_x, width, &x0, &x1);
            changed |= assign(planes, planes + n, planes + 2 * n, columns, width, y0, y1, x0,
                              x1, c, spatial_weight, (int64_t)k, distance, labels);
        }
        if (!changed) break;
        update_centers(planes, planes + n, planes + 2 * n, height, width, labels,
                       n_centers, centers, counts);
    }
}

/* Relabels 4-connected components in raster order; a component below min_size joins
 * the last labelled neighbour its breadth-first search met (scikit-image's rule, which
 * also keeps a first small component without such a neighbour and lets the next one
 * share its label); a search stops growing at max_size pixels. */
static void connectivity(const int64_t *labels, Py_ssize_t height, Py_ssize_t width,
                         Py_ssize_t min_size, Py_ssize_t max_size, int64_t *out,
                         Py_ssize_t *queue) {
    static const int ddx[4] = {1, -1, 0, 0}, ddy[4] = {0, 0, 1, -1};
    const Py_ssize_t n = height * width;
    for (Py_ssize_t i = 0; i < n; ++i) out[i] = -1;
    int64_t next = 0;
    for (Py_ssize_t start = 0; start < n; ++start) {
        if (labels[start] == -1 || out[start] > -1) continue;
        int64_t adjacent = next;
        const int64_t label = labels[start];
        out[start] = next;
        Py_ssize_t size = 1, visited = 0;
        queue[0] = start;
        while (visited < size && size < max_size) {
            const Py_ssize_t y = queue[visited] / width, x = queue[visited] % width;
            for (int j = 0; j < 4; ++j) {
                const Py_ssize_t yy = y + ddy[j], xx = x + ddx[j];
                if (xx < 0 || xx >= width || yy < 0 || yy >= height) continue;
                const Py_ssize_t q = yy * width + xx;
                if (labels[q] == label && out[q] == -1) {
                    out[q] = next;
                    queue[size++] = q;
                    if (size >= max_size) break;
                } else if (out[q] > -1 && out[q] != next) {
                    adjacent = out[q];
                }
            }
            ++visited;
        }
        if (size < min_size) {
            for (Py_ssize_t i = 0; i < size; ++i) out[queue[i]] = adjacent;
        } else {
            ++next;
        }
    }
}

static int check_size(Py_buffer *buf, Py_ssize_t expected, const char *name) {
    if (buf->len != expected) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes, expected %zd", name, buf->len,
                     expected);
        return 0;
    }
    return 1;
}

static PyObject *py_kmeans(PyObject *self, PyObject *args) {
    Py_buffer image, centers, labels;
    Py_ssize_t height, width, step_y, step_x, max_num_iter;
    double step;
    if (!PyArg_ParseTuple(args, "y*nnw*nndnw*", &image, &height, &width, &centers,
                          &step_y, &step_x, &step, &max_num_iter, &labels))
        return NULL;
    PyObject *result = NULL;
    const Py_ssize_t n = height * width, n_centers = centers.len / (5 * sizeof(double));
    double *planes = NULL, *distance = NULL, *columns = NULL;
    Py_ssize_t *counts = NULL;
    if (height < 1 || width < 1 || n_centers < 1) {
        PyErr_SetString(PyExc_ValueError, "empty image or no centres");
        goto done;
    }
    if (!check_size(&image, n * 3 * (Py_ssize_t)sizeof(double), "image") ||
        !check_size(&centers, n_centers * 5 * (Py_ssize_t)sizeof(double), "centers") ||
        !check_size(&labels, n * (Py_ssize_t)sizeof(int64_t), "labels"))
        goto done;
    planes = malloc(sizeof(double) * 3 * (size_t)n);
    distance = malloc(sizeof(double) * (size_t)n);
    counts = malloc(sizeof(Py_ssize_t) * (size_t)n_centers);
    columns = malloc(sizeof(double) * (size_t)width);
    if (!planes || !distance || !counts || !columns) {
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    kmeans(image.buf, height, width, centers.buf, n_centers, step_y, step_x, (float)step,
           max_num_iter, labels.buf, planes, distance, counts, columns);
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    free(planes);
    free(distance);
    free(counts);
    free(columns);
    PyBuffer_Release(&image);
    PyBuffer_Release(&centers);
    PyBuffer_Release(&labels);
    return result;
}

static PyObject *py_connectivity(PyObject *self, PyObject *args) {
    Py_buffer labels, out;
    Py_ssize_t height, width, min_size, max_size;
    if (!PyArg_ParseTuple(args, "y*nnnnw*", &labels, &height, &width, &min_size,
                          &max_size, &out))
        return NULL;
    PyObject *result = NULL;
    const Py_ssize_t n = height * width;
    Py_ssize_t *queue = NULL;
    if (height < 1 || width < 1 || max_size < 1) {
        PyErr_SetString(PyExc_ValueError, "empty image or max_size < 1");
        goto done;
    }
    if (!check_size(&labels, n * (Py_ssize_t)sizeof(int64_t), "labels") ||
        !check_size(&out, n * (Py_ssize_t)sizeof(int64_t), "out"))
        goto done;
    queue = malloc(sizeof(Py_ssize_t) * (size_t)(max_size < n ? max_size : n));
    if (!queue) {
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    connectivity(labels.buf, height, width, min_size, max_size, out.buf, queue);
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    free(queue);
    PyBuffer_Release(&labels);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"kmeans", py_kmeans, METH_VARARGS, "SLIC's k-means loop (see the module source)."},
    {"connectivity", py_connectivity, METH_VARARGS,
     "SLIC's connectivity pass (see the module source)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_slic_core",
                                    "Compiled SLIC loops (shls.models.superpixels.slic_core).",
                                    -1, methods};

PyMODINIT_FUNC PyInit__slic_core(void) {
    choose_assign();
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddStringConstant(m, "ISA", assign_isa) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
