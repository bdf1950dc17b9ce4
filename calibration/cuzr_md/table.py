"""Markdown tables of calibrations' report.json files: every validation (and training) curve's
RMS relative to its MD peak, peak and flow-stress errors, every held-out condition's (replicas
scored by their mean, with their scatter), and the model-selection numbers.

    .venv/bin/python calibration/cuzr_md/table.py DIR [DIR ...]

DIR is a ``stz-fem calibrate`` output folder; the tables go to stdout (REPORT.md quotes them).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def _tag(entry: dict) -> str:
    return Path(entry["path"]).stem.removeprefix("stress_strain_")


def curve_rows(report: dict) -> list[str]:
    rows = ["| set | curve | RMS / MD peak | peak error | flow-stress error |",
            "|---|---|---|---|---|"]
    for key, label in (("curves", "train"), ("validation", "**validate**")):
        for e in report[key]:
            rows.append(f"| {label} | {_tag(e)} | {100 * e['rms_relative_to_peak']:.1f} % | "
                        f"{100 * e['peak_error_relative']:+.1f} % | "
                        f"{100 * e['flow_error_relative']:+.1f} % |")
    return rows


def condition_rows(report: dict) -> list[str]:
    """One row per held-out condition (``validation_conditions``): a lone curve, or the mean of
    its replicas with their scatter and each member's own RMS."""
    rows = ["| condition | samples | RMS / MD peak | peak error | flow-stress error | "
            "replica scatter | members' RMS |", "|---|---|---|---|---|---|---|"]
    for e in report.get("validation_conditions", []):
        n = e["replicas"]
        # a condition's name: its first sample's tag without the melt or velocity seed
        name = _tag(e) if n == 1 else re.sub(r"_(seed|v)\d+", "", _tag({"path": e["members"][0]}))
        scatter = f"{100 * e['replica_scatter_relative_to_peak']:.1f} %" if n > 1 else ""
        members = (", ".join(f"{100 * m:.1f}" for m in e["member_rms_relative_to_peak"]) + " %"
                   if n > 1 else "")
        rms = 100 * e["rms_relative_to_peak"]
        rms_text = f"**{rms:.1f} %**" if rms > 10 else f"{rms:.1f} %"
        rows.append(f"| {name} | {n} | {rms_text} | {100 * e['peak_error_relative']:+.1f} % | "
                    f"{100 * e['flow_error_relative']:+.1f} % | {scatter} | {members} |")
    return rows


def selection_row(name: str, report: dict) -> str:
    ic = report["information_criteria"]
    held = [e["rms_relative_to_peak"] for e in report["validation"]]
    worst = max(held) if held else float("nan")
    mean = sum(held) / len(held) if held else float("nan")
    conditions = [e["rms_relative_to_peak"] for e in report.get("validation_conditions", [])]
    by_condition = (f"{sum(c <= 0.10 for c in conditions)}/{len(conditions)} "
                    f"(worst {100 * max(conditions):.1f} %)" if conditions else "")
    return (f"| {name} | {ic['free']} | {100 * report['rms_relative_to_peak']:.2f} % | "
            f"{ic['aic']:.0f} | {ic['bic']:.0f} | {100 * mean:.1f} % | {100 * worst:.1f} % | "
            f"{sum(h <= 0.10 for h in held)}/{len(held)} | {by_condition} |")


def main(argv: list[str]) -> None:
    reports = {d: json.loads((Path(d) / "report.json").read_text()) for d in argv}
    print("| fit | free | train RMS | AIC | BIC | mean held-out RMS | worst held-out RMS | "
          "held-out ≤ 10 % | conditions ≤ 10 % |")
    print("|---|---|---|---|---|---|---|---|---|")
    for d, report in reports.items():
        print(selection_row(Path(d).name, report))
    for d, report in reports.items():
        print(f"\n{Path(d).name}:\n")
        print("\n".join(curve_rows(report)))
        if report.get("validation_conditions"):
            print("\n" + "\n".join(condition_rows(report)))


if __name__ == "__main__":
    main(sys.argv[1:])
