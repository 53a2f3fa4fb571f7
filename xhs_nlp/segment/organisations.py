"""Organisations named in a text, English and Chinese, each mention tied to one entity.

Two ways to find a mention:

* **by name**: the names and aliases of ``data/organisations.txt`` (companies and
  platforms of China's content-commerce sector, their business units, regulators,
  research bodies and media an op-ed about them cites), plus the user's own. A listed
  name followed by a corporate suffix (``Alibaba Group``, ``腾讯公司``) is the same
  organisation; a possessive (``Xiaohongshu's``) is not part of the mention.
* **by pattern**: capitalised words ending in an organisation word (``Harvard Business
  School``, ``Smart Retail Business Unit``) and Chinese names ending in one (``北京正聚源通鼎信用管理有限公司``,
  ``浙江大学研究院``); such an organisation is its own entity, named as written.

Every mention carries its entity's canonical name, so ``小红书``, ``RedNote``, ``Little Red
Book`` and ``Xiaohongshu's`` are one entity, ``Xiaohongshu``.

Alias tables (the shipped one, and the user's as a dict or a file) map a canonical name to
its aliases. A file is JSON (``{"Tencent": ["腾讯", "Tencent Holdings"]}``) or text, one
organisation a line: ``Tencent = 腾讯 | Tencent Holdings`` (``#`` starts a comment, a name
alone has no aliases). An alias that is itself a name of the table folds that entry in
(``A = B`` and ``B = C``: B and C are A); a cycle, an empty name or one alias under two
names is refused with the entry named.

Example:
    >>> f = OrganisationFinder()
    >>> [(m.text, m.name) for m in f.find("Xiaohongshu's rival 抖音 and RedNote")]
    [('Xiaohongshu', 'Xiaohongshu'), ('抖音', 'Douyin'), ('RedNote', 'Xiaohongshu')]
    >>> g = OrganisationFinder({"Acme": ["Acme Corp", "艾克美"]})
    >>> [m.name for m in g.find("艾克美 sued Acme Corp.")]
    ['Acme', 'Acme']
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, Sequence, Union

from ..errors import DataError, SourceNotFoundError

__all__ = ["OrgMention", "OrganisationFinder", "Aliases", "load_aliases", "builtin_aliases", "default_finder"]

#: an alias table: a dict ``{canonical name: [aliases]}``, or the path of a JSON or text file
Aliases = Union[Mapping[str, Any], str, os.PathLike]

#: words that end an English organisation name found by pattern
ORG_WORDS_EN = ("Group", "Inc.", "Inc", "Corp.", "Corp", "Corporation", "Co.", "Ltd.", "Ltd", "LLC", "Company",
                "University", "School", "Institute", "Bank", "Ministry", "Department", "Commission", "Agency",
                "Association", "Council", "Bureau", "Foundation", "Fund", "Holdings", "Technologies", "Technology",
                "Media", "Network", "Capital", "Partners", "Research", "Administration", "Authority", "Unit",
                "Securities", "Exchange", "Court", "Regulator", "Academy")
#: corporate suffixes that leave a listed name the same organisation
CORPORATE_SUFFIXES_EN = ("Group", "Inc.", "Inc", "Corp.", "Corp", "Corporation", "Co.", "Ltd.", "Ltd", "Limited",
                         "Holdings", "LLC", "PLC", "plc")
ORG_WORDS_ZH = ("有限公司", "公司", "集团", "大学", "学院", "研究院", "研究所", "研究中心", "银行", "协会", "委员会",
                "总局", "管理局", "监管局", "办公室", "基金会", "控股", "科技", "事业群", "事业部", "证券", "基金",
                "交易所", "法院", "检察院")
CORPORATE_SUFFIXES_ZH = ("有限公司", "股份有限公司", "公司", "集团", "控股")
#: capitalised words that open a sentence or clause rather than a name
_OPENERS = frozenset("""The A An In At On Of For From By With Without Since As After Before During Unlike Like When While
Whereas Where Why How What Which Who Whose If Unless Although Though But And Or Yet So Its Their His Her Our My Your
This That These Those Both Only Even Also Then Now Today Meanwhile However Moreover Instead Among Between Under Over
Through Throughout Beyond Behind Despite According Compared Unlike Including Via Per Every Each All Some Many Most
Such Other Another Last Next First New""".split())


@dataclass(frozen=True)
class OrgMention:
    """One mention of an organisation: ``text[start:end]`` names the entity ``name``
    (its canonical name); ``how`` is ``"name"`` (a listed name or alias) or
    ``"pattern"`` (built like an organisation's name)."""

    start: int
    end: int
    text: str
    name: str
    how: str = "name"

    def shifted(self, offset: int) -> OrgMention:
        """The same mention with offsets moved by ``offset`` (sentence → document)."""
        return OrgMention(self.start + offset, self.end + offset, self.text, self.name, self.how)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "name": self.name, "how": self.how}


# -- alias tables -------------------------------------------------------------------------------


def _parse_text_table(text: str, where: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if not line:
            continue
        name, _, rest = line.partition("=")
        aliases = [a.strip() for a in rest.split("|")] if rest.strip() else []
        if not name.strip():
            raise DataError(f"{where}: line {n}: an empty organisation name ({line!r})")
        if any(not a for a in aliases):
            raise DataError(f"{where}: line {n}: an empty alias of {name.strip()!r} (write NAME = ALIAS | ALIAS)")
        if name.strip() in out:
            raise DataError(f"{where}: line {n}: {name.strip()!r} is listed twice")
        out[name.strip()] = aliases
    return out


def _read_table(spec: Aliases) -> tuple[dict[str, list[str]], str]:
    if isinstance(spec, Mapping):
        table: dict[str, list[str]] = {}
        for k, v in spec.items():
            if isinstance(v, str):
                v = [v]
            if not isinstance(k, str) or not isinstance(v, (list, tuple)) or not all(isinstance(a, str) for a in v):
                raise DataError(f"aliases: entry {k!r}: give a name and a list of alias strings, got {v!r}")
            table[k] = list(v)
        return table, "aliases"
    path = Path(spec)
    if not path.is_file():
        raise SourceNotFoundError(f"alias file {path} does not exist")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise DataError(f"{path}: not JSON ({err})") from None
        if not isinstance(data, dict):
            raise DataError(f"{path}: a JSON alias file is an object {{name: [aliases]}}")
        table, _ = _read_table(data)
        return table, str(path)
    return _parse_text_table(text, str(path)), str(path)


def load_aliases(spec: Aliases) -> dict[str, list[str]]:
    """A checked alias table ``{canonical name: [aliases]}`` from a dict or a file.

    An alias that is another entry's name folds that entry (and its aliases) into this
    one, transitively.

    Raises:
        SourceNotFoundError: the file does not exist.
        DataError: an empty name or alias, an alias listed under two names, or a cycle
            of names (``A = B``, ``B = A``); the entry is named.

    Example:
        >>> load_aliases({"ByteDance": ["字节跳动", "TikTok owner"], "字节跳动": ["字节跳动公司"]})
        {'ByteDance': ['字节跳动', 'TikTok owner', '字节跳动公司']}
        >>> load_aliases({"A": ["B"], "B": ["A"]})
        Traceback (most recent call last):
        ...
        xhs_nlp.errors.DataError: aliases: a cycle of names: A -> B -> A
    """
    table, where = _read_table(spec)
    for name, aliases in table.items():
        if not name.strip():
            raise DataError(f"{where}: an empty organisation name (aliases {aliases!r})")
        for a in aliases:
            if not a.strip():
                raise DataError(f"{where}: {name!r} has an empty alias")
    owner: dict[str, str] = {}
    for name, aliases in table.items():
        for a in aliases:
            a = a.strip()
            if a == name.strip():
                continue
            if a in owner and owner[a] != name:
                raise DataError(f"{where}: the alias {a!r} is listed under both {owner[a]!r} and {name!r}")
            owner[a] = name

    def root(name: str) -> str:
        path = [name]
        while path[-1] in owner:
            nxt = owner[path[-1]]
            if nxt in path:
                raise DataError(f"{where}: a cycle of names: {' -> '.join(path[path.index(nxt):] + [nxt])}")
            path.append(nxt)
        return path[-1]

    out: dict[str, list[str]] = {}
    for name in table:
        r = root(name)
        out.setdefault(r, [])
        if name != r:
            out[r].append(name.strip())
        for a in table[name]:
            if a.strip() != r:
                out[r].append(a.strip())
    return {k: list(dict.fromkeys(v)) for k, v in out.items()}


@lru_cache(maxsize=1)
def builtin_aliases() -> dict[str, tuple[str, ...]]:
    """The shipped table (``data/organisations.txt``): canonical name → aliases."""
    text = resources.files("xhs_nlp").joinpath("data/organisations.txt").read_text("utf-8")
    return {k: tuple(v) for k, v in load_aliases(_parse_text_table(text, "data/organisations.txt")).items()}


# -- the finder ---------------------------------------------------------------------------------


def _alternation(names: Sequence[str]) -> str:
    return "|".join(map(re.escape, sorted(set(names), key=len, reverse=True)))


class OrganisationFinder:
    """Finds organisation mentions and names their entity (see the module docstring).

    Args:
        aliases: the user's table (a dict or a file): added to the shipped one, and
            winning where both list a name (an alias moves to the user's entity).
        builtin: start from the shipped table (``False``: the user's alone, plus patterns).
        patterns: also find unlisted organisations by their shape.

    Raises:
        DataError, SourceNotFoundError: a bad alias table (see :func:`load_aliases`).
    """

    def __init__(self, aliases: Aliases | None = None, *, builtin: bool = True, patterns: bool = True) -> None:
        user = load_aliases(aliases) if aliases is not None else {}
        table: dict[str, list[str]] = {}
        if builtin:
            taken = {a for name, al in user.items() for a in (name, *al)}
            for name, al in builtin_aliases().items():
                keep = [a for a in al if a not in taken]
                if name in taken:  # the user renamed or regrouped this one: its other aliases follow
                    target = next((u for u, ual in user.items() if name == u or name in ual), name)
                    user.setdefault(target, [])
                    user[target] = list(dict.fromkeys([*user[target], *keep]))
                    continue
                table[name] = keep
        for name, al in user.items():
            table[name] = list(al)
        self.table: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in table.items()}
        self.patterns = patterns
        self._canonical: dict[str, str] = {}
        for name, al in self.table.items():
            for form in (name, *al):
                self._canonical[form] = name
        latin = [f for f in self._canonical if f.isascii()]
        han = [f for f in self._canonical if not f.isascii()]
        suffix_en = r"(?:,?\s(?:" + _alternation(CORPORATE_SUFFIXES_EN) + r")(?![\w]))?"
        self._known_en = re.compile(r"(?<![\w.&-])(?:" + _alternation(latin) + r")(?![\w&]|-\w|\.\w)" + suffix_en
                                    ) if latin else None
        self._known_zh = re.compile("(?:" + _alternation(han) + ")(?:" + _alternation(CORPORATE_SUFFIXES_ZH) + ")?"
                                    ) if han else None
        cap = r"(?:[A-Z][\w&'’.-]*|&)"
        words = _alternation(ORG_WORDS_EN)
        self._pattern_en = re.compile(r"(?<![\w])(?:" + cap + r"\s(?:(?:of|for|&)\s)?)+(?:" + words
                                      + r")(?![\w])")
        self._zh_word = re.compile("(?:" + _alternation(ORG_WORDS_ZH) + ")$")

    def canonical(self, surface: str) -> str:
        """The entity a surface form names: a listed name or alias (corporate suffix and
        possessive dropped), else the form itself."""
        s = re.sub(r"['’]s?$", "", surface.strip())
        if s in self._canonical:
            return self._canonical[s]
        for suf in sorted((*CORPORATE_SUFFIXES_EN, *CORPORATE_SUFFIXES_ZH), key=len, reverse=True):
            base = s[: -len(suf)].rstrip(" ,") if s.endswith(suf) else None
            if base and base in self._canonical:
                return self._canonical[base]
        words = s.split(" ")  # a listed organisation's unit by its shape: "Morgan Stanley Research"
        while len(words) > 1 and words[-1] in ORG_WORDS_EN:
            words = words[:-1]
            if " ".join(words) in self._canonical:
                return self._canonical[" ".join(words)]
        return s

    def _zh_patterns(self, text: str) -> list[OrgMention]:
        """Chinese names ending in an organisation word: the run of noun-like jieba words
        (person, place, organisation, other proper nouns, abbreviations, Latin letters)
        that ends in a word ending in 公司, 集团, 大学, … (at most 12 characters)."""
        if not re.search("[\u4e00-\u9fff]", text) or not any(w in text for w in ORG_WORDS_ZH):
            return []
        words = _pos_words(text)
        out = []
        for k, (w, _, a) in enumerate(words):
            if not self._zh_word.search(w):
                continue
            j = k
            while j > 0 and a + len(w) - words[j - 1][2] <= 16:
                if _nameish(words[j - 1][1]):
                    j -= 1
                elif (j >= 3 and words[j - 1][0] in ")）" and words[j - 3][0] in "(（"
                      and words[j - 2][1].startswith("ns")):
                    j -= 3  # 行吟信息科技（上海）有限公司
                else:
                    break
            start, end = words[j][2], a + len(w)
            name = text[start:end]
            core = name
            while self._zh_word.search(core):
                core = self._zh_word.sub("", core)  # 科技公司 -> 科技 -> "": a generic "tech company"
            if len(core) < 2 or any(f in name for f in self._canonical if not f.isascii()):
                continue  # "公司" alone, "母公司"; a listed name inside is found by name
            out.append(OrgMention(start, end, name, self.canonical(name), "pattern"))
        return out

    def find(self, text: str) -> list[OrgMention]:
        """Every organisation mention in ``text``, in order, not overlapping (the longest
        wins where a listed name and a pattern overlap)."""
        found: list[OrgMention] = []
        for rx in (self._known_en, self._known_zh):
            if rx is not None:
                found += [OrgMention(m.start(), m.end(), m.group(), self.canonical(m.group()))
                          for m in rx.finditer(text)]
        if self.patterns:
            for m in self._pattern_en.finditer(text):
                a, words = m.start(), m.group().split(" ")
                while words and words[0] in _OPENERS:  # "Since Tencent Holdings" -> "Tencent Holdings"
                    a += len(words[0]) + 1
                    words = words[1:]
                if len(words) < 2 and m.group() not in self._canonical:
                    continue  # a lone organisation word ("Research") is not a name
                surface = text[a:m.end()]
                found.append(OrgMention(a, m.end(), surface, self.canonical(surface), "pattern"))
            found += self._zh_patterns(text)
        found.sort(key=lambda x: (x.start, -(x.end - x.start), x.how != "name"))
        out: list[OrgMention] = []
        for x in found:
            if out and x.start < out[-1].end:
                continue
            out.append(x)
        return out


def _nameish(tag: str) -> bool:
    """Whether a jieba part-of-speech tag can be part of an organisation's name: nouns
    (n, nr, ns, nt, nz, ng), verbal nouns (vn: 管理), abbreviations (j), Latin (eng)."""
    return tag[:1] in ("n", "j") or tag in ("vn", "eng")


def _pos_words(text: str) -> list[tuple[str, str, int]]:
    """``(word, tag, start)`` of jieba's part-of-speech tagger (the library's tokenizer
    with its domain dictionary)."""
    from .tokens import get_pos_tagger

    out, pos = [], 0
    for w, tag in get_pos_tagger().cut(text):
        out.append((w, tag, pos))
        pos += len(w)
    return out


_DEFAULT: OrganisationFinder | None = None


def default_finder() -> OrganisationFinder:
    """The finder of the shipped table (built once)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = OrganisationFinder()
    return _DEFAULT
