# Quick start: `make run` answers the headline query; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format bench bench-smoke context diagrams docs release clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]' --config-settings editable_mode=compat
	# bytecode up front: the query path starts faster where PYTHONDONTWRITEBYTECODE is set
	$(BIN)/python -m compileall -q l2graph
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/l2graph validate
	$(BIN)/l2graph query leica_bodies_that_are_panasonic_bodies --format table

test: $(STAMP)
	$(BIN)/ruff format --check l2graph tests benchmarks
	$(BIN)/ruff check l2graph tests benchmarks
	# one worker a core; tests grouped with xdist_group run on one worker, in turn
	$(BIN)/python -m pytest -n auto --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff format l2graph tests benchmarks
	$(BIN)/ruff check --fix l2graph tests benchmarks

# Regenerate the JSON-LD context from the ontology (a test checks it is current).
context: $(STAMP)
	$(BIN)/python -m l2graph.exports > ontology/context.jsonld

# The ontology reference (pyLODE) and the pictures; tests fail when either is stale.
docs: diagrams
	$(BIN)/pylode --profile ontpub --sort --outputfile docs/ontology.html ontology/l2graph.ttl

# Redraw the README's pictures (a test fails when they are stale); needs Graphviz's dot.
diagrams: $(STAMP)
	$(BIN)/l2graph diagram --ontology -o docs/diagrams/ontology.svg
	$(BIN)/l2graph diagram --entity leica-sl2 -o docs/diagrams/leica-sl2.svg

# Reproducible release files in dist/: the graph (Turtle, JSON-LD, N-Triples; asserted and
# inferred), the JSON-LD context, the wheel, the sdist and SHA256SUMS.
release: $(STAMP)
	$(BIN)/python -m l2graph.release dist

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]' --config-settings editable_mode=compat
	$(BIN)/python -m compileall -q l2graph
	$(BIN)/python -m benchmarks.run --sizes 10000 100000 1000000
	$(BIN)/python -m benchmarks.core --triples 200000 1000000
	$(BIN)/python -m benchmarks.remote --triples 1000000
	$(BIN)/python -m benchmarks.serve

clean:
	rm -rf $(VENV) .cache .pytest_cache .ruff_cache
