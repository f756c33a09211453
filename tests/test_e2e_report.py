"""The downloadable HTML report in a real Chromium: hostile claims and reviews render as text, nothing runs.

The report is built the way the Gap dashboard builds its download: a real check (bundled models) of claims
given verbatim on a review table read through the upload path, the dashboard's four charts, then
``report_html``. Chromium opens the file offline (file://, every other request refused) and the test checks
that no payload ran, no dialog opened, nothing was fetched and every payload is shown as literal text.
It needs /usr/bin/chromium and never downloads a browser.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alignment import charts
from alignment.config import Config
from alignment.ingest import ColumnMapping, _clean_text
from alignment.pipeline import check
from alignment.report import Report
from alignment.ui.uploads import build_dataset, read_dataset_upload

pytestmark = [pytest.mark.browser, pytest.mark.models]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

# Claims as a marketer could type them by hand (used verbatim, so the payloads reach the report whole).
CLAIM_SCRIPT = "Brightwave never drops your calls <script>window.__pwned=1</script>"
CLAIM_IMG = (
    'No hidden fees on any plan <img src=x onerror="window.__pwned=2;alert(2)"> **ever** '
    "[see terms](javascript:window.__pwned=3)"
)
CLAIM_BREAKOUT = "Support answers 24/7 </textarea></title></style><b>bold</b> <svg onload=window.__pwned=4>"
CLAIMS = [CLAIM_SCRIPT, CLAIM_IMG, CLAIM_BREAKOUT]
# Reviews with payloads in the text, the id, a segment value, the segment column's name and the file name.
SEGMENT = "store <b>x</b>"
NORTH = "North <script>window.__pwned=31</script>"
REVIEWS = [
    (
        "<script>window.__pwned=21</script>",
        "2025-01-05",
        "1",
        NORTH,
        # one tag, left open: a review with HTML markup is read as its text (alignment.ingest), this one as written
        "My calls drop every single day <script>window.__pwned=11 and nobody fixes it.",
    ),
    ("r2", "2025-01-20", "2", NORTH, 'Dropped calls all the time <img src=x onerror="window.__pwned=12;alert(12)">.'),
    (
        "r3",
        "2025-02-03",
        "1",
        "South",
        "Surprise hidden fees on my bill again, **hidden** [charges](javascript:alert(13)).",
    ),
    ("r4", "2025-02-14", "2", "South", "They charged me hidden fees </textarea><b>bold</b> every month."),
    ("r5", "2025-03-01", "5", NORTH, "Support answered at 3am <svg onload=window.__pwned=14>, great service."),
    ("r6", "2025-03-09", "5", "South", "No hidden fees at all, the bill matched the quote."),
    ("r7", "2025-03-12", "5", "South", "Calls never drop, even in the countryside."),
]
FILE_NAME = '<img src=x onerror="window.__pwned=41">.csv'


@pytest.fixture(scope="module")
def hostile_report(embedder: Any, nlp: Any) -> Report:
    """A real check of the hostile claims against the hostile reviews, read as the Datasets page reads an upload."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "date", "stars", SEGMENT, "comment"])
    writer.writerows(REVIEWS)
    table = read_dataset_upload(buffer.getvalue().encode(), FILE_NAME)
    mapping = ColumnMapping(text="comment", id="id", date="date", rating="stars", segments=(SEGMENT,))
    dataset = build_dataset(table, mapping)
    report = check(None, dataset.review_set, Config(min_evidence=1), claims=CLAIMS, embedder=embedder, nlp=nlp)
    assert [result.claim.text for result in report.claims] == CLAIMS
    assert report.dataset.source == FILE_NAME
    return report


def _report_page(report: Report) -> str:
    """The report as the Gap dashboard's "HTML report with charts" download builds it (all four charts)."""
    figures = [
        charts.plot_gap(report),
        charts.plot_trend(report),
        charts.plot_segments(report, charts.segment_columns(report)[0]),
        charts.plot_quadrant(report, {}),
    ]
    return charts.report_html(report, figures)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium); browser test skipped")
    pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Opened:
    """A report opened in its own offline browser context, with what happened while it loaded."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(path.as_uri(), wait_until="load")
        self.page.wait_for_timeout(300)  # let onerror/onload handlers of a broken image fire, if any exist

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def pwned(self) -> Any:
        return self.page.evaluate("() => window.__pwned")

    def close(self) -> None:
        self.context.close()


def test_hostile_claims_and_reviews_render_as_text_in_the_offline_html_report(
    hostile_report: Report, browser: Any, tmp_path: Path
) -> None:
    path = tmp_path / "alignment-report.html"
    path.write_text(_report_page(hostile_report), encoding="utf-8")
    opened = Opened(browser, path)
    page = opened.page
    try:
        # The charts draw from the inlined plotly.js: the file needs no network.
        page.wait_for_function(
            "() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4", timeout=60_000
        )
        assert page.evaluate("() => typeof window.Plotly") == "object"
        assert opened.requests == [], f"the report fetched {opened.requests}"

        # Nothing ran.
        assert opened.pwned() is None
        assert opened.dialogs == []
        assert opened.errors == []
        counts = page.evaluate(
            "() => ({img: document.querySelectorAll('img').length, a: document.querySelectorAll('a').length,"
            " textarea: document.querySelectorAll('textarea').length, iframe: document.querySelectorAll('iframe').length,"
            " onload: document.querySelectorAll('[onload], [onerror]').length,"
            " external: document.querySelectorAll('script[src], link[href]').length,"
            " bold: [...document.querySelectorAll('b, strong')].filter(b => b.textContent === 'bold').length})"
        )
        assert counts == {"img": 0, "a": 0, "textarea": 0, "iframe": 0, "onload": 0, "external": 0, "bold": 0}, (
            "markup from a claim or review became an element"
        )

        # Every payload is on the page as literal text: claims in the table and the evidence headings,
        # review sentences in the quotes, the id and segment value under them, the file name at the top.
        body = page.locator("body").inner_text()
        for claim in CLAIMS:
            assert body.count(claim) >= 2, f"claim not shown verbatim in table and evidence: {claim}"
        assert f"Dataset {FILE_NAME}:" in body
        quotes = page.locator("q").all_inner_texts()
        # as written, or as ingest reads a review with markup ("</textarea><b>bold</b>" is read as "bold")
        sentences = {review[-1] for review in REVIEWS} | {_clean_text(review[-1]) for review in REVIEWS}
        assert quotes and set(quotes) <= sentences, "a quote is not the review sentence as written"
        assert len({q for q in quotes if "<" in q or "**" in q}) >= 4, f"too few hostile quotes to test: {quotes}"
        metas = " ".join(page.locator("li .meta").all_inner_texts())
        assert NORTH in metas
        if REVIEWS[0][-1] in quotes:  # the review whose id is a payload is quoted: its id shows as text
            assert f"review {REVIEWS[0][0]}" in metas

        # Chart labels (plotly's own mini-HTML) show the payloads as text too.
        labels = page.evaluate(
            "() => [...document.querySelectorAll('.js-plotly-plot text')].map(t => t.textContent).join('\\n')"
        )
        # The gap chart's axis label, on two lines (a <tspan> each, so textContent runs them together).
        assert "Brightwave never dropsyour calls <script>windo…" in labels
        assert f"Alignment by {SEGMENT}" in labels  # heatmap title names the segment column
        assert "North <script>window.…" in labels  # heatmap column
        # Hovering a bar draws its label (the claim) in the hover box; still text, still nothing runs.
        bar = page.locator(".js-plotly-plot").first.locator(".barlayer .point path").first
        bar.scroll_into_view_if_needed()
        box = bar.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_selector(".hoverlayer .hovertext", timeout=10_000)
        hover = page.locator(".hoverlayer .hovertext").first.text_content() or ""
        assert "<" in hover and "click to see the quotes" in hover
        assert opened.pwned() is None and opened.dialogs == []
    finally:
        opened.close()


def test_the_browser_check_catches_a_payload_that_is_not_escaped(
    hostile_report: Report, browser: Any, tmp_path: Path
) -> None:
    """Control: the same report with one claim left unescaped runs its payload, so the checks above can fail."""
    page_html = _report_page(hostile_report)
    escaped = html.escape(CLAIM_IMG)
    assert escaped in page_html
    path = tmp_path / "unescaped.html"
    path.write_text(page_html.replace(escaped, CLAIM_IMG, 1), encoding="utf-8")
    opened = Opened(browser, path)
    try:
        opened.page.wait_for_function("() => window.__pwned !== undefined", timeout=10_000)
        assert opened.pwned() == 2
        assert opened.dialogs == ["2"]
    finally:
        opened.close()
