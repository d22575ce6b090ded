"""Load spec files: YAML with marks, validated by the pydantic models, problems located."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from ..diagnostics import Diagnostic, Mark, SpecError
from . import models
from .syntax import ODD_SPACES, quoted
from .yamlmarks import Marked, load as load_yaml

_ADAPTERS: dict[Any, TypeAdapter] = {}


def _adapter(model: Any) -> TypeAdapter:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(model)
    return _ADAPTERS[model]


def _bare(t: Any) -> Any:
    while get_origin(t) is Annotated:
        t = get_args(t)[0]
    return t


def allowed_keys(model: Any, loc: tuple) -> list[str]:
    """The keys allowed in the mapping at `loc` (a pydantic error location, which names
    the member of a block union by its kind): what a misspelt key is compared with."""
    t = _bare(model)
    items = list(loc)
    while items:
        if get_origin(t) in (Union, UnionType):
            members = [_bare(a) for a in get_args(t) if a is not type(None)]
            if isinstance(items[0], str) and items[0] in models.BLOCK_MODELS:
                t = models.BLOCK_MODELS[items.pop(0)]
                continue
            t = members[0] if len(members) == 1 else None
        elif get_origin(t) in (list, dict):
            t = _bare(get_args(t)[-1])
            items.pop(0)
            continue
        if not (isinstance(t, type) and issubclass(t, BaseModel)):
            return []
        if items[0] in t.model_fields:
            t = _bare(t.model_fields[items.pop(0)].annotation)
        elif t.model_config.get("extra") == "allow":  # shared parts: any id is a block
            t = _bare(get_args(t.__annotations__["__pydantic_extra__"])[-1])
            items.pop(0)
        else:
            return []
    if get_origin(t) in (Union, UnionType):
        t = next((_bare(a) for a in get_args(t) if a is not type(None)), None)
    return list(t.model_fields) if isinstance(t, type) and issubclass(t, BaseModel) else []


def unknown_key(key: Any, allowed: list[str]) -> str:
    hint = difflib.get_close_matches(str(key), allowed, n=1)
    tip = f"; did you mean '{hint[0]}'?" if hint else (
        f"; allowed here: {', '.join(allowed)}" if allowed else "")
    return f"unknown key '{key}'{tip}"


# what to write, for values that must be numbers (said with the field's own unit)
NUMBER_HINTS = {
    "hold_seconds": "write a whole number of seconds, e.g. 20",
    "reps": "write a whole number of repetitions, e.g. 3",
    "max": "write a number, e.g. 100",
}
PATTERN_HINTS = {
    "doi": "write the DOI alone, e.g. 10.1177/0269215514540919 (without https://doi.org/)",
    "url": "write a whole web address starting with https://",
    "id": "a reference id starts with a letter and uses only letters, digits, '-' and '_', "
          "e.g. chiu2015",
    "source": "name a reference id: a letter, then letters, digits, '-' or '_', e.g. chiu2015",
    "phone": "write 6 to 20 digits, spaces, '-', '+' or brackets, e.g. 03-1234-5678",
    "accent": "write a colour as '#' and six hex digits, e.g. '#1F5C99' (in quotes)",
    "width": "write a width with its unit: 60mm, 6cm, or 50% (of the column)",
    "height": "write a height with its unit: 40mm or 4cm",
}
_WANT = {"string_type": "text", "list_type": "a list", "dict_type": "a mapping",
         "int_type": "a whole number", "float_type": "a number", "bool_type": "true or false",
         "model_type": "a mapping", "model_attributes_type": "a mapping",
         "date_type": "a date (YYYY-MM-DD)", "int_from_float": "a whole number"}
_GOT = {"dict": "a mapping", "list": "a list", "int": "a number", "float": "a number",
        "str": "text", "NoneType": "nothing", "bool": "true/false", "date": "a date"}


def _what(loc: tuple) -> str:
    """The value at `loc` in words: 「'audience'」, 「item 2 of 'rows'」."""
    name = next((str(x) for x in reversed(loc) if isinstance(x, str)), "")
    return f"item {loc[-1] + 1} of '{name}'" if loc and isinstance(loc[-1], int) else \
        f"'{name}'"


def _message(err: dict, allowed: list[str] = ()) -> str:
    """A pydantic error in the spec's own words (no validation-library terms)."""
    loc, kind, ctx, value = err["loc"], err["type"], err.get("ctx") or {}, err.get("input")
    name = next((str(x) for x in reversed(loc) if isinstance(x, str)), "")
    what = _what(loc)
    got = _GOT.get(type(value).__name__, type(value).__name__)
    if kind == "extra_forbidden":
        return unknown_key(loc[-1], list(allowed))
    if kind == "missing":
        return f"missing required key '{loc[-1]}'"
    if kind == "block_kind":
        return err["msg"]
    if kind in ("int_parsing", "int_from_float", "float_parsing") or (
            kind in ("int_type", "float_type") and not isinstance(value, (dict, list))):
        whole = kind.startswith("int")
        hint = NUMBER_HINTS.get(name, "write a whole number, e.g. 3" if whole
                                else "write a number, e.g. 96")
        return f"{what}: {hint} (not '{value}')"
    if kind == "string_type" and isinstance(value, (int, float)) and name in PATTERN_HINTS:
        return f"{what} '{value}' has no unit: " + PATTERN_HINTS[name]
    if kind in _WANT:
        msg = f"{what} should be {_WANT[kind]}, not {got}"
        if kind == "string_type" and isinstance(value, (dict, list)):
            bracket = "{" if isinstance(value, dict) else "["
            msg += (f"; a value that starts with '{bracket}' is read as {got}: put the whole "
                    "value in quotes")
        return msg
    if kind.startswith("date_"):
        return f"{what} should be a date written YYYY-MM-DD"
    if kind == "literal_error":
        return f"{what} must be {ctx.get('expected')}, not '{value}'"
    if kind == "too_short":
        n = ctx.get("actual_length", 0)
        return (f"{what} needs at least {ctx.get('min_length')} item"
                f"{'s' if ctx.get('min_length') != 1 else ''}; it has "
                + ("none" if n == 0 else str(n)))
    if kind == "too_long":
        return (f"{what} has {ctx.get('actual_length')} items; at most "
                f"{ctx.get('max_length')} are allowed")
    if kind == "string_too_short":
        return f"{what} is empty; write some text"
    if kind == "string_too_long":
        return (f"{what} is {len(value):,} characters long; at most "
                f"{ctx.get('max_length'):,} are allowed")
    if kind == "string_pattern_mismatch":
        return f"{what} '{value}' is not in the expected form: " + PATTERN_HINTS.get(
            name, "check the spelling")
    if kind in ("greater_than_equal", "greater_than"):
        return f"{what} must be {ctx.get('ge', ctx.get('gt'))} or more, not {value}"
    if kind in ("less_than_equal", "less_than"):
        return f"{what} must be {ctx.get('le', ctx.get('lt'))} or less, not {value}"
    msg = err["msg"]
    for jargon in ("Value error, ", "Input should be ", "Assertion failed, "):
        msg = msg.replace(jargon, "should be " if jargon.startswith("Input") else "")
    return f"{what}: {msg[0].lower()}{msg[1:]}" if name else msg


def _at(data: Any, loc: tuple) -> Any:
    for item in loc:
        if isinstance(data, dict) and item in data:
            data = data[item]
        elif isinstance(data, list) and isinstance(item, int) and item < len(data):
            data = data[item]
        elif isinstance(item, str) and item in models.BLOCK_MODELS:
            continue  # a union member's tag
        else:
            return None
    return data


def _block_kind(marked: Marked, loc: tuple) -> list[Diagnostic]:
    """A block without a kind key: name its misspelt key (「bulets」 → 'bullets')."""
    block = _at(marked.data, loc)
    if not isinstance(block, dict) or any(k in models.BLOCK_MODELS for k in block):
        return []
    allowed = [*models.BLOCK_KINDS, "only"]
    return [marked.mark(loc + (k,), key=True).error(unknown_key(k, allowed))
            for k in block if k not in allowed]


def _written(marked: Marked, loc: tuple) -> tuple:
    """`loc` as written in the file: a pydantic location without its union tags."""
    cur: tuple = ()
    for item in loc:
        if cur + (item,) in marked.marks:
            cur += (item,)
    return cur


_EDGE_SPACES = "".join(c for c in ODD_SPACES if c != "\t")
_WIDE_COLON_TEXT = re.compile(r"^\s*([^\s：:]{1,40})：")


def _slip(marked: Marked, err: dict) -> Diagnostic | None:
    """A value that is wrong because of a character typed by mistake, named where it is:
    a full-width space at its end (「patients　」), a tab from an Excel row where a list
    of cells was meant, a key typed with a full-width colon 「：」."""
    value, kind, loc = err.get("input"), err["type"], err["loc"]
    if not isinstance(value, str) or not value:
        return None
    what = _what(loc)
    at = _written(marked, loc)
    core = value.strip(_EDGE_SPACES)
    expected = (err.get("ctx") or {}).get("expected", "")
    if core != value and kind not in ("string_too_long", "string_too_short") and (
            kind != "literal_error" or f"'{core}'" in expected):
        end = value[-1] in _EDGE_SPACES
        c = value[-1] if end else value[0]
        where = marked.position(at, c, value.count(c) - 1 if end else 0)
        return where.error(f"{what} {'ends' if end else 'starts'} with a {ODD_SPACES[c]} "
                           f"{'after' if end else 'before'} '{core}'; delete the space")
    if kind == "list_type" and "\t" in value:
        cells = ", ".join(quoted(c) if re.search(r"[,\[\]{}#&*!|>'\"%@`]|: |^-", c) else c
                          for c in (c.strip() for c in value.split("\t")))
        return marked.position(at, "\t").error(
            f"{what} is text with a tab character (タブ) in it, as in cells copied from "
            f"Excel; write it as a list of cells in brackets: [{cells}]")
    m = _WIDE_COLON_TEXT.match(value)
    if m and kind in ("dict_type", "model_type", "model_attributes_type"):
        return marked.position(at, "：").error(
            f"{what} should be a mapping, not text: the full-width colon 「：」 after "
            f"'{m.group(1)}' should be a half-width ':' and a space "
            f"({m.group(1)}: {value[m.end():][:12]}…)")
    return None


def validate(marked: Marked, model: Any) -> tuple[Any, list[Diagnostic]]:
    """Validate loaded YAML against a model; every failure becomes a located diagnostic."""
    try:
        return _adapter(model).validate_python(marked.data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        diags = []
        misspelt = set()  # (place, meant key) of each misspelt key
        for err in errors:
            if err["type"] == "extra_forbidden":
                allowed = allowed_keys(model, err["loc"][:-1])
                hint = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1)
                misspelt.update((err["loc"][:-1], h) for h in hint)
        for err in errors:
            loc = err["loc"]
            if err["type"] == "missing" and (loc[:-1], loc[-1]) in misspelt:
                continue  # said once: "unknown key 'kindd'; did you mean 'kind'?"
            if err["type"] == "block_kind":
                named = _block_kind(marked, loc)
                if named:
                    diags += named
                    continue
            at_key = err["type"] == "extra_forbidden"
            allowed = allowed_keys(model, loc[:-1]) if at_key else []
            diags.append(_slip(marked, err) or
                         marked.mark(loc, key=at_key).error(_message(err, allowed)))
        # one message per place is enough (unions can repeat themselves)
        return None, sorted(set(diags), key=lambda d: (d.line, d.col, d.message))


def load_file(path: Path, model: Any) -> tuple[Any, Marked | None, list[Diagnostic]]:
    """(value or None if there is any error, the YAML with marks, errors and warnings)."""
    marked, diags = load_yaml(path)
    if marked is None:
        return None, marked, diags
    if not isinstance(marked.data, dict):
        return None, marked, diags + [marked.mark(()).error(
            "a shared part must be a mapping of block ids such as 'help-now:'"
            if model is models.SharedParts else
            "a spec must be a mapping of keys such as 'title:' and 'sections:'")]
    value, more = validate(marked, model)
    # a bad value is reported once, by the reader (whose error also breaks its line)
    seen = {d.line for d in diags if d.severity == "error"}
    more = [d for d in more if d.line not in seen]
    if any(d.severity == "error" for d in diags):
        value = None
    return value, marked, diags + more


def _errors(diags: list[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diags)


@dataclass
class LoadedSpec:
    path: Path
    spec: models.Spec
    marked: Marked
    warnings: list[Diagnostic] = field(default_factory=list)


@dataclass
class SharedBlock:
    block: Any
    marked: Marked
    loc: tuple


@dataclass
class SharedReference:
    reference: models.Reference
    marked: Marked
    loc: tuple

    @property
    def path(self) -> Path:
        return Path(self.marked.path)


@dataclass
class Project:
    """The shared parts of a specs folder: clinic profile, reusable blocks and the
    references they cite."""

    root: Path
    clinic: models.Clinic
    clinic_path: Path | None
    blocks: dict[str, SharedBlock] = field(default_factory=dict)
    block_files: dict[str, Path] = field(default_factory=dict)
    references: dict[str, SharedReference] = field(default_factory=dict)
    warnings: dict[Path, list[Diagnostic]] = field(default_factory=dict)  # by part file
    deck_template: Path | None = None  # the profile's `deck_template`, resolved
    deck_template_mark: Mark | None = None  # where the profile names it


def _deck_template(root: Path, name: str, mark) -> tuple[Path | None, list[Diagnostic]]:
    """The profile's deck template: a .pptx/.potx file inside the specs folder."""
    raw = Path(name)
    base = root.resolve()
    if raw.is_absolute() or ".." in raw.parts:
        return None, [mark.error(f"deck_template '{name}' must be a path inside the specs "
                                 "folder (no '..', not absolute)")]
    path = (base / raw).resolve()
    if not path.is_relative_to(base):
        return None, [mark.error(f"deck_template '{name}' leads outside the specs folder")]
    if not path.is_file():
        return None, [mark.error(f"deck_template '{name}' not found in {root}")]
    if path.suffix.lower() not in (".pptx", ".potx"):
        return None, [mark.error(f"deck_template '{name}' must be a .pptx or .potx file")]
    return path, []


DEFAULT_CLINIC = models.Clinic(name="（医療機関名を specs/_clinic.yaml に記入）")


def load_spec(path: Path) -> LoadedSpec:
    """Load and validate one topic spec, or raise SpecError with every problem."""
    spec, marked, diags = load_file(path, models.Spec)
    if spec is None or _errors(diags):
        raise SpecError(diags)
    return LoadedSpec(path, spec, marked, diags)


def load_project(root: Path, profile: Path | None = None) -> Project:
    """Load `_clinic.yaml` (or `profile`) and every other `_*.yaml` of shared parts."""
    diags: list[Diagnostic] = []
    clinic_path = profile or (root / "_clinic.yaml")
    clinic = DEFAULT_CLINIC
    project = Project(root, clinic, None)
    if clinic_path.exists():
        value, marked, d = load_file(clinic_path, models.Clinic)
        diags += d
        project.clinic, project.clinic_path = value or clinic, clinic_path
        project.warnings[clinic_path] = [x for x in d if x.severity == "warning"]
        if project.clinic.deck_template:
            project.deck_template_mark = marked.mark(("deck_template",))
            project.deck_template, d = _deck_template(root, project.clinic.deck_template,
                                                      project.deck_template_mark)
            diags += d
    for part in sorted(root.glob("_*.yaml")):
        if part.name.startswith("_clinic"):
            continue
        value, marked, d = load_file(part, models.SharedParts)
        diags += d
        project.warnings[part] = [x for x in d if x.severity == "warning"]
        if value is None:
            continue
        for key, block in value.model_extra.items():
            project.blocks[key] = SharedBlock(block, marked, (key,))
            project.block_files[key] = part
        for i, ref in enumerate(value.references):
            first = project.references.get(ref.id)
            at = marked.mark(("references", i))
            if first is not None:
                was = first.marked.mark(first.loc)
                diags.append(at.error(f"reference id '{ref.id}' is already defined in "
                                      f"{was.path} at line {was.line}"))
            project.references[ref.id] = SharedReference(ref, marked, ("references", i))
    if _errors(diags):
        raise SpecError(diags)
    return project


def topic_specs(root: Path) -> list[Path]:
    """Topic specs of a folder: every *.yaml whose name does not start with '_'."""
    return sorted(p for p in root.glob("*.yaml") if not p.name.startswith("_"))
