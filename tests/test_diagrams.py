"""Pose and anatomy drawings: pure geometry, grounded poses, readable labels, alt text in
both outputs."""

import ast
import dataclasses
import re
import math
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from handouts.diagrams import figure, lumbar
from handouts.diagrams import vector as v
from handouts.fonts import fonts

DIAGRAMS = ROOT / "src" / "handouts" / "diagrams"
POSES = sorted(figure.library())
SHIPPED_POSES = {"足のつけ根の前をのばす": "half-kneeling-hip-flexor",
                 "太ももの内側をのばす": "standing-inner-thigh",
                 "おしりをのばす": "seated-figure-4", "太ももの裏をのばす": "seated-hamstring"}


# -- purity ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", sorted(DIAGRAMS.glob("*.py")), ids=lambda p: p.name)
def test_geometry_imports_no_renderer(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.split(".")[0] in ("reportlab", "pptx")], names


@pytest.mark.parametrize("path", sorted(DIAGRAMS.glob("*.py")), ids=lambda p: p.name)
def test_geometry_imports_nothing_above_it(path):
    """Data flows one way: diagrams/ is geometry that the document and the renderers use,
    so it imports only its own modules (and the font metrics service); alt text, computed
    from the document model, lives above it (handouts/alt.py)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    up = []
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom):
            if n.level >= 2 or (n.level == 0 and (n.module or "").startswith("handouts")):
                up.append((n.level, n.module, [a.name for a in n.names]))
        elif isinstance(n, ast.Import):
            up += [(0, a.name, []) for a in n.names if a.name.startswith("handouts")]
    assert [u for u in up if u[:2] != (2, "fonts")] == [], up


def test_drawing_loads_no_renderer():
    """Computing every figure in a fresh process never loads reportlab or python-pptx."""
    code = ("import sys\n"
            "from handouts.diagrams import figure, lumbar\n"
            "from handouts.fonts import fonts\n"
            "for p in figure.library().values(): figure.draw(p, 200, 150)\n"
            "lumbar.draw('full', ['L4-medial-branch'], ['L4/5-facet'], 600, 400, 12, "
            "fonts().width)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('reportlab', 'pptx')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


# -- poses -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", POSES)
def test_pose_stays_on_or_above_the_floor(name):
    """Both positions, in 3D: no segment's surface goes below the floor plane."""
    sc = figure.scene(figure.library()[name])
    for body in (sc.start, sc.end):
        assert body.lowest() >= -1e-9
        for s in body.segs:
            assert min(s.a[2] - s.ra, s.b[2] - s.rb) >= -1e-9, s.name


@pytest.mark.parametrize("name", POSES)
def test_pose_drawing_keeps_limbs_above_the_floor_line(name):
    """On the page: every body outline lies above the drawn floor line (half a stroke of
    tolerance: a foot or knee rests on it)."""
    art = figure.draw(figure.library()[name], 300, 200)
    floor = next(s for s in art.shapes if s.name == "床")
    floor_y = floor.paths[0][0][2]
    body = [s for s in art.shapes if s.fill in (figure.NEAR_FILL, figure.FAR_FILL,
                                                figure.GHOST_FILL)]
    assert body
    for s in body:
        for path in s.paths:
            for line in v.flatten(path):
                assert max(y for _, y in line) <= floor_y + 0.6, (name, s.name)


@pytest.mark.parametrize("name", POSES)
def test_pose_contacts_rest_on_the_floor(name):
    """What the pose says touches the floor does (a knee, a heel), in both positions:
    the angles describe the exercise, not a figure floating above the floor."""
    pose = figure.library()[name]
    sc = figure.scene(pose)
    assert pose.contacts
    for body in (sc.start, sc.end):
        for point in pose.contacts:  # on the floor, or on the towel where there is one
            assert abs(figure.contact_height(body, point) - sc.base(point)) < 0.012, \
                (name, point)  # 2 cm at 1.7 m


@pytest.mark.parametrize("name", POSES)
def test_pose_highlight_is_drawn_inside_the_picture(name):
    art = figure.draw(figure.library()[name], 300, 200)
    hl = [s for s in art.shapes if s.name == "のばす筋肉"]
    hatch = [s for s in art.shapes if s.name == "のばす筋肉（斜線）"]
    assert len(hl) == 1 and hatch and len(hatch[0].paths) >= 3  # prints in black and white
    x0, y0, x1, y1 = v.bounds(hl)
    assert 0 <= x0 and x1 <= 300 and 0 <= y0 and y1 <= 200


def test_seated_poses_sit_on_a_chair_and_moves_show_an_arrow():
    for name, pose in figure.library().items():
        art = figure.draw(pose, 300, 200)
        names = {s.name for s in art.shapes}
        assert ("いす（座面）" in names) == (pose.support == "chair" or bool(pose.hold)), name
        assert "動かす向き" in names, name  # every shipped pose moves from start to end


def test_half_kneeling_keeps_the_back_upright():
    """「腰をそらさない」: the trunk is never leaned back, the pelvis goes forward."""
    pose = figure.library()["half-kneeling-hip-flexor"]
    assert pose.end["trunk"]["lean"] >= 0
    sc = figure.scene(pose)
    assert sc.end.points["pelvis"][0] > sc.start.points["pelvis"][0] + 0.05
    assert sc.end.points["neck"][0] - sc.end.points["pelvis"][0] >= -1e-9


def test_pose_errors_are_sentences():
    bad = {"says": "x", "stretches": "y", "highlight": {"segment": "thigh.right"},
           "start": {"knee.middle": 30}}
    with pytest.raises(ValueError, match="unknown joint 'knee.middle'"):
        figure.Pose.from_data("bad", bad)


# -- anatomy ---------------------------------------------------------------------------------
CASES = [("full", ["L4-medial-branch", "L3-medial-branch", "L4/5-facet"], 590, 310, 18.0),
         ("full", ["L4-medial-branch"], 510, 340, 11.0),
         ("simple", [], 510, 227, 12.5)]


def _leaders(art):
    return [lb.leader for lb in art.labels if lb.leader]


@pytest.mark.parametrize("detail,targets,width,height,size", CASES)
def test_anatomy_labels_do_not_overlap(detail, targets, width, height, size):
    art = lumbar.draw(detail, targets, ["L4/5-facet"], width, height, size, fonts().width)
    boxes = [lb.box for lb in art.labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not v.boxes_overlap(a, b), (art.labels[i].text, a, b)
        assert -0.5 <= a[0] and a[0] + a[2] <= width + 0.5, art.labels[i].text
        assert 0 <= a[1] and a[1] + a[3] <= art.height + 0.5, art.labels[i].text


@pytest.mark.parametrize("detail,targets,width,height,size", CASES)
def test_anatomy_labels_clear_of_the_drawing_lines(detail, targets, width, height, size):
    """No outline, nerve or leader crosses a label, except the shape a label is printed
    on (a level name on its spinous process, a number in its marker)."""
    art = lumbar.draw(detail, targets, ["L4/5-facet"], width, height, size, fonts().width)
    for lb in art.labels:
        shrink = (lb.box[0] + 0.5, lb.box[1] + 0.5, lb.box[2] - 1, lb.box[3] - 1)
        # a label printed on a filled shape may cover what that shape itself covers
        under = next((i for i, s in enumerate(art.shapes) if s.name == lb.on), -1)
        if lb.on:
            assert under >= 0 and art.shapes[under].fill, lb.text
        for i, s in enumerate(art.shapes):
            if i <= under or not s.stroke:
                continue
            for path in s.paths:
                for line in v.flatten(path):
                    for a, b in zip(line, line[1:]):
                        assert not v.segment_hits_box(a, b, shrink), (lb.text, s.name)
        for leader in _leaders(art):
            if leader is lb.leader:
                continue
            for a, b in zip(leader, leader[1:]):
                assert not v.segment_hits_box(a, b, shrink), (lb.text, "leader")


def test_anatomy_nerves_cross_the_transverse_process_one_level_down():
    """Bogduk & Long: the L3 medial branch crosses the L4 TP base, L4 the L5 one."""
    for level, below in (("L3", "L4"), ("L4", "L5")):
        path = lumbar._medial_branch(lumbar.TOP + lumbar.LEVELS.index(below))["trunk"]
        jx, jy = lumbar.junction(below)
        assert min(abs(x - jx) + abs(y - jy) for x, y in path) < 0.03, level
        assert lumbar.SITES[f"{level}-medial-branch"] == (jx, jy)


def test_anatomy_alt_names_structures_and_targets():
    from handouts import alt

    text = alt.anatomy("full", [("L4-medial-branch", "L4 内側枝：L5 横突起基部")], ["L4/5-facet"])
    for word in ("棘突起", "椎弓板", "横突起", "上関節突起", "L3/4", "L4/5", "L5/S1",
                 "乳頭副突起靱帯", "L5 後枝", "① L4 内側枝：L5 横突起基部", "強調：L4/5 椎間関節"):
        assert word in text, word


# -- in the shipped outputs ------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    out = tmp_path_factory.mktemp("shipped")
    r = run_cli("build", ROOT / "specs" / "stretches.yaml", ROOT / "specs" / "medial-branch.yaml",
                "-o", out, "--format", "pdf,pptx")
    assert r.returncode == 0, r.stderr
    return out


def _groups_with_descr(pptx: Path):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    out = []
    for k, slide in enumerate(Presentation(str(pptx)).slides, 1):
        for shape in slide.shapes:
            if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
                descr = shape._element.nvGrpSpPr.cNvPr.get("descr", "")
                kinds = {s.shape_type for s in shape.shapes}
                # the group's box holds its children (PowerPoint scales them into it)
                xfrm = shape._element.grpSpPr.xfrm
                assert shape.width > 0 and (xfrm.chExt.cx, xfrm.chExt.cy) == \
                    (shape.width, shape.height)
                for child in shape.shapes:
                    assert shape.left <= child.left and \
                        child.left + child.width <= shape.left + shape.width + 1
                out.append((k, descr, kinds, len(shape.shapes)))
    return out


def test_every_shipped_exercise_has_its_figure_with_alt_text_in_the_deck(shipped):
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    groups = _groups_with_descr(shipped / "stretches.pptx")
    for name in SHIPPED_POSES:
        hits = [g for g in groups if g[1].startswith(f"「{name}」の図")]
        assert len(hits) == 1, (name, [g[1][:20] for g in groups])
        _, descr, kinds, n = hits[0]
        assert "のばす場所" in descr and n > 20
        assert MSO_SHAPE_TYPE.FREEFORM in kinds


def test_medial_branch_deck_has_the_anatomy_with_alt_text(shipped):
    groups = _groups_with_descr(shipped / "medial-branch.pptx")
    anat = [g for g in groups if g[1].startswith("腰椎を後方から見た図")]
    assert len(anat) == 1
    # the spec's 「L4 内側枝」: the space beside Japanese goes (the typesetter sets 和欧間)
    assert "① L4内側枝：L5横突起基部" in anat[0][1]


def test_pptx_freeforms_carry_real_curves(shipped):
    """The figure is drawn with cubic Béziers, not flattened into many straight segments."""
    import zipfile

    with zipfile.ZipFile(shipped / "stretches.pptx") as z:
        xml = "".join(z.read(n).decode() for n in z.namelist()
                      if n.startswith("ppt/slides/slide"))
    assert xml.count("<a:cubicBezTo>") > 100


def test_leaflets_carry_the_drawings(shipped):
    """The handouts are generated with the figures: the stretches leaflet has the arrow and
    muscle colour of each pose, the medial-branch handout the simple anatomy labels."""
    from conftest import pdftotext

    text = pdftotext(shipped / "medial-branch.pdf").replace(" ", "")
    for word in ("椎間関節（小さな関節）", "関節につながる細い神経"):
        assert word in text
    import pdfplumber

    with pdfplumber.open(shipped / "stretches.pdf") as pdf:
        curves = sum(len(p.curves) for p in pdf.pages)
    assert curves > 4 * 30  # four figures of rounded limbs


def test_document_computes_alt_once_for_both_outputs():
    from handouts.document import Anatomy, Exercise, load_document

    doc = load_document(ROOT / "specs" / "stretches.yaml")
    exercises = [b for s in doc.sections for b in s.blocks if isinstance(b, Exercise)]
    assert {e.name.plain: e.pose.name for e in exercises} == SHIPPED_POSES
    assert all(e.alt.startswith(f"「{e.name.plain}」の図") for e in exercises)
    doc = load_document(ROOT / "specs" / "medial-branch.yaml")
    anat = [b for s in doc.sections for b in s.blocks if isinstance(b, Anatomy)]
    assert {a.detail for a in anat} == {"full", "simple"}
    assert all(a.alt for a in anat)


def test_unknown_pose_is_a_located_error(tmp_path):
    spec = ROOT / "tests" / "data" / "allkinds"
    import shutil

    shutil.copytree(spec, tmp_path / "specs")
    p = tmp_path / "specs" / "all-kinds.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace(
        "pose: seated-hamstring", "pose: no-such-pose"),
        encoding="utf-8")
    r = run_cli("check", p)
    assert r.returncode == 1
    line = next(i for i, t in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                if "no-such-pose" in t)
    assert f"{p}:{line}:17: error: no pose 'no-such-pose' in the pose library" in r.stderr


def test_spec_gives_joint_angles_itself(tmp_path):
    """A pose written in the spec (here lying on the back, knee to chest) is drawn like a
    library pose: on the floor, the figure in the leaflet and in the deck."""
    import shutil

    shutil.copytree(ROOT / "tests" / "data" / "allkinds", tmp_path / "specs")
    p = tmp_path / "specs" / "all-kinds.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("pose: seated-hamstring", """pose:
            says: あお向けで片ひざをかかえます
            stretches: おしりと腰
            contacts: [heel.left]
            highlight: {segment: buttock.right, face: back}
            start: {body: {pitch: -90}, hip.right: 120, knee.right: 120}"""), encoding="utf-8")
    r = run_cli("build", p, "-o", tmp_path / "out", "--format", "pdf,pptx")
    assert r.returncode == 0, r.stderr
    groups = _groups_with_descr(tmp_path / "out" / "all-kinds.pptx")
    assert any(g[1].startswith("「たいそうのなまえ」の図。あお向けで片ひざをかかえます") for g in groups)
    from handouts.document import Exercise, load_document

    doc = load_document(p)
    pose = next(b for s in doc.sections for b in s.blocks if isinstance(b, Exercise)).pose
    body = figure.scene(pose).end
    assert body.points["head"][2] < 0.12 and body.points["pelvis"][2] < 0.15  # lying down


# -- the pose model: reference ranges of motion ----------------------------------------------
def test_limits_are_the_reference_ranges_of_motion():
    """The table is the JOA / JARM reference ranges (関節可動域表示ならびに測定法)."""
    from handouts.diagrams.pose import LIMITS

    joa = {("hip", "flex"): (-15, 125), ("hip", "abduct"): (-20, 45),
           ("hip", "rotate"): (-45, 45), ("knee", "flex"): (0, 130),
           ("ankle", "flex"): (-45, 20), ("shoulder", "flex"): (-50, 180),
           ("elbow", "flex"): (-5, 145), ("trunk", "side"): (-50, 50),
           ("head", "flex"): (-50, 60)}
    for k, (lo, hi) in joa.items():
        assert LIMITS[k][:2] == (lo, hi), k


@pytest.mark.parametrize("name", POSES)
def test_every_shipped_angle_is_within_its_reference_range(name):
    """Each angle of both positions, and each hip's flexion against the trunk line (hip +
    the trunk's lean), lies within the reference range: no figure overdoes a joint."""
    from handouts.diagrams.pose import LIMITS

    pose = figure.library()[name]
    for angles in (pose.start, pose.end):
        lean = angles.get("trunk", {}).get("lean", 0.0)
        for joint, vals in angles.items():
            for k, x in vals.items():
                lo, hi, _ = LIMITS[(joint.partition(".")[0], k)]
                if (joint.startswith("hip"), k) == (True, "flex"):
                    x += lean
                assert lo <= x <= hi, (name, joint, k, x)


def _spec_with_pose(tmp_path, pose_yaml: str) -> Path:
    import shutil

    shutil.copytree(ROOT / "tests" / "data" / "allkinds", tmp_path / "specs")
    p = tmp_path / "specs" / "all-kinds.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("pose: seated-hamstring",
                                                       "pose:\n" + pose_yaml), encoding="utf-8")
    return p


def _where(p: Path, token: str, nth: int = 0) -> tuple[int, int]:
    """Line and column (1-based) of the nth `token` in the file."""
    hits = [(i, line.index(token) + 1) for i, line in
            enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if token in line]
    return hits[nth]


def test_a_spec_pose_beyond_the_reference_range_is_an_error_at_its_value(tmp_path):
    """The old inner-thigh angles (hip abducted 75°, turned out 90°) and a knee bent past
    130°: each an error at the exact line and column of its number, all reported at once,
    exit status 1, no traceback, nothing built."""
    p = _spec_with_pose(tmp_path, """\
            says: 足を大きく開きます
            stretches: 太ももの内側
            contacts: [heel.right]
            highlight: {segment: thigh.right, face: inner}
            start:
              hip.left: {abduct: 75, rotate: 90}
              knee.left: 140
              trunk: {lean: 60}
              hip.right: 70""")
    r = run_cli("build", p, "-o", tmp_path / "out", "--format", "pdf")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    line, col = _where(p, "abduct: 75")
    assert f"{p}:{line}:{col + 8}: error: pose: hip.left abduct of 75° is outside the " \
        "reference range of motion (-20° to 45°" in r.stderr
    assert f"{p}:{line}:{_where(p, '90}')[1]}: error: pose: hip.left rotate of 90°" in r.stderr
    line, col = _where(p, "knee.left: 140")
    assert f"{p}:{line}:{col + 11}: error: pose: knee.left flex of 140°" in r.stderr
    # against the trunk line: 70 + the lean of 60 bends the hip 130
    line, col = _where(p, "hip.right: 70")
    assert f"{p}:{line}:{col + 11}: error: pose: hip.right flex of 130° (with the trunk's " \
        "lean of 60°)" in r.stderr
    assert not (tmp_path / "out" / "all-kinds.pdf").exists()


def test_a_misspelt_joint_is_an_error_at_its_key(tmp_path):
    p = _spec_with_pose(tmp_path, """\
            says: 足をのばします
            stretches: 太ももの裏
            highlight: {segment: thigh.right}
            start: {knee.middle: 30, hip.right: {bend: 20}}""")
    r = run_cli("check", p)
    assert r.returncode == 1
    line, col = _where(p, "knee.middle")
    assert f"{p}:{line}:{col}: error: pose: unknown joint 'knee.middle'" in r.stderr
    line, col = _where(p, "bend")
    assert f"{p}:{line}:{col}: error: pose: 'hip.right' has no angle 'bend'" in r.stderr


# -- the poses a physiotherapist signs --------------------------------------------------------
SHOULDER_WIDTH = 0.259  # biacromial, H (Drillis & Contini)


def test_inner_thigh_stays_in_the_normal_range_with_a_chair_to_hold():
    """Feet about 1.5 shoulder widths apart, the stretched hip abducted 30–45°, its knee
    straight and its sole flat on the floor in both frames, a hand on a chair's back."""
    pose = figure.library()["standing-inner-thigh"]
    sc = figure.scene(pose)
    for body in (sc.start, sc.end):
        apart = abs(body.points["foot.left"][1] - body.points["foot.right"][1])
        assert 1.3 <= apart / SHOULDER_WIDTH <= 1.7, apart / SHOULDER_WIDTH
        for p in ("heel.right", "toe.right", "heel.left", "toe.left"):
            assert figure.contact_height(body, p) < 0.01, p
        assert figure.held_gap(sc, body) < 0.012
    assert 30 <= pose.end["hip.right"]["abduct"] <= 45
    assert pose.end.get("knee.right", {}).get("flex", 0.0) == 0.0
    chair = sc.chairs[-1]
    assert 0.42 <= chair.back_top <= 0.58  # 67–93 cm for 160 cm: a chair's back
    # the feet stay put from start to end
    for side in ("left", "right"):
        a, b = sc.start.points[f"foot.{side}"], sc.end.points[f"foot.{side}"]
        assert abs(a[0] - b[0]) < 0.01 and abs(a[1] - b[1]) < 0.01


def test_inner_thigh_straight_foot_is_seen_on_the_floor():
    """Not a stump: the stretched leg's foot is drawn at least 40 % of its length wide."""
    pose = figure.library()["standing-inner-thigh"]
    sc = figure.scene(pose)
    cam = figure.Camera(pose.view, 1.0)
    foot = sc.end.seg("foot.right")
    (ax, _), (bx, _) = cam(foot.a), cam(foot.b)
    length = math.dist(foot.a, foot.b)
    assert abs(bx - ax) >= 0.4 * length


def test_half_kneeling_knee_rests_on_a_folded_towel_and_a_hand_on_a_chair():
    pose = figure.library()["half-kneeling-hip-flexor"]
    sc = figure.scene(pose)
    assert pose.towel == "knee.right" and sc.towel is not None
    for body in (sc.start, sc.end):
        knee = body.points["knee.right"]
        assert abs(knee[0] - sc.towel[0]) < figure.TOWEL_L / 2  # on it, not beside it
        assert abs(figure.contact_height(body, "knee.right") - figure.TOWEL_T) < 0.01
        assert figure.contact_height(body, "toe.right") < 0.01
        assert figure.held_gap(sc, body) < 0.012
    names = {s.name for s in figure.draw(pose, 300, 120).shapes}
    assert {"タオル", "いす（背もたれ）"} <= names


def test_figure_4_is_seen_from_the_front_with_the_crossed_shin_in_view():
    """The crossed shin is the pose's cue: seen from the front it shows at most of its
    length, drawn over the leg it rests on, its ankle on that thigh."""
    pose = figure.library()["seated-figure-4"]
    assert abs(pose.view + 90) <= 15
    sc = figure.scene(pose)
    cam = figure.Camera(pose.view, 1.0)
    shin = sc.end.seg("shank.right")
    shown = math.dist(cam(shin.a), cam(shin.b))
    assert shown >= 0.7 * math.dist(shin.a, shin.b)
    names = [s.name for s in figure.draw(pose, 300, 150).shapes]
    assert names.index("②右足") > names.index("②左足")
    # the ankle rests on the other thigh (its surface within 1.5 cm at 160 cm)
    thigh, ankle = sc.end.seg("thigh.left"), sc.end.points["foot.right"]
    d = [b - a for a, b in zip(thigh.a, thigh.b)]
    t = sum((p - a) * x for p, a, x in zip(ankle, thigh.a, d)) / sum(x * x for x in d)
    near = [a + t * x for a, x in zip(thigh.a, d)]
    radius = thigh.ra + (thigh.rb - thigh.ra) * t
    assert 0.4 < t < 1.0
    assert abs(math.dist(ankle, near) - radius - sc.end.seg("shank.right").rb) < 0.01


# -- two numbered frames ----------------------------------------------------------------------
@pytest.mark.parametrize("name", POSES)
def test_start_and_stretch_are_two_numbered_frames(name):
    """① はじめ on the left, ② のばす on the right, an arrow between; no pale ghost; the
    stretched muscle and the motion arrow in ② only."""
    pose = figure.library()[name]
    art = figure.draw(pose, 400, 160)
    texts = [lb.text for lb in art.labels]
    assert texts == ["1", "はじめ", "2", "のばす"]
    one = [s for s in art.shapes if s.name.startswith("①")]
    two = [s for s in art.shapes if s.name.startswith("②")]
    assert one and two
    assert v.bounds(one)[2] < v.bounds(two)[0]
    arrow = next(s for s in art.shapes if s.name == "順番の矢印")
    assert v.bounds(one)[2] < v.bounds([arrow])[0] and v.bounds([arrow])[2] < v.bounds(two)[0]
    assert not [s for s in art.shapes if s.fill == figure.GHOST_FILL]
    hl = next(s for s in art.shapes if s.name == "のばす筋肉")
    assert v.bounds([hl])[0] > v.bounds(one)[2]
    for lb in art.labels:  # inside the drawing, above the figures
        assert 0 <= lb.box[0] and lb.box[0] + lb.box[2] <= 400.5
        assert lb.box[1] + lb.box[3] <= v.bounds(one + two)[1] + 0.5


def test_one_frame_is_an_option_with_the_start_pale():
    import dataclasses

    pose = dataclasses.replace(figure.library()["seated-hamstring"], frames=1)
    art = figure.draw(pose, 300, 200)
    assert not art.labels and [s for s in art.shapes if s.fill == figure.GHOST_FILL]
    from handouts import alt

    assert "うすい線" in alt.exercise(pose, "x")
    assert "①" in alt.exercise(figure.library()["seated-hamstring"], "x")


@pytest.mark.parametrize("name", POSES)
def test_aspect_is_the_drawings_shape(name):
    """Drawn at the size `aspect` gives, the two frames fill the width: callers size the
    figure by it (the leaflet card, the slide)."""
    pose = figure.library()[name]
    h = 113.4  # 40 mm
    art = figure.draw(pose, h * figure.aspect(pose), h, label_size=figure.LABEL * h)
    x0, _, x1, _ = v.bounds(art.shapes)
    assert x1 - x0 >= 0.97 * art.width


# -- the spine: what a practitioner needs, what a patient can read ------------------------------
EMPHASIS = ["L4/5-facet", "L3-medial-branch", "L4-medial-branch"]
TARGETS = ["L4-medial-branch", "L3-medial-branch", "L4/5-facet"]
# (detail, targets, width, max height, label size): the deck slide, the leaflets' A4,
# large print and A5 (frame widths and body sizes of leaflet/typeset.Options)
SIZES = [("full", TARGETS, 560, 330, 16.0), ("full", TARGETS, 590, 310, 18.0),
         ("full", TARGETS[:1], 510, 340, 11.0), ("simple", [], 500, 226.8, 12.5),
         ("simple", [], 510, 226.8, 14.5), ("simple", [], 357, 226.8, 12.0)]


def _art(detail, targets, width, height, size):
    return lumbar.draw(detail, targets, EMPHASIS, width, height, size, fonts().width)


def _segments(shape):
    return [(a, b) for p in shape.paths for line in v.flatten(p) for a, b in zip(line, line[1:])]


def _dist(p, a, b):
    """Distance from point p to the segment a–b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / ((dx * dx + dy * dy) or 1e-12)))
    return math.dist(p, (a[0] + t * dx, a[1] + t * dy))


def _near(point, shape, tol):
    return any(_dist(point, a, b) <= tol for a, b in _segments(shape))


def test_practitioner_spine_shows_intermediate_and_lateral_branches():
    """Bogduk 1982: L3 and L4 dorsal rami with intermediate and lateral branches, the L5
    ramus with an intermediate one; labelled, their leaders ending on them. The
    patients' figure leaves them out."""
    art = _art(*SIZES[0])
    others = next(s for s in art.shapes if s.name == "中間枝・外側枝")
    assert len(others.paths) == 2 * 3 + 1
    for word in ("中間枝", "外側枝"):
        lb = next(lb for lb in art.labels if lb.text == word)
        assert _near(lb.leader[-1], others, 2.0), word
    simple = _art(*SIZES[3])
    assert not [s for s in simple.shapes if s.name == "中間枝・外側枝"]


@pytest.mark.parametrize("case", SIZES, ids=lambda c: f"{c[0]}-{c[2]}-{c[4]}")
def test_spinous_process_stands_out_and_no_leader_crosses_a_hatched_joint(case):
    """The spinous process is a plate with its shadow, reaching past the lamina's lower
    edge (not a window in it); no leader runs over an emphasised joint it does not name."""
    art = _art(*case)
    names = [s.name for s in art.shapes]
    for lv in lumbar.LEVELS:
        sp = art.shapes[names.index(f"{lv} 棘突起")]
        assert names.index(f"{lv} 棘突起（影）") < names.index(f"{lv} 棘突起")
        arch = art.shapes[names.index(f"{lv} 椎弓")]
        lamina_bottom = max(y for x, y in v.flatten(arch.paths[0])[0])
        assert v.bounds([sp])[3] > lamina_bottom
    hatched = [s for s in art.shapes if s.name == lumbar.SITE_NAMES["L4/5-facet"]]
    assert hatched
    for lb in art.labels:
        if not lb.leader or "椎間関節" in lb.text:
            continue
        for a, b in zip(lb.leader, lb.leader[1:]):
            for s in hatched:
                box = v.bounds([s])
                assert not v.segment_hits_box(a, b, (box[0], box[1], box[2] - box[0],
                                                     box[3] - box[1])), lb.text


def test_patient_spine_has_no_unlabelled_white_bars():
    """The ligament (MAL) is drawn and labelled for practitioners; patients' figure has
    none, and nothing white but the sacral foramina."""
    simple = _art(*SIZES[3])
    assert not [s for s in simple.shapes if "乳頭副突起靱帯" in s.name]
    assert {s.name for s in simple.shapes if s.fill == "FFFFFF"} == {"後仙骨孔"}
    full = _art(*SIZES[0])
    mal = [s for s in full.shapes if s.name.startswith("乳頭副突起靱帯")]
    lb = next(lb for lb in full.labels if lb.text.startswith("乳頭副突起靱帯"))
    assert mal and any(_near(lb.leader[-1], s, 6.0) for s in mal)


def _inside(p, poly):
    """Whether p lies inside the polygon (even-odd rule)."""
    hit = False
    for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1]):
        if (y0 > p[1]) != (y1 > p[1]) and p[0] < x0 + (p[1] - y0) * (x1 - x0) / (y1 - y0):
            hit = not hit
    return hit


@pytest.mark.parametrize("case", SIZES[:3], ids=lambda c: f"{c[2]}-{c[4]}")
def test_marker_leaders_are_never_hidden(case):
    """Each numbered disc leaves its leader visible: at least a disc's radius of it lies
    outside the disc and off the shapes of the same colour (the emphasised joint and
    nerves, where the old ③ lost its leader); no disc sits on another disc's leader or a
    label's leader, or on another disc."""
    art = _art(*case)
    discs = {s.name: s for s in art.shapes if re.fullmatch(r"ターゲット\d", s.name)}
    lines = {s.name: s for s in art.shapes if s.name.endswith("（線）")}
    assert len(discs) == len(case[1])
    label_leaders = [lb.leader for lb in art.labels if lb.leader]
    accent = lines[next(iter(discs)) + "（線）"].stroke
    joints = [v.flatten(s.paths[0])[0] for s in art.shapes
              if s.fill and s.stroke == accent and s.name.endswith("椎間関節")]
    nerves = [(s, _segments(s)) for s in art.shapes
              if s.stroke == accent and not s.fill and "ターゲット" not in s.name]
    for name, disc in discs.items():
        x0, y0, x1, y1 = v.bounds([dataclasses.replace(disc, stroke=None)])
        c, r = ((x0 + x1) / 2, (y0 + y1) / 2), (x1 - x0) / 2
        (a, b), = _segments(lines[name + "（線）"])
        steps = 200
        seen = 0
        for k in range(steps):
            q = (a[0] + (b[0] - a[0]) * (k + 0.5) / steps, a[1] + (b[1] - a[1]) * (k + 0.5) / steps)
            if math.dist(q, c) <= r + 0.5 or any(_inside(q, j) for j in joints):
                continue
            if any(_dist(q, p, t) <= s.width / 2 + 0.5 for s, segs in nerves for p, t in segs):
                continue
            seen += 1
        assert seen / steps * math.dist(a, b) >= r, name
        for other, d in discs.items():
            if other == name:
                continue
            ox0, oy0, ox1, oy1 = v.bounds([dataclasses.replace(d, stroke=None)])
            assert math.dist(c, ((ox0 + ox1) / 2, (oy0 + oy1) / 2)) > 2 * r, (name, other)
            (p, q), = _segments(lines[other + "（線）"])
            assert _dist(c, p, q) > r, (name, "under", other)
        for ld in label_leaders:
            for p, q in zip(ld, ld[1:]):
                assert _dist(c, p, q) > r, (name, "on a label's leader")


@pytest.mark.parametrize("case", SIZES[3:], ids=["A4", "large", "A5"])
def test_patient_spine_is_never_smaller_than_its_labels(case):
    """A5 once drew the spine 22 × 31 mm beside labels wider than it: now the bones are
    at least as wide as the widest label line (labels break onto two lines if needed),
    at least 40 mm tall, and every label fits the page's measure."""
    detail, targets, width, height, size = case
    art = _art(*case)
    bones = [s for s in art.shapes if s.name.endswith("椎弓") or s.name == "仙骨"]
    bx0, by0, bx1, by1 = v.bounds(bones)
    texts = [lb for lb in art.labels if not lb.on]
    assert texts
    assert bx1 - bx0 >= max(lb.box[2] for lb in texts)
    assert by1 - by0 >= 40 * 72 / 25.4
    for lb in texts:
        assert -0.5 <= lb.box[0] and lb.box[0] + lb.box[2] <= width + 0.5
    if width < 400:  # A5: the long labels broke onto two lines
        assert "出っぱり" in [lb.text for lb in texts]


def test_labels_left_out_when_even_broken_they_do_not_fit():
    art = lumbar.draw("simple", [], EMPHASIS, 200, 226.8, 12.0, fonts().width)
    assert not [lb for lb in art.labels if not lb.on]
    assert lumbar.layout("simple", 200, 226.8, 12.0, fonts().width)[0] == "none"


def test_patient_alt_text_uses_the_words_of_the_leaflet():
    """The patients' alt text says what the labels say: no 内側枝, 横突起 or L4/5 the
    picture itself avoids."""
    from handouts import alt

    text = alt.anatomy("simple", [], EMPHASIS)
    for word in ("背骨", "うしろ", "出っぱり", "小さな関節", "細い神経", "上と下の 2 本"):
        assert word in text, word
    for word in ("内側枝", "横突起", "棘突起", "乳頭", "MAL", "L3", "L4", "L5", "強調", "後枝"):
        assert word not in text, word


def test_frame_labels_are_never_smaller_than_the_leaflets_text():
    """Drawn small (an old card layout: 90 × 60 pt), the frames keep their numbers at the
    large-print body size and leave the words out rather than shrink them."""
    pose = figure.library()["half-kneeling-hip-flexor"]
    small = figure.draw(pose, 90, 60)
    assert [lb.text for lb in small.labels] == ["1", "2"]
    assert min(lb.size for lb in small.labels) >= figure.LABEL_MIN
    asked = figure.draw(pose, 400, 120, label_size=12.5)
    assert {lb.size for lb in asked.labels} == {12.5}
