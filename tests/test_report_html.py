"""``gkplan report -f html``: one self-contained page, checked as text and in a real headless browser."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, Runner

TODAY = "2022-10-08"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest.fixture
def example(tmp_path: Path) -> Path:
    target = tmp_path / "example" / "data"
    shutil.copytree(EXAMPLES / "2022-progress" / "data", target)
    return target


@pytest.fixture
def page(gkplan: Runner, example: Path, tmp_path: Path) -> Path:
    target = tmp_path / "例会报告.html"
    result = gkplan("report", "--today", TODAY, "-o", str(target), data=example)
    assert result.exit_code == 0, result.stderr
    return target


def test_self_contained(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"https?://", text)  # nothing to fetch: no fonts, scripts, images or links
    assert "<link" not in text
    assert "<script" not in text
    assert "url(" not in text
    assert "default-src 'none'" in text  # and the browser is told not to try
    assert "<style>" in text
    assert "@media print" in text
    assert "@page { size: A4" in text
    assert "<svg" in text
    assert "Noto Sans CJK SC" in text
    assert "sans-serif" in text


def test_late_tasks_chart_and_escaping(gkplan: Runner, example: Path, tmp_path: Path) -> None:
    tasks = example / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8").replace("name: 加强历史公文转化公开", 'name: "加强<b>历史</b>公文"', 1)
    tasks.write_text(text, encoding="utf-8")
    text = gkplan("report", "--today", TODAY, "-f", "html", data=example).stdout
    late = text.split('<section id="late">')[1].split("</section>")[0]
    assert "逾期任务（1 项）" in late
    assert "加强&lt;b&gt;历史&lt;/b&gt;公文" in late  # data is text, never markup
    assert '<span class="unit">人才服务中心</span><span class="unit">高服中心</span>' in late
    assert "8 天" in late
    chart = text.split("<svg")[1].split("</svg>")[0]
    assert chart.count(">社会保障服务中心</text>") == 1
    assert "18%（5/28）" in chart


def test_blue_yellow_red_colours_the_page(gkplan: Runner, example: Path) -> None:
    (example / "settings.yaml").write_text("lights: 蓝黄红\n", encoding="utf-8")
    text = gkplan("report", "--today", TODAY, "-f", "html", data=example).stdout
    assert ">蓝</span>" in text
    assert ">绿</span>" not in text


def find_browser() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


BROWSER = find_browser()
needs_browser = pytest.mark.skipif(BROWSER is None, reason="no headless chromium installed (apt-get install chromium)")


def run_browser(*args: str, home: Path) -> subprocess.CompletedProcess[bytes]:
    assert BROWSER is not None
    env = dict(os.environ, HOME=str(home))
    command = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={home / 'profile'}", *args]
    return subprocess.run(command, capture_output=True, timeout=60, env=env, check=False)


@needs_browser
def test_in_a_real_browser(page: Path, tmp_path: Path) -> None:
    dom = run_browser("--dump-dom", page.as_uri(), home=tmp_path)
    assert dom.returncode == 0, dom.stderr.decode("utf-8", "replace")[-500:]
    rendered = dom.stdout.decode("utf-8")
    late = rendered.split('<section id="late">')[1].split("</section>")[0]
    assert "加强历史公文转化公开" in late
    assert "人才服务中心" in late
    assert "高服中心" in late
    assert "<svg" in rendered
    shot = tmp_path / "report.png"
    done = run_browser("--hide-scrollbars", f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri(), home=tmp_path)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-500:]
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1280, 2000)
    assert shot.stat().st_size > 50_000  # a page with tables and a chart, not a blank one
