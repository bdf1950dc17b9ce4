# The two commands of the README: `make demo` (main job) and `make test` (the tests).
# Both create .venv with a Python >= 3.12 when it is missing.
VENV   := .venv
PY     := $(VENV)/bin/python
MPIRUN := scripts/mpirun
STAMP  := $(VENV)/.installed
OUT    ?= results/demo

.PHONY: demo test test-slow lint venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || { py=$$(scripts/find-python) && echo "creating $(VENV) with $$py" && $$py -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

# The notched bar at a coarse mesh (0.2 mm at the roots) to 3 % strain: ~30 s on 2 cores.
demo: $(STAMP)
	$(MPIRUN) -n 2 $(VENV)/bin/stz-fem run cases/notched_tension.toml --out $(OUT) \
	  --set mesh.size=0.2e-3 --set loading.end_strain=0.03

# MPI-marked tests first on 2 ranks (scripts/mpirun picks MPICH settings that work here; rank 1
# quiet); collecting none fails too (pytest's exit 5), so the stage cannot pass by testing nothing. A failing test aborts all ranks (tests/conftest.py); a hung one dumps its stacks after
# faulthandler_timeout, and the timeout ends the run. Then the serial suite closes the run.
MPI_PYTEST := $(PY) -m pytest -m "mpi and not slow" -p no:cacheprovider -o faulthandler_timeout=300
test: $(STAMP)
	$(PY) -m ruff check .
	timeout 1500 $(MPIRUN) -n 2 sh -c 'if [ "$${PMI_RANK:-0}" = 0 ]; then exec $(MPI_PYTEST) -v; else exec $(MPI_PYTEST) -q >/dev/null; fi'; \
	  rc=$$?; [ $$rc = 0 ] || { echo "MPI tests failed (exit $$rc; 5: none collected)" >&2; exit $$rc; }
	$(PY) -m pytest -m "not mpi and not slow"

test-slow: $(STAMP)
	$(PY) -m pytest -m "slow and not mpi"

lint: $(STAMP)
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) results
