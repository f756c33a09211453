"""Vet copy keeps the marketer's draft in the workspace under an id held in the page's address: a new session at
that address (a reload, a bookmark, the app restarted) opens on the copy checked last there, with its claim edits
and its dataset, says so in one line, and offers the example instead; a session at an address without it starts
from the example. AppTest sessions with the stand-in models of test_app (no models loaded); a reload is a new
AppTest given the first one's query parameters, as a browser sends its address again."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest
from test_app import STAND_IN_COPY, _read_copy_stand_in, _vet_copy_page, stand_in_models  # noqa: F401

from alignment.ui import workspace_store
from alignment.ui.drafts import Draft, DraftDataset, is_draft_id, new_draft_id
from alignment.workspace import Workspace

DRAFT_COPY = "Fewer dropped calls than any network. No hidden fees, ever.\n\nFree phone when you switch."
# Every test here runs on test_app's stand-in models (no model is loaded).
pytestmark = pytest.mark.usefixtures("stand_in_models")
SMALL_CSV = (
    "id,date,stars,comment\n"
    "1,2025-03-01,1,My calls drop every single day.\n"
    "2,2025-03-02,5,No hidden fees at all and the bill was what they quoted.\n"
)


@pytest.fixture(autouse=True)
def workspace_folder(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Each test's own workspace, at a path the test can open too (conftest gives every test one, unnamed)."""
    folder = tmp_path / "workspace"
    monkeypatch.setenv("ALIGN_WORKSPACE", str(folder))
    return folder


def _session(draft_id: str | None = None) -> AppTest:
    """A new session, opened at an address holding ``draft_id`` (or none)."""
    app = AppTest.from_function(_vet_copy_page, default_timeout=60)
    if draft_id is not None:
        app.query_params["draft"] = draft_id
    app.run()
    assert not app.exception
    return app


def _reload(app: AppTest) -> AppTest:
    """The page loaded again at the address ``app`` shows now: a new session, on the same server."""
    return _session(app.query_params["draft"])


def _check(app: AppTest, copy: str) -> None:
    app.text_area(key="vet_copy_input").input(copy).run()
    app.button(key="vet_check").click().run()
    assert not app.exception


def _rows(app: AppTest) -> list[tuple[str, bool, str]]:
    return [(row.claim.text, row.keep, row.origin) for row in app.session_state["aln_rows"]]


def _restored_lines(app: AppTest) -> list[str]:
    return [caption.value for caption in app.caption if caption.value.startswith("Restored your draft")]


def _edit(app: AppTest) -> None:
    """Drop one claim, reword another and add one by hand."""
    generation = app.session_state["aln_generation"]
    app.button(key=f"drop_{generation}_c2").click().run()  # "No hidden fees, ever"
    app.text_input(key=f"reword_{generation}_c3").input("Free phone on every plan")
    app.button(key=f"recheck_{generation}_c3").click().run()
    app.text_input(key="vet_add_text").input("Free roaming in 40 countries")
    app.button[[button.label for button in app.button].index("Add and check")].click().run()
    assert not app.exception


EDITED = [
    ("Fewer dropped calls than any network", True, "copy"),
    ("No hidden fees, ever", False, "copy"),
    ("Free phone on every plan", True, "reworded"),
    ("Free roaming in 40 countries", True, "added"),
]


def test_a_new_session_puts_a_fresh_draft_id_in_the_address_and_keeps_it_on_every_run():
    app = _session()
    draft_id = app.query_params["draft"]
    assert is_draft_id(draft_id)
    _check(app, DRAFT_COPY)
    assert app.query_params["draft"] == draft_id
    # Streamlit drops the query parameters on a move to another page; the next run puts the id back.
    app.query_params.clear()
    app.run()
    assert app.query_params["draft"] == draft_id
    assert _session().query_params["draft"] != draft_id  # another tab, opened at the bare address: its own id


def test_a_reload_at_the_same_address_opens_on_the_draft_with_its_edits():
    first = _session()
    assert not _restored_lines(first)  # nothing kept yet: the example copy, and no line about a draft
    assert first.session_state["aln_checked_copy"] == STAND_IN_COPY
    _check(first, DRAFT_COPY)
    _edit(first)
    assert _rows(first) == EDITED
    checked = first.session_state["aln_checked_copy"]
    assert "Free phone on every plan" in checked  # the rewording rewrote the copy

    # A reload is a new session on the same server, at the same address: it opens on the draft, edits and all.
    reloaded = _reload(first)
    assert reloaded.query_params["draft"] == first.query_params["draft"]
    assert _rows(reloaded) == EDITED
    assert reloaded.session_state["aln_checked_copy"] == checked
    assert reloaded.text_area(key="vet_copy_input").value == checked
    lines = _restored_lines(reloaded)
    assert len(lines) == 1 and "from this page's address, last checked at" in lines[0] and "bookmark" in lines[0]
    assert "\n" not in lines[0]
    assert any(h.value == "Dropped claims (1)" for h in reloaded.subheader)
    assert not any("has changed since the last check" in note.value for note in reloaded.info)
    # Its claims are checked again and shown, the one added by hand among them.
    assert any(h.value == "Evidence per claim" for h in reloaded.subheader)
    assert "Free roaming in 40 countries" in "".join(str(e.proto.body) for e in reloaded.get("html"))


def test_a_session_without_the_address_never_opens_on_another_sessions_draft():
    first = _session()
    _check(first, DRAFT_COPY)
    _edit(first)
    fresh = _session()  # a new tab at the bare address, after the first one checked
    assert fresh.session_state["aln_checked_copy"] == STAND_IN_COPY
    assert all(origin == "copy" and keep for _, keep, origin in _rows(fresh))
    assert not _restored_lines(fresh)


@pytest.mark.parametrize("given", ["not a draft id!", "abc", "x" * 40, "../../etc/pass"])
def test_a_malformed_draft_id_in_the_address_starts_afresh_under_a_new_one(given):
    app = _session(given)
    assert app.session_state["aln_checked_copy"] == STAND_IN_COPY and not _restored_lines(app) and not app.warning
    assert app.query_params["draft"] != given and is_draft_id(app.query_params["draft"])


def test_an_unknown_draft_id_starts_from_the_example_and_keeps_the_address():
    # A pruned draft, or a reload before the first check: the example, said by nothing, under the same id.
    unknown = new_draft_id()
    app = _session(unknown)
    assert app.session_state["aln_checked_copy"] == STAND_IN_COPY and not _restored_lines(app) and not app.warning
    assert app.query_params["draft"] == unknown
    _check(app, DRAFT_COPY)
    assert _reload(app).session_state["aln_checked_copy"] == DRAFT_COPY


def test_start_from_the_example_starts_a_new_draft_and_leaves_the_old_one_at_its_address():
    first = _session()
    _check(first, DRAFT_COPY)
    _edit(first)
    old_id = first.query_params["draft"]
    reloaded = _reload(first)
    reloaded.button(key="vet_draft_example").click().run()
    assert not reloaded.exception
    assert reloaded.session_state["aln_checked_copy"] == STAND_IN_COPY
    assert all(origin == "copy" and keep for _, keep, origin in _rows(reloaded))  # the edits went with the draft
    assert not _restored_lines(reloaded)
    new_id = reloaded.query_params["draft"]
    assert new_id != old_id and is_draft_id(new_id)
    # The example, checked, is the new address's draft; the old address still opens on the old draft.
    assert _reload(reloaded).session_state["aln_checked_copy"] == STAND_IN_COPY
    old = _session(old_id)
    assert _rows(old) == EDITED and len(_restored_lines(old)) == 1


def test_two_tabs_keep_two_drafts_that_are_never_mixed():
    one, two = _session(), _session()
    _check(one, DRAFT_COPY)
    _edit(one)
    _check(two, "Real people answer 24/7.")
    assert _rows(_reload(two)) == [("Real people answer 24/7", True, "copy")]  # none of the first tab's edits
    assert _rows(_reload(one)) == EDITED


def test_a_damaged_draft_says_so_in_one_line_and_opens_on_the_example(workspace_folder):
    draft_id = new_draft_id()
    with Workspace.open(workspace_folder) as workspace:
        workspace.save_draft(workspace_store.draft_name(draft_id), '{"format": 1, "box": "cut sh')
    app = _session(draft_id)
    warnings = [w.value for w in app.warning if "draft could not be read back" in w.value]
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert app.session_state["aln_checked_copy"] == STAND_IN_COPY
    assert not _restored_lines(app)


def test_a_draft_checked_on_an_unsaved_upload_is_checked_on_the_demo_and_says_so():
    draft = Draft(
        box="No hidden fees, ever.",
        checked="No hidden fees, ever.",
        ads=(),
        rows=(),
        dataset=DraftDataset(kind="upload", name="spring-reviews.csv"),
    )
    draft_id = new_draft_id()
    workspace_store.save_draft(draft_id, _with_claims(draft))
    app = _session(draft_id)
    notes = [w.value for w in app.warning if "spring-reviews.csv" in w.value]
    assert len(notes) == 1 and "not saved to the workspace" in notes[0] and "Brightwave demo reviews" in notes[0]
    assert app.session_state["aln_datasets"][app.session_state["aln_active_dataset"]].origin == "bundled demo"
    assert _rows(app) == [("No hidden fees, ever", True, "copy")]


def test_a_draft_checked_on_a_workspace_dataset_opens_on_it_or_says_it_was_deleted(
    workspace_folder, tmp_path, monkeypatch
):
    from alignment.ui import resources

    # A workspace dataset's check wraps the embedder in the stored vectors; the stand-in judge embeds nothing.
    monkeypatch.setattr(resources, "load_models", lambda: SimpleNamespace(embedder=SimpleNamespace(model_id="none")))
    source = tmp_path / "shop.csv"
    source.write_text(SMALL_CSV)
    with Workspace.open(workspace_folder) as workspace:
        workspace.ingest(source, "shop")
    draft = Draft(
        box="No hidden fees, ever.",
        checked="No hidden fees, ever.",
        ads=(),
        rows=(),
        dataset=DraftDataset(kind="workspace", name="shop"),
    )
    draft_id = new_draft_id()
    workspace_store.save_draft(draft_id, _with_claims(draft))
    app = _session(draft_id)
    active = app.session_state["aln_datasets"][app.session_state["aln_active_dataset"]]
    assert active.workspace_name == "shop" and not app.warning
    # Deleted since: the demo, said in one line.
    with Workspace.open(workspace_folder) as workspace:
        workspace.delete_dataset("shop")
    app = _session(draft_id)
    notes = [w.value for w in app.warning if "shop" in w.value]
    assert len(notes) == 1 and "no longer in the workspace" in notes[0]
    assert app.session_state["aln_datasets"][app.session_state["aln_active_dataset"]].origin == "bundled demo"


def test_checking_copy_writes_only_the_draft_never_a_dataset_or_run(workspace_folder):
    app = _session()
    _check(app, DRAFT_COPY)
    with Workspace.open(workspace_folder) as workspace:
        assert workspace.list_datasets() == [] and workspace.list_runs() == []
        assert workspace.load_draft(workspace_store.draft_name(app.query_params["draft"])) is not None


def test_a_draft_that_cannot_be_kept_says_so_in_one_line_and_the_check_goes_on(monkeypatch):
    from alignment.workspace import WorkspaceError

    def fail(draft_id: str, draft: Draft) -> None:
        raise WorkspaceError("The workspace /x/workspace.duckdb failed while a draft was saved: disk I/O error")

    monkeypatch.setattr(workspace_store, "save_draft", fail)
    app = _session()
    _check(app, DRAFT_COPY)
    lines = [c.value for c in app.caption if "not kept for a reload" in c.value]
    assert len(lines) == 1 and "disk I/O error" in lines[0]
    assert app.session_state["aln_checked_copy"] == DRAFT_COPY


def _with_claims(draft: Draft) -> Draft:
    """The draft with its copy read into ads and claims as the stand-in extractor reads them."""
    from alignment.ingest import parse_ads_text
    from alignment.ui.edits import rows_from_claims

    claims, _ = _read_copy_stand_in(draft.checked, 50)
    return dataclasses.replace(draft, ads=tuple(parse_ads_text(draft.checked)), rows=tuple(rows_from_claims(claims)))
