"""Automatic furigana: which words of a text get a reading, and which reading.

A word gets ruby when it holds a kanji not taught by the end of school grade N (the
学年別漢字配当表 in `kanji_grades.txt`, with its source). Its reading is the reviewed one in
`readings.yaml` where a written form there matches (the longest wins, and it must begin and
end where the analyser's words do: 便 is not read inside 郵便), else the morphological
analyser's: MeCab through fugashi, with UniDic (unidic-lite). The analyser alone gets
context wrong (便 びん in 「便がたまった感じ」, 内側枝 うちがわえだ), hence the table.

Words written solid in kanji form one compound (脳 + 卒中): when any kanji of it is beyond
the grade, the compound gets one reading over the whole (のうそっちゅう), unless part of it
has had its reading in the section already: then only the new words get theirs. Okurigana
stay bare: 持ち上げ gets も over 持 and あ over 上. A reviewed reading written per
character (つい.かん.ばん) keeps one reading per character, so a line may break inside it.

Importing this module is cheap; fugashi and the dictionary load on first analysis only, so
a build without furigana never pays for them.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files
from typing import Iterable

from .. import fontcache
from ..diagnostics import Mark
from .chars import KANJI, hiragana, is_kanji
from .inline import Rich, Span

GRADES = range(1, 7)
_KANJI_RUN = re.compile(f"[{KANJI}]+")


@lru_cache(maxsize=None)
def kanji_grades() -> dict[str, int]:
    """Each kanji of the 学年別漢字配当表 → the school grade that teaches it (1–6)."""
    out: dict[str, int] = {}
    for line in (files(__package__) / "kanji_grades.txt").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            grade, chars = line.split("\t")
            out.update(dict.fromkeys(chars, int(grade)))
    return out


def beyond(ch: str, grade: int) -> bool:
    """A kanji not taught by the end of `grade` (々 repeats the kanji before it)."""
    return is_kanji(ch) and ch not in "々〆" and kanji_grades().get(ch, 99) > grade


@lru_cache(maxsize=8192)
def _has_beyond(text: str, grade: int) -> bool:
    """Whether a word has a kanji beyond `grade` (asked for the same words again and
    again)."""
    return any(beyond(c, grade) for c in text)


@lru_cache(maxsize=None)
def reviewed() -> dict[str, str]:
    """The reviewed readings: written form → hiragana reading, or one reading per character
    separated by dots (つい.かん.かん.せつ), as in the spec markup."""
    import yaml

    data = yaml.safe_load((files(__package__) / "readings.yaml").read_text("utf-8"))
    return {str(k): str(v) for k, v in (data or {}).items()}


@lru_cache(maxsize=1)
def tagger():
    """The analyser, loaded once per process (import 10-30 ms, tagger 1-9 ms: the
    dictionary is mapped, not read)."""
    import fugashi

    return fugashi.Tagger()


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    text: str
    reading: str | None  # hiragana, dots between per-character readings; None: not known
    reviewed: bool = False  # from readings.yaml rather than the analyser


def _tokens(text: str) -> list[Word]:
    out, pos = [], 0
    for node in tagger()(text):
        start = text.find(node.surface, pos)  # after any white space MeCab skipped
        if start < 0:
            continue
        pos = start + len(node.surface)
        kana = None if node.is_unk else node.feature.kana
        out.append(Word(start, pos, node.surface, hiragana(kana) if kana else None))
    return out


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[Word, ...]:
    """The text's words with their readings: the reviewed reading where the longest
    written form of `readings.yaml` starts and ends on the analyser's word boundaries,
    else the analyser's. Kept on disk per text (fontcache): a spec just edited has only
    its changed texts analysed, and a run whose texts are all known never loads MeCab."""
    return fontcache.cached_for_text(text, "words", _words_version(), lambda: _words(text))


@lru_cache(maxsize=1)
def _words_version() -> str:
    """This module's code, the reviewed readings and the analyser's versions."""
    table = str(files(__package__) / "readings.yaml")
    return f"{fontcache.code_version(__file__, table)};{analyser_version()}"


def analyser_version() -> str:
    """The analyser's and its dictionaries' package versions, read without loading the
    analyser (so a run whose texts are all kept never loads it)."""
    return fontcache.package_versions("fugashi", "unidic-lite", "unidic")


def _words(text: str) -> tuple[Word, ...]:
    table = reviewed()
    longest = max(map(len, table), default=0)
    tokens = _tokens(text)
    out: list[Word] = []
    i = 0
    while i < len(tokens):
        start, best = tokens[i].start, None
        for j in range(i, len(tokens)):
            if tokens[j].end - start > longest:
                break
            if text[start:tokens[j].end] in table:
                best = j
        if best is None:
            out.append(tokens[i])
            i += 1
        else:
            end = tokens[best].end
            out.append(Word(start, end, text[start:end], table[text[start:end]], True))
            i = best + 1
    return tuple(out)


# How much more (in UniDic's analysis costs) the best analysis with another reading may
# cost and still be a real doubt. Measured on patient text: 便 べん 1286 over びん, 椎間板's 板
# ばん 97 over いた, 下垂足's 足 そく 415 over あし, 股 また 1387 over こ; rare or archaic
# readings cost 3000 and more (医師 くすし 5627, 片方 かたえ 3358, 胸 むな 4459).
UNSURE = 1500


def doubts(text: str, word: Word) -> list[str]:
    """Other readings of the same characters that the analyser finds almost as likely in
    their sentence: the best analysis through them costs less than UNSURE more than its
    best (便 is びん or べん in 「便がたまった」). Readings that differ only in voicing (腰
    こし, ごし as in ぎっくり腰) do not count."""
    first = max((text.rfind(end, 0, word.start) for end in "。！？"), default=-1) + 1
    ends = [i for i in (text.find(end, word.end) for end in "。！？") if i >= 0]
    sentence = text[first:min(ends) + 1 if ends else len(text)]
    start = len(sentence[:word.start - first].encode())
    span = (start, start + len(word.text.encode()))
    mine = _unvoiced(word.reading or "")
    margins: dict[str, float] = {}
    for kana, margin in _likely(sentence).get(span, ()):
        reading = hiragana(kana)
        if _unvoiced(reading) != mine:
            margins[reading] = min(margin, margins.get(reading, margin))
    return sorted(margins, key=margins.get)


@lru_cache(maxsize=256)
def _likely(sentence: str) -> dict[tuple[int, int], tuple[tuple[str, float], ...]]:
    """The readings of `_lattice(sentence)` less than UNSURE from the best, by span, in
    the lattice's order. Working them out costs ~1.5 ms a sentence, so they are kept on
    disk per sentence (fontcache), keyed by the sentence, this module's code and the
    dictionary: a spec just edited has only its changed sentences analysed again."""
    return fontcache.cached_for_text(sentence, "likely-readings", _likely_version(),
                                     lambda: _near(_lattice(sentence)))


def _near(lattice) -> dict[tuple[int, int], tuple[tuple[str, float], ...]]:
    out: dict[tuple[int, int], list[tuple[str, float]]] = defaultdict(list)
    for at, kana, margin in lattice:
        if kana and margin < UNSURE:
            out[at].append((kana, margin))
    return {at: tuple(found) for at, found in out.items()}


@lru_cache(maxsize=1)
def _likely_version() -> str:
    return f"{fontcache.code_version(__file__)};{analyser_version()}"


@lru_cache(maxsize=1)
def _all_morphs():
    import fugashi

    # every word of the lattice (-a), with the costs of its links (kept only with -m)
    return fugashi.Tagger("-a -m -Odump")


def _lattice(text: str) -> tuple[tuple[tuple[int, int], str, float], ...]:
    """Every word MeCab considered for `text`: ((start, end) in UTF-8 bytes, reading in
    katakana as UniDic gives it, how much more the best analysis through it costs than the
    best one). fugashi's nodes carry no costs, so this reads MeCab's dump of the whole
    lattice (its n-best dump crashes)."""
    nodes: dict[str, tuple[int, int, str, int, list[str]]] = {}
    for line in _all_morphs().parse(text).splitlines():
        # id surface feature start end rcAttr lcAttr posid char_type stat isbest alpha beta
        # prob cost(best from the start), then prev_id:cost:prob per link from the left
        f = line.split(" ")
        if len(f) < 15:
            continue
        # a quoted field (「,」 in the text) needs a CSV reader
        feature = next(csv.reader([f[2]])) if '"' in f[2] else f[2].split(",", 18)[:18]
        kana = feature[17] if len(feature) > 17 and f[9] == "0" else ""
        nodes[f[0]] = (int(f[3]), int(f[4]), kana, int(f[14]), f[15:])
    to_end: dict[str, float] = {}  # the best cost from each word to the end of the text
    end = max(nodes, key=lambda k: (nodes[k][0], nodes[k][1]))  # EOS
    to_end[end] = 0.0
    for key in sorted(nodes, key=lambda k: -nodes[k][0]):
        here = to_end.get(key, float("inf"))
        for link in nodes[key][4]:
            prev, cost = link.split(":", 2)[:2]
            total = here + int(cost)
            if total < to_end.get(prev, float("inf")):
                to_end[prev] = total
    best = nodes[end][3]
    return tuple(((s, e), kana, cost + to_end.get(key, float("inf")) - best)
                 for key, (s, e, kana, cost, _) in nodes.items() if s != e)


_VOICED = str.maketrans("がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽゔ",
                        "かきくけこさしすせそたちつてとはひふへほはひふへほう")


def _unvoiced(reading: str) -> str:
    return reading.replace(".", "").translate(_VOICED)


def segments(word: Word) -> list[tuple[int, int, str]]:
    """(start, end, reading) of each part of `word` that carries ruby: its kanji, with the
    okurigana around them left bare (持ち上げ: 持 も, 上 あ); the whole word when the reading
    does not line up with its kana."""
    return list(_segments(word))


@lru_cache(maxsize=8192)
def _segments(word: Word) -> tuple[tuple[int, int, str], ...]:
    return tuple(_split_reading(word))


def _split_reading(word: Word) -> list[tuple[int, int, str]]:
    text, reading = word.text, word.reading
    if not reading:
        return []
    if "." in reading:  # one reading per character, as the table may write them
        parts = reading.split(".")
        if len(parts) == len(text):
            return [(word.start + k, word.start + k + 1, r)
                    for k, (ch, r) in enumerate(zip(text, parts)) if r and r != hiragana(ch)]
        reading = reading.replace(".", "")
    pieces = re.split(f"([{KANJI}]+)", text)
    said = _align([hiragana(p) if k % 2 == 0 else None for k, p in enumerate(pieces)],
                  reading)
    if said is None:
        return [(word.start, word.end, reading)]
    out, at = [], word.start
    for k, (piece, said) in enumerate(zip(pieces, said)):
        if k % 2:
            out.append((at, at + len(piece), said))
        at += len(piece)
    return out


def _align(pieces: list[str | None], reading: str, at: int = 0) -> list[str] | None:
    """The part of `reading` each piece stands for: a kana piece (str) itself, a kanji
    piece (None) at least one character, the shortest first, leftmost piece first: what
    the regular expression (kana)(.+?)(kana)… would match, without compiling one per word
    (that was most of the cost of setting a leaflet's readings)."""
    if not pieces:
        return [] if at == len(reading) else None
    first, rest = pieces[0], pieces[1:]
    if first is not None:
        if not reading.startswith(first, at):
            return None
        after = _align(rest, reading, at + len(first))
        return None if after is None else [first, *after]
    for end in range(at + 1, len(reading) + 1):
        after = _align(rest, reading, end)
        if after is not None:
            return [reading[at:end], *after]
    return None


def okurigana(word: Word, segs: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """(start, end) of the kana of `word` after its first reading (痛む: む; 持ち上げ: ち, げ):
    they belong to the word the reading is for."""
    out, at = [], segs[0][1]
    for s, e, _ in segs[1:] + [(word.end, word.end, "")]:
        if s > at:
            out.append((at, s))
        at = e
    return out


@lru_cache(maxsize=8192)
def _compounds_in(text: str) -> tuple[tuple[Word, ...], ...]:
    """The compounds of a text (the same text in every section and every leaflet)."""
    return tuple(map(tuple, compounds(words(text))))


def compounds(ws: Iterable[Word]) -> list[list[Word]]:
    """Words holding kanji, grouped into compounds: adjacent words written wholly in kanji
    (椎間 + 板) are one; a word with kana (持ち上げ) stands alone."""
    out: list[list[Word]] = []
    for w in ws:
        if not _KANJI_RUN.search(w.text):
            continue
        solid = _KANJI_RUN.fullmatch(w.text) is not None
        last = out[-1][-1] if out else None
        if (solid and last is not None and last.end == w.start
                and _KANJI_RUN.fullmatch(last.text)):
            out[-1].append(w)
        else:
            out.append([w])
    return out


@dataclass(frozen=True)
class Reading:
    """One automatic reading (or a word beyond the grade with none), kept so that lint can
    question it."""

    mark: Mark  # of the text it is in
    text: str  # that text as read (the analyser's input)
    word: Word  # the word and its reading (None: the analyser does not know it)


class Furigana:
    """Puts automatic readings on texts, section by section: a word gets its reading on
    its first occurrence in each section, for each output it appears in (`targets`). What
    counts is the reading shown: 痛 いた in 痛み is the one in 痛む, but 痛 つう in 腰痛 is new.
    A block for one output only (`only: deck`) does not use up the other's occurrence, so
    the leaflet may show a reading once more where a deck-only block came first. Authored
    ruby always wins and counts as an occurrence of its reading."""

    def __init__(self, grade: int):
        if grade not in GRADES:
            raise ValueError(f"school grade {grade} is not 1-6")
        self.grade = grade
        self.readings: list[Reading] = []
        self.seen: dict[str, set[tuple[str, str]]] = defaultdict(set)

    def section(self) -> None:
        self.seen = defaultdict(set)

    def rich(self, rich: Rich | None, targets: Iterable[str]) -> Rich | None:
        if rich is None:
            return None
        targets = tuple(targets)
        text, owner = "", []  # owner[i]: the span of character i (citations are not read)
        for k, sp in enumerate(rich.spans):
            if not sp.cite:
                text += sp.text
                owner += [k] * len(sp.text)
        locked = {k for k, sp in enumerate(rich.spans) if sp.ruby or sp.whole or sp.link}
        # authored readings and the compounds that may get one, in reading order
        events: list[tuple[int, list[tuple[str, str]] | list[Word]]] = []
        at = 0
        for sp in rich.spans:
            if sp.ruby:
                events.append((at, [(sp.text, sp.ruby)]))
            at += 0 if sp.cite else len(sp.text)
        if _KANJI_RUN.search(text):
            events += [(comp[0].start, comp) for comp in _compounds_in(text)]
        # (start, end, reading or None for okurigana, whether it goes on with the word before)
        cuts: dict[int, list[tuple[int, int, str | None, bool]]] = defaultdict(list)
        for _, what in sorted(events, key=lambda e: e[0]):
            if not isinstance(what[0], Word):  # authored
                self._see(what, targets)
                continue
            fresh = [(w, segs) for w in what if (segs := segments(w)) and not self._seen(
                [(text[s:e], r) for s, e, r in segs], targets)]
            hard = [w for w in what if _has_beyond(w.text, self.grade)]
            if not any(w in hard for w, _ in fresh):
                self.readings += [Reading(rich.mark, text, w) for w in hard if not w.reading]
                continue
            chars = {i for w, _ in fresh for i in range(w.start, w.end)}
            if {owner[i] for i in chars} & locked or any(
                    len({owner[i] for i in range(s, e)}) > 1 for _, segs in fresh
                    for s, e, _ in segs):
                continue  # authored ruby inside, or a style change within a reading
            for w, segs in fresh:
                self._see([(text[s:e], r) for s, e, r in segs], targets)
                self.readings.append(Reading(rich.mark, text, w))
            if len(fresh) == len(what) > 1 and len({owner[i] for i in chars}) == 1:
                # a new compound written solid (脳卒中): one reading over the whole, so a
                # reading longer than its word does not push the words apart
                said = "".join(r for _, segs in fresh for _, _, r in segs)
                fresh = [(what[0], [(what[0].start, what[-1].end, said)])]
            for w, segs in fresh:
                for k, (s, e, said) in enumerate(segs):
                    cuts[owner[s]].append((s, e, said, k > 0))
                for s, e in okurigana(w, segs):
                    cuts[owner[s]].append((s, e, None, True))
            self.readings += [Reading(rich.mark, text, w) for w in hard if not w.reading]
        if not cuts:
            return rich
        out: list[Span] = []
        at = 0
        for k, sp in enumerate(rich.spans):
            if sp.cite:
                out.append(sp)
                continue
            pos = 0  # within sp.text
            for s, e, said, same_word in sorted(cuts.get(k, ())):
                if s - at > pos:
                    out.append(replace(sp, text=sp.text[pos:s - at]))
                out.append(replace(sp, text=sp.text[s - at:e - at], ruby=said,
                                   same_word=same_word))
                pos = e - at
            if pos < len(sp.text):
                out.append(replace(sp, text=sp.text[pos:]) if pos else sp)
            at += len(sp.text)
        return Rich(tuple(out), rich.mark)

    def _seen(self, pairs: list[tuple[str, str]], targets: tuple[str, ...]) -> bool:
        return all(p in self.seen[t] for t in targets for p in pairs)

    def _see(self, pairs: list[tuple[str, str]], targets: tuple[str, ...]) -> None:
        for t in targets:
            self.seen[t].update(pairs)
