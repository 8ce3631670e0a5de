"""Write a realistic synthetic gkplan data root, for benchmarks.

    python bench/make_plans.py --tasks 20000 --files 600 --out /tmp/bench/data
    python bench/make_plans.py --tasks 1000 --layout single --out /tmp/bench/data

The schema is the real one (``data/tasks.yaml``, ``data/units.yaml``): plan
metadata, sections, tasks with Chinese names and contents built from the
clauses of the shipped 2022 plan, 1-7 responsible units per task (groups
included), the deadline phrases real plans use, per-unit progress on about half
of the tasks and a few verified (核销) ones. Same seed, same bytes.

Layouts:

- ``bureaus`` (default): one folder per bureau (``rsj/``, ``jyj/``, ...), each
  with its own ``units.yaml`` (6-15 units, two groups defined by kind) and its
  plan files (``2022-gk.yaml``: year and kind of plan, ``plan.id: rsj-2022-gk``).
  With ``--files 1`` one file holds every task (20,000 tasks: about 17 MB).
- ``single``: the shipped layout, ``tasks.yaml`` + ``units.yaml`` in the root.

Standard library only: the YAML is written as text, in the shipped file's style.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

GENERATOR_VERSION = 1  # bump when the output for a given seed changes
MANIFEST = ".bench.json"  # hidden: gkplan skips files starting with "."

# ---------------------------------------------------------------------------
# The mixes (weights, not percentages; documented in bench/README.md)

# 时间节点 phrases, as real plans write them. "{m}" is a month drawn from
# DEADLINE_MONTHS. The first group is what gkplan's first deadline engine reads
# (全年, N月底前, N月, spaces tolerated); the "later" forms (上半年, 三季度末,
# 每季度) need the full grammar of issue 3. ``None`` is a row with no 时间节点
# (like row 15 of the shipped plan). Pass --forms current to leave the later
# forms out: with an engine that cannot read them, every file holding one has an
# error, and gkplan never caches a file with errors.
DEADLINE_MIX: tuple[tuple[str | None, int, str], ...] = (
    ("全年", 50, "current"),
    ("{m}月底前", 17, "current"),
    ("{m} 月底前", 6, "current"),
    ("10月底前", 4, "current"),
    ("{m}月", 4, "current"),
    ("{m} 月", 3, "current"),
    (None, 1, "current"),
    ("上半年", 5, "later"),
    ("三季度末", 5, "later"),
    ("每季度", 5, "later"),
)
DEADLINE_MONTHS = tuple(range(3, 13))
FORM_SETS = {"current": {"current"}, "all": {"current", "later"}}

# How a task's 责任单位 are written (1-7 entries), as in the shipped plan, where
# most rows say "局机关各科室、局属各单位".
UNIT_MIX: tuple[tuple[str, int], ...] = (
    ("both-groups", 40),
    ("one-group", 8),
    ("one-unit", 22),
    ("few-units", 20),  # 2-5 named units
    ("group-and-units", 5),  # a group plus 1-3 units of the other kind
    ("many-units", 5),  # 6-7 named units
)
ALIAS_SHARE = 0.03  # a unit written by its alias (办公室 for 局办公室)

PROGRESS_SHARE = 0.5  # tasks with any per-unit progress
ALL_DONE_SHARE = 0.3  # of those: every responsible unit done
VERIFIED_SHARE = 0.3  # of the all-done ones: confirmed by the office (核销)
UNIT_STATUS_MIX: tuple[tuple[str, int], ...] = (("done", 50), ("doing", 35), ("blocked", 5), ("todo", 10))
NOTE_SHARE = 0.4
SAME_NAME_SHARE = 0.35  # consecutive rows sharing a name (merged cells in the source table)
CONTENT_CHARS = (30, 200, 120)  # min, max, mode of the content length (characters)

# ---------------------------------------------------------------------------
# Vocabulary

REPO = Path(__file__).resolve().parents[1]
SHIPPED_TASKS = REPO / "data" / "tasks.yaml"

# The shipped plan's 任务内容, used when the repository's data/ is not at hand.
FALLBACK_CONTENTS = (
    "通过市政务公开平台开展OA公文和主动公开公文的备案工作，确保全量覆盖、要素齐全、格式规范。",
    "定期对公开属性为依申请公开或不予公开的公文进行审查，符合条件的，转为主动公开。",
    "依法依规做好依申请答复，强化与申请人沟通，无法直接提供政府信息的在告知书中说明理由。",
    "围绕年度工作重点和社会公众关注热点，合理调整设置局门户网站专题专栏，兼顾查阅便利性和内容更新频次。",
    "充分发挥政务新媒体传播优势，加强政务新媒体内容建设，提高信息原创比例，强化与区政府网站的稿源互通。",
    "根据政策特点和受众群体，借助新闻媒体、政府网站、新媒体平台等解读渠道，综合选用文字解读、图示图解等解读形式。",
    "结合年度重点工作和重要政策发布时点，聚焦公众广泛关注的就业、人才、劳动关系、社会保障等领域，常态化开展政府开放活动。",
    "细化分解年度重点工作和重点任务，强化对各科室、单位政务公开工作的日常指导。",
)
FALLBACK_NAMES = ("做好主动公开公文规范归集", "加强历史公文转化公开", "多元化开展政策解读", "强化工作监督")

VERBS = ("加强", "做好", "推进", "优化", "健全", "规范", "提升", "强化", "完善", "深化", "落实", "推动")
TOPICS = (
    "政策解读",
    "信息公开平台维护",
    "依申请公开办理",
    "公文规范归集",
    "重大行政决策公开",
    "政府开放活动",
    "政务新媒体建设",
    "基层政务公开标准化",
    "重点领域信息公开",
    "社会关切回应",
    "公众参与",
    "队伍建设",
    "工作监督考核",
    "涉企政策集成公开",
    "行政规范性文件管理",
    "数据开放共享",
    "办事指南更新",
    "政务服务事项公开",
)
PLAN_KINDS = (
    ("gk", "政务公开工作要点"),
    ("fz", "法治政府建设工作要点"),
    ("ys", "优化营商环境工作要点"),
    ("aq", "安全生产工作要点"),
    ("dj", "党建工作要点"),
    ("zd", "重点工作任务分解"),
)
SECTIONS = (
    ("一", "进一步优化政务公开基础工作", ("强化政府公文备案和集中规范公开", "提升依申请办理服务和保障水平", "做好信息公开平台维护")),
    ("二", "进一步提升政务公开服务效能", ("多元化开展政策解读", "多渠道回应社会关切", "全方位强化公众参与")),
    ("三", "进一步加大政府信息公开力度", ("突出重点领域信息公开", "优化政务公开标准化规范化工作", "推动政府开放活动常态化")),
    ("四", "进一步完善政务公开工作机制", ("健全组织领导", "加强队伍建设", "强化工作监督")),
)
SUB_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True, slots=True)
class Bureau:
    slug: str
    name: str  # 嘉定区人力资源和社会保障局
    doc_prefix: str  # 嘉人社发
    topic: str  # prefix of its own service units
    org: str  # 局 or 委


BUREAUS = (
    Bureau("rsj", "嘉定区人力资源和社会保障局", "嘉人社发", "人社", "局"),
    Bureau("jyj", "嘉定区教育局", "嘉教发", "教育", "局"),
    Bureau("mzj", "嘉定区民政局", "嘉民发", "民政", "局"),
    Bureau("wjw", "嘉定区卫生健康委员会", "嘉卫健发", "卫生健康", "委"),
    Bureau("sfj", "嘉定区司法局", "嘉司发", "司法", "局"),
    Bureau("czj", "嘉定区财政局", "嘉财发", "财政", "局"),
    Bureau("sthjj", "嘉定区生态环境局", "嘉环发", "环境", "局"),
    Bureau("ghzyj", "嘉定区规划和自然资源局", "嘉规划资源发", "规划资源", "局"),
    Bureau("jsw", "嘉定区建设和管理委员会", "嘉建发", "建设", "委"),
    Bureau("jtw", "嘉定区交通委员会", "嘉交发", "交通", "委"),
    Bureau("nyw", "嘉定区农业农村委员会", "嘉农发", "农业农村", "委"),
    Bureau("swj", "嘉定区商务委员会", "嘉商务发", "商务", "委"),
    Bureau("whlyj", "嘉定区文化和旅游局", "嘉文旅发", "文旅", "局"),
    Bureau("scjgj", "嘉定区市场监督管理局", "嘉市监发", "市场监管", "局"),
    Bureau("yjj", "嘉定区应急管理局", "嘉应急发", "应急", "局"),
    Bureau("tyjrj", "嘉定区退役军人事务局", "嘉退役军人发", "退役军人", "局"),
    Bureau("tyj", "嘉定区体育局", "嘉体发", "体育", "局"),
    Bureau("ybj", "嘉定区医疗保障局", "嘉医保发", "医保", "局"),
    Bureau("tjj", "嘉定区统计局", "嘉统发", "统计", "局"),
    Bureau("sjj", "嘉定区审计局", "嘉审发", "审计", "局"),
    Bureau("fgw", "嘉定区发展和改革委员会", "嘉发改发", "发展改革", "委"),
    Bureau("kw", "嘉定区科学技术委员会", "嘉科发", "科技", "委"),
    Bureau("swglj", "嘉定区水务局", "嘉水发", "水务", "局"),
    Bureau("fgj", "嘉定区房屋管理局", "嘉房发", "房屋管理", "局"),
)
FILES_PER_BUREAU = 30  # 600 files: 20 bureaus, five years of six kinds of plan each

# The shipped data's units (data/units.yaml): the 人社局 of the synthetic data, and the single layout.
SHIPPED_UNITS = (
    ("局办公室", "局机关科室", ("办公室",)),
    ("就业培训科", "局机关科室", ()),
    ("人才开发科", "局机关科室", ()),
    ("就业促进中心", "局属单位", ()),
    ("人才服务中心", "局属单位", ()),
    ("高服中心", "局属单位", ()),
    ("社会保障服务中心", "局属单位", ()),
)
OFFICES = (
    "政策法规科",
    "组织人事科",
    "财务审计科",
    "规划发展科",
    "综合管理科",
    "执法监督科",
    "信息化管理科",
    "宣传教育科",
    "行政审批科",
    "安全监管科",
)
SERVICES = ("事务中心", "服务中心", "执法大队", "信息中心", "培训中心", "发展研究中心", "监测中心", "指导中心", "保障中心", "档案馆")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国晓文斌宇欣怡浩然子涵思远嘉"
NOTES = (
    "已按要求完成",
    "材料已报送局办公室",
    "已在门户网站发布",
    "待分管领导审核",
    "等待区政府批复",
    "已完成自查，正在整改",
    "因系统升级暂缓",
    "已召开专题会议部署",
    "相关栏目已更新",
    "培训已组织，参训率100%",
    "已与区融媒体中心对接",
    "涉及数据口径调整，待市级部门明确",
)


@dataclass(slots=True)
class UnitSet:
    """One bureau's units: (name, kind, aliases) and its two groups by kind."""

    units: tuple[tuple[str, str, tuple[str, ...]], ...]
    groups: tuple[tuple[str, str], ...]  # (group name, kind)
    office_kind: str
    service_kind: str

    def members(self, kind: str) -> list[str]:
        return [name for name, k, _ in self.units if k == kind]


@dataclass(slots=True)
class PlanSpec:
    path: str  # relative to the data root
    plan_id: str
    year: int
    title: str
    doc_number: str
    issuer: str
    tasks: int
    units: UnitSet
    seed: str


@dataclass(slots=True)
class Result:
    files: list[str] = field(default_factory=list)
    tasks: int = 0
    bytes: int = 0
    plans: list[dict[str, object]] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Text


def load_fragments(path: Path = SHIPPED_TASKS) -> tuple[list[str], list[str]]:
    """Clauses of the real plan's contents, and its task names (read without a YAML library)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError:
        text = ""
    contents = re.findall(r"^\s+content:\s*(.+?)\s*$", text, flags=re.M) or list(FALLBACK_CONTENTS)
    names = sorted(set(re.findall(r"^\s+name:\s*(.+?)\s*$", text, flags=re.M))) or list(FALLBACK_NAMES)
    clauses: list[str] = []
    for content in contents:
        for clause in re.split(r"[，。；]", content.strip().strip("\"'")):
            clause = clause.strip()
            if 4 <= len(clause) <= 80 and clause not in clauses:
                clauses.append(clause)
    return clauses, names


def make_content(rng: random.Random, clauses: list[str]) -> str:
    low, high, mode = CONTENT_CHARS
    target = int(rng.triangular(low, high, mode))
    parts: list[str] = []
    length = 0
    while length < target:
        clause = rng.choice(clauses)
        if length + len(clause) + 1 > high and length >= low:
            break
        parts.append(clause)
        length += len(clause) + 1
    text = ""
    for index, part in enumerate(parts):
        # mostly one sentence of clauses; now and then a full stop starts another
        joint = "" if index == 0 else ("。" if rng.random() < 0.2 else "，")
        text += joint + part
    text = text[: high - 1] + "。"
    if len(text) < low:  # a run of short clauses: pad with one more
        text = text[:-1] + "，" + rng.choice(clauses)[: high - len(text) - 1] + "。"
    return text


def make_name(rng: random.Random, names: list[str]) -> str:
    if rng.random() < 0.5:
        return rng.choice(names)
    return rng.choice(VERBS) + rng.choice(TOPICS)


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def weighted(rng: random.Random, table: tuple[tuple[object, int], ...] | tuple[tuple[object, int, str], ...]) -> object:
    values = [row[0] for row in table]
    weights = [row[1] for row in table]
    return rng.choices(values, weights)[0]


_PLAIN_BAD_START = set("-?:,[]{}#&*!|>'\"%@` ")


def scalar(value: str) -> str:
    """A YAML scalar that reads back as this exact string (plain when safe, else double-quoted)."""
    plain = (
        value
        and value[0] not in _PLAIN_BAD_START
        and value == value.strip()
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
        and not re.fullmatch(r"[-+.\d:_eE]+|y|n|yes|no|on|off|true|false|null|~", value, flags=re.I)
        and all(ch >= " " and ch not in "\x7f\u2028\u2029\ufeff" for ch in value)
    )
    return value if plain else json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------------------
# Units


def bureau_units(bureau: Bureau, rng: random.Random) -> UnitSet:
    office_kind, service_kind = f"{bureau.org}机关科室", f"{bureau.org}属单位"
    groups = ((f"{bureau.org}机关各科室", office_kind), (f"{bureau.org}属各单位", service_kind))
    if bureau.slug == "rsj":
        return UnitSet(SHIPPED_UNITS, groups, office_kind, service_kind)
    total = rng.randint(6, 15)
    offices = rng.randint(3, min(total - 2, 1 + len(OFFICES)))
    names: list[tuple[str, str, tuple[str, ...]]] = [(f"{bureau.org}办公室", office_kind, ("办公室",))]
    names += [(name, office_kind, ()) for name in rng.sample(OFFICES, offices - 1)]
    names += [(bureau.topic + name, service_kind, ()) for name in rng.sample(SERVICES, total - offices)]
    return UnitSet(tuple(names), groups, office_kind, service_kind)


def units_yaml(bureau: Bureau, units: UnitSet) -> str:
    lines = [
        f"# {bureau.name}：责任单位与单位组（gkplan 基准测试生成的合成数据）",
        "# units：每个单位一行，{kind: 类别, aliases: [简称, …]}；groups：按类别定义的单位组。",
        "",
        "units:",
    ]
    for name, kind, aliases in units.units:
        extra = f", aliases: [{', '.join(aliases)}]" if aliases else ""
        lines.append(f"  {name}: {{kind: {kind}{extra}}}")
    lines += ["", "groups:"]
    lines += [f"  {name}: {{kind: {kind}}}" for name, kind in units.groups]
    return "\n".join(lines) + "\n"


def written_units(rng: random.Random, units: UnitSet) -> list[str]:
    offices, services = units.members(units.office_kind), units.members(units.service_kind)
    every = offices + services
    office_group, service_group = units.groups[0][0], units.groups[1][0]
    pattern = weighted(rng, UNIT_MIX)
    if pattern == "both-groups":
        chosen = [office_group, service_group]
    elif pattern == "one-group":
        chosen = [rng.choice((office_group, service_group))]
    elif pattern == "one-unit":
        chosen = [rng.choice(every)]
    elif pattern == "few-units":
        chosen = rng.sample(every, min(len(every), rng.randint(2, 5)))
    elif pattern == "group-and-units":
        group, others = rng.choice(((office_group, services), (service_group, offices)))
        chosen = [group, *rng.sample(others, min(len(others), rng.randint(1, 3)))]
    else:
        chosen = rng.sample(every, min(len(every), rng.randint(6, 7)))
    aliases = {name: alias[0] for name, _, alias in units.units if alias}
    return [aliases[name] if name in aliases and rng.random() < ALIAS_SHARE else name for name in chosen]


def responsible(written: list[str], units: UnitSet) -> list[str]:
    by_alias = {alias: name for name, _, aliases in units.units for alias in aliases}
    groups = dict(units.groups)
    result: list[str] = []
    for name in written:
        expanded = units.members(groups[name]) if name in groups else [by_alias.get(name, name)]
        result += [unit for unit in expanded if unit not in result]
    return result


# ---------------------------------------------------------------------------
# Plans


def deadline_table(forms: str) -> tuple[tuple[str | None, int], ...]:
    wanted = FORM_SETS[forms]
    return tuple((phrase, weight) for phrase, weight, kind in DEADLINE_MIX if kind in wanted)


def iso(year: int, day_of_year: int) -> str:
    return (date(year, 1, 1) + timedelta(days=day_of_year - 1)).isoformat()


def task_lines(
    task_id: int, section: str, name: str, rng: random.Random, spec: PlanSpec, clauses: list[str], deadlines: tuple
) -> list[str]:
    lines = [
        "",
        f"  - id: {task_id}",
        f"    section: {section}",
        f"    name: {scalar(name)}",
        f"    content: {scalar(make_content(rng, clauses))}",
        "    units:",
    ]
    written = written_units(rng, spec.units)
    lines += [f"      - {scalar(unit)}" for unit in written]
    phrase = weighted(rng, deadlines)
    if phrase is None:
        lines.append("    deadline:")
    else:
        lines.append(f"    deadline: {scalar(str(phrase).format(m=rng.choice(DEADLINE_MONTHS)))}")
    if rng.random() >= PROGRESS_SHARE:
        return lines
    units = responsible(written, spec.units)
    all_done = rng.random() < ALL_DONE_SHARE
    if all_done:
        recorded = [(unit, "done") for unit in units]
    else:
        some = rng.sample(units, rng.randint(1, len(units)))
        recorded = [(unit, str(weighted(rng, UNIT_STATUS_MIX))) for unit in units if unit in some]
        if all(status == "done" for _, status in recorded) and len(recorded) == len(units):
            recorded[-1] = (recorded[-1][0], "doing")  # "all done" is decided above, not by chance
    lines.append("    progress:")
    last_day = 0
    for unit, status in recorded:
        day = rng.randint(32, 280)  # before the benchmark's today (10-08)
        last_day = max(last_day, day)
        lines += [f"      {unit}:", f"        status: {status}", f"        date: {iso(spec.year, day)}", f"        by: {person(rng)}"]
        if rng.random() < NOTE_SHARE:
            lines.append(f"        note: {scalar(rng.choice(NOTES))}")
    if all_done and rng.random() < VERIFIED_SHARE:
        lines += ["    verified:", f"      date: {iso(spec.year, min(last_day + rng.randint(1, 20), 360))}", f"      by: {person(rng)}"]
    return lines


def plan_yaml(spec: PlanSpec, clauses: list[str], names: list[str], deadlines: tuple) -> str:
    rng = random.Random(spec.seed)
    subsections = [(f"{code}（{SUB_NUMERALS[i]}）", title) for code, _, subs in SECTIONS for i, title in enumerate(subs)]
    lines = [
        f"# {spec.title} · 任务分解表",
        "# gkplan 基准测试生成的合成数据（bench/make_plans.py），不是真实计划。",
        "",
        "plan:",
        f"  id: {json.dumps(spec.plan_id) if spec.plan_id.isdigit() else scalar(spec.plan_id)}",
        f"  title: {scalar(spec.title)}",
        f"  doc_number: {scalar(spec.doc_number)}",
        f"  issuer: {scalar(spec.issuer)}",
        f"  issued: {iso(spec.year, rng.randint(40, 150))}",
        f"  year: {spec.year}",
        "",
        "sections:",
    ]
    for code, title, subs in SECTIONS:
        lines += [f"  - code: {code}", f"    title: {title}"]
        for i, sub in enumerate(subs):
            lines += [f"  - code: {code}（{SUB_NUMERALS[i]}）", f"    title: {sub}"]
    lines += ["", "tasks:"]
    name = make_name(rng, names)
    for task_id in range(1, spec.tasks + 1):
        section = subsections[min(len(subsections) - 1, (task_id - 1) * len(subsections) // spec.tasks)][0]
        if task_id > 1 and rng.random() >= SAME_NAME_SHARE:
            name = make_name(rng, names)
        lines += task_lines(task_id, section, name, rng, spec, clauses, deadlines)
    return "\n".join(lines) + "\n"


def split_tasks(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` tasks over ``parts`` files of varied size (at least one each), exactly."""
    weights = [rng.uniform(0.4, 1.6) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    sizes = [1 + int(w * scale) for w in weights]
    for index in sorted(range(parts), key=lambda i: -(weights[i] * scale % 1))[: total - sum(sizes)]:
        sizes[index] += 1
    return sizes


def plan_specs(tasks: int, files: int, layout: str, seed: int, year: int) -> tuple[list[PlanSpec], dict[str, tuple[Bureau, UnitSet]]]:
    rng = random.Random(f"{seed}/layout")
    if layout == "single":
        bureau = BUREAUS[0]
        units = bureau_units(bureau, rng)
        spec = PlanSpec(
            "tasks.yaml",
            str(year),
            year,
            f"{year}年{bureau.name.removeprefix('嘉定区')}政务公开工作要点",
            f"{bureau.doc_prefix}〔{year}〕23号",
            "上海市" + bureau.name,
            tasks,
            units,
            f"{seed}/tasks.yaml",
        )
        return [spec], {"": (bureau, units)}
    # 600 files: 20 bureaus of 30; a handful of files still spread over a few bureaus
    count = min(len(BUREAUS), files, max(math.ceil(files / FILES_PER_BUREAU), min(3, math.ceil(files / 2))))
    bureaus = BUREAUS[:count]
    per_bureau = [files // count + (1 if i < files % count else 0) for i in range(count)]
    sizes = iter(split_tasks(tasks, files, rng))
    folders: dict[str, tuple[Bureau, UnitSet]] = {}
    specs: list[PlanSpec] = []
    for bureau, how_many in zip(bureaus, per_bureau, strict=True):
        units = bureau_units(bureau, random.Random(f"{seed}/{bureau.slug}/units"))
        folders[bureau.slug] = (bureau, units)
        years = math.ceil(how_many / len(PLAN_KINDS))
        first = year - (years - 1) // 2
        combos = [(first + y, kind) for y in range(years) for kind in PLAN_KINDS][:how_many]
        for plan_year, (code, title) in combos:
            path = f"{bureau.slug}/{plan_year}-{code}.yaml"
            specs.append(
                PlanSpec(
                    path,
                    f"{bureau.slug}-{plan_year}-{code}",
                    plan_year,
                    f"{plan_year}年{bureau.name}{title}",
                    f"{bureau.doc_prefix}〔{plan_year}〕{rng.randint(1, 60)}号",
                    "上海市" + bureau.name,
                    next(sizes),
                    units,
                    f"{seed}/{path}",
                )
            )
    return specs, folders


# ---------------------------------------------------------------------------
# Writing


def write_atomic(path: Path, text: str) -> int:
    """Write through a temporary file in the same folder, renamed over the target."""
    data = text.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return len(data)


def generate(root: Path, tasks: int, files: int, layout: str = "bureaus", seed: int = 2022, year: int = 2022, forms: str = "all") -> Result:
    """Write the data root into ``root`` (an empty or new folder)."""
    if layout == "single":
        files = 1
    if tasks < files:
        raise ValueError(f"--tasks {tasks} 少于 --files {files}：每个计划文件至少要有一个任务")
    clauses, names = load_fragments()
    deadlines = deadline_table(forms)
    specs, folders = plan_specs(tasks, files, layout, seed, year)
    result = Result()
    for folder, (bureau, units) in folders.items():
        relative = f"{folder}/units.yaml" if folder else "units.yaml"
        result.bytes += write_atomic(root / relative, units_yaml(bureau, units))
        result.files.append(relative)
    for spec in specs:
        result.bytes += write_atomic(root / spec.path, plan_yaml(spec, clauses, names, deadlines))
        result.files.append(spec.path)
        result.tasks += spec.tasks
        result.plans.append({"file": spec.path, "id": spec.plan_id, "year": spec.year, "tasks": spec.tasks})
    manifest = {
        "generator": GENERATOR_VERSION,
        "tasks": tasks,
        "files": files,
        "layout": layout,
        "seed": seed,
        "year": year,
        "forms": forms,
        "bytes": result.bytes,
        "plans": result.plans,
    }
    write_atomic(root / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    return result


def generate_into(out: Path, *, force: bool = False, **options: object) -> Result:
    """Build the whole root in a sibling temp folder, then swap it in: never a half-written root."""
    if out.exists() and any(out.iterdir()) and not force:
        raise FileExistsError(f"{out} 已存在且不为空；加 --force 覆盖")
    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.building-"))
    try:
        result = generate(building, **options)  # type: ignore[arg-type]
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
            os.replace(building, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(building, out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return result


def iter_plan_files(root: Path) -> Iterator[Path]:
    """The plan files of a generated root (what gkplan will load)."""
    for path in sorted(root.rglob("*.yaml")):
        if path.name not in ("units.yaml", "settings.yaml") and not path.name.startswith((".", "_")):
            yield path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, required=True, help="tasks in total")
    parser.add_argument("--files", type=int, default=1, help="plan files (bureaus layout); default 1")
    parser.add_argument("--out", type=Path, required=True, help="the data root to write (created; must be empty unless --force)")
    parser.add_argument(
        "--layout", choices=("bureaus", "single"), default="bureaus", help="bureau folders, or data/tasks.yaml + units.yaml"
    )
    parser.add_argument("--seed", type=int, default=2022, help="same seed, same bytes (default 2022)")
    parser.add_argument("--year", type=int, default=2022, help="plan year (bureaus layout: plans span the years around it)")
    parser.add_argument(
        "--forms",
        choices=tuple(FORM_SETS),
        default="all",
        help="deadline phrases: all (DEADLINE_MIX) or current (leave out 上半年/三季度末/每季度)",
    )
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    args = parser.parse_args(argv)
    if args.tasks < 1 or args.files < 1:
        parser.error("--tasks and --files must be at least 1")
    started = time.perf_counter()
    try:
        result = generate_into(
            args.out,
            force=args.force,
            tasks=args.tasks,
            files=args.files,
            layout=args.layout,
            seed=args.seed,
            year=args.year,
            forms=args.forms,
        )
    except (ValueError, FileExistsError) as exc:
        print(f"make_plans: {exc}", file=sys.stderr)
        return 2
    plans = len(result.plans)
    print(
        f"wrote {result.tasks} tasks in {plans} plan file(s), {len(result.files)} files, "
        f"{result.bytes / 1e6:.1f} MB, to {args.out} in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
