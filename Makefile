# The two commands of the README: `make demo` (main job) and `make test` (the tests).
# Both create .venv with a Python >= 3.12 when it is missing.
VENV   := .venv
PY     := $(VENV)/bin/python
MPIEXEC := $(VENV)/bin/mpiexec
STAMP  := $(VENV)/.installed
OUT    ?= results/demo

.PHONY: demo test test-slow lint venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || { py=$$(scripts/find-python) && echo "creating $(VENV) with $$py" && $$py -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

demo: $(STAMP)
	$(MPIEXEC) -n 2 $(VENV)/bin/stz-fem run cases/shear_strip.toml --out $(OUT)

# MPI-marked tests first on 2 ranks (rank 1 quiet; a timeout because an exception on one rank
# leaves the other waiting in a collective), then the serial suite, whose summary closes the run.
test: $(STAMP)
	$(PY) -m ruff check .
	timeout 1200 $(MPIEXEC) -n 2 sh -c 'if [ "$${PMI_RANK:-0}" = 0 ]; then exec $(PY) -m pytest -q -m "mpi and not slow" -p no:cacheprovider; else exec $(PY) -m pytest -q -m "mpi and not slow" -p no:cacheprovider >/dev/null; fi'; \
	  rc=$$?; [ $$rc = 0 ] || [ $$rc = 5 ] || exit $$rc
	$(PY) -m pytest -m "not mpi and not slow"

test-slow: $(STAMP)
	$(PY) -m pytest -m "slow and not mpi"

lint: $(STAMP)
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) results
