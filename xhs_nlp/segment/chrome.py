"""Forum chrome of Discuz!-style pages: find it, keep it, and read metadata from it.

Chrome is looked for in the leading and trailing runs of lines (header: ``Name 发表于
2 小时前 | 显示全部楼层 | 阅读模式``; footer: login prompt, ``Archiver|手机版``, copyright,
``Powered by``, ``GMT+8, 2025-12-28 07:29 , Processed in ... second(s), N queries``) and,
anywhere, in Discuz!'s edit notes (``本帖最后由 X 于 T 编辑``). A body line is never
removed because a chrome word occurs inside it: a line is chrome only if it matches a
header/footer pattern or consists of chrome words and separators alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

__all__ = ["ChromeResult", "find_chrome", "resolve_post_time"]

_HEADER = re.compile(
    r"^\s*(?:楼主\s*[|｜]?\s*)?(?P<author>[^\s|｜][^|｜]*?)?\s*(?:发表于|發表於|发布于|發佈於)\s*"
    r"(?P<time>[^|｜]+?)\s*(?:[|｜].*)?$"
)
_EDIT_NOTE = re.compile(r"^\s*本帖最后由\s*\S.*?\s*于\s*.+?\s*编辑\s*$|^\s*本帖最後由\s*\S.*?\s*於\s*.+?\s*編輯\s*$")
_FOOTER_STRONG = re.compile(
    r"Powered\s+by|Copyright\s*(?:©|\(c\)|&copy;)|GMT\s*[+-]\s*\d{1,2}\s*,\s*\d{4}-\d{1,2}-\d{1,2}"
    r"|Processed\s+in\s+[\d.]+\s+second|\d+\s+queries|ICP\s*[备備]|您需要登录后才可以回帖|Discuz!",
    re.IGNORECASE,
)
_CHROME_WORDS = sorted(
    """显示全部楼层 阅读模式 只看该作者 只看大图 倒序浏览 正序浏览 电梯直达 返回列表 上一主题 下一主题 打印
    收藏 分享 举报 回复 引用 使用道具 发表回复 快速回复 高级模式 本版积分规则 回帖后跳转到最后一页 返回顶部
    返回版块 楼主 沙发 板凳 地板 评分 点评 查看 主题 帖子 精华 积分 在线时间 注册时间 最后登录 发消息
    登录 立即注册 注册 找回密码 Archiver 手机版 小黑屋 关于我们 联系我们 网站地图 免责声明 帮助 搜索
    顯示全部樓層 閱讀模式 只看該作者 返回列表 舉報 回覆 發表回覆 登錄 註冊 立即註冊 手機版 關於我們 網站地圖""".split(),
    key=len,
    reverse=True,
)
_CHROME_ONLY = re.compile(
    r"^(?:\s|[|｜/·•:：\-–—]|\d+|#\d+|" + "|".join(map(re.escape, _CHROME_WORDS)) + r")*$"
)
_PAGE_TIME = re.compile(
    r"GMT\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?\s*,\s*"
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2})\s+(?P<clock>\d{1,2}:\d{2}(?::\d{2})?)"
)
_REL = re.compile(r"^(?P<n>\d+|半|一|两)\s*(?P<unit>秒|秒钟|分钟|分鐘|小时|小時|天|周|週|星期)\s*前$")
_DAY_WORD = re.compile(r"^(?P<day>今天|昨天|前天)\s*(?P<clock>\d{1,2}:\d{2})?$")
_ABS = re.compile(r"^(?P<date>\d{4}-\d{1,2}-\d{1,2})(?:\s+(?P<clock>\d{1,2}:\d{2}(?::\d{2})?))?$")
_UNIT_SECONDS = {
    "秒": 1, "秒钟": 1, "分钟": 60, "分鐘": 60, "小时": 3600, "小時": 3600,
    "天": 86400, "周": 604800, "週": 604800, "星期": 604800,
}  # fmt: skip
_MAX_SCAN = 40  # header/footer lines looked at, at most, at each end


@dataclass
class ChromeResult:
    """Where the chrome is and what it says."""

    lines: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, kind)
    body_start: int = 0
    body_end: int = 0
    author: str | None = None
    posted_raw: str | None = None
    page_time: datetime | None = None


def _parse_clock(date: str, clock: str | None, tz: timezone | None) -> datetime:
    fmt = "%Y-%m-%d %H:%M:%S" if clock and clock.count(":") == 2 else "%Y-%m-%d %H:%M"
    value = datetime.strptime(f"{date} {clock or '00:00'}", fmt)
    return value.replace(tzinfo=tz) if tz else value


def _page_time(line: str) -> datetime | None:
    m = _PAGE_TIME.search(line)
    if not m:
        return None
    minutes = int(m["h"]) * 60 + int(m["m"] or 0)
    tz = timezone(timedelta(minutes=minutes if m["sign"] == "+" else -minutes))
    try:
        return _parse_clock(m["date"], m["clock"], tz)
    except ValueError:
        return None


def resolve_post_time(raw: str, page_time: datetime | None) -> tuple[datetime | None, str | None]:
    """Turn a printed post time into ``(absolute time or None, relative text or None)``.

    Relative times (``2 小时前``, ``半小时前``, ``昨天 12:30``, ``刚刚``) are resolved against
    the page time; absolute times take the page's time zone.

    Example:
        >>> from datetime import datetime, timezone, timedelta
        >>> page = datetime(2025, 12, 28, 7, 29, tzinfo=timezone(timedelta(hours=8)))
        >>> resolve_post_time("2 小时前", page)[0].isoformat()
        '2025-12-28T05:29:00+08:00'
    """
    raw = raw.strip()
    tz = page_time.tzinfo if page_time else None
    m = _ABS.match(raw)
    if m:
        try:
            return _parse_clock(m["date"], m["clock"], tz), None  # type: ignore[arg-type]
        except ValueError:
            return None, None
    if raw in ("刚刚", "剛剛"):
        return page_time, raw
    m = _REL.match(raw)
    if m:
        n = {"半": 0.5, "一": 1, "两": 2}.get(m["n"]) or float(m["n"])
        if page_time is None:
            return None, raw
        return page_time - timedelta(seconds=n * _UNIT_SECONDS[m["unit"]]), raw
    m = _DAY_WORD.match(raw)
    if m:
        if page_time is None:
            return None, raw
        back = {"今天": 0, "昨天": 1, "前天": 2}[m["day"]]
        day = (page_time - timedelta(days=back)).date().isoformat()
        return _parse_clock(day, m["clock"], tz), raw  # type: ignore[arg-type]
    return None, raw


def _classify(line: str, where: str) -> tuple[str | None, re.Match[str] | None]:
    """Return (kind, header match) for a chrome line, or (None, None) for body text."""
    if not line.strip():
        return None, None
    if _EDIT_NOTE.match(line):
        return "edit_note", None
    if where == "head":
        m = _HEADER.match(line)
        if m and len(line) <= 200:
            return "header", m
    if where == "tail" and _FOOTER_STRONG.search(line) and len(line) <= 300:
        return "footer", None
    if len(line) <= 80 and _CHROME_ONLY.match(line) and re.search(r"[^\s\d|｜#:：·•/\-–—]", line):
        return ("nav" if where == "head" else "footer"), None
    return None, None


def find_chrome(text: str) -> ChromeResult:
    """Locate forum chrome at the ends of ``text`` and edit notes anywhere.

    Example:
        >>> page = "Larissa 发表于 2 小时前 | 显示全部楼层\\nBody.\\nGMT+8, 2025-12-28 07:29 , Processed in 0.1 second(s), 3 queries ."
        >>> r = find_chrome(page)
        >>> r.author, r.posted_raw, r.page_time.isoformat()
        ('Larissa', '2 小时前', '2025-12-28T07:29:00+08:00')
        >>> page[r.body_start:r.body_end]
        'Body.'
    """
    lines: list[tuple[int, int]] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        content = raw.rstrip("\r\n")
        lines.append((pos, pos + len(content)))
        pos += len(raw)
    result = ChromeResult(body_start=0, body_end=len(text))
    n = len(lines)
    head = 0
    scanned = 0
    while head < n and scanned < _MAX_SCAN:
        s, e = lines[head]
        line = text[s:e]
        if line.strip():
            scanned += 1
            kind, m = _classify(line, "head")
            if kind is None:
                break
            result.lines.append((s, e, kind))
            if m is not None and result.posted_raw is None:
                result.author = re.sub(r"\s+", " ", m["author"] or "").strip() or None
                result.posted_raw = re.sub(r"\s+", " ", m["time"]).strip()
        head += 1
    tail = n
    scanned = 0
    tail_lines: list[tuple[int, int, str]] = []
    while tail > head and scanned < _MAX_SCAN:
        s, e = lines[tail - 1]
        line = text[s:e]
        if line.strip():
            scanned += 1
            kind, _ = _classify(line, "tail")
            if kind is None:
                break
            tail_lines.append((s, e, kind))
            result.page_time = result.page_time or _page_time(line)
        tail -= 1
    for s, e in lines[head:tail]:
        if _EDIT_NOTE.match(text[s:e]):
            result.lines.append((s, e, "edit_note"))
    result.lines.extend(reversed(tail_lines))
    result.body_start = lines[head][0] if head < n else len(text)
    result.body_end = lines[tail - 1][1] if tail > head else result.body_start
    return result
