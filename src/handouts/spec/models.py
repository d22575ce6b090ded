"""The spec language as pydantic models: the single source of the JSON Schema.

A block is a mapping with exactly one kind key (``text:``, ``bullets:``, ``callout:`` …) and
optionally ``only: handout|deck``. Inline text may contain ``{base|reading}`` (ruby),
``{term}`` (a glossary term), ``[@ref]`` (a citation) and ``**strong**``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Union

from pydantic import (BaseModel, ConfigDict, Discriminator, Field, StringConstraints, Tag,
                      model_validator)

Inline = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Items = Annotated[list[Inline], Field(min_length=1, max_length=40)]
RefId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")]
Only = Literal["handout", "deck"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


class Callout(Strict):
    """A boxed message. danger = go now; warning = see a doctor soon; info = good to know."""

    kind: Literal["danger", "warning", "info"]
    title: Inline
    text: Inline | None = None
    items: list[Inline] = Field(default_factory=list, max_length=40)
    tier: Literal["now", "today", "soon"] | None = Field(None, description=(
        "in a shared block: the urgency tier this box defines for every spec (now = go to "
        "emergency care / 119, today = see a doctor the same or next day, soon = see a "
        "doctor soon); `handouts check` keeps every spec in line with it"))
    signs: list[Inline] = Field(default_factory=list, max_length=40, description=(
        "in a tier box: words that name its symptoms (e.g. おしっこ, 股); other text that "
        "mentions them may not give them a lower tier. Not printed"))


class Flow(Strict):
    """A left-to-right sequence of stages joined by arrows."""

    steps: Annotated[list[Inline], Field(min_length=2, max_length=8)]
    highlight: str | None = Field(None, description="the step drawn emphasised")
    caption: Inline | None = None

    @model_validator(mode="after")
    def _highlight_is_a_step(self) -> "Flow":
        if self.highlight is not None and self.highlight not in self.steps:
            raise ValueError(f"highlight '{self.highlight}' is not one of the steps")
        return self


class TreeNode(Strict):
    label: Inline
    note: Inline | None = Field(None, description="small text under the label")
    highlight: bool = False
    children: list["TreeNode"] = Field(default_factory=list, max_length=8)


class Tree(Strict):
    """A path or tree diagram drawn top-down from `root`."""

    root: TreeNode
    caption: Inline | None = None


class Chart(Strict):
    """A bar chart. `source` names a reference id; values are in `unit`."""

    kind: Literal["bar"] = "bar"
    title: Inline | None = None
    unit: Inline
    source: RefId
    data: Annotated[dict[str, float], Field(min_length=1, max_length=12)]
    max: float | None = Field(None, description="axis maximum (default: largest value)")
    caption: Inline | None = None


class Table(Strict):
    header: Annotated[list[Inline], Field(min_length=1, max_length=6)]
    rows: Annotated[list[Annotated[list[Inline], Field(min_length=1, max_length=6)]],
                    Field(min_length=1, max_length=30)]
    caption: Inline | None = None

    @model_validator(mode="after")
    def _rows_match_header(self) -> "Table":
        for i, row in enumerate(self.rows, 1):
            if len(row) != len(self.header):
                raise ValueError(f"row {i} has {len(row)} cells but the header has "
                                 f"{len(self.header)}")
        return self


Width = Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)?\s*(mm|cm|%)$")]
Height = Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)?\s*(mm|cm)$")]


class Figure(Strict):
    """A picture (PNG or JPEG; a phone photo is turned upright by its EXIF orientation)."""

    image: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    alt: str = Field("", description="what the picture shows, for readers who cannot see it")
    caption: Inline | None = None
    width: Width | None = Field(
        None, description="how wide it is shown: 60mm, 6cm, or 50% (of the leaflet's column, "
        "of the slide's space for it); never wider than that")
    height: Height | None = Field(
        None, description="how tall it is shown: 40mm or 4cm (with width: it fits inside "
        "both); never taller than a leaflet figure (90mm) or the slide's space")


AngleSet = dict[str, Union[float, dict[str, float]]]


class PoseHighlight(Strict):
    segment: str = Field(description="body segment, e.g. thigh.right, buttock.left")
    face: Literal["front", "back", "inner", "outer"] = "front"
    span: tuple[float, float] = Field((0.1, 0.9), description="part of the segment's length")


class PoseArrow(Strict):
    point: str = Field(description="the body point whose movement the arrow shows")
    offset: tuple[float, float] = Field((0.0, 0.0), description="shift in body heights: right, up")


class Pose(Strict):
    """An exercise figure given by joint angles (degrees; see diagrams/pose.py). Every
    angle must lie within the joint's reference range of motion (日本整形外科学会・日本
    リハビリテーション医学会): a figure patients copy never overdoes a joint."""

    says: Inline = Field(description="the movement in words (alt text)")
    stretches: Inline = Field(description="the highlighted muscle in words (alt text)")
    view: float = Field(0.0, description="0 = from the side facing right, -90 = from the front")
    support: Literal["floor", "chair"] = Field("floor", description="chair: sitting on one")
    anchor: str = "pelvis"
    contacts: list[str] = Field(default_factory=list, description="points resting on the floor")
    hold: list[str] = Field(default_factory=list, description=(
        "hands resting on the top of a chair's back, e.g. [hand.right]"))
    hold_toward: Literal["front", "left", "right"] = Field(
        "front", description="where the held chair's seat points, from its back")
    towel: str | None = Field(None, description="a folded towel under this point (a knee)")
    highlight: PoseHighlight
    arrow: PoseArrow | None = None
    seat_front: float = Field(0.7, ge=0.1, le=1.0)
    frames: Literal[1, 2] = Field(2, description=(
        "2: start and end side by side, numbered ① ②; 1: the start pale beneath the end"))
    start: AngleSet
    end: AngleSet | None = None


class Exercise(Strict):
    name: Inline
    pose: Annotated[str, StringConstraints(min_length=1)] | Pose | None = Field(
        None, description="a pose from the pose library, or joint angles (drawn as a figure)")
    target: Inline | None = Field(None, description="what it stretches or strengthens")
    position: Inline | None = None
    steps: Items
    hold_seconds: Annotated[int, Field(ge=1, le=600)] | None = None
    reps: Annotated[int, Field(ge=1, le=100)] | None = None
    breathing: Inline | None = None
    stop_if: Inline | None = None


ANATOMY_SITES = ("L3-medial-branch", "L4-medial-branch", "L5-dorsal-ramus", "L3/4-facet",
                 "L4/5-facet", "L5/S1-facet", "L4-tp", "L5-tp", "mal")
Site = Literal[ANATOMY_SITES]  # type: ignore[valid-type]


class AnatomyTarget(Strict):
    at: Site
    text: Inline = Field(description="what the numbered marker stands for")


class Anatomy(Strict):
    """The lumbar spine from behind (L3–S1): bones, facet joints and the medial branches."""

    figure: Literal["lumbar-posterior"] = "lumbar-posterior"
    detail: Literal["full", "simple"] = Field(
        "full", description="full: practitioners' labels; simple: a few plain labels")
    targets: list[AnatomyTarget] = Field(default_factory=list, max_length=6)
    emphasis: list[Site] = Field(default_factory=list)
    caption: Inline | None = None


class Quiz(Strict):
    question: Inline
    choices: list[Inline] = Field(default_factory=list, max_length=6)
    answer: Inline
    explanation: Inline | None = None


class _Block(Strict):
    only: Only | None = Field(None, description="show only in the handout or only in the deck")


class TextBlock(_Block):
    text: Inline


class BulletsBlock(_Block):
    bullets: Items


class StepsBlock(_Block):
    steps: Items


class ChecklistBlock(_Block):
    checklist: Items


class CalloutBlock(_Block):
    callout: Callout


class FlowBlock(_Block):
    flow: Flow


class TreeBlock(_Block):
    tree: Tree


class ChartBlock(_Block):
    chart: Chart


class TableBlock(_Block):
    table: Table


class FigureBlock(_Block):
    figure: Figure


class ExerciseBlock(_Block):
    exercise: Exercise


class AnatomyBlock(_Block):
    anatomy: Anatomy


class QuizBlock(_Block):
    quiz: Quiz


class UseBlock(_Block):
    use: Annotated[str, StringConstraints(min_length=1)] = Field(
        description="id of a shared block in specs/_blocks.yaml")


BLOCK_MODELS: dict[str, type[_Block]] = {
    "text": TextBlock, "bullets": BulletsBlock, "steps": StepsBlock,
    "checklist": ChecklistBlock, "callout": CalloutBlock, "flow": FlowBlock,
    "tree": TreeBlock, "chart": ChartBlock, "table": TableBlock, "figure": FigureBlock,
    "exercise": ExerciseBlock, "quiz": QuizBlock, "anatomy": AnatomyBlock, "use": UseBlock,
}
BLOCK_KINDS = tuple(BLOCK_MODELS)


def block_kind(value: Any) -> str | None:
    """Which block kind a raw mapping (or model) is: its one kind key."""
    if isinstance(value, BaseModel):
        return next((k for k, m in BLOCK_MODELS.items() if isinstance(value, m)), None)
    if isinstance(value, dict):
        kinds = [k for k in value if k in BLOCK_MODELS]
        return kinds[0] if len(kinds) == 1 else None
    return None


Block = Annotated[
    Union[tuple(Annotated[m, Tag(k)] for k, m in BLOCK_MODELS.items())],  # type: ignore
    Discriminator(block_kind, custom_error_type="block_kind",
                  custom_error_message="a block needs exactly one kind key: "
                  + ", ".join(BLOCK_KINDS)),
]


class Section(Strict):
    heading: Inline
    blocks: Annotated[list[Block], Field(min_length=1, max_length=60)]
    notes: Annotated[str, StringConstraints(max_length=4000)] | None = Field(
        None, description="speaker notes for this section's slides")
    only: Only | None = None


class Reference(Strict):
    id: RefId
    cite: Inline
    doi: Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None


class Furigana(Strict):
    """Automatic readings (ruby) over the words patients may not be able to read."""

    grade: int = Field(ge=1, le=6, description=(
        "a word with a kanji not taught by the end of this school grade (学年別漢字配当表, "
        "1-6) gets its reading on its first use in each section; `handouts ruby` shows them"))


class Handout(Strict):
    """Leaflet-only front matter: lets a practitioners' deck ship a plain patient leaflet."""

    audience: Literal["patients", "practitioners"] = "patients"
    title: Inline | None = None
    subtitle: Inline | None = None
    key_points: Annotated[list[Inline], Field(min_length=1, max_length=5)] | None = None


class Spec(Strict):
    """One topic: a patient leaflet and a seminar deck from the same source."""

    model_config = ConfigDict(extra="forbid", frozen=True,
                              json_schema_extra={"title": "handouts topic spec"})

    title: Inline
    subtitle: Inline | None = None
    audience: Literal["patients", "practitioners"]
    reviewed: dt.date
    review_by: dt.date
    key_points: Annotated[list[Inline], Field(min_length=1, max_length=5)]
    sections: Annotated[list[Section], Field(min_length=1, max_length=40)]
    glossary: dict[str, Inline] = Field(default_factory=dict)
    references: list[Reference] = Field(default_factory=list, max_length=60)
    handout: Handout | None = Field(
        None, description="title, subtitle, key points and audience for the leaflet only")
    furigana: Furigana | None = Field(
        None, description="automatic readings for this spec (wins over the clinic profile's)")

    @model_validator(mode="after")
    def _dates_in_order(self) -> "Spec":
        if self.review_by < self.reviewed:
            raise ValueError("review_by is earlier than reviewed")
        return self


class Clinic(Strict):
    """The clinic profile printed in every footer and on the closing slide."""

    name: Inline
    address: Inline | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^[0-9０-９+()\- ]{6,20}$")] | None = None
    hours: Inline | None = None
    url: Annotated[str, StringConstraints(pattern=r"^(https?|mailto|tel):\S+$")] | None = None
    accent: Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")] = "#1F5C99"
    author: Inline | None = Field(None, description="author shown in document properties")
    deck_template: str | None = Field(
        None, description="PowerPoint template (.pptx or .potx) the decks are built on, a "
        "path inside the specs folder; `handouts build --template` overrides it")
    furigana: Furigana | None = Field(
        None, description="automatic readings in every patient spec that sets none itself")
    readability_target: float = Field(4.5, ge=0, le=7, description=(
        "`handouts check` warns when a patient spec's jReadability score is below this "
        "(4.5 and up: 初級後半, easy)"))


class SharedParts(BaseModel):
    """A file of shared parts (`specs/_blocks.yaml`): blocks by id, which specs include with
    `use: id`, and the references those blocks cite. A shared reference joins a spec's list
    (numbered after the spec's own) only when the spec cites it; a spec's own reference of
    the same id wins."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, Block] = Field(init=False)
    references: list[Reference] = Field(default_factory=list, max_length=60)
