#!/usr/bin/python3
"""Reference solver for bench/matcher/compare.sh: scipy.optimize.linear_sum_assignment
on the capacity-expanded weight matrix of a CNW1 dump (bench/matcher/README.md).

    scipy_lsa.py DUMP

Coach c becomes cap[c] identical columns.  A feasible pair weighs
MULT * gain + BIG (> 0; participation: BIG outweighs every score difference,
so the optimum maximises the matched count first); an infeasible pair weighs
0.  linear_sum_assignment(maximize=True) then picks min(R, slots) cells; a
chosen 0 cell means "unmatched" and is not counted, and since every feasible
weight is positive, the optimum of this rectangular assignment is the
optimum of the capacitated matching.  Every weight and every partial sum is an
integer below 2**53, so float64 holds them exactly.

Prints one line of key=value pairs: objective (sum of chosen weights), matched,
gain (sum of score + bonus over matched pairs), solve_ms (the
linear_sum_assignment call only: reading the dump and building the matrix are
not timed), build_ms, shape.
"""
import struct
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment


def load(path):
    with open(path, "rb") as f:
        head = f.read(40)
        if len(head) != 40 or head[:4] != b"CNW1":
            raise SystemExit(f"scipy_lsa: {path} is not a CNW1 dump")
        rows, cols, kind = struct.unpack_from("<III", head, 4)
        mult, big, optimum = struct.unpack_from("<qqq", head, 16)
        cap = np.fromfile(f, dtype="<i4", count=cols)
        gain = np.fromfile(f, dtype="<i4", count=rows * cols)
    if cap.size != cols or gain.size != rows * cols:
        raise SystemExit(f"scipy_lsa: {path} is truncated")
    return rows, cols, kind, mult, big, optimum, cap, gain.reshape(rows, cols)


def main():
    if len(sys.argv) != 2:
        print("usage: scipy_lsa.py DUMP", file=sys.stderr)
        return 2
    rows, cols, kind, mult, big, optimum, cap, gain = load(sys.argv[1])
    t0 = time.perf_counter()
    cap = np.maximum(cap, 0)
    slot_col = np.repeat(np.arange(cols), cap)          # expanded column -> coach
    g = gain[:, slot_col]                                # R x slots
    weight = np.where(g >= 0, mult * g.astype(np.int64) + big, 0)
    if weight.size and weight.max() >= 2**53 // max(1, min(rows, slot_col.size)):
        raise SystemExit("scipy_lsa: weights too large for exact float64 sums")
    matrix = weight.astype(np.float64)
    build_ms = (time.perf_counter() - t0) * 1e3

    t1 = time.perf_counter()
    r_ind, c_ind = linear_sum_assignment(matrix, maximize=True)
    solve_ms = (time.perf_counter() - t1) * 1e3

    chosen = weight[r_ind, c_ind]
    real = chosen > 0                                    # 0 cells = unmatched
    objective = int(chosen[real].sum())
    matched = int(real.sum())
    total_gain = int(g[r_ind, c_ind][real].sum())
    print(f"scipy rows={rows} cols={cols} shape={matrix.shape[0]}x{matrix.shape[1]} "
          f"objective={objective} matched={matched} gain={total_gain} "
          f"build_ms={build_ms:.1f} solve_ms={solve_ms:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
