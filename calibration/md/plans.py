"""The MD data sets of ``run_md.py``: plans (sizes, protocol and conditions), glasses and shear
runs with their tags (temperatures in K, rates in 1/s or K/s, pressures in GPa)."""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Plan:
    """Sizes and conditions of one data set (temperatures in K, rates in 1/s or K/s)."""

    ncell: int  # bcc cells per side: 2 ncell³ atoms
    dt_ps: float
    t_melt: float
    melt_ps: float
    cooling_rates: tuple[float, ...]  # K/s, slowest first
    t_quench: float
    hold_ps: float
    temperatures: tuple[float, ...]
    shear_rates: tuple[float, ...]  # engineering shear rate, slowest first
    equil_ps: float
    max_strain: float
    dump_strain: float
    table_strain: float  # strain between stress-strain rows
    seed: int
    name: str = "full"
    # Shear runs "COOLING:T:RATE[:SEED[:VSEED[:PRESSURE[:HELD]]]]" (comma lists allowed);
    # empty: the default grid above.
    conditions: tuple[str, ...] = ()
    # Tags whose shear dumps --collect copies; None: first and last run (and first relax).
    keep_dumps: tuple[str, ...] | None = None

    @property
    def atoms(self) -> int:
        return 2 * self.ncell**3


QUICK = Plan(
    ncell=6,
    dt_ps=0.002,
    t_melt=2000.0,
    melt_ps=4.0,
    cooling_rates=(1e14, 1e15),
    t_quench=100.0,
    hold_ps=2.0,
    temperatures=(100.0, 300.0),
    shear_rates=(1e10, 3e10, 1e11),
    equil_ps=2.0,
    max_strain=0.15,
    dump_strain=0.05,
    table_strain=0.002,
    seed=4928,
    name="quick",
)
FULL = Plan(
    ncell=10,
    dt_ps=0.002,
    t_melt=2000.0,
    melt_ps=20.0,
    cooling_rates=(1e13, 1e14),
    t_quench=100.0,
    hold_ps=10.0,
    temperatures=(100.0, 300.0),
    shear_rates=(1e9, 3e9, 1e10),
    equil_ps=10.0,
    max_strain=0.25,
    dump_strain=0.05,
    table_strain=0.001,
    seed=4928,
)
# Train/validate extension of FULL (same glasses, protocol and seeds; issue 14), in order of
# priority: new rates (3e10 1/s) and temperatures (50, 500 K) of the q1e13 glass, the q1e14
# glass at three more temperatures, two replicas of q1e13 at 300 K and 1e10 1/s with other
# shear velocities (seeds 5929, 6929) for the run-to-run scatter, then q1e14 at 100 K and 3e9
# 1/s, a 3e9 1/s replica, a second q1e13 sample (melt seed 5928) at 300 K, and last the costly
# 1e9 1/s runs (125,000 shear steps each) at 50 and 500 K.
SPLIT = replace(
    FULL,
    name="split",
    conditions=(
        "1e13:100,300:3e10",
        "1e13:50:1e10,3e10,3e9",
        "1e13:500:1e10,3e10,3e9",
        "1e14:300,500,50:1e10",
        "1e13:300:1e10::5929",
        "1e13:300:1e10::6929",
        "1e14:100:3e9",
        "1e13:300:3e9::5929",
        "1e13:300:1e10,3e9:5928",
        "1e13:50,500:1e9",
    ),
    keep_dumps=("q1e13_seed5928_T300_r1e10",),
)
# Simple shear of the calibration glass under held normal stresses (issue 16), in order of
# priority: five superimposed pressures at 300 K and 1e10 1/s (the ends first), replicas
# (other shear velocities) at 0 and 2 GPa for the scatter, fixed normal stress σyy, then 100 K.
PRESSURE = replace(
    FULL,
    name="pressure",
    conditions=(
        "1e13:300:1e10:::-1,2,0,1,0.5",
        "1e13:300:1e10::5929:0,2",
        "1e13:300:1e10:::0,1,2:y",
        "1e13:300:1e10::6929:0,2",
        "1e13:100:1e10:::-1,0,1,2",
    ),
    keep_dumps=(),
)
PLANS = {plan.name: plan for plan in (QUICK, FULL, SPLIT, PRESSURE)}
HELD_STRESSES = {"iso": "p", "y": "sy"}


def rate_tag(value: float) -> str:
    return f"{value:.0e}".replace("e+0", "e").replace("e+", "e")



@dataclass(frozen=True)
class Glass:
    cooling_rate: float  # K/s
    seed: int  # melt seed; the quench uses seed + 2 and its shear runs seed + 1

    def name(self, plan: Plan) -> str:
        suffix = "" if self.seed == plan.seed else f"_seed{self.seed}"
        return f"q{rate_tag(self.cooling_rate)}{suffix}"

    def melt_dir(self, plan: Plan) -> str:
        return "melt" if self.seed == plan.seed else f"melt_seed{self.seed}"


@dataclass(frozen=True)
class ShearRun:
    glass: str
    temperature: float
    shear_rate: float
    cooling_rate: float | None = None
    seed: int | None = None  # melt seed of the glass
    velocity_seed: int | None = None  # of the shear run's velocities; None: melt seed + 1
    pressure_GPa: float | None = None  # held normal stress; None: constant volume
    held: str = "iso"  # which normal stresses are held (HELD_STRESSES)

    @property
    def tag(self) -> str:
        replica = "" if self.velocity_seed is None else f"_v{self.velocity_seed}"
        loading = (
            ""
            if self.pressure_GPa is None
            else f"_{HELD_STRESSES[self.held]}{self.pressure_GPa:g}GPa"
        )
        return f"{self.glass}_T{self.temperature:g}_r{rate_tag(self.shear_rate)}{loading}{replica}"


def parse_conditions(plan: Plan, conditions: tuple[str, ...]) -> list[ShearRun]:
    """Shear runs of ``COOLING:T:RATE[:SEED[:VSEED[:PRESSURE[:HELD]]]]`` strings (an empty
    SEED is the plan's; VSEED, the seed of the shear run's velocities, tags a replica
    ``_v<VSEED>`` of the same glass; PRESSURE in GPa and HELD as in the module docstring),
    comma lists expanded in order."""
    runs = []
    for condition in conditions:
        fields = condition.split(":") + [""] * 4
        if not 3 <= len(condition.split(":")) <= 7 or fields[6] not in ("", *HELD_STRESSES):
            raise ValueError(
                f"condition {condition!r} is not COOLING:T:RATE[:SEED[:VSEED[:PRESSURE[:HELD]]]]"
                f" with HELD one of {', '.join(HELD_STRESSES)}"
            )
        cooling, temperatures, rates = ([float(v) for v in f.split(",")] for f in fields[:3])
        seeds = [int(v) for v in fields[3].split(",")] if fields[3] else [plan.seed]
        velocity = int(fields[4]) if fields[4] else None
        pressures = [float(v) for v in fields[5].split(",")] if fields[5] else [None]
        runs += [
            ShearRun(Glass(q, seed).name(plan), t, r, q, seed, velocity, p, fields[6] or "iso")
            for seed in seeds
            for q in cooling
            for t in temperatures
            for r in rates
            for p in pressures
        ]
    return runs


def shear_runs(plan: Plan) -> list[ShearRun]:
    if plan.conditions:
        return parse_conditions(plan, plan.conditions)
    slow, *fast = plan.cooling_rates
    runs = [
        ShearRun(f"q{rate_tag(slow)}", temperature, rate, slow, plan.seed)
        for temperature in plan.temperatures
        for rate in plan.shear_rates
    ]
    return runs + [
        ShearRun(f"q{rate_tag(q)}", plan.temperatures[0], plan.shear_rates[-1], q, plan.seed)
        for q in fast
    ]
