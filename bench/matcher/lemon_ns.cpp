// lemon_ns.cpp — reference solver for bench/matcher/compare.sh: LEMON's
// NetworkSimplex (Debian's liblemon-dev) on a weight dump written by
// `bench_matcher --dump-weights` (format: bench/matcher/README.md, "CNW1").
//
//   lemon_ns DUMP
//
// Min-cost flow network: every mentee row r has supply 1 and two ways out —
// an arc to each feasible coach c (capacity 1, cost -w(r,c)) or a bypass arc
// to the sink (cost 0: r stays unmatched); coach c reaches the sink through
// one arc of capacity cap[c].  The sink absorbs R units.  Minimum cost =
// -(maximum total weight).  Infeasible pairs get no arc, so they never count.
//
// Prints one line of key=value pairs: objective (sum of chosen weights),
// matched, gain (sum of score + bonus over matched pairs), solve_ms (the
// NetworkSimplex run() call only: reading the file and building the graph
// are not timed), build_ms, nodes, arcs.  Exit status 0 on success.
#include <lemon/list_graph.h>
#include <lemon/network_simplex.h>

#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

struct Dump {
    uint32_t rows = 0, cols = 0, objective_kind = 0;
    int64_t mult = 0, big = 0, optimum = 0;
    std::vector<int32_t> cap;
    std::vector<int32_t> gain; // rows x cols, -1 = infeasible
};

bool read_exact(std::FILE *f, void *p, size_t n) { return std::fread(p, 1, n, f) == n; }

// The dump is little-endian; so is every machine this runs on (x86-64,
// aarch64), which the magic check below would expose otherwise.
bool load(const char *path, Dump &d) {
    std::FILE *f = std::fopen(path, "rb");
    if (!f) {
        std::fprintf(stderr, "lemon_ns: cannot open %s\n", path);
        return false;
    }
    char magic[4];
    bool ok = read_exact(f, magic, 4) && std::memcmp(magic, "CNW1", 4) == 0 && read_exact(f, &d.rows, 4) &&
              read_exact(f, &d.cols, 4) && read_exact(f, &d.objective_kind, 4) && read_exact(f, &d.mult, 8) &&
              read_exact(f, &d.big, 8) && read_exact(f, &d.optimum, 8);
    if (ok) {
        d.cap.resize(d.cols);
        d.gain.resize(size_t(d.rows) * d.cols);
        ok = read_exact(f, d.cap.data(), d.cap.size() * 4) && read_exact(f, d.gain.data(), d.gain.size() * 4);
    }
    std::fclose(f);
    if (!ok) std::fprintf(stderr, "lemon_ns: %s is not a complete CNW1 dump\n", path);
    return ok;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: lemon_ns DUMP\n");
        return 2;
    }
    Dump d;
    if (!load(argv[1], d)) return 1;

    using Graph = lemon::ListDigraph;
    using NS = lemon::NetworkSimplex<Graph, int64_t, int64_t>;
    auto t0 = std::chrono::steady_clock::now();
    Graph g;
    std::vector<Graph::Node> row(d.rows), col(d.cols);
    for (auto &n : row) n = g.addNode();
    for (auto &n : col) n = g.addNode();
    Graph::Node sink = g.addNode();
    Graph::ArcMap<int64_t> cost(g), upper(g);
    Graph::NodeMap<int64_t> supply(g, 0);
    struct PairArc {
        Graph::Arc arc;
        uint32_t r, c;
    };
    std::vector<PairArc> pair_arcs;
    for (uint32_t r = 0; r < d.rows; r++) {
        supply[row[r]] = 1;
        for (uint32_t c = 0; c < d.cols; c++) {
            int32_t gn = d.gain[size_t(r) * d.cols + c];
            if (gn < 0 || d.cap[c] <= 0) continue;
            Graph::Arc a = g.addArc(row[r], col[c]);
            cost[a] = -(d.mult * gn + d.big);
            upper[a] = 1;
            pair_arcs.push_back({ a, r, c });
        }
        Graph::Arc bypass = g.addArc(row[r], sink);
        cost[bypass] = 0;
        upper[bypass] = 1;
    }
    for (uint32_t c = 0; c < d.cols; c++) {
        Graph::Arc a = g.addArc(col[c], sink);
        cost[a] = 0;
        upper[a] = d.cap[c] > 0 ? d.cap[c] : 0;
    }
    supply[sink] = -int64_t(d.rows);
    double build_ms = ms_since(t0);

    NS ns(g);
    ns.costMap(cost).upperMap(upper).supplyMap(supply);
    auto t1 = std::chrono::steady_clock::now();
    NS::ProblemType pt = ns.run();
    double solve_ms = ms_since(t1);
    if (pt != NS::OPTIMAL) {
        std::fprintf(stderr, "lemon_ns: NetworkSimplex did not find an optimum (%d)\n", int(pt));
        return 1;
    }
    int64_t objective = 0, gain = 0, matched = 0;
    for (const PairArc &pa : pair_arcs) {
        if (ns.flow(pa.arc) == 0) continue;
        matched++;
        objective += -cost[pa.arc];
        gain += d.gain[size_t(pa.r) * d.cols + pa.c];
    }
    if (objective != -ns.totalCost<int64_t>()) {
        std::fprintf(stderr, "lemon_ns: flow and total cost disagree\n");
        return 1;
    }
    std::printf("lemon rows=%" PRIu32 " cols=%" PRIu32 " nodes=%d arcs=%d objective=%" PRId64 " matched=%" PRId64
                " gain=%" PRId64 " build_ms=%.1f solve_ms=%.1f\n",
                d.rows, d.cols, lemon::countNodes(g), lemon::countArcs(g), objective, matched, gain, build_ms,
                solve_ms);
    return 0;
}
