# The two commands the README starts with: `make demo` and `make test`.
# Both create .venv with Python 3.11+ and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo-workspace

.PHONY: demo test test-fast test-durations lint bench bench-quick clean install lock audit

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev,ml,web,postgres,c2pa,exchange,fast]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO_DIR)
	$(BIN)/counterspell synth --posts 3000 --seed 7 -o $(DEMO_DIR)/input
	$(BIN)/counterspell init $(DEMO_DIR)/ws
	$(BIN)/counterspell -w $(DEMO_DIR)/ws ingest $(DEMO_DIR)/input
	$(BIN)/counterspell -w $(DEMO_DIR)/ws communities import $(DEMO_DIR)/input/communities.csv
	$(BIN)/counterspell -w $(DEMO_DIR)/ws stats
	$(BIN)/counterspell -w $(DEMO_DIR)/ws hash-media
	$(BIN)/counterspell -w $(DEMO_DIR)/ws analyze
	$(BIN)/counterspell -w $(DEMO_DIR)/ws export campaigns --format csv -o $(DEMO_DIR)/campaigns.csv
	$(BIN)/counterspell -w $(DEMO_DIR)/ws export bridges --format csv -o $(DEMO_DIR)/bridges.csv
	$(BIN)/counterspell -w $(DEMO_DIR)/ws export graph --kind actors --format gexf -o $(DEMO_DIR)/actors.gexf
	$(BIN)/counterspell -w $(DEMO_DIR)/ws export graph --kind communities --format gexf -o $(DEMO_DIR)/communities.gexf
	$(BIN)/counterspell -w $(DEMO_DIR)/ws evaluate --posts 3000 --campaigns $(DEMO_DIR)/input/truth.csv
	$(BIN)/counterspell -w $(DEMO_DIR)/ws report -o $(DEMO_DIR)/report
	$(BIN)/counterspell -w $(DEMO_DIR)/ws plan --truth $(DEMO_DIR)/input/truth.csv --format html -o $(DEMO_DIR)/plan.html
	$(BIN)/counterspell -w $(DEMO_DIR)/ws db upgrade
	$(BIN)/counterspell -w $(DEMO_DIR)/ws queue sync
	@echo "open $(abspath $(DEMO_DIR))/report/report.html"
	@echo "case work: $(BIN)/counterspell -w $(DEMO_DIR)/ws user add admin --role admin && $(BIN)/counterspell -w $(DEMO_DIR)/ws serve"

# One worker per core; a test module stays on one worker, so its shared fixtures are built once.
# One BLAS thread per worker: with a worker on every core, more threads only wait for each other.
TEST_ENV := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
# Whole modules per worker, longest first (the order tests/conftest.py gives from
# tests/durations.json; xdist would otherwise order modules by their number of tests).
XDIST := -n auto --dist loadfile --no-loadscope-reorder

test: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -q $(XDIST)

# Leaves out the slow, browser, S3, fuzz and process-killing tests: for the edit-test loop.
# Runs the whole suite and writes each module's time to tests/durations.json (the schedule).
test-durations: $(STAMP)
	COUNTERSPELL_TEST_DURATIONS=tests/durations.json $(TEST_ENV) $(BIN)/python -m pytest -q $(XDIST)

test-fast: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -q $(XDIST) -m "not slow and not browser and not s3 and not fuzz and not kill"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/analyze.py
	$(BIN)/python bench/campaigns.py
	$(BIN)/python bench/incremental.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/hashing.py
	$(BIN)/python bench/matching.py
	$(BIN)/python bench/scaling.py
	$(BIN)/python bench/rules.py
	$(BIN)/python bench/service.py
	$(BIN)/python bench/browser_pdq.py

# Every benchmark at small sizes (minutes, not hours): checks they all still run and gives
# rough ratios; the figures in docs/benchmarks.md come from `make bench`.
bench-quick: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/ingest.py --posts 20000
	$(BIN)/python bench/analyze.py --posts 20000
	$(BIN)/python bench/campaigns.py --posts 20000
	$(BIN)/python bench/incremental.py --posts 20000
	$(BIN)/python bench/report.py --posts 20000
	$(BIN)/python bench/hashing.py
	$(BIN)/python bench/matching.py --bank 100000 --queries 1000 --recall-sample 50
	$(BIN)/python bench/scaling.py --posts 20000
	$(BIN)/python bench/rules.py --posts 20000 --shadow-posts 5000
	$(BIN)/python bench/service.py --requests 200 --clients 4
	$(BIN)/python bench/browser_pdq.py --runs 3

# Pin what is installed now (after changing dependencies in pyproject.toml): the lock `make` uses.
lock: $(STAMP)
	{ sed -n '1,2p' requirements.lock; $(BIN)/python -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

# Known vulnerabilities in the lock (needs a vulnerability database: says so where there is none).
audit: $(STAMP)
	$(BIN)/python -m pip install -q pip-audit
	$(BIN)/python tools/audit.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
