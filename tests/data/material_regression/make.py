"""Write ``reference.npz``: frozen outputs of the STZ-χ local update at seeded random states.

The states cover both rate terms, α = 0 and α > 0, thermal relaxation off and on, χ from
300 K to 1500 K, trial stresses from elastic to far above s_y, pre-existing plastic strain and
time steps from 1e-12 s to 1e4 s. ``tests/material/test_regression.py`` recomputes them; a
change of the kernel that moves any output beyond round-off fails there. Regenerate only for
an intended change of the law (and say so in the commit):

    PYTHONPATH=. .venv/bin/python tests/data/material_regression/make.py

(from the repository root: ``PYTHONPATH=.`` makes it use this checkout's ``stz_fem``; the
path it used is printed).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import stz_fem
from stz_fem.material import integrate, load

OUT = Path(__file__).with_name("reference.npz")
POINTS_PER_CASE = 48

# (base preset, overrides): every combination the kernel branches on
CASES: list[tuple[str, dict]] = [
    ("vitreloy1", {}),
    ("vitreloy1", {"alpha": 0.2}),
    ("vitreloy1", {"rate_term": "johnson-samwer"}),
    ("vitreloy1", {"rate_term": "johnson-samwer", "alpha": 0.15, "t_r0": 1e-3, "E_r": 2000.0}),
    ("cu50zr50", {"t_r0": 10.0, "chi_T": 450.0}),
    ("cu50zr50", {"rate_term": "johnson-samwer", "alpha": 0.1}),
    ("cu50zr50", {"s_y": 0.0, "s_chi": 0.5e9, "alpha": 0.05}),
    ("cu50zr50", {"s_y": 0.0, "s_chi": 0.5e9, "rate_term": "johnson-samwer",
                  "t_r0": 1e-6, "E_r": 1500.0}),
]


def random_states(params, n: int, rng: np.random.Generator):
    """Strains (n, 6), plastic strains (n, 6), χ (n,) K and steps (n,) s, Mandel."""
    scale = params.s_y or params.chi_stress_scale
    epsp = rng.normal(size=(n, 6)) * 10.0 ** rng.uniform(-5.0, -1.0, (n, 1))
    epsp[:, :3] -= epsp[:, :3].mean(axis=1, keepdims=True)
    dev = rng.normal(size=(n, 6))
    dev[:, :3] -= dev[:, :3].mean(axis=1, keepdims=True)
    sbar = np.sqrt(0.5 * np.sum((2.0 * params.G * dev) ** 2, axis=1))
    # a third of the points just around the yield stress, where the rate law is steepest
    ratio = np.where(rng.uniform(size=n) < 1 / 3, rng.uniform(0.98, 1.05, n),
                     rng.uniform(0.0, 3.0, n))
    dev *= (ratio * scale / sbar)[:, None]
    volumetric = rng.uniform(-0.02, 0.02, n)
    eps = epsp + dev + volumetric[:, None] * np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0]) / 3.0
    chi = rng.uniform(300.0, 1500.0, n)
    dt = 10.0 ** rng.uniform(-12.0, 4.0, n)
    return eps, epsp, chi, dt


def main() -> None:
    rng = np.random.default_rng(20240613)
    columns: dict[str, list[np.ndarray]] = {k: [] for k in (
        "case", "strain", "plastic_strain_n", "chi_n", "dt",
        "stress", "plastic_strain", "chi", "rate", "tangent",
    )}
    for k, (preset, overrides) in enumerate(CASES):
        params = load({"preset": preset, **overrides})
        eps, epsp, chi, dt = random_states(params, POINTS_PER_CASE, rng)
        for i in range(POINTS_PER_CASE):
            res = integrate(params, eps[i], epsp[i], chi[i : i + 1], dt[i])
            for key, value in (
                ("case", np.array([k])), ("strain", eps[i : i + 1]),
                ("plastic_strain_n", epsp[i : i + 1]), ("chi_n", chi[i : i + 1]),
                ("dt", dt[i : i + 1]), ("stress", res.stress), ("plastic_strain",
                res.plastic_strain), ("chi", res.chi), ("rate", res.rate),
                ("tangent", res.tangent),
            ):
                columns[key].append(value)
    arrays = {k: np.concatenate(v) for k, v in columns.items()}
    cases = json.dumps([{"preset": p, **o} for p, o in CASES])
    np.savez_compressed(OUT, cases=np.array(cases), **arrays)
    flowing = np.mean(arrays["rate"] > 0.0)
    print(f"stz_fem from {Path(stz_fem.__file__).parent}")
    print(f"{OUT}: {arrays['dt'].size} points, {flowing:.0%} flowing, "
          f"{OUT.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
