"""The human body model for exercise figures: segment proportions and forward kinematics.

Segment lengths are fractions of standing height H from Drillis & Contini's body-segment
proportions (1966, as tabulated in Winter, *Biomechanics and Motor Control of Human
Movement*): hip joint at 0.530 H, knee 0.285 H, ankle 0.039 H, shoulder 0.818 H, chin
0.870 H, head 0.130 H tall; upper arm 0.186 H, forearm 0.146 H, hand 0.108 H, foot 0.152 H
long; shoulders 0.259 H and hips 0.191 H wide. Limb thicknesses (not in that table) are
typical adult values. Each limb is a tapered capsule between two joints; the torso is a
pelvis and a chest of elliptical cross-section, so it is wider seen from the front than
from the side. The angles are those of `pose.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from .pose import SIDES

# Drillis & Contini, fractions of height
HIP_Z, KNEE_Z, ANKLE_Z, SHOULDER_Z, CHIN_Z = 0.530, 0.285, 0.039, 0.818, 0.870
THIGH, SHANK = HIP_Z - KNEE_Z, KNEE_Z - ANKLE_Z
UPPER_ARM, FOREARM, HAND, FOOT = 0.186, 0.146, 0.108, 0.152
HIP_HALF = 0.191 / 2 * 0.55  # hip joint centres, inside the trochanters
SHOULDER_HALF = 0.259 / 2 * 0.78  # shoulder joint centres, inside the acromions
HEAD_R = 0.130 / 2


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


def add(p: Vec, q: Vec, k: float = 1.0) -> Vec:
    """p + k q."""
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
        return Body([Seg(s.name, s.group, add(s.a, d), s.ra, add(s.b, d), s.rb, s.frame,
                         s.half, s.drawn) for s in self.segs],
                    {k: add(p, d) for k, p in self.points.items()},
                    [replace(t, centre=add(t.centre, d)) for t in self.torso])

    def lowest(self) -> float:
        return min(min(s.a[2] - s.ra, s.b[2] - s.rb) for s in self.segs)


def pose_body(angles: dict) -> Body:
    """Forward kinematics: the body's segments in H units, pelvis at the origin, facing +x."""
    A = lambda j, k: angles.get(j, {}).get(k, 0.0)  # noqa: E731
    root = Frame().turn("l", A("body", "pitch")).turn("f", -A("body", "roll"))
    segs: list[Seg] = []
    pts: dict[str, Vec] = {"pelvis": (0.0, 0.0, 0.0)}
    trunk = root.turn("l", A("trunk", "lean")).turn("f", -A("trunk", "side"))
    waist = add((0, 0, 0), trunk.u, 0.14)
    neck = add((0, 0, 0), trunk.u, SHOULDER_Z - HIP_Z)
    pts["neck"] = neck
    segs.append(Seg("pelvis", "torso", add((0, 0, 0), trunk.u, -0.02), 0.0, waist, 0.0,
                    trunk, ((0.105, 0.085), (0.085, 0.07)), drawn=False))
    segs.append(Seg("chest", "torso", waist, 0.0, add(neck, trunk.u, -0.025), 0.0, trunk,
                    ((0.085, 0.07), (0.115, 0.075)), drawn=False))
    torso = []
    for h, a, b, off in TORSO:
        fr = root if h <= 0 else trunk
        torso.append(Section(add(add((0, 0, 0), fr.u, h), fr.f, off), fr, a, b))
    head_f = trunk.turn("l", A("head", "flex"))
    chin = add(neck, head_f.u, CHIN_Z - SHOULDER_Z)
    head = add(add(chin, head_f.u, HEAD_R * 0.95), head_f.f, 0.012)
    pts["head"] = head
    segs.append(Seg("neck", "torso", neck, 0.033, chin, 0.03, head_f))
    segs.append(Seg("head", "torso", head, HEAD_R * 0.88, head, HEAD_R * 0.88, head_f))
    for side in SIDES:
        sgn = 1.0 if side == "left" else -1.0
        hip = add((0, 0, 0), root.l, sgn * HIP_HALF)
        pts[f"hip.{side}"] = hip
        buttock = add(add(hip, root.f, -0.035), root.u, -0.01)
        segs.append(Seg(f"buttock.{side}", "torso", buttock, 0.058, buttock, 0.058, root,
                        drawn=False))
        th = (root.turn("l", -A(f"hip.{side}", "flex"))
              .turn("f", sgn * A(f"hip.{side}", "abduct")))
        th = th.turn("u", sgn * A(f"hip.{side}", "rotate"))
        knee = add(hip, th.u, -THIGH)
        sh = th.turn("l", A(f"knee.{side}", "flex"))
        ankle = add(knee, sh.u, -SHANK)
        ft = sh.turn("l", -A(f"ankle.{side}", "flex"))
        heel = add(add(ankle, ft.f, -0.03), ft.u, -0.022)
        toe = add(add(ankle, ft.f, FOOT - 0.045), ft.u, -0.028)
        pts.update({f"knee.{side}": knee, f"heel.{side}": heel, f"toe.{side}": toe,
                    f"foot.{side}": ankle})
        g = f"leg.{side}"
        segs += [Seg(f"thigh.{side}", g, hip, 0.062, knee, 0.036, th),
                 Seg(f"shank.{side}", g, knee, 0.036, ankle, 0.022, sh),
                 Seg(f"foot.{side}", g, heel, 0.02, toe, 0.014, ft)]
        shoulder = add(add(neck, trunk.u, -0.035), trunk.l, sgn * SHOULDER_HALF)
        pts[f"shoulder.{side}"] = shoulder
        ua = (trunk.turn("l", -A(f"shoulder.{side}", "flex"))
              .turn("f", sgn * A(f"shoulder.{side}", "abduct")))
        elbow = add(shoulder, ua.u, -UPPER_ARM)
        fa = ua.turn("l", -A(f"elbow.{side}", "flex"))
        wrist = add(elbow, fa.u, -FOREARM)
        hand = add(wrist, fa.u, -HAND * 0.55)
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

