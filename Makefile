# Two commands on a fresh machine:  make demo   (sample data -> validated -> scored warehouse)
#                                   make test   (the test suite; CI runs exactly this)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: install demo test bench dev clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/cchc-etl demo

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/run.py

dev: install
	mkdir -p .dagster_home && cp -n deploy/dagster.yaml .dagster_home/dagster.yaml || true
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev -w workspace.yaml

clean:
	rm -rf $(VENV) data .dagster_home
