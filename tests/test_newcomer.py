"""Small things a newcomer hit (issue 13, section 5): a closed pipe, watch after a failed
save, a watch of one spec, `make new`, and a deck footer too short for the title."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ALL_KINDS, ROOT, need, run_cli


def test_a_closed_pipe_is_no_traceback():
    """`handouts schema | head -1`: the reader closes the pipe before we write."""
    for args in (["schema"], ["check", "--format", "json", str(ALL_KINDS)]):
        p = subprocess.Popen([sys.executable, "-m", "handouts", *args], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdout.close()  # like `head` that has read its line and gone
        err = p.stderr.read().decode()
        assert p.wait(timeout=60) == 0, err
        assert err == "", err  # no traceback, no "Exception ignored"
    r = subprocess.run(f"'{sys.executable}' -m handouts schema | head -1", shell=True,
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (r.stdout, r.stderr) == ("{\n", "")


class _Lines:
    """stderr of a running process, line by line, waited for with a timeout."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for raw in stream:
            with self.cond:
                self.lines.append(raw.decode().rstrip("\n"))
                self.cond.notify_all()

    def wait_for(self, text: str, timeout: float = 120) -> list[str]:
        end = time.monotonic() + timeout
        with self.cond:
            while not any(text in x for x in self.lines):
                if not self.cond.wait(max(0.0, end - time.monotonic())):
                    raise AssertionError(f"no {text!r} in {self.lines}")
            found = list(self.lines)
            self.lines.clear()
            return found


def _save(path: Path, text: str) -> None:
    """Write and move the modification time a second on (coarse file-system clocks)."""
    path.write_text(text, encoding="utf-8")
    t = path.stat().st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(t, t))


def test_watch_says_a_failed_rebuild_failed_and_keeps_the_gallery(tmp_path):
    """`handouts watch` on one spec: after a bad save it says the build failed and that
    the previous outputs were kept (they are, byte for byte), and index.html keeps every
    topic an earlier preview showed."""
    specs = tmp_path / "specs"
    shutil.copytree(ALL_KINDS.parent, specs)
    other = specs / "other.yaml"
    other.write_text(ALL_KINDS.read_text(encoding="utf-8").replace(
        "title: すべてのブロックを試す", "title: もう一つの話題"), encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("preview", specs, "-o", out).returncode == 0
    spec = specs / "all-kinds.yaml"
    good = spec.read_text(encoding="utf-8")
    p = subprocess.Popen([sys.executable, "-m", "handouts", "watch", str(spec), "-o", str(out)],
                         cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        err = _Lines(p.stderr)
        assert any("rebuilt all-kinds.yaml in" in x for x in err.wait_for("rebuilt all-kinds"))
        index = (out / "index.html").read_text(encoding="utf-8")
        assert "もう一つの話題" in index and 'id="other"' in index  # not only the watched one
        before = {f: (out / f).read_bytes() for f in ("all-kinds.pdf", "all-kinds.pptx")}
        _save(spec, good.replace("audience: patients", "audience: doctors"))
        got = err.wait_for("failed to build (see above)")
        assert got[-1] == ("all-kinds.yaml failed to build (see above); its previous outputs "
                           "were kept"), got
        assert any(f"{spec}:" in x and "'audience' must be" in x for x in got), got
        assert not any("rebuilt all-kinds" in x for x in got), got
        assert {f: (out / f).read_bytes() for f in before} == before
        assert "もう一つの話題" in (out / "index.html").read_text(encoding="utf-8")
        _save(spec, good.replace("title: すべてのブロックを試す", "title: 直した題名"))
        assert err.wait_for("rebuilt all-kinds.yaml in")
        index = (out / "index.html").read_text(encoding="utf-8")
        assert "直した題名" in index and "もう一つの話題" in index
    finally:
        p.send_signal(signal.SIGINT)
        p.wait(timeout=30)


def test_make_new_writes_a_spec_that_builds_and_passes_make_check(tmp_path):
    """`make new NAME=topic` in a project with the shipped shared parts: the new spec
    passes `make check` (strict) and `make` builds it, as it is."""
    need("make")
    if not (ROOT / ".venv" / ".installed").is_file():
        pytest.skip("run through `make test`, which creates .venv/.installed")
    (tmp_path / "specs").mkdir()
    for part in (ROOT / "specs").glob("_*.yaml"):
        shutil.copy(part, tmp_path / "specs")
    for name in ("pyproject.toml", "requirements.lock"):  # the venv is up to date
        (tmp_path / name).write_text("", encoding="utf-8")
        os.utime(tmp_path / name, (0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS")}

    def make(*args):
        return subprocess.run(["make", "-f", str(ROOT / "Makefile"),
                               f"VENV={ROOT / '.venv'}", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)

    r = make("new")
    assert r.returncode == 2 and "usage: make new NAME=topic" in r.stderr
    r = make("new", "NAME=knee-pain")
    assert r.returncode == 0, r.stderr
    spec = tmp_path / "specs" / "knee-pain.yaml"
    text = spec.read_text(encoding="utf-8")
    for part in ("key_points:", "sections:", "use: help-now", "use: help-soon", "glossary:",
                 "references:", "# "):
        assert part in text, part
    r = make("check")
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    r = make()
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "build" / "knee-pain.pdf").stat().st_size > 10_000
    assert (tmp_path / "build" / "knee-pain.pptx").stat().st_size > 10_000
    r = make("new", "NAME=knee-pain")  # never overwrites
    assert r.returncode != 0 and "already exists" in r.stderr
    assert spec.read_text(encoding="utf-8") == text


LONG_TITLES = {
    "japanese": "腰椎椎間関節性疼痛に対する内側枝高周波熱凝固術の適応と手技と合併症と術後の"
                "経過観察についての総まとめと実践的な解説をまとめた資料です",
    "latin": "Lumbar medial branch radiofrequency neurotomy for facet joint pain explained "
             "for practitioners in detail today with extra words",
}


@pytest.mark.parametrize("kind", LONG_TITLES)
def test_a_long_title_is_shortened_in_the_footer_at_a_phrase(tmp_path, kind):
    from handouts.deck.measure import lines
    from handouts.deck.model import INSET, default_frame
    from handouts.text.breaking import phrase_starts
    from handouts.text.inline import plain

    title = LONG_TITLES[kind]
    specs = tmp_path / "specs"
    shutil.copytree(ALL_KINDS.parent, specs)
    spec = specs / "all-kinds.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace(
        "title: すべてのブロックを試す", f"title: {title}"), encoding="utf-8")
    assert run_cli("build", spec, "-o", tmp_path, "--format", "pptx").returncode == 0
    from pptx import Presentation
    from pptx.enum.shapes import PP_PLACEHOLDER

    prs = Presentation(str(tmp_path / "all-kinds.pptx"))
    footers = {s.text_frame.text for slide in prs.slides for s in slide.placeholders
               if s.placeholder_format.type == PP_PLACEHOLDER.FOOTER}
    assert len(footers) == 1
    footer = footers.pop()
    assert footer.endswith("…") and title.startswith(footer[:-1]), footer
    cut = len(footer) - 1
    assert cut in phrase_starts(title) or title[cut] == " ", (footer, title[cut:])
    assert len(footer) > len(title) * 0.6  # as much of it as fits
    frame = default_frame()
    assert len(lines(plain(footer), frame.footer.w - 2 * INSET, frame.footer_size)) == 1
