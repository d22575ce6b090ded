"""pdfdraw's shortcuts write what reportlab itself would: text shown without the canvas's
text object, numbers and ASCII strings serialised without its general formatter. They
rely on reportlab's output format (pinned in requirements.lock), so an upgrade that
changed it shows here as a difference in bytes, not as a silently different PDF."""

import os
import subprocess
import sys

from conftest import ROOT

# build a leaflet in every variant; with "plain", through reportlab's own drawString and
# serialiser instead of pdfdraw's shortcuts
BUILD = """
import sys
from handouts import pdfdraw
if sys.argv[1] == "plain":
    pdfdraw._serialise_faster = lambda pdfdoc: None
    pdfdraw._show = lambda canv, font, text, x, y: canv.drawString(x, y, text)
from handouts.cli import main
sys.exit(main(["build", "-q", "-j", "1", sys.argv[2], "-o", sys.argv[3],
               "--format", "pdf,large,print"]))
"""


def test_shortcuts_write_what_reportlab_writes(tmp_path):
    spec = ROOT / "specs" / "chronic-pain.yaml"
    env = {**os.environ, "HANDOUTS_CACHE": "off"}
    outs = {}
    for mode in ("fast", "plain"):
        r = subprocess.run([sys.executable, "-c", BUILD, mode, str(spec), str(tmp_path / mode)],
                           capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)
        assert r.returncode == 0, r.stderr
        outs[mode] = {p.name: p.read_bytes() for p in sorted((tmp_path / mode).glob("*.pdf"))}
    assert len(outs["fast"]) == 3
    assert outs["fast"] == outs["plain"]
