"""Vector art: what a drawing is once computed, before any backend draws it.

An `Art` is a list of `Shape`s (paths with a fill and/or a stroke, in drawing order) and
`Label`s, in points, origin top-left, y growing downwards. The pose figures and the lumbar
anatomy figure compute one; the leaflet PDF, the slide PDF and the PPTX only draw it, so
the three cannot disagree. Pure: no reportlab or python-pptx here.

Path commands are tuples: ("M", x, y) move, ("L", x, y) line, ("C", x1, y1, x2, y2, x, y)
cubic Bézier, ("Z",) close. A shape holds several subpaths, each filled and stroked on its
own (no fill rule to disagree about between PDF and DrawingML).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

Cmd = tuple
Point = tuple[float, float]

INK = "222222"


@dataclass(frozen=True)
class Shape:
    paths: tuple[tuple[Cmd, ...], ...]
    fill: str | None = None  # RRGGBB
    stroke: str | None = None
    width: float = 0.0  # stroke width in points
    dash: tuple[float, ...] | None = None
    name: str = ""  # what it is ("右太もも", "L5 横突起"): PPTX shape names, tests
    cap: str = "round"  # round | butt


@dataclass(frozen=True)
class Label:
    """One line of text. (x, y) is the baseline start; `box` the ink box (x, y, w, h)."""

    text: str
    x: float
    y: float
    size: float
    bold: bool = False
    color: str = INK
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    leader: tuple[Point, ...] = ()  # the line from the label to what it names, if any
    on: str = ""  # the shape it is printed on (a numbered marker), if any


@dataclass
class Art:
    width: float
    height: float
    shapes: list[Shape] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)

    def moved(self, dx: float, dy: float) -> "Art":
        return Art(self.width, self.height,
                   [replace(s, paths=tuple(tuple(_move(c, dx, dy) for c in p) for p in s.paths))
                    for s in self.shapes],
                   [replace(lb, x=lb.x + dx, y=lb.y + dy,
                            box=(lb.box[0] + dx, lb.box[1] + dy, lb.box[2], lb.box[3]),
                            leader=tuple((x + dx, y + dy) for x, y in lb.leader))
                    for lb in self.labels])


def _move(c: Cmd, dx: float, dy: float) -> Cmd:
    if c[0] == "Z":
        return c
    nums = c[1:]
    return (c[0],) + tuple(v + (dx if i % 2 == 0 else dy) for i, v in enumerate(nums))


def label(text: str, x: float, y: float, size: float, width: float, bold: bool = False,
          color: str = INK, anchor: str = "start", leader: tuple[Point, ...] = (),
          on: str = "") -> Label:
    """A label whose text is `width` points wide, placed by its anchor (start | middle |
    end) at x, baseline at y. The box spans ascent and descent of the project's fonts."""
    x0 = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return Label(text, x0, y, size, bold, color, (x0, y - 0.88 * size, width, 1.0 * size),
                 leader, on)


def mix(a: str, b: str, t: float) -> str:
    """Colour a (RRGGBB) mixed with b: t = 0 gives a, 1 gives b."""
    ca = [int(a[i:i + 2], 16) for i in (0, 2, 4)]
    cb = [int(b[i:i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(ca, cb))


# -- path builders -------------------------------------------------------------------------
def _arc(cx: float, cy: float, r: float, a0: float, a1: float) -> list[Cmd]:
    """Bézier pieces (≤ 90° each) of a circular arc from angle a0 to a1 (radians)."""
    n = max(1, math.ceil(abs(a1 - a0) / (math.pi / 2) - 1e-9))
    step = (a1 - a0) / n
    k = 4 / 3 * math.tan(step / 4)
    out = []
    for i in range(n):
        t0, t1 = a0 + i * step, a0 + (i + 1) * step
        x0, y0 = cx + r * math.cos(t0), cy + r * math.sin(t0)
        x1, y1 = cx + r * math.cos(t1), cy + r * math.sin(t1)
        out.append(("C", x0 - k * r * math.sin(t0), y0 + k * r * math.cos(t0),
                    x1 + k * r * math.sin(t1), y1 - k * r * math.cos(t1), x1, y1))
    return out


def circle(cx: float, cy: float, r: float) -> tuple[Cmd, ...]:
    return (("M", cx + r, cy), *_arc(cx, cy, r, 0.0, 2 * math.pi), ("Z",))


def capsule(p1: Point, r1: float, p2: Point, r2: float) -> tuple[Cmd, ...]:
    """The outline of two circles joined by their outer tangents (a tapered rounded limb)."""
    (x1, y1), (x2, y2) = p1, p2
    d = math.hypot(x2 - x1, y2 - y1)
    if d <= abs(r1 - r2) + 1e-6:  # one circle hides the other (a limb seen end-on)
        return circle(*(p1 if r1 >= r2 else p2), max(r1, r2))
    phi = math.atan2(y2 - y1, x2 - x1)
    alpha = math.acos((r1 - r2) / d)
    a, b = phi + alpha, phi - alpha
    return (("M", x1 + r1 * math.cos(a), y1 + r1 * math.sin(a)),
            ("L", x2 + r2 * math.cos(a), y2 + r2 * math.sin(a)),
            *_arc(x2, y2, r2, a, b),
            ("L", x1 + r1 * math.cos(b), y1 + r1 * math.sin(b)),
            *_arc(x1, y1, r1, b, a - 2 * math.pi),
            ("Z",))


def polygon(points: list[Point]) -> tuple[Cmd, ...]:
    return (("M", *points[0]), *(("L", *p) for p in points[1:]), ("Z",))


def polyline(points: list[Point]) -> tuple[Cmd, ...]:
    return (("M", *points[0]), *(("L", *p) for p in points[1:]))


def smooth(points: list[Point], closed: bool = False) -> tuple[Cmd, ...]:
    """A Catmull-Rom curve through the points, as cubic Béziers."""
    pts = list(points)
    n = len(pts)
    if n < 3:
        return polygon(pts) if closed else polyline(pts)
    out: list[Cmd] = [("M", *pts[0])]
    last = n if closed else n - 1
    for i in range(last):
        p0 = pts[(i - 1) % n] if (closed or i > 0) else pts[0]
        p1, p2 = pts[i], pts[(i + 1) % n]
        p3 = pts[(i + 2) % n] if (closed or i + 2 < n) else pts[-1]
        out.append(("C", p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6,
                    p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6, *p2))
    if closed:
        out.append(("Z",))
    return tuple(out)


def arrow_head(tip: Point, toward: Point, size: float) -> tuple[Cmd, ...]:
    """A filled triangle pointing at `tip`, coming from the direction of `toward`."""
    (x, y), (fx, fy) = tip, toward
    d = math.hypot(x - fx, y - fy) or 1.0
    ux, uy = (x - fx) / d, (y - fy) / d
    bx, by = x - ux * size, y - uy * size
    w = size * 0.55
    return polygon([(x, y), (bx - uy * w, by + ux * w), (bx + uy * w, by - ux * w)])


# -- geometry queries (used for layout and by the tests) ------------------------------------
def flatten(path: tuple[Cmd, ...], steps: int = 8) -> list[list[Point]]:
    """The path as polylines (one per subpath); curves sampled at `steps` points."""
    out: list[list[Point]] = []
    cur: list[Point] = []
    start: Point = (0.0, 0.0)
    for c in path:
        if c[0] == "M":
            if len(cur) > 1:
                out.append(cur)
            cur = [(c[1], c[2])]
            start = cur[0]
        elif c[0] == "L":
            cur.append((c[1], c[2]))
        elif c[0] == "C":
            (x0, y0) = cur[-1]
            for i in range(1, steps + 1):
                t = i / steps
                m = 1 - t
                cur.append((m ** 3 * x0 + 3 * m * m * t * c[1] + 3 * m * t * t * c[3] + t ** 3 * c[5],
                            m ** 3 * y0 + 3 * m * m * t * c[2] + 3 * m * t * t * c[4] + t ** 3 * c[6]))
        elif c[0] == "Z":
            cur.append(start)
    if len(cur) > 1:
        out.append(cur)
    return out


def bounds(shapes: list[Shape]) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of every point of the shapes, strokes included."""
    xs, ys = [], []
    for s in shapes:
        pad = s.width / 2 if s.stroke else 0.0
        for p in s.paths:
            for line in flatten(p, 4):
                for x, y in line:
                    xs += [x - pad, x + pad]
                    ys += [y - pad, y + pad]
    return min(xs), min(ys), max(xs), max(ys)


def segment_hits_box(a: Point, b: Point, box: tuple[float, float, float, float]) -> bool:
    """Whether the segment a–b passes through the rectangle (x, y, w, h) (Liang–Barsky)."""
    x0, y0, w, h = box
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - x0), (dx, x0 + w - a[0]), (-dy, a[1] - y0), (dy, y0 + h - a[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def boxes_overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float],
                  gap: float = 0.0) -> bool:
    return (a[0] < b[0] + b[2] + gap and b[0] < a[0] + a[2] + gap and
            a[1] < b[1] + b[3] + gap and b[1] < a[1] + a[3] + gap)


def clip_to_convex(a: Point, b: Point, poly: list[Point]) -> tuple[Point, Point] | None:
    """The part of segment a–b inside a convex polygon (either winding), or None."""
    n = len(poly)
    area = sum(poly[i][0] * poly[(i + 1) % n][1] - poly[(i + 1) % n][0] * poly[i][1]
               for i in range(n))
    sign = 1.0 if area > 0 else -1.0
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for i in range(n):
        (px, py), (qx, qy) = poly[i], poly[(i + 1) % n]
        ex, ey = qx - px, qy - py
        # inside when sign * cross(e, point - p) >= 0
        num = sign * (ex * (a[1] - py) - ey * (a[0] - px))
        den = sign * (ex * dy - ey * dx)
        if abs(den) < 1e-12:
            if num < 0:
                return None
            continue
        t = -num / den
        if den > 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 >= t1:
            return None
    return (a[0] + dx * t0, a[1] + dy * t0), (a[0] + dx * t1, a[1] + dy * t1)


def hatch(poly: list[Point], spacing: float, angle: float = 45.0) -> tuple[tuple[Cmd, ...], ...]:
    """Parallel lines `spacing` apart at `angle` degrees, clipped to a convex polygon: a
    highlight that still shows when printed in black and white."""
    ux, uy = math.cos(math.radians(angle)), -math.sin(math.radians(angle))
    nx, ny = -uy, ux
    offs = [x * nx + y * ny for x, y in poly]
    along = [x * ux + y * uy for x, y in poly]
    lo, hi = min(along) - 1, max(along) + 1
    out = []
    k = math.floor(min(offs) / spacing) + 1
    while k * spacing < max(offs):
        o = k * spacing
        a = (nx * o + ux * lo, ny * o + uy * lo)
        b = (nx * o + ux * hi, ny * o + uy * hi)
        seg = clip_to_convex(a, b, poly)
        if seg is not None:
            out.append((("M", *seg[0]), ("L", *seg[1])))
        k += 1
    return tuple(out)


def ellipse_points(cx: float, cy: float, rx: float, ry: float, angle: float,
                   n: int = 24) -> list[Point]:
    """Points around an ellipse whose x axis is turned by `angle` radians."""
    ca, sa = math.cos(angle), math.sin(angle)
    out = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x, y = rx * math.cos(t), ry * math.sin(t)
        out.append((cx + x * ca - y * sa, cy + x * sa + y * ca))
    return out
