"""Hostile content in otherwise valid specs, unsafe paths, interrupted builds, fuzzing.

Every input either builds or fails with a located `path:line:col` diagnostic: never a
traceback, never an internal error, never a missing-glyph box."""

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ALL_KINDS, ROOT, pdftotext, run_cli, topics, windows_env

HEAD = ("title: 見本の資料です\naudience: patients\nreviewed: 2026-01-01\n"
        "review_by: 2099-01-01\nkey_points: [要点です]\nsections:\n"
        "  - heading: 見出しです\n    blocks:\n")


def _spec(tmp_path: Path, blocks: str, name: str = "t.yaml") -> Path:
    (tmp_path / "_clinic.yaml").write_text("name: 架空の医院\nurl: https://example.jp/\n",
                                           encoding="utf-8")
    path = tmp_path / name
    path.write_text(HEAD + blocks, encoding="utf-8")
    return path


def _build(spec: Path, out: Path, formats: str = "pdf,pptx"):
    r = run_cli("build", spec, "-o", out, "--format", formats, timeout=120)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    return r


CONTENT = {
    # name: (text of a `text:` block, expected: None = builds, or a message fragment)
    "emoji in the fallback font": ("注意😀です", None),  # DejaVu Sans draws it
    "emoji nowhere": ("注意🩺です", "U+1FA7A"),
    "beginner mark": ("初心者🔰です", "U+1F530"),
    "zero width space": ("見\u200bえない", "U+200B ZERO WIDTH SPACE"),
    "bidi override": ("右から\u202e左へ", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    "bidi isolate": ("分離\u2066です", "U+2066"),
    "byte order mark inside": ("中に\ufeffある", "U+FEFF"),
    "soft hyphen": ("ハイ\u00adフン", "U+00AD"),
    "line separator (escaped)": ("行\\u2028区切り", "U+2028"),  # literal: see below
    "combining acute": ("cafe\u0301 です", None),
    "combining voiced mark": ("か\u3099です", None),
    "symbols from fallback": ("⚠ ✔ ☎ です", None),
    "unbreakable url": ("https://example.jp/" + "a" * 400 + " を見てください。", None),
    "long number": ("1" * 300 + "人", None),
}


@pytest.mark.parametrize("name", CONTENT)
def test_hostile_text(tmp_path, name):
    text, expected = CONTENT[name]
    spec = _spec(tmp_path, f"      - text: \"{text}\"\n")
    r = _build(spec, tmp_path / "out")
    if expected is None:
        assert r.returncode == 0, r.stderr
        assert (tmp_path / "out" / "t.pdf").is_file() and (tmp_path / "out" / "t.pptx").is_file()
        extracted = pdftotext(tmp_path / "out" / "t.pdf")
        assert "\x00" not in extracted and "\ufffd" not in extracted
    else:
        assert r.returncode == 1
        assert f"{spec}:9:15: error: [glyph]" in r.stderr, r.stderr
        assert expected in r.stderr
        assert not (tmp_path / "out" / "t.pdf").exists()


def test_control_character_in_file_is_located(tmp_path):
    spec = tmp_path / "c.yaml"
    spec.write_bytes(b"title: a\x07b\n")
    r = run_cli("check", spec)
    assert r.returncode == 1
    assert f"{spec}:1:9: error: control character U+0007" in r.stderr


def test_escaped_control_character_is_located(tmp_path):
    spec = _spec(tmp_path, '      - text: "ベル\\x07です"\n')
    r = _build(spec, tmp_path / "out")
    assert r.returncode == 1 and f"{spec}:9:15: error: [glyph] invisible control" in r.stderr


def test_url_flows_across_lines(tmp_path):
    url = "https://example.jp/" + "abcdefghij/" * 36
    spec = _spec(tmp_path, f"      - text: \"{url}\"\n")
    r = _build(spec, tmp_path / "out", "pdf,pptx,slides")
    assert r.returncode == 0, r.stderr
    text = pdftotext(tmp_path / "out" / "t.pdf")
    assert "".join(text.split()).count("abcdefghij") == 36
    assert len([ln for ln in text.splitlines() if "abcdefghij" in ln]) > 3


def test_heading_longer_than_a_page(tmp_path):
    spec = _spec(tmp_path, "      - text: 本文です。\n")
    spec.write_text(spec.read_text(encoding="utf-8").replace(
        "heading: 見出しです", "heading: " + "とても長い見出しです" * 190), encoding="utf-8")
    r = _build(spec, tmp_path / "out")
    if r.returncode:  # a located refusal is acceptable; a crash is not
        assert f"{spec}:7:" in r.stderr and "[fit]" in r.stderr, r.stderr
    else:
        assert "とても長い見出しです" in pdftotext(tmp_path / "out" / "t.pdf")


def test_many_blocks_flow_onto_more_pages_and_slides(tmp_path):
    spec = _spec(tmp_path, "".join(f"      - text: これは{i}番目の段落です。" + "本文。" * 30 + "\n"
                                   for i in range(50)))
    r = _build(spec, tmp_path / "out")
    assert r.returncode == 0, r.stderr
    text = "".join(pdftotext(tmp_path / "out" / "t.pdf").split())
    assert all(f"これは{i}番目の段落です" in text for i in range(50))


# -- paths ---------------------------------------------------------------------------------

@pytest.mark.parametrize("image,fragment", [
    ("../outside.png", "must be a path inside the specs folder"),
    ("/etc/passwd", "must be a path inside the specs folder"),
    ("assets/link.png", "leads outside the specs folder"),
    ("assets/missing.png", "not found"),
    ("assets/notes.txt", "must be PNG or JPEG"),
])
def test_images_only_from_inside_the_project(tmp_path, image, fragment):
    inside = tmp_path / "specs"
    (inside / "assets").mkdir(parents=True)
    (tmp_path / "outside.png").write_bytes((ALL_KINDS.parent / "assets" / "dot.png").read_bytes())
    os.symlink(tmp_path / "outside.png", inside / "assets" / "link.png")
    (inside / "assets" / "notes.txt").write_text("x", encoding="utf-8")
    spec = _spec(inside, f"      - figure: {{image: \"{image}\", alt: 図}}\n")
    r = _build(spec, tmp_path / "out")
    assert r.returncode == 1
    assert f"{spec}:9:" in r.stderr and fragment in r.stderr, r.stderr


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://x.jp/"])
def test_url_schemes_are_limited(tmp_path, url):
    spec = _spec(tmp_path, "      - text: 本文です。\n")
    (tmp_path / "_clinic.yaml").write_text(f"name: 架空の医院\nurl: \"{url}\"\n", encoding="utf-8")
    r = _build(spec, tmp_path / "out")
    assert r.returncode == 1 and f"{tmp_path / '_clinic.yaml'}:2:6: error:" in r.stderr


# -- nothing lost ----------------------------------------------------------------------------

def test_failure_while_rendering_keeps_previous_outputs(tmp_path):
    spec = _spec(tmp_path, "      - text: 本文です。\n")
    out = tmp_path / "out"
    assert _build(spec, out).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    # loads fine, but a bar chart naming a missing reference fails during lowering
    spec.write_text(HEAD + "      - chart: {unit: 人, source: nope, data: {a: 1}}\n",
                    encoding="utf-8")
    assert _build(spec, out).returncode == 1
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_batch_leaves_no_partial_files(tmp_path, sig, jobs):
    specs = tmp_path / "specs"
    specs.mkdir()
    text = ALL_KINDS.read_text(encoding="utf-8")
    for name in ("_clinic.yaml", "_blocks.yaml"):
        (specs / name).write_bytes((ALL_KINDS.parent / name).read_bytes())
    (specs / "assets").mkdir()
    (specs / "assets" / "dot.png").write_bytes((ALL_KINDS.parent / "assets/dot.png").read_bytes())
    for i in range(40):
        (specs / f"t{i:02d}.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "handouts", "build", str(specs), "-o",
                             str(out), "--format", "pdf,pptx,slides", "-j", jobs], cwd=ROOT,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.pdf"))) < 3:
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err
    assert proc.returncode == 130, err  # stopped by the signal, not finished
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.is_file()]
    stems = {p.name.split(".")[0] for p in out.iterdir() if p.is_file()}
    assert 2 <= len(stems) < 40
    for stem in stems:  # every spec has all of its outputs or none, each one complete
        for suffix in (".pdf", ".slides.pdf"):
            assert (out / (stem + suffix)).read_bytes().rstrip().endswith(b"%%EOF"), stem
        with zipfile.ZipFile(out / f"{stem}.pptx") as z:
            assert z.testzip() is None


@pytest.mark.parametrize("workers", ["forked", "spawned"])
def test_workers_of_a_killed_batch_end_quietly(tmp_path, workers):
    """`kill -9` of the main process (an out-of-memory kill, a CI timeout): each worker
    finishes the spec it has, notices that no one is listening and ends, without a
    traceback; every output is complete."""
    specs = topics(tmp_path, [f"t{i:02d}" for i in range(40)])
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "handouts", "build", str(specs), "-o",
                             str(out), "--format", "pdf,pptx,slides", "-j", "2"], cwd=ROOT,
                            stderr=subprocess.PIPE,
                            env=windows_env() if workers == "spawned" else None)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("*.pdf"))) < 6:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=60)  # the end of stderr: every worker has ended
    err = err.decode("utf-8", "replace")
    assert proc.returncode == -signal.SIGKILL
    assert "Traceback" not in err and "Error" not in err, err
    assert not [p for p in out.glob("*") if p.name.endswith(".tmp")]
    for pdf in out.glob("*.pdf"):
        assert pdf.read_bytes().rstrip().endswith(b"%%EOF"), pdf
    for deck in out.glob("*.pptx"):
        with zipfile.ZipFile(deck) as z:
            assert z.testzip() is None


# -- fuzzing ---------------------------------------------------------------------------------
# Specs of the right shape with arbitrary Unicode (st.text(): every code point but surrogates)
# in every kind of text slot, built in-process to PDF and PPTX: each either builds or raises
# the tool's own SpecError with located diagnostics. `pytest --hypothesis-show-statistics`
# prints how many inputs each class tried and what they produced; FUZZ_EXAMPLES=500 runs
# a longer campaign, and FUZZ_RANDOM=1 with --hypothesis-seed=N tries new inputs (the default
# run is derandomised, so CI always tries the same ones).

import tempfile  # noqa: E402

import yaml  # noqa: E402
from hypothesis import event  # noqa: E402

FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 30)), deadline=None,
                derandomize=not os.environ.get("FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])
# mostly plausible Japanese (kana, the fonts' kanji, ASCII, punctuation, symbols), 1 in 8
# anything at all
def _drawn(first: int, last: int) -> list[str]:
    """Characters of a range the body font draws, without combining marks."""
    import unicodedata

    from handouts.fonts import fonts

    cmap = fonts().faces["body"].cmap
    return [chr(c) for c in range(first, last + 1)
            if c in cmap and not unicodedata.combining(chr(c))]


JA = st.one_of(st.sampled_from(_drawn(0x3041, 0x30FE)), st.sampled_from(_drawn(0x4E00, 0x9FFF)),
               st.characters(min_codepoint=0x20, max_codepoint=0x7E),
               st.sampled_from("、。「」（）！？ー…〜・ 　①⚠✔"))
ANY = st.integers(0, 7).flatmap(lambda i: st.text(max_size=60) if i == 0
                                else st.text(JA, min_size=1, max_size=60))
SHORT = st.integers(0, 7).flatmap(lambda i: st.text(min_size=1, max_size=12) if i == 0
                                  else st.text(JA, min_size=1, max_size=12))


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data):  # a repeated list must be written out, not aliased
        return True


def _outcome(d) -> str:
    if d.code:
        return d.code
    for word in ("glossary", "citation", "combining", "control character", "YAML"):
        if word in d.message:
            return word
    return "model validation"


def _build_in_process(tmp_path: Path, data: dict) -> None:
    from handouts.build import FORMATS, Projects, Sources, prepare, write_all
    from handouts.diagnostics import SpecError

    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    (folder / "_clinic.yaml").write_text("name: 架空の医院\n", encoding="utf-8")
    spec = folder / "fuzz.yaml"
    spec.write_text(yaml.dump(data, Dumper=_NoAliases, allow_unicode=True), encoding="utf-8")
    try:
        sources = Sources(prepare(spec, Projects()))
        write_all([(folder / f"out{FORMATS[f][0]}",
                    lambda tmp, f=f: FORMATS[f][1](sources, tmp)) for f in ("pdf", "pptx")])
    except SpecError as exc:
        assert exc.diagnostics
        assert all(d.path == str(spec) and d.line >= 1 and d.col >= 1 for d in exc.diagnostics)
        event("located SpecError: " + ", ".join(sorted({_outcome(d) for d in exc.diagnostics})))
        assert not list(folder.glob("out*")) and not list(folder.glob(".*tmp"))
        return
    event("built")
    assert (folder / "out.pdf").read_bytes().startswith(b"%PDF")
    assert (folder / "out.pptx").read_bytes().startswith(b"PK")


def _spec_data(title, heading, blocks, key_points=("要点です",), **more) -> dict:
    return {"title": title, "audience": "patients", "reviewed": "2026-01-01",
            "review_by": "2099-01-01", "key_points": list(key_points),
            "sections": [{"heading": heading, "blocks": blocks}], **more}


@FUZZ
@given(title=ANY, heading=ANY, body=ANY, items=st.lists(ANY, min_size=1, max_size=4))
def test_fuzz_text_slots(tmp_path, title, heading, body, items):
    """Class 1: title, heading, key points, paragraph, bullets."""
    _build_in_process(tmp_path, _spec_data(title, heading, [{"text": body}, {"bullets": items}],
                                           items))


@FUZZ
@given(title=SHORT, cells=st.lists(SHORT, min_size=2, max_size=4), steps=st.lists(
    SHORT, min_size=2, max_size=5), labels=st.dictionaries(SHORT, st.integers(0, 100),
                                                            min_size=1, max_size=4),
    note=ANY)
def test_fuzz_structured_blocks(tmp_path, title, cells, steps, labels, note):
    """Class 2: callout, table, flow, chart, tree, quiz and exercise text."""
    blocks = [
        {"callout": {"kind": "danger", "title": title, "items": cells}},
        {"table": {"header": cells, "rows": [cells, list(reversed(cells))]}},
        {"flow": {"steps": steps, "highlight": steps[-1]}},
        {"chart": {"unit": title, "source": "r", "data": labels}},
        {"tree": {"root": {"label": title, "note": note,
                           "children": [{"label": c} for c in cells]}}},
        {"quiz": {"question": note or title, "choices": cells, "answer": cells[0]}},
        {"exercise": {"name": title, "steps": steps, "stop_if": note or None}},
    ]
    _build_in_process(tmp_path, _spec_data("見本です", "見出しです", blocks,
                                           references=[{"id": "r", "cite": title}]))


MARKUP = st.one_of(ANY, SHORT.map(lambda t: "{" + t + "}"),
                   st.tuples(SHORT, SHORT).map(lambda p: "{%s|%s}" % p),
                   SHORT.map(lambda t: "**" + t + "**"), SHORT.map(lambda t: "[@" + t + "]"),
                   st.sampled_from(["[@r]", "{用語}", "**", "{", "}", "|", "[@", "\\"]))


@FUZZ
@given(parts=st.lists(MARKUP, min_size=1, max_size=6), term=SHORT)
def test_fuzz_inline_markup(tmp_path, parts, term):
    """Class 3: ruby, glossary terms, citations and emphasis around arbitrary text."""
    text = "".join(parts)
    _build_in_process(tmp_path, _spec_data("見本です", text, [{"text": text}],
                                           glossary={"用語": term, term: "説明です"},
                                           references=[{"id": "r", "cite": "文献です"}]))


GOOD = (HEAD + "      - text: 本文です。\n").encode()


@settings(max_examples=300, deadline=None, derandomize=True)
@given(data=st.one_of(st.binary(max_size=300),
                      st.tuples(st.integers(0, len(GOOD)), st.integers(0, 20), st.binary(
                          max_size=8)).map(lambda t: GOOD[:t[0]] + t[2] + GOOD[t[0] + t[1]:])))
def test_fuzz_raw_bytes(data):
    """Class 4: arbitrary and mutated file bytes through the reader and the models."""
    from handouts.diagnostics import SpecError
    from handouts.spec.loader import load_spec

    path = Path(tempfile.mkdtemp()) / "raw.yaml"
    path.write_bytes(data)
    try:
        load_spec(path)
        event("loaded")
    except SpecError as exc:
        assert exc.diagnostics and all(d.line >= 1 for d in exc.diagnostics)
        event("located SpecError")
    finally:
        path.unlink()
        path.parent.rmdir()


# -- combining marks, damaged files, links, network ------------------------------------------

def test_combining_marks_are_joined_to_their_letters(tmp_path):
    spec = _spec(tmp_path, "      - text: \"cafe\u0301 と か\u3099ぜ\"\n")
    r = _build(spec, tmp_path / "out", "pdf")
    assert r.returncode == 0, r.stderr
    text = pdftotext(tmp_path / "out" / "t.pdf")
    assert "caf\u00e9" in text and "\u304cぜ" in text  # precomposed é and が
    assert "\u0301" not in text and "\u3099" not in text


def test_combining_mark_without_precomposed_form_is_located(tmp_path):
    spec = _spec(tmp_path, "      - text: \"か\u309aです\"\n")
    r = _build(spec, tmp_path / "out")
    assert r.returncode == 1
    assert f"{spec}:9:15: error: combining mark U+309A" in r.stderr, r.stderr


@pytest.mark.parametrize("name,content,fragment", [
    ("renamed.png", b"just text, not a picture\n", "is not a readable PNG or JPEG"),
    ("truncated.png", (ALL_KINDS.parent / "assets/dot.png").read_bytes()[:60],
     "is not a readable PNG or JPEG"),
    ("loop.png", None, "cannot be opened"),
])
def test_damaged_or_looping_image_is_located(tmp_path, name, content, fragment):
    (tmp_path / "assets").mkdir()
    if content is None:
        os.symlink("loop.png", tmp_path / "assets" / name)
    else:
        (tmp_path / "assets" / name).write_bytes(content)
    spec = _spec(tmp_path, f"      - figure: {{image: assets/{name}, alt: 図}}\n")
    r = _build(spec, tmp_path / "out")
    assert r.returncode == 1
    assert f"{spec}:9:25: error: image 'assets/{name}' {fragment}" in r.stderr, r.stderr


def test_shared_part_linked_from_outside_is_refused(tmp_path):
    inside = tmp_path / "specs"
    inside.mkdir()
    (tmp_path / "elsewhere.yaml").write_text((ALL_KINDS.parent / "_blocks.yaml")
                                             .read_text(encoding="utf-8"), encoding="utf-8")
    os.symlink(tmp_path / "elsewhere.yaml", inside / "_blocks.yaml")
    spec = _spec(inside, "      - use: help-now\n")
    r = _build(spec, tmp_path / "out")
    assert r.returncode == 1
    assert f"{inside / '_blocks.yaml'}:1:1: error: shared part is a link leading outside" \
        in r.stderr, r.stderr


def test_spec_that_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # opening it for reading would block forever
    from handouts.spec.yamlmarks import load

    doc, diags = load(fifo)
    assert doc is None and diags[0].message == "not a regular file"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x",
                                 "mailto:a@example.jp"])
def test_reference_url_schemes_are_limited(tmp_path, url):
    spec = _spec(tmp_path, "      - text: 本文です[@a]。\nreferences:\n"
                 f"  - {{id: a, cite: 文献です, url: \"{url}\"}}\n")
    r = _build(spec, tmp_path / "out", "pdf")
    assert r.returncode == 1 and f"{spec}:11:" in r.stderr, r.stderr  # references: https/http


@pytest.mark.parametrize("url", ["https://example.jp/a", "http://example.jp/", "tel:0300000000",
                                 "mailto:info@example.jp"])
def test_clinic_url_schemes_allowed(tmp_path, url):
    spec = _spec(tmp_path, "      - text: 本文です。\n")
    (tmp_path / "_clinic.yaml").write_text(f"name: 架空の医院\nurl: \"{url}\"\n", encoding="utf-8")
    r = _build(spec, tmp_path / "out", "pdf")
    assert r.returncode == 0, r.stderr


def test_nothing_is_fetched(tmp_path, monkeypatch):
    """URLs become links and QR codes only: a build with every network call refused works."""
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    spec = _spec(tmp_path, "      - text: 本文です[@a]。\n      - figure: {image: assets/dot.png,"
                 " alt: 図}\nreferences:\n  - {id: a, cite: 文献です, url: \"https://example.jp/x\"}\n"
                 "  - {id: b, cite: 文献です, doi: 10.1177/0269215514540919}\n")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "dot.png").write_bytes((ALL_KINDS.parent / "assets/dot.png").read_bytes())
    from handouts.build import build

    result = build([spec], tmp_path / "out", ("pdf", "pptx"))
    assert not result.failed, result.diagnostics
    assert (tmp_path / "out" / "t.pdf").stat().st_size > 1000


# -- huge but valid ----------------------------------------------------------------------------

HUGE = {
    # name: (block, text that must reach both outputs, how many times)
    "40 long bullets": ("      - bullets: [%s]\n" % ", ".join(
        f"項目{i:02d}です" + "長い説明の文です。" * 20 for i in range(40)), "項目39です", 1),
    "30-row table": ("      - table: {header: [あ, い, う, え, お, か], rows: [%s]}\n" % ", ".join(
        "[%s]" % ", ".join(f"セル{r:02d}{c}の内容" * 3 for c in range(6)) for r in range(30)),
        "セル295の内容", 3),
    "danger box of 40 items": ("      - callout: {kind: danger, title: すぐ受診, items: [%s]}\n"
                               % ", ".join(f"症状{i:02d}" + "説明の文です。" * 20
                                           for i in range(40)), "症状39", 1),
    "8 long flow stages": ("      - flow: {steps: [%s]}\n" % ", ".join(
        f"段階{i}" + "長い説明" * 20 for i in range(8)), "段階7", 1),
}


@pytest.mark.parametrize("name", HUGE)
def test_huge_but_valid_blocks_flow(tmp_path, name):
    from conftest import pptx_texts

    block, marker, times = HUGE[name]
    spec = _spec(tmp_path, block)
    r = _build(spec, tmp_path / "out")
    assert r.returncode == 0, r.stderr
    pdf = "".join(pdftotext(tmp_path / "out" / "t.pdf").split())
    slides, _ = pptx_texts(tmp_path / "out" / "t.pptx")
    deck = "".join("".join(slides).split())
    assert pdf.count(marker) >= times and deck.count(marker) >= times


def test_tree_taller_than_a_page_is_located(tmp_path):
    tree = "      - tree: {root: {label: 根, children: [%s]}}\n" % ", ".join(
        "{label: 枝%d, children: [%s]}" % (i, ", ".join(
            "{label: 葉%d%dのながいなまえです}" % (i, j) for j in range(8))) for i in range(8))
    spec = _spec(tmp_path, tree)
    r = run_cli("build", spec, "-o", tmp_path / "out", "--format", "pdf")
    assert "internal error" not in r.stderr and f"{spec}:9:9: error:" in r.stderr, r.stderr


@pytest.mark.parametrize("unit", ["<", "a&b"])
def test_chart_unit_with_xml_characters(tmp_path, unit):
    spec = _spec(tmp_path, f"      - chart: {{unit: \"{unit}\", source: r, data: {{あ: 1}}}}\n"
                 "references:\n  - {id: r, cite: 文献です}\n")
    r = run_cli("build", spec, "-o", tmp_path / "out", "--format", "pptx")
    assert r.returncode == 0 and "internal error" not in r.stderr, r.stderr


@pytest.mark.parametrize("char,name", [("\x85", "NEXT LINE"), ("\u2028", "LINE SEPARATOR"),
                                       ("\u2029", "PARAGRAPH SEPARATOR")])
def test_invisible_line_breaks_in_the_file_are_located(tmp_path, char, name):
    spec = tmp_path / "b.yaml"
    spec.write_text(f"title: ab\nsubtitle: 見出し{char}です\n", encoding="utf-8")
    r = run_cli("check", spec)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"{spec}:2:14: error: line break character U+{ord(char):04X} {name}" in r.stderr, \
        r.stderr


def test_url_flows_across_deck_lines_inside_its_box(tmp_path):
    """The planner breaks the 400-character URL into measured lines that fit the box; the
    PPTX carries it whole (joined by line breaks)."""
    from conftest import pptx_texts
    from handouts.build import Projects, prepare
    from handouts.deck.model import TextBox
    from handouts.deck.plan import plan

    url = "https://example.jp/" + "abcdefghij/" * 36
    spec = _spec(tmp_path, f"      - text: \"{url}\"\n")
    paras = [(box, p) for slide in plan(prepare(spec, Projects())).slides
             for box in slide.shapes if isinstance(box, TextBox)
             for p in box.paras if any("abcdefghij" in ln.text for ln in p.lines)]
    assert len(paras) == 1
    box, para = paras[0]
    assert len(para.lines) > 3 and "".join(ln.text for ln in para.lines) == url
    room = box.w - 2 * box.inset - para.indent
    assert all(ln.width <= room + 0.01 for ln in para.lines), (room, [ln.width for ln in para.lines])
    r = _build(spec, tmp_path / "out", "pptx")
    assert r.returncode == 0, r.stderr
    slides, _ = pptx_texts(tmp_path / "out" / "t.pptx")
    assert url in "".join("".join(slides).split())
