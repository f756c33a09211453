"""Two app sessions at once (two AppTest runs in one process, so they share every server-wide cache, as two
browser tabs share one server): neither sees the other's uploads, copy or results, and the server's result
cache only answers a session that holds the same data, claims and settings."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest
from streamlit.testing.v1 import AppTest

from alignment.config import Config
from alignment.records import Claim
from alignment.ui.resources import DEMO_NAME, report_key

pytestmark = pytest.mark.models

TIMEOUT = 400  # the first run loads the models on a small CPU
A_FILE = "quillfeather-a.csv"
A_CSV = (
    b"id,when,stars,comment\n"
    b"a1,2025-03-01,1,The Quillfeather router overheats every evening.\n"
    b"a2,2025-03-02,2,My Quillfeather router gets too hot to touch.\n"
    b"a3,2025-03-03,5,The Zephyr mesh covers every room of the house.\n"
)
A_COPY = "Quillfeather routers never overheat.\n\nZephyr mesh covers every room."
A_WORDS = ("quillfeather", "zephyr")
B_FILE = "marigold-b.csv"
B_CSV = (
    b"id,when,stars,comment\n"
    b"b1,2025-05-01,1,The Marigold app crashes when I pay my bill.\n"
    b"b2,2025-05-02,5,Paying in the Marigold app takes seconds.\n"
)
B_COPY = "The Marigold app never crashes when you pay your bill."
B_WORDS = ("marigold",)


def _app() -> None:
    """The sidebar and one page, chosen by ``test_page`` (AppTest cannot switch between callable st.Pages)."""
    import streamlit as st

    from alignment.ui import common, dashboard, datasets, vet_copy

    common.render_sidebar()
    pages = {"datasets": datasets.render, "vet": vet_copy.render, "dashboard": dashboard.render}
    pages[st.session_state.get("test_page", "datasets")]()


def _session() -> AppTest:
    app = AppTest.from_function(_app, default_timeout=TIMEOUT).run()
    assert not app.exception
    return app


def _open(app: AppTest, page: str) -> None:
    app.session_state["test_page"] = page
    app.run()
    assert not app.exception


def _everything(app: AppTest) -> str:
    """All the session shows (every element of the page and the sidebar, table cells and the text of HTML
    fragments included), lower-cased."""
    parts: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app.main)
    walk(app.sidebar)
    parts.extend(frame.value.to_csv() for frame in app.dataframe)
    parts.extend(html.unescape(re.sub(r"<[^>]+>", "", str(fragment.proto.body))) for fragment in app.get("html"))
    return "\n".join(parts).lower()


def _upload_and_activate(app: AppTest, name: str, data: bytes) -> None:
    """On the Datasets page: upload a file, keep the detected column mapping, validate and make it active."""
    _open(app, "datasets")
    app.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not app.exception
    labels = [button.label for button in app.button]
    app.button[labels.index("Validate and make active")].click().run()
    assert not app.exception
    assert any("is now the active dataset" in message.value for message in app.success)


def _check_copy(app: AppTest, copy: str) -> None:
    """On Vet copy: paste the copy and check it."""
    _open(app, "vet")
    app.text_area(key="vet_copy_input").input(copy).run()
    app.button(key="vet_check").click().run()
    assert not app.exception


def _dataset_names(app: AppTest) -> list[str]:
    return [dataset.name for dataset in app.session_state["aln_datasets"].values()]


def _active_name(app: AppTest) -> str:
    return str(app.session_state["aln_datasets"][app.session_state["aln_active_dataset"]].name)


def test_two_sessions_do_not_see_each_others_uploads_copy_or_results():
    # Session A uploads its reviews and checks its copy on them.
    a = _session()
    _upload_and_activate(a, A_FILE, A_CSV)
    _check_copy(a, A_COPY)
    assert "quillfeather routers never overheat" in _everything(a)  # A's claims and verdicts are shown
    assert "overheats every evening" in _everything(a)  # with A's reviews as evidence

    # Session B, opened while A is live, has only the bundled demo, active, and the demo copy; its page's
    # address names a draft of its own, so it does not open on the draft A's check kept in the workspace.
    b = _session()
    assert b.query_params["draft"] != a.query_params["draft"]
    assert DEMO_NAME in _dataset_names(b) and A_FILE not in _dataset_names(b) and _active_name(b) == DEMO_NAME
    choices = b.radio[0].options  # "Check claims against": the datasets B can make active
    assert any(DEMO_NAME in choice for choice in choices) and not any(A_FILE in choice for choice in choices)
    assert DEMO_NAME in b.sidebar.markdown[0].value
    assert not any(word in _everything(b) for word in (*A_WORDS, A_FILE))
    assert not any(word in b.session_state["aln_checked_copy"].lower() for word in A_WORDS)

    # B uploads and checks its own; its page shows none of A's data, copy or results.
    _upload_and_activate(b, B_FILE, B_CSV)
    assert A_FILE not in _dataset_names(b) and _active_name(b) == B_FILE
    _check_copy(b, B_COPY)
    seen_by_b = _everything(b)
    assert "marigold app never crashes when you pay" in seen_by_b and "crashes when i pay" in seen_by_b
    assert not any(word in seen_by_b for word in A_WORDS)

    # A is unaffected by what B did: same datasets, same active one, same copy and results.
    _open(a, "datasets")
    assert B_FILE not in _dataset_names(a) and _active_name(a) == A_FILE
    assert not any(word in _everything(a) for word in (*B_WORDS, B_FILE))
    _open(a, "vet")
    seen_by_a = _everything(a)
    assert "quillfeather routers never overheat" in seen_by_a and "overheats every evening" in seen_by_a
    assert not any(word in seen_by_a for word in B_WORDS)


def test_the_same_copy_checked_on_other_reviews_is_not_served_from_another_sessions_result():
    """The server-wide result cache is keyed by the dataset's content: B checking A's exact copy on its own
    reviews gets a fresh result with its own evidence, never A's cached one."""
    a = _session()
    _upload_and_activate(a, A_FILE, A_CSV)
    _check_copy(a, A_COPY)
    assert "overheats every evening" in _everything(a)

    b = _session()
    _upload_and_activate(b, B_FILE, B_CSV)
    _check_copy(b, A_COPY)  # B happens to paste the same copy
    seen_by_b = _everything(b)
    assert "quillfeather routers never overheat" in seen_by_b  # B's own copy, as typed
    assert (
        "overheats" not in seen_by_b
        and "too hot to touch" not in seen_by_b
        and "zephyr mesh covers every room of" not in seen_by_b
    )
    assert a.session_state["aln_checked_copy"] == b.session_state["aln_checked_copy"]


def test_result_cache_key_changes_with_the_dataset_every_claim_field_and_every_setting():
    claim = Claim("c1", "ad1", "Quillfeather routers never overheat", 0, 35, "routers", "absolute")
    key = report_key([claim], "dataset-a", Config())
    assert report_key([claim], "dataset-a", Config()) == key  # the same data, claims and settings meet
    assert report_key([claim], "dataset-b", Config()) != key
    assert (
        report_key([dataclasses.replace(claim, text="Quillfeather routers rarely overheat")], "dataset-a", Config())
        != key
    )
    assert report_key([dataclasses.replace(claim, claim_id="h1")], "dataset-a", Config()) != key
    assert report_key([claim], "dataset-a", Config(min_evidence=3)) != key
    assert report_key([claim], "dataset-a", Config(stance_model="lexicon")) != key
    assert report_key([], "dataset-a", Config()) != key


def test_a_session_uploading_the_same_bytes_under_another_name_sees_its_own_file_name():
    a = _session()
    _upload_and_activate(a, A_FILE, A_CSV)
    _check_copy(a, A_COPY)

    b = _session()
    _upload_and_activate(b, "renamed.csv", A_CSV)  # byte-identical reviews, another name
    _check_copy(b, A_COPY)
    _open(b, "dashboard")  # its last caption (and its JSON and HTML downloads) name the report's dataset
    captions = [caption.value for caption in b.caption]
    assert any(caption.startswith("Dataset renamed.csv:") for caption in captions), captions
    assert A_FILE not in _everything(b)
