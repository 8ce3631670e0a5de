"""The summary ``gkplan import`` and ``gkplan init`` print: what was read, written and needs a look."""

from __future__ import annotations

from collections.abc import Sequence

from gkplan.errors import Problem
from gkplan.importer import COLUMN_LABELS, ImportResult, deadline_report, units_yaml_for
from gkplan.model import UnitDirectory

LIST_LIMIT = 20  # longer lists are cut, with a count of the rest


def _ids(ids: Sequence[int]) -> str:
    shown = "、".join(str(i) for i in ids[:LIST_LIMIT])
    return shown + (f" 等 {len(ids)} 项" if len(ids) > LIST_LIMIT else "")


def import_summary(
    result: ImportResult,
    *,
    source: str,
    target: str,
    directory: UnitDirectory | None,
    units_file: str,
    problems: Sequence[Problem] = (),
) -> list[str]:
    """Lines for the user. ``directory``: the units the plan is checked against (``None``: none found)."""
    plan = result.plan
    tables = f" 等 {result.tables_used} 个表格" if result.tables_used > 1 else ""
    lines = [f"读取：{source}（{result.table_where}{tables}，表头在第 {result.header_line} 行）"]
    columns = "、".join(f"{COLUMN_LABELS[f]}＝{text}" for f, text in result.headers.items() if f != "note")
    lines.append(f"  表头：{columns}")
    if result.ignored:
        lines.append(f"  未导入的列：{'、'.join(result.ignored)}")
    extra = [f"续行并入上一项 {result.continuation_rows} 行"]
    if result.section_rows:
        extra.append(f"章节标题 {result.section_rows} 行")
    if result.repeated_headers:
        extra.append(f"重复表头跳过 {result.repeated_headers} 行")
    lines.append(f"  行数：读到 {result.rows_read} 行（{'，'.join(extra)}）→ 任务 {len(plan.tasks)} 项")
    year_from = {"--year": "由 --year 指定", "--title": "取自 --title", "标题": "取自表格标题"}.get(result.year_from, "")
    lines.append(f"计划：{plan.title}（{plan.year} 年，{year_from}；计划编号 {plan.id}）")
    lines.append(f"写入：{target}（任务 {len(plan.tasks)} 项" + (f"，章节 {len(plan.sections)} 个" if plan.sections else "") + "）")
    lines += _unit_lines(result, directory, units_file)
    lines += _deadline_lines(result)
    lines += [f"注意：{note}" for note in result.notes]
    other = [p for p in problems if p.code not in ("unknown-unit", "bad-deadline")]
    if other:
        lines.append(f"检查：另有 {len(other)} 处问题，请运行 gkplan check 查看：")
        lines += [f"  {p}" for p in other[:LIST_LIMIT]]
    else:
        lines.append("检查：通过" + ("（上面列出的未知单位、无法识别的时间节点除外）" if problems else ""))
    return lines


def _unit_lines(result: ImportResult, directory: UnitDirectory | None, units_file: str) -> list[str]:
    names = result.units
    if directory is None:
        return [f"责任单位：{len(names)} 个（没有 units.yaml，未核对）：{'、'.join(names)}"]
    unknown = [n for n in names if directory.lookup(n) is None]
    listed = "：" + "、".join(unknown) if unknown else ""
    lines = [f"责任单位：{len(names)} 个，{units_file} 中已有 {len(names) - len(unknown)} 个，未知 {len(unknown)} 个{listed}"]
    if unknown:
        text = units_yaml_for(unknown)
        body = [line for line in text.splitlines() if line.startswith("  ")]
        lines.append(f"  请把未知的单位加到 {units_file}（类别按名称推断，请核对；简称可写在 aliases 里）：")
        lines += [f"  {line}" for line in body]
    return lines


def _deadline_lines(result: ImportResult) -> list[str]:
    resolved, missing, unreadable = deadline_report(result)
    year = result.plan.year
    text = f"时间节点：可换算 {resolved} 项"
    if missing:
        text += f"；未填 {len(missing)} 项（第 {_ids([t.id for t in missing])} 项，按 {year}-12-31 计）"
    text += f"；无法识别 {len(unreadable)} 项" + ("：" if unreadable else "")
    lines = [text]
    # The reason only: the accepted forms are the deadline engine's to list (gkplan check shows them).
    lines += [f"  第 {task.id} 项「{task.deadline}」：{note.split('；')[0]}" for task, note in unreadable[:LIST_LIMIT]]
    if len(unreadable) > LIST_LIMIT:
        lines.append(f"  ……另有 {len(unreadable) - LIST_LIMIT} 项")
    return lines


def init_lines(
    units_written: int, groups_written: int, groups_to_fill: Sequence[str], units_file: str, tasks_file: str = "", *, empty: bool = False
) -> list[str]:
    """What ``init`` adds to the summary about the new ``units.yaml`` (and, ``empty``, the plan still to fill)."""
    text = f"单位：写入 {units_file}：单位 {units_written} 个，单位组 {groups_written} 个"
    lines = [text + "（类别按名称推断，请核对）" if units_written else text]
    if groups_to_fill:
        lines.append(f"  待补充成员的单位组（已注释掉，补好后删去行首的 #）：{'、'.join(groups_to_fill)}")
    if empty:  # no-tasks is an error: say it now rather than let the first report surprise them
        lines.append(
            f"下一步：{tasks_file} 还没有任务（tasks: []），报表会提示数据有错误；请用 gkplan import 导入任务分解表，或在 tasks: 下逐条填写"
        )
    return lines
