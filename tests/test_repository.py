"""The repository stands on its own: tracked text files name no path of one machine, the
package, tests, docs and cases read no data from outside the repository, and the model
reference they cite is the repository's own docs/model.md."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
THIS = Path(__file__).resolve().relative_to(ROOT).as_posix()  # its patterns would match

# absolute paths of one machine: home and work directories
MACHINE_PATH = re.compile(r"(?<![\w.~$-])/(?:work|home|root|Users|mnt|scratch)/")
# /tmp as a place data are read from; allowed as a scratch destination or helper location
# given on a command line (`--out /tmp/x`, an option's `default="/tmp/..."`)
TMP_PATH = re.compile(r"(?<![\w.~$-])/tmp/")
TMP_ALLOWED = re.compile(r"--[\w-]+[ =]\"?/tmp/|default=\"/tmp/")
# files that record what a past run did (its own scratch paths included), not inputs
RECORDS = re.compile(r"(^|/)(log_[^/]*\.lammps|manifest\.json)$")
# the sibling directory of shared data on the development machine
SHARED_DATA = re.compile(r"(?<![\w-])shared/(?:md|spec)\b")
SELF_CONTAINED = ("stz_fem/", "tests/", "docs/", "cases/")
# the owner's specification, which is not part of the repository (built so that a
# search-and-replace of the name leaves this test intact)
SPEC_NAME = "MODEL" + ".md"


def _tracked_text_files() -> dict[str, str]:
    try:
        listing = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    texts = {}
    for name in listing.decode().split("\0"):
        path = ROOT / name
        if not name or name == THIS or not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary
        try:
            texts[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return texts


@pytest.fixture(scope="module")
def tracked() -> dict[str, str]:
    return _tracked_text_files()


def _hits(texts: dict[str, str], found) -> list[str]:
    return [
        f"{name}:{number}: {line.strip()[:120]}"
        for name, text in sorted(texts.items())
        for number, line in enumerate(text.splitlines(), start=1)
        if found(name, line)
    ]


def test_no_machine_paths(tracked):
    hits = _hits(tracked, lambda name, line: MACHINE_PATH.search(line) is not None)
    assert not hits, "absolute paths of one machine:\n" + "\n".join(hits)


def test_no_data_read_from_tmp(tracked):
    def found(name: str, line: str) -> bool:
        if RECORDS.search(name) or not TMP_PATH.search(line):
            return False
        return len(TMP_PATH.findall(line)) > len(TMP_ALLOWED.findall(line))

    hits = _hits(tracked, found)
    assert not hits, "/tmp used as a data source:\n" + "\n".join(hits)


def test_package_tests_docs_and_cases_use_no_data_outside_the_repository(tracked):
    texts = {name: text for name, text in tracked.items() if name.startswith(SELF_CONTAINED)}
    hits = _hits(texts, lambda name, line: SHARED_DATA.search(line) is not None)
    assert not hits, "data outside the repository:\n" + "\n".join(hits)


def test_the_model_reference_cited_is_docs_model_md(tracked):
    assert "docs/model.md" in tracked
    hits = _hits(tracked, lambda name, line: SPEC_NAME in line)
    assert not hits, f"cite docs/model.md, not {SPEC_NAME}:\n" + "\n".join(hits)
