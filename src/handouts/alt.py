"""Alt text for every computed picture, written once from the document model in plain
Japanese sentences that say what the picture shows (not what it looks like). The leaflet's
PDF tags and the deck's shapes carry the same text.

It lives above `diagrams/` (which stays pure geometry) and beside the model: `document`
asks for it while lowering, and no renderer writes its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .diagrams import lumbar
from .diagrams.pose import Pose

if TYPE_CHECKING:
    from . import document as d


def _caption(rich) -> str:
    if rich is None:
        return ""
    text = rich.plain
    return text if text.endswith("。") else text + "。"


def flow(b: "d.Flow") -> str:
    """「流れ図（4段階）：正常 → 痛み → しびれ → 力が入らない。強調：力が入らない。」"""
    text = f"流れ図（{len(b.steps)}段階）：" + " → ".join(s.plain for s in b.steps) + "。"
    if b.highlight is not None:
        text += f"強調：{b.steps[b.highlight].plain}。"
    return text + _caption(b.caption)


def tree(b: "d.Tree") -> str:
    """「枝分かれの図：A（注）から B、C に分かれます。B から …」"""
    parts: list[str] = []

    def walk(n: "d.Node") -> None:
        label = n.label.plain + (f"（{n.note.plain}）" if n.note else "")
        if n.highlight:
            label += "［強調］"
        if n.children:
            kids = "、".join(c.label.plain for c in n.children)
            parts.append(f"{label}から {kids} に分かれます。")
        elif n is b.root:
            parts.append(label + "。")
        for c in n.children:
            walk(c)

    walk(b.root)
    return "枝分かれの図：" + "".join(parts) + _caption(b.caption)


def chart(b: "d.Chart") -> str:
    """「横棒グラフ「題」：遊離脱出型 96人/100人、…。出典：…。」"""
    values = "、".join(f"{k} {v:g}{b.unit}" for k, v in b.data)
    head = f"横棒グラフ「{b.title.plain}」" if b.title else "横棒グラフ"
    text = f"{head}：{values}。"
    if b.source:
        text += f"出典：{b.source.cite}。"
    return text + _caption(b.caption)


def exercise(pose: Pose, name: str) -> str:
    """What to do and where it stretches, from the pose data; the two numbered frames
    (or the pale start) as the figure draws them."""
    frames = pose.start != pose.end
    how = ("①はじめの姿勢と、②のばしている姿勢の 2 つの絵で示しています。"
           if frames and pose.frames == 2 else
           "うすい線の姿勢から矢印の向きへ動かします。" if frames else "")
    return (f"「{name}」の図。{pose.says}。{how}"
            f"のばす場所（{pose.stretches}）を色と斜線で示しています。")


def anatomy(detail: str, targets: list[tuple[str, str]], emphasis: list[str]) -> str:
    """The lumbar figure in words: for patients only the words its labels use, for
    practitioners the structures, the numbered targets and what is emphasised."""
    if detail == "simple":
        spine, joint, nerve = (t.replace("\n", "") for t, _, _ in lumbar.SIMPLE_LABELS)
        text = f"背骨の腰の部分をうしろから見た図。{spine}、{joint}、{nerve}を示しています。"
        if any(s.endswith("-facet") for s in emphasis):
            text += "色と斜線の関節に"
            text += ("、色をつけた上と下の 2 本の神経がきています。"
                     if sum(s.endswith(("branch", "ramus")) for s in emphasis) >= 2
                     else "、神経がきています。")
        return text
    text = ("腰椎を後方から見た図（L3〜S1）。棘突起、椎弓板、横突起、上関節突起、"
            "椎間関節（L3/4・L4/5・L5/S1）、仙骨翼を示す。右側に L3・L4 後枝の内側枝・中間枝・"
            "外側枝を描く。内側枝は 1 つ下の横突起基部（上関節突起との移行部）を横切り、"
            "乳頭副突起靱帯（MAL）の下を通る。中間枝と外側枝は横突起の後面を外下方へ走る。"
            "L5 後枝は仙骨翼の溝を走り、内側枝と中間枝に分かれる。")
    if targets:
        text += "番号：" + "、".join(f"{'①②③④⑤⑥'[i]} {t}" for i, (_, t) in enumerate(targets)) + "。"
    hot = [lumbar.SITE_NAMES[s] for s in emphasis]
    if hot:
        text += "強調：" + "、".join(hot) + "。"
    return text
