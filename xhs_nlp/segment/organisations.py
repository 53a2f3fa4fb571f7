"""Organisations named in a text, English and Chinese, each mention tied to one entity.

Three ways to find a mention:

* **by name**: the names and aliases of ``data/organisations.txt`` (companies and
  platforms of China's content-commerce sector, their business units, regulators,
  research bodies and media an op-ed about them cites, and the governments, parties,
  international bodies, media and companies op-eds of every kind name), plus the user's
  own. A listed name followed by a corporate suffix (``Alibaba Group``, ``腾讯公司``) is
  the same organisation; a possessive (``Xiaohongshu's``) is not part of the mention.
  A listed name followed by a business noun (``小红书商业化``, ``小红书电商``, ``小红书App``,
  ``Xiaohongshu Commercial Conference``) is a mention of that organisation whose span is
  the name alone; a unit is an organisation of its own only where the table lists it
  (``Tencent Advertising``, ``抖音电商``). A short Chinese name must stand as a word
  (``全美的`` is not Midea), and one that is also a common word (``美的``, ``苹果``) is
  a mention only in a compound (``美的集团``, ``苹果手机``) or in a list beside another
  organisation (``思科、苹果``).
* **by pattern**: capitalised words ending in an organisation word (``Harvard Business
  School``, ``Smart Retail Business Unit``) or headed by one and continued by "of"
  (``Department of Justice``), a name before "administration" or "government" (``Trump
  administration``), and Chinese names ending in an organisation word
  (``北京正聚源通鼎信用管理有限公司``, ``浙江大学研究院``, ``日本政府``, ``俄罗斯外交部``)
  when what stands before it names someone (``美国公司``, ``地方政府`` and ``科技公司``
  do not); such an organisation is its own entity, named as written.
* **by the document** (:meth:`OrganisationFinder.find_all`, which reads a document's
  sentences together, as analysis does): a short name the document declares for an
  organisation (``…房地产开发有限公司（以下简称“贵山天阳”）``, ``Acme Holdings Ltd.
  ("Acme")``) is that organisation wherever it stands, and a Chinese proper noun followed
  twice by what a company has (``老干妈创始人``, ``老干妈销售额``) is an organisation in
  every sentence that names it.

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
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence, Union

from ..errors import DataError, InputError, missing_file
from .wrapping import original_span, unwrap_zh

if TYPE_CHECKING:
    from ..document import Document

__all__ = ["OrgMention", "OrganisationFinder", "Aliases", "load_aliases", "builtin_aliases", "default_finder"]

#: an alias table: a dict ``{canonical name: [aliases]}``, or the path of a JSON or text file
Aliases = Union[Mapping[str, Any], str, os.PathLike]

#: words that end an English organisation name found by pattern
ORG_WORDS_EN = ("Group", "Inc.", "Inc", "Corp.", "Corp", "Corporation", "Co.", "Ltd.", "Ltd", "LLC", "Company",
                "University", "School", "Institute", "Bank", "Ministry", "Department", "Commission", "Agency",
                "Association", "Council", "Bureau", "Foundation", "Fund", "Holdings", "Technologies", "Technology",
                "Network", "Capital", "Partners", "Research", "Administration", "Authority", "Unit",
                "Securities", "Exchange", "Court", "Regulator", "Academy", "Committee", "Party", "Organization",
                "Organisation", "Church", "Parliament", "Police", "Army", "Navy", "Service", "Center", "Centre",
                "Federation", "League", "Times", "Post", "Journal", "Herald", "Tribune", "Gazette", "Force", "Forces")
#: words that head an English organisation name continued by "of ..." (``Department of Justice``)
ORG_HEADS_EN = ("Department", "Ministry", "University", "Bank", "Bureau", "Office", "Court", "House", "Council",
                "Commission", "Institute", "Academy", "Federation", "Committee", "Center", "Centre", "Board",
                "Agency", "Association", "Society", "Secretariat", "Organization", "Organisation", "Church",
                "Party", "League", "College", "School")
#: corporate suffixes that leave a listed name the same organisation
CORPORATE_SUFFIXES_EN = ("Group", "Inc.", "Inc", "Corp.", "Corp", "Corporation", "Co.", "Ltd.", "Ltd", "Limited",
                         "Holdings", "LLC", "PLC", "plc")
#: common business nouns: after a listed name they say which part of its business is meant, and the
#: mention is still the listed organisation (``Xiaohongshu Commercial Conference``, ``小红书商业化``)
BUSINESS_NOUNS_EN = ("Commercial", "Commercialization", "Commercialisation", "Commerce", "E-commerce", "E-Commerce",
                     "Ecommerce", "Platform", "Platforms", "Community", "User", "Users", "Content", "Advertising",
                     "Ads", "Ad", "App", "APP", "Marketing", "Business", "Live", "Search", "Mall", "Store", "Shop")
BUSINESS_NOUNS_ZH = ("商业化", "电商", "平台", "社区", "用户", "内容", "广告", "App", "APP", "app", "商城", "直播",
                     "店铺", "旗舰店", "官方", "业务", "生态", "流量", "商家", "股价", "财报", "手机", "电脑", "汽车",
                     "电器", "空调", "冰箱", "地图", "外卖", "支付", "搜索", "视频", "音乐", "芯片", "门店", "股份")
#: registered company forms: a proper noun or a place before them makes a company's name
REGISTERED_ZH = ("有限公司", "股份有限公司", "有限责任公司")
#: a business unit's word: any name of two characters or more before it (互动娱乐事业群)
UNIT_WORDS_ZH = ("事业群", "事业部")
#: generic company words: the name before them needs a proper noun (美国公司 is "an American company")
COMPANY_WORDS_ZH = ("公司", "集团", "企业", "控股", "科技", "证券", "基金")
#: words that end an institution's (or a bank's) name: a place or a proper noun before them makes a
#: name (日本政府, 中国银行, 北京市市场监督管理局); common nouns alone do not (地方政府, 食物银行).
#: A one-character one (局, 部, 院, 署, 厅, 队) ends a name only as a word of its own or in a word
#: jieba knows as an organisation's (统一|部, 菲律宾|队, 石油部), 局, 署 and 厅 in a noun too (服务局)
INSTITUTION_WORDS_ZH = ("大学", "学院", "研究院", "研究所", "研究中心", "中心", "协会", "委员会", "总局", "管理局",
                        "监管局", "办公室", "基金会", "银行", "交易所", "法院", "检察院", "政府", "当局", "警方", "军方",
                        "国会", "议会", "参议院", "众议院", "杜马", "国务院", "外交部", "国防部", "部门", "通讯社",
                        "通信社", "新闻社", "出版社", "杂志社", "报社", "电视台", "日报", "时报", "晚报", "邮报", "奥委会", "奥组委",
                        "红十字会", "联合会", "学会", "商会", "工会", "事务所", "医院", "中学", "小学", "博物院", "博物馆",
                        "美术馆", "大使馆", "领事馆", "组织", "局", "部", "院", "署", "厅", "队")
ORG_WORDS_ZH = REGISTERED_ZH + UNIT_WORDS_ZH + COMPANY_WORDS_ZH + INSTITUTION_WORDS_ZH
CORPORATE_SUFFIXES_ZH = ("有限公司", "股份有限公司", "公司", "集团", "控股")
#: what a company or a brand has (老干妈|创始人, 老干妈|销售额): a Chinese proper noun followed by two
#: different ones in a document, one of them :data:`COMPANY_CUES_ZH`, is an organisation in all of it
#: (:meth:`OrganisationFinder.find_all`)
ORG_CUES_ZH = ("创始人", "旗下", "品牌", "销售额", "销量", "营收", "市值", "股价", "门店", "财报", "股东", "官网", "总部",
               "业绩", "CEO")
#: cues only a company has (a person has 旗下 companies, 股东 and a CEO title, not a 销售额 or 股价)
COMPANY_CUES_ZH = frozenset({"销售额", "销量", "营收", "市值", "股价", "门店", "财报", "官网", "总部"})
#: short names a document declares that name no one in particular (（以下简称“公司”）, ("the Company"))
_GENERIC_SHORT_NAMES = frozenset({"公司", "本公司", "该公司", "集团", "本集团", "平台", "发行人", "甲方", "乙方", "我们",
                                  "Company", "Group", "Bank", "Fund", "Issuer", "Agreement", "Act"})
#: a short name declared after an organisation's: 某某有限公司（以下简称“某某”）
_DECLARED_ZH = re.compile(r"\s*[（(](?:(?:以下|下文|下)?简称|(?:以下|下文|下)称)[为:：]?\s*[“\"「『]?"
                          r"(?P<short>[^”\"」』（()）,，、。；;\s]{2,12}?)[”\"」』]?\s*[)）]"
                          r"|\s*[（(]称[为:：]?\s*[“\"「『](?P<quoted>[^”\"」』（()）,，、。；;\s]{2,12}?)[”\"」』]\s*[)）]")
#: ... and in English: Acme Holdings Ltd. ("Acme"), (hereafter "Acme")
_DECLARED_EN = re.compile(r"\s*\((?:(?:hereafter|hereinafter|henceforth)\s+(?:referred to as\s+|called\s+)?)?"
                          r"[“\"](?:the\s+)?(?P<short>[A-Z][^”\"()]{1,40}?)[”\"]\)")
#: a word character that is not a Chinese one (a Latin name glued to Chinese text stands alone)
_LATIN_WORD = re.compile(r"[^\W\u3400-\u9fff]")
#: titles jieba glues to the organisation word before them (律师协会会长, 协会主席, 大学教授)
TITLES_ZH = ("会长", "副会长", "主席", "副主席", "理事", "理事长", "秘书长", "院长", "副院长", "局长", "副局长", "发言人",
             "负责人", "董事长", "总裁", "主任", "官员", "员工", "教授", "副教授", "校长", "副校长", "研究员", "学者",
             "学生", "记者", "议员", "高管")
#: shipped aliases that are also common words (美的 "beautiful", 联想 "to associate", 苹果 "apple"): a
#: mention only in a compound (美的集团, 苹果手机) or in a list beside another organisation (格力、美的)
AMBIGUOUS_ZH = frozenset({"美的", "国美", "联想", "荣耀", "晚点", "菜鸟", "头条", "苹果", "吉利", "中兴", "奔驰",
                          "中通", "华润"})
#: one-character country names that stand before an institution word (俄外交部, 美政府)
COUNTRY_ABBR_ZH = frozenset("美英法德俄日韩朝印澳加欧意荷乌伊叙越泰菲")
#: words jieba tags as places that are not a place (外国公司, 上市公司)
NOT_PLACES_ZH = frozenset({"外国", "上市", "国外", "海外", "境外", "全国", "各国", "本国", "该国", "两地", "各地", "当地"})
#: prepositions and conjunctions jieba may glue to the name after them (对华为 read 对华|为)
_FUNCTION_CHARS_ZH = frozenset("对在向与和被把从给让跟将于及或同由为")
#: words jieba tags as an organisation's name that name no one
NOT_PROPER_ZH = frozenset({"黑社会"})
#: verbs and prepositions of place: a palace (白宫, 故宫) after them is the building
_PLACE_VERBS_ZH = re.compile("(?:在|入主|离开|进入|进|回到|走进|参观|于)$")
#: what stands between two names of a list (思科、苹果等)
_LIST_SEPARATORS = frozenset({"、", "和", "与", "及", "以及", "或", "跟", "同", "/"})
#: capitalised words that open a sentence or clause rather than a name
_OPENERS = frozenset("""The A An In At On Of For From By With Without Since As After Before During Unlike Like When While
Whereas Where Why How What Which Who Whose If Unless Although Though But And Or Yet So Its Their His Her Our My Your
This That These Those Both Only Even Also Then Now Today Meanwhile However Moreover Instead Among Between Under Over
Through Throughout Beyond Behind Despite According Compared Unlike Including Via Per Every Each All Some Many Most
Such Other Another Last Next First New""".split())
#: capitalised words of a title that end what comes before them ("It's Trump's Party", "Raise An Army")
_TITLE_WORDS = frozenset("""It It's Is Are Was Were Be Been Being To Into Onto Upon Against Vs Not No Will Would Can
Could Should May Might Must Has Have Had Do Does Did Here There""".split())
#: words with a period that do not end a sentence inside a capitalised run (U.S. Department of
#: Justice, St. Jude Medical); any other word with a period does ("Tencent Holdings. Police ...")
_ABBREVIATION_EN = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]?\.?|St\.|Mt\.|Ft\.|Jr\.|Sr\.|Co\.|Bros\.")
#: listed capitalised names that are also English words
_WORD_ACRONYMS_EN = frozenset({"WHO", "ICE", "ARM"})
#: words that end a run of jieba words before an organisation word (中国|有关|部门 is no name)
_NOT_IN_NAMES_ZH = frozenset({"有关", "相关", "各", "该", "等", "其他", "其它", "所有", "一些", "多个"})
#: words that, alone before "government", name no one (Local government)
_GENERIC_GOVERNMENT = frozenset("Local Big Small Good Bad Central Federal State National Regional Municipal City "
                                "Provincial Any No One World Global".split())
#: words before "Force(s)" that make a phrase, not a body (Market Forces, Labor Force, Driving Force)
_GENERIC_FORCES = frozenset("Market Labor Labour Work Driving Brute Life Natural Economic Political Social Dark "
                            "Blunt Lethal Deadly Excessive Unstoppable Guiding".split())


@dataclass(frozen=True)
class OrgMention:
    """One mention of an organisation: ``text[start:end]`` names the entity ``name``
    (its canonical name); ``how`` is ``"name"`` (a listed name or alias) or
    ``"pattern"`` (built like an organisation's name) or ``"context"`` (a name the
    document makes an organisation's: :meth:`OrganisationFinder.find_all`)."""

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
        raise missing_file(path, "alias file")
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
        self._user_forms = frozenset(a for name, al in user.items() for a in (name, *al))
        self._canonical: dict[str, str] = {}
        for name, al in self.table.items():
            for form in (name, *al):
                self._canonical[form] = name
        latin = [f for f in self._canonical if f.isascii()]
        han = [f for f in self._canonical if not f.isascii()]
        suffix_en = r"(?:,?\s(?:" + _alternation(CORPORATE_SUFFIXES_EN) + r")(?![\w]))?"
        latin_word = r"[^\W\u3400-\u9fff]"  # a word character, not a Chinese one: 将Prosus在 names Prosus
        before = r"(?:(?<=\bex-)|(?<=\bthen-)|(?<=\s-)|(?<![.&-]))(?<!" + latin_word + ")"  # ex-FBI, then-CIA
        listed_en = _alternation(latin).replace("\\ ", r"\s+")  # a name may wrap: "Bureau of\r\nLabor Statistics"
        self._known_en = re.compile(before + r"(?:" + listed_en + r")(?!" + latin_word + r"|&|-\w|\.\w)"
                                    + suffix_en) if latin else None
        self._known_zh = re.compile("(?P<name>" + _alternation(han) + ")(?P<suffix>"
                                    + _alternation(CORPORATE_SUFFIXES_ZH) + ")?") if han else None
        self._compound_zh = re.compile("(?:" + _alternation((*CORPORATE_SUFFIXES_ZH, *BUSINESS_NOUNS_ZH)) + ")")
        cap = r"(?:[A-Z][\w&'’.-]*|&)"
        capw = r"[A-Z][\w'’.-]*"
        words = _alternation(ORG_WORDS_EN)
        self._pattern_en = re.compile(r"(?<![\w])(?:" + cap + r"\s(?:(?:of|for|&)\s)?)+(?:" + words
                                      + r")(?![\w])")
        self._pattern_of_en = re.compile(r"(?<![\w])(?:" + capw + r"\s)*(?:" + _alternation(ORG_HEADS_EN)
                                         + r")\s(?:of|for|on)\s(?:the\s)?" + capw + r"(?:\s(?:(?:of|for|on|the|&)\s)*"
                                         + capw + r")*")
        self._america_en = re.compile(r"(?<![\w])(?:" + capw + r"\s)+of\sAmerica(?![\w])")
        self._government_en = re.compile(r"(?<![\w])(?:" + capw + r"\s)+(?:administration|government|Government)"
                                         r"(?![\w])")
        self._site_en = re.compile(r"(?<![@./:&-])(?<!" + latin_word + r")[A-Z](?:" + latin_word + r"|-)*"
                                   r"\.(?:com|net|org|tv|TV|news)(?!" + latin_word + r"|[@/?#&=-]|:\d|\.\w)")
        self._cue_zh = re.compile("[\u4e00-\u9fff](?:" + _alternation(ORG_CUES_ZH) + ")")
        self._zh_word = re.compile("(?P<org>" + _alternation(ORG_WORDS_ZH) + ")(?:" + _alternation(TITLES_ZH) + ")?$")

    def canonical(self, surface: str) -> str:
        """The entity a surface form names: a listed name or alias (corporate suffix and
        possessive dropped; "U.S." before a listed US body's alias: "U.S. Justice Department"),
        else the form itself, its white space made single spaces."""
        surface = " ".join(surface.split())  # a name wrapped over two lines is the same name
        if surface in self._canonical:  # McDonald's
            return self._canonical[surface]
        s = re.sub(r"['’]s?$", "", surface)
        if s in self._canonical:
            return self._canonical[s]
        for suf in sorted((*CORPORATE_SUFFIXES_EN, *CORPORATE_SUFFIXES_ZH), key=len, reverse=True):
            base = s[: -len(suf)].rstrip(" ,") if s.endswith(suf) else None
            if base and base in self._canonical:
                return self._canonical[base]
        country = re.match(r"(?:U\.S\.|US|United States)\s+(?=\S)", s)  # "U.S. Department of Justice"
        if country and self._canonical.get(s[country.end():], "").startswith("US "):
            return self._canonical[s[country.end():]]
        words = s.split(" ")  # a listed organisation's unit by its shape: "Morgan Stanley Research"
        while len(words) > 1 and words[-1] in ORG_WORDS_EN:
            words = words[:-1]
            if " ".join(words) in self._canonical:
                return self._canonical[" ".join(words)]
        return s

    def _listed_compound(self, words: Sequence[str]) -> bool:
        """Whether ``words`` are a listed name followed by business nouns (and organisation
        words): ``Xiaohongshu Commercial Department`` is Xiaohongshu's, not a new organisation."""
        for i in range(len(words) - 1, 0, -1):
            if " ".join(words[:i]) in self._canonical:
                rest = words[i:]
                return (any(w in BUSINESS_NOUNS_EN for w in rest)
                        and all(w in BUSINESS_NOUNS_EN or w in ORG_WORDS_EN for w in rest))
        return False

    # -- by name ---------------------------------------------------------------------------------

    def _names_en(self, text: str) -> list[OrgMention]:
        """Listed English names; one that is also an English word (WHO, ICE) is left alone in
        shouted text or after a shouted word ("PEOPLE WHO are ..."), where it may be the word."""
        if self._known_en is None:
            return []
        letters = [c for c in text if c.isalpha() and c.isascii()]
        shouted = len(letters) >= 12 and sum(c.isupper() for c in letters) > 0.6 * len(letters)
        out = []
        for m in self._known_en.finditer(text):
            if m.group() in _WORD_ACRONYMS_EN:
                before = text[:m.start()].split()
                if shouted or (before and before[-1].isalpha() and before[-1].isupper() and len(before[-1]) > 1):
                    continue
            out.append(OrgMention(m.start(), m.end(), m.group(), self.canonical(m.group())))
        return out

    def _names_zh(self, text: str) -> tuple[list[OrgMention], list[OrgMention]]:
        """Listed Chinese names: the mentions, and the ambiguous ones (:data:`AMBIGUOUS_ZH`)
        not in a compound, which stand only in a list beside another organisation.

        A name of one or two characters must stand as a word (:meth:`_stands_alone`); a
        party's name before 人 or 员 is its members (共和党人), a body's before 长 or 门 a
        title or a kind of office (外交部长, 公安部门), a palace after 在, 入主, 离开, … the
        building (在白宫发表讲话, 入主白宫; but 白宫表示)."""
        if self._known_zh is None:
            return [], []
        sure: list[OrgMention] = []
        maybe: list[OrgMention] = []
        tokens: list[tuple[str, int, int]] | None = None
        for m in self._known_zh.finditer(text):
            name, suffix, after = m.group("name"), m.group("suffix"), text[m.end():m.end() + 1]
            if not suffix and ((name[-1] == "党" and after in ("人", "员"))
                               or (name[-1] in "部局院署厅委办" and after in ("长", "门"))
                               or (name[-1] == "宫" and _PLACE_VERBS_ZH.search(text, 0, m.start()))):
                continue
            if len(name) <= 2 and not name.isascii():
                tokens = tokens if tokens is not None else _jieba_words(text)
                if not self._stands_alone(text, m.start(), m.start() + len(name), tokens):
                    continue
            mention = OrgMention(m.start(), m.end(), m.group(), self.canonical(m.group()))
            ambiguous = name in AMBIGUOUS_ZH and name not in self._user_forms
            if ambiguous and not suffix and not self._compound_zh.match(text, m.end()):
                maybe.append(mention)
            else:
                sure.append(mention)
        return sure, maybe

    def _stands_alone(self, text: str, a: int, b: int, tokens: Sequence[tuple[str, int, int]]) -> bool:
        """Whether the short name ``text[a:b]`` is a word in jieba's reading of the text: it
        does not begin inside a dictionary word (全美的, 其中共有, 板上钉钉; but 对|华为, where a
        preposition is glued to it), and a dictionary word it begins goes on with a business
        noun or corporate suffix (百度地图, 联想集团; not 阿里山, 小米粥, 三星级). Its last
        character glued to what follows is no matter (快|手上, 快|手电|商), nor are words
        jieba makes up from unknown text (推特上)."""
        first = next(t for t in tokens if t[1] <= a < t[2])
        if first[1] < a:
            return not _a_word(first[0]) or (first[1] == a - 1 and first[0][0] in _FUNCTION_CHARS_ZH)
        if first[2] > b and _a_word(first[0]):
            return bool(self._compound_zh.match(first[0][b - a:]))
        return True

    # -- by pattern ------------------------------------------------------------------------------

    def _patterns_en(self, text: str) -> list[OrgMention]:
        """Capitalised words ending in an organisation word (``Harvard Business School``),
        headed by one and continued by "of ..." (``Department of Justice``), ending in "of
        America" (``Gun Owners of America``, not the United States of America), or a name
        before "administration" / "government" (``Trump administration``), and a website's
        name (``VDARE.com``, ``Kath.net``, ``Hill.TV``; not inside an address)."""
        out = []
        for m in self._site_en.finditer(text):
            base = m.group().rsplit(".", 1)[0]  # Amazon.com is Amazon
            out.append(OrgMention(m.start(), m.end(), m.group(),
                                  self.canonical(base if base in self._canonical else m.group()), "pattern"))
        for rx in (self._pattern_en, self._pattern_of_en, self._america_en, self._government_en):
            for m in _within_sentences(rx, text):
                a, words = m.start(), m.group().split(" ")
                cut = max((i + 1 for i, w in enumerate(words) if w in _OPENERS or w in _TITLE_WORDS), default=0)
                a += sum(len(w) + 1 for w in words[:cut])  # "Since Tencent Holdings" -> "Tencent Holdings";
                words = words[cut:]  # a headline: "Voters Turn To The Green Party" -> "Green Party"
                if words and rx is self._pattern_of_en:  # "... of Justice's." -> "... of Justice"
                    words[-1] = re.sub(r"(?:['’]s?)?\.?$", "", words[-1])
                if len(words) < 2 and " ".join(words) not in self._canonical:
                    continue  # a lone organisation word ("Research") is not a name
                if rx is self._government_en and all(w in _GENERIC_GOVERNMENT for w in words[:-1]):
                    continue  # "Local government"
                if len(words) > 1 and words[-1] in ("Force", "Forces") and words[-2] in _GENERIC_FORCES:
                    continue  # "Market Forces", "Labor Force" in a title
                if rx is self._america_en and (len(words) < 3 or words[-3] in ("States", "America")):
                    continue  # the country: "United States of America"
                surface = text[a:a + len(" ".join(words))]
                name = self.canonical(surface)
                if name == surface and self._listed_compound(words):
                    continue  # "Xiaohongshu Commercial Department": the listed name is found by name
                out.append(OrgMention(a, a + len(surface), surface, name, "pattern"))
        return out

    def _patterns_zh(self, text: str, names: Sequence[OrgMention]) -> list[OrgMention]:
        """Chinese names ending in an organisation word: the run of noun-like jieba words
        (person, place, organisation, other proper nouns, abbreviations, Latin letters)
        that ends in a word ending in 公司, 政府, 大学, … (at most 16 characters; a title
        glued to it is left out: 律师协会|会长), when what stands before the organisation
        word names someone (:func:`_names_someone`). A listed name found inside (``names``)
        is the mention instead (腾讯科技有限公司 is Tencent), unless it is a bare
        organisation word (俄罗斯外交部 is not 外交部, China's)."""
        if not re.search("[\u4e00-\u9fff]", text) or not any(w in text for w in ORG_WORDS_ZH):
            return []
        words = _pos_words(text)
        out = []
        for k, (w, tag, a) in enumerate(words):
            m = self._zh_word.search(w)
            if not m:
                continue
            org, inner = m.group("org"), w[: m.start()]
            if len(inner) == 1 and (len(org) == 1 or inner not in COUNTRY_ABBR_ZH):
                continue  # 干部, 总部, 母公司, 新政府: one character before the organisation word
            if not inner and tag.startswith("v"):
                continue  # 美国|组织|的论坛: "organised by", a verb
            if len(org) == 1 and inner and tag != "nt" and (org not in "局署厅" or tag[:1] in "fs"):
                continue  # 东北部, 圣母院, 武装部队: a word, not a body (but 石油部, 统一|部, 菲律宾|队, 服务局)
            registered = org in REGISTERED_ZH
            j = k
            while j > 0 and a + len(w) - words[j - 1][2] <= (24 if registered else 16):
                if _nameish(words[j - 1][1]) and words[j - 1][0] not in _NOT_IN_NAMES_ZH:
                    j -= 1
                elif registered and _in_registered_name(*words[j - 1][:2]):
                    j -= 1  # 房地产|开发|有限公司, 上海|寻梦|信息技术|有限公司
                elif (j >= 3 and words[j - 1][0] in ")）" and words[j - 3][0] in "(（"
                      and words[j - 2][1].startswith("ns")):
                    j -= 3  # 行吟信息科技（上海）有限公司
                else:
                    break
            if registered:  # it starts at the last place or name after other words: 昆明合伙投资房企|昆明…有限公司
                starts = [i for i in range(j, k) if _namelike(*words[i][:2])
                          and (i == j or not (_namelike(*words[i - 1][:2]) or words[i - 1][0] in "(（"))]
                j = starts[-1] if starts else j
                if words[j][1].startswith("nr") and words[j + 1][1] in ("v", "vn"):
                    continue  # a person doing something (张伟|投资|设立…有限公司) is no name's start
            elif org not in UNIT_WORDS_ZH:
                while j < k and not (_proper(words[j][0], words[j][1]) or _place(words[j][0], words[j][1])):
                    j += 1  # 援引俄当局 -> 俄当局
            start, end = words[j][2], a + m.end("org")
            name = text[start:end]
            if not _names_someone(words[j:k], inner, org) or self._holds_a_name(start, end, names):
                continue  # "公司" alone, 科技公司, 美国公司; a listed name inside is found by name
            out.append(OrgMention(start, end, name, self.canonical(name), "pattern"))
        return out

    def _holds_a_name(self, start: int, end: int, names: Sequence[OrgMention]) -> bool:
        """Whether a listed name other than a bare organisation word (外交部) was found in ``start:end``."""
        for n in names:
            if start <= n.start and n.end <= end:
                core = n.text
                while core and self._zh_word.search(core):
                    core = self._zh_word.sub("", core)
                if core:
                    return True
        return False

    def find(self, text: str) -> list[OrgMention]:
        """Every organisation mention in ``text``, in order, not overlapping (the longest
        wins where a listed name and a pattern overlap; at the same start, the listed name).
        A listed name followed by a business noun (小红书商业化, 小红书电商, ``Xiaohongshu
        Commercial``) is a mention of the listed organisation, its span the name alone. A line
        break inside a Chinese name (a hard-wrapped text: 小红\\n书) is read through."""
        joined, where = unwrap_zh(text)
        return [_mapped(m, text, where) for m in self._find(joined)] if where else self._find(text)

    def _find(self, text: str) -> list[OrgMention]:
        found = self._names_en(text)
        sure, maybe = self._names_zh(text)
        found += sure
        if self.patterns:
            found += self._patterns_en(text) + self._patterns_zh(text, sure + maybe)
        out = _non_overlapping(found)
        listed = [x for x in maybe if _in_a_list(text, x, out)]
        return _non_overlapping(out + listed) if listed else out

    # -- by the document ---------------------------------------------------------------------------

    def find_all(self, texts: Sequence[str]) -> list[list[OrgMention]]:
        """The mentions of each text of one document (its sentences, in order): those of
        :meth:`find`, and (with ``patterns``) the names the document itself makes an
        organisation's, wherever they stand in it as a word (``how`` ``"context"``):

        * a short name declared after an organisation's (``昆明贵山天阳房地产开发有限公司
          （以下简称“贵山天阳”）``, ``Acme Holdings Ltd. ("Acme")``) is that organisation;
        * a Chinese proper noun followed in the document by two different words of what a
          company or a brand has (:data:`ORG_CUES_ZH`: 老干妈|创始人, 老干妈|销售额), one of
          them only a company's (:data:`COMPANY_CUES_ZH`), is an organisation.

        Raises:
            InputError: ``texts`` is one string (use :meth:`find`).

        Example:
            >>> f = OrganisationFinder()
            >>> found = f.find_all(["昆明贵山天阳房地产开发有限公司（以下简称“贵山天阳”）拍下地块。", "贵山天阳的楼盘烂尾了。"])
            >>> [(m.text, m.name, m.how) for m in found[1]]
            [('贵山天阳', '昆明贵山天阳房地产开发有限公司', 'context')]
        """
        if isinstance(texts, str):
            raise InputError("find_all reads a document's texts (a list of sentences), not one string: use find")
        unwrapped = [unwrap_zh(t) for t in texts]
        found = self._find_all([j for j, _ in unwrapped])
        return [[_mapped(m, t, where) for m in ms] if where else ms
                for t, (_, where), ms in zip(texts, unwrapped, found)]

    def _find_all(self, texts: Sequence[str]) -> list[list[OrgMention]]:
        found = [self._find(t) for t in texts]
        if not self.patterns:
            return found
        names, declarations = self._declared(texts, found)
        for w in self._cued(texts):
            names.setdefault(w, self.canonical(w))
        if not names:
            return found
        rx = re.compile(_alternation(sorted(names, key=len, reverse=True)))
        for i, t in enumerate(texts):
            extra = []
            tokens: list[tuple[str, int, int]] | None = None
            for m in rx.finditer(t):
                a, b = m.span()
                if any(x.start < b and a < x.end for x in found[i]) or any(
                        j == i and c <= a and b <= d for j, c, d in declarations):
                    continue  # already a mention, or the declaration itself
                if m.group().isascii():  # a Latin name between Chinese characters stands alone (据悉Acme在)
                    glued = (a and (_LATIN_WORD.match(t[a - 1]) or t[a - 1] in "-&")) or (
                        b < len(t) and _LATIN_WORD.match(t[b]))
                    if glued:
                        continue
                else:
                    tokens = tokens if tokens is not None else _jieba_words(t)
                    if not self._stands_alone(t, a, b, tokens):
                        continue
                extra.append(OrgMention(a, b, m.group(), names[m.group()], "context"))
            if extra:
                found[i] = _non_overlapping(found[i] + extra)
        return found

    def find_in(self, doc: Document) -> list[tuple[int, OrgMention]]:
        """``(sentence index, mention)`` of every organisation mention in the document's
        sentences (offsets into ``doc.text``), in order; sentences that are not part of the
        writing (``Sentence.not_writing``: a byline, an image credit) or have no language
        (numbers, punctuation) are not read. The sentences are read as one document
        (:meth:`find_all`): a short name it declares for an organisation is that
        organisation in every sentence.

        Example:
            >>> from xhs_nlp import segment
            >>> doc = segment("腾讯表示将继续投入。小红书的广告收入增长。")
            >>> [(i, m.name) for i, m in OrganisationFinder().find_in(doc)]
            [(0, 'Tencent'), (1, 'Xiaohongshu')]
        """
        read = [(i, s) for i, s in enumerate(doc.sentences) if s.lang != "und" and s.not_writing is None]
        found = self.find_all([s.text for _, s in read])
        return [(i, m.shifted(s.start)) for (i, s), ms in zip(read, found) for m in ms]

    def _declared(self, texts: Sequence[str], found: Sequence[Sequence[OrgMention]]
                  ) -> tuple[dict[str, str], list[tuple[int, int, int]]]:
        """Short names declared right after a found organisation: ``{short name: its entity}``,
        and where the declarations stand (text index, start, end)."""
        out: dict[str, str] = {}
        spans = []
        for i, (t, ms) in enumerate(zip(texts, found)):
            for x in ms:
                m = _DECLARED_EN.match(t, x.end) or _DECLARED_ZH.match(t, x.end)
                short = m and (m.group("short") or m.groupdict().get("quoted") or "").strip()
                if (short and short not in _GENERIC_SHORT_NAMES and short not in ORG_WORDS_ZH
                        and short not in ORG_WORDS_EN and short != x.text):
                    out.setdefault(short, x.name)
                    spans.append((i, m.start(), m.end()))
        return out, spans

    def _cued(self, texts: Sequence[str]) -> list[str]:
        """Chinese proper nouns (not listed, no organisation word) followed by two different
        :data:`ORG_CUES_ZH` words in ``texts``, one of them a :data:`COMPANY_CUES_ZH` word
        (雷军|旗下 twice is a person's holdings, not a company)."""
        cues: dict[str, set[str]] = {}
        for t in texts:
            if not self._cue_zh.search(t):
                continue
            words = _pos_words(t)
            for (w, tag, _), nxt in zip(words, words[1:]):
                if (nxt[0] in ORG_CUES_ZH and len(w) >= 2 and _proper(w, tag) and w not in self._canonical
                        and not self._zh_word.search(w)):
                    cues.setdefault(w, set()).add(nxt[0])
        return [w for w, c in cues.items() if len(c) >= 2 and c & COMPANY_CUES_ZH]


def _mapped(m: OrgMention, text: str, where: Sequence[int]) -> OrgMention:
    """A mention found in :func:`~xhs_nlp.segment.wrapping.unwrap_zh`'s text, with offsets into the original."""
    a, b = original_span(where, (m.start, m.end))
    return OrgMention(a, b, text[a:b], m.name, m.how)


def _within_sentences(rx: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of a capitalised-run pattern, none across a sentence's end: a run with a
    word that ends in a period (not an abbreviation such as U.S., St. or Bros.) before a
    capitalised word (not "Sony Corp. of America") is read again as the runs before and
    after it ("Acme Inc. Police Department" -> "Acme Inc.", "Police Department")."""
    for m in rx.finditer(text):
        breaks = [b.end() for b in re.finditer(r"\S+\.(?=\s[A-Z])", m.group())  # not before "of", "for"
                  if not _ABBREVIATION_EN.fullmatch(b.group())]
        if not breaks:
            yield m
            continue
        start = m.start()
        for end in [m.start() + b for b in breaks] + [m.end()]:
            yield from rx.finditer(text, start, end)
            start = end + 1  # past the space


def _non_overlapping(found: list[OrgMention]) -> list[OrgMention]:
    """The mentions in order, the earliest (then the longest, then a listed name) winning an overlap."""
    found = sorted(found, key=lambda x: (x.start, -(x.end - x.start), x.how != "name"))
    out: list[OrgMention] = []
    for x in found:
        if out and x.start < out[-1].end:
            continue
        out.append(x)
    return out


def _in_a_list(text: str, x: OrgMention, others: Sequence[OrgMention]) -> bool:
    """Whether ``x`` and another mention stand side by side in a list (思科、苹果; 格力和美的)."""
    for o in others:
        between = text[o.end:x.start] if o.end <= x.start else text[x.end:o.start]
        if between.strip() in _LIST_SEPARATORS:
            return True
    return False


def _names_someone(core: Sequence[tuple[str, str, int]], inner: str, word: str) -> bool:
    """Whether the words before a Chinese organisation word make a name: before a unit word
    (事业群) any two characters; before a company word (公司, 集团, 科技) a proper noun (a
    person, an organisation, Latin letters: 中核集团, not 美国石油公司, 家电企业); before
    an institution word or a registered form a proper noun or a place (日本政府, 伊朗石油部,
    中国银行, 俄外交部, 北京…有限公司; not 地方政府, 食物银行, 电子商务有限公司). ``core``
    are the jieba words before the one that ends in ``word``, ``inner`` that word's own
    characters before it."""
    pairs = [(w, t) for w, t, _ in core]
    if len(inner) == 1:
        pairs.append((inner, "ns"))  # a country's one-character name (俄外交部)
    elif inner:
        pairs += _pos_tags(inner)
    if word in UNIT_WORDS_ZH:
        return len("".join(w for w, _ in pairs)) >= 2
    proper = any(_proper(w, t) for w, t in pairs)
    return proper if word in COMPANY_WORDS_ZH else proper or any(_place(w, t) for w, t in pairs)


def _proper(word: str, tag: str) -> bool:
    """A proper noun of jieba's tags: a person, an organisation, another name, Latin letters
    (not an abbreviation: 家电, 环保 are tagged ``j``)."""
    return (tag[:2] in ("nr", "nz", "nt") or tag == "eng") and word not in NOT_PROPER_ZH


def _place(word: str, tag: str) -> bool:
    """A place of jieba's tags, of two characters or a country's one (俄, 美), not 外国 or 上市."""
    return ((tag.startswith("ns") or tag == "j") and word not in NOT_PLACES_ZH
            and (len(word) >= 2 and tag.startswith("ns") or word in COUNTRY_ABBR_ZH))


def _in_registered_name(word: str, tag: str) -> bool:
    """Whether a word that is no noun can still stand inside a registered company name (a
    verb or an unknown word: 房地产|开发|有限公司, 上海|寻梦|信息技术|有限公司), not punctuation."""
    return tag in ("v", "vn", "x", "a", "b") and bool(re.fullmatch(r"[\w\u3400-\u9fff]+", word))


def _namelike(word: str, tag: str) -> bool:
    """A proper noun, a place, or a word jieba does not know (a brand: 寻梦, 行吟)."""
    return _proper(word, tag) or _place(word, tag) or (tag == "x" and bool(re.fullmatch(r"[\w\u3400-\u9fff]+", word)))


def _nameish(tag: str) -> bool:
    """Whether a jieba part-of-speech tag can be part of an organisation's name: nouns
    (n, nr, ns, nt, nz, ng), verbal nouns (vn: 管理), abbreviations (j), Latin (eng)."""
    return tag[:1] in ("n", "j") or tag in ("vn", "eng")


def _pos_tags(text: str) -> list[tuple[str, str]]:
    """jieba's ``(word, tag)`` pairs of a short text."""
    from .tokens import get_pos_tagger

    return [(w, t) for w, t in get_pos_tagger().cut(text)]


def _jieba_words(text: str) -> list[tuple[str, int, int]]:
    """``(word, start, end)`` of the library's jieba tokenizer."""
    from .tokens import get_jieba

    return list(get_jieba().tokenize(text))


def _a_word(word: str) -> bool:
    """Whether ``word`` is in the library's jieba dictionary (not made up by its HMM)."""
    from .tokens import get_jieba

    return len(word) > 1 and bool(get_jieba().FREQ.get(word))


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
