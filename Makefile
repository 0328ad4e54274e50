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

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	$(BIN)/python -m ipykernel install --sys-prefix --name crm-workbench --display-name "CRM workbench"
	$(BIN)/jupyter lab notebooks/

# the engines' table of benchmarks/README.md (1M and 10M rows; BENCH_ARGS="--sizes 1e6" for a quick run)
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

benchmarks: $(STAMP)
	@echo "See benchmarks/README.md: make bench, or one script, e.g."
	@echo "  $(BIN)/python benchmarks/bench_features.py"

clean-reports:
	find reports -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
