"""Alt text for diagrams and charts, written from the document model once, in plain Japanese
sentences that say what the picture shows (not what it looks like). Every renderer that
draws the picture uses the same text."""

from __future__ import annotations

from .. import document as d


def _plain(rich) -> str:
    return rich.plain if rich is not None else ""


def _caption(rich) -> str:
    return f"{_plain(rich)}。" if rich is not None and not _plain(rich).endswith("。") \
        else _plain(rich)


def flow(b: d.Flow) -> str:
    steps = " → ".join(s.plain for s in b.steps)
    text = f"流れ図（{len(b.steps)}段階）：{steps}。"
    if b.highlight is not None:
        text += f"強調：{b.steps[b.highlight].plain}。"
    return text + _caption(b.caption)


def tree(b: d.Tree) -> str:
    parts: list[str] = []

    def walk(n: d.Node) -> None:
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


def chart(b: d.Chart) -> str:
    values = "、".join(f"{k} {v:g}{b.unit}" for k, v in b.data)
    head = f"横棒グラフ「{b.title.plain}」" if b.title else "横棒グラフ"
    text = f"{head}：{values}。"
    if b.source:
        text += f"出典：{b.source.cite}。"
    return text + _caption(b.caption)
