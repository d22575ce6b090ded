"""Every kind of broken spec gives exit 1 and `path:line:col: error: …`, never a traceback."""

import re

import pytest

from conftest import run_cli

GOOD_HEAD = ("title: 見本\naudience: patients\nreviewed: 2026-01-01\nreview_by: 2027-01-01\n"
             "key_points: [要点です]\n")

BLOCKS = (GOOD_HEAD + "sections:\n  - heading: h\n    blocks:\n").encode()  # 8 lines

CASES = {
    # name: (file bytes, line, col, message fragment)
    "empty": (b"", 1, 1, "file is empty"),
    "whitespace": (b"   \n\n  \n", 1, 1, "file is empty"),
    "comments only": (b"# nothing\n", 1, 1, "file is empty"),
    "tab indent": (b"title: a\n\tsections: []\n", 2, 1, "tab character"),
    "syntax": (b"title: [unclosed\nsubtitle: x\n", 2, 9, "YAML syntax"),
    "duplicate key": (GOOD_HEAD.encode() + b"title: again\n", 6, 1,
                      "duplicate key 'title' (first written at line 1)"),
    "shift_jis": ("title: 腰痛\n".encode("shift_jis"), 1, 8,
                  "file is saved as Shift_JIS (CP932), not UTF-8; save it as UTF-8"),
    "latin-1": ("title: café\n".encode("latin-1"), 1, 11, "not valid UTF-8 (byte 0xe9)"),
    "nul byte": (b"title: a\nsub\x00title: b\n", 2, 4, "NUL byte"),
    "binary": (bytes(range(256)) * 4, 1, 1, "NUL byte"),
    "alias bomb": (b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a]\n"
                   b"c: &c [*b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c]\n", 2, 8,
                   "aliases (*a) are not allowed"),
    "deep nesting": (b"title: " + b"[" * 10000 + b"]" * 10000 + b"\n", 1, 47,
                     "nesting is deeper than 40"),
    "python tag": (b"title: !!python/object/apply:os.system [echo hi]\n", 1, 8,
                   "tag '!!python/object/apply:os.system' is not allowed"),
    "unknown key": (GOOD_HEAD.encode() + b"sections:\n  - heading: h\n    blocks: [{text: a}]\n"
                    b"    colour: red\n", 9, 5, "unknown key 'colour'"),
    "wrong type": (GOOD_HEAD.replace("title: 見本", "title: 2026").encode()
                   + b"sections:\n  - heading: h\n    blocks: [{text: a}]\n", 1, 8,
                   "'title' should be text, not a number"),
    "bad literal": (GOOD_HEAD.replace("patients", "doctors").encode()
                    + b"sections:\n  - heading: h\n    blocks: [{text: a}]\n", 2, 11,
                    "'patients' or 'practitioners'"),
    "missing key": (b"title: a\n", 1, 1, "missing required key 'audience'"),
    "two kinds in a block": (GOOD_HEAD.encode() + b"sections:\n  - heading: h\n    blocks:\n"
                             b"      - text: a\n        bullets: [b]\n", 9, 9,
                             "exactly one kind key"),
    "bad date": (GOOD_HEAD.replace("2027-01-01", "2027-13-01").encode()
                 + b"sections:\n  - heading: h\n    blocks: [{text: a}]\n", 4, 12,
                 "month must be in 1..12"),
    "long string": (b"title: " + b"a" * 20000 + b"\n", 1, 8, "20,000 characters"),
    "long list": (GOOD_HEAD.encode() + b"sections:\n  - heading: h\n    blocks:\n"
                  + b"      - text: a\n" * 10001, 1009, 9, "more than 1,000 items"),
    "unknown term": (GOOD_HEAD.encode() + b"sections:\n  - heading: h\n    blocks:\n"
                     b"      - text: ab{cd}\n", 9, 17, "'cd' is not in the glossary"),
    "unknown citation": (GOOD_HEAD.encode() + b"sections:\n  - heading: h\n    blocks:\n"
                         b"      - text: x [@nope]\n", 9, 17, "'@nope' names no reference"),
    "missing glyph": (GOOD_HEAD.encode() + "sections:\n  - heading: h\n    blocks:\n"
                      "      - text: 注意🔰です\n".encode(), 9, 15, "U+1F530"),
    # the mistakes clinic staff make (issue 13): named, at the character at fault
    "tab in blocks": (BLOCKS + b"\t- text: a\n", 9, 1,
                      "tab character (タブ) used for indentation; indent with spaces"),
    "full-width space indent": (BLOCKS + "      - text: a\n　　　　　　- text: b\n"
                                "      - text: c\n".encode(), 10, 1,
                                "full-width space 「全角スペース」 U+3000 used for indentation; "
                                "indent with ordinary half-width spaces"),
    "full-width space after spaces": (BLOCKS + "      - text: a\n      　- text: b\n"
                                      "      - text: c\n".encode(), 10, 7,
                                      "full-width space 「全角スペース」 U+3000 used for "
                                      "indentation"),
    "full-width space before a key": (GOOD_HEAD.encode() + "sections:\n  - heading: h\n"
                                      "　　　　blocks:\n      - text: a\n".encode(), 8, 1,
                                      "「全角スペース」 U+3000 used for indentation"),
    "nbsp after key": (BLOCKS + "      - text:\u00a0あ\n".encode(), 9, 14,
                       "non-breaking space U+00A0 (ノーブレークスペース, often pasted from "
                       "Word) after 'text:': YAML needs an ordinary space there"),
    "nbsp indent": (BLOCKS + "      - text: a\n\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0- text: b\n"
                    .encode(), 10, 1, "non-breaking space U+00A0 (ノーブレークスペース, often "
                    "pasted from Word) used for indentation"),
    "misspelt block kind": (BLOCKS + b"      - bulets: [a]\n", 9, 9,
                            "unknown key 'bulets'; did you mean 'bullets'?"),
    "misspelt callout key": (BLOCKS + b"      - callout: {kindd: danger, title: x}\n", 9, 19,
                             "unknown key 'kindd'; did you mean 'kind'?"),
    "misspelt exercise key": (BLOCKS + b"      - exercise:\n          name: a\n"
                              b"          steps: [b]\n          hold_second: 20\n", 12, 11,
                              "unknown key 'hold_second'; did you mean 'hold_seconds'?"),
    "key of another place": (BLOCKS + b"      - text: a\n    caption: x\n", 10, 5,
                             "unknown key 'caption'; allowed here: heading, blocks, notes, "
                             "only"),
    "term in folded text": (BLOCKS + "      - text: >-\n          一行目です。\n"
                            "          二行目の {なし} です[@nope]。\n".encode(), 11, 16,
                            "'{なし}' marks a glossary term, but 'なし' is not in the glossary"),
    "citation in folded text": (BLOCKS + "      - text: >-\n          一行目です。\n"
                                "          二行目の {なし} です[@nope]。\n".encode(), 11, 23,
                                "citation '@nope' names no reference"),
    "citation in literal text": (BLOCKS + "      - text: |\n          一行目です。\n\n"
                                 "            字下げ[@a; @nope]\n".encode(), 12, 16,
                                 "citation '@nope' names no reference"),
    "list-like value": (BLOCKS + "      - text: [注意] これは大切です\n".encode(), 9, 15,
                        "a value that starts with '[' is read as a list, not as text; put the "
                        "whole value in quotes: \"[注意] これは大切です\""),
    "mapping-like value": (BLOCKS + "      - bullets:\n          - {用語}は大切\n".encode(),
                           10, 13, "a value that starts with '{' is read as a mapping, not as "
                           "text; put the whole value in quotes"),
    "alias-like value": (BLOCKS + "      - text: **大切** なこと\n".encode(), 9, 15,
                         "a value that starts with '*' is read as an alias (a YAML reference), "
                         "not as text; put the whole value in quotes: \"**大切** なこと\""),
    "mapping value": (BLOCKS + "      - text: {用語}\n".encode(), 9, 15,
                      "'text' should be text, not a mapping; a value that starts with '{' is "
                      "read as a mapping: put the whole value in quotes"),
    "not a whole number": (BLOCKS + "      - exercise: {name: a, steps: [b], hold_seconds: 二十}"
                           "\n".encode(), 9, 55,
                           "'hold_seconds': write a whole number of seconds, e.g. 20 (not '二十')"),
    "empty list": (BLOCKS + b"      - bullets: []\n", 9, 18,
                   "'bullets' needs at least 1 item; it has none"),
}

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (error|warning): .+$")


@pytest.mark.parametrize("name", CASES)
def test_broken_spec_is_located(tmp_path, name):
    data, line, col, fragment = CASES[name]
    spec = tmp_path / "broken.yaml"
    spec.write_bytes(data)
    r = run_cli("check", spec, timeout=30)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines and all(LINE.match(x) for x in lines), r.stderr
    hit = [x for x in lines if fragment in x]
    assert hit, f"no diagnostic mentions {fragment!r}:\n{r.stderr}"
    m = LINE.match(hit[0])
    assert m["path"] == str(spec)
    assert (int(m["line"]), int(m["col"])) == (line, col), hit[0]


def test_all_problems_reported_at_once(tmp_path):
    spec = tmp_path / "many.yaml"
    spec.write_text("title: 1\naudience: doctors\nreviewed: 2026-01-01\nreview_by: 2027-01-01\n"
                    "key_points: []\nsections: [{heading: h, blocks: [{txt: a}]}]\nfoo: 1\n",
                    encoding="utf-8")
    r = run_cli("check", spec)
    assert r.returncode == 1
    found = {int(LINE.match(x)["line"]) for x in r.stderr.splitlines()}
    assert {1, 2, 5, 6, 7} <= found, r.stderr


def test_utf8_bom_is_accepted(tmp_path):
    spec = tmp_path / "bom.yaml"
    spec.write_bytes(b"\xef\xbb\xbf" + GOOD_HEAD.encode()
                     + "sections:\n  - heading: 見出しです\n    blocks: [{text: 本文です。}]\n"
                     .encode())
    (tmp_path / "_clinic.yaml").write_text("name: 架空の医院\n", encoding="utf-8")
    r = run_cli("build", spec, "-o", tmp_path / "out", "--format", "pdf")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "bom.pdf").stat().st_size > 1000


def test_usage_errors_exit_2():
    assert run_cli("build", "--format", "docx").returncode == 2
    assert run_cli("frobnicate").returncode == 2


PARSERS = ["SafeLoader"] + (["CSafeLoader"] if hasattr(__import__("yaml"), "CSafeLoader")
                            else [])
DEEP = {  # 5,000 levels: flow brackets (libyaml's own limit is 1,000) and block sequences
    "flow": (b"title: " + b"[" * 5000 + b"]" * 5000 + b"\n", 1, 47),
    "block": (b"title:\n" + b"- " * 5000 + b"x\n", 2, 79),
}


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("shape", DEEP)
def test_depth_rule_speaks_whichever_parser_is_installed(monkeypatch, parser, shape):
    import yaml

    from handouts.spec import yamlmarks

    monkeypatch.setattr(yamlmarks, "_LOADER", getattr(yaml, parser))
    data, line, col = DEEP[shape]
    doc, diags = yamlmarks.load("deep.yaml", data)
    assert doc is None
    assert [(d.line, d.col, d.message) for d in diags] == [
        (line, col, "nesting is deeper than 40 levels; a spec never needs this")]


PRACTITIONERS = GOOD_HEAD.replace("patients", "practitioners")


def test_nbsp_inside_text_is_a_warning(tmp_path):
    """A non-breaking space in text still builds (exit 0), with a located warning; `check
    --strict` fails on it."""
    spec = tmp_path / "nbsp.yaml"
    spec.write_text(PRACTITIONERS + "sections:\n  - heading: 見出しです\n    blocks:\n"
                    "      - text: 本文の\u00a0途中です。\n", encoding="utf-8")
    (tmp_path / "_clinic.yaml").write_text("name: 架空の医院\n", encoding="utf-8")
    want = (f"{spec}:9:18: warning: non-breaking space U+00A0 (ノーブレークスペース, often "
            "pasted from Word) in the text prints as a visible gap; replace it with an "
            "ordinary space or delete it")
    r = run_cli("check", spec)
    assert (r.returncode, r.stderr.strip()) == (0, want)
    assert run_cli("check", "--strict", spec).returncode == 1
    r = run_cli("build", spec, "-o", tmp_path / "out", "--format", "pdf")
    assert (r.returncode, r.stderr.strip()) == (0, f"{want}\nwrote {tmp_path / 'out' / 'nbsp.pdf'}")
    assert (tmp_path / "out" / "nbsp.pdf").is_file()


JARGON = ("validation", "Input should", "String should", "List should", "Field required",
          "Extra inputs", "unable to parse", "pattern", "dict", "NoneType", "type=",
          "Value error", "greater than or equal")


def test_messages_carry_no_validation_jargon(tmp_path):
    """Every kind of invalid value, said in the spec's own words."""
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        "title: ''\naudience: doctors\nreviewed: 2026-01-01\nreview_by: soon\n"
        "key_points: []\nsections:\n  - heading: h\n    blocks:\n"
        "      - exercise: {name: a, steps: [b], hold_seconds: 二十, reps: 0}\n"
        "      - chart: {unit: 人, source: 1x, data: {a: abc}, max: lots}\n"
        "      - flow: {steps: [a]}\n"
        "      - table: {header: [a, b], rows: [[c]]}\n"
        "      - callout: {kind: danger, title: [x]}\n"
        "references:\n  - {id: r, cite: c, doi: 'https://doi.org/10.1/x', url: www.x}\n"
        + "glossary: {a: " + "長" * 2100 + "}\n", encoding="utf-8")
    r = run_cli("check", spec)
    assert r.returncode == 1 and r.stderr
    got = r.stderr.strip().splitlines()
    for line in got:
        assert LINE.match(line), line
        assert not any(j in line for j in JARGON), line
    text = "\n".join(got)
    for fragment in (
            "1:8: error: 'title' is empty; write some text",
            "2:11: error: 'audience' must be 'patients' or 'practitioners', not 'doctors'",
            "4:12: error: 'review_by' should be a date written YYYY-MM-DD",
            "5:13: error: 'key_points' needs at least 1 item; it has none",
            "'hold_seconds': write a whole number of seconds, e.g. 20 (not '二十')",
            "'reps' must be 1 or more, not 0",
            "'source' '1x' is not in the expected form: name a reference id",
            "'a': write a number, e.g. 96 (not 'abc')",
            "'max': write a number, e.g. 100 (not 'lots')",
            "'steps' needs at least 2 items; it has 1",
            "'table': row 1 has 1 cells but the header has 2",
            "'title' should be text, not a list",
            "'doi' 'https://doi.org/10.1/x' is not in the expected form: write the DOI alone",
            "'url' 'www.x' is not in the expected form: write a whole web address",
            "'a' is 2,100 characters long; at most 2,000 are allowed"):
        assert fragment in text, f"{fragment!r} not in\n{text}"
