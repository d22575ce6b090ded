"""Command line: handouts build | check | ruby | schema | preview | watch | new.

Exit status: 0 success, 1 spec problems, 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from .diagnostics import Report


def _formats(value: str) -> tuple[str, ...]:
    from .build import FORMATS

    names = tuple(x.strip() for x in value.split(",") if x.strip())
    bad = [n for n in names if n not in FORMATS]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(bad) or '(none)'}; choose from {', '.join(FORMATS)}")
    return names


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("expected a whole number of workers, 1 or more")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="handouts", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build leaflets and decks")
    b.add_argument("specs", nargs="*", type=Path, help="spec files or folders (default: specs/)")
    b.add_argument("-o", "--output", type=Path, default=Path("build"), help="output folder")
    b.add_argument("--format", type=_formats, default=None,
                   help="comma-separated: pdf,large,print,a5,a5print,pptx,slides,notes "
                   "(default: pdf,pptx)")
    b.add_argument("--profile", type=Path, help="clinic profile instead of specs/_clinic.yaml")
    b.add_argument("--template", type=Path, metavar="FILE",
                   help="PowerPoint template (.pptx or .potx) for the decks; overrides the "
                   "profile's deck_template")
    b.add_argument("-q", "--quiet", action="store_true",
                   help="no progress line, no line saying what was written")
    b.add_argument("-j", "--jobs", type=_jobs, default=None,
                   help="worker processes for a batch (default: one per CPU core)")
    c = sub.add_parser("check", help="validate and lint specs without building")
    c.add_argument("specs", nargs="*", type=Path)
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.add_argument("--profile", type=Path)
    r = sub.add_parser("ruby", help="print every text with the readings (furigana) it gets")
    r.add_argument("specs", nargs="*", type=Path)
    r.add_argument("--grade", type=int, choices=range(1, 7), metavar="N",
                   help="readings for kanji beyond school grade N (1-6), whatever the spec "
                   "and profile say")
    r.add_argument("--profile", type=Path)
    sub.add_parser("schema", help="print the JSON Schema of the spec language")
    v = sub.add_parser("preview", help="build, then thumbnails and build/index.html")
    v.add_argument("specs", nargs="*", type=Path)
    v.add_argument("-o", "--output", type=Path, default=Path("build"))
    v.add_argument("--profile", type=Path)
    n = sub.add_parser("new", help="write a commented starting spec")
    n.add_argument("spec", type=Path, help="the file to write, e.g. specs/topic.yaml")
    w = sub.add_parser("watch", help="rebuild outputs and thumbnails when a spec is saved")
    w.add_argument("specs", nargs="*", type=Path)
    w.add_argument("-o", "--output", type=Path, default=Path("build"))
    w.add_argument("--profile", type=Path, help="clinic profile instead of specs/_clinic.yaml")
    return p


def _default_specs(given: list[Path]) -> list[Path]:
    return given or [Path("specs")]


def _make_silent() -> bool:
    """True under `make -s`: make puts its one-letter flags first in MAKEFLAGS ('s', 'ks')."""
    first = os.environ.get("MAKEFLAGS", "").split(" ")[0]
    return not first.startswith("-") and "s" in first


def _wrote(built: list[Path], formats: tuple[str, ...]) -> str:
    """One line saying what a build wrote: every file of one topic, or how many of what."""
    from .build import FORMATS

    if len(built) <= len(formats):
        return "wrote " + ", ".join(map(str, built))
    suffixes = sorted((FORMATS[f][0] for f in formats), key=len, reverse=True)

    def topic(p: Path) -> tuple[Path, str]:  # x.large.pdf is x's, not x.large's
        suffix = next(s for s in suffixes if p.name.endswith(s))
        return p.parent, p.name[:-len(suffix)]

    topics = {topic(p) for p in built}
    folders = ", ".join(sorted({str(p.parent) for p in built}))
    return (f"wrote {len(built)} files to {folders} "
            f"({', '.join(FORMATS[f][0] for f in formats)} of {len(topics)} topics)")


def cmd_build(args) -> int:
    from .build import DEFAULT_FORMATS, build
    from .parallel import usable_cpus

    for p in args.specs:
        if not p.exists():
            print(f"{p}:1:1: error: no such file or folder", file=sys.stderr)
            return 1
    if args.template:  # checked once, not once per spec
        from .deck.template import load
        from .diagnostics import SpecError

        try:
            load(args.template)
        except SpecError as exc:
            print(Report(exc.diagnostics).as_text(), file=sys.stderr)
            return 1
    start = time.monotonic()
    tty = sys.stderr.isatty() and not args.quiet and not _make_silent()

    def progress(done: int, total: int, path: Path) -> None:
        if tty:
            msg = f"[{done}/{total}] {path.name} {time.monotonic() - start:.1f}s"
            print(f"\r\033[K{msg}" if done < total else "\r\033[K", end="", file=sys.stderr,
                  flush=True)

    formats = args.format or DEFAULT_FORMATS
    result = build(_default_specs(args.specs), args.output, formats, args.profile, progress,
                   jobs=args.jobs or usable_cpus(), template=args.template)
    report = Report(result.diagnostics)
    if report.diagnostics:
        print(report.as_text(), file=sys.stderr)
    if result.built and not args.quiet and not _make_silent():
        print(_wrote(result.built, formats), file=sys.stderr)
    if result.failed:
        print(f"handouts: {len(result.failed)} spec(s) failed: "
              + ", ".join(str(p) for p in result.failed), file=sys.stderr)
        return 1
    return 0


def _print_json(text: str) -> None:
    """JSON is UTF-8, whatever the locale: on Windows a redirected stdout would otherwise be
    the ANSI code page (cp932 in Japan), which fails on '–' and is not what editors read."""
    if sys.stdout.encoding.replace("-", "").lower() != "utf8":
        sys.stdout.reconfigure(encoding="utf-8")
    print(text)


def cmd_check(args) -> int:
    from .check import check

    report, stats = check(_default_specs(args.specs), args.profile)
    if args.format == "json":
        _print_json(report.as_json({"readability": stats}))
    else:
        for path, figures in stats.items():
            print(f"{path}: jReadability {figures['jreadability']:.2f}")
        if report.diagnostics:
            print(report.as_text(), file=sys.stderr)
    return 1 if report.errors(args.strict) else 0


def cmd_ruby(args) -> int:
    from .ruby import ruby

    report, lines = ruby(_default_specs(args.specs), args.grade, args.profile)
    if lines:
        print("\n".join(lines))
    if report.diagnostics:
        print(report.as_text(), file=sys.stderr)
    return 1 if report.errors() else 0


def cmd_schema(args) -> int:
    from .spec.models import Spec

    schema = Spec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    _print_json(json.dumps(schema, ensure_ascii=False, indent=2))
    return 0


def cmd_preview(args) -> int:
    from .preview import preview

    result = preview(_default_specs(args.specs), args.output, args.profile)
    if result.diagnostics:
        print(Report(result.diagnostics).as_text(), file=sys.stderr)
    print(f"{args.output / 'index.html'}", file=sys.stderr)
    return 1 if result.failed else 0


def cmd_new(args) -> int:
    """A starting spec that builds and passes `check --strict` as it is (dated today)."""
    import datetime as dt
    from importlib.resources import files

    from .build import write_atomic

    path: Path = args.spec
    if path.suffix != ".yaml" or path.name.startswith("_"):
        print(f"handouts: a topic spec is a .yaml file whose name does not start with '_' "
              f"(not {path})", file=sys.stderr)
        return 2
    if path.exists():
        print(f"{path}:1:1: error: already exists; choose another name", file=sys.stderr)
        return 1
    today = dt.date.today()
    try:
        review_by = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        review_by = today + dt.timedelta(days=365)
    text = (files("handouts") / "new_spec.yaml").read_text(encoding="utf-8")
    text = text.replace("REVIEWED", today.isoformat()).replace("REVIEW_BY",
                                                                review_by.isoformat())
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    print(f"wrote {path}; edit it, then run make check and make", file=sys.stderr)
    return 0


def cmd_watch(args) -> int:
    from .watch import watch

    print("watching; Ctrl-C to stop", file=sys.stderr)
    watch(_default_specs(args.specs), args.output, args.profile)
    return 0


def main(argv: list[str] | None = None) -> int:
    import signal

    from .parallel import interrupt

    if argv is None:  # a real process, not a test calling main()
        signal.signal(signal.SIGTERM, interrupt)
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # kept in background jobs
            signal.signal(signal.SIGINT, interrupt)
    try:
        args = _parser().parse_args(argv)
        status = {"build": cmd_build, "check": cmd_check, "schema": cmd_schema,
                  "preview": cmd_preview, "watch": cmd_watch, "ruby": cmd_ruby,
                  "new": cmd_new}[args.command](args)
        sys.stdout.flush()  # a closed pipe shows up here, while we can still catch it
        return status
    except KeyboardInterrupt:
        print("handouts: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `handouts schema | head -1`: the reader has all it wanted
        # Python would complain again when it flushes stdout at exit: point it at nothing
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.dup2(devnull, sys.stderr.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
