"""The shipped specs: valid against the JSON Schema, and every topic builds."""

import json
import re
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT, ink_above, ruby_readings, run_cli
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


PATIENT_TEXT = {"chronic-pain", "disc-resorption", "medial-branch", "red-flag-weakness",
                "stretches"}  # medial-branch: its patient leaflet (`handout:`)


def test_shipped_specs_pass_strict_check_and_patients_read_easily():
    """`make check` is clean, and what patients read scores jReadability 4.5 or more
    (初級後半, the issue's target; the score is `check`'s own, the jreadability package's)."""
    r = run_cli("check", "--strict", "--format", "json", ROOT / "specs")
    assert r.returncode == 0, r.stderr
    scores = {Path(p).stem: f["jreadability"]
              for p, f in json.loads(r.stdout)["readability"].items()}
    assert set(scores) == PATIENT_TEXT
    assert all(s >= 4.5 for s in scores.values()), scores


@pytest.mark.parametrize("stem", sorted(PATIENT_TEXT))
def test_shipped_profile_puts_readings_on_patient_text(shipped_build, stem):
    """The shipped clinic profile turns furigana on at grade 4: every patient leaflet sets
    ruby over 救急 (a secondary-school kanji) in the go-now box's title and none over 出
    (grade 1) in its first sign; the patients' decks write it in parentheses after the word, once; the
    practitioners' deck (medial-branch) gets none."""
    import pdfplumber
    from pptx import Presentation

    with pdfplumber.open(shipped_build / f"{stem}.pdf") as pdf:
        page = next(p for p in pdf.pages if "出にくい" in re.sub(r"\s", "", p.extract_text()))
        assert ink_above(page, "救急") > 0 and ink_above(page, "出にくい") == 0
    pairs = ruby_readings(shipped_build / f"{stem}.pdf")
    assert ("救急", "きゅうきゅう") in pairs and not any("出" in b for b, _ in pairs), pairs
    slides = "\n".join(sh.text_frame.text for slide in Presentation(
        str(shipped_build / f"{stem}.pptx")).slides for sh in slide.shapes if sh.has_text_frame)
    if stem == "medial-branch":
        assert "（きゅうきゅう）" not in slides and "救急" in slides
    else:
        assert "救急（きゅうきゅう）" in slides and "今（いま）" not in slides
