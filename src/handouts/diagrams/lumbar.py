"""The lumbar spine from behind (L3–S1), with the medial branches: pure geometry.

Anatomy after Bogduk & Long (J Neurosurg 1979;51:172-7), as summarised in
../shared/content-brief.md: each medial branch leaves its dorsal ramus below the
transverse process (TP) of its own level, crosses the top of the TP one level lower at its
junction with the superior articular process (SAP), passes under the mamillo-accessory
ligament (MAL), and supplies the facet joint above and the one below that point (the L3
branch: L3/4 and L4/5; the L4 branch: L4/5 and L5/S1). The L5 dorsal ramus runs in the
groove between the sacral ala and the root of the S1 SAP.

The drawing is built in "level units" (one vertebra plus disc = 1.0, midline x = 0, y
down), bones on both sides, nerves on the viewer's right; labels sit in a column each
side with leader lines, spread so that none overlaps another. `draw()` returns an Art in
points; `alt()` says the same in words.
"""

from __future__ import annotations

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

# (text, point, side): side -1 labels the left column, +1 the right
FULL_LABELS: list[tuple[str, Pt, int]] = [
    ("棘突起", (-0.10, TOP + 0.86), -1),
    ("横突起", (-1.15, TOP + 0.36), -1),
    ("上関節突起", (-0.58, TOP - 0.06), -1),
    ("L3/4 椎間関節", (-0.52, TOP + 0.94), -1),
    ("椎弓板", (-0.30, TOP + 1.45), -1),
    ("L4/5 椎間関節", (-0.52, TOP + 1.94), -1),
    ("L5/S1 椎間関節", (-0.52, SACRUM - 0.06), -1),
    ("仙骨翼", (-1.20, SACRUM + 0.40), -1),
    ("L3 内側枝", (0.88, TOP + 0.98 - 0.02), 1),
    ("L4 内側枝", (0.88, TOP + 1.98 - 0.02), 1),
    ("乳頭副突起靱帯（MAL）", (0.80, TOP + 2.43), 1),
    ("L5 後枝", (0.90, SACRUM - 0.03), 1),
]
SIMPLE_LABELS: list[tuple[str, Pt, int]] = [
    ("背骨のうしろの出っぱり", (-0.10, TOP + 1.86), -1),
    ("椎間関節（小さな関節）", (-0.52, TOP + 1.94), -1),
    ("関節につながる細い神経", (0.88, TOP + 1.96), 1),
]
LEVEL_NAMES = {"L3": "L3", "L4": "L4", "L5": "L5", "S1": "仙骨"}
SPAN_X, Y0, Y1 = 1.62, -0.35, 4.40  # extent of the bones in level units


@dataclass(frozen=True)
class Style:
    accent: str = "1F5C99"
    line: float = 1.0  # bone outline width, points


def draw(detail: str, targets: list[str], emphasis: list[str], width: float,
         max_height: float, size: float, measure: Callable[[str, float, bool], float],
         style: Style = Style()) -> Art:
    """The figure in `width` points (no taller than max_height), labels at `size` points.

    `targets` are site names, numbered from 1 in order; `emphasis` sites are drawn in the
    accent colour. `measure(text, size, bold)` gives a label's width in points."""
    table = FULL_LABELS if detail == "full" else SIMPLE_LABELS
    gap = size * 0.8
    col = {s: max([measure(t, size, False) for t, _, sd in table if sd == s] + [0.0])
           for s in (-1, 1)}
    unit = min((width - col[-1] - col[1] - 4 * gap) / (2 * SPAN_X),
               (max_height - size) / (Y1 - Y0))
    unit = max(unit, 1.0)
    draw_w = 2 * SPAN_X * unit
    used_w = draw_w + col[-1] + col[1] + 4 * gap
    x_mid = (width - used_w) / 2 + col[-1] + 2 * gap + SPAN_X * unit
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
        for y, r in ((s0 + 0.62, 0.08), (s0 + 1.02, 0.065)):
            add(Shape((v.circle(*P((x, y)), r * unit),), "FFFFFF", BONE_LINE, w * 0.8,
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
        for x in (1, -1):  # mamillary and accessory processes
            m, a = _mal(y0)
            pieces += [v.circle(*P((x * m[0], m[1])), 0.05 * unit),
                       v.circle(*P((x * a[0], a[1])), 0.045 * unit)]
        art.shapes += _silhouette(pieces, INK, BONE, w, f"{lv} 椎弓")
        for iap in (_iap(y0), _mirror(_iap(y0))):  # the facet joint's line, drawn again
            add(Shape((v.smooth(pts(iap), closed=True),), None, INK, w, name=f"{lv} 下関節突起"))
        spine = [(0.0, y0 + 0.26), (0.15, y0 + 0.34), (0.16, y0 + 0.80), (0.0, y0 + 0.92),
                 (-0.16, y0 + 0.80), (-0.15, y0 + 0.34)]
        add(Shape((v.smooth(pts(spine), closed=True),), BONE, INK, w, name=f"{lv} 棘突起"))
    # emphasised facet joints: tinted and hatched over the joint line
    tint = _mix(style.accent, "FFFFFF", 0.6)
    for site in emphasis:
        if site.endswith("-facet"):
            for sx in (1, -1):
                cx, cy = SITES[site]
                poly = v.ellipse_points(*P((sx * cx, cy + 0.02)), 0.10 * unit, 0.20 * unit, 0.0)
                add(Shape((v.smooth(poly, closed=True),), tint, style.accent, w * 1.6,
                          name=SITE_NAMES[site]))
                add(Shape(v.hatch(poly, max(2.0, unit * 0.035)), None, style.accent, w * 0.6,
                          name=SITE_NAMES[site] + "（斜線）", cap="butt"))
    # nerves (viewer's right), each MAL drawn over its nerve
    branches = {"L3-medial-branch": _medial_branch(TOP + 1), "L4-medial-branch": _medial_branch(TOP + 2),
                "L5-dorsal-ramus": _l5_ramus()}
    for site, parts in branches.items():
        hot = site in emphasis
        color, width_ = (style.accent, w * 3.0) if hot else (NERVE, w * 2.2)
        add(Shape(tuple(v.smooth(pts(p)) for p in parts.values()), None, color, width_,
                  name=SITE_NAMES[site]))
    for k in (1, 2):
        a, b = _mal(TOP + k)
        add(Shape((v.capsule(P(a), 0.028 * unit, P(b), 0.028 * unit),), "FFFFFF", INK, w * 0.8,
                  name=f"乳頭副突起靱帯（{LEVELS[k]}）"))
    # labels: each level's name on its spinous process (on the sacrum for S1), the
    # structures in a column each side, spread apart, with leader lines
    labels: list[Label] = []
    for k, lv in enumerate(LEVELS + ("S1",) if detail == "full" else ()):  # not for patients
        name = LEVEL_NAMES[lv]
        y = SACRUM + 0.95 if lv == "S1" else TOP + k + 0.60
        fit = (0.9 if lv == "S1" else 0.24) * unit  # room across the spinous process
        ls = min(size, fit / max(measure(name, 1.0, True), 1e-6))
        cx, cy = P((0.0, y))
        labels.append(v.label(name, cx, cy + ls * 0.35, ls, measure(name, ls, True), True,
                              anchor="middle", on="仙骨" if lv == "S1" else f"{lv} 棘突起"))
    pitch = size * 1.3
    for side in (-1, 1):
        items = sorted((P(p)[1], t, P(p)) for t, p, s in table if s == side)
        x_text = P((side * SPAN_X, 0))[0] + side * 2 * gap
        placed = _spread([y + size * 0.3 for y, _, _ in items], pitch, size, height - 2)
        for (y, text, p), ty in zip(items, placed):
            tw = measure(text, size, False)
            lx = x_text if side > 0 else x_text - tw
            end = (lx + tw + 2, ty - size * 0.3) if side < 0 else (lx - 2, ty - size * 0.3)
            labels.append(v.label(text, lx, ty, size, tw, leader=(end, p)))
    # numbered target markers, off their site by a fixed distance: the first place that
    # clears the level names and the markers before (on a small figure the usual place of
    # a facet's marker is on the next level's name)
    taken = [lb.box for lb in labels if lb.on]
    for i, site in enumerate(targets, 1):
        p = P(SITES[site])
        r = max(size * 0.62, 6.0)
        nerve = site.endswith("branch") or site.endswith("ramus")
        offsets = [(2.6, 0.4), (2.6, -1.6), (2.6, 2.2)] if nerve else \
            [(-2.0, 2.2), (-2.4, -1.2), (-2.8, 0.6)]
        spots = [(p[0] + dx * r, p[1] + dy * r) for dx, dy in offsets]
        c = next((q for q in spots if not any(_hits(q, r, box) for box in taken)), spots[0])
        taken.append((c[0] - r, c[1] - r, 2 * r, 2 * r))
        add(Shape((v.polyline([c, p]),), None, style.accent, w * 1.2, name=f"ターゲット{i}（線）"))
        add(Shape((v.circle(*p, r * 0.28),), style.accent, None, 0.0, name=f"ターゲット{i}（点）"))
        add(Shape((v.circle(*c, r),), style.accent, "FFFFFF", w, name=f"ターゲット{i}"))
        num = str(i)
        nw = measure(num, size, True)
        labels.append(Label(num, c[0] - nw / 2, c[1] + size * 0.33, size, True, "FFFFFF",
                            (c[0] - nw / 2, c[1] + size * 0.33 - 0.88 * size, nw, size),
                            on=f"ターゲット{i}"))
    art.labels = labels
    return art


def _hits(c: Pt, r: float, box: tuple[float, float, float, float]) -> bool:
    """Whether a circle (centre `c`, radius `r`) overlaps a box (x, y, w, h)."""
    x, y, w, h = box
    nx, ny = min(max(c[0], x), x + w), min(max(c[1], y), y + h)
    return (c[0] - nx) ** 2 + (c[1] - ny) ** 2 < r * r


def _spread(ys: list[float], pitch: float, size: float, bottom: float) -> list[float]:
    """Baselines as near the wanted ones as they can be, at least `pitch` apart, the
    first below the top edge and the last above `bottom`."""
    out: list[float] = []
    for y in ys:
        out.append(max(y, size, out[-1] + pitch if out else y))
    limit = bottom - size * 0.15
    for i in reversed(range(len(out))):  # pushed past the bottom: move back up
        if out[i] > limit:
            out[i] = limit
        limit = out[i] - pitch
    return out


def _silhouette(pieces: list[tuple], ink: str, fill: str, width: float,
                name: str) -> list[Shape]:
    paths = tuple(pieces)
    return [Shape(paths, None, ink, width * 2, name=name + "（輪郭）"),
            Shape(paths, fill, None, 0.0, name=name)]


def _mix(a: str, b: str, t: float) -> str:
    ca = [int(a[i:i + 2], 16) for i in (0, 2, 4)]
    cb = [int(b[i:i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(ca, cb))


def alt(detail: str, targets: list[tuple[str, str]], emphasis: list[str]) -> str:
    """The figure in words: what is drawn, the numbered targets, what is emphasised."""
    if detail == "simple":
        text = ("背骨の腰の部分をうしろから見た図。骨と骨のうしろ側をつなぐ小さな関節（椎間関節）と、"
                "そこにつながる細い神経を示しています。")
    else:
        text = ("腰椎を後方から見た図（L3〜S1）。棘突起、椎弓板、横突起、上関節突起、"
                "椎間関節（L3/4・L4/5・L5/S1）、仙骨翼を示す。右側に L3・L4 内側枝が 1 つ下の"
                "横突起基部（上関節突起との移行部）を横切り、乳頭副突起靱帯（MAL）の下を通る走行と、"
                "仙骨翼の溝を走る L5 後枝を描く。")
    if targets:
        text += "番号：" + "、".join(f"{'①②③④⑤⑥'[i]} {t}" for i, (_, t) in enumerate(targets)) + "。"
    hot = [SITE_NAMES[s] for s in emphasis]
    if hot:
        text += "強調：" + "、".join(hot) + "。"
    return text
