"""Load spec files: YAML with marks, validated by the pydantic models, problems located."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..diagnostics import Diagnostic, SpecError
from . import models
from .yamlmarks import Marked, load as load_yaml

_ADAPTERS: dict[Any, TypeAdapter] = {}
_FIELD_NAMES = sorted({
    name for m in (models.Spec, models.Section, models.Reference, models.Clinic,
                   models.Callout, models.Flow, models.Tree, models.TreeNode, models.Chart,
                   models.Table, models.Figure, models.Exercise, models.Quiz,
                   *models.BLOCK_MODELS.values())
    for name in m.model_fields})


def _adapter(model: Any) -> TypeAdapter:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(model)
    return _ADAPTERS[model]


def _message(err: dict) -> str:
    loc = err["loc"]
    name = next((str(x) for x in reversed(loc) if isinstance(x, str)), "")
    kind = err["type"]
    if kind == "extra_forbidden":
        hint = difflib.get_close_matches(str(loc[-1]), _FIELD_NAMES, n=1)
        tip = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"unknown key '{loc[-1]}'{tip}"
    if kind == "missing":
        return f"missing required key '{loc[-1]}'"
    if kind == "block_kind":
        return err["msg"]
    got = type(err.get("input")).__name__
    pretty = {"dict": "a mapping", "list": "a list", "int": "a number", "float": "a number",
              "str": "text", "NoneType": "nothing", "bool": "true/false", "date": "a date"}
    if kind in ("string_type", "list_type", "dict_type", "int_type", "float_type",
                "bool_type", "model_type", "date_type", "int_from_float"):
        want = {"string_type": "text", "list_type": "a list", "dict_type": "a mapping",
                "int_type": "a whole number", "float_type": "a number",
                "bool_type": "true or false", "model_type": "a mapping",
                "date_type": "a date (YYYY-MM-DD)", "int_from_float": "a whole number"}[kind]
        return f"'{name}' should be {want}, not {pretty.get(got, got)}"
    if kind.startswith("date_"):
        return f"'{name}' should be a date written YYYY-MM-DD"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return f"'{name}': {msg[0].lower()}{msg[1:]}" if name else msg


def validate(marked: Marked, model: Any) -> tuple[Any, list[Diagnostic]]:
    """Validate loaded YAML against a model; every failure becomes a located diagnostic."""
    try:
        return _adapter(model).validate_python(marked.data), []
    except ValidationError as exc:
        diags = []
        for err in exc.errors(include_url=False):
            at_key = err["type"] in ("extra_forbidden",)
            mark = marked.mark(err["loc"], key=at_key)
            diags.append(mark.error(_message(err)))
        # one message per place is enough (unions can repeat themselves)
        return None, sorted(set(diags), key=lambda d: (d.line, d.col, d.message))


def load_file(path: Path, model: Any) -> tuple[Any, Marked | None, list[Diagnostic]]:
    marked, diags = load_yaml(path)
    if marked is None:
        return None, marked, diags
    if not isinstance(marked.data, dict) and model is not models.SharedBlocks:
        return None, marked, diags + [marked.mark(()).error(
            "a spec must be a mapping of keys such as 'title:' and 'sections:'")]
    value, more = validate(marked, model)
    seen = {(d.line, d.col) for d in diags}  # a bad value is reported once, by the reader
    more = [d for d in more if (d.line, d.col) not in seen]
    if diags:
        value = None
    return value, marked, diags + more


@dataclass
class LoadedSpec:
    path: Path
    spec: models.Spec
    marked: Marked


@dataclass
class SharedBlock:
    block: Any
    marked: Marked
    loc: tuple


@dataclass
class Project:
    """The shared parts of a specs folder: clinic profile and reusable blocks."""

    root: Path
    clinic: models.Clinic
    clinic_path: Path | None
    blocks: dict[str, SharedBlock] = field(default_factory=dict)
    block_files: dict[str, Path] = field(default_factory=dict)
    deck_template: Path | None = None  # the profile's `deck_template`, resolved


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
    if spec is None or diags:
        raise SpecError(diags)
    return LoadedSpec(path, spec, marked)


def load_project(root: Path, profile: Path | None = None) -> Project:
    """Load `_clinic.yaml` (or `profile`) and every other `_*.yaml` of shared blocks."""
    diags: list[Diagnostic] = []
    clinic_path = profile or (root / "_clinic.yaml")
    clinic = DEFAULT_CLINIC
    if clinic_path.exists():
        value, marked, d = load_file(clinic_path, models.Clinic)
        diags += d
        clinic = value or clinic
    else:
        clinic_path = None
    project = Project(root, clinic, clinic_path)
    if clinic.deck_template:
        project.deck_template, d = _deck_template(root, clinic.deck_template,
                                                  marked.mark(("deck_template",)))
        diags += d
    for part in sorted(root.glob("_*.yaml")):
        if part.name.startswith("_clinic"):
            continue
        value, marked, d = load_file(part, models.SharedBlocks)
        diags += d
        if value is None:
            continue
        for key, block in value.items():
            project.blocks[key] = SharedBlock(block, marked, (key,))
            project.block_files[key] = part
    if diags:
        raise SpecError(diags)
    return project


def topic_specs(root: Path) -> list[Path]:
    """Topic specs of a folder: every *.yaml whose name does not start with '_'."""
    return sorted(p for p in root.glob("*.yaml") if not p.name.startswith("_"))
