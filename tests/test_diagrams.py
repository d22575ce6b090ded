"""Pose and anatomy drawings: pure geometry, grounded poses, readable labels, alt text in
both outputs."""

import ast
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
        for point in pose.contacts:
            assert figure.contact_height(body, point) < 0.012, (name, point)  # 2 cm at 1.7 m


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
        assert ("いす（座面）" in names) == (pose.support == "chair"), name
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
        assert 0 <= a[0] and a[0] + a[2] <= width + 0.5, art.labels[i].text
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
    text = lumbar.alt("full", [("L4-medial-branch", "L4 内側枝：L5 横突起基部")], ["L4/5-facet"])
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
