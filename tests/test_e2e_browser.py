"""End to end in a real Chromium: the app is served by `streamlit run` and driven with Playwright.

The first test pastes copy on Vet copy and checks it, opens the Gap dashboard and drills into a bar,
uploads a small CSV on Datasets, and checks a possible claim the extraction passed over on Vet copy; the second drives two sessions at once and checks that neither sees the
other's uploads, copy or results. Screenshots go to test-artifacts/ (gitignored). It needs /usr/bin/chromium
(`apt-get install -y chromium`; .ci/run installs it) and never downloads a browser.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FIRST_CHECK_MS = 300_000  # the first check loads the models and embeds 1,741 sentences on a small CPU
STEP_MS = 120_000

pytestmark = [pytest.mark.browser, pytest.mark.models]

COPY = (
    "Brightwave never drops your calls. No hidden fees on any plan, ever.\n\n"
    'Our support team answers 24/7. <img src=x onerror="window.__pwned=1"> <b>Switch today.</b>\n\n'
    # A page's source pasted in is read as the text a browser shows: its script is left out, never run.
    "<p>Free returns for 30 days.</p><script>window.__pwned=2</script>"
)
POSSIBLE_COPY = "Hand-pulled noodles made fresh to order. Open late. Order online tonight."
SMALL_CSV = (
    "id,when,stars,store,comment\n"
    "1,2025-03-01,1,North,My calls drop every single day.\n"
    "2,2025-03-02,5,South,No hidden fees at all and the bill was what they quoted.\n"
    "3,2025-03-03,2,North,Waited two hours for support at night.\n"
    "4,2025-03-04,,South,\n"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve app.py with `streamlit run` on a free port until the tests are done, with a workspace of its own
    (never the user's)."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium); browser test skipped")
    pytest.importorskip("playwright.sync_api")
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / "streamlit.log").open("w")
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    process = subprocess.Popen(
        command,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "ALIGN_WORKSPACE": str(tmp_path_factory.mktemp("workspace"))},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with code {process.returncode}; see test-artifacts/streamlit.log")
            if time.monotonic() > deadline:
                pytest.fail("streamlit did not answer /_stcore/health within 120 s")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser(app_url: str) -> Iterator[Any]:
    """The system Chromium, headless, shared by the tests of this module (each opens its own contexts)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(browser: Any) -> Any:
    """A page in a fresh browser context: its own cookies and connection, so a new app session."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
    return context.new_page()


@pytest.fixture(scope="module")
def page(browser: Any) -> Iterator[object]:
    """A Chromium page (the system browser, headless)."""
    page = _new_page(browser)
    yield page
    page.context.close()


def _wait_idle(page, timeout: int = STEP_MS) -> None:  # type: ignore[no-untyped-def]
    """Wait until Streamlit has finished the current script run and no element is stale."""
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " return app && app.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector('[data-stale=\"true\"]'); }",
        timeout=timeout,
    )


def _screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Save the whole page: Streamlit scrolls inside its own container, so grow the viewport to fit it."""
    ARTIFACTS.mkdir(exist_ok=True)
    height = page.evaluate(
        "() => { const main = document.querySelector('[data-testid=\"stMain\"]') || document.body;"
        " return Math.max(main.scrollHeight, document.body.scrollHeight); }"
    )
    page.set_viewport_size({"width": 1440, "height": min(max(int(height) + 40, 1000), 12000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 1000})


def test_vet_copy_dashboard_and_datasets_in_a_real_browser(app_url: str, page) -> None:  # type: ignore[no-untyped-def]
    # Vet copy: the demo copy is checked on first open; then paste new copy and check it.
    page.goto(f"{app_url}/vet-copy", wait_until="domcontentloaded")
    try:  # the first check on a fresh server shows its progress with counts
        page.wait_for_selector("[data-testid=stProgress]", timeout=60_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "first-check-progress.png"))
    except Exception:  # the check may already be over; the screenshot is only for people to look at
        pass
    page.wait_for_selector("mark.aln-claim", timeout=FIRST_CHECK_MS)
    _wait_idle(page, FIRST_CHECK_MS)
    box = page.get_by_label("Ad copy")
    box.fill(COPY)
    box.press("Control+Enter")
    _wait_idle(page)
    page.get_by_role("button", name="Check copy").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.aln-copy')].some(c => /Free returns for 30 days/.test(c.innerText))"
        " && [...document.querySelectorAll('mark.aln-claim')].some(m => /any plan/i.test(m.innerText))",
        timeout=STEP_MS,
    )
    _wait_idle(page)
    _screenshot(page, "vet-copy.png")
    marks = page.locator("mark.aln-claim")
    assert marks.count() >= 2
    assert page.locator(".aln-quote").count() >= 1, "no evidence quotes on the claim cards"
    assert page.locator(".aln-quote mark.aln-phrase").count() >= 1, "no matched phrase marked in a quote"
    assert page.get_by_text("Claims at risk").count() >= 1
    # Untrusted copy is shown as text, never run.
    assert page.evaluate("() => window.__pwned") is None
    shown = page.locator(".aln-copy").first.inner_text()
    assert "Switch today." in shown and "<b>" not in shown and "window.__pwned=2" not in shown

    # Gap dashboard (navigating inside the app keeps the session and its copy).
    page.get_by_role("link", name="Gap dashboard").click()
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=STEP_MS)
    _wait_idle(page)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 4", timeout=STEP_MS)
    assert page.locator(".js-plotly-plot .barlayer .point").count() >= 4, "the gap chart drew no bars"
    assert page.locator(".js-plotly-plot .heatmaplayer").count() >= 1, "the segment heatmap did not render"
    assert page.locator(".js-plotly-plot .scatterlayer .point").count() >= 3, "no points in trend or quadrant"
    _screenshot(page, "dashboard.png")

    # Downloads: a chart as PNG (kaleido on the server) and the self-contained HTML report.
    with page.expect_download(timeout=STEP_MS) as download:
        page.get_by_role("button", name="HTML report with charts").click()
    html_report = Path(download.value.path()).read_text(encoding="utf-8")
    assert html_report.startswith("<!DOCTYPE html>") and "Claim alignment report" in html_report
    assert "window.__pwned=2</script>" not in html_report
    from alignment.charts import png_export_status

    png_buttons = page.get_by_role("button", name="⬇ PNG", exact=True)
    if png_export_status()[0]:
        assert png_buttons.count() == 4, "a PNG button per chart"
        with page.expect_download(timeout=STEP_MS) as download:
            png_buttons.first.click()
        assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # Drill down: click the first bar of the gap chart; the evidence table narrows to that claim.
    bar = page.locator(".js-plotly-plot").first.locator(".barlayer .point path").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)  # plotly picks the clicked point from the hover, so hover first
    page.wait_for_timeout(400)
    page.mouse.click(x, y)
    page.wait_for_function(
        "() => /(Contradicting|Supporting) evidence for/.test(document.body.innerText)", timeout=STEP_MS
    )
    _wait_idle(page)
    page.get_by_text("Show all evidence").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "dashboard-drilldown.png"), full_page=False)

    # Datasets: upload a small CSV, keep the detected mapping, validate.
    page.get_by_role("link", name="Datasets").click()
    page.wait_for_selector("text=Active dataset", timeout=STEP_MS)
    _wait_idle(page)
    page.locator("input[type=file]").first.set_input_files(
        files=[{"name": "small.csv", "mimeType": "text/csv", "buffer": SMALL_CSV.encode()}]
    )
    page.wait_for_selector("text=Column mapping", timeout=STEP_MS)
    # the preview's header: waited for, since on a slow host the upload's rerun can start after the idle check
    header = page.get_by_text("small.csv · 4 rows × 5 columns")
    header.wait_for(timeout=STEP_MS)
    _wait_idle(page)
    assert header.count() == 1
    # A corrected file of the same name and size is read again, not taken for the one already read.
    corrected = SMALL_CSV.replace(",store,", ",stor,,", 1)  # one more column, in as many bytes
    assert len(corrected) == len(SMALL_CSV)
    page.locator("input[type=file]").first.set_input_files(
        files=[{"name": "small.csv", "mimeType": "text/csv", "buffer": corrected.encode()}]
    )
    page.get_by_text("small.csv · 4 rows × 6 columns").wait_for(timeout=STEP_MS)
    _wait_idle(page)
    page.locator("input[type=file]").first.set_input_files(
        files=[{"name": "small.csv", "mimeType": "text/csv", "buffer": SMALL_CSV.encode()}]
    )
    header.wait_for(timeout=STEP_MS)
    _wait_idle(page)
    assert header.count() == 1
    _screenshot(page, "datasets-mapping.png")
    page.get_by_role("button", name="Validate and make active").click(timeout=STEP_MS)
    page.wait_for_selector("text=is now the active dataset", timeout=STEP_MS)
    _wait_idle(page)
    assert page.get_by_text("blank text").count() >= 1, "the skipped blank row is not reported"
    _screenshot(page, "datasets.png")

    # Vet copy again: a phrase scored just under the claim bar is offered, and one click checks it in place.
    page.get_by_role("link", name="Vet copy").click()
    box = page.get_by_label("Ad copy")
    box.wait_for(timeout=STEP_MS)
    box.fill(POSSIBLE_COPY)
    box.press("Control+Enter")
    _wait_idle(page)
    page.get_by_role("button", name="Check copy").click()
    offered = page.get_by_text("Possible claims the check passed over")
    offered.wait_for(timeout=STEP_MS)
    _wait_idle(page)
    offered.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "vet-copy-possible.png"), full_page=False)
    page.get_by_role("button", name="Check it").first.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('mark.aln-claim')].some(m => /Open late/.test(m.innerText))",
        timeout=STEP_MS,
    )
    _wait_idle(page)
    assert page.get_by_text("Possible claims the check passed over").count() == 0  # checked now, not offered


# ------------------------------------------------------------------------------------------ two sessions

A_FILE = "quillfeather-a.csv"
A_CSV = (
    "id,when,stars,comment\n"
    "a1,2025-03-01,1,The Quillfeather router overheats every evening.\n"
    "a2,2025-03-02,2,My Quillfeather router gets too hot to touch.\n"
    "a3,2025-03-03,5,The Zephyr mesh covers every room of the house.\n"
)
A_COPY = "Quillfeather routers never overheat.\n\nZephyr mesh covers every room."
A_WORDS = ("quillfeather", "zephyr", "overheat")
B_FILE = "marigold-b.csv"
B_CSV = (
    "id,when,stars,comment\n"
    "b1,2025-05-01,1,The Marigold app crashes when I pay my bill.\n"
    "b2,2025-05-02,5,Paying in the Marigold app takes seconds.\n"
)
B_COPY = "The Marigold app never crashes when you pay your bill."
B_WORDS = ("marigold", "crashes")
DEMO_NAME = "Brightwave demo reviews"


def _text(page) -> str:  # type: ignore[no-untyped-def]
    """Everything the page shows (main area and sidebar), lower-cased."""
    return str(page.locator("[data-testid=stApp]").inner_text()).lower()


def _dataset_choices(page) -> str:  # type: ignore[no-untyped-def]
    """The text of the Datasets page's choice of active dataset (the radio group that lists the demo)."""
    return str(page.locator("[data-testid=stRadio]").filter(has_text=DEMO_NAME).first.inner_text())


def _upload_and_activate(page, name: str, csv: str) -> None:  # type: ignore[no-untyped-def]
    """On the Datasets page: upload a file (not saved anywhere), keep the detected mapping, make it active."""
    page.get_by_role("link", name="Datasets").click()
    page.wait_for_selector("text=Active dataset", timeout=STEP_MS)
    _wait_idle(page)
    page.locator("input[type=file]").first.set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    validate = page.get_by_role("button", name="Validate and make active")
    validate.wait_for(timeout=STEP_MS)
    _wait_idle(page)
    validate.click(timeout=STEP_MS)
    page.wait_for_selector("text=is now the active dataset", timeout=STEP_MS)
    _wait_idle(page)
    assert name in page.locator("[data-testid=stSidebar]").inner_text()  # the sidebar names the active dataset


def _check_copy(page, copy: str, claim: str) -> None:  # type: ignore[no-untyped-def]
    """On Vet copy: paste the copy, check it and wait for ``claim`` to be marked in it."""
    page.get_by_role("link", name="Vet copy").click()
    page.wait_for_selector("mark.aln-claim", timeout=FIRST_CHECK_MS)
    _wait_idle(page, FIRST_CHECK_MS)
    box = page.get_by_label("Ad copy")
    box.fill(copy)
    box.press("Control+Enter")
    _wait_idle(page)
    page.get_by_role("button", name="Check copy").click()
    page.wait_for_function(
        "claim => [...document.querySelectorAll('mark.aln-claim')].some(m => m.innerText.includes(claim))",
        arg=claim,
        timeout=STEP_MS,
    )
    _wait_idle(page)


def test_two_browser_sessions_do_not_see_each_others_uploads_copy_or_results(app_url: str, browser) -> None:  # type: ignore[no-untyped-def]
    """Two browser contexts are two users on one server at once; the uploads are never saved to a workspace."""
    a, b = _new_page(browser), _new_page(browser)
    try:
        # Session A uploads its reviews, makes them active and checks its copy on them.
        a.goto(f"{app_url}/datasets", wait_until="domcontentloaded")
        a.wait_for_selector("text=Active dataset", timeout=STEP_MS)
        _wait_idle(a)
        _upload_and_activate(a, A_FILE, A_CSV)
        _check_copy(a, A_COPY, "Quillfeather routers never overheat")
        a.wait_for_function(
            "() => [...document.querySelectorAll('.aln-quote')].some(q => /overheats every evening/.test(q.innerText))",
            timeout=STEP_MS,
        )  # A's reviews are quoted as evidence

        # Session B opens while A is live: only the bundled demo (active) and the demo copy; nothing of A's.
        b.goto(f"{app_url}/datasets", wait_until="domcontentloaded")
        b.wait_for_selector("text=Active dataset", timeout=STEP_MS)
        _wait_idle(b)
        choices = _dataset_choices(b)
        assert DEMO_NAME in choices and A_FILE not in choices
        assert DEMO_NAME in b.locator("[data-testid=stSidebar]").inner_text()
        seen_by_b = _text(b)
        assert not [word for word in (*A_WORDS, A_FILE) if word in seen_by_b], "B sees A's upload"
        _screenshot(b, "session-b-datasets.png")

        # B uploads and checks its own; still nothing of A's data, copy or results.
        _upload_and_activate(b, B_FILE, B_CSV)
        assert A_FILE not in _dataset_choices(b) and B_FILE in _dataset_choices(b)
        _check_copy(b, B_COPY, "Marigold app never crashes")
        b.wait_for_function(
            "() => [...document.querySelectorAll('.aln-quote')].some(q => /crashes when I pay/.test(q.innerText))",
            timeout=STEP_MS,
        )
        seen_by_b = _text(b)
        assert not [word for word in (*A_WORDS, A_FILE) if word in seen_by_b], "B sees A's copy or results"
        assert A_COPY not in b.get_by_label("Ad copy").input_value()

        # A is unaffected (each page below is a fresh run of A's session on the server): its dataset is still
        # active and it lists none of B's; its copy, claims and evidence are still there.
        a.get_by_role("link", name="Datasets").click()
        a.wait_for_selector("text=Active dataset", timeout=STEP_MS)
        _wait_idle(a)
        choices = _dataset_choices(a)
        assert A_FILE in choices and B_FILE not in choices
        assert A_FILE in a.locator("[data-testid=stSidebar]").inner_text()
        assert not [word for word in (*B_WORDS, B_FILE) if word in _text(a)]
        _screenshot(a, "session-a-datasets.png")
        a.get_by_role("link", name="Vet copy").click()
        a.wait_for_function(
            "() => [...document.querySelectorAll('mark.aln-claim')].some(m => /Quillfeather/.test(m.innerText))",
            timeout=STEP_MS,
        )
        _wait_idle(a)
        assert a.get_by_label("Ad copy").input_value() == A_COPY
        seen_by_a = _text(a)
        assert "overheats every evening" in seen_by_a
        assert not [word for word in (*B_WORDS, B_FILE) if word in seen_by_a]
    finally:
        a.context.close()
        b.context.close()


def test_a_laptop_window_of_800_pixels_wraps_columns_instead_of_cutting_figures(app_url: str, browser) -> None:  # type: ignore[no-untyped-def]
    """At 800 px the sidebar leaves the page about 450 px: the metrics must still show their figures whole and
    the copy box must stay wide enough to read, so squeezed columns wrap onto a new row."""
    context = browser.new_context(viewport={"width": 800, "height": 1000}, device_scale_factor=1)
    narrow = context.new_page()
    try:
        narrow.goto(f"{app_url}/vet-copy", wait_until="domcontentloaded")
        narrow.wait_for_selector("mark.aln-claim", timeout=FIRST_CHECK_MS)
        _wait_idle(narrow, FIRST_CHECK_MS)
        cut = narrow.evaluate(
            "() => [...document.querySelectorAll('[data-testid=stMetricValue], [data-testid=stMetricLabel]')]"
            ".filter(e => e.scrollWidth > e.clientWidth + 1 ||"
            " [...e.querySelectorAll('*')].some(c => c.scrollWidth > c.clientWidth + 1)).map(e => e.innerText)"
        )
        assert narrow.locator("[data-testid=stMetricValue]").count() >= 5
        assert cut == [], f"metric figures or labels cut short at 800 px: {cut}"
        box = narrow.get_by_label("Ad copy").bounding_box()
        assert box is not None and box["width"] >= 300, f"the copy box is {box} wide at 800 px"
        narrow.screenshot(path=str(ARTIFACTS / "vet-copy-800px.png"), full_page=True)
    finally:
        context.close()


# Per chart on the page: its box, its plot areas, and the boxes of its title, legend, annotations and tick
# labels, in page pixels.
_CHART_BOXES = """() => [...document.querySelectorAll('.js-plotly-plot')].map(chart => {
    const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    const all = selector => [...chart.querySelectorAll(selector)].filter(e => e.getBoundingClientRect().width > 0);
    return {
        chart: box(chart),
        plots: all('.nsewdrag').map(box),
        title: all('.gtitle').map(box),
        legend: all('.legend .bg').map(box),
        annotations: all('.annotation-text-g .annotation-text').map(e => [e.textContent, box(e)]),
        xticks: all('.xaxislayer-above .xtick text').map(e => [e.textContent, box(e)]),
    };
})"""


def _meet(a: list[float], b: list[float]) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1


def test_the_gap_dashboard_keeps_its_charts_readable_in_a_laptop_window_of_800_pixels(app_url: str, browser) -> None:  # type: ignore[no-untyped-def]
    """At 800 px with the sidebar open a chart is about 470 px wide: the gap bars and the heatmap's cells keep
    most of it (claim labels take two short lines), the trend panels' titles fit over their panels without
    meeting, every heatmap column keeps its header, and no legend sits on its chart's title."""
    context = browser.new_context(viewport={"width": 800, "height": 1400}, device_scale_factor=1)
    narrow = context.new_page()
    try:
        narrow.goto(app_url, wait_until="domcontentloaded")
        narrow.wait_for_function(
            "() => document.querySelectorAll('.js-plotly-plot .nsewdrag').length >= 4", timeout=FIRST_CHECK_MS
        )
        _wait_idle(narrow, FIRST_CHECK_MS)
        narrow.wait_for_timeout(1500)
        gap, trend, segments, quadrant = narrow.evaluate(_CHART_BOXES)
        for name, chart in (("gap", gap), ("trend", trend), ("segments", segments), ("prominence", quadrant)):
            width = chart["chart"][2] - chart["chart"][0]
            assert 400 <= width <= 520, f"the {name} chart is {width} px wide at 800 px"
            for title in chart["title"]:
                assert not any(_meet(title, legend) for legend in chart["legend"]), f"the {name} legend is on its title"
        for name, chart in (("gap", gap), ("segments", segments)):
            plot = chart["plots"][0]
            assert plot[2] - plot[0] >= 0.45 * (chart["chart"][2] - chart["chart"][0]), f"{name}: plot {plot}"
        assert all(plot[2] - plot[0] >= 120 for plot in trend["plots"]), trend["plots"]
        titles = [box for _, box in trend["annotations"]]
        assert len(titles) >= 4
        left, right = trend["chart"][0], trend["chart"][2]
        for index, title in enumerate(titles):
            assert left - 1 <= title[0] and title[2] <= right + 1, (
                f"a panel title is cut: {trend['annotations'][index]}"
            )
            assert not any(_meet(title, other) for other in titles[index + 1 :]), trend["annotations"][index]
        headers = [text for text, _ in segments["xticks"]]
        assert len(headers) == len(set(headers)) >= 5, f"heatmap headers shown: {headers}"
        # turned headers: their boxes overlap, their lines must not (parallel, at least a line's height apart)
        centres = sorted((box[0] + box[2]) / 2 for _, box in segments["xticks"])
        assert all(b - a >= 16 for a, b in itertools.pairwise(centres)), (headers, centres)
        labels = [box for _, box in quadrant["annotations"]]
        assert labels and all(
            quadrant["chart"][0] - 1 <= box[0] and box[2] <= quadrant["chart"][2] + 1 for box in labels
        )
        narrow.screenshot(path=str(ARTIFACTS / "dashboard-800px.png"), full_page=True)
    finally:
        context.close()
