# The course's commands. README.md explains them; .ci/run calls `make test`.
#   make book   -> set up .venv, build the HTML book into _build/html
#   make test   -> set up .venv, run the whole test suite
#   make bench  -> benchmarks, tables on stdout, JSON in benchmarks/results/
#   make forecast -> chapter 7's models x seeds -> chapters/data/forecast*.json
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MATHJAX_VERSION := 3.2.2
MATHJAX_DIR := build-assets/mathjax
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0
# The venv's tools first on PATH (nbgrader runs `alembic` from PATH to create a gradebook).
export PATH := $(CURDIR)/$(BIN):$(PATH)
# The course's matrices are small: extra BLAS threads only spin, and on a busy
# 2-core machine they slow SARIMA fits and BPTT several-fold. One thread also makes
# summation order, and so the book's last digits, the same on every machine.
# (make bench keeps the default and reports both.)
book book-instructor test exercises: export OPENBLAS_NUM_THREADS := 1

MATHJAX_JS := $(MATHJAX_DIR)/tex-chtml.js
MATHJAX_TMP := $(MATHJAX_DIR).tmp
# sha256 of the npm registry's mathjax-$(MATHJAX_VERSION).tgz (registry tarballs never change)
MATHJAX_SHA256 := 1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09
CHROMIUM := /usr/bin/chromium
# Warnings are errors, unresolved references are reported (-n), all warnings listed.
BOOK_FLAGS := --warningiserror --nitpick --keep-going

.PHONY: setup book book-instructor test bench forecast lock clean browser sandbox student-kit hub worker

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# MathJax 3 for the offline book: the es5 build from the npm registry's package,
# unpacked into build-assets/ (gitignored) and copied by Sphinx into _static/.
$(MATHJAX_JS):
	@command -v npm >/dev/null || { echo "error: npm not found; it fetches MathJax $(MATHJAX_VERSION) for the offline book (Debian: apt-get install npm)"; exit 1; }
	rm -rf $(MATHJAX_DIR) $(MATHJAX_TMP) && mkdir -p $(MATHJAX_TMP)
	cd $(MATHJAX_TMP) && npm pack --silent --no-fund --no-audit mathjax@$(MATHJAX_VERSION) >/dev/null
	echo "$(MATHJAX_SHA256)  $(MATHJAX_TMP)/mathjax-$(MATHJAX_VERSION).tgz" | sha256sum --check --quiet
	tar -xzf $(MATHJAX_TMP)/mathjax-$(MATHJAX_VERSION).tgz -C $(MATHJAX_TMP)
	mv $(MATHJAX_TMP)/package/es5 $(MATHJAX_DIR)
	cp $(MATHJAX_TMP)/package/LICENSE $(MATHJAX_DIR)/LICENSE
	rm -rf $(MATHJAX_TMP)
	touch $(MATHJAX_JS)

setup: $(STAMP) $(MATHJAX_JS)

# Sphinx only re-reads changed pages, so a page whose warning failed the build would
# pass silently next time: after a failure, drop the saved environment so the next
# build reads every page again (executed notebooks still come from the cache).
book: setup
	$(BIN)/jupyter-book build . $(BOOK_FLAGS) || { rm -f _build/.doctrees/environment.pickle; exit 1; }

# The same book plus the reference solutions (solutions/), into _build/instructor/html.
# instructor/build.py merges instructor/overlay.yml into _config.yml and appends the
# solutions to _toc.yml; the execution cache is shared with `make book`.
book-instructor: setup
	$(BIN)/python instructor/build.py

# Debian's chromium for the browser test (tests/test_book.py drives it with Playwright;
# Playwright's own browser download is not used).
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the browser test"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null; \
	else \
	  echo "notice: $(CHROMIUM) not found and not root: the browser test will skip (under CI=true it fails). Install it with: sudo apt-get install chromium"; \
	fi

# Debian's bubblewrap for the grading pipeline's jail (autograder grade runs each student's
# kernel in it: read-only filesystem, course and gradebook hidden, no network).
# Without it the pipeline still grades, with weaker isolation, and says so.
sandbox:
	@if command -v bwrap >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's bubblewrap for the grading jail"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null; \
	else \
	  echo "notice: bwrap not found and not root: autograder grade runs kernels without bubblewrap (see instructor/grading.md). Install it with: sudo apt-get install bubblewrap"; \
	fi

# JupyterHub's proxy, configurable-http-proxy from npm, pinned with every dependency
# (versions and sha512 checksums) in hub/proxy/package-lock.json; `npm ci` checks them
# and installs into build-assets/ (gitignored).
CHP_DIR := build-assets/configurable-http-proxy
CHP := $(CHP_DIR)/node_modules/.bin/configurable-http-proxy
$(CHP): hub/proxy/package.json hub/proxy/package-lock.json
	@command -v npm >/dev/null || { echo "error: npm not found; it installs JupyterHub's configurable-http-proxy (Debian: apt-get install npm)"; exit 1; }
	rm -rf $(CHP_DIR) && mkdir -p $(CHP_DIR)
	cp hub/proxy/package.json hub/proxy/package-lock.json $(CHP_DIR)/
	cd $(CHP_DIR) && npm ci --silent --ignore-scripts --no-audit --no-fund >/dev/null
	touch $(CHP)

# The course on a local JupyterHub (hub/, instructor/hub.md): as root, creates the
# accounts (system users), the course folder and nbgrader's exchange under HUB_STATE,
# prints the URL and the accounts, and runs until Ctrl-C.
HUB_STATE ?= /var/lib/rnn-course-hub
HUB_PORT ?= 8000
hub: setup sandbox $(CHP)
	$(BIN)/python hub/course_hub.py --state $(HUB_STATE) --port $(HUB_PORT)

# A grading machine of a Dask cluster (instructor/cluster.md): the course's environment
# and bubblewrap, nothing else (no MathJax, no browser). Then: .venv/bin/dask worker ...
worker: $(STAMP) sandbox

test: setup browser sandbox $(CHP)
	$(BIN)/python -m pytest

bench: setup sandbox
	$(BIN)/python benchmarks/run.py

# Chapters 7 and 8's results: first chapter 8's search of settings on the inner split
# (--search), then every forecasting model x 5 seeds (hours), into
# chapters/data/forecast.json, then the 14-day forecasts of every validation window
# (three methods x 5 seeds) into chapters/data/forecast_horizons.json. A killed run
# resumes where it stopped. Options: make forecast FORECAST_ARGS="--models rnn32 --seeds 0 1"
# Chapters 7 and 8 read the results file, but jupyter-cache re-executes a page only when its
# code changes: the book's execution cache is dropped so the next build shows new figures.
forecast: setup
	OPENBLAS_NUM_THREADS=1 $(BIN)/python experiments/forecast.py --search
	OPENBLAS_NUM_THREADS=1 $(BIN)/python experiments/forecast.py $(FORECAST_ARGS)
	OPENBLAS_NUM_THREADS=1 $(BIN)/python experiments/forecast_horizons.py
	rm -rf _build/.jupyter_cache

lock:
	rm -rf /tmp/rnnlib-lock && $(PYTHON) -m venv /tmp/rnnlib-lock
	/tmp/rnnlib-lock/bin/pip install --quiet "jupyter-book==1.0.4.post1" "nbgrader==0.9.6" "jupyterhub==6.1.1" "tensorflow-cpu==2.21.0" keras numpy matplotlib pandas statsmodels pytest playwright jupytext sphinx-exercise tqdm jupyterlab "dask==2026.8.0" "distributed==2026.8.0"
	{ head -2 requirements.lock; /tmp/rnnlib-lock/bin/pip freeze; } > requirements.lock.new && mv requirements.lock.new requirements.lock

clean:
	rm -rf _build test-artifacts

# The graded exercises: solutions/<assignment>.py -> solutions/<assignment>/<name>.ipynb
# (nbgrader's source notebooks), then `nbgrader generate_assignment` -> exercises/
# (the student versions), run in a temporary copy of the course with a temporary
# gradebook, so nothing is left behind. tests/test_exercises.py fails when the
# committed notebooks differ from what this gives.
.PHONY: exercises
exercises: $(STAMP)
	$(BIN)/python tools/build_notebooks.py all

# The student kit: dist/rnn-course-student-<version>.zip (kit/build.py explains what it
# holds). The build fails if any file in it contains a solution or hidden-test region
# of solutions/*.py. When the book is built (_build/html), a copy goes to
# _build/html/downloads/rnn-course-student.zip, where the book's exercises page links.
student-kit: $(STAMP)
	$(BIN)/python kit/build.py $$(test -f _build/html/index.html && echo --book _build/html)
