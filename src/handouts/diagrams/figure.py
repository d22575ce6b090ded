"""Exercise figures: a posed body (`body.py`, angles from `pose.py`) drawn as rounded line art.

A pose gives a `start` and an `end` set of angles, the view (``view``: 0 = from the side
facing right, −90 = from the front, between = three-quarter), what carries the body
(``support: floor|chair``), what the hands hold (``hold``: the top of a chair's back), a
towel under a knee, the muscle to highlight, and the point a motion arrow follows. The
lowest point of the body rests on the floor; on a chair the seat is drawn under the
buttocks.

Drawn as two numbered frames side by side (① the start, ② the stretch, the arrow showing
the movement), or with ``frames: 1`` as one frame with the start pale beneath the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from . import vector as v
from .body import (SIDES, THIGH, Body, Section, Seg, Vec, add, contact_height,
                   pose_body)
from .pose import LIBRARY, Highlight, Pose, library
from .vector import Art, Shape

__all__ = ["LIBRARY", "Pose", "library", "contact_height", "scene", "aspect", "draw"]

INK = v.INK
GHOST_INK, GHOST_FILL = "A6A6A6", "F2F2F2"
NEAR_FILL, FAR_FILL = "FFFFFF", "E4E4E4"
PROP_INK, PROP_FILL = "595959", "EDEDED"
TOWEL_FILL = "D9E6F2"  # a pale towel, not grey furniture



@dataclass(frozen=True)
class Chair:
    """A chair on the floor: its back's centre line at `back` (x, y), the seat reaching
    `depth` from there toward `toward` (a unit vector on the floor), `top` the seat's
    height, `back_top` the top of its back."""

    back: tuple[float, float]
    toward: tuple[float, float]
    top: float
    back_top: float
    depth: float = 0.24
    half: float = 0.12  # half the seat's width


SEAT_H = 0.27  # a chair's seat, 43 cm for a 160 cm person
TOWEL_T, TOWEL_L, TOWEL_W = 0.035, 0.20, 0.12  # a folded towel, 5.6 cm thick at 160 cm
TOWARD = {"front": (1.0, 0.0), "left": (0.0, 1.0), "right": (0.0, -1.0)}


@dataclass
class Scene:
    """Both positions in place (floor at height 0) with their props, seen from `view`."""

    pose: Pose
    start: Body
    end: Body
    chairs: list[Chair]
    towel: tuple[float, float] | None  # (x, y) of a folded towel's centre

    @property
    def resting(self) -> tuple[str, ...]:
        """Legs that touch nothing while the other leg does: crossed over it."""
        touching = {p.partition(".")[2] for p in self.pose.contacts if "." in p}
        if len(touching) != 1:
            return ()
        return tuple(f"leg.{s}" for s in SIDES if s not in touching)

    def base(self, point: str) -> float:
        """The height a contact point rests at: the towel's top under the towel."""
        return TOWEL_T if point == self.pose.towel else 0.0


def scene(pose: Pose) -> Scene:
    start, end = pose_body(pose.start), pose_body(pose.end)
    start = start.moved((0, 0, -start.lowest()))
    end = end.moved((0, 0, -end.lowest()))
    a0, a1 = start.points[pose.anchor], end.points[pose.anchor]
    end = end.moved((a0[0] - a1[0], a0[1] - a1[1], 0.0))
    chairs = []
    if pose.support == "chair":
        b = min((end.seg(f"buttock.{s}") for s in SIDES), key=lambda s: s.a[2])
        top = b.a[2] - b.ra
        hip = end.points["hip.left"]
        front = max(hip[0] + THIGH * pose.seat_front * math.cos(math.radians(
            end_thigh_pitch(pose, s))) for s in SIDES)
        chairs.append(Chair((hip[0] - 0.16, 0.0), (1.0, 0.0), top, top + 0.30,
                            front - hip[0] + 0.16))
    if pose.hold:
        # the chair's back under the holding hands of the start; the pose keeps them there
        hands = [start.seg(f"hand.{p.partition('.')[2]}") for p in pose.hold]
        x = sum(h.b[0] for h in hands) / len(hands)
        y = sum(h.b[1] for h in hands) / len(hands)
        top = min(h.b[2] - h.rb for h in hands)
        chairs.append(Chair((x, y), TOWARD[pose.hold_toward], SEAT_H, top))
    towel = None
    if pose.towel:
        p = start.points[pose.towel]
        towel = (p[0], p[1])
    return Scene(pose, start, end, chairs, towel)


def held_gap(sc: Scene, body: Body) -> float:
    """How far (in H) the holding hands are from the top of the held chair's back."""
    if not sc.pose.hold:
        return 0.0
    ch = sc.chairs[-1]
    gaps = []
    for p in sc.pose.hold:
        h = body.seg(f"hand.{p.partition('.')[2]}")
        # distance to the top bar of the back: a segment across the chair at back_top
        ax, ay = -ch.toward[1], ch.toward[0]
        t = max(-ch.half, min(ch.half, (h.b[0] - ch.back[0]) * ax + (h.b[1] - ch.back[1]) * ay))
        q = (ch.back[0] + ax * t, ch.back[1] + ay * t, ch.back_top)
        gaps.append(max(0.0, math.dist(h.b, q) - h.rb))
    return max(gaps)


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


def _groups(cam: Camera, body: Body, resting: tuple[str, ...] = ()) -> list[tuple[str, list[Seg]]]:
    """Groups far to near; on a tie legs go first, then the torso, then arms. A leg in
    `resting` lies on the other one (a crossed leg) and is drawn over it."""
    order = {"leg": 0, "torso": 1, "arm": 2}
    groups: dict[str, list[Seg]] = {}
    for s in body.segs:
        groups.setdefault(s.group, []).append(s)

    def depth(name: str) -> float:
        segs = groups[name]
        d = sum(cam.depth(s.a) + cam.depth(s.b) for s in segs) / (2 * len(segs))
        # a thigh goes over the pelvis only when clearly nearer
        return d - 0.03 if name.startswith("leg") else d

    def key(item):
        name, _ = item
        d = depth(name)
        if name in resting:
            d = max([d] + [depth(g) + 0.001 for g in groups if g.startswith("leg") and g != name])
        return (round(d, 3), order[name.split(".")[0]])

    return sorted(groups.items(), key=key)


def _loft(cam: Camera, torso: list[Section]) -> tuple:
    """The torso's outline on screen: each slice's two extreme points across the trunk,
    joined by a smooth curve, closed over the shoulders and under the seat."""
    left, right = [], []
    for sec in torso:
        c = cam(sec.centre)
        up = cam(add(sec.centre, sec.frame.u, 0.1))
        ux, uy = up[0] - c[0], up[1] - c[1]
        d = math.hypot(ux, uy) or 1.0
        nx, ny = -uy / d, ux / d
        ax, ay = (p - q for p, q in zip(cam(add(sec.centre, sec.frame.l, sec.a)), c))
        bx, by = (p - q for p, q in zip(cam(add(sec.centre, sec.frame.f, sec.b)), c))
        na, nb = nx * ax + ny * ay, nx * bx + ny * by
        e = math.hypot(na, nb) or 1.0
        px, py = (ax * na + bx * nb) / e, (ay * na + by * nb) / e
        right.append((c[0] + px, c[1] + py))
        left.append((c[0] - px, c[1] - py))
    bottom = cam(add(torso[0].centre, torso[0].frame.u, -0.012))
    top = cam(add(torso[-1].centre, torso[-1].frame.u, 0.01))
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
    mid3 = add(s.a, add(s.b, s.a, -1), (t0 + t1) / 2)
    r = (cam.width_of(s, 0) * (1 - (t0 + t1) / 2) + cam.width_of(s, 1) * (t0 + t1) / 2) \
        * cam.scale
    # the face's outward direction, seen on screen, across the limb
    sgn = 1.0 if s.name.endswith("left") else -1.0
    normal = {"front": s.frame.f, "back": tuple(-x for x in s.frame.f),
              "inner": tuple(-sgn * x for x in s.frame.l),
              "outer": tuple(sgn * x for x in s.frame.l)}[h.face]
    n2 = cam(add(mid3, normal, 0.1))
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


def _chair(cam: Camera, ch: Chair, width: float) -> list[Shape]:
    """Legs and back posts, the back's panel and the seat, nearer parts drawn later."""
    (bx, by), (dx, dy) = ch.back, ch.toward
    ax, ay = -dy, dx  # across the chair

    def P(u: float, w: float, z: float) -> Vec:  # along the seat, across it, up
        return (bx + dx * u + ax * w, by + dy * u + ay * w, z)

    slab, r = 0.035, 0.011 * cam.scale
    inner = ch.half - 0.02
    legs = [v.capsule(cam(P(u, w, ch.top - slab)), r, cam(P(u, w, 0.0)), r)
            for u in (0.02, ch.depth - 0.02) for w in (-inner, inner)]
    posts = [v.capsule(cam(P(0.015, w, ch.top)), r * 1.1, cam(P(0.015, w, ch.back_top)), r * 1.1)
             for w in (-inner, inner)]
    rest_lo = max(ch.top + 0.05, ch.back_top - 0.21)
    panel = _hull([cam(P(0.015, w, z)) for w in (-ch.half, ch.half) for z in (rest_lo, ch.back_top)])
    seat = _hull([cam(P(u, w, z)) for u in (0.0, ch.depth) for w in (-ch.half, ch.half)
                  for z in (ch.top, ch.top - slab)])
    back = [Shape((v.polygon(panel),), PROP_FILL, PROP_INK, width, name="いす（背もたれ）")]
    out = [Shape(tuple(legs + posts), PROP_FILL, PROP_INK, width, name="いす（脚）")]
    seat_shape = [Shape((v.polygon(seat),), PROP_FILL, PROP_INK, width, name="いす（座面）")]
    # the back nearer the viewer than the seat (a chair seen from behind) goes on top
    if cam.depth(P(0.0, 0.0, 0.0)) > cam.depth(P(ch.depth, 0.0, 0.0)) + 1e-6:
        return out + seat_shape + back
    return out + back + seat_shape


def _towel(cam: Camera, at: tuple[float, float], width: float) -> list[Shape]:
    """A folded towel on the floor: a low slab with its fold line along the middle."""
    x, y = at
    box = [cam((x + dx * TOWEL_L / 2, y + dy * TOWEL_W / 2, z)) for dx in (-1, 1)
           for dy in (-1, 1) for z in (0.0, TOWEL_T)]
    fold = [cam((x + dx * TOWEL_L / 2 * 0.97, y, TOWEL_T * 0.5)) for dx in (-1, 1)]
    if abs(fold[0][0] - fold[1][0]) < 1e-6:  # seen end-on: the fold across it
        fold = [cam((x, y + dy * TOWEL_W / 2 * 0.97, TOWEL_T * 0.5)) for dy in (-1, 1)]
    return [Shape((v.polygon(_hull(box)),), TOWEL_FILL, PROP_INK, width, name="タオル"),
            Shape((v.polyline(fold),), None, PROP_INK, width * 0.7, name="タオル（折り目）")]


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
    for ch in sc.chairs:
        (bx, by), (dx, dy) = ch.back, ch.toward
        for u in (0.0, ch.depth):
            for w in (-ch.half, ch.half):
                x, y = cam((bx + dx * u - dy * w, by + dy * u + dx * w, ch.back_top))
                xs.append(x)
                ys.append(y)
    if sc.towel:
        for dx in (-1, 1):
            for dy in (-1, 1):
                xs.append(cam((sc.towel[0] + dx * TOWEL_L / 2, sc.towel[1] + dy * TOWEL_W / 2,
                               0.0))[0])
    ys.append(cam((0, 0, 0))[1])
    return min(xs), min(ys), max(xs), max(ys)


FLOOR_MARGIN = 0.06  # H of floor shown beyond the figure on each side
LABEL = 0.11  # the frames' labels, as a part of the drawing's height (unless given) ...
LABEL_MIN = 14.5  # ... and never smaller than the largest leaflet body text (large print)
BAND = 1.35  # the band above the frames for their labels, in label sizes
GAP = 1.9  # between the frames (the arrow between them), in label sizes
FRAME_WORDS = ("はじめ", "のばす")  # ① start → ② stretch


def _box(pose: Pose) -> tuple[float, float, float, float]:
    """One frame's extent in H units: x0, y0 (at scale 1), width, height."""
    x0, y0, x1, y1 = _extent(Camera(pose.view), scene(pose))
    return x0, y0, x1 - x0 + 2 * FLOOR_MARGIN, y1 - y0 + 0.02


def _measure(measure: Callable[[str, float, bool], float] | None):
    if measure is None:
        from ..fonts import fonts  # the project's metrics: the widths the renderers use

        return fonts().width
    return measure


def _label_width(size: float, measure: Callable[[str, float, bool], float],
                 words: bool = True) -> float:
    """The widest frame label (number in its disc, then the word), at `size`."""
    if not words:
        return size * 0.62 * 2
    return max(size * 0.62 * 2 + size * 0.3 + measure(w, size, True) for w in FRAME_WORDS)


# drawings made, by the pose's identity and the other arguments: a library pose is one
# object for the whole process, drawn at the same size in every leaflet and deck
_made: dict[tuple, tuple[Pose, object]] = {}


def _remembered(make: Callable, pose: Pose, *args):
    key = (make, id(pose), *args)
    hit = _made.get(key)
    if hit is not None and hit[0] is pose:  # the entry keeps its pose alive: id not reused
        return hit[1]
    if len(_made) >= 64:  # a drawing is thousands of numbers: keep the recent ones
        _made.clear()
    value = make(pose, *args)
    _made[key] = (pose, value)
    return value


def aspect(pose: Pose, measure: Callable[[str, float, bool], float] | None = None) -> float:
    """Width / height of the drawing: floor and props included, and for two frames both
    of them, the arrow between and the labels above at LABEL × the height (exact when
    that is at least LABEL_MIN, or with `draw(label_size=LABEL × height)`)."""
    return _remembered(_aspect, pose, measure)


def _aspect(pose: Pose, measure: Callable[[str, float, bool], float] | None) -> float:
    _, _, bw, bh = _box(pose)
    if pose.frames == 1 or pose.start == pose.end:
        return bw / bh
    # at height 1: the labels LABEL tall, the band above the frames BAND·LABEL
    frame_w = max(bw * (1 - BAND * LABEL) / bh, _label_width(LABEL, _measure(measure)))
    return 2 * frame_w + GAP * LABEL


def draw(pose: Pose, width: float, height: float, accent: str = "1F5C99",
         line: float = 1.2, label_size: float | None = None,
         measure: Callable[[str, float, bool], float] | None = None) -> Art:
    """The pose drawn into width × height points: ① the start and ② the end side by side
    on one floor (chair, towel), the stretched muscle tinted and hatched and an arrow in
    ②; or, for ``frames: 1``, the start pale beneath the end. `label_size` is the size of
    the frames' labels (default: LABEL × the height, at least LABEL_MIN); where the words
    do not fit beside each other the frames show their numbers only. `measure(text, size,
    bold)` gives a label's width (default: the project's fonts)."""
    art = _remembered(_draw, pose, width, height, accent, line, label_size, measure)
    return Art(art.width, art.height, list(art.shapes), list(art.labels))  # the caller's own


def _draw(pose: Pose, width: float, height: float, accent: str, line: float,
          label_size: float | None, measure: Callable[[str, float, bool], float] | None) -> Art:
    sc = scene(pose)
    x0, y0, bw, bh = _box(pose)
    art = Art(width, height)
    tint = v.mix(accent, "FFFFFF", 0.55)
    same = pose.start == pose.end
    if pose.frames == 1 or same:
        scale = min(width / bw, height / bh)
        ox = (width - bw * scale) / 2 + (FLOOR_MARGIN - x0) * scale
        oy = (height - bh * scale) / 2 + (0.01 - y0) * scale
        cam = Camera(pose.view, scale, ox, oy)
        art.shapes += _ground(cam, sc, (width - bw * scale) / 2, (width + bw * scale) / 2, line)
        if not same:
            for g, segs in _groups(cam, sc.start, sc.resting):
                torso = sc.start.torso if g == "torso" else None
                art.shapes += _silhouette(cam, segs, GHOST_INK, GHOST_FILL, line * 0.6,
                                          "はじめの姿勢", torso)
        art.shapes += _figure(cam, sc.end, "", line, sc.resting)
        art.shapes += _highlight(cam, sc.end, pose.highlight, accent, tint, line * 0.8)
        if pose.arrow and not same:
            art.shapes += _motion(cam, sc, pose, accent, line)
        return art
    measure = _measure(measure)
    size = label_size or min(max(height * LABEL, LABEL_MIN), 24.0)
    words = 2 * _label_width(size, measure) + GAP * size <= width  # else numbers only
    label_w = _label_width(size, measure, words)
    if 2 * label_w + GAP * size > width:  # too narrow even for the numbers: smaller ones
        size *= width / (2 * label_w + GAP * size)
        label_w = _label_width(size, measure, words)
    band, gap = size * BAND, size * GAP
    scale = min((width - gap) / 2 / bw, (height - band) / bh)
    frame_w = max(bw * scale, label_w)  # a narrow figure: the label sets the frame's width
    left = (width - 2 * frame_w - gap) / 2
    top = band + (height - band - bh * scale) / 2
    for k, body in enumerate((sc.start, sc.end)):
        fx = left + k * (frame_w + gap)
        bx = fx + (frame_w - bw * scale) / 2  # the figure centred in its frame
        cam = Camera(pose.view, scale, bx + (FLOOR_MARGIN - x0) * scale,
                     top + (0.01 - y0) * scale)
        art.shapes += _ground(cam, sc, fx, fx + frame_w, line)
        art.shapes += _figure(cam, body, "①②"[k], line, sc.resting)
        if k == 1:
            art.shapes += _highlight(cam, body, pose.highlight, accent, tint, line * 0.8)
            if pose.arrow:
                art.shapes += _motion(cam, sc, pose, accent, line)
        # the frame's number in a disc and its word, over the frame's left edge
        r = size * 0.62
        cx, cy = fx + r, band / 2
        # a ring, the number in the accent colour: readable on paper like the text
        art.shapes.append(Shape((v.circle(cx, cy, r - size * 0.05),), "FFFFFF", accent,
                                size * 0.1, name=f"コマ{k + 1}"))
        num = str(k + 1)
        art.labels.append(v.label(num, cx, cy + size * 0.36, size, measure(num, size, True),
                                  True, accent, anchor="middle", on=f"コマ{k + 1}"))
        if not words:
            continue
        word = FRAME_WORDS[k]
        art.labels.append(v.label(word, cx + r + size * 0.3, cy + size * 0.38, size,
                                  measure(word, size, True), True))
    # the arrow from ① to ②, between the frames at the figures' mid-height
    mx, my = left + frame_w + gap / 2, top + bh * scale * 0.5
    hw = min(gap * 0.32, size * 0.7)
    art.shapes.append(Shape((v.polygon([(mx - hw * 0.8, my - hw), (mx + hw * 0.9, my),
                                        (mx - hw * 0.8, my + hw)]),), PROP_INK, None, 0.0,
                            name="順番の矢印"))
    return art


def _ground(cam: Camera, sc: Scene, x0: float, x1: float, line: float) -> list[Shape]:
    """The floor line from x0 to x1, the chairs and the towel."""
    y = cam((0, 0, 0))[1]
    out = [Shape((v.polyline([(x0, y), (x1, y)]),), None, PROP_INK, line * 1.2, name="床",
                 cap="butt")]
    for ch in sc.chairs:
        out += _chair(cam, ch, line * 0.8)
    if sc.towel:
        out += _towel(cam, sc.towel, line * 0.8)
    return out


def _figure(cam: Camera, body: Body, frame: str, line: float,
            resting: tuple[str, ...] = ()) -> list[Shape]:
    """The body in ink, groups far to near, the far side's limbs a shade darker."""
    out = []
    depth = {s: cam.depth(body.points[f"hip.{s}"]) for s in SIDES}
    near_side = max(SIDES, key=depth.get) if abs(depth["left"] - depth["right"]) > 0.02 else ""
    for g, segs in _groups(cam, body, resting):
        side = g.partition(".")[2]
        fill = FAR_FILL if side and near_side and side != near_side else NEAR_FILL
        out += _silhouette(cam, segs, INK, fill, line, frame + _GROUP_NAMES.get(g, g),
                           body.torso if g == "torso" else None)
    return out


_GROUP_NAMES = {"torso": "体", "leg.left": "左足", "leg.right": "右足",
                "arm.left": "左腕", "arm.right": "右腕"}


def _motion(cam: Camera, sc: Scene, pose: Pose, color: str, line: float) -> list[Shape]:
    """The arrow along the path of `pose.arrow` from start to end, moved on the screen by
    `arrow_offset` (H units: right, up) so it runs beside the body, not over it."""
    dx, dz = pose.arrow_offset
    a, b = cam(sc.start.points[pose.arrow]), cam(sc.end.points[pose.arrow])
    a = (a[0] + dx * cam.scale, a[1] - dz * cam.scale)
    b = (b[0] + dx * cam.scale, b[1] - dz * cam.scale)
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
