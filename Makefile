# Samsyn: two commands do everything on a fresh machine.
#   make demo   set up, load the demo data, serve on http://127.0.0.1:8000
#   make test   set up, run the whole test suite (SQLite, then PostgreSQL if reachable)
# The set-up steps are idempotent and cheap when already done (stamp files).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
MANAGE := $(PY) manage.py
PG_URL ?= postgres://postgres@127.0.0.1:5432/samsyn
PG_HOST ?= 127.0.0.1
HOST ?= 127.0.0.1
PORT ?= 8000

# The Makefile is the development entry point: settings default to production
# (DEBUG off), so every target here runs the development configuration. Production
# never runs make (docs/deploy.md); `make test-production` sets its own environment.
export DEBUG := true

.PHONY: setup demo serve test test-sqlite test-calendar test-postgres test-production bench lint format messages lock clean browser-deps loadtest cluster-deps cluster-test

setup: $(VENV)/.installed static/vendor/.installed var/.messages

var/.dir:
	mkdir -p var
	touch $@

# requirements.lock is what production runs; requirements-dev.lock adds the test and
# development tools (it pins the same versions of everything they share).
$(VENV)/.installed: pyproject.toml requirements.lock requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(VENV)/bin/pip install --quiet uv
	$(UV) pip install --python $(PY) --quiet -r requirements.lock -r requirements-dev.lock
	$(UV) pip install --python $(PY) --quiet --no-deps -e .
	touch $@

# Third-party JS/CSS from npm (lock file committed), copied into static/vendor.
# Only the files the pages use, each script with its source map: the script names it
# (sourceMappingURL), and collectstatic's hashed-name manifest refuses a reference to a
# missing file (tests/production/smoke.py runs collectstatic as production does).
static/vendor/.installed: package.json package-lock.json Makefile
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor && mkdir -p static/vendor/leaflet static/vendor/leaflet.markercluster static/vendor/htmx
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images static/vendor/leaflet/
	cp node_modules/leaflet.markercluster/dist/*.css node_modules/leaflet.markercluster/dist/leaflet.markercluster.js node_modules/leaflet.markercluster/dist/leaflet.markercluster.js.map static/vendor/leaflet.markercluster/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	touch $@

# The compiled .mo files are committed too; this refreshes them when msgfmt exists.
var/.messages: $(VENV)/.installed var/.dir $(wildcard locale/*/LC_MESSAGES/*.po)
	@if command -v msgfmt >/dev/null; then $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules --verbosity 0; \
	else echo "msgfmt not found: using the committed translations"; fi
	touch $@

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null) \
	  || echo "WARNING: could not install chromium; browser tests will be skipped"; \
	fi

var/db.sqlite3: $(VENV)/.installed
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo

# The demo queues background work (PDFs, e-mail, webhooks) in the database, as
# production does, and runs a task worker beside the server; stopping the server
# (Ctrl-C) stops the worker too.
demo: export TASKS_BACKEND := django_tasks_db.DatabaseBackend
demo: setup var/db.sqlite3
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	@echo ""
	@echo "Samsyn demo on http://$(HOST):$(PORT)/  (demo-only users: reporter, coordinator, analyst, police, admin; password: demo)"
	@$(MANAGE) db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

serve: setup
	$(MANAGE) runserver $(HOST):$(PORT)

test: setup browser-deps test-sqlite test-calendar test-postgres test-production

# Tests run on $(TEST_WORKERS) processes (pytest-xdist, one test database each); the
# browser tests run afterwards in one process, so timing-sensitive pages get a whole CPU.
TEST_WORKERS ?= 2

test-sqlite: setup
	@echo "== Tests on SQLite"
	$(PY) -m pytest -p no:cacheprovider -n $(TEST_WORKERS) -m "not browser"
	@echo "== Browser tests (SQLite, Chromium)"
	$(PY) -m pytest -p no:cacheprovider -m browser

# The calendar sweep: the date-sensitive tests (marker "calendar", chosen in samsyn/tests/clock.py)
# again with the clock pinned at each hostile instant, local time in Europe/Stockholm.
# One instant by hand: SAMSYN_TEST_NOW=2027-01-04T00:30 .venv/bin/python -m pytest -m calendar
test-calendar: setup
	@instants="$$($(PY) -c "from samsyn.tests.clock import CALENDAR_INSTANTS; print(' '.join(CALENDAR_INSTANTS))")"; \
	test -n "$$instants" || { echo "no calendar instants found in samsyn/tests/clock.py"; exit 1; }; \
	failed=""; for instant in $$instants; do \
	  echo "== Calendar sweep at $$instant (Europe/Stockholm)"; \
	  SAMSYN_TEST_NOW=$$instant $(PY) -m pytest -p no:cacheprovider -n $(TEST_WORKERS) -m "calendar and not browser" || failed="$$failed $$instant"; \
	done; \
	if [ -n "$$failed" ]; then echo "== Calendar sweep FAILED at:$$failed"; exit 1; fi

test-postgres: setup
	@if $(PY) -c "import psycopg,sys; psycopg.connect('host=$(PG_HOST) user=postgres dbname=postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== Tests on PostgreSQL ($(PG_URL))"; \
	  DATABASE_URL=$(PG_URL) $(PY) -m pytest -p no:cacheprovider -n $(TEST_WORKERS) -m "not browser"; \
	else \
	  echo "== PostgreSQL not reachable at $(PG_HOST):5432: SKIPPING the PostgreSQL test run"; \
	fi

# DEBUG=false against gunicorn, as docs/deploy.md runs it, in a temporary directory:
# collectstatic, check --deploy, migrate, a coordinator's TOTP sign-in, a picture and
# its PDF, the hashed static files (tests/production/smoke.py).
test-production: setup
	@echo "== Production smoke test (DEBUG=false, gunicorn)"
	$(PY) tests/production/smoke.py

bench: setup
	$(PY) -m bench.run

DURATION ?= 600
# Load and fault run (not part of CI): 100+ concurrent reporters against gunicorn on
# PostgreSQL with a worker killed, a locked table and a database restart mid-run.
# NOTE: it restarts the local PostgreSQL cluster; LOADTEST_ARGS=--no-restart skips that.
loadtest: setup
	$(PY) -m loadtest.run --duration $(DURATION) $(LOADTEST_ARGS)

# The cluster test (loadtest/cluster.py): etcd × 3, Patroni primary + synchronous
# standby, HAProxy, two web nodes and two task workers on this machine, under load
# for CLUSTER_DURATION seconds while the primary, a web node and a worker are killed.
# Needs root (PostgreSQL runs as the postgres user) and Debian's packages below.
CLUSTER_DURATION ?= 300
cluster-deps:
	@missing=""; \
	for tool in etcd:etcd-server patroni:patroni haproxy:haproxy pgbouncer:pgbouncer; do \
	  command -v $${tool%%:*} >/dev/null || [ -x /usr/sbin/$${tool%%:*} ] || missing="$$missing $${tool#*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian's$$missing for the cluster test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

cluster-test: setup cluster-deps
	$(PY) -m loadtest.cluster --duration $(CLUSTER_DURATION) $(CLUSTER_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: setup
	$(MANAGE) makemessages -l sv --ignore=node_modules --ignore=.venv --ignore=var --ignore=static/vendor
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules

lock: $(VENV)/.installed
	$(UV) pip compile pyproject.toml --python-version 3.11 -o requirements.lock
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 -c requirements.lock -o requirements-dev.lock

clean:
	rm -rf $(VENV) node_modules static/vendor var/static
