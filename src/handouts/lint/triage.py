"""One triage for every leaflet: urgency tiers are defined once, in the shared blocks.

Content brief rule 5: go now / call 119 (cauda equina signs, early ones first), see a doctor
the same or next day, see a doctor soon. A shared callout with `tier:` defines a tier and the
words (`signs:`) that name its symptoms. When a project defines tiers, every patient leaflet:

- includes each tier's box with `use:` (the go-now box is required, the others expected);
- writes no danger or warning box of its own (the boxes would drift apart again);
- never tells the reader to do less than the tier says: a sentence, list item or key point
  that names a tier's sign and gives an instruction must give that tier's instruction (or a
  stronger one). A checklist is read with the paragraph that follows it ("if any of these
  applies, …": its first sentence, and any later one that names the same sign). Text that
  names a sign without saying what to do is left alone: the shared box on the same leaflet
  says it.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, Mark
from ..document import (Callout, Document, ItemList, Quiz, Section, Table, Text, Tier,
                        block_texts)
from .japanese import sentences

RANK = {"soon": 1, "today": 2, "now": 3}
# What an instruction of each tier says in these leaflets (strongest first).
INSTRUCTIONS = {
    "now": ("救急", "119", "今すぐ"),
    "today": ("今日", "明日", "翌日", "当日", "その日のうち"),
    "soon": ("早めに", "早めの", "近いうちに"),
}
SAYS = {"now": "go now (救急・119番)", "today": "see a doctor today or tomorrow",
        "soon": "see a doctor soon"}


def instruction(text: str) -> str | None:
    """The strongest tier an instruction in `text` gives, if any."""
    for tier in ("now", "today", "soon"):
        if any(w in text for w in INSTRUCTIONS[tier]):
            return tier
    return None


# (text, where it is written, what its instruction is read from, further sentences that
# count only where they name the same sign)
Unit = tuple[str, Mark, str, list[str]]


def _units(sec: Section) -> list[Unit]:
    """Each unit of a section with the context its instruction is read from."""
    out: list[Unit] = []
    blocks = sec.blocks
    for i, b in enumerate(blocks):
        if isinstance(b, Callout) and b.tier:
            continue  # the tier boxes themselves
        if isinstance(b, Text):  # a sentence and the one after it
            said = [s.text for s in sentences(b.text)]
            out += [(s, b.text.mark, s + "".join(said[j + 1:j + 2]), [])
                    for j, s in enumerate(said)]
        elif isinstance(b, ItemList):  # an item and the paragraph after the list
            after = blocks[i + 1] if i + 1 < len(blocks) else None
            said = [s.text for s in sentences(after.text)] if isinstance(after, Text) else []
            out += [(r.plain, r.mark, r.plain + "".join(said[:1]), said[1:]) for r in b.items]
        elif isinstance(b, Table):  # a cell and its row
            out += [(c.plain, c.mark, "".join(x.plain for x in row), [])
                    for row in b.rows for c in row]
        elif isinstance(b, (Quiz, Callout)):  # a part and the whole question or box
            texts = block_texts(b)
            whole = "".join(r.plain for r in texts)
            out += [(r.plain, r.mark, whole, []) for r in texts]
        else:
            out += [(r.plain, r.mark, r.plain, []) for r in block_texts(b)]
    return out


def check(doc: Document, patients: Document | None) -> list[Diagnostic]:
    """Findings of the triage rule (code `triage`; a missing tier box is `help-box`)."""
    if not doc.triage or patients is None:
        return []
    tiers = {t.tier: t for t in doc.triage}
    leaflet = patients.for_handout()
    diags: list[Diagnostic] = []
    used = {b.tier for sec in leaflet.sections for b in sec.for_target("handout")
            if isinstance(b, Callout) and b.tier}
    for name in ("now", "today", "soon"):
        t = tiers.get(name)
        if t is not None and name not in used:
            make = leaflet.title.mark.error if name == "now" else leaflet.title.mark.warning
            diags.append(make(f"patient leaflet does not include the shared '{SAYS[name]}' "
                              f"box; add `use: {t.block}` (tiers are defined once, in "
                              f"{t.mark.path})", "help-box"))
    front = [leaflet.title, *([leaflet.subtitle] if leaflet.subtitle else []),
             *leaflet.key_points]
    units: list[Unit] = [(r.plain, r.mark, r.plain, []) for r in front]
    for sec in patients.sections:
        units.append((sec.heading.plain, sec.heading.mark, sec.heading.plain, []))
        for b in sec.blocks:
            if isinstance(b, Callout) and b.level in ("danger", "warning") and (
                    not b.tier or b.mark.path == str(doc.path)):
                diags.append(b.mark.error(
                    f"a '{b.level}' box written in this spec; urgent-care advice is defined "
                    "once, in the shared blocks, so every leaflet says the same: use "
                    + ", ".join(f"`use: {t.block}`" for t in doc.triage), "triage"))
        units += _units(sec)
    for unit in units:
        diags += _too_soft(*unit, tiers)
    return diags


def _too_soft(text: str, mark: Mark, context: str, more: list[str], tiers: dict[str, Tier]
              ) -> list[Diagnostic]:
    for name in ("now", "today"):
        t = tiers.get(name)
        sign = next((s for s in t.signs if s in text), None) if t else None
        if sign is None:
            continue
        said = instruction(context + "".join(m for m in more if sign in m))
        if said is None:
            return []
        if RANK[said] < RANK[name]:
            return [mark.error(
                f"「{text[:30]}」 names 「{sign}」, a sign the shared block '{t.block}' "
                f"sends to '{SAYS[name]}', but this part says only '{SAYS[said]}'; give the "
                f"same instruction (e.g. 「{INSTRUCTIONS[name][0]}」) or leave it to the shared "
                "box", "triage")]
        return []
    return []
