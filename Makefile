# The course's commands. The two a learner needs:
#   make lab    set up (first time only) and open JupyterLab at the first notebook
#   make test   set up (first time only) and re-run every notebook under strict nbval,
#               plus the tests of setup/ and data/
# Run `make help` for the rest.

VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(PY) -m pytest
# Strict nbval: every stored output is compared (never the lax mode).
NBVAL := --nbval --nbval-kernel-name pyspark --nbval-cell-timeout 900 \
	--nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help setup lab test test-notebooks test-unit test-ui test-cluster test-connect data notebooks nav lint bench clean

help:
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/'

setup: ## create .venv/, install the pinned packages, register the kernel, check
	@bash setup/setup.sh

lab: setup ## open the course in JupyterLab at notebook 00 (on 127.0.0.1 only, with a token)
	$(PY) setup/lab.py

test: setup ## everything: tests of setup/ and data/, then every notebook under strict nbval
	$(PYTEST) tests notebooks $(NBVAL)

test-unit: setup ## only the tests of setup/, data/ and the configuration
	$(PYTEST) tests

test-notebooks: setup ## only the notebooks, under strict nbval
	$(PYTEST) notebooks $(NBVAL)

test-ui: setup ## the learner's path in headless Chromium: the lab of `make lab`, Run All in 00 and 01, "next"
	COURSE_UI_TEST=1 $(PYTEST) tests/ui -v -s

test-cluster: setup ## the notebooks against a real standalone master + worker on 127.0.0.1
	$(PY) setup/spark_service.py cluster -- $(PYTEST) notebooks $(NBVAL)

test-connect: setup ## the notebooks through a real Spark Connect server on 127.0.0.1
	$(PY) setup/spark_service.py connect -- $(PYTEST) notebooks $(NBVAL)

data: setup ## remake every data set in data/ (deterministic: git shows no change)
	$(PY) data/make_data.py

notebooks: setup ## re-run every notebook and store its outputs (after editing one)
	$(PY) tools/execute_notebooks.py

nav: setup ## refresh the previous / contents / next links of every notebook
	$(PY) tools/nav.py

lint: setup ## format check and lint of the Python code outside notebooks
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

bench: setup ## time and peak memory of every notebook; Spark vs NumPy as data grows (~11 min, not part of test)
	$(PY) bench/notebook_cost.py $(BENCH_ARGS)
	$(PY) bench/scaling.py $(BENCH_ARGS)

clean: ## remove scratch output (keeps .venv/)
	rm -rf .scratch spark-warehouse metastore_db derby.log
