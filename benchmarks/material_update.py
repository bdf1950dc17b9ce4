"""Throughput of the STZ-χ local update on one core, against a von Mises return map.

Measures the time per point of ``update_points`` (the kernel the finite-element solver calls at
every quadrature point) over 10⁶ points in a mixed state (about 40 % flowing), with and
without the tangent, at several time steps, with preallocated outputs as the solver uses them.
Baseline: an allocation-free compiled von Mises radial return with the same inputs and
outputs, timed in the same run (best of three each), so the reported ratio, STZ-χ time over
von Mises time, does not depend on the machine; the absolute throughput is printed only to
scale it. Also the update with the orientation lag (``update_points_lagged``), from an
unoriented glass and with the orientation turned away from the stress.

Full size (one core, under a minute):

    .venv/bin/python benchmarks/material_update.py [--points 1000000]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time
from collections.abc import Sequence

import numpy as np
from _runs import parse_args, ratio
from numba import njit

from stz_fem.material import load, pack
from stz_fem.material.lagged_update import update_points_lagged
from stz_fem.material.update import update_points


@njit(cache=True)
def von_mises_update(eps, epsp_n, g, k_bulk, yield_shear, sigma, epsp, tangent):
    """Perfectly plastic radial return (yield in s̄) with the consistent tangent, Mandel."""
    s_tr = np.empty(6)
    for i in range(eps.shape[0]):
        trace = eps[i, 0] + eps[i, 1] + eps[i, 2]
        sq = 0.0
        for j in range(6):
            s_tr[j] = 2.0 * g * (eps[i, j] - (trace / 3.0 if j < 3 else 0.0) - epsp_n[i, j])
            sq += s_tr[j] * s_tr[j]
        sbar = math.sqrt(0.5 * sq)
        x = max(sbar - yield_shear, 0.0) / (2.0 * g)
        scale = x / sbar if x > 0.0 else 0.0
        for j in range(6):
            epsp[i, j] = epsp_n[i, j] + scale * s_tr[j]
            sigma[i, j] = s_tr[j] * (1.0 - 2.0 * g * scale) + (k_bulk * trace if j < 3 else 0.0)
        shear = 2.0 * g * (1.0 - 2.0 * g * scale)
        nn = 2.0 * g * g * scale / sbar**2 if x > 0.0 else 0.0
        for a in range(6):
            for b in range(6):
                vol = (k_bulk - shear / 3.0) if (a < 3 and b < 3) else 0.0
                tangent[i, a, b] = vol + (shear if a == b else 0.0) + nn * s_tr[a] * s_tr[b]


def mixed_state(params, n: int, seed: int = 1):
    """Strains with trial s̄ uniform in [0.2, 1.5] s_y and χ uniform in [550, 900] K."""
    rng = np.random.default_rng(seed)
    eps = rng.normal(size=(n, 6))
    eps[:, :3] -= eps[:, :3].mean(axis=1, keepdims=True)
    sbar = np.sqrt(0.5 * np.sum((2 * params.G * eps) ** 2, axis=1))
    eps *= (rng.uniform(0.2, 1.5, n) * params.s_y / sbar)[:, None]
    eps[:, :3] += rng.normal(scale=1e-3, size=(n, 1))
    return eps, np.zeros((n, 6)), rng.uniform(550.0, 900.0, n)


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: Sequence[str] | None = None) -> dict:
    """Runs the benchmark; returns the baseline and one row per (dt, tangent)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10**6)
    n = parse_args(parser, argv, {"points": 2000}).points

    params = load("vitreloy1")
    law = pack(params)
    eps, epsp_n, chi_n = mixed_state(params, n)
    sigma, epsp = np.empty((n, 6)), np.empty((n, 6))
    chi, rate, tangent = np.empty(n), np.empty(n), np.empty((n, 6, 6))
    no_tangent = np.empty((0, 6, 6))
    no_heat = np.empty(0)  # the bath temperature everywhere
    for out in (sigma, epsp, chi, rate, tangent):
        out.fill(0.0)  # touch the pages before timing

    def stz(dt, tan):
        return lambda: update_points(eps, epsp_n, chi_n, dt, law, sigma, epsp, chi, rate, tan,
                                           no_heat)

    def vm():
        von_mises_update(eps, epsp_n, params.G, params.K, params.s_y, sigma, epsp, tangent)

    update_points(eps[:8], epsp_n[:8], chi_n[:8], 1.0, law, sigma, epsp, chi, rate, tangent,
                  no_heat)
    von_mises_update(eps[:8], epsp_n[:8], params.G, params.K, params.s_y, sigma, epsp, tangent)

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, numpy {np.__version__}; one core, {n:.0e} points")
    t_vm = best_of(vm)
    print(f"baseline von Mises return + tangent: {t_vm / n * 1e9:.0f} ns/point here")
    rows = []
    for dt in (1e-4, 1e-2, 1.0, 100.0):
        for label, tan in (("with tangent", tangent), ("stress only ", no_tangent)):
            t = best_of(stz(dt, tan))
            its = update_points(eps, epsp_n, chi_n, dt, law, sigma, epsp, chi, rate, tan,
                                no_heat)
            rows.append({"dt_s": dt, "tangent": tan.size > 0, "time_ratio": ratio(t, t_vm),
                         "flowing_fraction": float(np.mean(rate > 0)),
                         "max_scalar_iterations": int(its)})
            print(f"STZ-χ dt = {dt:6.0e} s {label}: {t / t_vm:4.1f}× von Mises time; "
                  f"flowing {np.mean(rate > 0):.0%}, max scalar iterations {its}")
    lagged = _lagged_rows(params, n, eps, epsp_n, chi_n, sigma, epsp, chi, rate, tangent, t_vm)
    return {"points": n, "baseline_ns_per_point": t_vm / n * 1e9, "rows": rows,
            "lagged_rows": lagged,
            "cost": "time_ratio: STZ-χ update time / von Mises return time, same run"}


def _lagged_rows(params, n, eps, epsp_n, chi_n, sigma, epsp, chi, rate, tangent, t_vm):
    """The update with the orientation lag (docs/model.md §2.4, ε_a = 2) from an unoriented
    glass and from an orientation turned 60° away from every trial stress: the tensor Newton
    solve, against the same von Mises baseline."""
    lag = pack(params.replace(eps_a=2.0))
    orientation = np.zeros((n, 6))
    turned = np.roll(eps, 3, axis=1)
    turned[:, :3] -= turned[:, :3].mean(axis=1, keepdims=True)
    turned *= (0.5 / np.sqrt(0.5 * np.sum(turned**2, axis=1)))[:, None]
    m_out = np.zeros((n, 6))
    update_points_lagged(eps[:8], epsp_n[:8], chi_n[:8], orientation[:8], 1.0, lag, sigma,
                         epsp, chi, m_out, rate, tangent)
    rows = []
    for label, m_n in (("unoriented", orientation), ("turned    ", turned)):
        for dt in (1e-2, 1.0):
            t = best_of(lambda m_n=m_n, dt=dt: update_points_lagged(
                eps, epsp_n, chi_n, m_n, dt, lag, sigma, epsp, chi, m_out, rate, tangent))
            its = update_points_lagged(eps, epsp_n, chi_n, m_n, dt, lag, sigma, epsp, chi,
                                       m_out, rate, tangent)
            rows.append({"orientation": label.strip(), "dt_s": dt, "time_ratio": ratio(t, t_vm),
                         "max_newton_iterations": int(its)})
            print(f"with lag, {label} dt = {dt:6.0e} s with tangent: {t / t_vm:4.1f}× von "
                  f"Mises time; max Newton iterations {its}")
    return rows


if __name__ == "__main__":
    main()
