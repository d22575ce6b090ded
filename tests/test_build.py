"""The batch driver and make: nothing lost on failure, depfiles that make trusts, progress."""

import os
import pty
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ALL_KINDS, ROOT, need, pdftotext, run_cli, topics

HEAD = ("title: 見本の資料です\naudience: patients\nreviewed: 2026-01-01\n"
        "review_by: 2099-01-01\nkey_points: [要点です]\nsections:\n"
        "  - heading: 見出しです\n    blocks:\n")
# loads and lowers fine, and the leaflet flows it over pages, but no slide can hold it:
# the deck planner refuses it after the PDF was already rendered
LONG_HEADING = HEAD.replace("heading: 見出しです", "heading: " + "とても長い見出しです" * 200)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_failure_in_the_deck_planner_keeps_previous_outputs(tmp_path):
    (tmp_path / "_clinic.yaml").write_text("name: 架空の医院\n", encoding="utf-8")
    spec = tmp_path / "t.yaml"
    spec.write_text(HEAD + "      - text: 本文です。\n", encoding="utf-8")
    out = tmp_path / "out"
    r = run_cli("build", spec, "-o", out, "--format", "pdf,large,pptx")
    assert r.returncode == 0, r.stderr
    before = _files(out)
    assert set(before) == {"t.pdf", "t.large.pdf", "t.pptx"}

    spec.write_text(LONG_HEADING + "      - text: 本文です。\n", encoding="utf-8")
    from handouts.build import Projects, prepare

    prepare(spec, Projects())  # the spec itself is valid: the failure comes while rendering
    r = run_cli("build", spec, "-o", out, "--format", "pdf,large,pptx")
    assert r.returncode == 1
    assert f"{spec}:7:14: error: [fit]" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    assert _files(out) == before  # byte-identical, and no temporary files left behind


def test_write_all_renames_all_or_nothing(tmp_path):
    from handouts.build import write_all
    from handouts.diagnostics import Mark, SpecError

    (tmp_path / "a.pdf").write_bytes(b"old a")
    (tmp_path / "b.pptx").write_bytes(b"old b")

    def fail(tmp):
        tmp.write_bytes(b"half")
        raise SpecError([Mark("x.yaml", 3, 1).error("no")])

    with pytest.raises(SpecError):
        write_all([(tmp_path / "a.pdf", lambda tmp: tmp.write_bytes(b"new a")),
                   (tmp_path / "b.pptx", fail)])
    assert _files(tmp_path) == {"a.pdf": b"old a", "b.pptx": b"old b"}
    write_all([(tmp_path / "a.pdf", lambda tmp: tmp.write_bytes(b"new a")),
               (tmp_path / "b.pptx", lambda tmp: tmp.write_bytes(b"new b"))])
    assert _files(tmp_path) == {"a.pdf": b"new a", "b.pptx": b"new b"}


# -- make ------------------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path) -> Path:
    """A project folder with two topics, built by the real Makefile and the real venv."""
    need("make")
    if not (ROOT / ".venv" / ".installed").is_file():
        pytest.skip("run through `make test`, which creates .venv/.installed")
    specs = tmp_path / "specs"
    shutil.copytree(ALL_KINDS.parent, specs)
    shutil.copy(specs / "all-kinds.yaml", specs / "second.yaml")
    # make must not think the venv needs reinstalling from this copy
    for name in ("pyproject.toml", "requirements.lock"):
        (tmp_path / name).write_text("", encoding="utf-8")
        os.utime(tmp_path / name, (0, 0))
    return tmp_path


def make(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS")}
    return subprocess.run(["make", "-f", str(ROOT / "Makefile"), f"VENV={ROOT / '.venv'}",
                           *args], cwd=folder, capture_output=True, text=True, env=env,
                          timeout=300)


def _commands(dry_run: str) -> list[str]:
    return [ln for ln in dry_run.splitlines() if "handouts build" in ln]


def _mtimes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in out.glob("*.p*")}


def test_make_parallel_then_noop_then_only_the_changed_spec(project):
    r = make(project, "-j2")
    assert r.returncode == 0, r.stderr
    out = project / "build"
    assert set(_mtimes(out)) == {"all-kinds.pdf", "all-kinds.pptx", "second.pdf", "second.pptx"}
    assert sorted(p.name for p in (out / ".deps").iterdir()) == ["all-kinds.d", "second.d"]
    assert not [p for p in out.rglob("*.tmp")]

    dry = make(project, "-n")  # nothing to do: make starts no Python at all
    assert dry.returncode == 0 and _commands(dry.stdout) == [], dry.stdout

    first = _mtimes(out)
    spec = project / "specs" / "second.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("見本の要点", "別の要点"),
                    encoding="utf-8")
    os.utime(spec, (spec.stat().st_atime + 10, spec.stat().st_mtime + 10))
    dry = make(project, "-n")
    assert len(_commands(dry.stdout)) == 1 and "second.yaml" in dry.stdout, dry.stdout
    assert make(project).returncode == 0
    now = _mtimes(out)
    assert now["all-kinds.pdf"] == first["all-kinds.pdf"]
    assert now["all-kinds.pptx"] == first["all-kinds.pptx"]
    assert now["second.pdf"] != first["second.pdf"] and now["second.pptx"] != first["second.pptx"]


def test_failed_make_keeps_both_previous_outputs(project):
    """A typo on seminar morning: make fails, and the deck and leaflet are still there."""
    assert make(project).returncode == 0
    out = project / "build"
    before = {p.name: p.read_bytes() for p in out.glob("second.p*")}
    assert set(before) == {"second.pdf", "second.pptx"}
    spec = project / "specs" / "second.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("title:", "title: [", 1),
                    encoding="utf-8")
    os.utime(spec, (spec.stat().st_atime + 10, spec.stat().st_mtime + 10))
    r = make(project)
    assert r.returncode != 0
    assert "second.yaml:" in r.stderr and "error:" in r.stderr, r.stderr
    assert "Deleting" not in r.stderr + r.stdout
    assert {p.name: p.read_bytes() for p in out.glob("second.p*")} == before
    assert not list(out.rglob("*.tmp"))


@pytest.mark.parametrize("jobs", [[], ["-j2"]])
def test_make_rebuilds_every_other_topic_past_broken_ones(project, jobs):
    """A shared part changed while two topics are broken: make rebuilds every other topic,
    names every failure and fails; the broken topics keep their previous outputs."""
    specs, out = project / "specs", project / "build"
    for name in ("a-broken", "m-middle", "n-broken"):
        shutil.copy(specs / "all-kinds.yaml", specs / f"{name}.yaml")
    assert make(project, *jobs).returncode == 0
    before = {p.name: p.read_bytes() for p in out.glob("*.p*")}
    assert len(before) == 2 * 5
    for name in ("a-broken", "n-broken"):  # both sort before topics that must still build
        spec = specs / f"{name}.yaml"
        spec.write_text(spec.read_text(encoding="utf-8").replace(
            "audience: patients", "audience: doctors"), encoding="utf-8")
    blocks = specs / "_blocks.yaml"
    blocks.write_text(blocks.read_text(encoding="utf-8").replace(
        "今すぐ救急車を呼んでください", "すぐに救急車を呼んでください"), encoding="utf-8")
    earlier = time.time() - 100  # the outputs are older than the edits, whatever the clock
    for path in out.glob("*.p*"):
        os.utime(path, (earlier, earlier))

    r = make(project, *jobs)
    assert r.returncode != 0
    for name in ("a-broken", "n-broken"):
        assert f"specs/{name}.yaml:3:11: error:" in r.stderr, r.stderr
        assert {p.name: p.read_bytes() for p in out.glob(f"{name}.p*")} == {
            n: b for n, b in before.items() if n.startswith(name)}
    for name in ("all-kinds", "m-middle", "second"):
        assert "すぐに救急車を呼んでください" in pdftotext(out / f"{name}.pdf"), name
        assert (out / f"{name}.pptx").read_bytes() != before[f"{name}.pptx"]
    # still incremental: only the two broken topics are left to do
    assert sorted(_commands(make(project, "-n").stdout)) == [
        f"{ROOT / '.venv'}/bin/handouts build -q specs/{name}.yaml -o build --format pdf,pptx"
        for name in ("a-broken", "n-broken")]


def test_make_follows_the_depfile_to_an_image(project):
    assert make(project).returncode == 0
    image = project / "specs" / "assets" / "dot.png"
    later = (project / "build" / "all-kinds.pdf").stat().st_mtime + 10
    os.utime(image, (later, later))
    dry = make(project, "-n")
    assert len(_commands(dry.stdout)) == 2, dry.stdout  # both topics show the figure


def test_make_survives_a_deleted_input(project):
    """A file listed in an old depfile that no longer exists must not stop make (-MP rules)."""
    assert make(project).returncode == 0
    (project / "specs" / "_blocks.yaml").rename(project / "specs" / "_shared.yaml")
    r = make(project, "-n")
    assert r.returncode == 0, r.stderr
    assert len(_commands(r.stdout)) == 2


# -- progress --------------------------------------------------------------------------------

def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "handouts", *args], cwd=ROOT, stdin=follower,
                            stdout=follower, stderr=follower, env={**os.environ, **env})
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_line_on_a_terminal_only(tmp_path):
    specs = tmp_path / "specs"
    shutil.copytree(ALL_KINDS.parent, specs)
    shutil.copy(specs / "all-kinds.yaml", specs / "second.yaml")
    args = ["build", str(specs), "-o", str(tmp_path / "out"), "--format", "pdf"]
    shown = _on_a_terminal(args, {"MAKEFLAGS": ""})
    assert "[0/2] all-kinds.yaml" in shown and "[1/2] all-kinds.yaml" in shown, shown

    def progress(text: str) -> str:  # what is left once the warnings are taken out
        return re.sub(r"^\S+:\d+:\d+: warning: .*(\r?\n|$)", "", text, flags=re.M)

    assert progress(_on_a_terminal(args, {"MAKEFLAGS": "s -j2"})) == ""  # make -s
    assert progress(_on_a_terminal(args + ["-q"], {"MAKEFLAGS": ""})) == ""
    piped = run_cli(*args)
    assert piped.returncode == 0
    assert progress(piped.stderr) == f"wrote 2 files to {tmp_path / 'out'} (.pdf of 2 topics)\n"


def test_a_build_says_what_it_wrote(tmp_path):
    out = tmp_path / "out"
    r = run_cli("build", ALL_KINDS, "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines()[-1] == f"wrote {out / 'all-kinds.pdf'}, {out / 'all-kinds.pptx'}"
    r = run_cli("build", ALL_KINDS, "-o", out, "-q")
    assert r.returncode == 0 and "wrote" not in r.stderr, r.stderr

    specs = topics(tmp_path, ["a", "b", "c"])
    (specs / "d.yaml").write_text(HEAD + "      - text: 本文です\U0001F9EA\n", encoding="utf-8")
    r = run_cli("build", specs, "-o", out, "--format", "pdf,large", "-j", "2")
    assert r.returncode == 1
    assert r.stderr.splitlines()[-2:] == [
        f"wrote 6 files to {out} (.pdf, .large.pdf of 3 topics)",
        f"handouts: 1 spec(s) failed: {specs / 'd.yaml'}"], r.stderr


def test_every_format_same_input_same_bytes(tmp_path):
    from handouts.build import FORMATS

    formats = ",".join(FORMATS)
    for out in ("a", "b"):
        r = run_cli("build", ALL_KINDS, "-o", tmp_path / out, "--format", formats)
        assert r.returncode == 0, r.stderr
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(a) == len(FORMATS) and a.keys() == b.keys()
    assert [n for n in a if a[n] != b[n]] == []


def test_workers_build_the_same_bytes_and_report_in_spec_order(tmp_path):
    specs = tmp_path / "specs"
    shutil.copytree(ALL_KINDS.parent, specs)
    text = (specs / "all-kinds.yaml").read_text(encoding="utf-8")
    for i in range(4):
        (specs / f"t{i}.yaml").write_text(text, encoding="utf-8")
    for name in ("bad1", "bad2"):  # two failing specs, each with its own located error
        (specs / f"{name}.yaml").write_text(HEAD + "      - text: 本文です\U0001F9EA\n",
                                            encoding="utf-8")
    args = ["build", str(specs), "--format", "pdf,pptx"]
    serial = run_cli(*args, "-o", tmp_path / "one", "-j", "1")
    forked = run_cli(*args, "-o", tmp_path / "two", "-j", "3")
    assert serial.returncode == forked.returncode == 1
    assert forked.stderr.replace(str(tmp_path / "two"), "OUT") == serial.stderr.replace(
        str(tmp_path / "one"), "OUT")
    assert forked.stderr.index("bad1.yaml:9:") < forked.stderr.index("bad2.yaml:9:")
    assert _files(tmp_path / "one") == _files(tmp_path / "two")
    assert len(_files(tmp_path / "two")) == 2 * 5


def test_a_worker_that_dies_costs_only_its_item():
    import signal

    from handouts.parallel import WorkerLost, worker_map

    def square_or_die(n: int) -> int:
        if n == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return n * n

    got = dict(worker_map(square_or_die, list(range(8)), jobs=2))
    lost = got.pop(3)
    assert isinstance(lost, WorkerLost) and "SIGKILL" in str(lost)
    assert got == {n: n * n for n in range(8) if n != 3}
    # with no worker left, every item not yet handed out is reported lost, none dropped
    got = dict(worker_map(lambda n: os.kill(os.getpid(), signal.SIGKILL), list(range(5)), 2))
    assert sorted(got) == list(range(5))
    assert all(isinstance(v, WorkerLost) for v in got.values())


def test_jobs_must_be_a_positive_number(tmp_path):
    r = run_cli("build", "-j", "0", "-o", tmp_path)
    assert r.returncode == 2 and "1 or more" in r.stderr and "Traceback" not in r.stderr


def test_without_fork_the_batch_runs_in_this_process(monkeypatch):
    import signal

    from handouts import parallel

    def no_fork():
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(parallel.os, "fork", no_fork)
    got = dict(parallel.worker_map(lambda n: (n, os.getpid()), list(range(5)), jobs=2))
    assert got == {n: (n, os.getpid()) for n in range(5)}
    assert not signal.pthread_sigmask(signal.SIG_BLOCK, []) & {signal.SIGINT, signal.SIGTERM}


STUBBORN = """
import signal, sys, time
sys.path.insert(0, {src!r})
from handouts.parallel import worker_map, interrupt
signal.signal(signal.SIGTERM, interrupt)

def stubborn(n):
    end = time.monotonic() + 0.2
    while time.monotonic() < end:
        try:
            time.sleep(0.01)
        except BaseException:  # like a library's bare `except:`: swallows the interrupt
            pass
    return n

done = 0
try:
    for _ in worker_map(stubborn, list(range(200)), {jobs}):
        done += 1
        if done == 3:
            print("ready", flush=True)
except KeyboardInterrupt:
    print("stopped after", done, flush=True)
    sys.exit(130)
print("finished", done)
"""


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_swallowed_interrupt_still_stops_the_batch(jobs):
    import signal

    proc = subprocess.Popen([sys.executable, "-c", STUBBORN.format(src=str(ROOT / "src"),
                                                                   jobs=jobs)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)  # 200 items would take 20 s or more
    assert proc.returncode == 130, (out, err)
    assert out.startswith("stopped after") and int(out.split()[-1]) < 20, out
    assert "Traceback" not in err
