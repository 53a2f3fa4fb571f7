"""Language tags for sentences: by script first, then stop words for Latin and Cyrillic text.

``zh`` and ``en`` are the languages the library is built for; ``mixed`` marks a sentence
where Chinese and Latin-script text both carry weight. Other tags are given only where the
evidence is unambiguous (a script that belongs to one language, or clear hits of its stop
words and of words spelt with its own letters); Latin text without such evidence is tagged
``en``, text without letters ``und``. Cyrillic text is ``ru`` or ``bg`` by letters and
function words, ``ru`` where nothing tells them apart. Accuracy per language on the
labelled corpora: ``benchmarks/language_detection.py``.
"""

from __future__ import annotations

import re

from ..document import Lang

__all__ = ["detect_lang"]

_STOP = {
    "en": ("the of and to is are was were that this with for from have has not but which been by be "
           "it its he she they we his her their will would said who an at on or".split()),
    "de": ("der die das und ist nicht mit den dem ein eine auch sich von zu des wird im sie er es auf "
           "für nur noch wie bei aus hat sind war wurde werden dass einen einem einer keine oder aber "
           "nach über man kann mehr schon".split()),
    "fr": ("le la les des est une et du dans pour que qui pas sur au avec ce ne se plus par sont été "
           "cette mais nous vous leur aux ses son elle ils être".split()),
    "it": ("il lo gli della che è di non per una sono con del nel alla un si da ha anche come più ma "
           "questo questa stato delle dei degli al dal sul tra ci hanno già e i alle nei nelle sulla sui poi "
           "solo molto tutti ancora perché essere sarà".split()),
    "es": "el los las del que es una por con para como pero sus está lo al más fue son esta este ya muy".split(),
    "pl": ("nie jest się na że do to jak ale przez dla jego już lub w z co od po tak jako tym być "
           "może są tego".split()),
    "tr": "ve bir bu da de için ile ne çok daha gibi olarak olan ama kadar sonra değil var göre".split(),
}
# Letters that mark one language among the Latin-script ones: each word holding one counts
# as a hit, like a stop word.
_LETTERS = {
    "de": "äöüß",
    "fr": "çêâîôûëœ",
    "es": "ñ¿¡",
    "pl": "ąęłńśźżć",
    "tr": "ığşçöü\u0307",  # U+0307: the dot of a lower-cased İ
}
_STOP_INDEX: dict[str, list[str]] = {}
for _lang, _words in _STOP.items():
    for _w in set(_words):
        _STOP_INDEX.setdefault(_w, []).append(_lang)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Cyrillic: letters Bulgarian lacks (ы э ё), the hard sign before a soft vowel (Russian
# объект, съезд) against the hard sign as a vowel (Bulgarian във, път, съм), and words
# one language uses all the time and the other hardly at all.
_RU_LETTERS = re.compile(r"[ыэё]|ъ(?=[еюя])")
_BG_HARD_VOWEL = re.compile(r"ъ(?![еёюя])")
_CYR_STOP = {
    "ru": set("что это как его она они был была были быть также который которые которая может если "
              "только уже для чтобы когда где к о у же нет очень сегодня теперь себя после год года году".split()),
    "bg": set("се че са ще е това като които който която което със във тя му си ние няма има бе вече трябва "
              "днес добре тук всеки всяка нещо".split()),
}


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
        return _cyrillic_lang(text)
    if han and latin:
        minority = min(han, latin) / (han + latin)
        if minority >= 0.3:
            return "mixed"
    if han >= latin:
        return "zh"
    return _latin_lang(text)


def _cyrillic_lang(text: str) -> Lang:
    """``ru`` or ``bg`` by letters and stop words; Russian where nothing tells them apart."""
    low = text.lower()
    words = _WORD.findall(low)
    ru = len(_RU_LETTERS.findall(low)) + sum(w in _CYR_STOP["ru"] for w in words)
    bg = len(_BG_HARD_VOWEL.findall(low)) + sum(w in _CYR_STOP["bg"] for w in words)
    return "bg" if bg > ru else "ru"


def _latin_lang(text: str) -> Lang:
    hits: dict[str, int] = {}
    for word in _WORD.findall(text):
        if word == "I":  # the English pronoun, not the Italian article
            hits["en"] = hits.get("en", 0) + 1
            continue
        w = word.lower()
        for lang in _STOP_INDEX.get(w, ()):
            hits[lang] = hits.get(lang, 0) + 1
        if not w.isascii():
            for lang, letters in _LETTERS.items():
                if any(ch in letters for ch in w):
                    hits[lang] = hits.get(lang, 0) + 1
    if not hits:
        return "en"
    best = max(hits, key=lambda k: hits[k])
    if best != "en" and hits[best] >= 2 and hits[best] > hits.get("en", 0) * 2:
        return best  # type: ignore[return-value]
    return "en"
