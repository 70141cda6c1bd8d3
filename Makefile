# Two commands on a fresh machine:  make demo   (sample data -> validated -> scored warehouse)
#                                   make test   (the test suite; CI runs exactly this)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

# the demo and the UI share one Dagster instance: `make dev` shows the demo's runs
DAGSTER_HOME ?= $(CURDIR)/.dagster_home
DEMO_DIR     := data/demo
# `make dev` opens the UI on the demo data unless CCHC_LANDING_DIR or CCHC_WAREHOUSE_URL is set
ifeq ($(CCHC_LANDING_DIR)$(CCHC_WAREHOUSE_URL),)
DEV_DATA := $(DEMO_DIR)/warehouse.duckdb
DEV_ENV  := CCHC_LANDING_DIR=$(CURDIR)/$(DEMO_DIR)/landing CCHC_WAREHOUSE_URL=duckdb:///$(CURDIR)/$(DEMO_DIR)/warehouse.duckdb CCHC_ALLOW_DEMO_KEY=1
endif

.PHONY: install demo test bench dev docs clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	touch $@

install: $(BIN)/.installed

$(DAGSTER_HOME)/dagster.yaml:
	mkdir -p $(@D) && cp deploy/dagster.yaml $@

demo: install $(DAGSTER_HOME)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/cchc-etl demo --dir $(DEMO_DIR)

$(DEMO_DIR)/warehouse.duckdb:
	$(MAKE) demo

test: install
	$(BIN)/python -m pytest -q -n auto --maxprocesses=4 --dist loadfile

bench: install
	$(BIN)/python bench/run.py

dev: install $(DAGSTER_HOME)/dagster.yaml $(DEV_DATA)
	@$(if $(DEV_DATA),echo "Giao diện trên dữ liệu mẫu / UI on the demo data: $(DEMO_DIR)"; [ -n "$$CCHC_PII_KEY" ] || \
	  $(BIN)/python -c 'from cchc_etl.pii import DEMO_KEY_WARNING; print(DEMO_KEY_WARNING)')
	$(DEV_ENV) DAGSTER_HOME=$(DAGSTER_HOME) VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/dg dev

docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) data .dagster_home site
