# The two commands a newcomer needs: `make run` and `make test`. Everything else is what they build on.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PORT ?= 8050
STAMP := $(VENV)/.installed
# DATA=SOURCE builds from another source (a .csv/.tsv/.txt or .parquet file, or an SQLAlchemy URL with
# TABLE=NAME) instead of the UCI file; make then fetches nothing. DATE_COLUMN=NAME and DROP_INVALID=1 pass
# --date-column and --drop-invalid.
DATA ?=
TABLE ?=
DATE_COLUMN ?=
DROP_INVALID ?=
SOURCE_ARGS := $(if $(DATA),--data '$(DATA)') $(if $(TABLE),--table '$(TABLE)') \
	$(if $(DATE_COLUMN),--date-column '$(DATE_COLUMN)') $(if $(DROP_INVALID),--drop-invalid)

.PHONY: run test install data artifacts artifacts-force export browser postgres bench bench-scale translations clean help

help:
	@echo "make run        install, get the data, build artifacts if missing or stale, serve on 127.0.0.1:$(PORT)"
	@echo "make test       the same set-up, then the whole test suite"
	@echo "make artifacts  (re)build model/ if missing or stale; make artifacts-force always rebuilds"
	@echo "                DATA=clients.csv (or .parquet, or a database URL with TABLE=name) builds from another source"
	@echo "make bench      benchmarks: build stages, page and API speed, what an analyst waits for in Chromium"
	@echo "make bench-scale  the scale table: build, app and scoring at FACTORS=1,10 (add 100: an hour more)"
	@echo "make translations  add the code's new messages to the Russian catalogue, drop the unused ones"
	@echo "make export     write the results to SQL: URL=<SQLAlchemy URL> (default export/segments.sqlite)"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dask]'
	@touch $(STAMP)

install: $(STAMP)

data: install
	@$(if $(DATA),:,$(PY) scripts/fetch_data.py)

# Not echoed: a database URL in DATA may hold a password (the script logs the source with it masked).
artifacts: data
	@$(PY) scripts/build_artifacts.py --if-stale --jobs $(JOBS) $(SOURCE_ARGS)

artifacts-force: data
	@$(PY) scripts/build_artifacts.py --jobs $(JOBS) $(SOURCE_ARGS)

# The results in SQL (docs/data.md, "Results in SQL"): what model/ holds, as built (by `make artifacts`, with or without
# DATA); exporting never rebuilds, so a build of your own data is not replaced by the UCI file's. Not echoed: the
# URL may hold a password (the script masks it).
export: install
	@$(PY) scripts/export_sql.py $(if $(URL),'$(URL)')

# Browser tests need Debian's Chromium and its driver; install them when we are root, else say how.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium and chromium-driver"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
		echo "The browser tests need Chromium. Run: sudo apt-get update && sudo apt-get install -y chromium chromium-driver"; \
		exit 1; \
	fi

# The SQL tests start a throwaway PostgreSQL from Debian's package (tests/postgres_server.py); install it likewise.
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's postgresql (without its default cluster: the tests start their own)"; \
		mkdir -p /etc/postgresql-common && { [ -e /etc/postgresql-common/createcluster.conf ] || \
			echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf; }; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			-o Dpkg::Options::=--force-confold postgresql >/dev/null; \
	else \
		echo "The SQL tests need PostgreSQL's server binaries. Run: sudo apt-get update && sudo apt-get install -y postgresql"; \
		exit 1; \
	fi

# Serves as soon as there is something to serve: at once when model/ is up to date, else when the build has written
# everything but the K-means grid, which it goes on computing while the app runs (scripts/run_studio.py).
run: data
	@HOST=127.0.0.1 PORT=$(PORT) $(PY) scripts/run_studio.py --jobs $(JOBS) $(SOURCE_ARGS)

test: artifacts browser postgres
	$(PY) -m pytest -n $(JOBS) --dist loadfile

# The API load test uses Debian's wrk when it is there (else a slower Python load generator); the browser
# benchmark Debian's chromium and chromium-driver (skipped without them).
bench: artifacts
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null 2>&1; } || true
	@command -v chromedriver >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1; } || true
	$(PY) benchmarks/run.py

# Issue 14's table: 1x, 10x (and 100x with FACTORS=1,10,100) the UCI clients, built, served and scored; generated
# files and models go under /tmp/bench-scale, never into the repository.
FACTORS ?= 1,10
bench-scale: data
	$(PY) benchmarks/bench_scale.py --factors $(FACTORS) --jobs $(JOBS)

# The Russian catalogue after the code's messages changed: extract them (babel.cfg), add the new ones to
# dashapp/locale/ru/LC_MESSAGES/messages.po untranslated and drop those the code no longer uses; then translate the
# empty entries (tests/core/test_translations.py fails until every one is).
translations: install
	@$(VENV)/bin/pybabel -q extract -F babel.cfg --sort-output --no-location -o $(VENV)/messages.pot .
	@$(VENV)/bin/pybabel -q update -i $(VENV)/messages.pot -d dashapp/locale -l ru --no-fuzzy-matching \
		--ignore-obsolete --init-missing

clean:
	rm -rf model .model-* test-artifacts .pytest_cache
