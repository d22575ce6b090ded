"""A pose: the joint angles of an exercise's start and end, what carries the body, what is
held, and the muscle it stretches. Pure data, validated against the reference ranges of
motion so a figure a patient copies never shows more than a normal joint does.

Angles (degrees, all optional, 0 = standing upright, arms hanging)
-----------------------------------------------------------------
- ``body: {pitch, roll}`` the whole figure tipped forward (lying on the back: −90, on the
  front: 90) or onto its left side.
- ``trunk: {lean, side}`` forward lean of the trunk from the pelvis, sideways lean to the
  figure's left. The legs hang from an upright pelvis frame, so leaning forward at the hips
  with a straight back changes only ``trunk``.
- ``hip.left|right: {flex, abduct, rotate}`` thigh forward, out to the side, turned out.
- ``knee.left|right``, ``elbow.left|right``: bend (a number, or ``{flex: n}``).
- ``ankle.left|right``: toes up (+) or pointed (−).
- ``shoulder.left|right: {flex, abduct}`` arm forward, out to the side.
- ``head``: nod forward.

Limits
------
`LIMITS` are the reference ranges of motion (参考可動域) of 「関節可動域表示ならびに測定法」
(日本整形外科学会・日本リハビリテーション医学会, 1995; the values kept in the 2022
revision). Hip flexion there is measured against the trunk line, so the hip's limit applies
to ``hip.flex + trunk.lean``. Two entries are the model's, not the table's, and say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

LIBRARY = Path(__file__).with_name("poses.yaml")

SIDES = ("left", "right")
JOINTS = ("body", "trunk", "head", *(f"{j}.{s}" for j in ("hip", "knee", "ankle", "shoulder", "elbow")
                             for s in SIDES))
ANGLE_NAMES = {"body": ("pitch", "roll"), "trunk": ("lean", "side"), "head": ("flex",),
               **{f"hip.{s}": ("flex", "abduct", "rotate") for s in SIDES},
               **{f"shoulder.{s}": ("flex", "abduct") for s in SIDES},
               **{f"{j}.{s}": ("flex",) for j in ("knee", "ankle", "elbow") for s in SIDES}}
POINTS = tuple(f"{p}.{s}" for p in ("hip", "knee", "foot", "heel", "toe", "hand", "elbow",
                                    "shoulder") for s in SIDES) + ("head", "pelvis", "neck")
SEGMENTS = ("pelvis", "chest", "neck", "head",
            *(f"{g}.{s}" for g in ("buttock", "thigh", "shank", "foot", "upperarm", "forearm",
                                   "hand") for s in SIDES))
FACES = ("front", "back", "inner", "outer")

# (lowest, highest, what the numbers are) per joint and angle, in this model's signs
LIMITS: dict[tuple[str, str], tuple[float, float, str]] = {
    ("hip", "flex"): (-15, 125, "伸展 15°・屈曲 125°, against the trunk line"),
    ("hip", "abduct"): (-20, 45, "内転 20°・外転 45°"),
    ("hip", "rotate"): (-45, 45, "内旋 45°・外旋 45°"),
    ("knee", "flex"): (0, 130, "伸展 0°・屈曲 130°"),
    ("ankle", "flex"): (-45, 20, "底屈 45°・背屈 20°"),
    ("shoulder", "flex"): (-50, 180, "伸展 50°・屈曲 180°"),
    # 内転 is 0° with the arm at the side; an arm resting on the thigh or the hip passes
    # in front of or behind the trunk (水平屈曲 135°), and the model's shoulder sits inside
    # the acromion, so a little adduction is allowed
    ("shoulder", "abduct"): (-30, 180, "内転 0° at the side, −30° past the trunk・外転 180°"),
    ("elbow", "flex"): (-5, 145, "伸展 5°・屈曲 145°"),
    # 胸腰部 伸展 30°, 屈曲 45°; a forward lean with a straight back happens at the hips
    # (the model's pelvis stays upright), which the hip's limit checks
    ("trunk", "lean"): (-30, 90, "伸展 30°; forward, the hips' flexion limit"),
    ("trunk", "side"): (-50, 50, "側屈 50°"),
    ("head", "flex"): (-50, 60, "頸部 伸展 50°・屈曲 60°"),
    ("body", "pitch"): (-180, 180, "the whole body's tilt"),
    ("body", "roll"): (-180, 180, "the whole body's tilt"),
}


class Problem(NamedTuple):
    path: tuple  # keys inside the pose's mapping
    message: str
    key: bool = False  # about the key at `path` (a misspelt name), not its value


class PoseError(ValueError):
    """Every problem of a pose, each with where in the pose's mapping it is."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Highlight:
    segment: str
    face: str = "front"  # which surface of the segment: front | back | inner | outer
    span: tuple[float, float] = (0.1, 0.9)  # part of the segment's length


@dataclass(frozen=True)
class Pose:
    name: str
    says: str  # the movement in words, for the alt text
    stretches: str  # the highlighted muscle in words
    start: dict
    end: dict
    highlight: Highlight
    view: float = 0.0  # 0 = from the side facing right, −90 = from the front
    support: str = "floor"  # floor | chair (sitting on it)
    anchor: str = "pelvis"  # the point that stays in place from start to end
    arrow: str | None = None  # the point whose path the motion arrow shows
    arrow_offset: tuple[float, float] = (0.0, 0.0)  # in H: right, up
    contacts: tuple[str, ...] = ()  # points that rest on the floor (or on the towel)
    seat_front: float = 0.7  # chair: how far along the thigh the seat reaches
    hold: tuple[str, ...] = ()  # hands resting on the top of a chair's back
    hold_toward: str = "front"  # where the held chair's seat points: front | left | right
    towel: str | None = None  # a folded towel under this point (a knee)
    frames: int = 2  # 2: start and end side by side, numbered; 1: the start pale beneath

    @classmethod
    def from_data(cls, name: str, data: dict) -> "Pose":
        """Build from a mapping as written in poses.yaml or in a spec. Raises PoseError
        with every problem and where in the mapping it is."""
        data = dict(data)
        problems: list[Problem] = []
        hl = dict(data.pop("highlight", None) or {})
        if hl.get("segment") not in SEGMENTS:
            problems.append(Problem(("highlight", "segment"), f"highlight segment "
                                    f"'{hl.get('segment')}' is not one of " + ", ".join(SEGMENTS)))
        if hl.get("face", "front") not in FACES:
            problems.append(Problem(("highlight", "face"), f"highlight face '{hl['face']}' is "
                                    "not one of " + ", ".join(FACES)))
        highlight = Highlight(hl.get("segment", ""), hl.get("face", "front"),
                              tuple(hl.get("span", (0.1, 0.9))))
        angles = {}
        for k in ("start", "end"):
            angles[k], bad = angles_of(data.pop(k, None) or {})
            problems += [p._replace(path=(k,) + p.path) for p in bad]
        end = angles["end"] or angles["start"]
        if not problems:
            for k in ("start", "end"):
                problems += [p._replace(path=(k,) + p.path) for p in out_of_range(angles[k])]
        arrow = data.pop("arrow", None)
        offset = (0.0, 0.0)
        if isinstance(arrow, dict):
            offset = tuple(arrow.get("offset", offset))
            arrow = arrow.get("point")
        named = [(("arrow", "point"), arrow), (("anchor",), data.get("anchor")),
                 (("towel",), data.get("towel"))]
        named += [(("contacts", i), p) for i, p in enumerate(data.get("contacts", ()))]
        named += [(("hold", i), p) for i, p in enumerate(data.get("hold", ()))]
        for path, p in named:
            if p is not None and p not in POINTS:
                problems.append(Problem(path, f"point '{p}' is not one of " + ", ".join(POINTS)))
        if problems:
            raise PoseError(problems)
        return cls(name=name, says=data.pop("says"), stretches=data.pop("stretches"),
                   start=angles["start"], end=end, highlight=highlight, arrow=arrow,
                   arrow_offset=offset, contacts=tuple(data.pop("contacts", ())),
                   hold=tuple(data.pop("hold", ())), **data)


def angles_of(raw: dict) -> tuple[dict, list[Problem]]:
    """Normalise {joint: number | {angle: number}} to {joint: {angle: number}}, with the
    problems found (path, message)."""
    out, problems = {}, []
    for joint, val in raw.items():
        if joint not in ANGLE_NAMES:
            problems.append(Problem((joint,), f"unknown joint '{joint}' (known: "
                                    f"{', '.join(JOINTS)})", key=True))
            continue
        bare = isinstance(val, (int, float))
        val = {ANGLE_NAMES[joint][0]: val} if bare else dict(val)
        out[joint] = {}
        for k, x in val.items():
            if k not in ANGLE_NAMES[joint]:
                problems.append(Problem((joint, k), f"'{joint}' has no angle '{k}' (it has: "
                                        + ", ".join(ANGLE_NAMES[joint]) + ")", key=True))
            else:
                out[joint][k] = float(x)
    return out, problems


def out_of_range(angles: dict) -> list[Problem]:
    """Angles outside LIMITS: (path to the value as written, message)."""
    problems = []
    lean = angles.get("trunk", {}).get("lean", 0.0)
    for joint, vals in angles.items():
        kind = joint.partition(".")[0]
        for k, x in vals.items():
            lo, hi, what = LIMITS[(kind, k)]
            value, extra = x, ""
            if (kind, k) == ("hip", "flex") and lean:
                value, extra = x + lean, f" (with the trunk's lean of {lean:g}°)"
            if not lo <= value <= hi:
                problems.append(Problem((joint, k), f"{joint} {k} of {value:g}°{extra} is outside the "
                                 f"reference range of motion ({lo:g}° to {hi:g}°: {what}; "
                                 "日本整形外科学会・日本リハビリテーション医学会); a patient "
                                 "copying the figure would overdo it"))
    if lean and "trunk" in angles:  # a hip left at 0 still flexes with the lean
        lo, hi, what = LIMITS[("hip", "flex")]
        for side in SIDES:
            if "flex" not in angles.get(f"hip.{side}", {}) and not lo <= lean <= hi:
                problems.append(Problem(("trunk", "lean"), f"trunk lean of {lean:g}° bends the "
                                 f"{side} hip {lean:g}°, outside the reference range of "
                                 f"motion ({lo:g}° to {hi:g}°: {what})"))
                break
    return problems


@lru_cache(maxsize=1)
def library() -> dict[str, Pose]:
    """The shipped pose library (poses.yaml), validated."""
    import yaml

    raw = yaml.safe_load(LIBRARY.read_text(encoding="utf-8"))
    return {name: Pose.from_data(name, data) for name, data in raw.items()}
