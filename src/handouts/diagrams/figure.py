"""Exercise figures: a human figure posed by joint angles, drawn as rounded line art.

The body model
--------------
Segment lengths are fractions of standing height H from Drillis & Contini's body-segment
proportions (1966, as tabulated in Winter, *Biomechanics and Motor Control of Human
Movement*): hip joint at 0.530 H, knee 0.285 H, ankle 0.039 H, shoulder 0.818 H, chin
0.870 H, head 0.130 H tall; upper arm 0.186 H, forearm 0.146 H, hand 0.108 H, foot 0.152 H
long; shoulders 0.259 H and hips 0.191 H wide. Limb thicknesses (not in that table) are
typical adult values. Each limb is a tapered capsule between two joints; the torso is a
pelvis and a chest of elliptical cross-section, so it is wider seen from the front than
from the side.

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

A pose (see ``poses.yaml``) gives a `start` and an `end` set of angles, the view (``view``:
0 = from the side facing right, −90 = from the front, between = three-quarter), what
carries the body (``support: floor|chair``), the muscle to highlight, and the point a motion
arrow follows. The lowest point of the body rests on the floor; on a chair the seat is
drawn under the buttocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from . import vector as v
from .vector import Art, Shape

LIBRARY = Path(__file__).with_name("poses.yaml")

# Drillis & Contini, fractions of height
HIP_Z, KNEE_Z, ANKLE_Z, SHOULDER_Z, CHIN_Z = 0.530, 0.285, 0.039, 0.818, 0.870
THIGH, SHANK = HIP_Z - KNEE_Z, KNEE_Z - ANKLE_Z
UPPER_ARM, FOREARM, HAND, FOOT = 0.186, 0.146, 0.108, 0.152
HIP_HALF = 0.191 / 2 * 0.55  # hip joint centres, inside the trochanters
SHOULDER_HALF = 0.259 / 2 * 0.78  # shoulder joint centres, inside the acromions
HEAD_R = 0.130 / 2

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

INK = v.INK
GHOST_INK, GHOST_FILL = "A6A6A6", "F2F2F2"
NEAR_FILL, FAR_FILL = "FFFFFF", "E4E4E4"
PROP_INK, PROP_FILL = "595959", "EDEDED"


# -- data ------------------------------------------------------------------------------------
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
    view: float = 0.0
    support: str = "floor"  # floor | chair
    anchor: str = "pelvis"  # the point that stays in place from start to end
    arrow: str | None = None  # the point whose path the motion arrow shows
    arrow_offset: tuple[float, float] = (0.0, 0.0)  # in H: right, up
    contacts: tuple[str, ...] = ()  # points that rest on the floor
    seat_front: float = 0.7  # chair: how far along the thigh the seat reaches

    @classmethod
    def from_data(cls, name: str, data: dict) -> "Pose":
        """Build from a mapping as written in poses.yaml or in a spec (ValueError if bad)."""
        data = dict(data)
        hl = dict(data.pop("highlight"))
        if hl.get("segment") not in SEGMENTS:
            raise ValueError(f"highlight segment '{hl.get('segment')}' is not one of "
                             + ", ".join(SEGMENTS))
        if hl.get("face", "front") not in FACES:
            raise ValueError(f"highlight face '{hl['face']}' is not one of " + ", ".join(FACES))
        highlight = Highlight(hl["segment"], hl.get("face", "front"),
                              tuple(hl.get("span", (0.1, 0.9))))
        angles = {k: angles_of(data.pop(k, None) or {}) for k in ("start", "end")}
        arrow = data.pop("arrow", None)
        offset = (0.0, 0.0)
        if isinstance(arrow, dict):
            offset = tuple(arrow.get("offset", offset))
            arrow = arrow.get("point")
        for p in (arrow, data.get("anchor"), *data.get("contacts", ())):
            if p is not None and p not in POINTS:
                raise ValueError(f"point '{p}' is not one of " + ", ".join(POINTS))
        return cls(name=name, says=data.pop("says"), stretches=data.pop("stretches"),
                   start=angles["start"], end=angles["end"] or angles["start"],
                   highlight=highlight, arrow=arrow, arrow_offset=offset,
                   contacts=tuple(data.pop("contacts", ())), **data)


def angles_of(raw: dict) -> dict:
    """Normalise {joint: number | {angle: number}} to {joint: {angle: number}}."""
    out = {}
    for joint, val in raw.items():
        if joint not in ANGLE_NAMES:
            raise ValueError(f"unknown joint '{joint}' (known: {', '.join(JOINTS)})")
        val = {ANGLE_NAMES[joint][0]: val} if isinstance(val, (int, float)) else dict(val)
        for k in val:
            if k not in ANGLE_NAMES[joint]:
                raise ValueError(f"'{joint}' has no angle '{k}' (it has: "
                                 + ", ".join(ANGLE_NAMES[joint]) + ")")
        out[joint] = {k: float(x) for k, x in val.items()}
    return out


@lru_cache(maxsize=1)
def library() -> dict[str, Pose]:
    """The shipped pose library (poses.yaml), validated."""
    import yaml

    raw = yaml.safe_load(LIBRARY.read_text(encoding="utf-8"))
    return {name: Pose.from_data(name, data) for name, data in raw.items()}


# -- kinematics -------------------------------------------------------------------------------
Vec = tuple[float, float, float]


def _rot(axis: Vec, deg: float):
    """Rotation matrix (rows) about a unit axis."""
    x, y, z = axis
    a = math.radians(deg)
    c, s, t = math.cos(a), math.sin(a), 1 - math.cos(a)
    return ((t * x * x + c, t * x * y - s * z, t * x * z + s * y),
            (t * x * y + s * z, t * y * y + c, t * y * z - s * x),
            (t * x * z - s * y, t * y * z + s * x, t * z * z + c))


def _apply(m, p: Vec) -> Vec:
    return tuple(m[i][0] * p[0] + m[i][1] * p[1] + m[i][2] * p[2] for i in range(3))


class Frame:
    """An orientation: unit vectors forward (f), left (l), up (u) in world coordinates."""

    def __init__(self, f: Vec = (1, 0, 0), l: Vec = (0, 1, 0), u: Vec = (0, 0, 1)):  # noqa: E741
        self.f, self.l, self.u = f, l, u

    def turn(self, axis: str, deg: float) -> "Frame":
        """Rotate about one of the frame's own axes."""
        if not deg:
            return self
        m = _rot(getattr(self, axis), deg)
        return Frame(_apply(m, self.f), _apply(m, self.l), _apply(m, self.u))


def _add(p: Vec, q: Vec, k: float = 1.0) -> Vec:
    return (p[0] + k * q[0], p[1] + k * q[1], p[2] + k * q[2])


@dataclass
class Seg:
    name: str
    group: str  # segments of one group are drawn as one silhouette
    a: Vec
    ra: float
    b: Vec
    rb: float
    frame: Frame
    half: tuple[tuple[float, float], ...] | None = None  # torso: (half width, half depth)
    drawn: bool = True  # False: only an anchor (highlight, seat), the loft draws it


@dataclass(frozen=True)
class Section:
    """A horizontal slice of the torso: an ellipse `a` wide and `b` deep (half axes)."""

    centre: Vec
    frame: Frame
    a: float
    b: float


# the torso as slices: (height along the trunk from the hip joints, half width, half depth,
# forward offset), below the hips in the upright pelvis frame, above in the trunk's
TORSO = ((-0.075, 0.075, 0.055, -0.01), (-0.045, 0.102, 0.082, -0.028),
         (0.0, 0.106, 0.084, -0.018), (0.06, 0.098, 0.074, -0.006),
         (0.14, 0.086, 0.066, 0.0), (0.21, 0.096, 0.074, 0.012),
         (0.25, 0.112, 0.076, 0.008), (0.272, 0.108, 0.064, 0.0),
         (0.288, 0.072, 0.046, -0.004))


@dataclass
class Body:
    segs: list[Seg]
    points: dict[str, Vec] = field(default_factory=dict)
    torso: list[Section] = field(default_factory=list)

    def seg(self, name: str) -> Seg:
        return next(s for s in self.segs if s.name == name)

    def moved(self, d: Vec) -> "Body":
        return Body([Seg(s.name, s.group, _add(s.a, d), s.ra, _add(s.b, d), s.rb, s.frame,
                         s.half, s.drawn) for s in self.segs],
                    {k: _add(p, d) for k, p in self.points.items()},
                    [replace(t, centre=_add(t.centre, d)) for t in self.torso])

    def lowest(self) -> float:
        return min(min(s.a[2] - s.ra, s.b[2] - s.rb) for s in self.segs)


def pose_body(angles: dict) -> Body:
    """Forward kinematics: the body's segments in H units, pelvis at the origin, facing +x."""
    A = lambda j, k: angles.get(j, {}).get(k, 0.0)  # noqa: E731
    root = Frame().turn("l", A("body", "pitch")).turn("f", -A("body", "roll"))
    segs: list[Seg] = []
    pts: dict[str, Vec] = {"pelvis": (0.0, 0.0, 0.0)}
    trunk = root.turn("l", A("trunk", "lean")).turn("f", -A("trunk", "side"))
    waist = _add((0, 0, 0), trunk.u, 0.14)
    neck = _add((0, 0, 0), trunk.u, SHOULDER_Z - HIP_Z)
    pts["neck"] = neck
    segs.append(Seg("pelvis", "torso", _add((0, 0, 0), trunk.u, -0.02), 0.0, waist, 0.0,
                    trunk, ((0.105, 0.085), (0.085, 0.07)), drawn=False))
    segs.append(Seg("chest", "torso", waist, 0.0, _add(neck, trunk.u, -0.025), 0.0, trunk,
                    ((0.085, 0.07), (0.115, 0.075)), drawn=False))
    torso = []
    for h, a, b, off in TORSO:
        fr = root if h <= 0 else trunk
        torso.append(Section(_add(_add((0, 0, 0), fr.u, h), fr.f, off), fr, a, b))
    head_f = trunk.turn("l", A("head", "flex"))
    chin = _add(neck, head_f.u, CHIN_Z - SHOULDER_Z)
    head = _add(_add(chin, head_f.u, HEAD_R * 0.95), head_f.f, 0.012)
    pts["head"] = head
    segs.append(Seg("neck", "torso", neck, 0.033, chin, 0.03, head_f))
    segs.append(Seg("head", "torso", head, HEAD_R * 0.88, head, HEAD_R * 0.88, head_f))
    for side in SIDES:
        sgn = 1.0 if side == "left" else -1.0
        hip = _add((0, 0, 0), root.l, sgn * HIP_HALF)
        pts[f"hip.{side}"] = hip
        buttock = _add(_add(hip, root.f, -0.035), root.u, -0.01)
        segs.append(Seg(f"buttock.{side}", "torso", buttock, 0.058, buttock, 0.058, root,
                        drawn=False))
        th = (root.turn("l", -A(f"hip.{side}", "flex"))
              .turn("f", sgn * A(f"hip.{side}", "abduct")))
        th = th.turn("u", sgn * A(f"hip.{side}", "rotate"))
        knee = _add(hip, th.u, -THIGH)
        sh = th.turn("l", A(f"knee.{side}", "flex"))
        ankle = _add(knee, sh.u, -SHANK)
        ft = sh.turn("l", -A(f"ankle.{side}", "flex"))
        heel = _add(_add(ankle, ft.f, -0.03), ft.u, -0.022)
        toe = _add(_add(ankle, ft.f, FOOT - 0.045), ft.u, -0.028)
        pts.update({f"knee.{side}": knee, f"heel.{side}": heel, f"toe.{side}": toe,
                    f"foot.{side}": ankle})
        g = f"leg.{side}"
        segs += [Seg(f"thigh.{side}", g, hip, 0.062, knee, 0.036, th),
                 Seg(f"shank.{side}", g, knee, 0.036, ankle, 0.022, sh),
                 Seg(f"foot.{side}", g, heel, 0.02, toe, 0.014, ft)]
        shoulder = _add(_add(neck, trunk.u, -0.035), trunk.l, sgn * SHOULDER_HALF)
        pts[f"shoulder.{side}"] = shoulder
        ua = (trunk.turn("l", -A(f"shoulder.{side}", "flex"))
              .turn("f", sgn * A(f"shoulder.{side}", "abduct")))
        elbow = _add(shoulder, ua.u, -UPPER_ARM)
        fa = ua.turn("l", -A(f"elbow.{side}", "flex"))
        wrist = _add(elbow, fa.u, -FOREARM)
        hand = _add(wrist, fa.u, -HAND * 0.55)
        pts.update({f"elbow.{side}": elbow, f"hand.{side}": hand})
        g = f"arm.{side}"
        segs += [Seg(f"upperarm.{side}", g, shoulder, 0.033, elbow, 0.025, ua),
                 Seg(f"forearm.{side}", g, elbow, 0.025, wrist, 0.018, fa),
                 Seg(f"hand.{side}", g, wrist, 0.02, hand, 0.017, fa)]
    return Body(segs, pts, torso)


def contact_height(body: Body, point: str) -> float:
    """Height above the floor of the lowest surface around a named point."""
    kind, _, side = point.partition(".")
    names = {"knee": [f"thigh.{side}", f"shank.{side}"], "foot": [f"foot.{side}"],
             "heel": [f"foot.{side}"], "toe": [f"foot.{side}"],
             "hand": [f"hand.{side}"]}.get(kind)
    if names is None:
        p = body.points[point]
        return p[2]
    if kind == "knee":
        return body.seg(f"shank.{side}").a[2] - body.seg(f"shank.{side}").ra
    if kind in ("heel", "toe"):
        s = body.seg(f"foot.{side}")
        return (s.a[2] - s.ra) if kind == "heel" else (s.b[2] - s.rb)
    return min(min(s.a[2] - s.ra, s.b[2] - s.rb) for s in body.segs if s.name in names)


@dataclass
class Scene:
    """Both positions in place (floor at height 0), the chair if any, seen from `view`."""

    pose: Pose
    start: Body
    end: Body
    seat: tuple[float, float, float] | None  # chair: seat top height, back x, front x


def scene(pose: Pose) -> Scene:
    start, end = pose_body(pose.start), pose_body(pose.end)
    start = start.moved((0, 0, -start.lowest()))
    end = end.moved((0, 0, -end.lowest()))
    a0, a1 = start.points[pose.anchor], end.points[pose.anchor]
    end = end.moved((a0[0] - a1[0], a0[1] - a1[1], 0.0))
    seat = None
    if pose.support == "chair":
        b = min((end.seg(f"buttock.{s}") for s in SIDES), key=lambda s: s.a[2])
        top = b.a[2] - b.ra
        hip = end.points["hip.left"]
        front = max(hip[0] + THIGH * pose.seat_front * math.cos(math.radians(
            end_thigh_pitch(pose, s))) for s in SIDES)
        seat = (top, hip[0] - 0.16, front)
    return Scene(pose, start, end, seat)


def end_thigh_pitch(pose: Pose, side: str) -> float:
    """How far the thigh is from horizontal at the end (degrees), for the seat's depth."""
    return 90.0 - pose.end.get(f"hip.{side}", {}).get("flex", 0.0)


# -- projection and drawing ----------------------------------------------------------------
class Camera:
    """Orthographic view from the horizontal: screen x, screen y (down), depth (toward
    the viewer). view 0 shows the figure's right side, facing right; −90 its front."""

    def __init__(self, view: float, scale: float = 1.0, ox: float = 0.0, oy: float = 0.0):
        self.c, self.s = math.cos(math.radians(view)), math.sin(math.radians(view))
        self.scale, self.ox, self.oy = scale, ox, oy

    def __call__(self, p: Vec) -> tuple[float, float]:
        x = p[0] * self.c - p[1] * self.s
        return self.ox + x * self.scale, self.oy - p[2] * self.scale

    def depth(self, p: Vec) -> float:
        return -(p[0] * self.s + p[1] * self.c)

    def toward_viewer(self) -> Vec:
        return (-self.s, -self.c, 0.0)

    def width_of(self, seg: Seg, which: int) -> float:
        """Half width on screen of a torso piece (elliptical section), or its radius."""
        if seg.half is None:
            return seg.ra if which == 0 else seg.rb
        a, b = seg.half[which]
        vv = self.toward_viewer()
        vf = sum(x * y for x, y in zip(vv, seg.frame.f))
        vl = sum(x * y for x, y in zip(vv, seg.frame.l))
        n = math.hypot(vf, vl) or 1.0
        return math.hypot(a * vf, b * vl) / n


def _outline(cam: Camera, s: Seg) -> tuple:
    return v.capsule(cam(s.a), cam.width_of(s, 0) * cam.scale, cam(s.b),
                     cam.width_of(s, 1) * cam.scale)


def _groups(cam: Camera, body: Body) -> list[tuple[str, list[Seg]]]:
    """Groups far to near; on a tie legs go first, then the torso, then arms."""
    order = {"leg": 0, "torso": 1, "arm": 2}
    groups: dict[str, list[Seg]] = {}
    for s in body.segs:
        groups.setdefault(s.group, []).append(s)

    def key(item):
        name, segs = item
        d = sum(cam.depth(s.a) + cam.depth(s.b) for s in segs) / (2 * len(segs))
        kind = name.split(".")[0]
        if kind == "leg":  # a thigh goes over the pelvis only when clearly nearer
            d -= 0.03
        return (round(d, 3), order[kind])

    return sorted(groups.items(), key=key)


def _loft(cam: Camera, torso: list[Section]) -> tuple:
    """The torso's outline on screen: each slice's two extreme points across the trunk,
    joined by a smooth curve, closed over the shoulders and under the seat."""
    left, right = [], []
    for sec in torso:
        c = cam(sec.centre)
        up = cam(_add(sec.centre, sec.frame.u, 0.1))
        ux, uy = up[0] - c[0], up[1] - c[1]
        d = math.hypot(ux, uy) or 1.0
        nx, ny = -uy / d, ux / d
        ax, ay = (p - q for p, q in zip(cam(_add(sec.centre, sec.frame.l, sec.a)), c))
        bx, by = (p - q for p, q in zip(cam(_add(sec.centre, sec.frame.f, sec.b)), c))
        na, nb = nx * ax + ny * ay, nx * bx + ny * by
        e = math.hypot(na, nb) or 1.0
        px, py = (ax * na + bx * nb) / e, (ay * na + by * nb) / e
        right.append((c[0] + px, c[1] + py))
        left.append((c[0] - px, c[1] - py))
    bottom = cam(_add(torso[0].centre, torso[0].frame.u, -0.012))
    top = cam(_add(torso[-1].centre, torso[-1].frame.u, 0.01))
    return v.smooth([bottom, *right, top, *left[::-1]], closed=True)


def _silhouette(cam: Camera, segs: list[Seg], ink: str, fill: str, width: float,
                name: str, torso: list[Section] | None = None) -> list[Shape]:
    """One outline around overlapping pieces: a wide stroke under a borderless fill."""
    paths = tuple(_outline(cam, s) for s in segs if s.drawn)
    if torso:
        paths = (_loft(cam, torso),) + paths
    return [Shape(paths, None, ink, width * 2, name=name + "（輪郭）"),
            Shape(paths, fill, None, 0.0, name=name)]


def _highlight(cam: Camera, body: Body, h: Highlight, accent: str, tint: str,
               width: float) -> list[Shape]:
    s = body.seg(h.segment)
    t0, t1 = h.span
    a2, b2 = cam(s.a), cam(s.b)
    length = math.hypot(b2[0] - a2[0], b2[1] - a2[1])
    mid3 = _add(s.a, _add(s.b, s.a, -1), (t0 + t1) / 2)
    r = (cam.width_of(s, 0) * (1 - (t0 + t1) / 2) + cam.width_of(s, 1) * (t0 + t1) / 2) \
        * cam.scale
    # the face's outward direction, seen on screen, across the limb
    sgn = 1.0 if s.name.endswith("left") else -1.0
    normal = {"front": s.frame.f, "back": tuple(-x for x in s.frame.f),
              "inner": tuple(-sgn * x for x in s.frame.l),
              "outer": tuple(sgn * x for x in s.frame.l)}[h.face]
    n2 = cam(_add(mid3, normal, 0.1))
    m2 = cam(mid3)
    if length < 1e-6:  # a sphere (buttock): the patch sits on its face
        angle = 0.0
        nx, ny = n2[0] - m2[0], n2[1] - m2[1]
        k = min(1.0, math.hypot(nx, ny) / (0.1 * cam.scale))
        d = math.hypot(nx, ny) or 1.0
        cx, cy = m2[0] + nx / d * k * r * 0.3, m2[1] + ny / d * k * r * 0.3
        rx = ry = r * 0.62
    else:
        ux, uy = (b2[0] - a2[0]) / length, (b2[1] - a2[1]) / length
        angle = math.atan2(uy, ux)
        across = (n2[0] - m2[0]) * -uy + (n2[1] - m2[1]) * ux
        k = max(-1.0, min(1.0, across / (0.1 * cam.scale)))
        ry = r * 0.52
        cx = m2[0] - uy * k * (r - ry - width)
        cy = m2[1] + ux * k * (r - ry - width)
        rx = max(length * (t1 - t0) / 2, ry)
    poly = v.ellipse_points(cx, cy, rx, ry, angle)
    return [Shape((v.smooth(poly, closed=True),), tint, accent, width, name="のばす筋肉"),
            Shape(v.hatch(poly, max(2.2, width * 2.2), 45.0), None, accent, width * 0.7,
                  name="のばす筋肉（斜線）", cap="butt")]


def _chair(cam: Camera, seat: tuple[float, float, float], width: float) -> list[Shape]:
    top, back, front = seat
    half, slab = 0.12, 0.035
    corners = [(x, y, z) for x in (back, front) for y in (-half, half) for z in (top, top - slab)]
    pts = [cam(p) for p in corners]
    hull = _hull(pts)
    legs = []
    for x in (back + 0.02, front - 0.02):
        for y in (-half + 0.02, half - 0.02):
            legs.append(v.capsule(cam((x, y, top - slab)), 0.011 * cam.scale,
                                  cam((x, y, 0.0)), 0.011 * cam.scale))
    rest_lo, rest_hi = top + 0.09, top + 0.30
    backrest = [v.capsule(cam((back + 0.015, y, top)), 0.012 * cam.scale,
                          cam((back + 0.015, y, rest_hi)), 0.012 * cam.scale)
                for y in (-half + 0.02, half - 0.02)]
    panel = _hull([cam((back + 0.015, y, z)) for y in (-half, half) for z in (rest_lo, rest_hi)])
    return [Shape(tuple(legs + backrest), PROP_FILL, PROP_INK, width, name="いす（脚）"),
            Shape((v.polygon(panel),), PROP_FILL, PROP_INK, width, name="いす（背もたれ）"),
            Shape((v.polygon(hull),), PROP_FILL, PROP_INK, width, name="いす（座面）")]


def _hull(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull (monotone chain)."""
    pts = sorted(set((round(x, 4), round(y, 4)) for x, y in pts))
    if len(pts) < 3:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _extent(cam: Camera, sc: Scene) -> tuple[float, float, float, float]:
    """Bounding box on screen (at the camera's scale) of both bodies and the props."""
    xs, ys = [], []
    for body in (sc.start, sc.end):
        for s in body.segs:
            for p, w in ((s.a, cam.width_of(s, 0)), (s.b, cam.width_of(s, 1))):
                x, y = cam(p)
                xs += [x - w * cam.scale, x + w * cam.scale]
                ys += [y - w * cam.scale, y + w * cam.scale]
    if sc.seat:
        top, back, front = sc.seat
        for x in (back, front):
            for y in (-0.12, 0.12):
                px, _ = cam((x, y, 0))
                xs.append(px)
        ys.append(cam((0, 0, top + 0.30))[1])
    ys.append(cam((0, 0, 0))[1])
    return min(xs), min(ys), max(xs), max(ys)


FLOOR_MARGIN = 0.06  # H of floor shown beyond the figure on each side


def aspect(pose: Pose) -> float:
    """Width / height of the drawing (floor included)."""
    sc = scene(pose)
    x0, y0, x1, y1 = _extent(Camera(pose.view), sc)
    return (x1 - x0 + 2 * FLOOR_MARGIN) / (y1 - y0 + 0.02)


def draw(pose: Pose, width: float, height: float, accent: str = "1F5C99",
         line: float = 1.2) -> Art:
    """The pose drawn into width × height points: floor or chair, the start position pale,
    the end position in ink with the stretched muscle tinted and hatched, and an arrow."""
    sc = scene(pose)
    x0, y0, x1, y1 = _extent(Camera(pose.view), sc)
    bw, bh = x1 - x0 + 2 * FLOOR_MARGIN, y1 - y0 + 0.02
    scale = min(width / bw, height / bh)
    ox = (width - bw * scale) / 2 + (FLOOR_MARGIN - x0) * scale
    oy = (height - bh * scale) / 2 + (0.01 - y0) * scale
    cam = Camera(pose.view, scale, ox, oy)
    art = Art(width, height)
    floor_y = cam((0, 0, 0))[1]
    fx0, fx1 = (width - bw * scale) / 2, (width + bw * scale) / 2
    art.shapes.append(Shape((v.polyline([(fx0, floor_y), (fx1, floor_y)]),), None, PROP_INK,
                            line * 1.2, name="床", cap="butt"))
    if sc.seat:
        art.shapes += _chair(cam, sc.seat, line * 0.8)
    same = pose.start == pose.end
    if not same:
        for g, segs in _groups(cam, sc.start):
            art.shapes += _silhouette(cam, segs, GHOST_INK, GHOST_FILL, line * 0.6,
                                      "はじめの姿勢", sc.start.torso if g == "torso" else None)
    tint = mix(accent, "FFFFFF", 0.55)
    depth = {s: cam.depth(sc.end.points[f"hip.{s}"]) for s in SIDES}
    near_side = max(SIDES, key=depth.get) if abs(depth["left"] - depth["right"]) > 0.02 else ""
    for g, segs in _groups(cam, sc.end):
        side = g.partition(".")[2]
        fill = FAR_FILL if side and near_side and side != near_side else NEAR_FILL
        art.shapes += _silhouette(cam, segs, INK, fill, line, _GROUP_NAMES.get(g, g),
                                  sc.end.torso if g == "torso" else None)
    # the stretched muscle on top, even where a nearer limb would hide it (as if seen
    # through): the reader must find it
    art.shapes += _highlight(cam, sc.end, pose.highlight, accent, tint, line * 0.8)
    if pose.arrow and not same:
        art.shapes += _motion(cam, sc, pose, accent, line)
    return art


_GROUP_NAMES = {"torso": "体", "leg.left": "左足", "leg.right": "右足",
                "arm.left": "左腕", "arm.right": "右腕"}


def _motion(cam: Camera, sc: Scene, pose: Pose, color: str, line: float) -> list[Shape]:
    dx, dz = pose.arrow_offset
    p0 = _add(sc.start.points[pose.arrow], (dx, 0, dz))
    p1 = _add(sc.end.points[pose.arrow], (dx, 0, dz))
    a, b = cam(p0), cam(p1)
    # offsets are along the screen, not the body: undo the camera's turn for x
    shift = dx * cam.scale * (1 - cam.c)
    a, b = (a[0] - shift, a[1]), (b[0] - shift, b[1])
    d = math.hypot(b[0] - a[0], b[1] - a[1])
    head = max(line * 5, 6.0)
    if d < 1e-6:
        return []
    ux, uy = (b[0] - a[0]) / d, (b[1] - a[1]) / d
    least = 0.14 * cam.scale  # a short movement still gets an arrow one can see
    if d < least:
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        a, b = (mx - ux * least / 2, my - uy * least / 2), (mx + ux * least / 2, my + uy * least / 2)
    tail_end = (b[0] - ux * head * 0.8, b[1] - uy * head * 0.8)
    return [Shape((v.polyline([a, tail_end]),), None, color, line * 1.8, name="動かす向き"),
            Shape((v.arrow_head(b, a, head),), color, None, 0.0, name="動かす向き（矢じり）")]


def mix(a: str, b: str, t: float) -> str:
    """Colour a mixed with b: t = 0 gives a, 1 gives b."""
    ca = [int(a[i:i + 2], 16) for i in (0, 2, 4)]
    cb = [int(b[i:i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(ca, cb))


def alt(pose: Pose, name: str) -> str:
    """The alt text: what to do, where it stretches (computed from the pose data)."""
    return (f"「{name}」の図。{pose.says}。のばす場所（{pose.stretches}）を色と斜線で示しています。"
            + ("うすい線の姿勢から矢印の向きへ動かします。" if pose.start != pose.end else ""))
