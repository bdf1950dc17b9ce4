"""Markdown tables of calibrations' report.json files: every validation (and training) curve's
RMS relative to its MD peak, peak and flow-stress errors, and the model-selection numbers.

    .venv/bin/python calibration/cuzr_md/table.py DIR [DIR ...]

DIR is a ``stz-fem calibrate`` output folder; the tables go to stdout (REPORT.md quotes them).
"""

from __future__ import annotations

import json
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


def selection_row(name: str, report: dict) -> str:
    ic = report["information_criteria"]
    held = [e["rms_relative_to_peak"] for e in report["validation"]]
    worst = max(held) if held else float("nan")
    mean = sum(held) / len(held) if held else float("nan")
    return (f"| {name} | {ic['free']} | {100 * report['rms_relative_to_peak']:.2f} % | "
            f"{ic['aic']:.0f} | {ic['bic']:.0f} | {100 * mean:.1f} % | {100 * worst:.1f} % | "
            f"{sum(h <= 0.10 for h in held)}/{len(held)} |")


def main(argv: list[str]) -> None:
    reports = {d: json.loads((Path(d) / "report.json").read_text()) for d in argv}
    print("| fit | free | train RMS | AIC | BIC | mean held-out RMS | worst held-out RMS | "
          "held-out ≤ 10 % |")
    print("|---|---|---|---|---|---|---|---|")
    for d, report in reports.items():
        print(selection_row(Path(d).name, report))
    for d, report in reports.items():
        print(f"\n{Path(d).name}:\n")
        print("\n".join(curve_rows(report)))


if __name__ == "__main__":
    main(sys.argv[1:])
