"""Content rules (issue 13): bar values within 0..max, quiz answers among the choices, shared
blocks that bring their own references, and a patient leaflet that keeps its help boxes
together and warns when it runs past two A4 pages."""

import re
import shutil
import subprocess
from pathlib import Path

from conftest import DATA, need, pdftotext, run_cli

from handouts.document import load_document

HEAD = ("title: 見本です\naudience: {audience}\nreviewed: 2026-11-01\nreview_by: 2027-11-01\n"
        "key_points: [要点です]\nsections:\n  - heading: 見出しです\n    blocks:\n")
SHARED = DATA / "sharedrefs"


def check(tmp_path: Path, body: str, audience: str = "practitioners") -> list[str]:
    spec = tmp_path / "rules.yaml"
    spec.write_text(HEAD.format(audience=audience) + body, encoding="utf-8")
    r = run_cli("check", spec)
    assert "Traceback" not in r.stderr
    return [line.replace(str(spec), "rules.yaml") for line in r.stderr.strip().splitlines()]


def test_bar_values_between_zero_and_max(tmp_path):
    got = check(tmp_path, "      - chart: {unit: 人/100人, source: r, max: 100,\n"
                "                 data: {遊離脱出型: 96, 膨隆型: -13, 突出型: 120}}\n"
                "references:\n  - {id: r, cite: C. 2020., doi: 10.1000/r}\n")
    assert got == [
        "rules.yaml:10:41: error: bar '膨隆型' is -13; a bar chart shows amounts from 0 up, "
        "so check the number (a change or difference belongs in the text)",
        "rules.yaml:10:51: error: bar '突出型' is 120, above the chart's max of 100; check "
        "the number or raise 'max'"]


def test_bar_values_without_max_only_need_to_be_positive(tmp_path):
    assert check(tmp_path, "      - chart: {unit: 人, source: r, data: {a: 0, b: 130}}\n"
                 "references:\n  - {id: r, cite: C. 2020., doi: 10.1000/r}\n") == []


def test_quiz_answer_is_one_of_its_choices(tmp_path):
    got = check(tmp_path, "      - quiz:\n          question: どれでしょう？\n"
                "          choices: [ちぎれて外に出た形, ふくらんだだけの形]\n"
                "          answer: ちぎれて出た形\n")
    assert got == ["rules.yaml:12:19: error: the quiz answer is not one of its choices; "
                   "write it exactly as one of them (the closest is 'ちぎれて外に出た形')"]
    # without choices the answer is free text
    assert check(tmp_path, "      - quiz: {question: どれ？, answer: 自由な答えです}\n") == []


def test_shared_blocks_bring_their_references():
    """A shared part defines the references its blocks cite; a spec that uses the blocks
    numbers them in the order its output first cites them; a spec's own reference
    of the same id wins. No spec has to repeat them and nothing points into _blocks.yaml."""
    r = run_cli("check", "--strict", SHARED / "topic.yaml", SHARED / "override.yaml")
    assert (r.returncode, r.stderr) == (0, "")
    doc = load_document(SHARED / "topic.yaml")
    assert [(x.number, x.id, Path(x.mark.path).name) for x in doc.references] == [
        (1, "own2020", "topic.yaml"), (2, "nicecks", "_blocks.yaml"),
        (3, "joa2019", "_blocks.yaml")]  # 'unused' is not cited: not listed
    cites = [(t.plain, [s.text for s in t.spans if s.cite]) for t in doc.texts() if t.cited]
    assert cites == [("多くの人は、6週間ほどでよくなります。", ["[1]"]),
                     ("次のどれかがあれば、すぐに救急車をよんでください。", ["[2]"]),
                     ("20歳より前か、55歳より後に、痛みが始まった", ["[3]"])]
    over = load_document(SHARED / "override.yaml")  # numbered as the output cites them
    assert [(x.number, x.id, x.cite[-18:]) for x in over.references] == [
        (1, "joa2019", "イン2019. 南江堂; 2019."), (2, "nicecks", "Last revised 2024.")]
    assert SHARED / "_blocks.yaml" in doc.inputs  # make rebuilds when they change


def test_shared_references_in_the_leaflet(tmp_path):
    r = run_cli("build", SHARED / "topic.yaml", "-o", tmp_path, "--format", "pdf")
    assert r.returncode == 0, r.stderr
    text = re.sub(r"\s+", "", pdftotext(tmp_path / "topic.pdf"))
    assert "すぐに救急車をよんでください[2]。" in text
    assert "[2]NICECKS.Sciatica(lumbarradiculopathy).2023." in text
    assert "[3]日本整形外科学会" in text and "使われない文献" not in text


def test_unknown_reference_in_a_shared_block_is_said_at_the_use(tmp_path):
    r = run_cli("check", SHARED / "typo.yaml")
    assert r.returncode == 1
    assert r.stderr.strip() == (
        f"{SHARED / 'typo.yaml'}:10:14: error: shared block 'help-typo' cites '@nicecsk' "
        f"({SHARED / '_blocks.yaml'}:35:25), a reference neither this spec nor the shared "
        "parts define; did you mean 'nicecks'?")
    shutil.copytree(SHARED, tmp_path / "s")
    blocks = tmp_path / "s" / "_blocks.yaml"
    blocks.write_text(blocks.read_text(encoding="utf-8").replace("@nicecsk", "@other"),
                      encoding="utf-8")
    r = run_cli("check", tmp_path / "s" / "typo.yaml")
    assert r.stderr.strip().endswith(
        f"add it to the 'references:' of {blocks} (then every spec using the block has it) "
        "or of this spec"), r.stderr


def _pages(pdf: Path) -> list[str]:
    n = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        [need("pdfinfo"), str(pdf)], capture_output=True, text=True).stdout)[1])
    return [re.sub(r"\s+", "", pdftotext_page(pdf, i)) for i in range(1, n + 1)]


def pdftotext_page(pdf: Path, page: int) -> str:
    return subprocess.run([need("pdftotext"), "-enc", "UTF-8", "-f", str(page), "-l",
                           str(page), str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


FILLER = "      - text: 腰の痛みは、多くの場合、数週間でやわらぎます。あせらずに様子をみましょう。\n"


def test_help_boxes_each_whole_in_the_order_written(tmp_path):
    """However much text comes before them (placed one paragraph lower each time, so some
    of these leaflets have a page break right at the boxes), the 'go now' box and the
    'see a doctor soon' box after it are each whole on one page, never 「（続き）」, the
    soon box on the go-now box's page or a later one (clinical review: each box whole,
    in the order written; they need not share a page)."""
    for f in ("_blocks.yaml", "_clinic.yaml"):
        shutil.copy(SHARED / f, tmp_path / f)
    refs = "references:\n  - {id: r, cite: C. 2020., doi: 10.1000/r}\n"
    for n in range(14, 30):
        (tmp_path / f"t{n:02d}.yaml").write_text(
            HEAD.format(audience="patients") + FILLER * n + "      - use: help-now\n"
            "      - use: help-soon\n" + FILLER * 3 + refs, encoding="utf-8")
    r = run_cli("build", tmp_path, "-o", tmp_path / "out", "--format", "pdf")
    assert r.returncode == 0, r.stderr
    doc = load_document(tmp_path / "t14.yaml").for_handout()
    boxes = [b for s in doc.sections_for("handout") for b in s.for_target("handout")
             if hasattr(b, "level") and b.level in ("danger", "warning")]
    signs = {b.level: [re.sub(r"\[[\d,]+\]|\s", "", i.plain)[:8] for i in b.items]
             for b in boxes}
    for n in range(14, 30):
        pages = _pages(tmp_path / "out" / f"t{n:02d}.pdf")
        assert not any("（続き）" in p for p in pages), n
        now = [i for i, p in enumerate(pages) if "今すぐ救急へ（119番）" in p]
        soon = [i for i, p in enumerate(pages) if "早めに受診してください" in p]
        assert len(now) == len(soon) == 1 and now[0] <= soon[0], (n, now, soon)
        for level, page in (("danger", now[0]), ("warning", soon[0])):
            assert all(sign in pages[page] for sign in signs[level]), (n, level)


def test_a_leaflet_past_three_pages_names_the_section_that_spills(tmp_path):
    shutil.copy(SHARED / "_clinic.yaml", tmp_path)
    sections = "".join(
        f"  - heading: {h}\n    blocks:\n" + FILLER.replace("腰の痛み", f"{h}のこと") * 15
        for h in ("痛みのしくみ", "くらしの工夫", "運動のしかた", "受診の目安"))
    spec = tmp_path / "long.yaml"
    spec.write_text(HEAD.format(audience="patients").split("sections:")[0] + "sections:\n"
                    + sections, encoding="utf-8")
    r = run_cli("build", spec, "-o", tmp_path, "--format", "pdf")
    assert r.returncode == 0, r.stderr
    pages = _pages(tmp_path / "long.pdf")
    assert len(pages) == 4
    warnings = [x for x in r.stderr.splitlines() if "[pages]" in x]
    assert len(warnings) == 1, r.stderr
    m = re.match(rf"{re.escape(str(spec))}:(\d+):5: warning: \[pages\] the patient leaflet "
                 r"runs to 4 A4 pages \(at most 3\); 「(.+?)」 spills onto page 4: shorten it "
                 r"or an earlier section, or show details only in the deck \(only: deck\)$",
                 warnings[0])
    assert m, warnings[0]
    name = m[2]
    # the named section is the one whose text reaches page 4, the one before it ends sooner
    order = ["痛みのしくみ", "くらしの工夫", "運動のしかた", "受診の目安"]
    k = order.index(name)
    assert f"{name}のこと" in pages[3]
    assert k == 0 or f"{order[k - 1]}のこと" not in pages[3]
    lines = spec.read_text(encoding="utf-8").splitlines()
    assert lines[int(m[1]) - 1] == f"  - heading: {name}"
    # check, which makes the pages without finishing or writing them, says the same
    c = run_cli("check", spec)
    assert [x for x in c.stderr.splitlines() if "[pages]" in x] == warnings, c.stderr
    # said once: the large-print and print-shop variants are longer or the same by design
    r = run_cli("build", spec, "-o", tmp_path / "v", "--format", "pdf,large,print")
    assert r.returncode == 0 and r.stderr.count("[pages]") == 1, r.stderr
    # a practitioners' leaflet is not held to three pages
    prac = tmp_path / "prac" / "long.yaml"
    prac.parent.mkdir()
    shutil.copy(SHARED / "_clinic.yaml", prac.parent)
    prac.write_text(spec.read_text(encoding="utf-8").replace("patients", "practitioners"),
                    encoding="utf-8")
    r = run_cli("build", prac, "-o", tmp_path / "p", "--format", "pdf,large")
    assert r.returncode == 0 and "[pages]" not in r.stderr, r.stderr


def test_check_sets_an_edited_text_again_for_the_page_count(tmp_path):
    """`check` keeps the leaflet's set lines between runs: a text made longer is set
    again, and the leaflet it now pushes past three pages is warned of though the cache
    holds every other text (and the text as it was)."""
    from handouts import fontcache
    from handouts.text import setting

    shutil.copy(SHARED / "_clinic.yaml", tmp_path)
    spec = tmp_path / "long.yaml"
    head = HEAD.format(audience="patients").split("sections:")[0] + "sections:\n"
    body = "".join(f"  - heading: {h}\n    blocks:\n"
                   + FILLER.replace("腰の痛み", f"{h}のこと") * 10
                   for h in ("痛みのしくみ", "くらしの工夫", "運動のしかた", "受診の目安"))
    spec.write_text(head + body, encoding="utf-8")
    c = run_cli("check", spec)
    assert "[pages]" not in c.stderr, c.stderr
    kept = fontcache.load_for_text(str(spec.resolve()), "leaflet-lines",
                                   setting._version())
    assert kept and any("受診の目安のこと" in "".join(s.text for s in spans[0])
                        for spans, *_ in kept)
    last = FILLER.replace("腰の痛み", "受診の目安のこと")
    longer = last.replace("あせらずに", "あせらずに" + "毎日すこしずつ体を動かして、" * 60)
    spec.write_text(head + longer.join(body.rsplit(last, 1)), encoding="utf-8")
    c = run_cli("check", spec)
    warnings = [x for x in c.stderr.splitlines() if "[pages]" in x]
    assert len(warnings) == 1 and "runs to 4 A4 pages" in warnings[0], c.stderr
