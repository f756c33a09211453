"""The Vet copy draft as text (alignment.ui.drafts) and as kept in the workspace (Workspace.save_draft and
load_draft): read back as written, refused in one line when damaged, one draft per name in place of the one
before, old ones pruned on save; and the draft ids that name a tab's draft in the page's address."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from alignment.errors import InputError
from alignment.records import Ad, Claim
from alignment.ui.drafts import (
    Draft,
    DraftDataset,
    DraftError,
    draft_from_json,
    draft_to_json,
    is_draft_id,
    new_draft_id,
)
from alignment.ui.edits import ClaimRow
from alignment.ui.vet_copy import checked_at_text
from alignment.workspace import Workspace

DRAFT = Draft(
    box="Fewer dropped calls. Free phone on every plan.\n\nTyped since the check.",
    checked="Fewer dropped calls. Free phone on every plan.",
    ads=(Ad("ad1", "Fewer dropped calls. Free phone on every plan."),),
    rows=(
        ClaimRow(Claim("c1", "ad1", "Fewer dropped calls", 0, 19, "coverage", "comparative")),
        ClaimRow(
            Claim("c2", "ad1", "Free phone on every plan", 21, 45, "price", "qualitative"),
            keep=True,
            origin="reworded",
            original="Free phone when you switch",
        ),
        ClaimRow(Claim("h1", "added", "No hidden fees", 0, 14, "fees", "absolute"), keep=False, origin="added"),
    ),
    dataset=DraftDataset(kind="workspace", name="shop"),
    left_out="Only the first 50 claims of this copy were checked.",
)


def test_drafts_read_back_as_written():
    assert draft_from_json(draft_to_json(DRAFT)) == DRAFT
    bare = Draft(box="", checked="", ads=(), rows=(), dataset=DraftDataset(kind="demo", name="Brightwave"))
    assert draft_from_json(draft_to_json(bare)) == bare


def _damaged(change) -> str:  # type: ignore[no-untyped-def]
    data = json.loads(draft_to_json(DRAFT))
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": 1, "box": "cut sh', "not valid JSON"),
        ("[1, 2]", "not a draft"),
        (_damaged(lambda d: d.update(format=2)), "format 2"),
        (_damaged(lambda d: d.pop("rows")), "missing or damaged"),
        (_damaged(lambda d: d["rows"][0].update(type="boast")), "unknown claim type"),
        (_damaged(lambda d: d["rows"][0].update(origin="pasted")), "unknown claim origin"),
        (_damaged(lambda d: d["rows"][0].update(start=30)), "offsets"),
        (_damaged(lambda d: d["rows"][0].update(end="19")), "not a whole number"),
        (_damaged(lambda d: d["rows"][0].update(keep="yes")), "true or false"),
        (_damaged(lambda d: d["dataset"].update(kind="cloud")), "dataset kind"),
        (_damaged(lambda d: d["ads"][0].update(text=None)), "not text"),
    ],
)
def test_a_damaged_draft_is_refused_in_one_line(text, message):
    with pytest.raises(DraftError, match=message) as caught:
        draft_from_json(text)
    assert "\n" not in str(caught.value)


def test_workspace_keeps_one_draft_per_name_in_place_of_the_one_before(tmp_path):
    with Workspace.open(tmp_path / "ws") as workspace:
        assert workspace.load_draft("vet-copy") is None
        workspace.save_draft("vet-copy", "first")
        saved_at = workspace.save_draft("vet-copy", "second")
        assert workspace.load_draft("vet-copy") == ("second", saved_at)
        assert isinstance(saved_at, datetime)
        assert workspace.list_datasets() == [] and workspace.list_runs() == []
    with Workspace.open(tmp_path / "ws", read_only=True) as workspace:  # kept across opening it again
        assert workspace.load_draft("vet-copy") == ("second", saved_at)
        with pytest.raises(InputError, match="can only be read"):
            workspace.save_draft("vet-copy", "third")


def test_saving_a_draft_prunes_those_neither_among_the_most_recent_nor_younger_than_the_age_limit(tmp_path):
    with Workspace.open(tmp_path / "ws") as workspace:
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)  # as the workspace keeps times: UTC, naive
        # Three old drafts (40, 41, 42 days) and two young ones (1 and 2 days), written as a month of use would.
        for name, days in [("old-40", 40), ("old-41", 41), ("old-42", 42), ("young-1", 1), ("young-2", 2)]:
            workspace._con.execute("INSERT INTO drafts VALUES (?, ?, ?)", [name, now - timedelta(days=days), "x"])
        # Keep the 4 saved last (the new one, the two young, old-40) or those of the last 30 days.
        workspace.save_draft("new", "y", keep_recent=4, keep_days=30)
        kept = {row[0] for row in workspace._con.execute("SELECT name FROM drafts").fetchall()}
        assert kept == {"new", "young-1", "young-2", "old-40"}
        # Young drafts are kept however many there are; the one saved last is never pruned.
        workspace.save_draft("newer", "z", keep_recent=1, keep_days=30)
        kept = {row[0] for row in workspace._con.execute("SELECT name FROM drafts").fetchall()}
        assert kept == {"newer", "new", "young-1", "young-2"}
        assert workspace.load_draft("newer") is not None


def test_draft_ids_are_fresh_and_fit_for_an_address_and_others_are_refused():
    ids = {new_draft_id() for _ in range(200)}
    assert len(ids) == 200 and all(is_draft_id(draft_id) for draft_id in ids)
    for given in ["", "abc", "x" * 13, "aaaaaaaaaaa/", "aaaa aaaaaaa", "ééééééééééé", None, ["aaaaaaaaaaaa"], 12]:
        assert not is_draft_id(given), given


def test_a_workspace_from_before_drafts_opened_read_only_has_no_draft(tmp_path):
    with Workspace.open(tmp_path / "ws") as workspace:
        workspace._con.execute("DROP TABLE drafts")  # as an alignment before drafts left it
    with Workspace.open(tmp_path / "ws", read_only=True) as workspace:
        assert workspace.load_draft("vet-copy") is None


def test_the_time_a_draft_was_checked_is_said_on_the_readers_clock_or_in_utc():
    saved_at = datetime(2026, 12, 3, 13, 5, 9)
    assert checked_at_text(saved_at, "Europe/Paris") == "14:05 on 3 Dec 2026"
    assert checked_at_text(saved_at, "") == "13:05 on 3 Dec 2026 UTC"
    assert checked_at_text(saved_at, "Not/AZone") == "13:05 on 3 Dec 2026 UTC"
