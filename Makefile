# Two commands do everything on a fresh clone with Python 3.11:
#   make report   create .venv if needed, then render the bundled case studies
#   make test     create .venv if needed, then run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: report test lab bench benchmarks clean-reports

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	touch $(STAMP)

report: $(STAMP)
	MPLBACKEND=Agg $(BIN)/workbench report --all --force

test: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest -n 2 --dist loadfile -q

# JupyterLab in the same .venv as make test's, with the notebooks' kernel `crm-workbench`
# (that .venv's python). Only the lab extra's own packages are added, once (seconds, no
# reinstall of the package); later runs start at once. As root (containers) it passes
# --allow-root. Notebooks run by hand write into scratch/<case>/<period>/ (git-ignored).
LAB_STAMP := $(VENV)/.lab-stamp
LAB_EXTRA = $(shell $(BIN)/python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['lab'])")

$(LAB_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet $(foreach r,$(LAB_EXTRA),'$(r)')
	$(BIN)/python -m ipykernel install --sys-prefix --name crm-workbench --display-name "CRM workbench"
	touch $(LAB_STAMP)

lab: $(LAB_STAMP)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

# the engines' table of benchmarks/README.md (1M and 10M rows; BENCH_ARGS="--sizes 1e6" for a quick run)
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

benchmarks: $(STAMP)
	@echo "See benchmarks/README.md: make bench, or one script, e.g."
	@echo "  $(BIN)/python benchmarks/bench_features.py"

clean-reports:
	find reports -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
