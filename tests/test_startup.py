"""What a command imports: a cold run pays for every module it loads, so a command loads
only what its outputs need (read back from the process's sys.modules, not timed)."""

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

SPEC = ROOT / "specs" / "disc-resorption.yaml"

# runs the command line as `handouts` does, then lists the packages the process loaded
PROBE = """
import runpy, sys
listing, sys.argv = sys.argv[1], ['handouts'] + sys.argv[2:]
try:
    runpy.run_module('handouts', run_name='__main__')
except SystemExit as exc:
    code = exc.code
else:
    code = 0
open(listing, 'w').write('\\n'.join(sorted(sys.modules)))
sys.exit(code)
"""


def imported(tmp_path: Path, *args: str, cache: Path | None = None) -> set[str]:
    """Top-level packages loaded by `handouts ARGS` in a fresh process (with its own
    HANDOUTS_CACHE folder `cache`, if given)."""
    listing = tmp_path / "modules.txt"
    env = {**os.environ, **({"HANDOUTS_CACHE": str(cache)} if cache else {})}
    r = subprocess.run([sys.executable, "-c", PROBE, str(listing), *args],
                       capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    return {name.split(".")[0] for name in listing.read_text().split()}


def test_a_pdf_build_of_one_spec_loads_no_deck_library_and_no_workers(tmp_path):
    loaded = imported(tmp_path, "build", str(SPEC), "-o", str(tmp_path / "out"),
                      "--format", "pdf", "-q")
    assert (tmp_path / "out" / "disc-resorption.pdf").stat().st_size > 10_000
    assert "reportlab" in loaded  # the probe does see what the build uses
    assert "pptx" not in loaded
    assert "multiprocessing" not in loaded  # one spec is built in this process


def test_a_second_pdf_build_loads_neither_analyser_nor_qr_encoder(tmp_path):
    # what the first build worked out per text (words and readings, the QR code) is kept
    # on disk: the second loads neither MeCab nor segno (nor the XML and HTTP modules
    # segno brings), and makes the same bytes
    cache = tmp_path / "cache"
    args = ("build", str(SPEC), "--format", "pdf", "-q")
    first = imported(tmp_path, *args, "-o", str(tmp_path / "a"), cache=cache)
    assert {"fugashi", "segno"} <= first  # the probe sees them when they are used
    second = imported(tmp_path, *args, "-o", str(tmp_path / "b"), cache=cache)
    assert not {"fugashi", "segno", "xml", "http", "ssl"} & second
    pdf = "disc-resorption.pdf"
    assert (tmp_path / "a" / pdf).read_bytes() == (tmp_path / "b" / pdf).read_bytes()


def test_a_pptx_build_loads_no_pdf_library(tmp_path):
    loaded = imported(tmp_path, "build", str(SPEC), "-o", str(tmp_path / "out"),
                      "--format", "pptx", "-q")
    assert (tmp_path / "out" / "disc-resorption.pptx").exists()
    assert "pptx" in loaded
    assert "reportlab" not in loaded


def test_check_loads_no_deck_library(tmp_path):
    # check does typeset the leaflet (reportlab) to warn about one past its pages, and
    # plans the deck with font metrics alone
    loaded = imported(tmp_path, "check", str(SPEC))
    assert "pptx" not in loaded
    assert "multiprocessing" not in loaded


def test_reportlabs_unused_patterns_wait_for_first_use_and_still_match(tmp_path):
    # the leaflet package imports reportlab with its URL-splitting and CJK-wrap patterns
    # compiled on first use (~30 ms of a cold build); re.compile is itself again after,
    # and the two patterns answer as compiled ones do
    code = """
import re
compile_ = re.compile
import handouts.leaflet
from reportlab.lib import textsplit
from reportlab.platypus import paragraph
assert re.compile is compile_
assert not isinstance(paragraph.uri_pat, re.Pattern)
assert not isinstance(textsplit.rx, re.Pattern)
url = paragraph.uri_pat.match('HTTPS://example.jp/a?b=1')
assert url and url.group(1) == 'HTTPS://', url
assert paragraph.uri_pat.match('not a url') is None
assert textsplit.rx.split('ab腰痛') == ['ab', '腰', '', '痛', '']
assert isinstance(paragraph.uri_pat.pattern, str)
print('ok')
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    assert r.stdout.strip() == "ok", r.stderr


def test_check_lays_the_leaflet_out_without_its_fonts(tmp_path):
    # check's page count needs the pages laid out, not drawn: reportlab is given no font
    # (its parse of a CJK face is the largest part of loading one) and draws no text
    code = """
from pathlib import Path
from reportlab.pdfbase import pdfmetrics
from handouts.check import check
report, _ = check([Path(%r)])
assert not report.diagnostics, report.diagnostics
assert not [n for n in pdfmetrics.getRegisteredFontNames() if 'BIZ' in n], \\
    pdfmetrics.getRegisteredFontNames()
print('ok')
""" % str(SPEC)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    assert r.stdout.strip() == "ok", r.stderr
