# Sanaq: the two commands a fresh Debian 12 machine needs are `make demo` and `make test`.
# Both set up everything themselves (system packages as root, .venv, pinned Python deps).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.stamp-deps

.PHONY: demo test lint typecheck unit setup system-deps bench clean

KERNELS := $(VENV)/.stamp-kernels

setup: $(STAMP) $(KERNELS)

$(STAMP): pyproject.toml constraints.txt deploy/system-packages.txt deploy/bootstrap.sh
	bash deploy/bootstrap.sh
	touch $(STAMP)

# The reader's compiled kernels: compiled once here (some seconds), loaded from the cache after.
$(KERNELS): $(STAMP) kiosk/reading/kernels.py
	$(PY) -m kiosk.reading.kernels
	touch $(KERNELS)

system-deps:
	bash deploy/bootstrap.sh --system-only

demo: setup
	$(PY) -m fieldkit.demo

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy

# The suite in TEST_WORKERS processes (pytest-xdist; CI's machine has 2 cores): about half the
# time of one process. `make unit TEST_WORKERS=0` runs it in this one process.
TEST_WORKERS ?= 2

unit: setup
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal

test: lint typecheck unit

bench: setup
	$(PY) benchmarks/read.py --sheets 100 --day 3000
	$(PY) benchmarks/accuracy.py --sheets 2000

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache
