"""时间节点 phrase + plan year (+ anchor) -> ``Deadline``. Pure: no clock, no I/O.

How a phrase is read
====================
1. **Normalise** (``normalize``/``_normalise``): full-width characters to ASCII (NFKC),
   traditional characters to simplified (``TRADITIONAL``: 於 個 內 辦 週 …), spaces
   dropped, Chinese numerals next to a date word to digits (九月 -> 9月, 二〇二二年 ->
   2022年, 十个工作日 -> 10个工作日, 二十日 -> 20日), 双月 to 每2个月, 今年/本年/次年/明年/
   去年 to explicit years. Every character remembers where it came from, so what is
   left over is quoted exactly as the user wrote it.
2. **Refuse** (``REFUSALS``): wording that cannot be dated without guessing, anywhere in
   the text (视情况, 国庆节前, 9月份前, 10月中旬前, 月初, 前后, 本月 …), raises
   ``DeadlineError`` with the reason and a hint.
3. **Scan** (``RULES``): left to right; at each position the first rule of the ordered
   table that matches makes a *piece* (kind, start, due …); a character no rule takes
   is left over. Some pieces are *markers* that act on their neighbour: 起/开始, 结束/止,
   自/从, and counts (2次).
4. **Left over** (``_read_leftover``): digits are refused (a number we did not read is a
   date we might have misread); ``FILLER_WORDS`` (完成, 原则上 …) are dropped;
   ``NOTED_WORDS`` (报送, 推进 …) are kept in ``leftover``, named in the note and warned
   about; **anything else is refused, quoted**: a word we did not read may change the
   dates (2023年下半年起施行, 9月底前以后), and a wrong date that looks right is the
   worst outcome.
5. **Fold** (``_fold``) the markers into their neighbours: 下半年 + 起 -> from 7月1日 on;
   a starting point + a later date -> a range (5月10日开始，6月30日结束), the end taking
   the start's year when it writes none; a date + 结束 -> that date as the end; a
   period + 2次 -> the count.
6. **Combine** (``_combine``) the pieces into one ``Deadline``.

The kinds (always chosen the same way)
======================================
- ``by_date``: the phrase names a last day and no first day: …底, …末, …前 after a
  day (9月底前, 三季度末, 年底, 年内, 6月30日, 到2023年底). ``start`` is ``None``.
- ``during``: the phrase names a window: a month, a 旬, a quarter, a half, a year, a
  range (8月, 三季度, 上半年, 10月中旬, 1-6月, 2022—2024年). ``start``..``due``.
- ``ongoing``: a continuing duty (全年, 长期坚持, 常态化, 定期 …) or a starting point
  (2022年3月起, 下半年起): from its start to the plan year's end, or to the end of the
  start's year when that is later (2024年起 in a 2023 plan; the note says so).
- ``recurring``: 每/按/逐 + a period (每天, 每个工作日, 每周五前, 每旬, 每月25日前, 双月,
  每季度末, 每季度第二个月10日前, 每半年, 每年6月底前, 每年上半年), or a report on the
  previous period (次月5日前, 每季度结束后10日内): falls due in every period of its
  window (the plan year, or the period written with it, as in 下半年每月); ``start`` =
  the window's first day, ``due`` = the last occurrence (for a report on the previous
  period, in the next year), ``rule`` the period (see ``occurrences``).
- A count (全年至少2次, 每季度组织一次) does not change the kind: the dates stay those of
  the period it belongs to, ``count`` keeps the number.
- ``relative``: N working days / days / weeks / months after a trigger
  (出台后10个工作日内, 15日内); counted from the task's ``anchor``, the anchor day not
  counting; without an anchor ``due`` is ``None`` (waiting for the trigger).

Combining pieces: a recurring piece takes the other piece as its window; a relative
piece may only stand with continuing-duty words; otherwise continuing-duty words
give way to a dated piece (全年推进，9月底前完成 -> by 9月底), and several dated pieces
are stages: the latest due wins, the earliest start is kept, the note lists them.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import NamedTuple

from gkplan.errors import DeadlineError
from gkplan.model import Deadline, DeadlineKind, Recurrence

MIN_YEAR = 1900
MAX_YEAR = 2100
MAX_RELATIVE = 366  # working or calendar days: a longer count is a typo, not a deadline
MAX_RELATIVE_MONTHS = 36

ACCEPTED_FORMS = (
    "限期 9月底前、10月15日前、年底前、三季度末、2023年6月30日前；"
    "期间 8月、三季度、上半年、10月中旬、1-6月、2022—2024年、5月10日开始，6月30日结束；"
    "持续 全年、长期坚持、常态化、2022年3月起、下半年起；"
    "周期 每月、每月25日前、每季度、每半年、每年、每年11月、每周五前、每个工作日、每旬、双月、"
    "每季度第二个月10日前、次月5日前、每季度结束后10日内；"
    "次数 全年至少2次、每季度组织一次；"
    "相对 出台后10个工作日内、自印发之日起30日内（任务上填 anchor 起算日）"
)

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

# Continuing duties: due at the plan year's end, shown as ongoing, never as a plain deadline.
ONGOING_WORDS = (
    "全年",
    "全年度",
    "全年持续",
    "贯穿全年",
    "长期",
    "长期坚持",
    "长期推进",
    "持续",
    "持续推进",
    "持续开展",
    "常态化",
    "常态化推进",
    "常态长效",
    "长效",
    "常年",
    "定期",
)

# 每/按/逐 + one of these: the period length in months.
RECURRING_PERIODS = {
    "月": 1,
    "月度": 1,
    "个月": 1,
    "季": 3,
    "季度": 3,
    "个季度": 3,
    "半年": 6,
    "半年度": 6,
    "年": 12,
    "年度": 12,
}
RECURRING_MONTHS_ALLOWED = (1, 2, 3, 4, 6, 12)  # periods that tile a year from 1 January

# 每/按/逐 + one of these: periods shorter than a month (Recurrence.unit).
SHORT_PERIODS = {"天": "day", "日": "day", "个工作日": "workday", "工作日": "workday", "旬": "dekad"}

# 每周一 … 每周日: Monday = 0.
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}

# 次月 / 次季度 (…结束后): the period a report on the previous period belongs to, in months.
NEXT_PERIODS = {"月": 1, "月度": 1, "季": 3, "季度": 3, "半年": 6, "半年度": 6, "年": 12, "年度": 12}
MAX_LAG_DAYS = 28  # 结束后N日内 = day N of the next month only while N fits every month

# 全年至少2次, 每季度组织一次: the words allowed around a count.
AT_LEAST = ("至少", "不少于", "不低于", "最少")

# 上旬/中旬/下旬: first and last day of the window (None = the month's last day).
THIRDS = {"上": (1, 10), "中": (11, 20), "下": (21, None)}

# Relative units: what the count means.
RELATIVE_UNITS = {
    "个工作日": "workdays",
    "工作日": "workdays",
    "个自然日": "days",
    "自然日": "days",
    "日": "days",
    "天": "days",
    "个星期": "weeks",
    "星期": "weeks",
    "周": "weeks",
    "个月": "months",
    "年": "years",
}
UNIT_LABELS = {"workdays": "个工作日", "days": "天", "weeks": "周", "months": "个月", "years": "年"}

# Year words, replaced by explicit years before scanning (offset from the plan year).
YEAR_WORDS = {
    "今年": 0,
    "本年": 0,
    "当年": 0,
    "次年": 1,
    "明年": 1,
    "翌年": 1,
    "下一年": 1,
    "下年": 1,
    "去年": -1,
    "上年": -1,
    "上一年": -1,
}

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# What may be left over after the grammar has read a phrase. Nothing else may: a word we did
# not read may change the dates (2023年下半年起, 9月底前以后), so it is refused, quoted.
#
# FILLER_WORDS only restate that the date is a deadline, or are grammar; they are dropped
# without a word (9月底前完成 = 9月底前). Keep this list small: every entry must be a word
# that can follow or precede any date without changing which day it means.
FILLER_WORDS = ("完成", "办结", "前", "之前", "以前", "原则上", "于", "全部", "均", "须", "应")
# NOTED_WORDS say what is done, not when (报送, 推进, 启动 …), or how well (基本, 初步), or name
# the report (季报). They do not change the dates either, but they are shown as
# ``leftover`` and warned about, so that a reviewer sees them.
NOTED_VERBS = (
    "报送",
    "上报",
    "提交",
    "推进",
    "启动",
    "开展",
    "组织",
    "召开",
    "举办",
    "部署",
    "落实",
    "实施",
    "公开",
    "发布",
    "更新",
    "建成",
)
NOTED_WORDS = (*NOTED_VERBS, "基本", "初步", "日常", "年报", "月报", "季报", "年度报告", "工作日志", "日志", "工作", "任务")

# Left-over text may not hold these date characters (a date we failed to read).
LEFTOVER_DATE_CHARS = frozenset("年月日号季旬底末")

# Traditional characters that occur in dates and around them, to simplified, before parsing
# (one character for one, so what is left over is still quoted as written).
TRADITIONAL = str.maketrans(
    "於個內辦週後開結東報發實續長態當與並雙兩號從為節慶時際視況適機擇盡隨馬組織舉進檢調級門關啟動務會議規劃計導據將須應終準備佈傳總評統籌專項點歷曆則處對現見過來單審題驗階間連聯設達標監執確認網頁滿屆歲幾嚴稱層區縣鎮無齊內",
    "于个内办周后开结东报发实续长态当与并双两号从为节庆时际视况适机择尽随马组织举进检调级门关启动务会议规划计导据将须应终准备布传总评统筹专项点历历则处对现见过来单审题验阶间连联设达标监执确认网页满届岁几严称层区县镇无齐内",
)

# Words that may join two readable parts without being "left over".
CONNECTORS = frozenset("和及与并且或、的")

# Wording that cannot be dated without guessing: (pattern on normalised text, reason, hint).
_DATE_HINT = "请写成具体日期，如 9月30日前、9月底前"
REFUSALS: tuple[tuple[str, str, str], ...] = (
    (
        r"视情况|根据需要|根据工作需要|按需|适时|择机|待定|另行通知|另定|另行安排|"
        r"根据上级|按上级|按照上级|上级要求",
        "取决于情况或上级安排，没有确定的日期",
        "请写明日期（如 9月底前）；由某事触发的，写 出台后10个工作日内 并在任务上填 anchor 起算日",
    ),
    (
        r"元旦|春节|清明|劳动节|五一|端午|中秋|国庆|十一(?:前|后|期间|假期|节)|节前|节后|节日|假期|"
        r"两会|寒假|暑假|汛期|开学|(?<![\d半度])年[前后](?!\d+个?(?:季度|季|月))|\d{4}年(?:之|以)?前(?!\d)",
        "以节日或事件为节点，其日期每年不同",
        _DATE_HINT,
    ),
    (
        r"\d{1,2}月份?(?:之|以)?前",
        "「N月前」「N月份前」可理解为上月底前，也可理解为该月底前",
        "请写成 N月底前 或 N月1日前",
    ),
    (
        r"(?:[1-4](?:季度|季)|[上下]半年度?)(?:之|以)?前",
        "「季度前」「半年前」可理解为该期开始前，也可理解为该期结束前",
        "请写成 三季度末 或 9月30日前",
    ),
    (
        r"[上中下]旬(?:之|以)?前",
        "「上旬前」「中旬前」「下旬前」可理解为该旬开始前，也可理解为该旬结束前",
        "请写成具体日期，如 10月20日前",
    ),
    (
        r"月(?:初(?!步)|中(?![旬央]))|年(?:初(?!步)|中(?![旬期央]))",
        "「月初」「月中」「年初」「年中」没有确定的日期",
        "请写成 上旬、中旬 或具体日期，如 6月30日前",
    ),
    (r"前后|左右|大约|大概|约(?=\d)", "「前后」「左右」只是大约的时间", _DATE_HINT),
    (
        r"本月|当月|下月|上月|次月(?!\d{1,2}[日号]|底|末)|下个月|本季度?|当季度?|下季度?|下一季度|本周|下周|近期|近日",
        "「本月」「下季度」等要看登记的时间，无法确定",
        "请写明月份，如 10月底前；每月都要做的写 每月；报送上月情况的写 次月5日前",
    ),
    (
        r"(?:\d{1,2}月份?)?\d{1,2}[日号](?:之|以)?后|\d{1,2}月份?(?:之|以)?后|\d{4}年(?:之|以)?后",
        "「…后」只说明开始，没有截止时间",
        "从某天开始、持续进行的写 2022年3月起；有截止的请写明截止日期",
    ),
)

# Words that say "soon" or "whenever" but give no day. Alone they are refused with this
# reason; next to a readable phrase (全年，及时公开) they are only left over.
VAGUE_WORDS = ("及时", "随时", "尽快", "尽早", "实时", "第一时间", "立即", "马上")
_VAGUE_REASON = "「及时」「尽快」等没有确定的日期"
_VAGUE_HINT = "持续性的工作写 常态化 或 全年；由某事触发的写 出台后5个工作日内 并在任务上填 anchor 起算日"

# ---------------------------------------------------------------------------
# Normalisation: text plus, per character, the span of the original it came from
# ---------------------------------------------------------------------------

_CN_NUMERAL = "〇零一二三四五六七八九十两"
_DATE_WORDS = "年|月|日|号|季|个|天|周|星期|工作日|旬"
_NUMERAL_RUN = (
    rf"(?:^|(?<=[^\u4e00-\u9fff])|(?<=[第每前后年月日至到自从的于在起和及或与按逐]))"
    rf"(?P<num>[{_CN_NUMERAL}]+)"
    rf"(?=[-—–―~〜至到]*[{_CN_NUMERAL}\d]*(?:{_DATE_WORDS}))"
)
# A year word becomes a year only where a date follows (次年3月, 今年底, 明年起): in 报送上一年度
# or 次年工作计划 it may name what is reported, not the deadline's year (a year word alone is
# the rule "year_word"). And 原则上年底前 is 原则上 + 年底前, not 原则 + 上年 (last year) + 底前.
_YEAR_WORDS = "|".join(sorted(YEAR_WORDS, key=len, reverse=True))
_YEAR_WORD = (
    f"(?<!原则)(?:{_YEAR_WORDS})"
    r"(?=[\d〇零一二三四五六七八九十两]|度?(?:底|末|内|起|前)|开始|[上下]半年|第|全年|至|到|[-—–~〜])"
)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """Patterns compile on first use: ~10 ms that ``--help`` and commands without deadlines never pay."""
    return re.compile(pattern)


class _Text(NamedTuple):
    text: str
    spans: tuple[tuple[int, int], ...]  # per character of ``text``: [start, end) in the original


def _normalise(phrase: str, year: int) -> _Text:
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    for index, char in enumerate(phrase):
        for out in unicodedata.normalize("NFKC", char):
            if not out.isspace():
                chars.append(out.translate(TRADITIONAL))
                spans.append((index, index + 1))
    text = _Text("".join(chars), tuple(spans))
    if "双月" in text.text:  # 双月、每双月、按双月: every two months
        text = _substitute(text, _compiled(r"(?:每|按)?双月度?"), lambda m: "每2个月")
    if "每" in text.text:  # 每月月底, 每年年底, 每季度季末: the period said twice
        text = _substitute(text, _compiled(r"每(?:月月|年年|季度?季度?)(?=底|末)"), _period_once)
    if any(word in text.text for word in YEAR_WORDS):
        text = _substitute(text, _compiled(_YEAR_WORD), lambda m: f"{year + YEAR_WORDS[m.group(0)]}年")
    if any(char in _CN_NUMERAL for char in text.text):
        text = _substitute(text, _compiled(_NUMERAL_RUN), _numeral_digits)
    return text


def _substitute(text: _Text, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str | None]) -> _Text:
    """Replace matches, giving each new character the span of the whole match."""
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    last = 0
    for match in pattern.finditer(text.text):
        new = replace(match)
        if new is None or match.start() == match.end():
            continue
        chars.append(text.text[last : match.start()])
        spans.extend(text.spans[last : match.start()])
        whole = (text.spans[match.start()][0], text.spans[match.end() - 1][1])
        chars.append(new)
        spans.extend([whole] * len(new))
        last = match.end()
    chars.append(text.text[last:])
    spans.extend(text.spans[last:])
    return _Text("".join(chars), tuple(spans))


def _period_once(match: re.Match[str]) -> str:
    return {"月": "每月", "年": "每年"}.get(match.group(0)[1], "每季度")


def _numeral_digits(match: re.Match[str]) -> str | None:
    value = cn_number(match.group("num"))
    return None if value is None else str(value)


def cn_number(run: str) -> int | None:
    """十二 -> 12, 二十五 -> 25, 十 -> 10, 二〇二二 -> 2022, 九 -> 9; anything else -> None."""
    if not run or any(c not in CN_DIGITS and c != "十" for c in run):
        return None
    if "十" in run:
        head, _, tail = run.partition("十")
        if "十" in tail or len(head) > 1 or len(tail) > 1:
            return None
        tens = CN_DIGITS[head] if head else 1
        if head and tens == 0:
            return None
        return tens * 10 + (CN_DIGITS[tail] if tail else 0)
    return int("".join(str(CN_DIGITS[c]) for c in run))


def normalize(phrase: str, year: int = 2000) -> str:
    """The text the rules see: NFKC, simplified characters, no spaces, digits for Chinese numerals, explicit years."""
    return _normalise(phrase, year).text


# ---------------------------------------------------------------------------
# Pieces and rules
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Piece:
    kind: DeadlineKind
    start: date | None
    due: date | None
    rule: Recurrence | None = None
    relative: tuple[int, str, str] | None = None  # (count, unit, trigger)
    years: tuple[int, ...] = ()  # years written explicitly
    text: str = ""  # the original text this piece was read from (filled by the scanner)
    note: str = ""
    first: date | None = None  # the first day the words name, when they can start something (…起)
    marker: str = ""  # "start" 起/开始, "end" 结束/止, "from" 自/从, "count" 2次: words that act on a neighbour
    count: int | None = None  # 全年至少2次
    opened: bool = False  # a starting point (2022年3月起): a later date closes it into a range
    ranged: bool = False  # a range made of a starting point and an end (5月10日开始，6月30日结束)
    to: bool = False  # written after 至/到 (至10月底): it may close the piece before it into a range
    sole: bool = False  # 本年度, 明年 with no date after it: a year only when nothing else is written
    at: int = 0  # where the piece was read in the normalised text (filled by the scanner)
    end: int = 0


@dataclass(frozen=True, slots=True)
class _Context:
    phrase: str
    year: int
    anchor: date | None

    def fail(self, reason: str, hint: str = "") -> DeadlineError:
        return DeadlineError(self.phrase, reason, hint=hint)


Build = Callable[[re.Match[str], _Context], "_Piece | None"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the grammar: a name (for docs and tests), a pattern, and what it means."""

    name: str
    pattern: str  # on normalised text; compiled on first use
    build: Build


_SEP = r"(?:[-—–―~〜]+|至|到)"
_BY = r"(?P<by>截至|截止到|截止|直到|到|至|于|在)?"
_PRE = r"(?P<pre>之前|以前|前|为止|止)?"
_Y = r"(?:(?P<y>\d{4})年)?"
_WITHIN = r"以内|之内|内"


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _year(ctx: _Context, text: str | None) -> int:
    if not text:
        return ctx.year
    value = int(text)
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise ctx.fail(f"年份 {value} 不合理", f"请写 {MIN_YEAR}–{MAX_YEAR} 之间的年份，如 {ctx.year}年")
    return value


def _years(*texts: str | None) -> tuple[int, ...]:
    return tuple(int(t) for t in texts if t)


def _month(ctx: _Context, text: str) -> int:
    month = int(text)
    if not 1 <= month <= 12:
        raise ctx.fail(f"没有 {month} 月", "月份应为 1–12")
    return month


def _day(ctx: _Context, year: int, month: int, text: str) -> date:
    day = int(text)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ctx.fail(f"{year} 年 {month} 月没有 {day} 日（只有 {last} 天）", "请核对日期")
    return date(year, month, day)


def _quarter_end(year: int, quarter: int) -> date:
    return month_end(year, quarter * 3)


def _by_or_during(match: re.Match[str], start: date, due: date, years: tuple[int, ...]) -> _Piece:
    """A period: a window, unless it is written as its end (…末/底) or after 到/截至 (a deadline)."""
    groups = match.groupdict()
    ends = groups.get("suf") in ("末", "底") or bool(groups.get("by"))
    if ends:
        return _Piece(DeadlineKind.BY_DATE, None, due, years=years)
    return _Piece(DeadlineKind.DURING, start, due, years=years, first=start)


def _names_a_day(match: re.Match[str]) -> bool:
    """A day as such (6月30日, 9月底), not a deadline (6月30日前, 到9月底): it can start something."""
    groups = match.groupdict()
    return not groups.get("by") and not groups.get("pre")


def _iso_day(m: re.Match[str], ctx: _Context) -> _Piece:
    year = _year(ctx, m["y"])
    day = _day(ctx, year, _month(ctx, m["m"]), m["d"])
    return _Piece(DeadlineKind.BY_DATE, None, day, years=(year,), first=day if _names_a_day(m) else None)


def _year_range(m: re.Match[str], ctx: _Context) -> _Piece:
    first, last = _year(ctx, m["y1"]), _year(ctx, m["y2"])
    if first > last:
        raise ctx.fail(f"起止年份颠倒（{first} 到 {last}）", "请把早的年份写在前面")
    start = date(first, 1, 1)
    return _Piece(DeadlineKind.DURING, start, date(last, 12, 31), years=(first, last), first=start, ranged=True)


def _quarter_range(m: re.Match[str], ctx: _Context) -> _Piece:
    year = _year(ctx, m["y"])
    first, last = int(m["q1"]), int(m["q2"])
    if first > last:
        raise ctx.fail(f"起止季度颠倒（{first} 到 {last}）", "请把早的季度写在前面")
    start = date(year, first * 3 - 2, 1)
    return _Piece(DeadlineKind.DURING, start, _quarter_end(year, last), years=_years(m["y"]), first=start, ranged=True)


def _date_range(m: re.Match[str], ctx: _Context) -> _Piece:
    start_year = _year(ctx, m["y1"])
    start_month = _month(ctx, m["m1"])
    start = _day(ctx, start_year, start_month, m["d1"]) if m["d1"] else date(start_year, start_month, 1)
    if m["m2"]:
        end_year = _year(ctx, m["y2"]) if m["y2"] else start_year
        end_month = _month(ctx, m["m2"])
        due = _day(ctx, end_year, end_month, m["d2"]) if m["d2"] else month_end(end_year, end_month)
    elif m["d3"]:
        if not m["d1"]:
            raise ctx.fail("范围的一端只写了日，另一端没有写日", "请写成 9月1日至30日 或 9月1日至10月15日")
        due = _day(ctx, start_year, start_month, m["d3"])
    elif m["ye"] is not None:
        due = date(_year(ctx, m["ye"]) if m["ye"] else start_year, 12, 31)
    else:
        due = date(_year(ctx, m["y4"]), 12, 31)
    if due < start:
        raise ctx.fail(f"结束（{due}）早于开始（{start}）", "请把早的日期写在前面；跨年的写 2022年11月至2023年3月")
    return _Piece(DeadlineKind.DURING, start, due, years=_years(m["y1"], m["y2"], m["ye"], m["y4"]), first=start, ranged=True)


def _start_point(m: re.Match[str], ctx: _Context) -> _Piece | None:
    if not m["y"] and not m["m"]:
        return None  # a bare 起/开始 is not a date
    year = _year(ctx, m["y"])
    month = _month(ctx, m["m"]) if m["m"] else 1
    start = _day(ctx, year, month, m["d"]) if m["d"] else date(year, month, 1)
    return _opened(start, _years(m["y"]), ctx)


def _opened(start: date, years: tuple[int, ...], ctx: _Context) -> _Piece:
    """From ``start`` on, continuing: due the plan year's end, or the start year's end if that is later."""
    due = date(max(ctx.year, start.year), 12, 31)
    note = ""
    if start.year > ctx.year:
        note = f"起始年份 {start.year} 晚于计划年度 {ctx.year}：自 {start} 起，按 {start.year} 年底计"
    return _Piece(DeadlineKind.ONGOING, start, due, years=years, note=note, first=start, opened=True)


def _quarter_lead(m: re.Match[str], ctx: _Context) -> _Piece:
    year = _year(ctx, m["y"])
    return _Piece(DeadlineKind.DURING, date(year, 1, 1), _quarter_end(year, int(m["n"])), years=_years(m["y"]))


def _months_lead(m: re.Match[str], ctx: _Context) -> _Piece:
    year = _year(ctx, m["y"])
    return _Piece(DeadlineKind.DURING, date(year, 1, 1), month_end(year, _month(ctx, m["n"])), years=_years(m["y"]))


def _quarter(m: re.Match[str], ctx: _Context) -> _Piece:
    year = _year(ctx, m["y"])
    quarter = int(m["q"] or m["q2"])
    return _by_or_during(m, date(year, quarter * 3 - 2, 1), _quarter_end(year, quarter), _years(m["y"]))


def _half(m: re.Match[str], ctx: _Context) -> _Piece:
    year = _year(ctx, m["y"])
    if m["h"] == "上":
        start, due = date(year, 1, 1), date(year, 6, 30)
    else:
        start, due = date(year, 7, 1), date(year, 12, 31)
    return _by_or_during(m, start, due, _years(m["y"]))


def _month_day(m: re.Match[str], ctx: _Context) -> _Piece:
    year = _year(ctx, m["y"])
    day = _day(ctx, year, _month(ctx, m["m"]), m["d"])
    return _Piece(DeadlineKind.BY_DATE, None, day, years=_years(m["y"]), first=day if _names_a_day(m) else None)


def _month_third(m: re.Match[str], ctx: _Context) -> _Piece:
    year = _year(ctx, m["y"])
    month = _month(ctx, m["m"])
    first, last = THIRDS[m["x"]]
    due = month_end(year, month) if last is None else date(year, month, last)
    start = date(year, month, first)
    return _Piece(DeadlineKind.DURING, start, due, years=_years(m["y"]), first=start)


def _month_end(m: re.Match[str], ctx: _Context) -> _Piece:
    year = _year(ctx, m["y"])
    day = month_end(year, _month(ctx, m["m"]))
    return _Piece(DeadlineKind.BY_DATE, None, day, years=_years(m["y"]), first=day if _names_a_day(m) else None)


def _whole_month(m: re.Match[str], ctx: _Context) -> _Piece:
    year = _year(ctx, m["y"])
    month = _month(ctx, m["m"])
    return _by_or_during(m, date(year, month, 1), month_end(year, month), _years(m["y"]))


def _recurring(m: re.Match[str], ctx: _Context) -> _Piece:
    text = m.group(0)
    month_words = ("pm", "pfirst", "plast", "tm", "h", "q")
    if m["week"]:
        if any(m[g] for g in (*month_words, "d", "x")):
            raise ctx.fail(f"「{text}」：每周只能写星期几", "请写成 每周五前 或 每周")
        weekday = WEEKDAYS[m["wd"]] if m["wd"] else None
        return _recurring_piece(ctx, Recurrence(0, None, text, unit="week", weekday=weekday))
    short = SHORT_PERIODS.get(m["unit"] or "")
    if short:
        if any(m[g] for g in (*month_words, "d", "x")):
            raise ctx.fail(f"「{text}」：按日、按旬的周期不能再写月份或日期", "请写成 每天、每个工作日、每旬 或 每月10日前")
        return _recurring_piece(ctx, Recurrence(0, None, text, unit=short))
    months = int(m["n"]) if m["n"] else RECURRING_PERIODS[m["unit"]]
    if months not in RECURRING_MONTHS_ALLOWED:
        raise ctx.fail(f"每 {months} 个月的周期不能按年等分", "可用的周期：每月、每2个月、每季度、每4个月、每半年、每年")
    has_due = bool(m["e"] or m["d"] or m["x"])
    month, first_month = _month_of_period(m, months, has_due, ctx)
    day: int | None = None
    if m["d"]:
        if months != 1 and month is None:
            raise ctx.fail(
                "「每季度N日」「每半年N日」没有说是该期的哪个月",
                "请写 每季度末、每季度第二个月10日前，或按月写 每月25日前，或写 每年6月30日前",
            )
        day = int(m["d"])
        if not 1 <= day <= 31:
            raise ctx.fail(f"没有 {day} 日", "日期应为 1–31")
        if month is not None and months == 12:
            _day(ctx, 2000, month, m["d"])  # a leap year: 每年2月29日 is refused only where impossible
    elif m["x"]:
        if months != 1:
            raise ctx.fail("「上旬/中旬/下旬」只能用于每月", "请写 每月上旬 或具体日期")
        day = THIRDS[m["x"]][1]
    return _recurring_piece(ctx, Recurrence(months, day, text, month, first_month))


def _month_of_period(m: re.Match[str], months: int, has_due: bool, ctx: _Context) -> tuple[int | None, int | None]:
    """Which month of each period the due day falls in, and the month the window opens in.

    每年6月底前: due in June, the window is the whole year; 每年11月 (no due day written):
    the window is November; 每季度第二个月10日前: due on the 10th of the second month.
    """
    if m["pm"] or m["pfirst"] or m["plast"]:
        if months == 1:
            raise ctx.fail("「每月」没有第几个月", "请写 每季度第二个月10日前 这样的写法")
        which = 1 if m["pfirst"] else months if m["plast"] else int(m["pm"])
        if not 1 <= which <= months:
            raise ctx.fail(f"每期只有 {months} 个月，没有第 {which} 个月", "请核对月份")
        return which, None if has_due else which
    if m["tm"]:
        if months != 12:
            raise ctx.fail("只有「每年」可以写月份，如 每年6月底前", "每季度、每半年请写 每季度末、每季度第二个月10日前")
        month = _month(ctx, m["tm"])
        return month, None if has_due else month
    if m["h"] or m["q"]:
        if months != 12:
            raise ctx.fail("只有「每年」可以写上半年、某季度，如 每年上半年", "请写 每年上半年 或 每年第四季度")
        if has_due:
            raise ctx.fail("「每年上半年」「每年某季度」后面不能再写日期", "请写 每年6月底前 或 每年上半年")
        first, last = ((1, 6) if m["h"] == "上" else (7, 12)) if m["h"] else (int(m["q"]) * 3 - 2, int(m["q"]) * 3)
        return last, first
    return None, None


def _recurring_piece(ctx: _Context, rule: Recurrence) -> _Piece:
    return _Piece(DeadlineKind.RECURRING, date(ctx.year, 1, 1), date(ctx.year, 12, 31), rule=rule)


def _period_after(m: re.Match[str], ctx: _Context) -> _Piece:
    """每季度结束后10日内, 每月结束后5个工作日内: reporting on each period after its end."""
    months = NEXT_PERIODS[m["unit"]]
    count = int(m["n"])
    if m["u"] in ("个工作日", "工作日"):
        limit = 15 if months == 1 else 40  # the due day stays inside the next period
        if not 1 <= count <= limit:
            raise ctx.fail(f"时限 {count} 个工作日不合理", f"请写 1–{limit} 个工作日，如 每季度结束后10个工作日内")
        return _recurring_piece(ctx, Recurrence(months, None, m.group(0), after_workdays=count))
    if not 1 <= count <= MAX_LAG_DAYS:
        raise ctx.fail(
            f"「结束后{count}日内」超过 {MAX_LAG_DAYS} 日，各期到期日会落在不同的日子",
            "请写成 次月N日前（如 次月20日前）或 N个工作日内",
        )
    return _recurring_piece(ctx, Recurrence(months, count, m.group(0), months + 1))


def _next_period(m: re.Match[str], ctx: _Context) -> _Piece:
    """次月5日前, 次季度首月10日前: each period's report falls due in the period after it."""
    months = NEXT_PERIODS[m["unit"]]
    which = 1 if m["pfirst"] or not m["pm"] else int(m["pm"])
    if m["pm"] and months == 1:
        raise ctx.fail("「次月」没有第几个月", "请写 次月5日前")
    if not 1 <= which <= months:
        raise ctx.fail(f"每期只有 {months} 个月，没有第 {which} 个月", "请核对月份")
    day = int(m["d"]) if m["d"] else None
    if day is not None and not 1 <= day <= 31:
        raise ctx.fail(f"没有 {day} 日", "日期应为 1–31")
    piece = _recurring_piece(ctx, Recurrence(months, day, m.group(0), months + which))
    period = "每月" if months == 1 else "每季度"
    return replace(piece, note=f"「{m.group(0)}」按{period}报送上一期理解：每期的到期日在下一期")


def _count(m: re.Match[str], ctx: _Context) -> _Piece:
    value = int(m["n"]) if m["n"].isdigit() else cn_number(m["n"])
    if value is None or not 1 <= value <= 366:
        raise ctx.fail(f"次数「{m['n']}」不合理", "请写 全年至少2次、每季度1次 这样的写法")
    return _Piece(DeadlineKind.UNDATED, None, None, marker="count", count=value)


def _marker(name: str) -> Build:
    def build(m: re.Match[str], ctx: _Context) -> _Piece:
        return _Piece(DeadlineKind.UNDATED, None, None, marker=name)

    return build


def _year_end(m: re.Match[str], ctx: _Context) -> _Piece:
    year = _year(ctx, m["y"])
    return _Piece(DeadlineKind.BY_DATE, None, date(year, 12, 31), years=_years(m["y"]))  # 年底起 is not a start


def _ongoing(m: re.Match[str], ctx: _Context) -> _Piece:
    year = _year(ctx, m["y"])
    return _Piece(DeadlineKind.ONGOING, date(year, 1, 1), date(year, 12, 31), years=_years(m["y"]))


def _whole_year(m: re.Match[str], ctx: _Context) -> _Piece:
    year = _year(ctx, m["y"])
    return _Piece(DeadlineKind.DURING, date(year, 1, 1), date(year, 12, 31), years=(year,), first=date(year, 1, 1))


def _year_word(m: re.Match[str], ctx: _Context) -> _Piece:
    year = _year(ctx, str(ctx.year + YEAR_WORDS[m["w"]]))
    start, due = date(year, 1, 1), date(year, 12, 31)
    return _Piece(DeadlineKind.DURING, start, due, years=(year,), first=start, sole=True)


def _relative(m: re.Match[str], ctx: _Context) -> _Piece | None:
    unit = RELATIVE_UNITS[m["unit"]]
    if unit != "workdays" and not m["within"]:
        return None  # "15日" alone is a day of the month, not a period: the digits are refused later
    count = int(m["n"])
    limit = MAX_RELATIVE_MONTHS if unit in ("months", "years") else MAX_RELATIVE
    if unit == "years":
        count, unit = count * 12, "months"
    if unit == "weeks":
        count, unit = count * 7, "days"
    if not 1 <= count <= limit:
        raise ctx.fail(f"时限 {m['n']}{m['unit']} 不合理", "请写 1 以上、不超过一年的时限，如 10个工作日内")
    trigger = m["trigger"] or ""
    return _Piece(DeadlineKind.RELATIVE, None, None, relative=(count, unit, trigger))


def _alternatives(words: object) -> str:
    return "|".join(sorted((str(w) for w in words), key=len, reverse=True))  # type: ignore[attr-defined]


def _rule(name: str, pattern: str, build: Build) -> Rule:
    return Rule(name, pattern, build)


# Ordered: at each position the first rule that matches wins, so longer and more
# specific forms come before the forms they contain (9月底 before 9月, ranges first).
RULES: tuple[Rule, ...] = (
    _rule("iso_date", _BY + r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})日?" + _PRE, _iso_day),
    _rule("year_range", r"(?:自|从)?(?P<y1>\d{4})年?度?" + _SEP + r"(?P<y2>\d{4})年度?", _year_range),
    _rule(
        "quarter_range",
        _Y + r"第?(?P<q1>[1-4])(?:季度|季)?" + _SEP + r"第?(?P<q2>[1-4])(?:季度|季)",
        _quarter_range,
    ),
    _rule(
        "date_range",
        r"(?:自|从)?(?:(?P<y1>\d{4})年)?(?P<m1>\d{1,2})(?:月份?(?:(?P<d1>\d{1,2})[日号])?)?"
        + _SEP
        + r"(?:(?:(?P<y2>\d{4})年)?(?P<m2>\d{1,2})月份?(?:(?P<d2>\d{1,2})[日号])?(?:底|末)?"
        r"|(?P<d3>\d{1,2})[日号]"
        r"|(?P<ye>\d{4})?年(?:底|末)"
        r"|(?P<y4>\d{4})年度?)",
        _date_range,
    ),
    _rule(
        "start_point",
        r"(?:自|从)?(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月份?(?:(?P<d>\d{1,2})[日号])?)?(?:起|开始)",
        _start_point,
    ),
    _rule("quarter_lead", _Y + r"前(?P<n>[1-4])个?(?:季度|季)", _quarter_lead),
    _rule("months_lead", _Y + r"前(?P<n>\d{1,2})个月", _months_lead),
    _rule(
        "quarter",
        _BY + _Y + r"(?:第?(?P<q>[1-4])(?:季度|季)|[Qq](?P<q2>[1-4]))(?P<suf>末|底|" + _WITHIN + r")?" + _PRE,
        _quarter,
    ),
    _rule("half", _BY + _Y + r"(?P<h>上|下)半年度?(?P<suf>末|底|" + _WITHIN + r")?" + _PRE, _half),
    _rule("month_day", _BY + _Y + r"(?P<m>\d{1,2})月份?(?P<d>\d{1,2})[日号]" + _PRE, _month_day),
    _rule("month_third", _Y + r"(?P<m>\d{1,2})月份?(?P<x>上|中|下)旬", _month_third),
    _rule("month_end", _BY + _Y + r"(?P<m>\d{1,2})月份?(?:底|末)" + _PRE, _month_end),
    _rule("month", _BY + _Y + r"(?P<m>\d{1,2})月份?(?P<suf>" + _WITHIN + r")?", _whole_month),
    _rule(
        "period_after",
        r"(?:每|按)?(?P<unit>" + _alternatives(NEXT_PERIODS) + r")(?:结束|末|底)?后"
        r"(?P<n>\d{1,3})(?P<u>个工作日|工作日|个自然日|自然日|日|天)(?:" + _WITHIN + r")?",
        _period_after,
    ),
    _rule(
        "next_period",
        r"次(?P<unit>月|季度|季)(?:第(?P<pm>\d)个?月的?|(?P<pfirst>首月)的?)?(?:(?P<e>底|末)|(?P<d>\d{1,2})[日号])" + _PRE,
        _next_period,
    ),
    _rule(
        "recurring",
        r"(?:每|按|逐)(?:(?P<n>\d{1,2})个?月"
        r"|(?P<week>个?(?:周|星期))(?P<wd>[一二三四五六日天1-7](?![次个\d一二三四五六七八九十]))?"
        r"|(?P<unit>" + _alternatives(RECURRING_PERIODS | SHORT_PERIODS) + r"))"
        r"(?:第(?P<pm>\d{1,2})个?月的?|(?P<pfirst>首月)的?|(?P<plast>末月|最后(?:一|1)?个?月)的?|(?P<tm>\d{1,2})月份?"
        r"|(?P<h>上|下)半年度?|第?(?P<q>[1-4])(?:季度|季))?"
        r"(?:(?P<e>底|末)|(?P<d>\d{1,2})[日号]|(?P<x>上|中|下)旬)?" + _PRE,
        _recurring,
    ),
    _rule("ongoing", r"(?:(?P<y>\d{4})年度?)?(?:" + _alternatives(ONGOING_WORDS) + r")", _ongoing),
    # 2023年年底 says 年 twice
    _rule("year_end", _BY + r"(?P<y>\d{4})?(?:年(?=年))?年度?(?:底|末)" + _PRE, _year_end),
    _rule("year_within", r"(?P<y>\d{4})?(?:年(?=年))?年度?" + r"(?:" + _WITHIN + r")", _year_end),
    _rule("whole_year", r"(?P<y>\d{4})年度?", _whole_year),
    _rule("year_word", r"(?<!原则)(?P<w>" + _YEAR_WORDS + r")度?", _year_word),
    _rule(
        "relative",
        # the trigger is an event (出台, 收到申请, 年报公布), never a date or a period (季度结束):
        # those are read as such
        r"(?:(?:自|从)?(?P<trigger>(?:年报|月报|季报|周报|日报|年度报告|[^\d,.;:!?()、。；，：年月日号季旬周每]){1,20}?)"
        r"(?:之日起|之日后|当日起|次日起|之后|以后|后的?|起))?"
        r"(?P<n>\d{1,4})(?P<unit>" + _alternatives(RELATIVE_UNITS) + r")(?P<within>" + _WITHIN + r")?",
        _relative,
    ),
    _rule(
        "count",
        r"(?:" + _alternatives(AT_LEAST) + r")?(?:" + _alternatives(NOTED_VERBS) + r")?(?:" + _alternatives(AT_LEAST) + r")?"
        r"(?P<n>\d{1,3}|[一二两三四五六七八九十]{1,3})次(?:以上)?",
        _count,
    ),
    # Words that act on the piece next to them (see ``_fold``); last, so that every form
    # that holds them (2022年3月起, 自…之日起, 截至9月30日) is read first.
    _rule("from", r"自|从", _marker("from")),
    _rule("start", r"起始|开始|起", _marker("start")),
    _rule("end", r"结束|为止|截止|止", _marker("end")),
)


def _common_phrases() -> dict[str, Callable[[int], tuple[DeadlineKind, date | None, date]]]:
    """Whole phrases most plans use (全年, 9月底前, 8月 …), answered without compiling a pattern.

    Compiling the grammar costs ~6-15 ms, which every report would pay at start-up for
    the handful of phrases a plan repeats. Every entry gives exactly what the full
    grammar gives (tests/test_deadlines.py checks each one against it).
    """

    def ongoing(year: int) -> tuple[DeadlineKind, date | None, date]:
        return DeadlineKind.ONGOING, date(year, 1, 1), date(year, 12, 31)

    def year_end(year: int) -> tuple[DeadlineKind, date | None, date]:
        return DeadlineKind.BY_DATE, None, date(year, 12, 31)

    def by_month_end(month: int) -> Callable[[int], tuple[DeadlineKind, date | None, date]]:
        return lambda year: (DeadlineKind.BY_DATE, None, month_end(year, month))

    def during_month(month: int) -> Callable[[int], tuple[DeadlineKind, date | None, date]]:
        return lambda year: (DeadlineKind.DURING, date(year, month, 1), month_end(year, month))

    table: dict[str, Callable[[int], tuple[DeadlineKind, date | None, date]]] = dict.fromkeys(ONGOING_WORDS, ongoing)
    table.update(dict.fromkeys(("年底前", "年底", "年末", "年内", "年底之前", "年底以前"), year_end))
    for month in range(1, 13):
        for suffix in ("月底前", "月底", "月末", "月底之前", "月底以前"):
            table[f"{month}{suffix}"] = by_month_end(month)
        for suffix in ("月", "月份"):
            table[f"{month}{suffix}"] = during_month(month)
    return table


_COMMON = _common_phrases()

# ---------------------------------------------------------------------------
# Reading a phrase
# ---------------------------------------------------------------------------


def resolve_deadline(phrase: str, year: int, *, anchor: date | None = None) -> Deadline:
    """Read one phrase; raise ``DeadlineError`` when it cannot be read without guessing."""
    ctx = _Context(phrase, year, anchor)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ctx.fail(f"计划年度 {year} 不合理", f"计划年度应在 {MIN_YEAR}–{MAX_YEAR} 之间")
    text = _normalise(phrase, year)
    if not text.text:
        raise ctx.fail("内容为空", f"可用的写法：{ACCEPTED_FORMS}")
    common = _COMMON.get(text.text)
    if common is not None:
        kind, start, due = common(year)
        return Deadline(phrase, kind, start, due)
    for pattern, reason, hint in REFUSALS:
        found = _compiled(pattern).search(text.text)
        if found:
            shown = _original(phrase, text, found.start(), found.end())
            raise ctx.fail(reason if shown == phrase.strip() else f"{reason}（「{shown}」）", hint)
    pieces, leftover_at = _scan(text, ctx)
    _refuse_dates_left_over(text, leftover_at, ctx)
    if not pieces:
        if any(word in text.text for word in VAGUE_WORDS):
            raise ctx.fail(_VAGUE_REASON, _VAGUE_HINT)
        raise ctx.fail("不是可识别的写法", f"可用的写法：{ACCEPTED_FORMS}")
    leftover = _read_leftover(text, leftover_at, ctx)
    pieces = _fold(pieces, text, ctx)
    deadline = _combine(pieces, ctx)
    notes = [deadline.note] if deadline.note else []
    explicit = sorted({y for p in pieces for y in p.years if y != year})
    if explicit:
        notes.append(f"原文写明 {'、'.join(str(y) for y in explicit)} 年（计划年度为 {year} 年）")
    if deadline.count is not None:
        notes.append(_count_note(deadline))
    if leftover:
        notes.append(f"未参与计算的文字：「{leftover}」")
    return Deadline(
        phrase,
        deadline.kind,
        deadline.start,
        deadline.due,
        note="；".join(notes),
        rule=deadline.rule,
        leftover=leftover,
        count=deadline.count,
    )


def _count_note(piece: _Piece) -> str:
    if piece.kind is DeadlineKind.RECURRING:
        return f"每期至少 {piece.count} 次，各期到期日为该期的截止日"
    return f"期内至少 {piece.count} 次，到期日为 {piece.due}"


def _scan(text: _Text, ctx: _Context) -> tuple[list[_Piece], list[int]]:
    pieces: list[_Piece] = []
    leftover: list[int] = []
    pos = 0
    while pos < len(text.text):
        for rule in RULES:
            match = _compiled(rule.pattern).match(text.text, pos)
            if not match or match.end() == pos:
                continue
            piece = rule.build(match, ctx)
            if piece is None:
                continue
            original = _original(ctx.phrase, text, pos, match.end())
            to = match.groupdict().get("by") in ("至", "到", "直到")
            pieces.append(replace(piece, text=original, at=pos, end=match.end(), to=to))
            pos = match.end()
            break
        else:
            leftover.append(pos)
            pos += 1
    return pieces, leftover


def _refuse_dates_left_over(text: _Text, positions: list[int], ctx: _Context) -> None:
    """A number we did not read may be a date we misread: refuse rather than guess."""
    for first, last in _runs(positions):
        digits = [i for i in range(first, last + 1) if text.text[i].isdigit()]
        if digits:
            shown = _original(ctx.phrase, text, digits[0], digits[-1] + 1)
            raise ctx.fail(f"其中的数字「{shown}」不是可识别的日期", f"可用的写法：{ACCEPTED_FORMS}")


def _leftover_word() -> re.Pattern[str]:
    words = (*FILLER_WORDS, *NOTED_WORDS, *VAGUE_WORDS)
    return _compiled(r"(?P<w>" + _alternatives(words) + r")|[\W_]|[" + "".join(sorted(CONNECTORS)) + r"]")


def _read_leftover(text: _Text, positions: list[int], ctx: _Context) -> str:
    """What the grammar did not read: filler words go, noted words are returned, anything else is refused.

    Returned: the noted words as written, adjacent ones together, others separated by a space.
    """
    word = _leftover_word()
    noted: list[tuple[int, int]] = []  # spans in the normalised text
    for first, last in _runs(positions):
        pos = first
        while pos <= last:
            found = word.match(text.text, pos, last + 1)
            if found is None:
                _refuse_unread(text, pos, last, ctx)
            assert found is not None
            if found["w"] and found["w"] not in FILLER_WORDS:
                if noted and noted[-1][1] == pos:
                    noted[-1] = (noted[-1][0], found.end())
                else:
                    noted.append((pos, found.end()))
            pos = found.end()
    return " ".join(_original(ctx.phrase, text, a, b) for a, b in noted)


def _refuse_unread(text: _Text, pos: int, last: int, ctx: _Context) -> None:
    """Refuse a left-over word, quoting it up to the next word we know or punctuation."""
    word = _leftover_word()
    end = pos + 1
    while end <= last and word.match(text.text, end, last + 1) is None:
        end += 1
    shown = _original(ctx.phrase, text, pos, end)
    if any(char in LEFTOVER_DATE_CHARS for char in text.text[pos:end]):
        raise ctx.fail(f"其中的「{shown}」像是日期，但不是可识别的写法", f"可用的写法：{ACCEPTED_FORMS}")
    raise ctx.fail(
        f"其中的「{shown}」不是可识别的时间用语，可能改变日期的含义",
        f"时间节点只写时间（「完成」「报送」等可以保留），其他说明请写到任务内容里；可用的写法：{ACCEPTED_FORMS}",
    )


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Consecutive positions as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for index in positions:
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def _original(phrase: str, text: _Text, start: int, end: int) -> str:
    """The user's own text behind normalised characters ``start``..``end``."""
    return phrase[text.spans[start][0] : text.spans[end - 1][1]].strip()


def _only_words_between(text: _Text, start: int, end: int) -> bool:
    """Between two pieces only punctuation, connectors (，、和) and filler or noted words (组织、完成)."""
    word = _leftover_word()
    pos = start
    while pos < end:
        found = word.match(text.text, pos, end)
        if found is None:
            return False
        pos = found.end()
    return True


def _fold(pieces: list[_Piece], text: _Text, ctx: _Context) -> list[_Piece]:
    """Apply the words that act on a neighbour: 起/开始 open the piece before them, a later
    date closes an opened piece into a range, 结束 makes the piece before it an end, and a
    count (2次) belongs to the period before it."""
    out: list[_Piece] = []
    for index, piece in enumerate(pieces):
        before = out[-1] if out and out[-1].end == piece.at else None  # right before, nothing between
        if piece.marker == "from":
            following = pieces[index + 1 : index + 3]
            if not (
                len(following) == 2
                and following[0].at == piece.end
                and following[1].marker == "start"
                and following[1].at == following[0].end
            ):
                raise ctx.fail(f"「{piece.text}」后面要写明从哪天起，如 自2023年下半年起", "请写成 自…起 或 …至…")
            continue
        if piece.marker == "start":
            if before is None or before.first is None or before.opened or before.ranged or before.count is not None:
                shown = f"「{before.text}{piece.text}」" if before else f"「{piece.text}」"
                raise ctx.fail(f"{shown}：「{piece.text}」前面没有可以作为起点的日期", "请写成 2023年3月起、下半年起、5月10日开始")
            opened = _opened(before.first, before.years, ctx)
            out[-1] = replace(opened, text=before.text + piece.text, at=before.at, end=piece.end)
            continue
        if piece.marker == "end":
            if before is None or before.kind not in (DeadlineKind.BY_DATE, DeadlineKind.DURING):
                shown = f"「{before.text}{piece.text}」" if before else f"「{piece.text}」"
                raise ctx.fail(f"{shown}：「{piece.text}」前面没有可以作为终点的日期", "请写成 6月30日结束、5月10日开始，6月30日结束")
            closed = before if before.ranged else replace(before, kind=DeadlineKind.BY_DATE, start=None, first=None)
            out[-1] = replace(closed, text=before.text + piece.text, end=piece.end)
            continue
        if piece.marker == "count":
            near = out[-1] if out and _only_words_between(text, out[-1].end, piece.at) else None
            if near is None or near.kind is DeadlineKind.RELATIVE or near.count is not None or near.marker:
                raise ctx.fail(f"「{piece.text}」没有说明是多长时间内的次数", "请写成 全年至少2次、每半年不少于1次、每季度组织一次")
            out[-1] = replace(near, count=piece.count, end=piece.end)
            continue
        last = out[-1] if out else None
        if (
            last is not None
            and (last.opened or (piece.to and last.first is not None and not last.ranged))
            and piece.kind in (DeadlineKind.BY_DATE, DeadlineKind.DURING)
            and _only_words_between(text, last.end, piece.at)
        ):
            out[-1] = _close(last, piece, text, ctx)  # 2023年3月起，9月底前完成; 9月中旬至10月底
            continue
        out.append(piece)
    return out


def _close(opened: _Piece, end: _Piece, text: _Text, ctx: _Context) -> _Piece:
    """5月10日开始，6月30日结束 / 9月中旬至10月底: a range; the end takes the start's year when it has none."""
    start = opened.first
    assert start is not None
    if not end.years and start.year != ctx.year:
        shifted = _Context(ctx.phrase, start.year, ctx.anchor)
        again, _ = _scan(_Text(text.text[end.at : end.end], text.spans[end.at : end.end]), shifted)
        if len(again) == 1:
            end = replace(again[0], text=end.text, at=end.at, end=end.end)
    assert end.due is not None
    shown = _original(ctx.phrase, text, opened.at, end.end)
    if end.due < start:
        raise ctx.fail(f"「{shown}」的结束（{end.due}）早于开始（{start}）", "请核对日期；跨年的写 2022年11月1日至2023年3月31日")
    return _Piece(
        DeadlineKind.DURING,
        start,
        end.due,
        years=opened.years + end.years,
        text=shown,
        first=start,
        ranged=True,
        at=opened.at,
        end=end.end,
        count=end.count,
    )


def _combine(pieces: list[_Piece], ctx: _Context) -> _Piece:
    sole = [p for p in pieces if p.sole]
    if sole and len(pieces) > 1:
        raise ctx.fail(
            f"「{sole[0].text}」可能是报送的内容（如 报送上一年度情况），不是时间",
            "时间节点只写时间，如 每年1月底前；年份请写成 2023年 或 次年3月底前",
        )
    counted = [p for p in pieces if p.count is not None]
    if len(counted) > 1:
        shown = "、".join(f"「{p.text}」" for p in counted)
        raise ctx.fail(f"有两个次数（{shown}）", "请只保留一个，如 全年至少2次")
    combined = _combine_dates(pieces, ctx)
    return replace(combined, count=counted[0].count) if counted else combined


def _combine_dates(pieces: list[_Piece], ctx: _Context) -> _Piece:
    relative = [p for p in pieces if p.kind is DeadlineKind.RELATIVE]
    recurring = _one_period([p for p in pieces if p.kind is DeadlineKind.RECURRING])
    ongoing = [p for p in pieces if p.kind is DeadlineKind.ONGOING]
    dated = [p for p in pieces if p.kind in (DeadlineKind.BY_DATE, DeadlineKind.DURING)]
    if relative:
        if len(relative) > 1 or recurring or dated:
            shown = "、".join(f"「{p.text}」" for p in pieces)
            raise ctx.fail(f"相对时限不能与其他时间节点同用（{shown}）", "请只保留一个时间节点，另一个写在任务内容里")
        return _resolve_relative(relative[0], ctx)
    if recurring:
        if len(recurring) > 1:
            shown = "、".join(f"「{p.text}」" for p in recurring)
            raise ctx.fail(f"有两种周期（{shown}）", "请只保留一种周期，如 每季度")
        windows = dated + ongoing
        if len(windows) > 1:
            shown = "、".join(f"「{p.text}」" for p in windows)
            raise ctx.fail(f"周期的时间范围不止一个（{shown}）", "请写成 全年每季度、下半年每月 这样的一个范围加一种周期")
        return _resolve_recurring(recurring[0], windows[0] if windows else None, ctx)
    notes: list[str] = []
    if dated and ongoing:
        words = "、".join(f"「{p.text}」" for p in ongoing)
        notes.append(f"{words}视为持续推进的说明，以「{dated[-1].text}」等日期为准")
    chosen = dated or ongoing
    final = max(chosen, key=lambda p: p.due or date.min)
    starts = [p.start for p in chosen if p.start]
    start = min(starts) if starts else None
    if len(dated) > 1:
        stages = "、".join(f"{p.text}（{p.due}）" for p in dated)
        notes.append(f"含多个时间节点：{stages}，以最晚的 {final.due} 为截止")
    notes.extend(p.note for p in chosen if p.note)
    assert final.due is not None  # dated and ongoing pieces always have a due day
    return _Piece(final.kind, start, final.due, note="；".join(notes))


def _one_period(recurring: list[_Piece]) -> list[_Piece]:
    """每月，次月5日前: a plain period, then the same period's report date, are one rule: the dated one."""
    if len(recurring) == 2:
        plain, dated = (p.rule for p in recurring)
        if (
            plain is not None
            and dated is not None
            and plain == Recurrence(plain.every_months, text=plain.text)
            and dated.unit == "month"
            and dated.every_months == plain.every_months
            and dated != Recurrence(dated.every_months, text=dated.text)
        ):
            return recurring[1:]
    return recurring


def _resolve_relative(piece: _Piece, ctx: _Context) -> _Piece:
    assert piece.relative is not None
    count, unit, trigger = piece.relative
    described = f"「{trigger}」后" if trigger else ""
    what = f"{described}{count}{UNIT_LABELS[unit]}内"
    if ctx.anchor is None:
        note = f"等待触发：任务尚未填写起算日（anchor），触发后按{what}计算"
        return _Piece(DeadlineKind.RELATIVE, None, None, note=note)
    notes = [f"自 {ctx.anchor.isoformat()} 起算（当天不计）"]
    try:
        if unit == "workdays":
            from gkplan import workdays

            counted = workdays.add_workdays(ctx.anchor, count)
            due = counted.day
            notes[0] += f"，第 {count} 个工作日（按国务院节假日安排，数据：{workdays.SOURCE}）"
            fallback = workdays.fallback_note(counted.assumed_years)
            if fallback:
                notes.append(fallback)
        elif unit == "days":
            due = ctx.anchor + timedelta(days=count)
        else:
            due = _add_months(ctx.anchor, count)
    except (OverflowError, ValueError):
        raise ctx.fail(f"起算日 {ctx.anchor} 加上时限超出了日期范围", "请核对任务的 anchor") from None
    return _Piece(DeadlineKind.RELATIVE, ctx.anchor, due, note="；".join(notes))


def _add_months(day: date, months: int) -> date:
    """Same day ``months`` later; past a short month's end, its last day (1月31日 + 1个月 = 2月28/29日)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _resolve_recurring(piece: _Piece, window: _Piece | None, ctx: _Context) -> _Piece:
    assert piece.rule is not None
    assert piece.start is not None
    assert piece.due is not None
    start, end = piece.start, piece.due
    if window is not None:
        assert window.due is not None
        end = window.due
        start = window.start or date(end.year, 1, 1)
    rule = piece.rule
    dues = _occurrences(rule, start, end)
    if not dues:
        raise ctx.fail(f"「{piece.text}」在 {start} 至 {end} 内没有到期日", "请核对周期和时间范围")
    notes = [f"「{piece.text}」在 {start} 至 {end} 内共 {len(dues)} 次，首次 {dues[0].due}，末次 {dues[-1].due}"]
    if piece.note:
        notes.append(piece.note)
    if rule.day and rule.day > 28 and rule.unit == "month" and not (rule.every_months == 12 and rule.month):
        notes.append(f"没有 {rule.day} 日的月份按月末计")
    if rule.unit == "week" and rule.weekday is None:
        notes.append("未写星期几：每周按周一至周日计，周日到期")
    if rule.after_workdays is not None or rule.unit == "workday":
        from gkplan import workdays

        assumed = tuple(sorted({o.due.year for o in dues if not workdays.covers(o.due.year)}))
        notes.append(workdays.fallback_note(assumed) or f"工作日按国务院节假日安排（数据：{workdays.SOURCE}）")
    return _Piece(DeadlineKind.RECURRING, start, dues[-1].due, rule=rule, note="；".join(notes))


# ---------------------------------------------------------------------------
# Recurring deadlines
# ---------------------------------------------------------------------------


class Occurrence(NamedTuple):
    """One period of a recurring deadline: work done from ``start`` counts; due on ``due``."""

    start: date
    due: date


def _occurrences(rule: Recurrence, start: date, end: date) -> list[Occurrence]:
    if rule.unit == "month":
        return _month_occurrences(rule, start, end)
    if rule.unit == "week":
        monday = start - timedelta(days=start.weekday())
        weekday = 6 if rule.weekday is None else rule.weekday
        weeks = ((monday + timedelta(days=7 * n), monday + timedelta(days=7 * n + weekday)) for n in range(54 * 200))
        return [Occurrence(max(first, start), due) for first, due in _until(weeks, end) if start <= due <= end]
    if rule.unit == "dekad":
        result = []
        year, month = start.year, start.month
        while date(year, month, 1) <= end:
            for first, last in THIRDS.values():
                due = month_end(year, month) if last is None else date(year, month, last)
                if start <= due <= end:
                    result.append(Occurrence(max(date(year, month, first), start), due))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return result
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    if rule.unit == "workday":
        from gkplan import workdays

        return [Occurrence(day, day) for day in days if workdays.is_workday(day)]
    return [Occurrence(day, day) for day in days]


def _until(periods: Iterable[tuple[date, date]], end: date) -> Iterator[tuple[date, date]]:
    for first, due in periods:
        if first > end:
            return
        yield first, due


def _month_occurrences(rule: Recurrence, start: date, end: date) -> list[Occurrence]:
    """Periods of ``every_months`` aligned to 1 January.

    A rule due inside its period counts where its due day lies in the window; a report on
    the period after it ends (次月5日前, 结束后10个工作日内) counts where its period ends in the
    window, so its last due day may lie after the window (the December report in January).
    """
    size = rule.every_months
    lag = (rule.month or size) > size or rule.after_workdays is not None
    result: list[Occurrence] = []
    year, first = start.year, (start.month - 1) // size * size + 1  # the period holding ``start``
    while date(year, first, 1) <= end:
        period_start = date(year, first, 1)
        period_end = _add_months(period_start, size) - timedelta(days=1)
        due = _period_due(rule, year, first)
        if lag:
            # work on a report counts from the day after the previous report fell due:
            # the June report sent on 5 July is not the July report
            opens = _period_due(rule, year, first - size) + timedelta(days=1)
        elif rule.first_month is not None:
            opens = _nth_month_day(year, first + rule.first_month - 1, 1)
        else:
            opens = period_start
        counts = start <= period_end <= end if lag else start <= due <= end
        if counts:
            result.append(Occurrence(max(opens, start), due))
        first += size
        if first > 12:
            first, year = first - 12, year + 1
    return result


def _period_due(rule: Recurrence, year: int, first: int) -> date:
    """The due day of the period that begins with month ``first`` of ``year`` (may be < 1: the year before)."""
    if rule.after_workdays is not None:
        from gkplan import workdays

        period_end = _nth_month_day(year, first + rule.every_months - 1, None)
        return workdays.add_workdays(period_end, rule.after_workdays).day
    return _nth_month_day(year, first + (rule.month or rule.every_months) - 1, rule.day)


def _nth_month_day(year: int, month: int, day: int | None) -> date:
    """Day ``day`` (None = the last) of month ``month`` counted from January of ``year`` (13 = next January);
    past a short month's end, its last day."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day or last, last))


def occurrences(deadline: Deadline) -> tuple[Occurrence, ...]:
    """Every due date of a recurring deadline, in order (empty for other kinds)."""
    if deadline.kind is not DeadlineKind.RECURRING or deadline.rule is None:
        return ()
    if deadline.start is None or deadline.due is None:
        return ()
    return _cached_occurrences(deadline.rule, deadline.start, deadline.due)


@lru_cache(maxsize=1024)
def _cached_occurrences(rule: Recurrence, start: date, end: date) -> tuple[Occurrence, ...]:
    # reports ask once per task and unit; a plan has only a handful of distinct rules
    return tuple(_occurrences(rule, start, end))


def last_passed(deadline: Deadline, today: date) -> Occurrence | None:
    """The latest occurrence whose due day is before ``today`` (None if none has passed yet)."""
    passed = [o for o in occurrences(deadline) if o.due < today]
    return passed[-1] if passed else None


def due_as_of(deadline: Deadline, today: date) -> date | None:
    """The due date that matters on ``today``.

    For most kinds that is simply ``deadline.due``; a recurring deadline falls
    due again and again, so it is the next occurrence on or after today (or the
    last one of its window once that has passed).
    """
    found = occurrences(deadline)
    if not found:
        return deadline.due
    for occurrence in found:
        if occurrence.due >= today:
            return occurrence.due
    return found[-1].due


# ---------------------------------------------------------------------------
# What a task carries
# ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def deadline_for_task(phrase: str | None, year: int, anchor: date | None = None) -> Deadline:
    """Like ``resolve_deadline`` but never raises: what a task carries.

    A missing phrase is the plan year's end (and says so); an unreadable one is
    undated with the reason, so reports keep working and ``check`` can point at it.
    """
    if not year:
        return Deadline(phrase, DeadlineKind.UNDATED, None, None, note="计划缺少 year，无法确定日期")
    if phrase is None or not phrase.strip():
        return Deadline(
            None,
            DeadlineKind.MISSING,
            None,
            date(year, 12, 31),
            note=f"计划未写时间节点，按 {year} 年底计",
        )
    try:
        return resolve_deadline(phrase, year, anchor=anchor)
    except DeadlineError as exc:
        return Deadline(phrase, DeadlineKind.UNDATED, None, None, note=str(exc))
