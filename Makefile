# geo_alloggi — the commands of the README:
#   make demo   builds the environment on first use, then runs the main job
#   make docs   the API reference and the notebooks as HTML in docs/_build/html
#   make test   builds the environment (and Chromium for browser tests) on first use, then runs every test
#
# Official data: set GEO_ALLOGGI_DATA_MIRROR to a folder of official files to work offline;
# without it, files are downloaded once into the per-user cache. A checkout that sits
# next to the project's shared/data/raw mirror uses it automatically: `make demo` and
# `make test` import it into the per-user cache on first use (`geo-alloggi data import`,
# checksums recorded), so every command then finds the data in a new shell too.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out/demo
SEED   ?= 0

MIRROR_DEFAULT := $(abspath $(wildcard ../shared/data/raw))
ifeq ($(strip $(GEO_ALLOGGI_DATA_MIRROR)),)
ifneq ($(MIRROR_DEFAULT),)
export GEO_ALLOGGI_DATA_MIRROR := $(MIRROR_DEFAULT)
endif
endif

.PHONY: demo test data docs docs-run bench bench-full lint typecheck browser lab clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian's Chromium for the browser tests (root on Debian/Ubuntu); elsewhere the
# browser tests are skipped with a message saying why.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "note: /usr/bin/chromium missing and not root: browser tests will be skipped"; fi

# The mirror's files into the per-user cache (a no-op once they are there, same SHA-256).
data: $(STAMP)
	@if [ -n "$(GEO_ALLOGGI_DATA_MIRROR)" ] && [ -d "$(GEO_ALLOGGI_DATA_MIRROR)" ]; then \
		$(BIN)/geo-alloggi data import "$(GEO_ALLOGGI_DATA_MIRROR)" --quiet; fi

demo: $(STAMP) data
	$(BIN)/geo-alloggi demo --out-dir $(OUT) --seed $(SEED)

# pytest runs on every core (pytest-xdist); a test file stays on one worker, so a
# file's session fixtures (the demo bundle) are built once per worker that needs them
test: $(STAMP) browser data
	$(BIN)/ruff check .
	$(BIN)/mypy geo_alloggi
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m pytest tests notebooks geo_alloggi --nbmake --doctest-modules -p no:cacheprovider -n auto --dist loadfile
	$(BIN)/sphinx-build -q -W --keep-going -b html docs docs/_build/html

# the API reference from the docstrings and the notebooks (rendered as saved);
# docs-run also executes the notebooks. Open docs/_build/html/index.html.
docs: $(STAMP)
	$(BIN)/sphinx-build -q -W --keep-going -b html docs docs/_build/html

docs-run: $(STAMP)
	GEO_ALLOGGI_DOCS_EXECUTE=force $(BIN)/sphinx-build -q -W --keep-going -b html docs docs/_build/html

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --quick

bench-full: $(STAMP)
	$(BIN)/python benchmarks/run.py

# JupyterLab on the notebooks (from the dev extra); the official data come from the
# mirror as for `make demo`. Stop it with Ctrl-C. Jupyter refuses root unless told.
lab: $(STAMP)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks

lint: $(STAMP)
	$(BIN)/ruff check geo_alloggi tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy geo_alloggi

clean:
	rm -rf $(VENV) out benchmarks/results docs/_build docs/generated
