"""The Streamlit app: upload handling, claim edits, drill-down and HTML fragments as plain functions, then an
AppTest per page on the bundled demo data (headless, real models)."""

from __future__ import annotations

import io
import json
import re
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from alignment.errors import InputError
from alignment.ingest import ColumnMapping, parse_ads_text
from alignment.records import Ad, Claim, Judgement, PossibleClaim
from alignment.ui import edits, text
from alignment.ui.drill import Drill, apply_drill, drill_from_points, search
from alignment.ui.uploads import build_dataset, read_copy_upload, read_dataset_upload

APP = Path(__file__).resolve().parent.parent / "app.py"
TIMEOUT = 400  # the first check loads the models and embeds the demo on a small CPU
SMALL_CSV = (
    "id,when,stars,store,comment\n"
    "1,2025-03-01,1,North,My calls drop every single day.\n"
    "2,2025-03-02,5,South,No hidden fees at all and the bill was what they quoted.\n"
    "3,2025-04-03,2,North,Waited two hours for support at night.\n"
    "4,2025-04-04,,South,\n"
)


# ------------------------------------------------------------------------------------------ uploads


def test_copy_upload_reads_text_markdown_and_word():
    assert read_copy_upload(b"Fewer dropped calls.\r\n\r\nNo fees.", "copy.txt") == ("Fewer dropped calls.\n\nNo fees.")
    assert read_copy_upload("# Ad\n\nNo hidden fees.".encode("utf-8-sig"), "copy.md").endswith("No hidden fees.")
    import docx

    document = docx.Document()
    document.add_paragraph("Fewer dropped calls than any network.")
    document.add_paragraph("")
    document.add_paragraph("No hidden fees, ever.")
    buffer = io.BytesIO()
    document.save(buffer)
    copy = read_copy_upload(buffer.getvalue(), "draft.docx")
    assert [ad.text for ad in parse_ads_text(copy)] == [
        "Fewer dropped calls than any network.",
        "No hidden fees, ever.",
    ]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"hello", "copy.pdf", ".txt, .md, .html or .docx"),
        (b"not a zip", "copy.docx", "Word document"),
        (b"   \n", "copy.txt", "^copy.txt is empty: nothing was checked"),
        (b"", "copy.txt", "^copy.txt is empty: nothing was checked"),
        (bytes(range(0, 32)) * 20, "copy.txt", "binary"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "brochure.txt", "^brochure.txt is not text .*PDF"),
        (b"Free returns.\x00\x00", "copy.txt", "is not text"),
    ],
)
def test_copy_upload_errors_are_one_line_messages(data, name, message):
    with pytest.raises(InputError, match=message):
        read_copy_upload(data, name)


def _table_bytes(kind: str) -> bytes:
    frame = pd.read_csv(io.StringIO(SMALL_CSV), dtype=str, keep_default_na=False)
    if kind == "csv":
        return SMALL_CSV.encode()
    if kind == "tsv":
        return frame.to_csv(sep="\t", index=False).encode()
    if kind == "json":
        return json.dumps(frame.to_dict(orient="records")).encode()
    if kind == "jsonl":
        return "\n".join(json.dumps(r) for r in frame.to_dict(orient="records")).encode()
    buffer = io.BytesIO()
    if kind == "xlsx":
        frame.to_excel(buffer, index=False)
    else:
        frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["csv", "tsv", "xlsx", "json", "jsonl", "parquet"])
def test_dataset_upload_reads_every_format_and_maps_columns(kind):
    table = read_dataset_upload(_table_bytes(kind), f"reviews.{kind}")
    assert table.name == f"reviews.{kind}" and len(table.frame) == 4
    mapping = ColumnMapping(text="comment", id="id", date="when", rating="stars", segments=("store",))
    dataset = build_dataset(table, mapping)
    summary = dataset.review_set.summary
    assert summary.source == f"reviews.{kind}"
    assert summary.reviews == 3 and summary.skipped == {"blank text": 1}
    assert summary.columns["date"] == "when" and list(summary.columns["segments"]) == ["store"]  # type: ignore[call-overload]
    assert dataset.review_set.reviews[0].date == "2025-03-01"
    assert build_dataset(table, mapping).key == dataset.key  # same bytes and mapping, same cache key
    other = build_dataset(table, ColumnMapping(text="comment"))
    assert other.key != dataset.key


def test_dataset_upload_rejects_wrong_type_size_and_empty_files():
    with pytest.raises(InputError, match="unsupported file type"):
        read_dataset_upload(b"a,b\n1,2\n", "reviews.pdf")
    with pytest.raises(InputError, match="limit"):
        read_dataset_upload(b"text\n" + b"x" * 2000, "reviews.csv", max_bytes=1000)
    with pytest.raises(InputError):
        read_dataset_upload(b"", "reviews.csv")
    table = read_dataset_upload(SMALL_CSV.encode(), "reviews.csv")
    with pytest.raises(InputError, match="missing"):
        build_dataset(table, ColumnMapping(text="missing"))
    blank = read_dataset_upload(b"id,comment\n1,\n2,  \n", "blank.csv")
    with pytest.raises(InputError, match="no review text"):
        build_dataset(blank, ColumnMapping(text="comment", id="id"))


# ------------------------------------------------------------------------------------------ edits


def _infer(text_: str) -> Claim:
    return Claim("x", "given", text_, 0, len(text_), text_.split()[-1].lower(), "qualitative")


def _copy() -> tuple[list[Ad], list[edits.ClaimRow]]:
    ad = Ad("ad1", "Fewer dropped calls than anyone. No hidden fees, ever.")
    claims = [
        Claim("c1", "ad1", "Fewer dropped calls than anyone", 0, 31, "dropped calls", "comparative"),
        Claim("c2", "ad1", "No hidden fees, ever", 33, 53, "hidden fees", "absolute"),
    ]
    return [ad], edits.rows_from_claims(claims)


def test_reword_rewrites_the_copy_and_moves_later_claims():
    ads, rows = _copy()
    new_ads, new_rows = edits.reword(ads, rows, "c1", "Fewer dropped calls in most regions", _infer)
    assert new_ads[0].text == "Fewer dropped calls in most regions. No hidden fees, ever."
    for row in new_rows:
        claim = row.claim
        assert new_ads[0].text[claim.start : claim.end] == claim.text
    assert new_rows[0].origin == "reworded" and new_rows[0].original == "Fewer dropped calls than anyone"
    assert new_rows[0].claim.aspect == "regions"
    assert edits.copy_text(new_ads) == new_ads[0].text
    with pytest.raises(InputError):
        edits.reword(ads, rows, "c1", "   ", _infer)
    with pytest.raises(InputError):
        edits.reword(ads, rows, "c9", "Anything", _infer)


def test_a_claim_cannot_be_reworded_into_another_checked_claim_nor_added_empty():
    ads, rows = _copy()
    with pytest.raises(InputError, match=r"^“no hidden fees, ever” is already being checked\. Word this claim"):
        edits.reword(ads, rows, "c1", "no hidden  fees, ever", _infer)
    with pytest.raises(InputError, match="already being checked"):  # the same wording as a run or a file reads it
        edits.reword(ads, rows, "c1", "No hidden fees, ever!", _infer)
    with pytest.raises(InputError, match="already being checked"):
        edits.add(rows, "No hidden fees, ever.", _infer)
    dropped = edits.set_kept(rows, "c2", keep=False)  # a dropped claim's wording is free to take
    assert edits.reword(ads, dropped, "c1", "No hidden fees, ever", _infer)[1][0].claim.text == "No hidden fees, ever"
    with pytest.raises(InputError, match="drop the claim instead"):
        edits.reword(ads, rows, "c1", " ", _infer)
    with pytest.raises(InputError, match=r"Type the wording of the claim to add\.$"):
        edits.add(rows, " ", _infer)


def test_drop_restore_and_add_by_hand():
    _, rows = _copy()
    dropped = edits.set_kept(rows, "c2", keep=False)
    assert [c.claim_id for c in edits.kept_claims(dropped)] == ["c1"]
    restored = edits.set_kept(dropped, "c2", keep=True)
    assert len(edits.kept_claims(restored)) == 2
    added = edits.add(restored, "Free roaming in 40 countries", _infer)
    assert added[-1].claim.claim_id == "h1" and added[-1].origin == "added" and added[-1].claim.ad_id == "added"
    assert edits.add(added, "Real people 24/7", _infer)[-1].claim.claim_id == "h2"
    with pytest.raises(InputError, match="already"):
        edits.add(added, "free roaming in 40 countries", _infer)


def test_a_possible_claim_joins_the_claims_of_the_copy_where_it_stands():
    ads, rows = _copy()
    ads = [Ad("ad1", ads[0].text + " Open late."), Ad("ad2", "Handwoven in Peru.")]
    rows = edits.add(rows, "Free roaming in 40 countries", _infer)
    late = PossibleClaim("ad1", "Open late", 55, 64, "late", "qualitative", 0.42)
    woven = PossibleClaim("ad2", "Handwoven in Peru", 0, 17, "peru", "qualitative", 0.39)
    included = edits.include(ads, edits.include(ads, rows, woven), late)
    # the copy's claims in the copy's order, each at its place in its ad; the one added by hand stays last
    assert [row.claim.text for row in included] == [
        "Fewer dropped calls than anyone",
        "No hidden fees, ever",
        "Open late",
        "Handwoven in Peru",
        "Free roaming in 40 countries",
    ]
    assert [row.claim.claim_id for row in included if row.claim.claim_id.startswith("p")] == ["p2", "p1"]
    for row in included[:4]:
        ad = next(ad for ad in ads if ad.ad_id == row.claim.ad_id)
        assert ad.text[row.claim.start : row.claim.end] == row.claim.text and row.origin == "copy"
    with pytest.raises(InputError, match="overlaps"):
        edits.include(ads, rows, PossibleClaim("ad1", "hidden fees", 36, 47, "fees", "absolute", 0.4))
    with pytest.raises(InputError, match="no longer in the copy"):
        edits.include(ads, rows, PossibleClaim("ad1", "Open early", 55, 65, "early", "qualitative", 0.4))


def _found(ads: list[Ad], *spans: tuple[str, str]) -> list[Claim]:
    """Claims a new extraction finds: (ad id, text) each, placed where the ad holds the text."""
    claims = []
    for number, (ad_id, words) in enumerate(spans, 1):
        start = next(ad for ad in ads if ad.ad_id == ad_id).text.index(words)
        claims.append(Claim(f"c{number}", ad_id, words, start, start + len(words), "x", "qualitative"))
    return claims


def _edited_copy() -> tuple[list[Ad], list[edits.ClaimRow]]:
    """The copy of _copy with "Open late." after it, and every kind of edit made: c1 reworded (the copy with
    it), c2 dropped, the possible claim "Open late" checked, a claim added by hand."""
    ads, rows = _copy()
    ads = [Ad("ad1", ads[0].text + " Open late.")]
    ads, rows = edits.reword(ads, rows, "c1", "Fewer dropped calls in most regions", _infer)
    rows = edits.set_kept(rows, "c2", keep=False)
    late = ads[0].text.index("Open late")
    rows = edits.include(ads, rows, PossibleClaim("ad1", "Open late", late, late + 9, "late", "qualitative", 0.4))
    return ads, edits.add(rows, "Free roaming in 40 countries", _infer)


def test_checking_the_copy_again_carries_the_edits_over_to_the_claims_found_anew():
    old_ads, old_rows = _edited_copy()
    assert old_ads[0].text == "Fewer dropped calls in most regions. No hidden fees, ever. Open late."
    # A line added: the extraction reads the rewording a little shorter, and finds the new line's claim.
    ads = parse_ads_text(edits.copy_text(old_ads) + "\n\nSwitch in minutes.")
    claims = _found(ads, ("ad1", "dropped calls in most regions"), ("ad1", "No hidden fees, ever"), ("ad2", "Switch"))
    carried = edits.carry_over(old_rows, ads, claims)
    assert [(row.claim.text, row.keep, row.origin) for row in carried.rows] == [
        ("Fewer dropped calls in most regions", True, "reworded"),  # as the marketer worded it
        ("No hidden fees, ever", False, "copy"),
        ("Open late", True, "copy"),
        ("Switch", True, "copy"),
        ("Free roaming in 40 countries", True, "added"),
    ]
    assert carried.rows[0].original == "Fewer dropped calls than anyone"
    for row in carried.rows[:4]:
        ad = next(ad for ad in ads if ad.ad_id == row.claim.ad_id)
        assert ad.text[row.claim.start : row.claim.end] == row.claim.text
    assert len({row.claim.claim_id for row in carried.rows}) == 5  # the new extraction's ids are not reused twice
    assert not carried.not_carried and edits.not_carried_line(carried.not_carried) is None
    # A rewording, a dropped claim and a checked possible claim no longer in the copy are said, not lost silently.
    ads = parse_ads_text("Switch in minutes.")
    carried = edits.carry_over(old_rows, ads, _found(ads, ("ad1", "Switch in minutes")))
    assert [(row.claim.text, row.origin) for row in carried.rows] == [
        ("Switch in minutes", "copy"),
        ("Free roaming in 40 countries", "added"),
    ]
    assert edits.not_carried_line(carried.not_carried) == (
        "1 claim you dropped is no longer in the copy; 1 claim you reworded is no longer in the copy; "
        "1 possible claim you checked is no longer in the copy."
    )


def test_a_dropped_claim_read_with_other_wording_is_said_and_a_claim_added_into_the_copy_is_checked_once():
    old_ads, old_rows = _edited_copy()
    ads = parse_ads_text(edits.copy_text(old_ads) + " Free roaming in 40 countries.")
    claims = _found(ads, ("ad1", "hidden fees, ever"), ("ad1", "Free roaming in 40 countries"))
    carried = edits.carry_over(old_rows, ads, claims)
    texts = [(row.claim.text, row.keep, row.origin) for row in carried.rows]
    assert ("hidden fees, ever", True, "copy") in texts  # checked again, and said so
    assert [text_ for text_, _, _ in texts].count("Free roaming in 40 countries") == 1
    assert ("Free roaming in 40 countries", True, "copy") in texts
    assert edits.not_carried_line(carried.not_carried) == (
        "1 claim you dropped is found with other wording, and checked again."
    )
    assert edits.not_carried_line(Counter(dropped=2)) == "2 claims you dropped are no longer in the copy."
    # Nothing edited, nothing carried: the claims found are the rows.
    fresh = edits.carry_over(edits.rows_from_claims(claims), ads, claims)
    assert fresh.rows == edits.rows_from_claims(claims) and not fresh.not_carried


# ------------------------------------------------------------------------------------------ drill-down


def _evidence() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claim_id": ["c1", "c1", "c2"],
            "claim": ["Fewer dropped calls", "Fewer dropped calls", "No hidden fees"],
            "review_id": ["r1", "r2", "r3"],
            "sentence": ["Calls drop daily.", "Never a dropped call.", "A surprise fee again."],
            "stance": ["contradicts", "supports", "contradicts"],
            # pandas-stubs leaves None (read as NaT) out of to_datetime's list argument
            "date": pd.to_datetime(["2025-01-02", "2025-02-03", None]),  # type: ignore[arg-type]
            "region": ["Coastal", "", "North"],
        }
    )


def test_clicks_map_to_evidence_slices():
    evidence = _evidence()
    gap = drill_from_points("gap", [{"customdata": ["c1", "contradicts", 1, 2, "✖"]}])
    assert gap == Drill(claim_id="c1", stance="contradicts")
    assert list(apply_drill(evidence, gap)["review_id"]) == ["r1"]
    trend = drill_from_points("trend", [{"customdata": ["c1", "2025-02"]}])
    assert list(apply_drill(evidence, trend)["review_id"]) == ["r2"]
    cell = drill_from_points("segments", [{"customdata": ["c1", 1]}], "region", ["Coastal", "(blank)"])
    assert cell == Drill(claim_id="c1", segment=("region", "(blank)"))
    assert list(apply_drill(evidence, cell)["review_id"]) == ["r2"]
    assert drill_from_points("quadrant", [{"customdata": ["c2", 10]}]) == Drill(claim_id="c2")
    assert drill_from_points("gap", [{"x": 1}]) is None
    assert apply_drill(evidence, None) is evidence
    texts = {"c1": "Fewer dropped calls"}
    # narrowing only: gap equals a Drill above, and trend kept one row of three (None keeps them all)
    assert gap is not None and trend is not None
    assert gap.describe(texts) == "Contradicting evidence for “Fewer dropped calls”"
    assert "February 2025" in trend.describe(texts)


def test_search_matches_every_word_across_columns():
    evidence = _evidence()
    assert list(search(evidence, "drop COASTAL")["review_id"]) == ["r1"]
    assert len(search(evidence, "")) == 3


# ------------------------------------------------------------------------------------------ HTML fragments


def test_untrusted_copy_and_quotes_are_escaped():
    ad = Ad("ad1", 'No hidden fees <script>alert(1)</script> <img src=x onerror="x()">')
    claim = Claim("c1", "ad1", "No hidden fees", 0, 14, "hidden fees", "absolute")
    from alignment.records import ClaimResult, ClaimScore

    result = ClaimResult(claim, ClaimScore(10, 8, 1, 1, 0.78, (0.4, 0.95), "low"), ())
    page = text.highlight_copy([ad], edits.rows_from_claims([claim]), {"c1": result})
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and 'class="aln-claim aln-v-supported"' in page
    marked = text.mark_phrases("No hidden fees", "No <b>hidden</b> fees at all")
    assert "<b>" not in marked and "&lt;b&gt;" in marked


def test_the_phrase_that_matched_is_marked():
    spans = text.phrase_spans("Fewer dropped calls than any other network", "Another dropped call in a meeting.")
    assert [("Another dropped call in a meeting."[s:e]) for s, e in spans] == ["dropped call"]
    assert text.phrase_spans("No hidden fees", "Surprise 'network access fee'.") != []
    assert text.phrase_spans("the and of", "anything") == []


def test_interval_bar_and_legend_show_numbers_with_units():
    from alignment.records import ClaimResult, ClaimScore

    claim = Claim("c1", "ad1", "No hidden fees", 0, 14, "hidden fees", "absolute")
    result = ClaimResult(claim, ClaimScore(125, 42, 73, 10, -0.27, (-0.44, -0.09), "high"), ())
    bar = text.interval_bar(result)
    assert "−0.27" in bar and "95% interval" in bar and "−0.44 to −0.09" in bar and "title=" in bar
    assert "73</b> contradict (63%)" in text.counts_line(result)
    assert "✖" in text.badge("contradicted") and "(1)" in text.legend({"contradicted": 1})


def test_an_unproven_claim_says_every_reason_it_is_unproven_and_a_judged_one_none():
    from alignment.records import ClaimResult, ClaimScore

    claim = Claim("c1", "ad1", "Switching is easy", 0, 17, "switching", "qualitative")
    loose = tuple(Judgement(index, 0.3996, "supports", 0.9, 0.05, 0.05) for index in range(3))
    unproven = ClaimResult(claim, ClaimScore(3, 3, 0, 0, 1.0, (0.4, 1.0), "insufficient evidence"), loose)
    assert text.unproven_reason(unproven, 5) == (
        "Unproven because fewer than 5 mentions take a side (the minimum evidence in Check settings); 3 do, and no "
        "review sentence is close enough to the claim to count as on topic (the closest is at similarity 0.39, "
        "under 0.40)."
    )
    assert "not enough to judge" in text.interval_bar(unproven, 5) and "not enough to judge" in text.claim_tooltip(
        unproven
    )
    assert "<b>+1.00</b>" in text.interval_bar(unproven)  # without the check's minimum, the figure as before
    supported = ClaimResult(claim, ClaimScore(9, 9, 0, 0, 1.0, (0.7, 1.0), "low"), ())
    assert text.unproven_reason(supported, 5) is None and "aln-reason" not in text.interval_bar(supported, 5)
    silent = ClaimResult(claim, ClaimScore(4, 0, 0, 4, None, None, "insufficient evidence"), ())
    assert text.unproven_reason(silent, 5) is None  # its card says no sentence takes a side, in place of a figure


# ------------------------------------------------------------------------------------------ AppTest per page


def _vet_copy_page() -> None:
    from alignment.ui import vet_copy

    vet_copy.render()


def _vet_copy_page_or_away() -> None:
    """Vet copy, or nothing while "test_away" is set: a run of another page, whose widgets it does not draw."""
    import streamlit as st

    from alignment.ui import vet_copy

    if not st.session_state.get("test_away"):
        vet_copy.render()


def _dashboard_page() -> None:
    from alignment.ui import dashboard

    dashboard.render()


def _datasets_page() -> None:
    from alignment.ui import datasets

    datasets.render()


def _html(app: AppTest) -> str:
    return "".join(str(element.proto.body) for element in app.get("html"))


@pytest.mark.models
def test_app_opens_the_dashboard_on_demo_data_without_exceptions():
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert int(metrics["Claims"]) >= 5
    assert metrics["Reviews in dataset"].replace(",", "").isdigit()
    assert len(app.get("plotly_chart")) == 4
    assert len(app.dataframe) >= 2
    # The sidebar settings change the check (a new cache entry), and survive a rerun.
    app.number_input(key="set_min_evidence").set_value(60).run()
    assert not app.exception
    assert app.session_state["aln_keep_set_min_evidence"] == 60
    assert any(m.label == "Claims" for m in app.metric)
    # The demo reviews have star ratings: the check weighs by them, says so, and can read the text alone.
    assert any("weighed by its review's star rating" in note.value for note in app.info)
    app.checkbox(key="set_rating_prior").uncheck().run()
    assert not app.exception
    assert app.session_state["aln_keep_set_rating_prior"] is False
    assert not any("star rating" in note.value for note in app.info)


@pytest.mark.models
def test_a_claim_resting_on_a_third_partys_award_says_reviews_cannot_verify_the_award():
    for claim in (
        "Rated #1 for customer satisfaction by J.D. Power",
        "Award-winning pizza",
        "Voted best burger in town by Denver Post readers",
        "Recognized by Forbes as a top employer",
    ):
        assert text.third_party_note(claim) is not None, claim
    for claim in ("Rated 4.9/5 by 12,000 customers", "Loved by over 10,000 happy customers", "No hidden fees"):
        assert text.third_party_note(claim) is None, claim  # its customers' own verdict, or no rating at all


def test_vet_copy_says_when_an_ad_of_the_copy_does_not_read_as_english():
    app = AppTest.from_function(_vet_copy_page, default_timeout=TIMEOUT).run()
    assert not any("read as English" in w.value for w in app.warning)  # the demo copy is English
    app.text_area(key="vet_copy_input").input(
        "Brightwave never drops your calls.\n\nEnvío gratis en todos los pedidos y sin comisiones ocultas."
    ).run()
    app.button(key="vet_check").click().run()
    assert not app.exception
    assert any(w.value.startswith("1 of 2 ads does not read as English (ad2)") for w in app.warning)
    assert not any("No claim is contradicted" in s.value for s in app.success)  # no green all-clear for it
    app.text_area(key="vet_copy_input").input(
        "Livraison gratuite et retours sans frais. Le meilleur réseau 5G de France."
    ).run()
    app.button(key="vet_check").click().run()
    assert not app.exception and not app.success  # nothing at risk in copy that does not read as English:
    assert any(i.value.startswith("No claim is contradicted or disputed, but the copy does not") for i in app.info)


@pytest.mark.models
def test_vet_copy_page_checks_the_demo_copy_then_pasted_copy_and_edits():
    app = AppTest.from_function(_vet_copy_page, default_timeout=TIMEOUT).run()
    assert not app.exception
    assert any(h.value == "Claims at risk" for h in app.subheader)
    page = _html(app)
    assert 'class="aln-claim' in page and 'class="aln-quote"' in page and "aln-phrase" in page
    assert app.metric[0].label == "At risk"
    # Paste new copy and check it.
    app.text_area(key="vet_copy_input").input(
        "Brightwave never drops your calls.\n\nNo hidden fees on any plan <img src=x onerror=alert(1)>."
    ).run()
    app.button(key="vet_check").click().run()
    assert not app.exception
    page = _html(app)
    assert "never drops your calls" in page and "&lt;img" in page and "<img src=x" not in page
    ids = [row.claim.claim_id for row in app.session_state["aln_rows"]]
    assert ids
    generation = app.session_state["aln_generation"]
    # Reword the first claim: the copy follows.
    first = ids[0]
    # typed into the reword form and sent with its button, as a browser sends a form (no run between)
    app.text_input(key=f"reword_{generation}_{first}").input("Brightwave drops fewer calls in most regions")
    started = time.perf_counter()
    app.button(key=f"recheck_{generation}_{first}").click().run()
    assert time.perf_counter() - started < 15, "a re-check with warm models should take seconds"
    assert not app.exception
    assert "drops fewer calls in most regions" in app.session_state["aln_checked_copy"]
    # Drop it, then add one by hand.
    app.button(key=f"drop_{generation}_{first}").click().run()
    assert any(not row.keep for row in app.session_state["aln_rows"])
    app.text_input(key="vet_add_text").input("Real people answer 24/7")
    app.button[[b.label for b in app.button].index("Add and check")].click().run()
    assert not app.exception
    assert any(row.origin == "added" for row in app.session_state["aln_rows"])
    assert "Real people answer 24/7" in _html(app)


@pytest.mark.models
def test_vet_copy_reads_the_demo_customers_reported_waits_against_a_promised_wait():
    app = AppTest.from_function(_vet_copy_page, default_timeout=TIMEOUT).run()
    app.text_area(key="vet_copy_input").input("Real people answer our support line in under 5 minutes.").run()
    app.button(key="vet_check").click().run()
    assert not app.exception
    amounts = [note.value for note in app.info if note.value.startswith("Amounts read against promised quantities")]
    assert amounts and "(at most 5 minutes)" in amounts[0]
    # the sidebar setting turns the comparison off
    app.session_state["aln_keep_set_quantities"] = False
    app.button(key="vet_check").click().run()
    assert not app.exception
    assert not any(note.value.startswith("Amounts read") for note in app.info)


@pytest.mark.models
def test_vet_copy_offers_the_phrases_just_under_the_bar_and_checks_one_in_place():
    app = AppTest.from_function(_vet_copy_page, default_timeout=TIMEOUT).run()
    app.text_area(key="vet_copy_input").input(
        "Hand-pulled noodles made fresh to order. Open late. Order online tonight."
    ).run()
    app.button(key="vet_check").click().run()
    assert not app.exception
    assert any(h.value.startswith("Possible claims the check passed over") for h in app.subheader)
    assert "Open late" in _html(app)
    before = [row.claim.text for row in app.session_state["aln_rows"]]
    generation = app.session_state["aln_generation"]
    app.button(key=f"possible_{generation}_0").click().run()
    assert not app.exception
    rows = app.session_state["aln_rows"]
    assert [row.claim.text for row in rows] == [*before, "Open late"]  # in the copy's order, from the copy
    assert rows[-1].origin == "copy" and rows[-1].claim.ad_id == "ad1"
    # checked now, so no longer offered
    assert not any(h.value.startswith("Possible claims") for h in app.subheader)


@pytest.mark.models
def test_vet_copy_and_dashboard_show_the_checks_own_notes(monkeypatch):
    # The demo's busiest claim matches 21% of its sentences; at a 15% bound the broad-match note names it,
    # on Vet copy and on the dashboard (not under the downloads' filter caption).
    import alignment.pipeline as pipeline
    from alignment.ui import resources

    monkeypatch.setattr(pipeline, "BROAD_MATCH_SHARE", 0.15)
    resources.result_store.clear()  # the server's cache holds the demo's report from other tests, noted at 25%
    try:
        for page in (_vet_copy_page, _dashboard_page):
            app = AppTest.from_function(page, default_timeout=TIMEOUT).run()
            assert not app.exception
            notes = [element.value for element in app.info if "Matched by over 15%" in element.value]
            assert len(notes) == 1 and "fewer dropped calls" in notes[0]
            assert not any("The downloads follow the filters" in caption.value for caption in app.caption)
    finally:
        resources.result_store.clear()  # nor may a later test find this report, noted at 15%


def test_the_page_style_wraps_button_labels_and_keeps_chart_toolbars_off_the_titles():
    from alignment.ui.text import CSS

    # Download and action buttons wrap their words on a phone rather than cut them ("⬇ HTML re…").
    assert ".stDownloadButton button *" in CSS and "white-space:normal!important" in CSS
    # The plotly toolbar sits in a strip above the chart, not over its title.
    assert '[data-testid="stPlotlyChart"]{padding-top:30px}' in CSS
    assert '[data-testid="stPlotlyChart"] .modebar-container{top:-30px!important}' in CSS


def test_utf16_copy_with_its_nul_bytes_is_still_read_as_text():
    assert read_copy_upload("Free returns, always.".encode("utf-16"), "copy.txt") == "Free returns, always."


@pytest.mark.models
@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        ("empty.txt", b"", "empty.txt is empty: nothing was checked"),
        ("blank.txt", b"  \n\n ", "blank.txt is empty: nothing was checked"),
        ("brochure.txt", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "brochure.txt is not text"),
    ],
)
def test_an_empty_or_binary_copy_file_says_so_by_the_uploader_and_marks_the_results_as_not_its(name, data, line):
    app = AppTest.from_function(_vet_copy_page, default_timeout=TIMEOUT).run()
    copy = app.session_state["vet_copy_input"]
    app.file_uploader(key="vet_upload").upload(name, data, "text/plain").run()
    assert not app.exception
    # One line, by the uploader (in the copy column), for as long as the file is there.
    (copy_column,) = [c for c in app.columns if any(b.key == "vet_check" for b in c.button) and c.text_area]
    said = [e.value for e in copy_column.error if line in e.value.replace("\\", "")]  # md() escapes
    assert len(said) == 1 and "\n" not in said[0]
    # Nothing was put in the box, and the results on screen say they are not the file's.
    assert app.session_state["vet_copy_input"] == copy
    assert any("nothing in that file was checked" in w.value for w in app.warning)
    assert any(h.value == "Claims in the copy checked last" for h in app.subheader)
    app.run()  # still said on the next rerun, not only once at the top of the page
    assert any(line in e.value.replace("\\", "") for e in app.error)
    app.file_uploader(key="vet_upload").clear().run()
    assert not any(line in e.value.replace("\\", "") for e in app.error)
    assert not any(h.value == "Claims in the copy checked last" for h in app.subheader)


@pytest.mark.models
def test_back_from_another_page_the_stale_banner_reads_the_draft_the_box_is_filled_with():
    app = AppTest.from_function(_vet_copy_page_or_away, default_timeout=TIMEOUT).run()
    draft = "Our pizza is delivered hot in 30 minutes or it's free."
    app.text_area(key="vet_copy_input").input(draft).run()
    # A run of another page forgets the box's widget value; back on Vet copy the box is filled from its mirror.
    app.session_state["test_away"] = True
    app.run()
    assert "vet_copy_input" not in app.session_state
    app.session_state["test_away"] = False
    app.run()
    assert not app.exception
    assert app.text_area(key="vet_copy_input").value == draft
    banners = [w.value for w in app.warning if w.value.startswith("These results are for the copy checked last")]
    assert len(banners) == 1 and "not for the text in the box now" in banners[0], banners
    assert not any("is now empty" in w.value for w in app.warning)


@pytest.mark.models
def test_check_copy_on_an_empty_box_warns_by_the_button_and_marks_the_results_shown_as_the_last_copys():
    app = AppTest.from_function(_vet_copy_page, default_timeout=TIMEOUT).run()
    checked = [row.claim.text for row in app.session_state["aln_rows"]]
    assert not any("checked last" in w.value for w in app.warning)
    app.text_area(key="vet_copy_input").input("").run()
    app.button(key="vet_check").click().run()
    assert not app.exception
    # The warning sits in the column of the copy box and the button, not at the top of the page.
    (copy_column,) = [c for c in app.columns if any(b.key == "vet_check" for b in c.button) and c.text_area]
    empty = [w.value for w in app.warning if w.value.startswith("The copy is empty")]
    assert len(empty) == 1 and [w.value for w in copy_column.warning] == empty
    # The results on screen are the last copy's, and they say so; nothing was checked or dropped.
    assert [row.claim.text for row in app.session_state["aln_rows"]] == checked
    assert any(w.value.startswith("These results are for the copy checked last") for w in app.warning)
    # ... and do not tell the user to press Check copy for the empty box they just pressed it for
    assert any(w.value.endswith("the copy box is now empty.") for w in app.warning)
    assert not any("to check that" in w.value for w in app.warning)
    assert any(h.value == "Claims in the copy checked last" for h in app.subheader)
    # The warning is for the press of the button only; checking new copy clears the marks.
    app.run()
    assert not any(w.value.startswith("The copy is empty") for w in app.warning)
    app.text_area(key="vet_copy_input").input("Brightwave never drops your calls.").run()
    app.button(key="vet_check").click().run()
    assert not any("checked last" in w.value for w in app.warning)
    assert any(h.value == "Claims in the copy" for h in app.subheader)


@pytest.mark.models
def test_vet_copy_says_in_one_line_how_many_claims_past_the_cap_were_left_out(monkeypatch):
    from alignment.config import Config
    from alignment.ui import state

    monkeypatch.setattr(state, "config", lambda: Config(max_claims=6))  # the demo copy holds 10 claims
    app = AppTest.from_function(_vet_copy_page, default_timeout=TIMEOUT).run()
    app.button(key="vet_example").click().run()
    assert not app.exception
    assert len(app.session_state["aln_rows"]) == 6
    (line,) = [w.value for w in app.warning if w.value.startswith("Only the first 6 claims")]
    assert "4 more claims were left out, from Ad " in line
    # a copy under the cap says nothing
    app.text_area(key="vet_copy_input").input("Brightwave never drops your calls.").run()
    app.button(key="vet_check").click().run()
    assert not any(w.value.startswith("Only the first") for w in app.warning)


def test_the_cap_line_counts_what_it_can_and_says_at_least_past_that():
    from alignment.ui.vet_copy import left_out_line

    assert "1 more claim was left out, from Ad 12 on" in left_out_line(500, 1, True, "ad12")
    assert "at least 500 more claims were left out" in left_out_line(500, 500, False, "ad40")


@pytest.mark.models
def test_vet_copy_upload_goes_through_the_copy_loader():
    app = AppTest.from_function(_vet_copy_page, default_timeout=TIMEOUT).run()
    copy = read_copy_upload(b"Switching is easy.\n\nOur 30-day money-back guarantee has you covered.", "copy.txt")
    app.session_state["vet_copy_input"] = copy
    app.session_state["aln_copy"] = copy
    app.session_state["aln_pending_copy"] = copy
    app.run()
    assert not app.exception
    assert "money-back guarantee" in _html(app)


@pytest.mark.models
def test_dashboard_page_draws_every_chart_and_drills_down():
    app = AppTest.from_function(_dashboard_page, default_timeout=TIMEOUT).run()
    assert not app.exception
    assert len(app.get("plotly_chart")) == 4
    labels = {m.label for m in app.metric}
    assert {"Claims", "At risk", "Sentences", "Reviews"} <= labels
    assert app.select_slider[0].label == "Review dates"
    assert {m.label for m in app.multiselect} >= {"Channel", "Region", "Plan"}
    downloads = [d.label for d in app.download_button]
    assert any("JSON" in d for d in downloads) and any("CSV" in d for d in downloads)
    assert any("HTML" in d for d in downloads)
    claim_id = app.session_state["aln_rows"][0].claim.claim_id
    app.session_state["aln_drill"] = Drill(claim_id=claim_id, stance="contradicts")
    app.run()
    assert any("Contradicting evidence for" in m.value for m in app.markdown)
    # Filter to one region: the numbers follow.
    app.multiselect[[m.label for m in app.multiselect].index("Region")].select("Coastal").run()
    assert not app.exception
    # A slice the filters leave out says so, rather than showing an empty table under its heading.
    app.session_state["aln_drill"] = Drill(claim_id=claim_id, segment=("region", "North"))
    app.run()
    assert any("The filters above leave no evidence in this slice" in i.value for i in app.info)
    # Filters that leave no evidence at all say so once, and the trend does not ask for a date column.
    app.session_state["aln_drill"] = None
    app.multiselect[[m.label for m in app.multiselect].index("Channel")].select("Trustpilot").run()
    app.multiselect[[m.label for m in app.multiselect].index("Region")].unselect("Coastal").select("South").run()
    app.select_slider[0].set_value(("2025-01", "2025-01")).run()
    assert not app.exception
    assert any("No evidence matches these filters" in i.value for i in app.info)


def _dashboard_after_a_click() -> None:
    """The dashboard, after a chart click (its callback's show_drill) on the slice in "test_click"."""
    import streamlit as st

    from alignment.ui import dashboard

    click = st.session_state.pop("test_click", None)
    if click is not None:
        dashboard.show_drill(click)
    dashboard.render()


@pytest.mark.models
def test_a_chart_click_shows_in_the_claim_and_stance_choices_and_changing_them_leaves_the_drill():
    app = AppTest.from_function(_dashboard_after_a_click, default_timeout=TIMEOUT).run()
    claim_id = app.session_state["aln_rows"][0].claim.claim_id
    app.session_state["test_click"] = drill_from_points("gap", [{"customdata": [claim_id, "contradicts"]}])
    app.run()
    assert not app.exception
    assert app.selectbox(key="evidence_claim").value == claim_id
    assert app.multiselect(key="evidence_stance").value == ["contradicts"]
    assert any("Contradicting evidence for" in m.value for m in app.markdown)
    # choosing every stance there takes the stance out of the slice, and the heading follows
    app.multiselect(key="evidence_stance").unselect("contradicts").run()
    assert app.session_state["aln_drill"] == Drill(claim_id=claim_id)
    assert not any("Contradicting evidence for" in m.value for m in app.markdown)
    app.selectbox(key="evidence_claim").select(None).run()
    assert app.session_state["aln_drill"] is None  # nothing left to narrow by
    # "Show all evidence" clears the choices a click made too
    app.session_state["test_click"] = Drill(claim_id=claim_id, stance="supports")
    app.run()
    app.button(key="drill_clear").click().run()
    assert app.session_state["aln_drill"] is None
    assert app.selectbox(key="evidence_claim").value is None and app.multiselect(key="evidence_stance").value == []


@pytest.mark.models
def test_a_review_date_range_chosen_on_the_dashboard_filters_it_and_stays():
    app = AppTest.from_function(_dashboard_page, default_timeout=TIMEOUT).run()
    assert not app.exception

    def evidence() -> int:
        return int(next(m.value for m in app.metric if m.label == "Sentences").replace(",", ""))

    everything = evidence()
    (dates,) = app.select_slider
    assert dates.value == ("2025-01", "2026-03")
    dates.set_value(("2026-01", "2026-03")).run()
    assert not app.exception
    assert app.select_slider[0].value == ("2026-01", "2026-03")  # it used to snap back to the full range
    narrowed = evidence()
    assert 0 < narrowed < everything
    assert any("reviews dated 2026-01-01 to 2026-03-31" in c.value for c in app.caption)
    app.run()  # any later rerun (a click elsewhere) keeps the range and the counts
    assert app.select_slider[0].value == ("2026-01", "2026-03") and evidence() == narrowed
    app.select_slider[0].set_value(("2025-01", "2026-03")).run()  # back to every month
    assert evidence() == everything


@pytest.mark.models
def test_datasets_page_states_the_limit_and_validates_an_upload_with_a_mapping():
    app = AppTest.from_function(_datasets_page, default_timeout=TIMEOUT).run()
    assert not app.exception
    assert "200 MB" in app.caption[0].value
    assert any(m.label == "Rows read" for m in app.metric)
    app.session_state["aln_staged_upload"] = read_dataset_upload(SMALL_CSV.encode(), "small.csv")
    app.run()
    assert not app.exception
    selects = {s.label: s for s in app.selectbox}
    assert selects["Review text"].value == "comment"  # detected
    assert selects["Rating"].value == "stars"
    assert selects["Date"].value == "when"  # not a usual name, but a column of dates
    selects["Date"].select("comment").run()  # the review text as the date too: refused, saying which column
    app.button[[b.label for b in app.button].index("Validate and make active")].click().run()
    assert any("Column comment is mapped as both the review text and the date" in e.value for e in app.error)
    assert not any("is now the active dataset" in s.value for s in app.success)
    {s.label: s for s in app.selectbox}["Date"].select("when").run()
    {s.label: s for s in app.selectbox}["Rating"].select("store").run()  # words, not ratings: said so below
    app.button[[b.label for b in app.button].index("Validate and make active")].click().run()
    assert any("No value of column store reads as a rating" in m.value for m in app.markdown)
    app.session_state["aln_staged_upload"] = read_dataset_upload(SMALL_CSV.encode(), "small.csv")
    app.run()
    selects = {s.label: s for s in app.selectbox}
    selects["Date"].select("when").run()
    app.button[[b.label for b in app.button].index("Validate and make active")].click().run()
    assert not app.exception
    assert any("is now the active dataset" in s.value for s in app.success)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Rows read"] == "4" and metrics["Reviews kept"] == "3" and metrics["Skipped rows"] == "1"
    assert any("blank text" in m.value for m in app.markdown)
    assert any("2025-03-01 to 2025-04-03" in m.value for m in app.markdown)


def test_the_mapping_form_reads_dates_day_first_when_told():
    csv = "text,opened\nCalls drop.,03/04/2025\nFees hidden.,05/04/2025\nRude staff.,01/02/2025\n"
    app = AppTest.from_function(_datasets_page, default_timeout=TIMEOUT).run()
    app.session_state["aln_staged_upload"] = read_dataset_upload(csv.encode(), "uk.csv")
    app.run()
    (order,) = [radio for radio in app.radio if radio.label == "Numeric dates are written"]
    assert str(order.value).startswith("As the dates say")
    order.set_value("Day first (03/04/2025 is 3 April)").run()
    app.button[[b.label for b in app.button].index("Validate and make active")].click().run()
    assert not app.exception
    assert any("is now the active dataset" in s.value for s in app.success)
    assert any("2025-02-01 to 2025-04-05" in m.value for m in app.markdown)  # read day first, none unclear
    assert not any("order unclear" in m.value for m in app.markdown)


def test_the_upload_preview_says_how_many_rows_could_not_be_read_as_validation_counts_them():
    csv = "id,text\n1,Calls drop.\n2,Fees hidden.,extra,fields\n3,Fast setup.\n4,Rude staff.\n5,Slow data.\n"
    app = AppTest.from_function(_datasets_page, default_timeout=TIMEOUT).run()
    app.session_state["aln_staged_upload"] = read_dataset_upload(csv.encode(), "toomany.csv")
    app.run()
    assert not app.exception
    assert any("4 rows × 2 columns" in m.value and "1 more row could not be read" in m.value for m in app.markdown)
    app.button[[b.label for b in app.button].index("Validate and make active")].click().run()
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Rows read"] == "5" and metrics["Skipped rows"] == "1"


def test_datasets_page_warns_when_the_reviews_do_not_read_as_english():
    spanish = [
        "La cobertura es mala y las llamadas se cortan todo el tiempo.",
        "Me cobraron una tarifa que nadie me explicó cuando firmé.",
        "El servicio al cliente nunca contesta el teléfono por la noche.",
        "La señal desaparece en cuanto salgo de la ciudad.",
        "Las llamadas caídas son constantes desde hace meses.",
    ]
    csv = "comment\n" + "\n".join(f'"{text}"' for text in spanish)
    app = AppTest.from_function(_datasets_page, default_timeout=TIMEOUT).run()
    assert not any("read as English" in w.value for w in app.warning)  # the demo data is English
    app.session_state["aln_staged_upload"] = read_dataset_upload(csv.encode(), "resenas.csv")
    app.run()
    app.button[[b.label for b in app.button].index("Validate and make active")].click().run()
    assert not app.exception
    assert any(w.value.startswith("None of the reviews read as English") for w in app.warning)


def test_datasets_page_explains_a_rating_off_the_files_scale():
    from alignment.charts import dataset_overview
    from alignment.ingest import load_reviews
    from alignment.ui.datasets import _issues_markdown

    stars = ["5", "4", "2"] * 70 + ["50"]  # one typo among 211 ratings on a 1-5 scale
    frame = pd.DataFrame({"text": [f"review {i}" for i in range(len(stars))], "rating": stars})
    overview = dataset_overview(load_reviews(frame, text_column="text", rating_column="rating"))
    assert overview.rating_scale == "1–5"
    issues = _issues_markdown(overview)
    assert "1 value to check: rating off the file's scale" in issues and "likely a typo" in issues


@pytest.mark.models
def test_dashboard_and_vet_copy_cope_with_a_tiny_undated_dataset_and_copy_without_claims():
    table = read_dataset_upload(SMALL_CSV.encode(), "small.csv")
    dataset = build_dataset(table, ColumnMapping(text="comment", id="id", rating="stars", segments=("store",)))
    app = AppTest.from_function(_dashboard_page, default_timeout=TIMEOUT)
    app.session_state["aln_datasets"] = {dataset.key: dataset}
    app.session_state["aln_active_dataset"] = dataset.key
    app.run()
    assert not app.exception
    assert "small.csv" in app.caption[0].value
    vet = AppTest.from_function(_vet_copy_page, default_timeout=TIMEOUT)
    vet.session_state["aln_datasets"] = {dataset.key: dataset}
    vet.session_state["aln_active_dataset"] = dataset.key
    vet.run()
    vet.text_area(key="vet_copy_input").input("Switch today!").run()
    vet.button(key="vet_check").click().run()
    assert not vet.exception
    assert any("No checkable claims" in w.value for w in vet.warning)
    assert not any("No checkable claims" in i.value for i in vet.info)  # said once, with what to do


def test_quote_cards_show_the_neighbouring_sentences_the_judge_read_greyed_and_escaped():
    from alignment.charts import Quote
    from alignment.records import Review

    review = Review("r1", "Long time customer. Calls cut out. <i>Never again</i>.", 1)
    quote = Quote("Calls cut out.", "contradicts", 0.9, 0.6, review, 0, "Long time customer.", "<i>Never again</i>.")
    html = text.quotes_html("Fewer dropped calls", [quote], "contradicts")
    assert html.index("Long time customer.") < html.index("Calls") < html.index("Never again")
    assert html.count('class="aln-context"') == 2 and "&lt;i&gt;Never again&lt;/i&gt;" in html
    alone = text.quotes_html(
        "Fewer dropped calls", [Quote("Calls drop.", "contradicts", 0.9, 0.6, review, 0)], "contradicts"
    )
    assert "aln-context" not in alone


def test_a_quote_is_flagged_when_its_star_rating_takes_the_other_side():
    from alignment.charts import Quote
    from alignment.records import Review

    def quote(stance: str, stars: float | None) -> Quote:
        return Quote("Calls cut out.", stance, 0.9, 0.6, Review("r1", "Calls cut out.", 1, rating=stars), 0)

    assert text.rating_disagrees(quote("supports", 1), 5)  # a 1★ "support": sarcasm, or about something else
    assert text.rating_disagrees(quote("contradicts", 5), 5)
    assert not text.rating_disagrees(quote("contradicts", 2), 5)
    assert not text.rating_disagrees(quote("supports", 3), 5)  # 3★ takes no side
    assert not text.rating_disagrees(quote("supports", None), 5)
    assert not text.rating_disagrees(quote("contradicts", 50), 5)  # off the file's scale: a typo, no side
    assert "rating disagrees" in text.quotes_html("Fewer dropped calls", [quote("supports", 1)], "supports", 5)


@pytest.mark.models
def test_a_promise_repeated_across_ads_is_one_line_of_the_claims_at_risk():
    app = AppTest.from_function(_vet_copy_page, default_timeout=TIMEOUT).run()
    copy = "\n\n".join(["No hidden fees, ever."] * 3 + ["Fewer dropped calls than any other network."])
    app.text_area(key="vet_copy_input").input(copy).run()
    app.button(key="vet_check").click().run()
    assert not app.exception
    lines = re.findall(r'class="aln-risk-line">(.*?)</div>', _html(app))
    risk_lines = [line for line in lines if "hidden fees" in line.lower()]
    assert len(risk_lines) == 1
    assert "×3 in the copy" in risk_lines[0]


@pytest.mark.models
def test_an_upload_can_be_mapped_again_and_replaces_itself_in_the_session():
    app = AppTest.from_function(_datasets_page, default_timeout=TIMEOUT).run()
    app.session_state["aln_staged_upload"] = read_dataset_upload(SMALL_CSV.encode(), "small.csv")
    app.run()
    app.button[[b.label for b in app.button].index("Validate and make active")].click().run()
    assert any("2025-03-01 to 2025-04-03" in m.value for m in app.markdown)  # "when" is known by its dates
    app.button[[b.label for b in app.button].index("Change column mapping")].click().run()
    assert not app.exception
    selects = {s.label: s for s in app.selectbox}
    assert selects["Review text"].value == "comment" and selects["Rating"].value == "stars"  # as it was mapped
    assert selects["Date"].value == "when"
    selects["Date"].select("(none)").run()
    app.button[[b.label for b in app.button].index("Validate and make active")].click().run()
    assert not app.exception
    uploads = [d for d in app.session_state["aln_datasets"].values() if d.origin == "uploaded"]
    assert len(uploads) == 1 and uploads[0].review_set.mapping.date is None
    assert any("No dates" in m.value for m in app.markdown)


def test_markdown_copy_is_read_as_the_words_a_reader_sees():
    copy = read_copy_upload(
        b"# Spring\n\nReal people answer **24/7** and _always_ pick up.\n\n- See [our map](https://x.example)",
        "spring.md",
    )
    assert copy == "Spring\n\nReal people answer 24/7 and always pick up.\n\nSee our map"
    assert read_copy_upload(b"Plain **text** stays as typed.", "copy.txt") == "Plain **text** stays as typed."


def test_html_copy_is_read_as_the_text_a_browser_shows():
    page = (
        b"<html><head><title>Offer</title><style>p {color: red}</style></head><body><h1>Brightwave</h1>"
        b"<p>No hidden fees &amp; no contracts.<br>Switch in <strong>five minutes</strong>.</p>"
        b'<div><p>Fewer dropped calls.</p><img src="a.png" alt="Free 5G phone"></div>'
        b'<script>var ad = "<p>Not copy</p>";</script></body></html>'
    )
    copy = read_copy_upload(page, "landing.html")
    assert [ad.text for ad in parse_ads_text(copy)] == [
        "Brightwave",
        "No hidden fees & no contracts.\nSwitch in five minutes.",
        "Fewer dropped calls.",
        "Free 5G phone",
    ]
    # Source pasted as text reads the same; copy that merely holds a "<" stays as typed.
    assert parse_ads_text(page.decode()) == parse_ads_text(copy)
    typed = "Never drops your calls.\n\nNo <b>hidden</b> fees <script>alert(1)</script>."
    assert [ad.text for ad in parse_ads_text(typed)] == ["Never drops your calls.", "No hidden fees."]
    assert [ad.text for ad in parse_ads_text("We <3 our customers. Plans from < $20.")] == [
        "We <3 our customers. Plans from < $20."
    ]


def _dashboard_on_an_undated_upload() -> None:
    from alignment.ingest import ColumnMapping
    from alignment.ui import dashboard, state
    from alignment.ui.uploads import build_dataset, read_dataset_upload

    state.init()
    csv = "comment,stars\nMy calls drop every single day.,1\nNo hidden fees at all on my bill.,5\n"
    if "undated" not in {d.name for d in state.datasets().values()}:
        table = read_dataset_upload(csv.encode(), "undated.csv")
        state.add_dataset(build_dataset(table, ColumnMapping(text="comment", rating="stars")))
    dashboard.render()


@pytest.mark.models
def test_the_evidence_table_of_an_undated_dataset_has_no_date_column():
    app = AppTest.from_function(_dashboard_on_an_undated_upload, default_timeout=TIMEOUT).run()
    assert not app.exception
    evidence = next(
        frame.value for frame in app.dataframe if "quote" in frame.value.columns or "sentence" in frame.value.columns
    )
    assert "date" not in evidence.columns


def _reword_with_a_draft_in_the_box() -> None:
    # An AppTest script: a checked copy of two ads, a third ad typed in the box since, then a card's rewording.
    import streamlit as st

    from alignment.records import Claim
    from alignment.ui import state, vet_copy

    copy = "Fewer dropped calls than anyone.\n\nNo hidden fees."
    state.set_copy(
        copy,
        [
            Claim("c1", "ad1", "Fewer dropped calls than anyone", 0, 31, "dropped calls", "comparative"),
            Claim("c2", "ad2", "No hidden fees", 0, 14, "hidden fees", "absolute"),
        ],
    )
    st.session_state[vet_copy.COPY_INPUT] = copy + "\n\nReal people answer 24/7."
    vet_copy.reword_claim("c1", "Fewer dropped calls in most regions")


def test_rewording_a_claim_keeps_the_draft_typed_in_the_copy_box(monkeypatch):
    from alignment.ui import resources

    monkeypatch.setattr(
        resources, "infer_claim", lambda text: Claim("x", "given", text, 0, len(text), "regions", "comparative")
    )
    app = AppTest.from_function(_reword_with_a_draft_in_the_box, default_timeout=60).run()
    assert not app.exception
    assert app.session_state["aln_checked_copy"] == "Fewer dropped calls in most regions.\n\nNo hidden fees."
    # the draft stays in the box, with the new wording where it held the old
    assert app.session_state["vet_copy_input"] == (
        "Fewer dropped calls in most regions.\n\nNo hidden fees.\n\nReal people answer 24/7."
    )


def _summary_of_a_check_without_claims(dropped: bool) -> None:
    # An AppTest script: the claims-at-risk summary of a check that holds no claim, on a later run than the
    # one that read the copy (no claim found in it, or every claim dropped).
    from alignment.config import Config
    from alignment.records import Claim, DatasetSummary
    from alignment.report import Report
    from alignment.ui import edits, state, vet_copy

    claims = [Claim("c1", "ad1", "No hidden fees", 0, 14, "hidden fees", "absolute")] if dropped else []
    state.set_copy("No hidden fees." if dropped else "Call now!", claims)
    if dropped:
        state.set_rows(state.ads(), edits.set_kept(state.rows(), "c1", keep=False))
    empty = Report((), DatasetSummary("demo.csv", 2, 2, 2, {}, {"text": "text"}), Config(), (), ())
    vet_copy._risk_summary(empty, 0.1, stale=False)


def test_a_check_without_claims_says_why_on_every_run_of_vet_copy():
    found = AppTest.from_function(_summary_of_a_check_without_claims, args=(False,), default_timeout=60).run()
    assert not found.exception
    assert [w.value for w in found.warning if "No checkable claims were found" in w.value]
    found.run()  # a rerun (a setting changed, a click elsewhere) still says it
    assert [w.value for w in found.warning if "No checkable claims were found" in w.value]
    dropped = AppTest.from_function(_summary_of_a_check_without_claims, args=(True,), default_timeout=60).run()
    assert not dropped.exception
    (line,) = [w.value for w in dropped.warning if w.value.startswith("Nothing was checked")]
    assert "the claim of this copy is dropped" in line and "Restore" in line


STAND_IN_COPY = "Fewer dropped calls than any network. No hidden fees, ever.\n\nReal people answer 24/7. Open late."


def _read_copy_stand_in(copy: str, max_claims: int) -> tuple[list[Claim], list[PossibleClaim]]:
    """Stands in for the claim extractor (resources.read_copy): each sentence of an ad is a claim, but one that
    begins "Open", which is a possible claim."""
    claims: list[Claim] = []
    possible: list[PossibleClaim] = []
    for ad in parse_ads_text(copy):
        for match in re.finditer(r"[^.!?]+", ad.text):
            words = match.group().strip()
            if not words:
                continue
            start = ad.text.index(words, match.start())
            end = start + len(words)
            if words.startswith("Open"):
                possible.append(PossibleClaim(ad.ad_id, words, start, end, "hours", "qualitative", 0.4))
            else:
                claims.append(Claim(f"c{len(claims) + 1}", ad.ad_id, words, start, end, "x", "qualitative"))
    return claims[:max_claims], possible


@pytest.fixture
def stand_in_models(monkeypatch):  # type: ignore[no-untyped-def]
    """Vet copy without the models: a stand-in extractor (_read_copy_stand_in, STAND_IN_COPY the example copy)
    and a stand-in judge, which gives each claim the judgements the returned dict holds for its text (none by
    default), scored as the check scores them, on the demo reviews."""
    import alignment.pipeline as pipeline
    from alignment.records import ClaimResult
    from alignment.score import score_claim
    from alignment.ui import resources

    evidence: dict[str, list[Judgement]] = {}

    def judge(claims, review_set, config, *args, **kwargs):  # type: ignore[no-untyped-def]
        found = [tuple(evidence.get(claim.text, ())) for claim in claims]
        scores = [score_claim(judgements, config.min_evidence, config.interval_level) for judgements in found]
        return [ClaimResult(*result) for result in zip(claims, scores, found, strict=True)], None

    monkeypatch.setattr(pipeline, "judge_and_weigh", judge)
    monkeypatch.setattr(resources, "load_models", lambda: SimpleNamespace(embedder=None))  # the judge needs none
    monkeypatch.setattr(resources, "read_copy", _read_copy_stand_in)
    monkeypatch.setattr(resources, "demo_ads_text", lambda: STAND_IN_COPY)
    monkeypatch.setattr(
        resources, "infer_claim", lambda words: Claim("x", "given", words, 0, len(words), "x", "qualitative")
    )
    resources.result_store.clear()  # nor may this session find, or leave, a report of the stand-in judge
    yield evidence
    resources.result_store.clear()


def _supports(count: int, similarity: float) -> list[Judgement]:
    """``count`` demo review sentences that support a claim, each read at ``similarity``."""
    return [Judgement(index, similarity, "supports", 0.9, 0.05, 0.05) for index in range(count)]


def _carried_line(app: AppTest) -> list[str]:
    return [caption.value for caption in app.caption if "carried over" in caption.value]


def test_check_copy_keeps_the_claims_added_dropped_and_checked_by_hand(stand_in_models):
    app = AppTest.from_function(_vet_copy_page, default_timeout=60).run()
    app.button(key="vet_example").click().run()
    assert not app.exception
    app.text_input(key="vet_add_text").input("Free roaming in 40 countries")
    app.button[[b.label for b in app.button].index("Add and check")].click().run()
    generation = app.session_state["aln_generation"]
    app.button(key=f"drop_{generation}_c2").click().run()
    app.button(key=f"possible_{generation}_0").click().run()  # "Open late"
    assert not app.exception
    edited = [(row.claim.text, row.keep, row.origin) for row in app.session_state["aln_rows"]]
    # A line added to the copy, and the copy checked again: the edits stay, the new line's claim joins them.
    app.text_area(key="vet_copy_input").input(STAND_IN_COPY + "\n\nSwitch in minutes.").run()
    app.button(key="vet_check").click().run()
    assert not app.exception
    rows = [(row.claim.text, row.keep, row.origin) for row in app.session_state["aln_rows"]]
    assert rows == [
        ("Fewer dropped calls than any network", True, "copy"),
        ("No hidden fees, ever", False, "copy"),
        ("Real people answer 24/7", True, "copy"),
        ("Open late", True, "copy"),
        ("Switch in minutes", True, "copy"),
        ("Free roaming in 40 countries", True, "added"),
    ]
    assert [row for row in rows if row[0] != "Switch in minutes"] == edited
    assert any(h.value == "Dropped claims (1)" for h in app.subheader)
    assert "Free roaming in 40 countries" in _html(app) and not _carried_line(app)
    # The dropped claim's line taken out of the copy: its drop cannot carry over, and the page says so.
    app.text_area(key="vet_copy_input").input(
        "Fewer dropped calls than any network.\n\nReal people answer 24/7. Open late."
    ).run()
    app.button(key="vet_check").click().run()
    assert not app.exception
    assert _carried_line(app) == [
        "Your edits were carried over to this check, except: 1 claim you dropped is no longer in the copy."
    ]
    assert [row.claim.text for row in app.session_state["aln_rows"]] == [
        "Fewer dropped calls than any network",
        "Real people answer 24/7",
        "Open late",
        "Free roaming in 40 countries",
    ]
    # The example copy is a start afresh: the claims it holds, none of the edits.
    app.button(key="vet_example").click().run()
    assert not app.exception and not _carried_line(app)
    assert [(row.claim.text, row.origin) for row in app.session_state["aln_rows"]] == [
        ("Fewer dropped calls than any network", "copy"),
        ("No hidden fees, ever", "copy"),
        ("Real people answer 24/7", "copy"),
    ]


def test_an_unproven_claims_card_says_why_and_no_judged_claim_is_no_all_clear(stand_in_models):
    stand_in_models["Switching is easy"] = _supports(11, 0.35)  # plenty, but none on topic
    stand_in_models["No hidden fees"] = _supports(3, 0.6)  # on topic, too few
    stand_in_models["Real people answer 24/7"] = _supports(20, 0.7)
    app = AppTest.from_function(_vet_copy_page, default_timeout=60).run()
    app.text_area(key="vet_copy_input").input("Switching is easy.\n\nNo hidden fees.").run()
    app.button(key="vet_check").click().run()
    assert not app.exception
    # Nothing at risk because nothing could be judged: said neutrally, not as a green all-clear.
    assert not app.success
    assert [note.value for note in app.info if note.value.startswith("No claim could be judged")] == [
        "No claim could be judged: the reviews say too little about them (2 unproven)."
    ]
    # Each unproven card says why, and states its figure as too little to judge by (not in bold).
    page = _html(app)
    assert sorted(re.findall(r'<div class="aln-reason">(.*?)</div>', page)) == [
        "Unproven because fewer than 5 mentions take a side (the minimum evidence in Check settings); 3 do.",
        "Unproven because no review sentence is close enough to the claim to count as on topic (the closest "
        "is at similarity 0.35, under 0.40).",
    ]
    assert "Alignment</span> +1.00 from 11 mentions that take a side, not enough to judge" in page
    assert "Alignment</span> +1.00 from 3 mentions that take a side, not enough to judge" in page
    assert "<b>+1.00</b>" not in page
    # A supported claim among them: nothing at risk is the all-clear it reads as.
    app.text_area(key="vet_copy_input").input("Switching is easy.\n\nReal people answer 24/7.").run()
    app.button(key="vet_check").click().run()
    assert not app.exception
    assert [s.value for s in app.success] == ["No claim is contradicted or disputed by the reviews."]
    assert not any(note.value.startswith("No claim could be judged") for note in app.info)
    assert "<b>+1.00</b> on a −1 to +1 scale" in _html(app)  # the supported claim's figure stands as it was


def _gap_dashboard_of_typed_copy(copy: str) -> None:
    # An AppTest script: a session that checked ``copy`` (its first sentence the one claim) on a small upload,
    # then opened the Gap dashboard, whose "Report (JSON)" download is the report of the copy on Vet copy.
    import streamlit as st

    from alignment.ingest import ColumnMapping
    from alignment.records import Claim
    from alignment.ui import dashboard, state
    from alignment.ui.uploads import build_dataset, read_dataset_upload

    if state.DATASETS not in st.session_state:
        reviews = b"comment\nMy calls drop every single day.\nNo hidden fees at all.\n"
        dataset = build_dataset(read_dataset_upload(reviews, "small.csv"), ColumnMapping(text="comment"))
        st.session_state[state.DATASETS] = {dataset.key: dataset}
        st.session_state[state.ACTIVE] = dataset.key
        claim = Claim("c1", "ad1", "Brightwave never drops your calls", 0, 33, "dropped calls", "absolute")
        state.set_copy(copy, [claim])
    dashboard.render()


def test_the_apps_report_download_carries_the_copy_as_read_like_alignment_check(monkeypatch, tmp_path):
    # Report.ads, as alignment.check and the CLI write it: the ads as read (split at blank lines, character
    # references decoded), so a claim's start and end can be found in its ad. Two sessions whose copies differ
    # only outside the claim share one cached result, and each report carries its own copy.
    from streamlit.delta_generator import DeltaGenerator

    import alignment.pipeline as pipeline
    from alignment.records import ClaimResult, ClaimScore
    from alignment.ui import resources

    monkeypatch.setenv("ALIGN_WORKSPACE", str(tmp_path / "workspace"))
    checks: list[int] = []

    def judge(claims, *args, **kwargs):  # the models' work is not what is tested here
        checks.append(len(claims))
        score = ClaimScore(0, 0, 0, 0, None, None, "insufficient evidence")
        return [ClaimResult(claim, score, ()) for claim in claims], None

    offered: dict[str, object] = {}
    download_button = DeltaGenerator.download_button

    def recording(self, label, data, *args, **kwargs):  # what each download would give, by its label
        offered[label] = data
        return download_button(self, label, data, *args, **kwargs)

    monkeypatch.setattr(pipeline, "judge_and_weigh", judge)
    monkeypatch.setattr(resources, "load_models", lambda: SimpleNamespace(embedder=None))  # judge needs none
    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    resources.result_store.clear()  # nor may this session find, or leave, a report of the stand-in judge
    try:
        reports = []
        for copy in (
            "Brightwave never drops your calls.\n\n\nNo hidden fees &amp; no contracts.",
            "Brightwave never drops your calls.\n\nSwitch today.",
        ):
            app = AppTest.from_function(_gap_dashboard_of_typed_copy, args=(copy,), default_timeout=60).run()
            assert not app.exception
            data = offered["⬇ Report (JSON)"]
            reports.append(json.loads(cast(str, data() if callable(data) else data)))
    finally:
        resources.result_store.clear()
    assert checks == [1]  # the second session's report came from the cache
    assert reports[0]["ads"] == [
        {"ad_id": "ad1", "text": "Brightwave never drops your calls."},
        {"ad_id": "ad2", "text": "No hidden fees & no contracts."},
    ]
    assert reports[1]["ads"] == [
        {"ad_id": "ad1", "text": "Brightwave never drops your calls."},
        {"ad_id": "ad2", "text": "Switch today."},
    ]
    claim = reports[1]["claims"][0]
    assert reports[1]["ads"][0]["text"][claim["start"] : claim["end"]] == claim["text"]


def test_an_upload_mapped_again_keeps_a_segment_named_like_an_evidence_column():
    # "claim" is kept as "claim (segment)" (beside the evidence table's own column), and is the file's "claim"
    # when the mapping is changed again.
    data = "comment,claim,store\nMy claim was paid fast.,auto,North\nThey lost my claim twice.,home,South\n"
    app = AppTest.from_function(_datasets_page, default_timeout=TIMEOUT).run()
    app.session_state["aln_staged_upload"] = read_dataset_upload(data.encode(), "claims.csv")
    app.run()
    next(m for m in app.multiselect if m.label.startswith("Segment columns")).set_value(["claim", "store"]).run()
    app.button[[b.label for b in app.button].index("Validate and make active")].click().run()
    assert not app.exception and not app.error
    (upload,) = [d for d in app.session_state["aln_datasets"].values() if d.origin == "uploaded"]
    assert upload.review_set.mapping.segments == ("claim (segment)", "store")
    app.button[[b.label for b in app.button].index("Change column mapping")].click().run()
    assert next(m for m in app.multiselect if m.label.startswith("Segment columns")).value == ["claim", "store"]


def test_the_datasets_page_says_why_a_segment_is_shown_under_another_name():
    data = "comment,claim,store\nMy claim was paid fast.,auto,North\nThey lost my claim twice.,home,South\n"
    app = AppTest.from_function(_datasets_page, default_timeout=TIMEOUT).run()
    assert not [c.value for c in app.caption if c.value.startswith("Segment")]  # the demo's segments keep their names
    app.session_state["aln_staged_upload"] = read_dataset_upload(data.encode(), "claims.csv")
    app.run()
    next(m for m in app.multiselect if m.label.startswith("Segment columns")).set_value(["claim", "store"]).run()
    app.button[[b.label for b in app.button].index("Validate and make active")].click().run()
    assert not app.exception and not app.error
    assert [c.value for c in app.caption if c.value.startswith("Segment")] == [
        "Segment 'claim' is shown as 'claim (segment)', because 'claim' names a column of the evidence table."
    ]


def test_the_segment_rename_line_names_every_renamed_segment_and_only_those():
    from alignment.ui.datasets import segment_rename_note

    assert segment_rename_note(["store", "region"]) is None
    assert segment_rename_note(["date (segment)", "store", "rating (segment)"]) == (
        "Segments 'date' and 'rating' are shown as 'date (segment)' and 'rating (segment)', because 'date' and "
        "'rating' name columns of the evidence table."
    )
