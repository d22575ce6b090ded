"""The font cache (parsed font data kept on disk) changes no output byte, survives a cache
folder that cannot be written or holds damaged entries, and is safe for parallel builds."""

import os
import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ROOT

EVERY_FORMAT = "pdf,large,print,a5,a5print,pptx,slides,notes"


def build(out: Path, cache: str, *specs: Path, formats: str = EVERY_FORMAT) -> dict[str, bytes]:
    """Build in a fresh process with HANDOUTS_CACHE=cache; every output file's bytes."""
    env = {**os.environ, "HANDOUTS_CACHE": cache}
    r = subprocess.run([sys.executable, "-m", "handouts", "build", *map(str, specs or
                        [ROOT / "specs"]), "-o", str(out), "--format", formats, "-q"],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def entries(cache: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((cache / "fonts").glob("*.pickle"))}


def test_every_shipped_output_is_the_same_with_and_without_the_cache(tmp_path):
    cache = tmp_path / "cache"
    without = build(tmp_path / "off", "off")
    filling = build(tmp_path / "fill", str(cache))
    stored = entries(cache)
    # what a cold build parses: the faces' metrics, reportlab's parse, the ruby outlines
    assert {name.split(".")[1] for name in stored} == {"metrics", "reportlab", "outlines"}
    reading = build(tmp_path / "read", str(cache))
    assert len(without) == 5 * len(EVERY_FORMAT.split(","))
    assert filling == without
    assert reading == without
    assert entries(cache) == stored  # read back, not made again
    # and per text: words and readings, each leaflet variant's and deck's lines, the QR code
    kept = {name.split(".")[1] for name in os.listdir(cache / "texts")}
    assert {"words", "leaflet-lines", "leaflet-lines-large", "deck-lines", "qr",
            "qr-runs"} <= kept


def test_an_edited_spec_is_built_as_if_nothing_were_kept(tmp_path):
    """After an edit that makes a paragraph longer, a build with what the last one kept
    makes the same bytes as a build with the cache off."""
    specs = tmp_path / "specs"
    specs.mkdir()
    for part in (ROOT / "specs").glob("_*.yaml"):
        (specs / part.name).write_bytes(part.read_bytes())
    spec = specs / "disc-resorption.yaml"
    text = (ROOT / "specs" / spec.name).read_text(encoding="utf-8")
    spec.write_text(text, encoding="utf-8")
    cache = str(tmp_path / "cache")
    first = build(tmp_path / "first", cache, spec, formats="pdf,large")
    edited = text.replace("ヘルニアです。", "ヘルニアです。腰や足の痛みのもとになることがあります。", 1)
    assert edited != text
    spec.write_text(edited, encoding="utf-8")
    again = build(tmp_path / "again", cache, spec, formats="pdf,large")
    assert again == build(tmp_path / "off", "off", spec, formats="pdf,large")
    assert again["disc-resorption.pdf"] != first["disc-resorption.pdf"]


def test_a_cache_folder_that_cannot_be_written_only_costs_time(tmp_path):
    spec = ROOT / "specs" / "disc-resorption.yaml"
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    without = build(tmp_path / "off", "off", spec, formats="pdf")
    assert build(tmp_path / "blocked", str(blocked / "cache"), spec, formats="pdf") == without
    assert build(tmp_path / "open", str(tmp_path / "cache"), spec, formats="pdf") == without
    assert entries(tmp_path / "cache")  # where it can, the build does keep its parse


def test_damaged_entries_are_parsed_again_and_replaced(tmp_path):
    spec = ROOT / "specs" / "disc-resorption.yaml"
    cache = tmp_path / "cache"
    good = build(tmp_path / "first", str(cache), spec, formats="pdf")
    stored = entries(cache)
    assert stored
    for i, name in enumerate(stored):  # cut short, garbage, empty
        (cache / "fonts" / name).write_bytes([stored[name][:100], b"\x80junk", b""][i % 3])
    assert build(tmp_path / "again", str(cache), spec, formats="pdf") == good
    assert entries(cache) == stored


def test_parallel_builds_share_an_empty_cache(tmp_path):
    """As under make -j: builds that fill the same new cache at once all succeed, give the
    same bytes, and leave whole entries and no temporary files."""
    spec = ROOT / "specs" / "disc-resorption.yaml"
    cache = tmp_path / "cache"
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda k: build(tmp_path / f"o{k}", str(cache), spec,
                                             formats="pdf"), range(4)))
    assert all(o == outs[0] for o in outs)
    assert not [p for p in cache.rglob("*") if p.name.endswith(".tmp")]
    assert build(tmp_path / "after", "off", spec, formats="pdf") == outs[0]
    stored = entries(cache)
    assert stored
    for data in stored.values():
        pickle.loads(data)  # whole


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_home_folder_that_cannot_be_written_only_costs_time(tmp_path):
    """With no HANDOUTS_CACHE the cache goes under the home folder (~/.cache/handouts); a
    home in which nothing can be created (/proc/self: not even root can) still builds the
    same bytes, and says nothing about it."""
    spec = ROOT / "specs" / "disc-resorption.yaml"
    without = build(tmp_path / "off", "off", spec, formats="pdf")
    env = {k: v for k, v in os.environ.items() if k not in ("HANDOUTS_CACHE", "XDG_CACHE_HOME")}
    r = subprocess.run([sys.executable, "-m", "handouts", "build", str(spec), "-o",
                        str(tmp_path / "out"), "--format", "pdf", "-q"], capture_output=True,
                       text=True, env={**env, "HOME": "/proc/self"}, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and ": error:" not in r.stderr  # its warnings only
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir() if p.is_file()
            } == without
