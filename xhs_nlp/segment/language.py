"""Language tags for sentences: by script first, then stop words for Latin-script text.

``zh`` and ``en`` are the languages the library is built for; ``mixed`` marks a sentence
where Chinese and Latin-script text both carry weight. Other tags are given only where the
evidence is unambiguous (a script that belongs to one language, or clear stop-word hits);
Latin text without such evidence is tagged ``en``, text without letters ``und``.
"""

from __future__ import annotations

import re

from ..document import Lang

__all__ = ["detect_lang"]

_STOP = {
    "en": "the of and to is are was were that this with for from have has not but which".split(),
    "de": "der die das und ist nicht mit den dem ein eine auch sich von zu des wird".split(),
    "fr": "le la les des est une et du dans pour que qui pas sur au avec".split(),
    "it": "il lo gli della che è di non per una sono con del nel alla".split(),
    "es": "el los las del que es una por con para como pero sus está".split(),
    "pl": "nie jest się na że do to jak ale przez dla jego już lub".split(),
}
_STOP_INDEX: dict[str, list[str]] = {}
for _lang, _words in _STOP.items():
    for _w in _words:
        _STOP_INDEX.setdefault(_w, []).append(_lang)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_RU_ONLY = set("ыэъё")


def _script_counts(text: str) -> dict[str, int]:
    counts = {"han": 0, "latin": 0, "cyr": 0, "arab": 0, "kana": 0, "hangul": 0}
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            if ch.isalpha():
                counts["latin"] += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F:
            counts["han"] += 1
        elif 0x3040 <= o <= 0x30FF:
            counts["kana"] += 1
        elif 0xAC00 <= o <= 0xD7AF:
            counts["hangul"] += 1
        elif 0x0400 <= o <= 0x04FF:
            counts["cyr"] += 1
        elif 0x0600 <= o <= 0x06FF:
            counts["arab"] += 1
        elif ch.isalpha():
            counts["latin"] += 1
    return counts


def detect_lang(text: str) -> Lang:
    """Tag ``text`` with a language.

    Example:
        >>> detect_lang("小红书的商业化进入深水区。"), detect_lang("Trust is fragile.")
        ('zh', 'en')
        >>> detect_lang("小红书 (Xiaohongshu) is entering the deep water zone 深水区.")
        'mixed'
    """
    c = _script_counts(text)
    if c["kana"] and c["kana"] * 4 >= c["han"]:
        return "ja"
    if c["hangul"] and c["hangul"] >= c["han"]:
        return "ko"
    # One Chinese character carries about as much as three Latin letters.
    han, latin = float(c["han"]), c["latin"] / 3.0
    other = max(c["cyr"], c["arab"]) / 3.0
    total = han + latin + other
    if total == 0:
        return "und"
    if other / total >= 0.7:
        if c["arab"] > c["cyr"]:
            return "ar"
        return "ru" if any(ch in _RU_ONLY for ch in text.lower()) else "bg"
    if han and latin:
        minority = min(han, latin) / (han + latin)
        if minority >= 0.3:
            return "mixed"
    if han >= latin:
        return "zh"
    return _latin_lang(text)


def _latin_lang(text: str) -> Lang:
    hits: dict[str, int] = {}
    for w in _WORD.findall(text.lower()):
        for lang in _STOP_INDEX.get(w, ()):
            hits[lang] = hits.get(lang, 0) + 1
    if not hits:
        return "en"
    best = max(hits, key=lambda k: hits[k])
    if best != "en" and hits[best] >= 2 and hits[best] > hits.get("en", 0) * 2:
        return best  # type: ignore[return-value]
    return "en"
