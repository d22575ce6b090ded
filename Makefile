# handouts — build every topic in specs/ into build/.
#   make          create .venv if missing, install, build all topics
#   make test     create .venv if missing, run the test suite
#   make check    lint all specs;  make preview  thumbnails + build/index.html
#   make clean    remove build/
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := build

SPECS  := $(filter-out specs/_%,$(wildcard specs/*.yaml))
STEMS  := $(notdir $(SPECS:.yaml=))
PARTS  := $(wildcard specs/_*.yaml)
TARGETS := $(foreach s,$(STEMS),$(OUT)/$(s).pdf $(OUT)/$(s).pptx)

.DELETE_ON_ERROR:
.PHONY: all test check clean schema preview bench

all: $(TARGETS)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

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

preview: $(STAMP)
	$(BIN)/handouts preview -o $(OUT) specs

schema: $(STAMP)
	@mkdir -p $(OUT)
	$(BIN)/handouts schema > $(OUT)/spec.schema.json

# speed figures for the README (typst is a bench-only dependency)
bench: $(STAMP) all
	$(BIN)/python -m pip install -q --disable-pip-version-check typst
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(OUT)
