"""A 任务分解表 (rows of cell texts) -> plan task records. Pure: no disk, no clock, no printing.

``store.tables`` reads a Word, Excel or CSV file into ``SourceTable``s; this module
finds the task table by its header (which may sit below title rows), maps the
columns by the synonyms in ``HEADER_SYNONYMS``, and turns rows into ``TaskDraft``s
for ``store.drafts``:

- 序号 may stand in any column; rows without one (or repeating the previous one)
  continue the previous task (a row split by a page break) and are merged into it;
  without a 序号 column every row is a task, numbered from 1.
- empty or merged 任务名称 cells take the name above them (merged cells in CSV
  exports are empty below their first row); other empty cells stay empty, so a
  blank 时间节点 is kept visible (``deadline: null``), never invented.
- cell text loses the line breaks of wrapped cells and stray spaces between Chinese
  characters; a space next to a digit or a Latin letter is kept as written
  (``9 月底前``, ``在 8月``): the data keeps the source's spelling.
- 责任单位 is split on 、，,；; and line breaks, but a line break inside one name
  (``就业促进中\\n心``) is rejoined: by the known units of ``units.yaml`` when given,
  otherwise by a conservative rule (see ``should_join``).
- with both 牵头单位 and 配合单位 columns, units list the lead units first; the
  supporting ones are kept too, marked in ``TaskDraft.support`` (written as a comment).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from gkplan.charsets import CJK, INVISIBLE, LINE_SEPARATORS, SPACES
from gkplan.deadlines import deadline_for_task
from gkplan.errors import DataError, UsageError
from gkplan.model import DeadlineKind
from gkplan.store.drafts import GroupDraft, PlanDraft, SectionDraft, TaskDraft, UnitDraft, emit_units
from gkplan.store.tables import SourceTable

# What each column is called in real tables. Matching ignores spaces, line breaks and
# brackets; a header containing a synonym also matches (the longest synonym wins), so
# 牵头责任单位 is a lead column and 任务内容 is content, not a name.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("序号", "编号", "序列号", "排序"),
    "name": (
        "任务名称",
        "工作任务",
        "重点任务",
        "主要任务",
        "任务",
        "项目",
        "项目名称",
        "工作项目",
        "工作事项",
        "任务事项",
        "事项",
        "名称",
    ),
    "content": (
        "任务内容",
        "具体任务",
        "工作措施",
        "具体措施",
        "具体要求",
        "工作内容",
        "主要内容",
        "具体内容",
        "工作要求",
        "任务要求",
        "工作举措",
        "主要措施",
        "推进措施",
        "具体工作",
        "目标要求",
        "项目内容",
        "内容",
    ),
    "lead": (
        "责任单位",
        "牵头单位",
        "责任部门",
        "责任科室",
        "责任处室",
        "牵头部门",
        "牵头科室",
        "主责单位",
        "负责单位",
        "承办单位",
        "实施单位",
        "责任主体",
    ),
    "support": ("配合单位", "协办单位", "配合部门", "配合科室", "协办部门", "协同单位", "参与单位"),
    "deadline": (
        "时间节点",
        "完成时限",
        "完成时间",
        "时限要求",
        "时间要求",
        "进度安排",
        "完成期限",
        "截止时间",
        "完成节点",
        "时间安排",
        "进度要求",
        "时限",
        "时间",
    ),
    "note": ("备注", "说明"),  # recognised so that it is not mistaken for anything; not imported
}
COLUMN_LABELS = {
    "id": "序号",
    "name": "任务名称",
    "content": "任务内容",
    "lead": "责任单位",
    "support": "配合单位",
    "deadline": "时间节点",
    "note": "备注",
}
BLANK_DEADLINES = ("（未填）", "(未填)", "未填")  # what reports show for a blank 时间节点: blank again on import
HEADER_SCAN_ROWS = 15  # title rows above the header: rarely more than three
MAX_HEADER_CHARS = 14  # a longer cell is data, not a column name

# Names that stand for several units (局机关各科室, 各单位, 相关科室…): groups in units.yaml.
_GROUP_NAME = re.compile(r"各|相关|有关|所有|全体")
# The kind a unit's name suggests, by its ending; shared with the shipped units.yaml.
OFFICE_KIND = "局机关科室"
AFFILIATE_KIND = "局属单位"
UNKNOWN_KIND = "待定"
_OFFICE_ENDINGS = ("科", "室", "处", "办")
_AFFILIATE_ENDINGS = ("中心", "所", "站", "队", "院", "馆", "校", "会", "社", "台", "园", "公司")
# Endings of a whole unit name: a line ending otherwise is a wrap inside the name.
UNIT_ENDINGS = (
    *_OFFICE_ENDINGS,
    *_AFFILIATE_ENDINGS,
    *("单位", "部门", "局", "部", "委", "组", "厅", "司", "署", "街道", "镇", "股", "团", "行"),
)
_LEAD_MARK = re.compile(r"[（(]?(牵头|主责|负责)[）)]?$")
_SUPPORT_MARK = re.compile(r"[（(]?(配合|协办|参与|协助)[）)]?$")
_UNIT_SEPARATORS = re.compile(r"[、，,；;／/]+")
_TITLE_SUFFIXES = ("例会报告", "任务分解表", "任务分工表", "责任分工表", "重点任务分工", "任务清单", "责任清单", "分解表", "分工表")
_ATTACHMENT = re.compile(r"^附\s*件\s*\d*\s*[:：]?")
_YEAR = re.compile(r"(20\d{2})\s*年")
_SECTION_L1 = re.compile(r"^([一二三四五六七八九十]+)\s*[、.．]\s*(.+)$")
_SECTION_L2 = re.compile(r"^[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*(.+)$")
_CN_NUMERAL = re.compile(r"^([一二三四五六七八九十]+)\s*[、.．]?$")

_STRAY_SPACE = re.compile(f"(?<=[{CJK}])[{SPACES}]+(?=[{CJK}])")
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_LINE_SEPARATOR = re.compile(f"[{LINE_SEPARATORS}]")
_SPACES = re.compile(f"[{SPACES}]+")
_CJK_CHAR = re.compile(f"[{CJK}]")


# --- text -------------------------------------------------------------------------------------


def _is_cjk(char: str) -> bool:
    return bool(_CJK_CHAR.match(char))


def clean_text(text: str) -> str:
    """One line of text from a cell: wrap line breaks removed, stray spaces between Chinese
    characters removed, other spaces (next to digits and Latin letters) kept as written.

    A line break between two Chinese characters (or Chinese punctuation) is a wrap and
    disappears; between Latin letters or digits it becomes one space (``policy\\ndocument``).
    """
    text = _INVISIBLE.sub("", _LINE_SEPARATOR.sub("\n", text.replace("\r\n", "\n").replace("\r", "\n")))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    joined = ""
    for line in lines:
        if not line:
            continue
        if joined and not (_is_cjk(joined[-1]) or _is_cjk(line[0])):
            joined += " "
        joined += line
    return _STRAY_SPACE.sub("", joined)


def normalize_header(text: str) -> str:
    """Header cell -> comparable key: width-folded, without spaces, line breaks, brackets or marks."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s()（）\[\]【】:：*＊※#、/.·]+", "", text)


def header_field(text: str) -> str | None:
    """Which field a header cell names, or ``None``."""
    key = normalize_header(text)
    if not key or len(key) > MAX_HEADER_CHARS:
        return None
    best: tuple[int, str] | None = None
    for name, synonyms in HEADER_SYNONYMS.items():
        for synonym in synonyms:
            if synonym == key:
                return name
            if synonym in key and (best is None or len(synonym) > best[0]):
                best = (len(synonym), name)
    return best[1] if best else None


# --- units ------------------------------------------------------------------------------------


def has_unit_ending(name: str) -> bool:
    return name.endswith(UNIT_ENDINGS)


def should_join(previous: str, following: str, known: Collection[str] = ()) -> bool:
    """Is the line break between two pieces of a 责任单位 cell a wrap inside one name?

    With known names: join when the joined text is a known name (or the start of one) and
    neither piece is a known name by itself. Otherwise, conservatively: join a single
    character (no unit is called 心), or a piece that ends a name onto one that cannot end
    one (局属各 + 单位, 社会保障服 + 务中心); keep 就业培训科 / 人才开发科 apart.
    """
    joined = previous + following
    if known:
        if joined in known:
            return True
        if previous in known or following in known:
            return False
        if any(name.startswith(joined) for name in known):
            return True
    if len(following) == 1:
        return True
    return not has_unit_ending(previous) and has_unit_ending(joined)


def split_units(text: str, known: Collection[str] = ()) -> tuple[list[str], list[str]]:
    """A 责任单位 cell -> (lead units, units marked 配合/协办 in the cell), in order, without repeats."""
    text = _LINE_SEPARATOR.sub("\n", _INVISIBLE.sub("", text)).replace("\r", "\n")
    lead: list[str] = []
    support: list[str] = []
    for segment in _UNIT_SEPARATORS.split(text):
        pieces = [p for p in re.split(r"\s+", segment) if p]
        names: list[str] = []
        for piece in pieces:
            if names and should_join(names[-1], piece, known):
                names[-1] += piece
            else:
                names.append(piece)
        for name in names:
            name = name.strip("。.:：")
            target = lead
            if (match := _LEAD_MARK.search(name)) and len(name) - len(match.group(0)) >= 2:
                name = name[: match.start()]
            elif (match := _SUPPORT_MARK.search(name)) and len(name) - len(match.group(0)) >= 2:
                name = name[: match.start()]
                target = support
            if name and name not in lead and name not in support:
                target.append(name)
    return lead, support


def is_group_name(name: str) -> bool:
    """局机关各科室, 局属各单位, 各科室, 相关单位…: a name that stands for several units."""
    return bool(_GROUP_NAME.search(name))


def unit_kind(name: str) -> str:
    """The kind a unit name suggests: 局机关科室 (…科, …室), 局属单位 (…中心, …所), else 待定."""
    if name.endswith(_AFFILIATE_ENDINGS):
        return AFFILIATE_KIND
    if name.endswith(_OFFICE_ENDINGS):
        return OFFICE_KIND
    return UNKNOWN_KIND


def group_kind(name: str) -> str:
    """The kind a group name covers: 局机关各科室 -> 局机关科室, 局属各单位 -> 局属单位, 各单位 -> ''."""
    if re.search(r"(科|处)室?$", name) or "机关" in name:
        return OFFICE_KIND
    if re.search(r"(局属|直属|下属|所属|事业)", name):
        return AFFILIATE_KIND
    return ""


def units_yaml_for(names: Sequence[str]) -> str:
    """The ``units.yaml`` text (``suggest_units``) a user can paste for names it lacks."""
    units, groups = suggest_units(names)
    return emit_units(units, groups)


def suggest_units(names: Sequence[str]) -> tuple[list[UnitDraft], list[GroupDraft]]:
    """``units.yaml`` entries for names found in a table: kinds guessed from the name's ending
    (and said so), groups by kind when units of that kind exist, else left to fill in."""
    units: list[UnitDraft] = []
    groups: list[GroupDraft] = []
    for name in names:
        if is_group_name(name):
            continue
        kind = unit_kind(name)
        note = "类别待定：请改为 局机关科室、局属单位 或其他类别" if kind == UNKNOWN_KIND else ""
        units.append(UnitDraft(name, kind, note=note))
    kinds = {u.kind for u in units}
    for name in names:
        if not is_group_name(name):
            continue
        kind = group_kind(name)
        if kind and kind in kinds:
            groups.append(GroupDraft(name, kind=kind, note=f"待核对：包含类别为“{kind}”的全部单位"))
        else:
            note = "待补充：列出成员（或写 kind: 类别）后删去行首的 #"
            groups.append(GroupDraft(name, kind="", members=(), note=note, active=False))
    return units, groups


# --- tables -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Header:
    """Where the header is and what each column means."""

    table: int  # index into the tables
    row: int  # index of the (last) header row in that table
    fields: list[str | None]  # per column
    texts: list[str]  # per column, the header as written (cleaned)

    def columns(self, name: str) -> list[int]:
        return [i for i, f in enumerate(self.fields) if f == name]

    def labels(self) -> dict[str, str]:
        """field -> the header text(s) the table uses for it."""
        found: dict[str, list[str]] = {}
        for name, text in zip(self.fields, self.texts, strict=True):
            if name and text not in found.setdefault(name, []):
                found[name].append(text)
        return {name: "、".join(texts) for name, texts in found.items()}


def _row_fields(row: Sequence[str]) -> list[str | None]:
    return [header_field(cell) for cell in row]


def _is_header(fields: Sequence[str | None], row: Sequence[str]) -> bool:
    """A task column and one more, and the row reads as column names: most cells are known
    names, or (a table with extra columns such as 分管领导, 联系电话) a task column, 责任单位
    or 时间节点, and every cell short. A data row such as 任务甲 | 内容四 | 局办公室 may
    contain a synonym or two, but not those columns, and its content cell is long."""
    present = {f for f in fields if f}
    if not (present & {"name", "content"}) or len(present - {"note"}) < 2:
        return False
    cells = {normalize_header(c): f for c, f in zip(row, fields, strict=True) if c.strip()}
    if sum(1 for f in cells.values() if f) >= 0.6 * len(cells):
        return True
    short = all(len(cell) <= MAX_HEADER_CHARS and not cell.isdigit() for cell in cells)
    return short and bool(present & {"lead", "support", "deadline"})


def find_header(tables: Sequence[SourceTable]) -> Header | None:
    """The first row (in the first tables' top rows) that names a task column and one more."""
    for t_index, table in enumerate(tables):
        for r_index, row in enumerate(table.rows[:HEADER_SCAN_ROWS]):
            fields = _row_fields(row)
            if not _is_header(fields, row):
                continue
            texts = [clean_text(c) for c in row]
            # A second header row under a merged one (责任单位 over 牵头单位 | 配合单位).
            if r_index + 1 < len(table.rows):
                below = table.rows[r_index + 1]
                sub = _row_fields(below)
                filled = [c for c in below if c.strip()]
                if filled and all(f for f, c in zip(sub, below, strict=True) if c.strip()):
                    for i, (f, c) in enumerate(zip(sub, below, strict=True)):
                        if c.strip():
                            fields[i] = f
                            texts[i] = clean_text(c)
                    r_index += 1
            fields = _resolve_duplicates(fields)
            return Header(t_index, r_index, fields, texts)
    return None


def _resolve_duplicates(fields: list[str | None]) -> list[str | None]:
    """Two name columns and no content column: the second one is the content."""
    names = [i for i, f in enumerate(fields) if f == "name"]
    if "content" not in fields and len(names) > 1:
        fields[names[1]] = "content"
    return fields


def _seen_headers(tables: Sequence[SourceTable]) -> list[str]:
    """What the top rows of the tables say, for the refusal message."""
    seen: list[str] = []
    for table in tables[:3]:
        for row in table.rows[:HEADER_SCAN_ROWS]:
            cells = [clean_text(c) for c in row if c.strip()]
            distinct = list(dict.fromkeys(cells))
            if len(distinct) >= 2 and all(len(c) <= 20 for c in distinct):
                seen.append("、".join(distinct))
                break
    return seen


def accepted_headers() -> str:
    return "；".join(f"{COLUMN_LABELS[f]}：" + "/".join(s) for f, s in HEADER_SYNONYMS.items() if f != "note")


# --- the import -------------------------------------------------------------------------------


@dataclass(slots=True)
class ImportResult:
    """The plan drafted from a table, with the figures the summary shows."""

    plan: PlanDraft
    table_where: str
    header_line: int
    headers: dict[str, str]  # field -> header text as written
    rows_read: int = 0  # non-empty rows below the header
    continuation_rows: int = 0  # merged into the task above
    section_rows: int = 0
    repeated_headers: int = 0
    tables_used: int = 1
    year_from: str = ""  # where the year came from
    units: list[str] = field(default_factory=list)  # every unit name written, in order of appearance
    notes: list[str] = field(default_factory=list)  # things the user should check
    ignored: list[str] = field(default_factory=list)  # columns not imported (分管领导, 联系电话, 备注…), as written

    @property
    def tasks(self) -> tuple[TaskDraft, ...]:
        return self.plan.tasks


@dataclass(slots=True)
class _Pending:
    """A task being assembled from its row and any continuation rows."""

    line: int
    where: str
    id_text: str
    texts: dict[str, list[str]]
    section: str


def import_tables(
    tables: Sequence[SourceTable],
    *,
    shown: str,
    known_units: Collection[str] = (),
    year: int | None = None,
    title: str | None = None,
    plan_id: str | None = None,
) -> ImportResult:
    """Find the task table in ``tables`` and draft the plan. ``shown`` names the file in messages."""
    if not any(t.rows for t in tables):
        raise DataError("文件里没有表格", where=shown, hint="gkplan 导入的是“任务分解表”这样的表格；请确认选对了文件")
    header = find_header(tables)
    if header is None:
        seen = _seen_headers(tables)
        said = "；".join(f"「{s}」" for s in seen) if seen else "（没有像表头的行）"
        hint = f"表头要有任务列和责任单位或时间节点列，可用的列名：{accepted_headers()}"
        if any("GB18030" in t.where for t in tables):
            hint = "如果上面的文字是乱码，请用 Excel 另存为“CSV UTF-8”；" + hint
        raise DataError(f"找不到任务表的表头：看到的是 {said}", where=shown, hint=hint)
    if not header.columns("lead") and not header.columns("support") and not header.columns("deadline"):
        raise DataError(
            f"任务表没有“责任单位”列，也没有“时间节点”列（表头：{'、'.join(t for t in header.texts if t)}）",
            where=shown,
            hint="可用的列名：" + "/".join(HEADER_SYNONYMS["lead"] + HEADER_SYNONYMS["support"] + HEADER_SYNONYMS["deadline"]),
        )
    table = tables[header.table]
    rows, lines, wheres, result = _collect_rows(tables, header)
    result.tables_used = len(set(wheres))
    result.headers = header.labels()
    unused = (text for name, text in zip(header.fields, header.texts, strict=True) if text and name in (None, "note"))
    result.ignored = list(dict.fromkeys(unused))
    result.table_where = table.where
    result.header_line = table.lines[header.row]
    above = table.preamble + [_row_text(r) for r in table.rows[: header.row] if _row_text(r)]
    result.plan = _draft_plan(rows, lines, wheres, header, result, known_units, above, shown, year=year, title=title, plan_id=plan_id)
    return result


def _row_text(row: Sequence[str]) -> str:
    return " ".join(dict.fromkeys(c.strip() for c in row if c.strip()))


def _collect_rows(tables: Sequence[SourceTable], header: Header) -> tuple[list[list[str]], list[int], list[str], ImportResult]:
    """Rows below the header, then the rows of following tables that continue it (a table split
    across pages: same width, repeated header or none). A different table ends the task table."""
    first = tables[header.table]
    header_keys = [normalize_header(t) for t in header.texts]
    result = ImportResult(PlanDraft("", "", 0), "", 0, {})
    rows: list[list[str]] = []
    lines: list[int] = []
    wheres: list[str] = []

    def take(table: SourceTable, start: int) -> None:
        for row, line in zip(table.rows[start:], table.lines[start:], strict=True):
            if not any(c.strip() for c in row):
                continue
            keys = [normalize_header(c) for c in row]
            if sum(1 for a, b in zip(keys, header_keys, strict=True) if a and a == b) >= 2:
                result.repeated_headers += 1
                continue
            rows.append(row)
            lines.append(line)
            wheres.append(table.where)

    take(first, header.row + 1)
    width = len(header.fields)
    for table in tables[header.table + 1 :]:
        if not table.rows or len(table.rows[0]) != width:
            break
        top = _row_fields(table.rows[0])
        if _is_header(top, table.rows[0]) and [normalize_header(c) for c in table.rows[0]] != header_keys:
            break  # another table with its own, different header
        take(table, 0)
    return rows, lines, wheres, result


def _values(row: Sequence[str], columns: list[int]) -> list[str]:
    """The non-empty texts of some columns, without the repeats horizontal merges produce."""
    out: list[str] = []
    for column in columns:
        text = row[column].strip()
        if text and text not in out:
            out.append(text)
    return out


def _section_heading(row: Sequence[str], id_columns: list[int]) -> tuple[int, str, str] | None:
    """(level, numeral, title) when the row is a heading such as 一、… or （一）…"""
    distinct = list(dict.fromkeys(clean_text(c) for c in row if c.strip()))
    if len(distinct) == 1:
        text = distinct[0]
        if match := _SECTION_L1.match(text):
            return (1, match.group(1), match.group(2).strip())
        if match := _SECTION_L2.match(text):
            return (2, match.group(1), match.group(2).strip())
        return None
    if len(distinct) == 2 and id_columns:
        numeral = clean_text(row[id_columns[0]])
        if (match := _CN_NUMERAL.match(numeral)) and distinct[0] == numeral:
            return (1, match.group(1), distinct[1])
    return None


def parse_id(text: str) -> int | None:
    """序号 cell -> int: 1, 1.0, 01, （1）, 1、 and full-width digits; else ``None``."""
    clean = unicodedata.normalize("NFKC", text).strip().strip("()（）.、。 ")
    if re.fullmatch(r"\d{1,6}(\.0+)?", clean):
        return int(float(clean))
    return None


def _draft_plan(
    rows: list[list[str]],
    lines: list[int],
    wheres: list[str],
    header: Header,
    result: ImportResult,
    known_units: Collection[str],
    above: list[str],
    shown: str,
    *,
    year: int | None,
    title: str | None,
    plan_id: str | None,
) -> PlanDraft:
    id_columns = header.columns("id")
    columns = {name: header.columns(name) for name in ("name", "content", "lead", "support", "deadline")}
    pending: list[_Pending] = []
    sections: list[SectionDraft] = []
    level1 = ""
    section = ""
    for row, line, where in zip(rows, lines, wheres, strict=True):
        result.rows_read += 1
        heading = _section_heading(row, id_columns)
        if heading:
            level, numeral, heading_title = heading
            result.section_rows += 1
            if level == 1:
                level1 = section = numeral
                sections.append(SectionDraft(numeral, heading_title))
            elif level1:
                section = f"{level1}（{numeral}）"
                sections.append(SectionDraft(section, heading_title))
            else:
                result.notes.append(f"第 {line} 行的小标题「{numeral}、{heading_title}」前没有大标题，未作为章节导入")
            continue
        texts = {name: _values(row, cols) for name, cols in columns.items()}
        id_text = clean_text(row[id_columns[0]]) if id_columns else ""
        continues = pending and id_columns and (not id_text or id_text == pending[-1].id_text)
        if continues:
            previous = pending[-1]
            for name, values in texts.items():
                for value in values:
                    if value not in previous.texts[name]:
                        previous.texts[name].append(value)
            result.continuation_rows += 1
            continue
        pending.append(_Pending(line, where, id_text, texts, section))

    if not pending:
        raise DataError(
            f"任务表的表头下面没有任务（{result.table_where}，表头在第 {result.header_line} 行）",
            where=shown,
            hint="请确认选对了文件和工作表",
        )
    plan_year, result.year_from = _year(year, title, above)
    if plan_year is None:
        raise UsageError(
            "标题里没有年份，无法确定计划年度",
            where=shown,
            hint="请用 --year 指定，例如 --year 2023",
        )
    plan_title = title or _title(above) or f"{plan_year}年工作要点"
    tasks = _tasks(pending, columns, known_units, plan_year, result)
    result.units = list(dict.fromkeys(u for t in tasks for u in t.units))
    used = {t.section for t in tasks}
    return PlanDraft(
        id=plan_id or str(plan_year),
        title=plan_title,
        year=plan_year,
        sections=tuple(s for s in sections if s.code in used or any(u.startswith(s.code + "（") for u in used)),
        tasks=tuple(tasks),
    )


def _tasks(
    pending: list[_Pending],
    columns: dict[str, list[int]],
    known_units: Collection[str],
    year: int,
    result: ImportResult,
) -> list[TaskDraft]:
    ids = [parse_id(p.id_text) for p in pending]
    numbered = bool(pending) and all(i is not None for i in ids)
    if numbered and len(set(ids)) != len(ids):
        result.notes.append("原表序号有重复（可能每章重新编号），已按表中顺序改为 1、2、3……连续编号")
        numbered = False
    elif not numbered and any(p.id_text for p in pending):
        bad = next(p for p, i in zip(pending, ids, strict=True) if i is None)
        result.notes.append(f"原表序号「{bad.id_text}」（第 {bad.line} 行）不是整数，已按表中顺序改为 1、2、3……连续编号")
    tasks: list[TaskDraft] = []
    previous_name = ""
    for index, item in enumerate(pending):
        task_id = ids[index] if numbered else index + 1
        assert task_id is not None
        name = clean_text("\n".join(item.texts["name"]))
        content = clean_text("\n".join(item.texts["content"]))
        if not name and columns["name"]:
            name = previous_name  # a merged (or left empty) 任务名称 cell
        if not columns["name"]:
            name = content
        if not columns["content"]:
            content = name
        previous_name = name or previous_name
        lead: list[str] = []
        support: list[str] = []
        for value in item.texts["lead"]:
            got_lead, got_support = split_units(value, known_units)
            lead += got_lead
            support += got_support
        for value in item.texts["support"]:
            got_lead, got_support = split_units(value, known_units)
            support += got_lead + got_support
        units = list(dict.fromkeys(lead + support))
        support_only = tuple(u for u in dict.fromkeys(support) if u not in lead)
        deadline = clean_text("\n".join(item.texts["deadline"])) or None
        if deadline in BLANK_DEADLINES:  # gkplan's own report writes a blank 时间节点 so
            deadline = None
        comments: list[tuple[str, str]] = []
        if deadline is None and columns["deadline"]:
            comments += [
                ("deadline", "原表“时间节点”一栏空白，这里照录为空，不作推测；"),
                ("deadline", f"gkplan 按计划年度年底（{year}-12-31）计，并在报表中注明。"),
            ]
        elif deadline is not None and deadline_for_task(deadline, year).kind is DeadlineKind.UNDATED:
            comments.append(("deadline", "gkplan 暂时读不懂这个时间节点，照录原文；请核对，必要时改写"))
        if not units:
            result.notes.append(f"第 {task_id} 项（{item.where}第 {item.line} 行）没有责任单位")
        if not content:
            result.notes.append(f"第 {task_id} 项（{item.where}第 {item.line} 行）没有任务内容")
        tasks.append(
            TaskDraft(
                id=task_id,
                name=name,
                content=content,
                units=tuple(units),
                deadline=deadline,
                section=item.section,
                support=support_only,
                comments=tuple(comments),
            )
        )
    return tasks


def _year(year: int | None, title: str | None, above: list[str]) -> tuple[int | None, str]:
    if year is not None:
        return year, "--year"
    for text, origin in ((title or "", "--title"), *((line, "标题") for line in reversed(above))):
        if match := _YEAR.search(text):
            return int(match.group(1)), origin
    return None, ""


def _title(above: list[str]) -> str:
    """The short lines just above the table (after any 附件 line), joined; 任务分解表 dropped."""
    picked: list[str] = []
    for line in reversed(above):
        if _ATTACHMENT.match(line) or line.endswith(("。", "；")) or len(line) > 50 or len(picked) == 3:
            break
        picked.insert(0, line)
    text = clean_text("\n".join(picked))
    match = re.fullmatch(r"(.+?)\s*([（(][^（）()]*[）)])?", text)  # …任务分解表（2023年）
    base, remark = (match.group(1), match.group(2) or "") if match else (text, "")
    for suffix in _TITLE_SUFFIXES:
        if base.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)].rstrip("《》·- ") + remark
    return text


def deadline_report(result: ImportResult) -> tuple[int, list[TaskDraft], list[tuple[TaskDraft, str]]]:
    """(how many deadlines the engine resolves, tasks with none, (task, reason) it cannot read)."""
    resolved = 0
    missing: list[TaskDraft] = []
    unreadable: list[tuple[TaskDraft, str]] = []
    for task in result.tasks:
        deadline = deadline_for_task(task.deadline, result.plan.year)
        if deadline.kind is DeadlineKind.MISSING:
            missing.append(task)
        elif deadline.kind is DeadlineKind.UNDATED:
            unreadable.append((task, deadline.note))
        else:
            resolved += 1
    return resolved, missing, unreadable
