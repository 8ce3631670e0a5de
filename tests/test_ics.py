"""``gkplan ics``: deadlines as all-day calendar events, read back with the icalendar library."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.conftest import EXAMPLES, Runner

TODAY = "2022-10-08"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    target = tmp_path / "example" / "data"
    shutil.copytree(EXAMPLES / "2022-progress" / "data", target)
    return target


def events(path: Path) -> dict[str, object]:
    """SUMMARY -> VEVENT (summaries are unique in these files)."""
    calendar = Calendar.from_ical(path.read_bytes())
    found = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert len(found) == len(calendar.walk("VEVENT"))
    return found


def write(gkplan: Runner, data: Path, target: Path, *args: str) -> Path:
    result = gkplan("ics", "--today", TODAY, "-o", str(target), *args, data=data)
    assert result.exit_code == 0, result.stderr
    return target


def test_one_all_day_event_per_deadline_with_reminder_from_settings(gkplan: Runner, example: Path, tmp_path: Path) -> None:
    (example / "settings.yaml").write_text("remind_days: 3\n", encoding="utf-8")
    found = events(write(gkplan, example, tmp_path / "a.ics"))
    assert len(found) == 32  # the shipped plan has no recurring task; every task has a date
    event = found["【截止】加强历史公文转化公开（任务 2）"]
    assert event.decoded("DTSTART") == date(2022, 9, 30)  # a date, not a date-time: all day
    assert event.decoded("DTEND") == date(2022, 10, 1)
    assert "对未开展过公文公开属性认定的公文进行公开属性认定。" in str(event["DESCRIPTION"])
    alarms = event.walk("VALARM")
    assert len(alarms) == 1
    assert alarms[0].decoded("TRIGGER") == -timedelta(days=3) + timedelta(hours=9)  # 09:00, three days before
    done = found["【已完成】推动政府开放活动常态化（任务 24）"]
    assert done.walk("VALARM") == []  # nobody needs reminding of finished work


def test_remind_days_option_wins(gkplan: Runner, example: Path, tmp_path: Path) -> None:
    found = events(write(gkplan, example, tmp_path / "a.ics", "--remind-days", "10"))
    alarm = found["【截止】加强历史公文转化公开（任务 2）"].walk("VALARM")[0]
    assert alarm.decoded("TRIGGER") == -timedelta(days=10) + timedelta(hours=9)


def test_uids_are_stable_across_runs_and_edits(gkplan: Runner, example: Path, tmp_path: Path) -> None:
    first = write(gkplan, example, tmp_path / "a.ics")
    again = write(gkplan, example, tmp_path / "b.ics")
    assert first.read_bytes() == again.read_bytes()  # same data and --today: same file
    tasks = example / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8").replace("name: 加强历史公文转化公开", "name: 历史公文转化公开", 1)
    tasks.write_text(text.replace("deadline: 9 月底前", "deadline: 11 月底前", 1), encoding="utf-8")
    edited = events(write(gkplan, example, tmp_path / "c.ics"))
    before = events(first)
    moved = edited["【截止】历史公文转化公开（任务 2）"]
    assert moved["UID"] == before["【截止】加强历史公文转化公开（任务 2）"]["UID"]  # re-import updates it
    assert moved.decoded("DTSTART") == date(2022, 11, 30)
    uids = [str(e["UID"]) for e in edited.values()]
    assert len(set(uids)) == len(uids)


def test_unit_calendar_has_its_own_uids_and_only_its_tasks(gkplan: Runner, example: Path, tmp_path: Path) -> None:
    everyone = events(write(gkplan, example, tmp_path / "all.ics"))
    mine = events(write(gkplan, example, tmp_path / "mine.ics", "--unit", "局办公室"))
    assert len(mine) == 28
    assert not {str(e["UID"]) for e in mine.values()} & {str(e["UID"]) for e in everyone.values()}
    assert "本日程对应：局办公室" in str(next(iter(mine.values()))["DESCRIPTION"])


def test_recurring_task_gets_one_event_per_due_day(gkplan: Runner, example: Path, tmp_path: Path) -> None:
    tasks = example / "tasks.yaml"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace("deadline: 10月底前", "deadline: 每季度末", 1), encoding="utf-8")
    found = events(write(gkplan, example, tmp_path / "a.ics"))
    quarterly = sorted((e.decoded("DTSTART"), str(e["SUMMARY"])) for e in found.values() if "任务 20，" in str(e["SUMMARY"]))
    assert [day for day, _ in quarterly] == [date(2022, 3, 31), date(2022, 6, 30), date(2022, 9, 30), date(2022, 12, 31)]
    assert quarterly[0][1] == "【截止】优化政务公开标准化规范化工作（任务 20，第 1/4 次）"


def test_waiting_tasks_are_skipped_and_said_so(gkplan: Runner, example: Path, tmp_path: Path) -> None:
    tasks = example / "tasks.yaml"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace("deadline: 10月底前", "deadline: 出台后10个工作日内", 1), encoding="utf-8")
    result = gkplan("ics", "--today", TODAY, "-o", str(tmp_path / "a.ics"), data=example)
    assert result.exit_code == 0
    assert "跳过 1 项没有确定日期的任务（无法定日或等待触发）：20" in result.stderr
    assert len(events(tmp_path / "a.ics")) == 31


def test_to_stdout(gkplan: Runner, example: Path) -> None:
    result = gkplan("ics", "--today", TODAY, data=example)
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\n")  # RFC 5545 lines end in CRLF
    assert "PRODID:-//gkplan//" in result.stdout
