"""Reading review files: formats, encodings, column detection, skipped rows and sentence splitting."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from alignment.errors import EmptyDatasetError, InputError, MissingColumnError, MissingFileError, UnreadableFileError
from alignment.ingest import (
    ReviewStream,
    coerce_ads,
    detect_columns,
    load_reviews,
    parse_ads_text,
    read_ads,
    split_spans,
)
from alignment.records import Ad


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx", ".json", ".jsonl", ".parquet"])
def test_ingest_reads_every_supported_format(tmp_path, reviews_frame, write_table, suffix):
    path = write_table(reviews_frame.astype(str), tmp_path / f"reviews{suffix}")
    loaded = load_reviews(path)
    assert loaded.mapping.text == "text"
    assert loaded.mapping.id == "review_id"
    assert loaded.summary.reviews == 7
    assert loaded.summary.skipped == {"blank text": 1}
    assert loaded.reviews[0].review_id == "r1"
    assert loaded.reviews[0].date == "2025-01-03"


def test_a_sheet_the_workbook_lacks_is_named_with_the_sheets_it_has(tmp_path, reviews_frame):
    path = tmp_path / "reviews.xlsx"
    with pd.ExcelWriter(path) as writer:
        reviews_frame.to_excel(writer, sheet_name="notes", index=False)
        reviews_frame.to_excel(writer, sheet_name="reviews", index=False)
    assert load_reviews(path, sheet="reviews").summary.reviews == 7
    assert load_reviews(path, sheet=1).summary.reviews == 7  # 0-based, as pandas counts
    with pytest.raises(UnreadableFileError, match=r"no sheet 'Reviews'; its sheets are 'notes', 'reviews'"):
        load_reviews(path, sheet="Reviews")
    # sheet= counts from 0 and --sheet from 1: the message gives the range of each, not a number one off
    for sheet in (2, -1):
        with pytest.raises(
            UnreadableFileError, match=r"no sheet at that number; .* 0 to 1 with sheet= in Python, 1 to 2"
        ):
            load_reviews(path, sheet=sheet)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
def test_ingest_decodes_utf8_bom_and_cp1252(tmp_path, encoding):
    path = tmp_path / "reviews.csv"
    path.write_bytes("id,text\n1,Caf\u00e9 staff were lovely \u2013 no fees\n".encode(encoding, errors="replace"))
    loaded = load_reviews(path)
    assert loaded.reviews[0].text.startswith("Caf\u00e9 staff")
    assert next(iter(loaded.summary.columns)) == "text"


def test_a_utf8_file_with_a_few_windows_1252_bytes_keeps_its_accents_and_emoji_read_whole_or_streamed(tmp_path):
    path = tmp_path / "reviews.csv"
    rows = ["id,text", "1,Caf\u00e9 staff \u2014 \u201cgreat\u201d \U0001f600", "2,Na\u00efve pricing"]
    # one review edited in a Windows tool: its apostrophe is the single cp1252 byte 0x92
    path.write_bytes("\n".join(rows).encode("utf-8") + b"\n3,It" + bytes([0x92]) + b"s fine\n")
    expected = ["Caf\u00e9 staff \u2014 \u201cgreat\u201d \U0001f600", "Na\u00efve pricing", "It\u2019s fine"]
    assert [review.text for review in load_reviews(path).reviews] == expected
    stream = ReviewStream(path, chunk_rows=2)
    assert [review.text for chunk, _ in stream.chunks() for review in chunk] == expected
    # a file in cp1252 throughout is still read as cp1252
    path.write_bytes("id,text\n1,Caf\u00e9 \u2019na\u00efve\u2019\n".encode("cp1252"))
    assert load_reviews(path).reviews[0].text == "Caf\u00e9 \u2019na\u00efve\u2019"


def test_a_rating_far_above_the_files_scale_is_counted_as_an_invalid_value_read_whole_or_streamed(tmp_path):
    stars = [5, 4, 1, 5, 3, 2, 5, 4, 4, 5] * 20
    stars[3], stars[150] = 50, 55  # "50" and "55" for "5" among 200 ratings on a 1-5 scale
    path = tmp_path / "shop.csv"
    path.write_text("id,text,rating\n" + "".join(f"{i},review {i} of the shop,{r}\n" for i, r in enumerate(stars)))
    whole = load_reviews(path)
    stream = ReviewStream(path, chunk_rows=40)  # the two typos in different chunks: the scale is read from all
    for _ in stream.chunks():
        pass
    assert whole.summary.columns["invalid_values"] == {"rating off the file's scale": 2}
    assert stream.summary().columns["invalid_values"] == {"rating off the file's scale": 2}
    # the reviews are kept, with their ratings as written
    assert (whole.reviews[3].rating, whole.reviews[150].rating) == (50.0, 55.0)
    # ratings that fit one scale whole leave nothing to report: a small file's 50 may be on a 0-100 scale
    path.write_text("id,text,rating\n" + "".join(f"{i},review {i} of the shop,{r}\n" for i, r in enumerate(stars[:5])))
    assert load_reviews(path).summary.columns["invalid_values"] == {}


def test_ingest_detects_text_column_by_content_when_name_is_unusual():
    frame = pd.DataFrame(
        {"n": [1, 2], "what_they_said": ["The signal keeps dropping at home.", "Great coverage in the hills."]}
    )
    assert detect_columns(frame).text == "what_they_said"


def test_a_named_column_is_found_whatever_its_case_and_spacing_when_only_one_fits(tmp_path):
    frame = pd.DataFrame({"Review  Text": ["Calls drop.", "Fees hidden."], "Stars": ["1", "2"], "Region": ["N", "S"]})
    mapping = detect_columns(frame, text_column="review text", rating_column="STARS", segment_columns=["region"])
    assert (mapping.text, mapping.rating, mapping.segments) == ("Review  Text", "Stars", ("Region",))
    two = pd.DataFrame({"Text": ["a b c"], "text": ["d e f"]})
    assert detect_columns(two, text_column="text").text == "text"  # the exact name first
    with pytest.raises(MissingColumnError, match="No text column named 'TEXT'"):
        detect_columns(two, text_column="TEXT")  # two fit: which one is not guessed


def test_an_empty_data_frame_streamed_gives_a_one_line_error_not_an_attribute_error():
    from alignment.errors import EmptyDatasetError

    with pytest.raises(EmptyDatasetError, match="DataFrame has no columns"):
        list(ReviewStream(pd.DataFrame()).chunks())


def test_ids_set_aside_as_the_frames_index_stay_the_reviews_ids_read_whole_or_streamed():
    frame = pd.DataFrame({"review_id": ["a1", "a2"], "text": ["Calls drop.", "Great."]}).set_index("review_id")
    assert [review.review_id for review in load_reviews(frame).reviews] == ["a1", "a2"]
    assert [review.review_id for chunk, _ in ReviewStream(frame).chunks() for review in chunk] == ["a1", "a2"]
    assert "review_id" not in frame.columns  # the caller's frame is not changed
    plain = pd.DataFrame({"text": ["Calls drop.", "Great."]}, index=[10, 11])  # an unnamed index is row labels
    assert [review.review_id for review in load_reviews(plain).reviews] == ["1", "2"]


def test_a_sheet_named_for_reviews_that_are_no_workbook_is_refused_not_passed_over(tmp_path, reviews_frame):
    path = tmp_path / "reviews.csv"
    reviews_frame.to_csv(path, index=False)
    with pytest.raises(InputError, match=r"^sheet= applies to an Excel file \(\.xlsx, \.xls\) only; reviews\.csv"):
        load_reviews(path, sheet=2)
    with pytest.raises(InputError, match=r"these reviews are a DataFrame"):
        load_reviews(reviews_frame, sheet="Reviews")
    with pytest.raises(InputError, match=r"^sheet= applies to an Excel file"):
        ReviewStream(path, sheet=0)


def test_dates_written_as_unix_time_or_spreadsheet_days_are_read_in_the_date_column_only():
    frame = pd.DataFrame(
        {
            "text": ["Calls drop.", "Fees hidden.", "Slow data.", "Great coverage."],
            "date": ["1700000000", "1700000000123", "45291", "12345"],
            "zip": ["45291", "45292", "45293", "45294"],
        }
    )
    loaded = load_reviews(frame, segment_columns=["zip"])
    assert [review.date for review in loaded.reviews] == ["2023-11-14", "2023-11-14", "2023-12-31", None]
    assert loaded.summary.columns["invalid_values"] == {"unparseable date": 1}  # 12345 is no date of a review
    assert detect_columns(frame.drop(columns="date")).date is None  # a column of 5-digit numbers is no date


def test_a_file_with_two_columns_named_like_the_text_column_asks_which_one_holds_the_reviews(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text("id,text,text\n1,Great service,n/a\n2,Slow data,ok\n")
    with pytest.raises(MissingColumnError, match=r"Two columns are named 'text' \(read as 'text', 'text.1'\)"):
        load_reviews(path)
    assert [review.text for review in load_reviews(path, text_column="text").reviews] == ["Great service", "Slow data"]


def test_ingest_without_text_column_lists_the_columns():
    frame = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    with pytest.raises(MissingColumnError, match="The columns are: a, b"):
        detect_columns(frame)


def test_ingest_named_column_that_does_not_exist_lists_the_columns(reviews_frame):
    with pytest.raises(MissingColumnError, match="review_id, date, rating, region, text"):
        load_reviews(reviews_frame, text_column="body")


def test_ingest_counts_blank_and_duplicate_rows():
    frame = pd.DataFrame({"text": ["Good signal.", "Good signal.", "  ", None, "Bad bill."]})
    loaded = load_reviews(frame)
    assert loaded.summary.rows == 5
    # The same row twice without ids is an exact duplicate too: nothing tells the two rows apart.
    assert loaded.summary.reviews == 2
    assert loaded.summary.skipped == {"duplicate row": 1, "blank text": 2}
    frame_with_ids = pd.DataFrame({"id": ["1", "1", "2"], "text": ["Good signal.", "Good signal.", "Bad bill."]})
    loaded = load_reviews(frame_with_ids)
    assert loaded.summary.skipped == {"duplicate row": 1}
    assert loaded.summary.reviews == 2


def test_ingest_uses_row_numbers_when_there_is_no_id_column():
    loaded = load_reviews(pd.DataFrame({"text": ["First review here.", "Second review here."]}))
    assert [r.review_id for r in loaded.reviews] == ["1", "2"]


def test_ingest_counts_unparseable_dates_and_ratings():
    frame = pd.DataFrame({"text": ["a b c", "d e f"], "date": ["2025-01-01", "not a date"], "rating": ["5", "high"]})
    loaded = load_reviews(frame)
    assert loaded.summary.columns["invalid_values"] == {"unparseable date": 1, "non-numeric rating": 1}
    assert loaded.reviews[1].date is None and loaded.reviews[1].rating is None


def test_ingest_rejects_missing_empty_and_unknown_files(tmp_path):
    with pytest.raises(MissingFileError):
        load_reviews(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(EmptyDatasetError):
        load_reviews(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("id,text\n")
    with pytest.raises(EmptyDatasetError, match="no review text"):
        load_reviews(header_only)
    odd = tmp_path / "reviews.docx"
    odd.write_text("x")
    with pytest.raises(UnreadableFileError, match="Unsupported file type"):
        load_reviews(odd)
    export = tmp_path / "unicode_text.txt"  # what Excel calls a Unicode Text export
    export.write_text("id\ttext\n1\tCalls drop.\n", encoding="utf-16")
    with pytest.raises(UnreadableFileError, match=r"reads as a table once renamed \.tsv"):
        load_reviews(export)
    with pytest.raises(UnreadableFileError, match=r"reads as a table once renamed \.tsv"):
        ReviewStream(export)


def test_ingest_rejects_binary_garbage_named_csv(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(UnreadableFileError):
        load_reviews(path)


def test_ingest_json_object_without_records_is_a_clear_error(tmp_path):
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps({"a": 1}))
    with pytest.raises(UnreadableFileError, match="list of records"):
        load_reviews(path)


def test_ingest_jsonl_bad_line_is_counted_not_fatal(tmp_path):
    path = tmp_path / "reviews.jsonl"
    path.write_text('{"text": "Signal is great."}\n{broken\n{"text": "Bill was wrong."}\n')
    loaded = load_reviews(path)
    assert loaded.summary.reviews == 2
    assert loaded.summary.skipped == {"unreadable line": 1}


def test_sentence_split_keeps_exact_offsets_and_abbreviations():
    text = "Called Dr. Smith at 5 p.m. today! Waited 2 hours...  Nobody answered?\nNever again"
    spans = split_spans(text)
    pieces = [text[s:e] for s, e in spans]
    assert pieces == ["Called Dr. Smith at 5 p.m. today!", "Waited 2 hours...", "Nobody answered?", "Never again"]


def test_sentence_split_reads_a_contrast_as_two_clauses_and_keeps_their_offsets():
    text = "Great food, but the service was slow. The wine was fine although pricey here."
    pieces = [text[s:e] for s, e in split_spans(text)]
    assert pieces == ["Great food", "but the service was slow.", "The wine was fine", "although pricey here."]
    assert [text[s:e] for s, e in split_spans(text, clauses=False)] == [
        "Great food, but the service was slow.",
        "The wine was fine although pricey here.",
    ]
    text = "It does not stretch at all , but it still fits. I liked it even though it was cold."
    assert [text[s:e] for s, e in split_spans(text)] == [
        "It does not stretch at all",  # "all, but" is a contrast; "all but" is not
        "but it still fits.",
        "I liked it",
        "even though it was cold.",
    ]


def test_sentence_split_leaves_phrases_that_are_not_contrasts_whole():
    for text in (
        "I have nothing but praise for them.",  # "nothing but" means "only"
        "Not only fast but also cheap.",
        "Great food though.",  # one word after the contrast: no clause of its own
        "Fine, but no.",
        "Butter was fresh.",
        "Perfect summer top (though it has stripes!).",  # an aside in brackets
        "I felt as though I were in Paris.",
        "Filled with suits, though, so never comfortable.",
    ):
        assert [text[s:e] for s, e in split_spans(text)] == [text]


def test_sentence_split_cuts_very_long_sentences():
    text = "word " * 1000
    spans = split_spans(text)
    assert len(spans) > 1
    assert all(e - s <= 600 for s, e in spans)


def test_sentence_split_ignores_emoji_only_and_punctuation_only_text():
    assert split_spans("🙂🙂 !!!") == []


def test_ads_text_splits_at_blank_lines_and_tables_need_text_column(tmp_path):
    ads = parse_ads_text("First ad. Still first.\n\n\nSecond ad.\r\n\r\nThird.")
    assert [a.text for a in ads] == ["First ad. Still first.", "Second ad.", "Third."]
    table = tmp_path / "ads.csv"
    table.write_text("id,copy\nx,Free delivery\n")
    with pytest.raises(MissingColumnError, match="--text-column"):
        read_ads(table)
    assert read_ads(table, text_column="copy")[0].ad_id == "x"


def test_a_markdown_ads_file_is_read_as_its_words_as_the_app_reads_it(tmp_path):
    from alignment.ui.uploads import read_copy_upload

    copy = "# Big **sale**\r\n\r\n- No *hidden* fees, [ever](http://x).\r\n- Real people answer `24/7`\r\n"
    path = tmp_path / "ads.md"
    path.write_bytes(copy.encode("utf-8"))
    ads = read_ads(path)
    assert [a.text for a in ads] == ["Big sale", "No hidden fees, ever.\nReal people answer 24/7"]
    assert ads == parse_ads_text(read_copy_upload(copy.encode("utf-8"), "ads.md"))
    path.with_suffix(".txt").write_bytes(copy.encode("utf-8"))  # plain text keeps what was typed
    assert read_ads(path.with_suffix(".txt"))[0].text == "# Big **sale**"


def test_an_ads_table_giving_one_id_to_two_ads_is_refused_naming_the_id_and_its_rows(tmp_path):
    table = tmp_path / "ads.csv"
    table.write_text('ad_name,copy\nA1,"No hidden fees, ever."\nA2,\nA1,Fastest 5G in town.\n,Free setup.\n')
    with pytest.raises(InputError, match=r"^ads\.csv gives the id 'A1' to more than one ad \(data rows 1 and 3\)\."):
        read_ads(table, id_column="ad_name", text_column="copy")
    frame = pd.DataFrame({"id": ["x", "y", "x"], "text": ["No fees.", "Fast 5G.", "Free setup."]})
    with pytest.raises(
        InputError, match=r"^The ads DataFrame gives the id 'x' to more than one ad \(positions 0 and 2\)"
    ):
        coerce_ads(frame)
    with pytest.raises(InputError, match=r"^The list of ads gives the id 'a' .* \(positions 0 and 1\)"):
        coerce_ads([Ad(ad_id="a", text="No fees."), Ad(ad_id="a", text="Fast 5G.")])


def test_an_ad_row_without_copy_is_skipped_and_said_and_a_blank_id_never_repeats_a_real_one(tmp_path):
    table = tmp_path / "ads.csv"
    table.write_text("ad_name,copy\nA1,No hidden fees.\nA2,\n,Free setup.\nad3,Fast 5G.\n")
    notes: list[str] = []
    ads = read_ads(table, id_column="ad_name", text_column="copy", notes=notes)
    assert [(ad.ad_id, ad.text) for ad in ads] == [
        ("A1", "No hidden fees."),
        ("ad3.1", "Free setup."),
        ("ad3", "Fast 5G."),
    ]
    assert notes == ["ads.csv: skipped 1 row with no ad copy (data row 2)."]
    frame = pd.DataFrame({"id": ["", "ad1"], "text": ["Free setup.", "Fast 5G."]})
    assert [ad.ad_id for ad in coerce_ads(frame)] == ["ad1.1", "ad1"]


def test_a_segment_column_named_twice_is_kept_once(tmp_path, reviews_frame):
    frame = reviews_frame.assign(Channel="App")
    assert load_reviews(frame, segment_columns=["Channel", "Channel"]).mapping.segments == ("Channel",)
    assert detect_columns(frame, segment_columns=["Channel", "Channel"]).segments == ("Channel",)
    path = tmp_path / "reviews.csv"
    frame.to_csv(path, index=False)
    stream = ReviewStream(path, segment_columns=["Channel", "Channel"])
    reviews = [review for chunk, _ in stream.chunks() for review in chunk]
    assert stream.summary().columns["segments"] == ["Channel"] and reviews[0].segments == {"Channel": "App"}


def test_coerce_ads_accepts_string_list_and_frame():
    assert len(coerce_ads("One.\n\nTwo.")) == 2
    assert [a.ad_id for a in coerce_ads(["One.", "Two."])] == ["ad1", "ad2"]
    assert coerce_ads(pd.DataFrame({"id": ["z"], "text": ["Free returns."]}))[0].ad_id == "z"


def test_coerce_ads_reads_each_html_ad_of_a_list_or_frame_as_the_text_a_browser_shows(tmp_path):
    html = "<p>Save 10% &ndash; bundle home &amp; auto.</p><p>Free installation<sup>*</sup></p>"
    shown = "Save 10% – bundle home & auto.\n\nFree installation"  # the blocks stay one ad, a blank line apart
    assert [a.text for a in coerce_ads([html, "Free <b>shipping</b> on all orders"])] == [
        shown,
        "Free shipping on all orders",
    ]
    assert [(a.ad_id, a.text) for a in coerce_ads(pd.DataFrame({"id": ["x"], "text": [f"  {html}  "]}))] == [
        ("x", shown)
    ]
    table = tmp_path / "ads.csv"
    pd.DataFrame({"id": ["x"], "text": [html]}).to_csv(table, index=False)
    assert [a.text for a in read_ads(table)] == [shown]
    # a string of copy splits its blocks into ads, as before
    assert [a.text for a in coerce_ads(html)] == ["Save 10% – bundle home & auto.", "Free installation"]


def test_coerce_ads_keeps_plain_copy_with_angle_brackets_as_typed():
    typed = ["We <3 our customers", "Plans for prices < $10 & > $5", "   Free returns <within 30 days>  "]
    assert [a.text for a in coerce_ads(typed)] == [text.strip() for text in typed]
    assert [a.text for a in coerce_ads(pd.DataFrame({"text": typed}))] == [text.strip() for text in typed]
    assert [a.text for a in parse_ads_text("We <3 our customers.\n\nPrices < $10.")] == [
        "We <3 our customers.",
        "Prices < $10.",
    ]


def test_ad_copy_decodes_character_references_and_leaves_bare_ampersands_alone():
    copy = "Save up to 15% when you bundle home &amp; auto.&nbsp;We&#39;re here&#x2019;s 24/7"
    read = "Save up to 15% when you bundle home & auto. We're here’s 24/7"
    assert [a.text for a in parse_ads_text(copy)] == [read]
    assert [a.text for a in coerce_ads([copy])] == [read]
    assert [a.text for a in coerce_ads(pd.DataFrame({"text": [copy]}))] == [read]
    bare = "AT&T and R&D; Q&A, Rock&Roll, &T; and &notaname; stay as typed & so does &amp without its semicolon"
    assert [a.text for a in parse_ads_text(bare)] == [bare]
    assert [a.text for a in coerce_ads([bare])] == [bare]


def test_a_column_name_with_a_line_break_keeps_the_missing_column_message_on_one_line():
    frame = pd.DataFrame({"\x01\n\x01": [1, 2], " padded ": [3, 4], "rating": [5, 4]})
    with pytest.raises(MissingColumnError) as caught:
        detect_columns(frame)
    message = str(caught.value)
    assert "\n" not in message and "'\\x01\\n\\x01'" in message and "' padded '" in message and "rating" in message


# Reviews written for this test, each in its language, none with an English word in it.
OTHER_LANGUAGES = [
    "El servicio fue muy lento y la comida llegó fría a la mesa.",  # Spanish
    "No me gustó nada, el camarero era muy grosero con nosotros.",
    "Das Essen war kalt und der Service sehr langsam heute Abend.",  # German
    "Ich will mein Geld zurück, so geht das nicht weiter.",
    "Le service était lent mais la nourriture était excellente ce soir.",  # French
    "Il cameriere era gentile ma il cibo era freddo e senza sapore.",  # Italian
    "Het eten was koud en de bediening is traag, we komen niet terug.",  # Dutch
    "To jest najgorsza obsługa klienta, jaką kiedykolwiek widziałem.",  # Polish
    "A entrega atrasou duas semanas e ninguém respondeu aos meus e-mails.",  # Portuguese
    "Leveringen kom for sent, og kundeservice svarte aldri på e-posten min.",  # Norwegian
]
ENGLISH = [
    "The delivery was two weeks late and nobody answered my emails.",
    "Great coverage in town, but calls drop on the motorway.",
    "Fees crept up every month without a word from them.",
    "Staff are friendly and the gym is always clean.",
]


def test_english_share_tells_english_reviews_from_reviews_in_other_languages():
    from alignment.ingest import english_share

    # "Fees crept up every month without a word from them." holds no common word of either side: English
    assert english_share(ENGLISH) == (1.0, 4)
    assert english_share(OTHER_LANGUAGES) == (0.0, 10)
    assert english_share(ENGLISH + OTHER_LANGUAGES[:4]) == (0.5, 8)


def test_short_telegraphic_english_reads_as_english_and_other_scripts_do_not():
    from alignment.ingest import english_share

    telegraphic = [
        "Friendly baristas, always smiling.",
        "Wifi kept dropping all afternoon.",
        "Great espresso, fair price, quick service.",
        "Open late which is great for students.",
    ]
    assert english_share(telegraphic) == (1.0, 4)  # none holds "the", "and", "my" …: still English
    other_scripts = [
        "这家店的咖啡很好喝，服务也很周到，下次还会再来。",  # Chinese: no spaces, so one "word"
        "Это худший сервис, который я когда-либо видел.",  # Russian
        "Η εξυπηρέτηση ήταν πολύ αργή και το φαγητό κρύο.",  # Greek
    ]
    assert english_share(other_scripts) == (0.0, 3)
    assert english_share(["The café de Paris was lovely."]) == (1.0, 1)  # a foreign word in English is English


def test_ad_copy_promising_free_delivery_in_german_or_french_reads_as_another_language():
    from alignment.ingest import read_language

    german = "Kostenloser Versand für alle Bestellungen. Die schnellste Internetverbindung in ganz Deutschland."
    french = "Livraison gratuite et retours sans frais. Le meilleur réseau 5G de France."
    assert read_language(german, strict=True) is False and read_language(french, strict=True) is False
    assert read_language("Free shipping on all orders over $50, delivered in 2 days.", strict=True) is not False


def test_english_share_reads_only_texts_long_enough_to_tell_and_a_bounded_sample():
    from alignment.ingest import ENGLISH_SAMPLE, english_share

    # "Great food!" need hold no function word in any language: too short to count either way
    assert english_share(["Great food!", "Muy bien.", "Top!"]) == (1.0, 0)
    share, read = english_share(OTHER_LANGUAGES * 1_000)
    assert share == 0.0 and read <= ENGLISH_SAMPLE


# Data rows 1, 2, 4 and 6 are reviews; 3 and 5 have a field too many. Blank lines, before the header and
# between rows, are no rows; a quoted review over two lines is one row.
_RAGGED_CSV = (
    '\n\ntext,rating\nFirst review here.,1\n"Second review,\nover two lines.",2\nThird,3,extra\n\n  \n'
    "Fourth review here.,4\nFifth,5,extra,more\nSixth review here.,1\n\n"
)


def _ids_and_texts(reviews):
    return [(review.review_id, review.row, review.text.split()[0]) for review in reviews]


def test_a_malformed_csv_row_keeps_its_data_row_number_so_the_rows_after_it_keep_theirs(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text(_RAGGED_CSV, encoding="utf-8")
    expected = [("1", 1, "First"), ("2", 2, "Second"), ("4", 4, "Fourth"), ("6", 6, "Sixth")]
    whole = load_reviews(path)
    assert _ids_and_texts(whole.reviews) == expected
    assert whole.summary.skipped == {"malformed row": 2} and whole.summary.rows == 6
    for chunk_rows in (1, 2, 100):  # streamed into a workspace, in chunks of any size
        stream = ReviewStream(path, chunk_rows=chunk_rows)
        assert _ids_and_texts(review for reviews, _ in stream.chunks() for review in reviews) == expected
        assert stream.summary().skipped == {"malformed row": 2} and stream.summary().rows == 6


def test_a_malformed_row_of_a_file_without_a_header_keeps_its_number(tmp_path):
    path = tmp_path / "reviews.csv"
    rows = ["The signal dropped again today.,2", "Calls drop all the time.,1,extra"]
    rows += ["Hidden fees on my bill again.,1", "Support never answers the phone.,2"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    whole = load_reviews(path)
    stream = ReviewStream(path)
    streamed = [review for reviews, _ in stream.chunks() for review in reviews]
    assert [review.review_id for review in whole.reviews] == ["1", "3", "4"]
    assert [review.review_id for review in streamed] == ["1", "3", "4"]


def test_rows_the_fallback_parser_skips_keep_their_numbers_too(tmp_path, monkeypatch):
    # pandas' C parser gives up on some badly quoted rows; the python parser then reads the file.
    path = tmp_path / "reviews.csv"
    path.write_text(_RAGGED_CSV, encoding="utf-8")
    read_csv = pd.read_csv

    def c_parser_fails(*args, **options):
        if options.get("engine") != "python" and options.get("on_bad_lines") == "warn":
            raise pd.errors.ParserError("Error tokenizing data. C error: a badly quoted row")
        return read_csv(*args, **options)

    monkeypatch.setattr(pd, "read_csv", c_parser_fails)
    loaded = load_reviews(path)
    assert _ids_and_texts(loaded.reviews) == [
        ("1", 1, "First"),
        ("2", 2, "Second"),
        ("4", 4, "Fourth"),
        ("6", 6, "Sixth"),
    ]
    assert loaded.summary.skipped == {"malformed row": 2} and loaded.summary.rows == 6


def test_an_unreadable_json_line_keeps_its_data_row_number(tmp_path):
    path = tmp_path / "reviews.jsonl"
    lines = ['{"text": "First review here."}', "{bad json", "", '{"text": "Third review here."}', "[1, 2]"]
    lines += ['{"text": "Fifth review here."}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = [("1", 1, "First"), ("3", 3, "Third"), ("5", 5, "Fifth")]  # the blank line is no row
    whole = load_reviews(path)
    assert _ids_and_texts(whole.reviews) == expected
    assert whole.summary.skipped == {"unreadable line": 2}
    for chunk_rows in (1, 100):
        stream = ReviewStream(path, chunk_rows=chunk_rows)
        assert _ids_and_texts(review for reviews, _ in stream.chunks() for review in reviews) == expected
        assert stream.summary().skipped == {"unreadable line": 2}


def _summary_then_reviews(path, reviews_frame) -> None:
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Metric": ["Reviews", "Mean rating"], "Value": [3, 2.7]}).to_excel(
            writer, sheet_name="Summary", index=False
        )
        reviews_frame.to_excel(writer, sheet_name="Reviews", index=False)
        pd.DataFrame({"Note": ["Exported from the CRM."]}).to_excel(writer, sheet_name="Notes", index=False)


def test_a_workbook_whose_first_table_is_not_the_reviews_names_its_sheets_and_how_to_pick_one(tmp_path, reviews_frame):
    path = tmp_path / "reviews.xlsx"
    _summary_then_reviews(path, reviews_frame)
    hint = (
        r"These are the columns of sheet 'Summary'; the workbook also has 'Reviews', 'Notes': "
        r"pick the sheet with the reviews with --sheet \(sheet= in Python\)\.$"
    )
    with pytest.raises(MissingColumnError, match=r"^Could not tell which column .* Metric, Value\. .*" + hint) as found:
        load_reviews(path)
    assert "\n" not in str(found.value)
    with pytest.raises(MissingColumnError, match=r"^No text column named 'text'\. .*" + hint):
        load_reviews(path, text_column="text")
    with pytest.raises(MissingColumnError, match=r"^No rating column named 'rating'\. .*" + hint):
        list(ReviewStream(path, rating_column="rating").chunks())  # a workspace ingest says the same
    assert load_reviews(path, sheet="Reviews").summary.reviews == 7


def test_a_missing_column_of_a_one_sheet_workbook_or_a_csv_says_nothing_of_sheets(tmp_path, reviews_frame):
    path = tmp_path / "reviews.xlsx"
    reviews_frame.to_excel(path, index=False)
    with pytest.raises(MissingColumnError) as found:
        load_reviews(path, text_column="body")
    assert "sheet" not in str(found.value)
    with pytest.raises(MissingColumnError) as found:
        load_reviews(reviews_frame, text_column="body")
    assert "sheet" not in str(found.value)


def test_a_malformed_row_after_a_review_too_long_to_recount_still_keeps_its_number(tmp_path):
    # The rows are counted again by Python's csv module, whose field limit (128 kB) this review passes.
    path = tmp_path / "reviews.csv"
    long_review = "The signal dropped again. " * 6000
    path.write_text(f'text,rating\nFirst review.,1\n"{long_review}",2\nThird,3,extra\nFourth review.,4\n')
    assert [review.review_id for review in load_reviews(path).reviews] == ["1", "2", "4"]
    stream = ReviewStream(path, chunk_rows=1)
    assert [review.review_id for reviews, _ in stream.chunks() for review in reviews] == ["1", "2", "4"]


def test_ad_ids_written_as_whole_floats_or_missing_read_as_whole_numbers_or_are_numbered():
    ads = coerce_ads(pd.DataFrame({"id": [7.0, None, 2.5], "text": ["Free returns.", "Fast delivery.", "Low fees."]}))
    assert [ad.ad_id for ad in ads] == ["7", "ad2", "2.5"]


def test_read_ads_of_something_not_a_path_says_to_give_a_path_or_pass_the_copy_as_ads():
    with pytest.raises(InputError, match=r"^read_ads takes the path of a file of ad copy, not int"):
        read_ads(3)  # type: ignore[arg-type]


def _whole_and_streamed(path, **columns):
    """The reviews of ``path`` read whole, then streamed in chunks of 1, 2 and 100 rows: all the same."""
    whole = load_reviews(path, **columns)
    for chunk_rows in (1, 2, 100):
        stream = ReviewStream(path, chunk_rows=chunk_rows, **columns)
        streamed = [review for reviews, _ in stream.chunks() for review in reviews]
        assert streamed == list(whole.reviews)
        assert stream.summary().skipped == whole.summary.skipped and stream.summary().rows == whole.summary.rows
    return whole


def test_a_first_row_with_a_field_too_many_is_skipped_not_read_one_column_off(tmp_path):
    # pandas reads a first data row with one field more than the header as "the first column is an index",
    # and every row after it one column off: the ratings as the reviews, silently.
    path = tmp_path / "reviews.csv"
    rows = ["id,text,rating", "r1,Hidden fees, never again.,1", "r2,Calls drop all the time.,2"]
    rows += ["r3,Great coverage downtown.,5", "r4,Support was slow, rude and unhelpful.,1", "r5,Fine.,4"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    whole = _whole_and_streamed(path)
    assert [(r.review_id, r.row, r.text, r.rating) for r in whole.reviews] == [
        ("r2", 2, "Calls drop all the time.", 2.0),
        ("r3", 3, "Great coverage downtown.", 5.0),
        ("r5", 5, "Fine.", 4.0),
    ]
    assert whole.summary.skipped == {"malformed row": 2} and whole.summary.rows == 5


def test_a_review_file_of_one_column_keeps_its_reviews_whole_or_counts_them_skipped(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text("review\nHidden fees on every bill, never again.\nCalls drop all the time.\nFine.\n", "utf-8")
    whole = _whole_and_streamed(path)
    assert [(r.row, r.text) for r in whole.reviews] == [(2, "Calls drop all the time."), (3, "Fine.")]
    assert whole.summary.skipped == {"malformed row": 1}


def test_a_trailing_separator_on_every_row_is_not_a_field(tmp_path):
    path = tmp_path / "reviews.csv"
    rows = ["id,text,channel", 'r1,"Calls drop constantly, awful network.",Phone,', 'r2,"No dropped calls.",Web,']
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    whole = _whole_and_streamed(path)
    assert [(r.review_id, r.text, r.segments) for r in whole.reviews] == [
        ("r1", "Calls drop constantly, awful network.", {"channel": "Phone"}),
        ("r2", "No dropped calls.", {"channel": "Web"}),
    ]
    assert whole.summary.skipped == {}


def test_an_export_with_row_names_and_no_header_for_them_is_read_by_its_named_columns(tmp_path):
    # R's write.table(row.names = TRUE) names every column but the row names': each row has one field more.
    path = tmp_path / "reviews.csv"
    rows = ['"text","rating"', '"1","Calls drop all the time.",2', '"2","Great coverage downtown.",5']
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    whole = _whole_and_streamed(path)
    assert [(r.text, r.rating) for r in whole.reviews] == [
        ("Calls drop all the time.", 2.0),
        ("Great coverage downtown.", 5.0),
    ]
    assert whole.summary.skipped == {}


def test_a_file_over_the_size_limit_is_refused_with_sizes_a_person_reads(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_text("text\n" + "Calls drop every day.\n" * 1400)  # about 0.03 MB
    monkeypatch.setenv("ALIGN_MAX_FILE_MB", "0.01")
    with pytest.raises(UnreadableFileError, match=r"big\.csv is 0\.029 MB, over the 0\.01 MB limit; raise it"):
        load_reviews(path)


def test_a_text_file_that_is_really_a_workbook_or_parquet_says_what_it_looks_like(tmp_path):
    frame = pd.DataFrame({"text": ["Calls drop.", "Fees hidden."]})
    parquet_as_csv = tmp_path / "reviews.csv"
    frame.to_parquet(parquet_as_csv)
    workbook_as_json = tmp_path / "reviews.json"
    frame.to_excel(workbook_as_json, index=False, engine="openpyxl")
    for path, looks in ((parquet_as_csv, "a Parquet file"), (workbook_as_json, "an Excel workbook")):
        with pytest.raises(UnreadableFileError, match=f"is not {path.suffix[1:].upper()}: it looks like {looks}"):
            load_reviews(path)
        with pytest.raises(UnreadableFileError, match=f"it looks like {looks}"):
            ReviewStream(path)


def test_json_named_csv_says_it_looks_like_json_rather_than_listing_its_columns(tmp_path):
    records = [{"review": {"body": f"Review {n}, late again.", "rating": n % 5}} for n in range(40)]
    for name, text in (
        ("reviews.csv", json.dumps(records, indent=2)),
        ("lines.csv", "\n".join(json.dumps(record) for record in records)),
        ("reviews.tsv", json.dumps(records)),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(UnreadableFileError, match=r"is not [CT]SV: it looks like JSON \(\.json\)\. Rename it"):
            load_reviews(path)
        with pytest.raises(UnreadableFileError, match=r"is not [CT]SV: it looks like JSON \(\.json\)\. Rename it"):
            ReviewStream(path)


def test_a_message_listing_many_columns_names_the_first_twelve_and_counts_the_rest(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{n}" for n in range(40)) + "\n" + ",".join(["1"] * 40) + "\n", encoding="utf-8")
    with pytest.raises(MissingColumnError) as raised:
        load_reviews(path, text_column="body")
    message = str(raised.value)
    assert "c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11 … and 28 more." in message and "c12" not in message


def test_a_file_under_another_formats_name_says_what_it_looks_like_and_how_to_rename_it(tmp_path):
    import zipfile

    frame = pd.DataFrame({"text": ["Calls drop.", "Fees hidden."], "rating": ["1", "2"]})
    csv_as_parquet = tmp_path / "csv.parquet"
    frame.to_csv(csv_as_parquet, index=False)
    workbook_as_parquet = tmp_path / "book.parquet"
    frame.to_excel(workbook_as_parquet, index=False, engine="openpyxl")
    json_as_parquet = tmp_path / "records.parquet"
    frame.to_json(json_as_parquet, orient="records")
    zip_as_xlsx = tmp_path / "zipped.xlsx"
    with zipfile.ZipFile(zip_as_xlsx, "w") as archive:
        archive.writestr("reviews.csv", frame.to_csv(index=False))
    csv_as_json = tmp_path / "csv.json"
    frame.to_csv(csv_as_json, index=False)
    csv_as_jsonl = tmp_path / "csv.jsonl"
    frame.to_csv(csv_as_jsonl, index=False, sep="\t")
    expected = {
        csv_as_parquet: r"^csv\.parquet is not a Parquet file: it looks like text \(a CSV file\?\)\. Rename it \.csv",
        workbook_as_parquet: r"^book\.parquet is not a Parquet file: it looks like an Excel workbook",
        json_as_parquet: r"^records\.parquet is not a Parquet file: it looks like JSON \(\.json\)\. Rename it \.json",
        zip_as_xlsx: r"^zipped\.xlsx is not an Excel workbook: it is a zip file holding reviews\.csv\. Unzip it",
        csv_as_json: r"^csv\.json is not JSON: it looks like text \(a CSV file\?\).*Rename it \.csv",
        csv_as_jsonl: r"^csv\.jsonl is not JSON: it looks like text \(a CSV file\?\).*Rename it \.csv",
    }
    for path, pattern in expected.items():
        with pytest.raises(UnreadableFileError, match=pattern) as whole:
            load_reviews(path)
        with pytest.raises(UnreadableFileError, match=pattern) as streamed:
            list(ReviewStream(path).chunks())
        for raised in (whole, streamed):
            assert "\n" not in str(raised.value) and "magic bytes" not in str(raised.value)


def test_a_json_lines_file_whose_first_line_is_damaged_still_skips_only_that_line(tmp_path):
    path = tmp_path / "lines.jsonl"
    path.write_text('oops, not json\n{"text": "Calls drop daily."}\n{"text": "No fees."}\n', encoding="utf-8")
    assert load_reviews(path).summary.skipped == {"unreadable line": 1}


def test_an_ads_frame_without_a_text_column_says_how_to_name_it():
    from alignment.ingest import coerce_ads

    with pytest.raises(MissingColumnError, match=r"ads\.rename\(columns=\{'Copy': 'text'\}\)"):
        coerce_ads(pd.DataFrame({"Ad name": ["spring"], "Copy": ["No hidden fees."]}))
