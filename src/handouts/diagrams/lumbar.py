"""The lumbar spine from behind (L3–S1), with the medial branches: pure geometry.

Anatomy after Bogduk & Long (J Neurosurg 1979;51:172-7), as summarised in
../shared/content-brief.md: each medial branch leaves its dorsal ramus below the
transverse process (TP) of its own level, crosses the top of the TP one level lower at its
junction with the superior articular process (SAP), passes under the mamillo-accessory
ligament (MAL), and supplies the facet joint above and the one below that point (the L3
branch: L3/4 and L4/5; the L4 branch: L4/5 and L5/S1). The L5 dorsal ramus runs in the
groove between the sacral ala and the root of the S1 SAP.

The other branches after Bogduk, Wilson & Tynan (J Anat 1982;134:383-97): the L1–L4
dorsal rami form three branches, medial, intermediate (to longissimus) and lateral (to
iliocostalis); the intermediate and lateral ones leave at the same point as the medial
branch (at L1–L3 often by a short common stem) and run caudally and laterally across the
back of the TP below. The L5 dorsal ramus forms only a medial and an intermediate branch.
Those two are drawn in the practitioners' detail only.

The drawing is built in "level units" (one vertebra plus disc = 1.0, midline x = 0, y
down), bones on both sides, nerves on the viewer's right; labels sit in a column each
side with leader lines, spread so that none overlaps another. `draw()` returns an Art in
points; `handouts.alt.anatomy` says the same in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from . import vector as v
from .vector import Art, Label, Shape

LEVELS = ("L3", "L4", "L5")
INK = v.INK
BONE, BONE_BACK, BONE_LINE = "F5F1E8", "E4E1DA", "8C877D"
NERVE = "8A6A00"
TOP = 0.0  # top of L3
SACRUM = 3.0  # top of S1

Pt = tuple[float, float]


def _mirror(points: list[Pt]) -> list[Pt]:
    return [(-x, y) for x, y in points]


def _both(points: list[Pt]) -> list[Pt]:
    """A shape symmetric about the midline from its right half (top to bottom)."""
    return points + _mirror(points[::-1])


def _sap(y0: float) -> list[Pt]:
    return [(0.40, y0 - 0.16), (0.56, y0 - 0.21), (0.67, y0 - 0.02), (0.68, y0 + 0.24),
            (0.56, y0 + 0.36), (0.41, y0 + 0.24)]


def _iap(y0: float) -> list[Pt]:
    return [(0.29, y0 + 0.68), (0.45, y0 + 0.70), (0.53, y0 + 0.93), (0.47, y0 + 1.10),
            (0.34, y0 + 1.09), (0.27, y0 + 0.90)]


TP_TIP = {"L3": (1.55, 0.0), "L4": (1.42, -0.02), "L5": (1.18, -0.10)}
TP_THICK = {"L3": (0.24, 0.46), "L4": (0.23, 0.46), "L5": (0.17, 0.56)}


def _tp(level: str, y0: float) -> list[Pt]:
    tip, lift = TP_TIP[level]
    top, bottom = TP_THICK[level]
    mid = (top + bottom) / 2
    return [(0.62, y0 + top), (tip - 0.12, y0 + top + 0.02 + lift), (tip, y0 + mid - 0.03 + lift),
            (tip - 0.08, y0 + bottom - 0.03 + lift), (0.70, y0 + bottom + 0.03),
            (0.62, y0 + bottom)]


def junction(level: str) -> Pt:
    """Where the TP's upper border meets the SAP: the medial branch's crossing."""
    y0 = SACRUM if level == "S1" else TOP + LEVELS.index(level)
    return (0.69, y0 + (0.16 if level == "S1" else TP_THICK[level][0] - 0.02))


def _medial_branch(y0: float) -> dict[str, list[Pt]]:
    """The path of the medial branch that crosses the TP of the level whose top is y0."""
    return {"trunk": [(1.02, y0 - 0.30), (0.84, y0 - 0.02), junction(LEVELS[round(y0 - TOP)]),
                      (0.72, y0 + 0.40), (0.64, y0 + 0.58), (0.46, y0 + 0.68),
                      (0.30, y0 + 0.80), (0.20, y0 + 0.90)],
            "up": [(0.69, y0 + 0.50), (0.60, y0 + 0.34), (0.52, y0 + 0.06)],
            "down": [(0.50, y0 + 0.68), (0.52, y0 + 0.80), (0.52, y0 + 0.90)]}


def _l5_ramus() -> dict[str, list[Pt]]:
    y0 = SACRUM
    return {"trunk": [(1.05, y0 - 0.28), (0.84, y0 - 0.02), (0.70, y0 + 0.16),
                      (0.64, y0 + 0.36), (0.54, y0 + 0.50), (0.44, y0 + 0.60)],
            "up": [(0.66, y0 + 0.28), (0.56, y0 + 0.14), (0.52, y0 - 0.02)]}


BRANCH_POINT = (0.90, -0.12)  # where a dorsal ramus divides, from the top of the TP below


def _other_branches(y0: float) -> dict[str, list[Pt]]:
    """The intermediate and lateral branches of the dorsal ramus crossing the TP whose
    level's top is y0: caudally and laterally over the TP's back (the L3 ramus with a
    short common stem, the L4 ramus's three branches from one point)."""
    bx, by = BRANCH_POINT[0], y0 + BRANCH_POINT[1]
    stem = (bx + 0.07, by + 0.08) if round(y0 - TOP) == 1 else (bx, by)
    return {"stem": [(bx, by), stem],
            "intermediate": [stem, (bx + 0.10, by + 0.30), (bx + 0.14, by + 0.62),
                             (bx + 0.15, by + 0.92)],
            "lateral": [stem, (bx + 0.22, by + 0.20), (bx + 0.44, by + 0.50),
                        (bx + 0.58, by + 0.78)]}


def _l5_intermediate() -> list[Pt]:
    y0 = SACRUM
    return [(0.84, y0 - 0.02), (0.98, y0 + 0.20), (1.10, y0 + 0.48), (1.16, y0 + 0.74)]


def _mal(y0: float) -> tuple[Pt, Pt]:
    return (0.60, y0 + 0.33), (0.84, y0 + 0.45)


# named points the labels and target markers point at
SITES: dict[str, Pt] = {
    "L3-medial-branch": junction("L4"),
    "L4-medial-branch": junction("L5"),
    "L5-dorsal-ramus": (0.70, SACRUM + 0.16),
    "L3/4-facet": (0.52, TOP + 1.0 - 0.06),
    "L4/5-facet": (0.52, TOP + 2.0 - 0.06),
    "L5/S1-facet": (0.52, SACRUM - 0.06),
    "L4-tp": (1.10, TOP + 1.35),
    "L5-tp": (0.95, TOP + 2.33),
    "mal": (0.72, TOP + 2.39),
}
SITE_NAMES = {
    "L3-medial-branch": "L3 内側枝（L4 横突起基部）", "L4-medial-branch": "L4 内側枝（L5 横突起基部）",
    "L5-dorsal-ramus": "L5 後枝（仙骨翼の溝）", "L3/4-facet": "L3/4 椎間関節",
    "L4/5-facet": "L4/5 椎間関節", "L5/S1-facet": "L5/S1 椎間関節", "L4-tp": "L4 横突起",
    "L5-tp": "L5 横突起", "mal": "乳頭副突起靱帯（MAL）",
}

# (text, point, side): side -1 labels the left column, +1 the right; a "\n" is where the
# label breaks when the figure is too narrow for it on one line
FULL_LABELS: list[tuple[str, Pt, int]] = [
    ("棘突起", (-0.14, TOP + 0.60), -1),
    ("横突起", (-1.15, TOP + 0.36), -1),
    ("上関節突起", (-0.58, TOP - 0.06), -1),
    ("L3/4 椎間関節", (-0.52, TOP + 0.94), -1),
    ("椎弓板", (-0.30, TOP + 1.45), -1),
    ("L4/5 椎間関節", (-0.52, TOP + 1.94), -1),
    ("L5/S1 椎間関節", (-0.52, SACRUM - 0.06), -1),
    ("仙骨翼", (-1.20, SACRUM + 0.40), -1),
    ("L3 内側枝", (0.88, TOP + 0.98 - 0.02), 1),
    ("外側枝", (1.46, TOP + 1.62), 1),
    ("中間枝", (1.05, TOP + 1.78), 1),
    ("L4 内側枝", (0.88, TOP + 1.98 - 0.02), 1),
    ("乳頭副突起靱帯\n（MAL）", (0.80, TOP + 2.43), 1),
    ("L5 後枝", (0.90, SACRUM - 0.03), 1),
]
SIMPLE_LABELS: list[tuple[str, Pt, int]] = [
    ("背骨のうしろの\n出っぱり", (-0.11, TOP + 1.56), -1),
    ("椎間関節\n（小さな関節）", (-0.52, TOP + 1.94), -1),
    ("関節につながる\n細い神経", (0.88, TOP + 1.96), 1),
]
LEVEL_NAMES = {"L3": "L3", "L4": "L4", "L5": "L5", "S1": "仙骨"}
SPAN_X, Y0, Y1 = 1.62, -0.35, 4.40  # extent of the bones in level units
PITCH = 1.2  # line pitch of a label broken over lines, in sizes


@dataclass(frozen=True)
class Style:
    accent: str = "1F5C99"
    line: float = 1.0  # bone outline width, points


def layout(detail: str, width: float, max_height: float, size: float,
           measure: Callable[[str, float, bool], float]) -> tuple[str, float]:
    """How the labels go and how large the bones are: ("one", unit) labels on one line
    each, ("broken", unit) broken where the table says, or ("none", unit) no labels. The
    first whose bones are at least as wide as the widest label line: a spine smaller than
    its labels (A5 with long patient labels) cannot be read."""
    table = FULL_LABELS if detail == "full" else SIMPLE_LABELS
    gap = size * 0.8
    tall = (max_height - size) / (Y1 - Y0)
    for mode in ("one", "broken"):
        lines = {s: [ln for t, _, sd in table if sd == s for ln in _lines(t, mode)]
                 for s in (-1, 1)}
        col = {s: max([measure(ln, size, False) for ln in lines[s]] + [0.0]) for s in (-1, 1)}
        unit = max(min((width - col[-1] - col[1] - 4 * gap) / (2 * SPAN_X), tall), 1.0)
        if 2 * SPAN_X * unit >= max(col.values()):
            return mode, unit
    return "none", max(min((width - 2 * gap) / (2 * SPAN_X), tall), 1.0)


def _lines(text: str, mode: str) -> list[str]:
    return text.split("\n") if mode == "broken" else [text.replace("\n", "")]


def draw(detail: str, targets: list[str], emphasis: list[str], width: float,
         max_height: float, size: float, measure: Callable[[str, float, bool], float],
         style: Style = Style()) -> Art:
    """The figure in `width` points (no taller than max_height), labels at `size` points.

    `targets` are site names, numbered from 1 in order; `emphasis` sites are drawn in the
    accent colour. `measure(text, size, bold)` gives a label's width in points. When the
    labels would leave the bones narrower than a label, they break onto two lines, and if
    that is still too narrow they are left out (`layout`)."""
    full = detail == "full"
    table = FULL_LABELS if full else SIMPLE_LABELS
    mode, unit = layout(detail, width, max_height, size, measure)
    gap = size * 0.8
    items = [] if mode == "none" else [(_lines(t, mode), p, sd) for t, p, sd in table]
    col = {s: max([measure(ln, size, False) for ls, _, sd in items if sd == s for ln in ls]
                  + [0.0]) for s in (-1, 1)}
    # numbered targets get a lane of their own between the bones and the right column
    r = max(size * 0.62, 6.0)
    lane = 2 * r + 4.0 if targets else 0.0
    if targets and mode != "none":
        unit = max(min(unit, (width - col[-1] - col[1] - 4 * gap - lane) / (2 * SPAN_X)), 1.0)
    draw_w = 2 * SPAN_X * unit
    used_w = draw_w + col[-1] + col[1] + (4 * gap if items else 0.0) + lane
    x_mid = (width - used_w) / 2 + (col[-1] + 2 * gap if items else 0.0) + SPAN_X * unit
    height = (Y1 - Y0) * unit + size

    def P(p: Pt) -> Pt:
        return x_mid + p[0] * unit, size / 2 + (p[1] - Y0) * unit

    def pts(ps: list[Pt]) -> list[Pt]:
        return [P(p) for p in ps]

    art = Art(width, height)
    w = style.line
    add = art.shapes.append
    # vertebral bodies and discs behind the arches, faint
    for k, lv in enumerate(LEVELS):
        y0 = TOP + k
        add(Shape((v.smooth(pts([(0.78, y0 + 0.05), (0.80, y0 + 0.74), (0.0, y0 + 0.78),
                                 (-0.80, y0 + 0.74), (-0.78, y0 + 0.05), (0.0, y0 + 0.02)]),
                            closed=True),), BONE_BACK, BONE_LINE, w * 0.6, name=f"{lv} 椎体"))
    # sacrum, then L5, L4, L3: each arch's inferior articular processes lie over the
    # superior ones of the level below, so the joint line is the IAP's edge
    s0 = SACRUM
    sacrum = _both([(0.0, s0 + 0.12), (0.62, s0 + 0.16), (1.0, s0 + 0.0), (1.50, s0 + 0.06),
                    (1.60, s0 + 0.40), (1.32, s0 + 0.95), (0.78, s0 + 1.25), (0.0, s0 + 1.33)])
    pieces = [v.smooth(pts(sacrum), closed=True),
              *(v.smooth(pts(side(_sap(s0))), closed=True) for side in (list, _mirror))]
    art.shapes += _silhouette(pieces, INK, BONE, w, "仙骨")
    for x in (0.52, -0.52):
        for y, rad in ((s0 + 0.62, 0.08), (s0 + 1.02, 0.065)):
            add(Shape((v.circle(*P((x, y)), rad * unit),), "FFFFFF", BONE_LINE, w * 0.8,
                      name="後仙骨孔"))
    add(Shape((v.smooth(pts([(0.0, s0 + 0.22), (0.10, s0 + 0.40), (0.0, s0 + 0.70),
                             (-0.10, s0 + 0.40)]), closed=True),), BONE, INK, w * 0.8,
              name="正中仙骨稜"))
    for k in reversed(range(len(LEVELS))):
        lv, y0 = LEVELS[k], TOP + k
        lamina = _both([(0.0, y0 + 0.16), (0.40, y0 + 0.20), (0.46, y0 + 0.50),
                        (0.42, y0 + 0.76), (0.18, y0 + 0.92), (0.0, y0 + 0.95)])
        bits = [lamina, _tp(lv, y0), _mirror(_tp(lv, y0)), _sap(y0), _mirror(_sap(y0)),
                _iap(y0), _mirror(_iap(y0))]
        pieces = [v.smooth(pts(b), closed=True) for b in bits]
        if full:  # mamillary and accessory processes (the MAL's ends)
            for x in (1, -1):
                m, a = _mal(y0)
                pieces += [v.circle(*P((x * m[0], m[1])), 0.05 * unit),
                           v.circle(*P((x * a[0], a[1])), 0.045 * unit)]
        art.shapes += _silhouette(pieces, INK, BONE, w, f"{lv} 椎弓")
        for iap in (_iap(y0), _mirror(_iap(y0))):  # the facet joint's line, drawn again
            add(Shape((v.smooth(pts(iap), closed=True),), None, INK, w, name=f"{lv} 下関節突起"))
        # the spinous process stands out toward the viewer: a plate that overhangs the
        # lamina's lower edge, widening to its tip, with its shadow cast down and right
        spine = _spinous(y0)
        add(Shape((v.smooth(pts([(x + 0.05, y + 0.06) for x, y in spine]), closed=True),),
                  SHADOW, None, 0.0, name=f"{lv} 棘突起（影）"))
        add(Shape((v.smooth(pts(spine), closed=True),), BONE, INK, w * 1.2, name=f"{lv} 棘突起"))
    # emphasised facet joints: tinted and hatched over the joint line
    tint = v.mix(style.accent, "FFFFFF", 0.6)
    facets: list[list[Pt]] = []
    for site in emphasis:
        if site.endswith("-facet"):
            for sx in (1, -1):
                cx, cy = SITES[site]
                poly = v.ellipse_points(*P((sx * cx, cy + 0.02)), 0.10 * unit, 0.20 * unit, 0.0)
                facets.append(poly)
                add(Shape((v.smooth(poly, closed=True),), tint, style.accent, w * 1.6,
                          name=SITE_NAMES[site]))
                add(Shape(v.hatch(poly, max(2.0, unit * 0.035)), None, style.accent, w * 0.6,
                          name=SITE_NAMES[site] + "（斜線）", cap="butt"))
    # nerves (viewer's right), each MAL drawn over its nerve
    nerves: list[list[Pt]] = []
    if full:  # intermediate and lateral branches, under the medial ones
        others = [p for k in (1, 2) for p in _other_branches(TOP + k).values()]
        others.append(_l5_intermediate())
        add(Shape(tuple(v.smooth(pts(p)) for p in others), None, NERVE, w * 1.6,
                  name="中間枝・外側枝"))
        nerves += [pts(p) for p in others]
    branches = {"L3-medial-branch": _medial_branch(TOP + 1),
                "L4-medial-branch": _medial_branch(TOP + 2), "L5-dorsal-ramus": _l5_ramus()}
    for site, parts in branches.items():
        hot = site in emphasis
        color, width_ = (style.accent, w * 3.0) if hot else (NERVE, w * 2.2)
        add(Shape(tuple(v.smooth(pts(p)) for p in parts.values()), None, color, width_,
                  name=SITE_NAMES[site]))
        nerves += [pts(p) for p in parts.values()]
    if full:  # the patients' figure leaves the ligament out: unlabelled, it reads as a clip
        for k in (1, 2):
            a, b = _mal(TOP + k)
            add(Shape((v.capsule(P(a), 0.028 * unit, P(b), 0.028 * unit),), "FFFFFF", INK,
                      w * 0.8, name=f"乳頭副突起靱帯（{LEVELS[k]}）"))
    # labels: each level's name on its spinous process (on the sacrum for S1), the
    # structures in a column each side, spread apart, with leader lines
    labels: list[Label] = []
    for k, lv in enumerate(LEVELS + ("S1",) if full else ()):  # not for patients
        name = LEVEL_NAMES[lv]
        y = SACRUM + 0.95 if lv == "S1" else TOP + k + 0.58
        fit = (0.9 if lv == "S1" else 0.24) * unit  # room across the spinous process
        ls = min(size, fit / max(measure(name, 1.0, True), 1e-6))
        cx, cy = P((0.0, y))
        labels.append(v.label(name, cx, cy + ls * 0.35, ls, measure(name, ls, True), True,
                              anchor="middle", on="仙骨" if lv == "S1" else f"{lv} 棘突起"))
    pitch = size * PITCH
    for side in (-1, 1):
        col_items = sorted((P(p)[1], lines, P(p)) for lines, p, s in items if s == side)
        x_text = P((side * SPAN_X, 0))[0] + side * 2 * gap + (lane if side > 0 else 0.0)
        tops = _spread([y - pitch * len(ls) / 2 for y, ls, _ in col_items],
                       [pitch * len(ls) for _, ls, _ in col_items], size * 0.3, height)
        for (_, lines, p), top in zip(col_items, tops):
            mid = top + pitch * len(lines) / 2
            end = (x_text - 2, mid) if side > 0 else (x_text + 2, mid)
            for i, ln in enumerate(lines):
                tw = measure(ln, size, False)
                # broken labels keep their lines flush toward the figure
                lx = x_text if side > 0 else x_text - tw
                base = top + pitch * i + size * 0.88 + (pitch - size) / 2
                labels.append(v.label(ln, lx, base, size, tw,
                                      leader=(end, p) if i == 0 else ()))
    art.labels = labels
    # numbered target markers in their lane, each disc clear of the label leaders, the
    # other discs and their leaders
    lane_x = P((SPAN_X, 0))[0] + gap + r + 2.0
    leaders = [lb.leader for lb in labels if lb.leader]
    placed: list[tuple[Pt, Pt]] = []
    columns = [lb.box for lb in labels if not lb.on]
    spots: dict[str, Pt] = {}
    for site in sorted(targets, key=lambda t: SITES[t][1]):  # top down: leaders never cross
        p = P(SITES[site])
        spots[site] = _marker_spot(p, r, lane_x, nerves, facets, placed, leaders, columns, art)
        placed.append((spots[site], p))
    for i, site in enumerate(targets, 1):
        p, c = P(SITES[site]), spots[site]
        add(Shape((v.polyline([c, p]),), None, style.accent, w * 1.2, name=f"ターゲット{i}（線）"))
        add(Shape((v.circle(*p, r * 0.28),), style.accent, None, 0.0, name=f"ターゲット{i}（点）"))
        add(Shape((v.circle(*c, r),), style.accent, "FFFFFF", w, name=f"ターゲット{i}"))
        num = str(i)
        nw = measure(num, size, True)
        labels.append(Label(num, c[0] - nw / 2, c[1] + size * 0.33, size, True, "FFFFFF",
                            (c[0] - nw / 2, c[1] + size * 0.33 - 0.88 * size, nw, size),
                            on=f"ターゲット{i}"))
    return art


SHADOW = "D6CFC0"


def _spinous(y0: float) -> list[Pt]:
    """The spinous process seen from behind: narrow at its root on the lamina, widening to
    a club-shaped tip that overhangs the lamina's lower edge."""
    return [(0.0, y0 + 0.24), (0.11, y0 + 0.30), (0.13, y0 + 0.62), (0.16, y0 + 0.86),
            (0.13, y0 + 1.04), (0.0, y0 + 1.08), (-0.13, y0 + 1.04), (-0.16, y0 + 0.86),
            (-0.13, y0 + 0.62), (-0.11, y0 + 0.30)]


def _dist(p: Pt, a: Pt, b: Pt) -> float:
    """Distance from p to the segment a–b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    t = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / ((dx * dx + dy * dy) or 1e-12)
    t = max(0.0, min(1.0, t))
    return ((p[0] - a[0] - t * dx) ** 2 + (p[1] - a[1] - t * dy) ** 2) ** 0.5


def _marker_spot(p: Pt, r: float, lane_x: float, nerves: list[list[Pt]],
                 facets: list[list[Pt]], placed: list[tuple[Pt, Pt]], leaders: list,
                 columns: list, art: Art) -> Pt:
    """Where a target's numbered disc goes: in the lane beside the bones, as near the
    target's height as it can be with the disc clear of the label leaders and columns and
    of the other discs and their leaders, and no other disc on its own leader. (Off the
    bones, a disc never reads as the name of the bone it would sit on.) Failing that,
    anywhere around the point clear of nerves and joints too."""
    lines = [list(zip(ld, ld[1:])) for ld in leaders]

    def clear(c: Pt, extra: list) -> bool:
        if not (r + 1 <= c[0] <= art.width - r - 1 and r + 1 <= c[1] <= art.height - r - 1):
            return False
        if any(v.boxes_overlap((c[0] - r, c[1] - r, 2 * r, 2 * r), b, 1.0) for b in columns):
            return False
        if any(_dist(c, a, b) < r + 1.5 for segs in lines + extra for a, b in segs):
            return False
        return not any(math.dist(c, q) < 2 * r + 2 or _dist(q, c, p) < r + 1
                       or _dist(c, q, t) < r + 1 for q, t in placed)

    step = r * 0.25
    for k in range(0, int(art.height / step) + 1):
        for dy in ((k * step, -k * step) if k else (0.0,)):
            c = (lane_x, p[1] + dy)
            if clear(c, []):
                return c
    shapes = [list(zip(ln, ln[1:])) for ln in nerves + [f + f[:1] for f in facets]]
    for dist in (3.0 * r, 3.8 * r, 4.8 * r):
        for a in range(0, 360, 15):
            c = (p[0] + dist * math.cos(math.radians(a)), p[1] + dist * math.sin(math.radians(a)))
            if clear(c, shapes):
                return c
    return (lane_x, p[1])


def _spread(tops: list[float], heights: list[float], gap: float, bottom: float) -> list[float]:
    """Tops of label blocks (in the order of their wanted tops) `gap` apart and between 0
    and `bottom`, each as near its wanted top as it can be: blocks that would overlap
    form a cluster centred where its members want to be (least squares), so a crowd of
    labels spreads both ways instead of pushing the last ones far down."""
    clusters: list[list[int]] = []  # runs of block indices placed edge to edge

    def span(c: list[int]) -> float:
        return sum(heights[i] for i in c) + gap * (len(c) - 1)

    def place(c: list[int]) -> float:  # the cluster's top
        offs, acc = [], 0.0
        for i in c:
            offs.append(acc)
            acc += heights[i] + gap
        want = sum(tops[i] - o for i, o in zip(c, offs)) / len(c)
        return max(0.0, min(want, bottom - span(c)))

    for i in range(len(tops)):
        clusters.append([i])
        while len(clusters) > 1 and place(clusters[-2]) + span(clusters[-2]) + gap > \
                place(clusters[-1]):
            last = clusters.pop()
            clusters[-1] += last
    out: list[float] = []
    for c in clusters:
        y = place(c)
        for i in c:
            out.append(y)
            y += heights[i] + gap
    return out


def _silhouette(pieces: list[tuple], ink: str, fill: str, width: float,
                name: str) -> list[Shape]:
    paths = tuple(pieces)
    return [Shape(paths, None, ink, width * 2, name=name + "（輪郭）"),
            Shape(paths, fill, None, 0.0, name=name)]
