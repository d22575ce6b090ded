# handouts — build every topic in specs/ into build/.
#   make          create .venv if missing, install, build all topics
#   make test     create .venv if missing, run the test suite
#   make check    lint all specs;  make preview  thumbnails + build/index.html
#   make new NAME=topic   write specs/topic.yaml, a commented starting spec
#   make clean    remove build/
#   make lock     update requirements.lock after editing pyproject.toml (other pins kept);
#                 make lock UPGRADE=1 moves every pin to the newest allowed release
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
OUT    := build

SPECS  := $(filter-out specs/_%,$(wildcard specs/*.yaml))
STEMS  := $(notdir $(SPECS:.yaml=))
PARTS  := $(wildcard specs/_*.yaml)
TARGETS := $(foreach s,$(STEMS),$(OUT)/$(s).pdf $(OUT)/$(s).pptx)

# A broken topic must not stop the others: after a change to a shared part every other topic
# is still rebuilt and every failure is listed, and make fails at the end (as make -k). One
# rule per topic stays, so make -j and the depfiles work as before and a no-op make starts no
# Python. A target whose prerequisite failed is still never made (make bench after a failure).
MAKEFLAGS += --keep-going

# No .DELETE_ON_ERROR: the CLI writes every output of a topic atomically, so after a failed
# build the previous outputs are still good and make must not delete them.
.PHONY: all test check clean schema preview bench lock new

all: $(TARGETS)

# Exact versions (with hashes) from the lock, the same on every machine; the package itself
# is installed without touching the network again.
$(STAMP): $(LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# uv resolves for every platform and Python >= 3.11 at once; setuptools builds the package.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	echo 'setuptools>=68' | $(BIN)/uv pip compile pyproject.toml - --extra test \
	  --generate-hashes --universal --python-version 3.11 $(if $(UPGRADE),--upgrade) -q -o $(LOCK)
	rm -f $(STAMP)

# One rule per topic (a pattern rule with two targets is one recipe run): only a changed
# spec, shared part, font or source file rebuilds its own outputs. The depfile written by
# each build lists exactly what it read.
$(OUT)/%.pdf $(OUT)/%.pptx: specs/%.yaml $(PARTS) | $(STAMP)
	$(BIN)/handouts build -q $< -o $(OUT) --format pdf,pptx

-include $(wildcard $(OUT)/.deps/*.d)

test: $(STAMP)
	$(BIN)/python -m pytest -q

check: $(STAMP)
	$(BIN)/handouts check --strict specs

# a starting spec that builds and passes `make check` as it is
new: $(STAMP)
	@test -n "$(NAME)" || { echo "usage: make new NAME=topic (writes specs/topic.yaml)" >&2; exit 2; }
	$(BIN)/handouts new specs/$(NAME).yaml

preview: $(STAMP)
	$(BIN)/handouts preview -o $(OUT) specs

schema: $(STAMP)
	@mkdir -p $(OUT)
	$(BIN)/handouts schema > $(OUT)/spec.schema.json

# speed figures for the README (typst is a bench-only dependency)
bench: $(STAMP) all
	$(BIN)/python -m pip install -q --disable-pip-version-check typst==0.15.2
	$(BIN)/python bench/bench.py $(BEFORE)

clean:
	rm -rf $(OUT)
