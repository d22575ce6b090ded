"""Every kind of broken spec gives exit 1 and `path:line:col: error: …`, never a traceback."""

import re

import pytest

from conftest import run_cli

GOOD_HEAD = ("title: 見本\naudience: patients\nreviewed: 2026-01-01\nreview_by: 2027-01-01\n"
             "key_points: [要点です]\n")

CASES = {
    # name: (file bytes, line, col, message fragment)
    "empty": (b"", 1, 1, "file is empty"),
    "whitespace": (b"   \n\n  \n", 1, 1, "file is empty"),
    "comments only": (b"# nothing\n", 1, 1, "file is empty"),
    "tab indent": (b"title: a\n\tsections: []\n", 2, 1, "tab character"),
    "syntax": (b"title: [unclosed\nsubtitle: x\n", 2, 9, "YAML syntax"),
    "duplicate key": (GOOD_HEAD.encode() + b"title: again\n", 6, 1,
                      "duplicate key 'title' (first written at line 1)"),
    "shift_jis": ("title: 腰痛\n".encode("shift_jis"), 1, 8, "not valid UTF-8"),
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
