# Two commands for a new user (see README): `make demo` and `make test`.
# Both create .venv, install PyTorch's CPU build first (never CUDA), then the package.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
TORCH_VERSION ?= 2.13.0
# The local-version suffix "+cpu" exists only for CPU builds: it can never pull CUDA packages.
# These machines carry that wheel locally; elsewhere it comes from PyTorch's CPU index.
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
PIP := $(PY) -m pip
POST := corpora/xhs_will_2025_forum_post.txt

.PHONY: demo test docs install clean browser

$(VENV)/.installed: pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python 3.11); set PYTHON=..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q "torch==$(TORCH_VERSION)+cpu" --extra-index-url $(TORCH_CPU_INDEX) --retries 1 --timeout 30
	$(PIP) install -q -e ".[test]" -c constraints.txt
	@if $(PIP) list 2>/dev/null | grep -qi '^nvidia-'; then echo "error: CUDA packages were installed into $(VENV)" >&2; exit 1; fi
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(VENV)/bin/xhs-nlp analyze $(POST)
	$(VENV)/bin/xhs-nlp analyze $(POST) --format html --out report.html

# The HTML report's test renders it in headless Chromium: Debian's package, installed
# here when missing and apt-get can run (as root, or through sudo); elsewhere that test skips.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; the report's browser test will skip" >&2; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then \
	    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; the report's browser test will skip" >&2; \
	  else echo "note: chromium not installed; the report's browser test will skip" >&2; fi; }

test: $(VENV)/.installed browser
	$(PY) -m pytest -q

# The documentation site (docs/, mkdocs.yml): installs the docs extra into .venv and builds
# strictly (a broken link, a missing reference or a failing tutorial block fails), offline.
docs: $(VENV)/.installed
	$(PIP) install -q -e ".[docs]" -c constraints.txt
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) site
