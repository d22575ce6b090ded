"""Every block kind reaches both outputs; fonts embedded; batch and atomic-write behaviour."""

import hashlib
import json
import shutil

import pytest

from conftest import ALL_KINDS, pdffonts, pdftotext, pptx_texts, run_cli
from handouts.spec.models import BLOCK_KINDS

# one marker text per block kind in tests/data/allkinds/all-kinds.yaml
MARKERS = {
    "text": "マクロファージ", "bullets": "かじょうがきB", "steps": "てじゅんに",
    "checklist": "チェックこうもくB", "callout": "おしらせのぶんしょう", "use": "両足に力が入らない",
    "flow": "力が入らない", "tree": "えだB", "chart": "遊離脱出型", "table": "セルに",
    "figure": "ずのせつめい", "exercise": "たいそうてじゅんいち", "quiz": "せんたくしB",
    "anatomy": "ねらうばしょのせつめい",
}


def test_fixture_covers_every_block_kind():
    assert set(MARKERS) == set(BLOCK_KINDS)
    text = ALL_KINDS.read_text(encoding="utf-8")
    for kind in BLOCK_KINDS:
        assert f"{kind}:" in text


@pytest.mark.parametrize("kind", sorted(MARKERS))
def test_block_kind_in_pdf(all_kinds_build, kind):
    text = pdftotext(all_kinds_build / "all-kinds.pdf").replace("\n", "").replace(" ", "")
    assert MARKERS[kind] in text


@pytest.mark.parametrize("kind", sorted(MARKERS))
def test_block_kind_in_pptx(all_kinds_build, kind):
    slides, _ = pptx_texts(all_kinds_build / "all-kinds.pptx")
    joined = "".join(slides).replace("\n", "").replace("\v", "").replace(" ", "")
    assert MARKERS[kind] in joined


def test_notes_reach_the_deck(all_kinds_build):
    _, notes = pptx_texts(all_kinds_build / "all-kinds.pptx")
    assert any("ノートいち" in n for n in notes)


def test_pdf_fonts_all_embedded(all_kinds_build):
    fonts = pdffonts(all_kinds_build / "all-kinds.pdf")
    assert fonts and all(f["emb"] == "yes" for f in fonts), fonts
    assert all("BIZUD" in f["name"] or "DejaVu" in f["name"] for f in fonts), fonts


def test_pdf_text_round_trips(all_kinds_build):
    text = pdftotext(all_kinds_build / "all-kinds.pdf")
    assert "\x00" not in text and "\ufffd" not in text
    assert "すべてのブロックを試す見本の資料です" in text


def test_same_input_same_bytes(tmp_path):
    for out in ("a", "b"):
        r = run_cli("build", ALL_KINDS, "-o", tmp_path / out)
        assert r.returncode == 0, r.stderr
    for name in ("all-kinds.pdf", "all-kinds.pptx"):
        a = (tmp_path / "a" / name).read_bytes()
        b = (tmp_path / "b" / name).read_bytes()
        assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest(), name


def test_batch_reports_failures_and_builds_the_rest(tmp_path):
    specs = tmp_path / "specs"
    shutil.copytree(ALL_KINDS.parent, specs)
    (specs / "broken.yaml").write_text("title: [\n", encoding="utf-8")
    r = run_cli("build", specs, "-o", tmp_path / "out")
    assert r.returncode == 1
    assert f"{specs / 'broken.yaml'}:2:1: error:" in r.stderr
    assert (tmp_path / "out" / "all-kinds.pdf").exists()
    assert (tmp_path / "out" / "all-kinds.pptx").exists()
    assert not (tmp_path / "out" / "broken.pdf").exists()


def test_failed_rebuild_keeps_previous_output(tmp_path):
    specs = tmp_path / "specs"
    shutil.copytree(ALL_KINDS.parent, specs)
    out = tmp_path / "out"
    assert run_cli("build", specs, "-o", out).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    spec = specs / "all-kinds.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("title: すべて", "title:: [すべて"),
                    encoding="utf-8")
    assert run_cli("build", specs, "-o", out).returncode == 1
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before  # byte-identical, and no stray temporary files


def test_depfile_lists_inputs(all_kinds_build):
    dep = (all_kinds_build / ".deps" / "all-kinds.d").read_text(encoding="utf-8")
    for name in ("all-kinds.yaml", "_clinic.yaml", "_blocks.yaml", "dot.png",
                 "BIZUDPGothic-Regular.ttf", "document.py"):
        assert name in dep, name


def test_schema_is_json_and_names_every_block_kind():
    r = run_cli("schema")
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    text = json.dumps(schema)
    for kind in BLOCK_KINDS:
        assert f'"{kind}"' in text
