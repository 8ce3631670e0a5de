"""An ``Agenda`` as an iCalendar file (RFC 5545), written by the ``icalendar`` library.

All-day events (``DTSTART;VALUE=DATE``), a ``VALARM`` at 09:00 on the day N days
before the deadline, ``TRANSP:TRANSPARENT`` so deadlines do not show as busy
time. ``DTSTAMP`` comes from ``--today``, so the same data gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from gkplan.agenda import Agenda, Event
from gkplan.model import DeadlineKind
from gkplan.render.wording import deadline_text, units_text
from gkplan.textsafe import printable, visible

PRODID = "-//gkplan//政务公开工作要点任务跟踪//ZH"
REMIND_AT = time(9, 0)  # the reminder goes off at 09:00, N days before the deadline


def summary_text(event: Event, qualified: bool) -> str:
    task = event.row.task
    mark = "【已完成】" if event.row.status.finished else "【截止】"
    which = f"，第 {event.number}/{event.total} 次" if event.total > 1 else ""
    return visible(f"{mark}{task.name}（任务 {task.key(qualified)}{which}）")


def description_text(event: Event, qualified: bool) -> str:
    row = event.row
    task = row.task
    lines = [task.content, ""]
    lines.append(f"责任单位：{units_text(task.units)}")
    if tuple(row.units) != tuple(task.units):
        lines.append(f"本日程对应：{units_text(row.units)}")
    lines.append(f"时间节点：{deadline_text(task)}（{task.deadline.kind.label}）")
    if event.occurrence is not None:
        period = f"{event.occurrence.start.isoformat()} 至 {event.day.isoformat()}"
        lines.append(f"本期：{period}（第 {event.number}/{event.total} 次）")
    lines.append(f"截止日期：{event.day.isoformat()}")
    if task.deadline.note and task.deadline.kind in (DeadlineKind.MISSING, DeadlineKind.RELATIVE):
        lines.append(f"说明：{task.deadline.note}")
    lines.append(f"状态：{row.status.label}")
    lines.append(f"任务序号：{task.key(qualified)}（gkplan show {task.key(qualified)}）")
    return printable("\n".join(lines))


def trigger(days: int) -> timedelta:
    """Relative to the all-day event's start (00:00 on the due day): 09:00, ``days`` days before."""
    return -timedelta(days=days) + timedelta(hours=REMIND_AT.hour, minutes=REMIND_AT.minute)


def render_ics(agenda: Agenda, today: date, *, banner: str = "") -> bytes:
    """The calendar; ``banner`` (the data has errors) becomes its description, which calendar apps show."""
    return b"".join(ics_pieces(agenda, today, banner=banner))


def ics_pieces(agenda: Agenda, today: date, *, banner: str = "") -> Iterator[bytes]:
    """``render_ics`` piece by piece: the calendar's own lines, then each event's text as soon as it
    is made (20,000 tasks' events held as components until the end took ~370 MB; their text ~25 MB)."""
    from icalendar import Alarm, Calendar
    from icalendar import Event as VEvent

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", visible(agenda.name))
    if banner:
        calendar.add("x-wr-caldesc", visible(banner))
    shell = bytes(calendar.to_ical())
    end = b"END:VCALENDAR\r\n"
    assert shell.endswith(end)  # the library ends a calendar with its END line
    yield shell[: -len(end)]
    stamp = datetime.combine(today, time(0, 0), tzinfo=UTC)
    for event in agenda.events:
        item = VEvent()
        item.add("uid", event.uid)
        item.add("dtstamp", stamp)
        item.add("dtstart", event.day)
        item.add("dtend", event.day + timedelta(days=1))
        item.add("summary", summary_text(event, agenda.qualified))
        item.add("description", description_text(event, agenda.qualified))
        item.add("categories", ["政务公开"])
        item.add("transp", "TRANSPARENT")
        if event.remind_days is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", visible(f"{event.remind_days} 天后截止：{event.row.task.name}"))
            alarm.add("trigger", trigger(event.remind_days))
            item.add_component(alarm)
        yield bytes(item.to_ical())
    yield end
