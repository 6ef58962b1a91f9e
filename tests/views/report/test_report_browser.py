"""The report in a real browser: headless Chromium renders every page of a simulated term."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import count
from pathlib import Path

import pytest

from tests.views.report.conftest import RETURNED, Term

ARTIFACTS = Path(__file__).parent / "artifacts"
# Headless, and nothing that reaches out on its own: the network here is closed.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@dataclass(frozen=True)
class Rendered:
    dom: str
    console: tuple[str, ...]  # what the page wrote to the console


@dataclass(frozen=True)
class Browser:
    binary: str
    profiles: Path
    runs: count[int]

    def _run(self, page: Path, *options: str) -> subprocess.CompletedProcess[str]:
        profile = self.profiles / f"profile-{next(self.runs)}"
        return subprocess.run(
            [self.binary, *FLAGS, f"--user-data-dir={profile}", *options, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    def render(self, page: Path) -> Rendered:
        done = self._run(page, "--enable-logging=stderr", "--v=0", "--dump-dom")
        console = tuple(line for line in done.stderr.splitlines() if ":CONSOLE" in line)
        return Rendered(done.stdout, console)

    def screenshot(self, page: Path, target: Path, width: int, height: int) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        self._run(page, f"--screenshot={target}", f"--window-size={width},{height}")


class Links(HTMLParser):
    """Every id, every link and every resource a page refers to."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []  # <a href>
        self.resources: list[str] = []  # what the browser would load: src, <link href>, ...
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.add(value)
            elif tag == "a" and name == "href":
                self.links.append(value)
            elif name in ("src", "href", "xlink:href", "srcset", "poster", "data"):
                self.resources.append(value)


def parsed(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def broken_links(page: Path, dom: str) -> list[str]:
    """Links to no file or no element, and any resource at all but a fragment or inline data:
    a page loads nothing beside itself."""
    found = parsed(dom)
    broken = [r for r in found.resources if not r.startswith("#") and not r.startswith("data:")]
    for link in found.links:
        if link.startswith(("https://", "http://")):
            continue
        path, _, fragment = link.partition("#")
        if (path and not (page.parent / path).is_file()) or (
            not path and fragment not in found.ids
        ):
            broken.append(link)
    broken += [r for r in found.resources if r.startswith("#") and r[1:] not in found.ids]
    return broken


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


@pytest.fixture(scope="module")
def chromium() -> str:
    found = next((path for name in NAMES if (path := shutil.which(name))), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("no chromium on CI: .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


@pytest.fixture
def browser(chromium: str, tmp_path: Path) -> Browser:
    return Browser(chromium, tmp_path / "profiles", count())


def test_the_browser_check_sees_console_errors_and_broken_links(
    browser: Browser, tmp_path: Path
) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body>'
        '<a href="missing.html">gone</a><a href="#nowhere">no anchor</a>'
        '<img src="https://example.invalid/logo.png" alt="">'
        '<script>console.error("broken on purpose")</script></body></html>',
        encoding="utf-8",
    )
    rendered = browser.render(page)
    assert any("broken on purpose" in line for line in rendered.console)
    assert broken_links(page, rendered.dom) == [
        "https://example.invalid/logo.png",
        "missing.html",
        "#nowhere",
    ]


def test_every_page_renders_in_chromium_with_charts_and_working_links(
    browser: Browser, term: Term, tmp_path: Path
) -> None:
    result = term.report(tmp_path / "site")
    pages = [p for p in result.files if p.suffix == ".html"]
    assert len(pages) == 9  # the overview and a page per pairing
    for page in pages:
        rendered = browser.render(page)
        assert rendered.console == (), page.name
        found = parsed(rendered.dom)
        charts = found.tags.count("svg")
        assert charts == (4 if page.name == "index.html" else 1), page.name
        assert found.tags.count("title") == 1 + charts  # the page's, and one per chart
        assert found.tags.count("h1") == 1
        assert "script" not in found.tags
        assert broken_links(page, rendered.dom) == [], page.name
    index = result.out / "index.html"
    shots = {
        "index.png": (index, 1280, 2000),
        "index-phone.png": (index, 390, 2400),
        "pairing.png": (result.out / f"pairings/{RETURNED}.html", 1280, 2000),
    }
    for name, (page, width, height) in shots.items():
        browser.screenshot(page, ARTIFACTS / name, width, height)
        assert png_size(ARTIFACTS / name) == (width, height)
        assert (ARTIFACTS / name).stat().st_size > 30_000  # a rendered page, not a blank one
