# The course's commands. README.md explains them; .ci/run calls `make test`.
#   make book   -> set up .venv, build the HTML book into _build/html
#   make test   -> set up .venv, run the whole test suite
#   make bench  -> benchmarks, tables on stdout, JSON in benchmarks/results/
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MATHJAX_VERSION := 3.2.2
MATHJAX_DIR := build-assets/mathjax
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0

.PHONY: setup book test bench lock clean browser

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

book: setup
	$(BIN)/jupyter-book build . --warningiserror --keep-going

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python benchmarks/run.py

lock:
	rm -rf /tmp/rnnlib-lock && $(PYTHON) -m venv /tmp/rnnlib-lock
	/tmp/rnnlib-lock/bin/pip install --quiet "jupyter-book==1.0.4.post1" "nbgrader==0.9.6" "tensorflow-cpu==2.21.0" keras numpy matplotlib pandas statsmodels pytest playwright jupytext sphinx-exercise tqdm jupyterlab
	{ head -2 requirements.lock; /tmp/rnnlib-lock/bin/pip freeze; } > requirements.lock.new && mv requirements.lock.new requirements.lock

clean:
	rm -rf _build test-artifacts
