"""The command line as on the clinic's Windows PC (issue 29), simulated on Linux: the real CLI
in a subprocess whose Python lacks os.fork, os.sched_getaffinity, signal.pthread_sigmask and
signal.SIGKILL, starts workers with multiprocessing's spawn, writes redirected output in cp932
and treats a text file opened without an encoding as an error (tests/windows/sitecustomize.py).
What this cannot show (real Windows consoles, file locking, the launcher .exe) is listed in
README, "Windows"."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import (ROOT, pdftotext, pptx_texts, run_cli, run_cli_windows, topics,
                      windows_env)

TITLE = "すべてのブロックを試す見本の資料です"
BROKEN = ("title: 見本の資料です\naudience: patients\nreviewed: 2026-01-01\n"
          "review_by: 2099-01-01\nkey_points: [要点です]\nsections:\n"
          "  - heading: 見出しです\n    blocks:\n      - bullets: 箇条書きではない文\n")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _located(stderr: str) -> list[str]:
    return re.findall(r"^\S+:\d+:\d+: error: .*$", stderr, flags=re.M)


def test_the_simulation_lacks_what_windows_lacks():
    probe = ("import multiprocessing, os, signal; print(hasattr(os, 'fork'), "
             "hasattr(os, 'sched_getaffinity'), hasattr(signal, 'pthread_sigmask'), "
             "hasattr(signal, 'SIGKILL'), multiprocessing.get_start_method())")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                       env=windows_env(), timeout=60)
    assert r.stdout.split() == ["False", "False", "False", "False", "spawn"], r.stderr


def test_one_spec(tmp_path):
    specs = topics(tmp_path, ["knee"])
    r = run_cli_windows("build", specs / "knee.yaml", "-o", tmp_path / "win")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "error:" not in r.stderr, r.stderr
    assert TITLE in pdftotext(tmp_path / "win" / "knee.pdf")
    assert TITLE in pptx_texts(tmp_path / "win" / "knee.pptx")[0][0]
    native = run_cli("build", specs / "knee.yaml", "-o", tmp_path / "linux")
    assert native.returncode == 0, native.stderr
    assert _files(tmp_path / "win") == _files(tmp_path / "linux")  # same bytes


def test_a_batch_with_two_spawned_workers(tmp_path):
    specs = topics(tmp_path, [f"t{i}" for i in range(5)])
    (specs / "bad.yaml").write_text(BROKEN, encoding="utf-8")
    log = tmp_path / "processes"
    win = run_cli_windows("build", specs, "-o", tmp_path / "win", "-j", "2",
                          HANDOUTS_SIM_LOG=str(log))
    native = run_cli("build", specs, "-o", tmp_path / "linux", "-j", "1")
    assert win.returncode == native.returncode == 1, win.stderr
    assert "Traceback" not in win.stderr and "internal error" not in win.stderr, win.stderr
    assert _located(win.stderr) == _located(native.stderr) != [], win.stderr
    assert f"{specs / 'bad.yaml'}:9:" in win.stderr
    assert _files(tmp_path / "win") == _files(tmp_path / "linux")
    assert len(_files(tmp_path / "win")) == 2 * 5
    started = log.read_text(encoding="utf-8").splitlines()
    assert len([c for c in started if "--multiprocessing-fork" in c]) == 2, started  # spawned


@pytest.mark.parametrize("held,program", [("t1.pptx", "PowerPoint"), ("t1.pdf", "Acrobat")])
def test_an_output_open_in_another_program(tmp_path, held, program):
    """The deck is open in PowerPoint (or the leaflet in Acrobat) while staff rebuild."""
    specs = topics(tmp_path, ["t0", "t1", "t2"])
    out = tmp_path / "out"
    assert run_cli_windows("build", specs, "-o", out, "-j", "2").returncode == 0
    before = _files(out)
    clinic = specs / "_clinic.yaml"  # a shared part changes: every output changes
    clinic.write_text(clinic.read_text(encoding="utf-8").replace("みなみ", "きた"),
                      encoding="utf-8")
    r = run_cli_windows("build", specs, "-o", out, "-j", "2",
                        HANDOUTS_SIM_LOCKED=str(out / held))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    assert _located(r.stderr) == [
        f"{specs / 't1.yaml'}:1:1: error: {out / held} could not be replaced: it is open in "
        f"another program; close it in {program} and build again (its previous version was "
        "kept)"], r.stderr
    after = _files(out)
    assert after[held] == before[held]
    assert {n for n in after if after[n] != before[n]} == set(before) - {held}
    assert "きた" in pdftotext(out / "t0.pdf")
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_an_output_held_for_a_moment_is_replaced(tmp_path):
    """A virus scanner or OneDrive holds the old file for a moment: tried again, no message."""
    specs = topics(tmp_path, ["t0"])
    out = tmp_path / "out"
    assert run_cli_windows("build", specs, "-o", out).returncode == 0
    clinic = specs / "_clinic.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8").replace("みなみ", "きた"),
                      encoding="utf-8")
    r = run_cli_windows("build", specs, "-o", out,
                        HANDOUTS_SIM_LOCKED=f"{out / 't0.pptx'}*3")  # three tries fail
    assert r.returncode == 0 and "error:" not in r.stderr, r.stderr
    assert "きた" in "".join(pptx_texts(out / "t0.pptx")[0])


def test_a_folder_named_in_japanese_with_spaces(tmp_path):
    """C:\\Users\\山田\\Desktop\\院内資料\\ on Linux: a topic, an image and every folder on the
    way named in Japanese, with spaces; run from that folder as staff would."""
    home = tmp_path / "Users" / "山田 太郎" / "Desktop" / "院内資料 2026"
    specs = topics(home, ["腰の痛み", "ひざ の体操"])
    (specs / "assets" / "dot.png").rename(specs / "assets" / "腰 の図.png")
    for spec in specs.glob("[!_]*.yaml"):
        spec.write_text(spec.read_text(encoding="utf-8").replace("assets/dot.png",
                                                                 "assets/腰 の図.png"),
                        encoding="utf-8")
    r = run_cli_windows("check", "specs", cwd=home)
    assert r.returncode == 0, r.stderr
    r = run_cli_windows("build", "specs", "-j", "2", cwd=home)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "error:" not in r.stderr, r.stderr
    out = home / "build"
    assert {p.name for p in out.iterdir() if p.is_file()} == {
        "腰の痛み.pdf", "腰の痛み.pptx", "ひざ の体操.pdf", "ひざ の体操.pptx"}
    assert TITLE in pdftotext(out / "ひざ の体操.pdf")
    with zipfile.ZipFile(out / "腰の痛み.pptx") as z:
        assert any(n.startswith("ppt/media/") and n.endswith(".png") for n in z.namelist())
    assert "specs/assets/腰\\ の図.png" in (out / ".deps" / "腰の痛み.d").read_text(
        encoding="utf-8")


@pytest.mark.parametrize("args", [["schema"], ["check", "--format", "json", "SPEC"]])
def test_json_to_a_file_is_utf8(tmp_path, args):
    """`handouts schema > build\\spec.schema.json` in cmd.exe: stdout is a file, which Python
    on a Japanese Windows writes in cp932 unless told otherwise; JSON must be UTF-8."""
    spec = topics(tmp_path, ["腰の痛み"]) / "腰の痛み.yaml"
    r = subprocess.run([sys.executable, "-m", "handouts",
                        *[str(spec) if a == "SPEC" else a for a in args]],
                       capture_output=True, env=windows_env(), cwd=ROOT, timeout=120)
    assert b"Traceback" not in r.stderr, r.stderr.decode("cp932")
    data = json.loads(r.stdout.decode("utf-8"))
    if args[0] == "schema":
        assert r.returncode == 0 and "L3\u2013S1" in r.stdout.decode("utf-8")  # not in cp932
    else:
        assert all(d["path"] == str(spec) for d in data["diagnostics"]), data


def _wait_for_pdfs(out: Path, n: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("*.pdf"))) < n:
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.05)


@pytest.mark.parametrize("whom", ["console", "main process"])
def test_ctrl_c_stops_cleanly(tmp_path, whom):
    """Ctrl-C in a Windows console reaches every process started from it (here: the process
    group); a stop request to the main process alone must stop the workers too."""
    specs = topics(tmp_path, [f"t{i:02d}" for i in range(40)])
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "handouts", "build", str(specs), "-o",
                             str(out), "--format", "pdf,pptx,slides", "-j", "2"], cwd=ROOT,
                            stderr=subprocess.PIPE, env=windows_env(), start_new_session=True)
    _wait_for_pdfs(out, 6, proc)
    if whom == "console":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    err = err.decode("cp932")
    assert "Traceback" not in err, err
    assert proc.returncode == 130, err  # stopped, not finished
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    stems = {p.name.split(".")[0] for p in out.iterdir() if p.is_file()}
    assert 3 <= len(stems) < 40
    for stem in stems:  # every spec has all of its outputs or none, each one complete
        for suffix in (".pdf", ".slides.pdf"):
            assert (out / (stem + suffix)).read_bytes().rstrip().endswith(b"%%EOF"), stem
        with zipfile.ZipFile(out / f"{stem}.pptx") as z:
            assert z.testzip() is None
