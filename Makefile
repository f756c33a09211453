# One command to set up and open the app, one to run every test. Everything lives in .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: install app test lint train bench-quality bench-speed fast-model demo-data clean

install: $(STAMP)

# torch==2.13.0 goes in first so pip takes the machine's CPU build, not several GB of CUDA packages.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $(STAMP)

app: install
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check alignment tests benchmarks app.py
	$(BIN)/ruff format --check alignment tests benchmarks app.py
	$(BIN)/mypy

train: install
	$(BIN)/python -m alignment.training

bench-quality: install
	$(BIN)/python benchmarks/quality.py

# Speed figures against a baseline measured in the same run (needs ../shared; about 15 minutes on 2 cores).
bench-speed: install
	$(BIN)/python benchmarks/speed.py

# Build the int8 ONNX embedder (--embedder fast) now instead of on first use; cached in ~/.cache/alignment.
fast-model: install
	$(BIN)/python -m alignment.embed

demo-data:
	$(PYTHON) scripts/make_demo_data.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
