"""One triage for every output: urgency tiers are defined once, in the shared blocks.

Content brief rule 5: go now / call 119 (cauda equina signs, early ones first; sudden severe
chest or back pain; stroke signs), see a doctor the same or next day, see a doctor soon. A
shared callout with `tier:` defines a tier and the words (`signs:`) that name its symptoms.
When a project defines tiers:

- every patient leaflet includes each tier's box with `use:` (the go-now box is required,
  the others expected) and writes no danger or warning box of its own (the boxes would
  drift apart again);
- no text of any spec, practitioners' decks and speaker notes included, gives a sign a
  softer time frame than its tier: titles, subtitles, key points, headings, blocks and
  notes are read sentence by sentence. A sign takes the first time frame written after it
  in its sentence (「…両下肢の症状は、その日のうちに救急へ」: その日のうちに, a same-day frame,
  even beside 救急), else the nearest one before it, else the instruction of the text that
  follows: the next sentence, or for a checklist the paragraph after it ("if any of these
  applies, …": its first sentence, and any later one that names the same sign). Text that
  names a sign without any time frame is left alone: the shared box on the same leaflet
  says it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..diagnostics import Diagnostic, Mark
from ..document import (Callout, Document, ItemList, Quiz, Section, Table, Text, Tier,
                        block_texts)
from .japanese import sentences
from .where import Where

RANK = {"soon": 1, "today": 2, "now": 3}
# Time frames by tier, as these specs write them (the first of each is the one to suggest).
# 救急 alone names a place, not a time: it counts as "now" only when no time word stands
# beside it.
FRAMES = {
    "now": r"今すぐ|(?<!まっ)すぐ|ただちに|直ちに|119|至急|数時間以内",
    "today": r"今日|明日|翌日|当日|その日のうち|24時間以内",
    "soon": r"早めに|早めの|近いうちに|数日のうちに",
}
SUGGEST = {"now": "今すぐ", "today": "今日", "soon": "早めに"}
_FRAME = re.compile("|".join(f"(?P<{t}>{p})" for t, p in FRAMES.items()) + "|(?P<place>救急)")
NEAR = 10  # characters: 「その日のうちに救急へ」 is one instruction
SAYS = {"now": "go now (救急・119番)", "today": "see a doctor today or tomorrow",
        "soon": "see a doctor soon"}


@dataclass(frozen=True)
class Frame:
    at: int
    tier: str  # now | today | soon, or "place" for 救急 alone


def frames(text: str) -> list[Frame]:
    return [Frame(m.start(), m.lastgroup) for m in _FRAME.finditer(text)]


def _instruction(found: list[Frame], first: Frame) -> str:
    """The tier an instruction gives: the softest time word written with it, else now (a
    bare 救急)."""
    times = [f.tier for f in found if abs(f.at - first.at) <= NEAR and f.tier != "place"]
    return min(times, key=RANK.__getitem__) if times else "now"


def instruction(text: str, at: int = 0) -> str | None:
    """The tier of the instruction that applies to position `at` of `text`: the first time
    frame after it, else the nearest before it; None if `text` gives none."""
    found = frames(text)
    after = [f for f in found if f.at >= at]
    if after:
        return _instruction(found, after[0])
    return _instruction(found, found[-1]) if found else None


# (text, where it is written, what follows it and gives its instruction when the text
# itself gives none, further sentences that count only where they name the same sign)
Unit = tuple[str, Mark, str, list[str]]


def _units(sec: Section) -> list[Unit]:
    """Each unit of a section with the text its instruction is read from."""
    out: list[Unit] = []
    blocks = sec.blocks
    for i, b in enumerate(blocks):
        if isinstance(b, Callout) and b.tier:
            continue  # the tier boxes themselves
        if isinstance(b, Text):  # a sentence and the one after it
            said = [s.text for s in sentences(b.text)]
            out += [(s, b.text.mark, "".join(said[j + 1:j + 2]), [])
                    for j, s in enumerate(said)]
        elif isinstance(b, ItemList):  # an item and the paragraph after the list
            after = blocks[i + 1] if i + 1 < len(blocks) else None
            said = [s.text for s in sentences(after.text)] if isinstance(after, Text) else []
            out += [(r.plain, r.mark, "".join(said[:1]), said[1:]) for r in b.items]
        elif isinstance(b, Table):  # a cell and its row
            out += [(c.plain, c.mark, "".join(x.plain for x in row), [])
                    for row in b.rows for c in row]
        elif isinstance(b, (Quiz, Callout)):  # a part and the whole question or box
            texts = block_texts(b)
            whole = "".join(r.plain for r in texts)
            out += [(r.plain, r.mark, whole, []) for r in texts]
        else:
            out += [(r.plain, r.mark, "", []) for r in block_texts(b)]
    return out


def _notes(sec: Section, where: Where) -> list[Unit]:
    """The section's speaker notes: each sentence, read with the one after it."""
    said = where.notes(sec)
    return [(t, m, "".join(x for x, _ in said[j + 1:j + 2]), [])
            for j, (t, m) in enumerate(said)]


def check(doc: Document, patients: Document | None, where: Where) -> list[Diagnostic]:
    """Findings of the triage rule (code `triage`; a missing tier box is `help-box`)."""
    if not doc.triage:
        return []
    tiers = {t.tier: t for t in doc.triage}
    diags: list[Diagnostic] = []
    if patients is not None:
        diags += _boxes(doc, patients, tiers)
    fronts = [doc] + ([doc.handout] if doc.handout is not None else [])
    units: list[Unit] = [(r.plain, r.mark, "", []) for d in fronts
                         for r in [d.title, *([d.subtitle] if d.subtitle else []),
                                   *d.key_points]]
    for sec in doc.sections:
        units.append((sec.heading.plain, sec.heading.mark, "", []))
        units += _units(sec) + _notes(sec, where)
    for unit in units:
        diags += _too_soft(*unit, tiers)
    return diags


def _boxes(doc: Document, patients: Document, tiers: dict[str, Tier]) -> list[Diagnostic]:
    """Each tier's box on the leaflet, and no urgent box of the spec's own."""
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
    for sec in patients.sections:
        for b in sec.blocks:
            if isinstance(b, Callout) and b.level in ("danger", "warning") and (
                    not b.tier or b.mark.path == str(doc.path)):
                diags.append(b.mark.error(
                    f"a '{b.level}' box written in this spec; urgent-care advice is defined "
                    "once, in the shared blocks, so every leaflet says the same: use "
                    + ", ".join(f"`use: {t.block}`" for t in doc.triage), "triage"))
    return diags


def signs(text: str, tiers: dict[str, Tier]) -> list[tuple[int, str, str]]:
    """(position, tier, sign) of each sign named in `text`, most urgent tier first. A sign
    written inside a longer sign of another tier is that one's (「片方の足に力が入らな」, a
    same-day sign, holds 「足に力が入らな」, which alone may mean both legs: go now)."""
    found = [(m.start(), m.start() + len(sign), name, sign)
             for name, t in tiers.items() for sign in t.signs if sign in text  # most are in no text
             for m in re.finditer(re.escape(sign), text)]
    kept = [f for f in found if not any(
        g[2] != f[2] and g[0] <= f[0] and f[1] <= g[1] and g[1] - g[0] > f[1] - f[0]
        for g in found)]
    return sorted(((a, name, sign) for a, _, name, sign in kept),
                  key=lambda f: (-RANK[f[1]], f[0]))


def _too_soft(text: str, mark: Mark, follows: str, more: list[str],
              tiers: dict[str, Tier]) -> list[Diagnostic]:
    for at, name, sign in signs(text, tiers):
        if name == "soon":
            break
        said = instruction(text, at)
        if said is None:  # what follows says it: the strongest of its parts
            given = [x for x in (instruction(follows),
                                 *(instruction(m) for m in more if sign in m)) if x]
            said = max(given, key=RANK.__getitem__) if given else None
        if said is not None and RANK[said] < RANK[name]:
            t = tiers[name]
            return [mark.error(
                f"「{text[:30]}」 names 「{sign}」, a sign the shared block '{t.block}' "
                f"sends to '{SAYS[name]}', but this part says only '{SAYS[said]}'; give "
                f"the same instruction (e.g. 「{SUGGEST[name]}」) or leave it to the "
                "shared box", "triage")]
    return []
