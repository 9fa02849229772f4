# Warmteburen – the two commands are `make run` and `make test` (see README.md).
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
FLASK  := $(VENV)/bin/flask --app portal.app
PYBABEL := $(VENV)/bin/pybabel
STAMP  := $(VENV)/.installed
BANDIT := $(VENV)/bin/bandit -c pyproject.toml --quiet --recursive portal

.PHONY: run test test-postgres lint audit translations compile-translations bench loadtest reliability screenshots clean \
        system-deps-run system-deps-test system-deps-test-postgres system-deps-bench

# Debian packages (WeasyPrint's libraries, Chromium, wrk …): checked in milliseconds, installed when
# missing and running as root, else one line says which apt-get command to run. See the script.
system-deps-run system-deps-test system-deps-bench:
	scripts/system-deps.sh $(@:system-deps-%=%)

system-deps-test-postgres:
	scripts/system-deps.sh test postgres

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip setuptools wheel

# Reinstall when the requirements change (setup.cfg ranges, exact pins in constraints.txt).
$(STAMP): setup.cfg constraints.txt | $(VENV)/bin/python
	$(PIP) install --quiet -e '.[test,dev]' -c constraints.txt
	touch $(STAMP)

compile-translations: $(STAMP)
	$(PYBABEL) compile -d translations --statistics

run: system-deps-run $(STAMP) compile-translations
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: system-deps-test $(STAMP) compile-translations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(BANDIT)
	$(PY) -m pytest $(PYTEST_ARGS)

# The whole suite against a fresh PostgreSQL database, created for this run and dropped after.
test-postgres: system-deps-test-postgres $(STAMP) compile-translations
	$(PY) tests/with_postgres.py $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(BANDIT)

# Known vulnerabilities in the exact pins of constraints.txt, from the PyPI JSON API (network needed; not
# part of `make test`). --strict: a package that cannot be looked up fails the audit instead of being
# skipped, so "no known vulnerabilities" is never said about packages nobody checked. See README.md.
AUDIT_STAMP := $(VENV)/.audit-installed
$(AUDIT_STAMP): setup.cfg constraints.txt | $(STAMP)
	$(PIP) install --quiet -e '.[audit]' -c constraints.txt
	touch $(AUDIT_STAMP)

audit: $(AUDIT_STAMP)
	$(VENV)/bin/pip-audit --requirement constraints.txt --no-deps --disable-pip --strict --progress-spinner off

# Extract new strings, merge them into the catalogs, compile. Translate the new Dutch entries before committing.
translations: $(STAMP)
	$(PYBABEL) extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output -o translations/messages.pot .
	$(PYBABEL) update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(PYBABEL) compile -d translations --statistics

# Fingerprinted, gzip-compressed copies of static/ in static/dist/ with a manifest, for production (see
# portal/assets.py); development and the tests serve static/ as it is and need no build.
assets: $(STAMP)
	$(FLASK) build-assets

BENCHMARKS := $(filter-out bench/_% bench/hello.py,$(wildcard bench/*.py))

bench: system-deps-bench $(STAMP) compile-translations
	failed=""; for script in $(BENCHMARKS); do echo "== $$script"; $(PY) $$script || failed="$$failed $$script"; done; \
	if [ -n "$$failed" ]; then echo "benchmarks that missed a target:$$failed"; exit 1; fi

# 50 residents, champions and coordinators for 2 minutes against gunicorn + PostgreSQL + Redis (loadtest/run.py);
# the suite runs a 20-second profile (tests/test_loadtest.py).
loadtest: system-deps-bench $(STAMP) compile-translations
	$(PY) loadtest/run.py

# docs/betrouwbaarheid.md ("Betrouwbaarheid en beveiliging"), written from measurements made now: the load test,
# the concurrent-signing benchmark and the fault, security and bad-input tests (scripts/reliability_report.py).
reliability: system-deps-bench system-deps-test-postgres $(STAMP) compile-translations
	$(PY) scripts/reliability_report.py

# A full-page PNG of every page at 360×740 and 1280×800 with the demo data (a temporary database), and a
# gallery (README.md, index.html) in docs/screenshots/ for reviewers. LANGUAGE=en for the English pages.
screenshots: system-deps-test $(STAMP) compile-translations
	$(PY) scripts/screenshots.py --language $(or $(LANGUAGE),nl)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
