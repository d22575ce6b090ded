"""The shipped specs: valid against the JSON Schema, and every topic builds."""

import json

import jsonschema
import pytest

from conftest import ROOT, run_cli
from handouts.spec.loader import topic_specs
from handouts.spec.yamlmarks import load

SPECS = topic_specs(ROOT / "specs")


def test_there_are_topics():
    assert len(SPECS) >= 5, SPECS


@pytest.fixture(scope="module")
def schema():
    r = run_cli("schema")
    return json.loads(r.stdout)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_spec_matches_json_schema(schema, spec):
    marked, diags = load(spec)
    assert not diags
    data = json.loads(json.dumps(marked.data, default=str))  # dates as YYYY-MM-DD
    jsonschema.validate(data, schema)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_topic_builds(shipped_build, spec):
    for suffix in (".pdf", ".large.pdf", ".print.pdf", ".pptx"):
        out = shipped_build / f"{spec.stem}{suffix}"
        assert out.is_file() and out.stat().st_size > 5000, out


def test_one_wording_per_reference():
    """A reference id means the same source, worded and linked the same, in every spec; no
    plain-http links and no links to a search page."""
    seen: dict[str, tuple] = {}
    for spec in SPECS:
        marked, _ = load(spec)
        for ref in marked.data["references"]:
            entry = (ref["cite"], ref.get("doi"), ref.get("url"))
            assert seen.setdefault(ref["id"], entry) == entry, (spec.name, ref["id"])
            url = ref.get("url") or ""
            assert not url.startswith("http://") and "?term=" not in url, (spec.name, url)
