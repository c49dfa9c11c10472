# The course's commands. The two a learner needs:
#   make lab    set up (first time only) and open JupyterLab at the first notebook
#   make test   set up with the contributor's tools (first time only), then the tests of
#               setup/ and data/ and every notebook under strict nbval, the notebooks
#               through one warm Spark (a Spark Connect server on 127.0.0.1)
# Run `make help` for the rest. Which Spark each test command uses:
#   test                 one Spark Connect server for all notebooks (the quick loop;
#                        the slow set-up probes are left to `make test-slow`)
#   test-notebooks       classic local mode, a new Spark per notebook (as a learner runs them),
#                        with the exercises' typical mistakes made for real
#   test-cluster         classic mode against a standalone master and worker (not in CI:
#                        test-student proves a cluster, through Spark Connect)
#   test-student         the student edition through one Spark Connect server whose work
#                        runs on a standalone master and worker
# The tests that prove the configuration files take effect always start their own
# classic Spark.

VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(PY) -m pytest
# pytest-xdist: two test files at a time, every cell of a notebook in the same worker (and
# so the same kernel). Measured in bench/HISTORY.md: 143 s -> 119 s for `make test` on 2 cores.
TWO_AT_A_TIME := -n 2 --dist loadfile
# Strict nbval (every stored output compared, never the lax mode), as setup/course_facts.py
# defines it.
NBVAL = $(shell $(PY) setup/course_facts.py nbval-options)
# The course's notebooks by name: `pytest notebooks` would also collect the hidden copies
# that `make test-notebooks` writes beside them.
NOTEBOOKS = $(shell $(PY) setup/course_facts.py notebooks)

.PHONY: help setup setup-dev lab update test test-slow test-notebooks test-unit test-ui test-cluster student test-student data notebooks nav lint bench upgrade-check clean site test-site

help:
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/'

setup: ## create .venv/, install the learner's pinned packages, register the kernel, check
	@bash setup/setup.sh

setup-dev: ## the same, plus the contributor's tools of requirements-dev.txt (tests, data, lint)
	@bash setup/setup.sh --dev

lab: setup ## open the course in JupyterLab at notebook 00 (on 127.0.0.1 only, with a token)
	$(PY) setup/open_lab.py

update: ## bring in the newest course; your changed notebooks are kept in my-work/ first
	@bash setup/update.sh

test: setup-dev ## the quick loop: tests of setup/, data/ and the configuration (not the slow ones), then every notebook under strict nbval through one warm Spark Connect server
	$(PY) tools/spark_service.py connect -- $(PYTEST) -m "not slow" $(TWO_AT_A_TIME) tests $(NOTEBOOKS) $(NBVAL)

test-slow: setup-dev ## the slow probes that make test leaves out: real kernels, a non-ASCII path, what listens on the network, broken data files
	$(PYTEST) -m slow $(TWO_AT_A_TIME) tests

test-unit: setup-dev ## all the tests of setup/, data/ and the configuration, the slow ones too (no nbval run of the notebooks)
	$(PYTEST) tests

test-notebooks: setup-dev ## the notebooks under strict nbval in classic local mode (a new Spark each), each exercise's typical mistakes made for real after its solutions
	$(PY) tests/notebooks_with_mistakes.py write
	$(PYTEST) notebooks/.with-mistakes-*.ipynb $(NBVAL); status=$$?; \
		$(PY) tests/notebooks_with_mistakes.py remove; exit $$status

test-ui: setup-dev ## the learner's path in headless Chromium: the lab of `make lab`, Run All in 00 and 01, "next"
	COURSE_UI_TEST=1 $(PYTEST) tests/ui -v -s

site: setup-dev ## the course as a static website in .scratch/site/html/ (README, notebooks with their stored outputs, data cards, guides; offline, no Spark; docs/conf.py)
	rm -rf .scratch/site
	$(VENV)/bin/sphinx-build -W --keep-going -q -b html -c docs -d .scratch/site/doctrees . .scratch/site/html
	@echo "site: .scratch/site/html/index.html"

test-site: site ## the website in headless Chromium: no console error, no request off the machine, images, maths, links, folded solutions, search (no Spark)
	COURSE_SITE_TEST=1 $(PYTEST) tests/ui/test_site_in_browser.py -v -s

test-cluster: setup-dev ## the notebooks against a real standalone master + worker on 127.0.0.1
	$(PY) tools/spark_service.py cluster -- $(PYTEST) $(NOTEBOOKS) $(NBVAL)

student: setup ## write the student edition into student/: what a class receives (notebooks with every solution replaced by a stub, data, set-up; no tests or tools) (docs/teaching.md)
	$(PY) tools/student_edition.py

test-student: setup-dev student ## the student edition under strict nbval, through one Spark Connect server with a standalone master and worker behind it (what a class gets runs, on a class's kind of Spark)
	$(PY) tools/spark_service.py connect-on-cluster -- $(PYTEST) $(TWO_AT_A_TIME) student/notebooks $(NBVAL)

data: setup-dev ## remake every data set in data/ (deterministic: git shows no change)
	$(PY) data/make_data.py

notebooks: setup-dev ## re-run every notebook and store its outputs (after editing one)
	$(PY) tools/execute_notebooks.py

nav: setup ## refresh the previous / contents / next links of every notebook
	$(PY) tools/nav.py

lint: setup-dev ## format check and lint of the Python code outside notebooks
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

bench: setup-dev ## time and peak memory of every notebook; Spark vs NumPy as data grows (~11 min, not part of test)
	$(PY) bench/notebook_cost.py $(BENCH_ARGS)
	$(PY) bench/scaling.py $(BENCH_ARGS)

# PACKAGES="numpy matplotlib" limits the check to those packages (the others keep their pins).
upgrade-check: setup-dev ## the course on the newest PyPI releases of its pins (or of PACKAGES="..."): a scratch venv in .upgrade-check/, unit tests, strict nbval, report in .upgrade-check/report.md (~11 min, not part of test)
	$(PY) -m upgrade_check $(if $(PACKAGES),--packages "$(PACKAGES)")

clean: ## remove scratch output (keeps .venv/)
	rm -rf .scratch .upgrade-check student spark-warehouse metastore_db derby.log
