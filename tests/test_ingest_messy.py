"""Reading the messy files analysts really have: day-first dates, time zones, nested JSON, UTF-16 exports,
workbooks with a cover sheet or a title above the header, misnamed files, and a review that repeats itself."""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import pytest

from alignment.errors import EmptyDatasetError, InputError, MissingColumnError, UnreadableFileError
from alignment.ingest import (
    AMBIGUOUS_DATE,
    DATE_AGAINST_ORDER,
    HEADERLESS,
    LONG_REVIEW,
    MISSING_ID,
    NO_WORDS,
    NOT_TEXT,
    REPEATED_SENTENCE,
    RESCALED_RATING,
    ROWS_RUN_TOGETHER,
    TITLE_ROW,
    ReviewStream,
    _parse_dates,
    first_row_is_data,
    load_reviews,
    source_column,
)


def _dates(values: list[object]) -> tuple[list[str | None], dict[str, int]]:
    invalid: Counter[str] = Counter()
    return _parse_dates(pd.Series(values, dtype=object), invalid), dict(invalid)


def test_a_column_of_day_first_dates_is_read_day_first_throughout():
    dates, invalid = _dates(["05/01/2025", "09/01/2025", "13/01/2025", "2025-01-05"])
    assert dates == ["2025-01-05", "2025-01-09", "2025-01-13", "2025-01-05"]
    assert invalid == {}


def test_a_column_of_month_first_dates_stays_month_first():
    dates, invalid = _dates(["01/05/2025", "01/13/2025", "12.03.2025"])
    assert dates == ["2025-01-05", "2025-01-13", "2025-12-03"]
    assert invalid == {}


def test_dates_that_cannot_tell_day_from_month_are_counted_as_unclear():
    dates, invalid = _dates(["01/05/2025", "02/06/2025", "02/06/2025", "07/07/2025"])
    assert dates == ["2025-01-05", "2025-02-06", "2025-02-06", "2025-07-07"]
    assert invalid == {AMBIGUOUS_DATE: 3}  # 07/07 reads the same either way


def test_dotted_dates_no_number_settles_are_read_day_first_as_the_countries_writing_them_do():
    dates, invalid = _dates(["04.03.2025", "05.03.2025", "06.03.2025"])
    assert dates == ["2025-03-04", "2025-03-05", "2025-03-06"] and invalid == {}
    # slashes say nothing of the order, so they stay unclear; a number over 12 still settles it
    assert _dates(["04/03/2025", "05/03/2025"]) == (["2025-04-03", "2025-05-03"], {AMBIGUOUS_DATE: 2})
    assert _dates(["04.03.2025", "03.25.2025", "06.03.2025"])[0] == ["2025-04-03", "2025-03-25", "2025-06-03"]


def test_the_day_first_order_found_in_one_chunk_holds_for_the_next(tmp_path):
    rows = ["review_id,date,text"]
    rows += [f"a{n},25/0{1 + n % 9}/2025,Calls drop every evening number {n}" for n in range(30)]
    rows += [f"b{n},0{1 + n % 9}/03/2025,The app works well for me number {n}" for n in range(30)]
    path = tmp_path / "reviews.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    stream = ReviewStream(path, chunk_rows=10)
    reviews = [review for chunk, _ in stream.chunks() for review in chunk]
    assert reviews[30].date == "2025-03-01"  # 01/03 in a day-first file is the 1st of March
    assert reviews[38].date == "2025-03-09"
    assert AMBIGUOUS_DATE not in dict(stream.summary().columns["invalid_values"])  # type: ignore[call-overload]


def test_a_timestamp_with_a_zone_keeps_the_reviewers_own_date():
    dates, invalid = _dates(["2025-03-04T23:30:00-05:00", "2015-02-24 11:35:52 -0800", "3/4/25 10:00 PM PST"])
    assert dates == ["2025-03-04", "2015-02-24", "2025-03-04"]
    assert invalid == {AMBIGUOUS_DATE: 1}  # 3/4/25 alone cannot tell March 4th from April 3rd


def test_placeholder_and_future_dates_are_counted_and_left_empty():
    dates, invalid = _dates(["0001-01-01", "2199-06-01", "1999-12-31", "not a date", ""])
    assert dates == [None, None, "1999-12-31", None, None]
    assert invalid == {"date out of range": 2, "unparseable date": 1}


def test_nested_json_records_are_flattened_and_their_columns_found(tmp_path):
    records = [
        {
            "id": f"r{n}",
            "review": {"text": f"The fees were hidden again, time {n}.", "rating": 2},
            "meta": {"date": "2025-02-03", "region": "North", "where": "web"},
        }
        for n in range(3)
    ]
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    loaded = load_reviews(path)
    assert loaded.mapping.text == "review.text"
    assert loaded.mapping.rating == "review.rating"
    assert loaded.mapping.date == "meta.date"
    assert loaded.mapping.segments == ("meta.region",)  # known by its last part, as a flat "region" is
    assert loaded.reviews[0].text == "The fees were hidden again, time 0."
    assert loaded.reviews[0].rating == 2.0
    # a column named by its last part is found too
    named = load_reviews(path, text_column="text", segment_columns=["where"])
    assert named.mapping.text == "review.text" and named.mapping.segments == ("meta.where",)


def test_a_text_cell_holding_a_list_is_skipped_and_counted_and_bytes_are_decoded(tmp_path):
    frame = pd.DataFrame({"text": [["a", "list"], b"Calls drop daily.", "Support never answers."]})
    loaded = load_reviews(frame)
    assert [review.text for review in loaded.reviews] == ["Calls drop daily.", "Support never answers."]
    assert loaded.summary.skipped == {NOT_TEXT: 1}


def test_a_segment_holding_a_list_is_written_as_json_not_as_python():
    frame = pd.DataFrame({"text": ["Calls drop daily."], "region": [["North", "East"]]})
    loaded = load_reviews(frame, segment_columns=["region"])
    assert loaded.reviews[0].segments == {"region": '["North", "East"]'}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_utf16_export_is_decoded(tmp_path, encoding):
    path = tmp_path / "reviews.csv"
    path.write_bytes("review_id,text\nr1,Café staff were lovely.\nr2,Waited 40 minutes.\n".encode(encoding))
    for reviews in (load_reviews(path).reviews, _streamed(path)):
        assert [review.text for review in reviews] == ["Café staff were lovely.", "Waited 40 minutes."]


def _streamed(path):
    return [review for chunk, _ in ReviewStream(path).chunks() for review in chunk]


def test_json_lines_saved_as_json_and_an_array_saved_as_jsonl_are_both_read(tmp_path):
    lines = tmp_path / "reviews.json"
    lines.write_text('{"text": "Calls drop daily."}\n{"text": "Great coverage."}\n', encoding="utf-8")
    array = tmp_path / "reviews.jsonl"
    array.write_text('[{"text": "Calls drop daily."}, {"text": "Great coverage."}]', encoding="utf-8")
    for path in (lines, array):
        assert load_reviews(path).summary.reviews == 2
        assert len(_streamed(path)) == 2


def test_broken_json_names_the_line_and_column(tmp_path):
    path = tmp_path / "reviews.json"
    path.write_text('[{"text": "Calls drop daily."},\n {"text": "Great" "coverage"}]', encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"reviews.json is not valid JSON: .* at line 2, column"):
        load_reviews(path)


def test_a_workbook_opening_on_an_empty_sheet_is_read_from_its_first_table(tmp_path, reviews_frame):
    path = tmp_path / "reviews.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame().to_excel(writer, sheet_name="Cover", index=False)
        reviews_frame.to_excel(writer, sheet_name="Reviews", index=False)
    assert load_reviews(path).summary.reviews == 7


def test_a_title_above_the_header_row_is_skipped_and_counted(tmp_path):
    path = tmp_path / "export.xlsx"
    rows = [
        ["Brightwave feedback export Q1", None, None],
        ["review_id", "rating", "text"],
        ["r1", "5", "Coverage is great downtown."],
        ["r2", "1", "Charged a fee nobody mentioned."],
    ]
    pd.DataFrame(rows).to_excel(path, index=False, header=False)
    loaded = load_reviews(path)
    assert loaded.mapping.text == "text"
    assert [review.rating for review in loaded.reviews] == [5.0, 1.0]
    assert loaded.summary.skipped == {TITLE_ROW: 1}
    assert loaded.summary.rows == 3


_CSV_ROWS = (
    "Ticket ID,Created,Score,Comment\nT1,2025-01-02,2,Calls drop every evening.\nT2,2025-01-03,5,Great coverage.\n"
)


@pytest.mark.parametrize(
    ("title", "count"),
    [
        ("Brightwave feedback export Q1\n", 1),
        ("Brightwave feedback export Q1,,,\n", 1),  # a merged title cell saved from a spreadsheet
        ("Report: feedback, Q1\n", 1),  # a comma in the title: two fields over four
        ("Exported 2025-03-01\nGenerated by the help desk\n\n", 2),
    ],
)
def test_a_title_above_a_csv_header_is_skipped_and_counted_read_whole_or_streamed(tmp_path, title, count):
    path = tmp_path / "export.csv"
    path.write_text(title + _CSV_ROWS, encoding="utf-8")
    whole, streamed, summary = _whole_and_stream(path, chunk_rows=1)
    assert (whole.mapping.text, whole.mapping.rating, whole.mapping.date) == ("Comment", "Score", "Created")
    expected = [("T1", "Calls drop every evening.", 2.0), ("T2", "Great coverage.", 5.0)]
    for reviews in (whole.reviews, streamed):
        assert [(review.review_id, review.text, review.rating) for review in reviews] == expected
    assert whole.summary == summary and whole.summary.skipped == {TITLE_ROW: count}


@pytest.mark.parametrize(
    "header",
    [
        "id,date,rating,comment,region,region",  # a name repeated
        "id,date,rating,comment,",  # a separator at the end of the header, as exports leave it
        "id,date,rating,comment,,region",  # a column with no name
    ],
)
def test_a_header_under_a_title_with_a_repeated_or_blank_name_reads_as_it_does_without_the_title(tmp_path, header):
    extra = header.count(",") - 3
    rows = "".join(f"{n},2025-01-0{n},{n},Review number {n} was fine.{',x' * extra}\n" for n in (1, 2, 3))
    plain, titled = tmp_path / "plain.csv", tmp_path / "titled.csv"
    plain.write_text(f"{header}\n{rows}", encoding="utf-8")
    titled.write_text(f"Customer feedback export\n\n{header}\n{rows}", encoding="utf-8")
    expected = load_reviews(plain)
    whole, streamed, summary = _whole_and_stream(titled, chunk_rows=2)
    assert whole.mapping == expected.mapping and whole.mapping.text == "comment"
    assert whole.reviews == expected.reviews == tuple(streamed)
    assert whole.summary.skipped == summary.skipped == {TITLE_ROW: 1}
    assert load_reviews(titled, text_column="comment").reviews == expected.reviews


def test_a_sheet_header_under_a_title_with_a_repeated_or_blank_name_reads_as_it_does_without_the_title(tmp_path):
    header = ["Review ID", "Review Date", "Star Rating", "Review Body", "Region", "Region", None]
    rows = [
        [str(100 + n), f"2025-01-0{n + 1}", str(n + 1), f"Coverage is great number {n}.", "N", "x", None]
        for n in range(3)
    ]
    plain, titled = tmp_path / "plain.xlsx", tmp_path / "titled.xlsx"
    pd.DataFrame([header, *rows]).to_excel(plain, index=False, header=False)
    pd.DataFrame([["Quarterly review dump"] + [None] * 6, [None] * 7, header, *rows]).to_excel(
        titled, index=False, header=False
    )
    expected, loaded = load_reviews(plain), load_reviews(titled)
    assert loaded.mapping == expected.mapping and loaded.mapping.text == "Review Body"
    assert loaded.reviews == expected.reviews
    assert [review.review_id for review in loaded.reviews] == ["100", "101", "102"]
    assert loaded.summary.skipped == {TITLE_ROW: 2}  # the title and the blank row under it


def test_a_csv_whose_first_line_is_its_header_has_no_title(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("text\nCalls drop daily, every evening\nGreat coverage.\n" + _CSV_ROWS, encoding="utf-8")
    assert TITLE_ROW not in load_reviews(path).summary.skipped  # a known column name over ragged rows
    path.write_text(_CSV_ROWS, encoding="utf-8")
    assert load_reviews(path).summary.skipped == {}
    # A header the reader does not know over reviews that unquoted commas split: no title, no header of words.
    path.write_text("Verbatim\nGreat calls, fast data, cheap\nBad fees, slow support, meh\nOk, fine, sure\n")
    with pytest.raises(MissingColumnError, match=r"The columns are: Verbatim\."):
        load_reviews(path)


def test_a_text_file_named_xlsx_is_refused_with_what_it_looks_like(tmp_path):
    path = tmp_path / "reviews.xlsx"
    path.write_text("text\nCalls drop daily.\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"not an Excel workbook: it looks like text \(a CSV file\?\)"):
        load_reviews(path)


def test_a_sentence_a_review_repeats_counts_once():
    text = "Calls drop constantly. " * 500 + "The app is fine."
    loaded = load_reviews(pd.DataFrame({"text": [text, "Calls drop constantly."]}))
    assert [sentence.text for sentence in loaded.sentences] == [
        "Calls drop constantly.",
        "The app is fine.",
        "Calls drop constantly.",  # another review saying it is another voice
    ]
    assert loaded.summary.columns["invalid_values"] == {REPEATED_SENTENCE: 499}


def test_a_cover_sheet_of_one_column_is_passed_over_for_the_table(tmp_path, reviews_frame):
    path = tmp_path / "reviews.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Bean Barn feedback": ["Exported 2025-04-01", "Confidential"]}).to_excel(
            writer, sheet_name="Cover", index=False
        )
        reviews_frame.to_excel(writer, sheet_name="Reviews", index=False)
    loaded = load_reviews(path)
    assert loaded.mapping.text == "text"
    assert loaded.summary.reviews == 7


def test_a_text_column_of_numbers_is_refused_with_how_to_fix_it(tmp_path):
    frame = pd.DataFrame({"order_id": [str(1000 + n) for n in range(20)], "amount": ["9.99"] * 20})
    with pytest.raises(MissingColumnError, match=r"Column 'order_id' holds numbers, not review text \(20 of the 20"):
        load_reviews(frame, text_column="order_id")
    path = tmp_path / "orders.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(MissingColumnError, match="holds numbers, not review text"):
        list(ReviewStream(path, text_column="order_id").chunks())


def test_an_upload_that_cannot_be_read_is_named_by_the_users_file_name():
    from alignment.ui.uploads import read_dataset_upload

    with pytest.raises(UnreadableFileError, match=r"^Q1 feedback\.xlsx is not an Excel workbook"):
        read_dataset_upload(b"text\nCalls drop daily.\n", "Q1 feedback.xlsx")


def test_ratings_written_as_fractions_stars_words_or_decimal_commas_are_read():
    written = ["4/5", "2 out of 5", "5 stars", "★★★☆☆", "4,5", "five", "3", "great"]
    frame = pd.DataFrame({"text": [f"Review number {n} of the shop." for n in range(len(written))], "rating": written})
    loaded = load_reviews(frame, rating_column="rating")
    assert [review.rating for review in loaded.reviews] == [4.0, 2.0, 5.0, 3.0, 4.5, 5.0, 3.0, None]
    assert loaded.summary.columns["invalid_values"] == {"non-numeric rating": 1}


def test_ratings_written_on_two_scales_are_read_on_the_columns_own_scale():
    written = ["4/5", "8/10", "2 out of 10", "3", "5", "1 out of 5"]
    frame = pd.DataFrame({"text": [f"Review number {n} of the shop." for n in range(len(written))], "rating": written})
    loaded = load_reviews(frame, rating_column="rating")
    assert [review.rating for review in loaded.reviews] == [4.0, 4.0, 1.0, 3.0, 5.0, 1.0]
    assert loaded.summary.columns["invalid_values"] == {RESCALED_RATING: 2}
    # Fractions alone are read on the scale most of them give; a column of one scale is read as written.
    tens = pd.DataFrame({"text": frame["text"][:4], "rating": ["7/10", "9/10", "4/5", "10/10"]})
    assert [review.rating for review in load_reviews(tens, rating_column="rating").reviews] == [7.0, 9.0, 8.0, 10.0]
    alone = pd.DataFrame({"text": frame["text"][:2], "rating": ["7/10", "9/10"]})
    assert load_reviews(alone, rating_column="rating").summary.columns["invalid_values"] == {}
    # Two scales as common as each other: the finer, whichever comes first; a fraction off its own scale is
    # no rating.
    for order in (["8/10", "4/5"], ["4/5", "8/10"]):
        tied = pd.DataFrame({"text": frame["text"][:2], "rating": order})
        assert [review.rating for review in load_reviews(tied, rating_column="rating").reviews] == [8.0, 8.0]
    off = pd.DataFrame({"text": frame["text"][:3], "rating": ["5/0", "6/5", "4/5"]})
    loaded = load_reviews(off, rating_column="rating")
    assert [review.rating for review in loaded.reviews] == [None, None, 4.0]
    assert loaded.summary.columns["invalid_values"] == {"non-numeric rating": 2}


def test_a_date_column_under_a_name_no_list_knows_is_known_by_its_dates():
    texts = [f"Review number {n} of the shop." for n in range(20)]
    posted = [f"2025-03-{n + 1:02d} 10:{n:02d}" for n in range(20)]  # a timestamp each, none twice
    frame = pd.DataFrame({"posted": posted, "note": texts, "batch": ["2025-01-01"] * 20})
    mapping = load_reviews(frame).mapping
    assert mapping.date == "posted"  # not "batch", one export date on every row
    assert load_reviews(frame, date_column="").mapping.date is None  # "no date column" is not overruled
    two = frame.rename(columns={"posted": "stamp"}).assign(delivered=posted)
    assert load_reviews(two).mapping.date is None  # two candidates, neither named as dates: the user chooses
    assert load_reviews(frame.assign(delivered=posted)).mapping.date == "posted"  # its name says it is the date


def test_a_date_column_written_in_words_or_named_as_dates_is_found(tmp_path):
    texts = [f"Review number {n} of the shop." for n in range(20)]
    in_words = [f"Mar {n + 1:02d}, 2025" for n in range(20)]
    frame = pd.DataFrame({"review": texts, "Submitted On": in_words, "Delivery Zone": ["North", "South"] * 10})
    loaded = load_reviews(frame)
    assert loaded.mapping.date == "Submitted On"
    assert [review.date for review in loaded.reviews][:2] == ["2025-03-01", "2025-03-02"]
    # Mixed formats, words among them, and a few cells that are no date at all: the name says it is the date.
    mixed = ["14/02/2025", "2025-10-26", "Mar 04, 2025", "4 March 2025", "unknown", "Tue, 04 Mar 2025 10:12:00"] * 3
    frame = pd.DataFrame({"review": texts[: len(mixed)], "Reviewed on": mixed, "Note": ["x", "y"] * 9})
    path = tmp_path / "mixed.csv"
    frame.to_csv(path, index=False)
    whole, _, summary = _whole_and_stream(path, chunk_rows=5)
    assert whole.mapping.date == summary.columns["date"] == "Reviewed on"
    assert [review.date for review in whole.reviews][:6] == [
        "2025-02-14", "2025-10-26", "2025-03-04", "2025-03-04", None, "2025-03-04"
    ]  # fmt: skip
    assert whole.summary.columns["invalid_values"] == {"unparseable date": 3}
    # A column of words that are no dates is not taken because of its name.
    frame = pd.DataFrame({"review": texts, "Submitted by": [f"user{n}" for n in range(20)]})
    assert load_reviews(frame).mapping.date is None


def test_a_rating_written_with_a_star_sign_after_it_reads_as_its_stars_and_a_zone_is_a_segment():
    written = ["5/5 ⭐", "3 ★", "4 ⭐\ufe0f", "⭐\ufe0f⭐\ufe0f", "2/5 ★", "1"]
    frame = pd.DataFrame(
        {
            "text": [f"Review number {n} of the shop." for n in range(len(written))],
            "rating": written,
            "Delivery Zone": ["North", "South", "North", "South", "North", "South"],
        }
    )
    loaded = load_reviews(frame)
    assert [review.rating for review in loaded.reviews] == [5.0, 3.0, 4.0, 2.0, 2.0, 1.0]
    assert loaded.summary.columns["invalid_values"] == {}
    assert loaded.mapping.segments == ("Delivery Zone",)


def test_a_rating_off_every_scale_does_not_choose_the_scale_of_the_others():
    # "101" is a typo, counted out of range; it must not make "4/5" read as 80 of 100 beside a plain "4".
    written = ["2/5", "3 out of 5", "4/5", "101", "4", "1"]
    frame = pd.DataFrame({"text": [f"Review number {n} of the shop." for n in range(len(written))], "rating": written})
    loaded = load_reviews(frame, rating_column="rating")
    assert [review.rating for review in loaded.reviews] == [2.0, 3.0, 4.0, None, 4.0, 1.0]
    assert loaded.summary.columns["invalid_values"] == {"rating out of range": 1}


def test_the_scale_found_in_one_chunk_holds_for_the_next(tmp_path):
    path = tmp_path / "ratings.csv"
    written = ["4/5", "5/5", "3/5", "8/10", "6/10", "2/10"]
    pd.DataFrame({"text": [f"Review number {n} of the shop." for n in range(6)], "rating": written}).to_csv(path)
    stream = ReviewStream(path, chunk_rows=3)
    ratings = [review.rating for reviews, _ in stream.chunks() for review in reviews]
    assert ratings == [4.0, 5.0, 3.0, 4.0, 3.0, 1.0]


def test_a_review_of_hundreds_of_sentences_is_kept_and_counted_for_checking():
    document = " ".join(f"Line {n} of the pasted log says something new." for n in range(250))
    loaded = load_reviews(pd.DataFrame({"text": [document, "Calls drop daily."]}))
    assert loaded.summary.reviews == 2 and loaded.summary.sentences == 251
    assert loaded.summary.columns["invalid_values"] == {LONG_REVIEW: 1}


_HEADERLESS_ROWS = [
    [f"BW-{n:03d}", f"2025-03-{n % 28 + 1:02d}", str(n % 5 + 1), f"Review {n}: the signal dropped on my commute again."]
    for n in range(1, 31)
]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx"])
def test_a_table_without_a_header_row_keeps_its_first_review_and_says_so(tmp_path, suffix):
    path = tmp_path / f"export{suffix}"
    frame = pd.DataFrame(_HEADERLESS_ROWS)
    if suffix == ".xlsx":
        frame.to_excel(path, index=False, header=False)
    else:
        frame.to_csv(path, index=False, header=False, sep="\t" if suffix == ".tsv" else ",")
    loaded = load_reviews(path)
    assert loaded.summary.reviews == 30 and loaded.reviews[0].text.startswith("Review 1:")
    # Named by position, and each found by what its cells hold.
    assert (loaded.mapping.id, loaded.mapping.date, loaded.mapping.rating, loaded.mapping.text) == (
        "column_1",
        "column_2",
        "column_3",
        "column_4",
    )
    assert loaded.reviews[0].date == "2025-03-02" and loaded.reviews[0].rating == 2.0
    assert loaded.summary.columns["invalid_values"] == {HEADERLESS: 1}
    stream = ReviewStream(path, chunk_rows=7)
    assert sum(len(reviews) for reviews, _ in stream.chunks()) == 30
    assert stream.summary() == loaded.summary


def test_a_header_of_labels_or_questions_stays_a_header(tmp_path):
    path = tmp_path / "survey.csv"
    rows = [["Ref", "When", "Score out of 10", "What did you think of your visit?"], *_HEADERLESS_ROWS]
    pd.DataFrame(rows).to_csv(path, index=False, header=False)
    loaded = load_reviews(path)
    assert loaded.summary.reviews == 30 and loaded.mapping.text == "What did you think of your visit?"
    assert loaded.summary.columns["invalid_values"] == {}


def test_a_first_row_is_data_only_when_its_cells_look_like_the_cells_below():
    below = pd.DataFrame([["Calls drop daily, every evening.", "3"], ["Great coverage downtown.", "5"]])
    assert first_row_is_data(["No signal in the basement, ever.", "1"], below)
    # A number over a column of words is a numbered question, not a row of data.
    assert not first_row_is_data(["1", "2"], pd.DataFrame([["Calls drop daily.", "Great coverage."]] * 3))
    # A column the caller names is a header, whatever it looks like.
    assert not first_row_is_data(["No signal in the basement, ever.", "1"], below, expected=["1"])
    assert not first_row_is_data(["text", "2025-01-01"], below)

    # A survey's question, or a label beside a year, is one data-like cell: the row stays a header.
    answers = pd.DataFrame([["R1", "Calls drop daily, every evening."], ["R2", "Great coverage downtown."]])
    assert not first_row_is_data(["Respondent", "Please tell us about your visit, in your words."], answers)
    years = pd.DataFrame([["Ann", "4", "Calls drop daily."], ["Bo", "5", "Great coverage."]])
    assert not first_row_is_data(["Customer", "2024", "Verbatim"], years)
    # A value that is also a column name ("Tweet", "Store") beside a date and a review is data.
    rows = pd.DataFrame([["2025-03-03", "Email", "Support never called back, again."]] * 3)
    assert first_row_is_data(["2025-03-02", "Tweet", "The signal dropped again, twice."], rows)
    # A bare number over a column of ratings, beside a short phrase over reviews, is a review and its rating;
    # the same phrase beside a name is not.
    rated = pd.DataFrame([["Calls drop every evening", "2"], ["Great coverage downtown", "5"]])
    assert first_row_is_data(["Loved it", "5"], rated)
    assert first_row_is_data(["Great service!", "4"], rated)
    assert not first_row_is_data(["Review text", "Rating"], rated)
    assert not first_row_is_data(["Your words", "5"], rated)  # one that addresses the reader is a question
    # Naming a column by position says the file has none.
    assert first_row_is_data(["Great signal."], pd.DataFrame([["Slow."]]), expected=["column_1"])


def test_a_one_word_review_beside_its_rating_is_data_but_a_header_of_words_is_not():
    rated = pd.DataFrame([["Calls drop every evening", "2"], ["Great coverage downtown", "5"]])
    assert first_row_is_data(["Good", "5"], rated)
    assert first_row_is_data(["Excellent!", "4.5"], rated)
    # A header's rating column holds no digits, whatever its words.
    for header in (["review", "rating"], ["text", "stars"], ["Comment", "Score"], ["Verbatim", "Stars"]):
        assert not first_row_is_data(header, rated), header
    # A number that is no rating (a year, a count) beside one word is a label, not a review.
    years = pd.DataFrame([["Calls drop every evening", "2023"], ["Great coverage downtown", "2022"]])
    assert not first_row_is_data(["Verbatim", "2024"], years)
    counts = pd.DataFrame([["Calls drop every evening", "120"], ["Great coverage downtown", "340"]])
    assert not first_row_is_data(["Good", "5"], counts)
    assert not first_row_is_data(["You", "5"], rated)  # a word that addresses the reader is a question


def test_a_file_of_one_line_is_a_review_when_it_is_a_phrase_beside_a_rating(tmp_path):
    nothing_below = pd.DataFrame(columns=[0, 1])
    assert first_row_is_data(["Loved it", "5"], nothing_below)
    # A header alone names its columns in words; a lone word or a year beside a label says too little.
    for header in (["review", "rating"], ["Comment", "Score"], ["Week", "1"], ["Customer name", "2024"]):
        assert not first_row_is_data(header, nothing_below), header
    assert not first_row_is_data(["Your words", "5"], nothing_below)
    path = tmp_path / "one.csv"
    path.write_text("The signal dropped on my commute,2\n")
    assert [review.text for review in load_reviews(path).reviews] == ["The signal dropped on my commute"]


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_semicolon_or_tab_export_named_csv_is_split_by_its_own_separator(tmp_path, separator):
    path = tmp_path / "export.csv"
    rows = [
        ["1", "2025-03-02", "The signal dropped, again and again.", "2"],
        ["2", "2025-03-03", "Support was quick, and friendly.", "5"],
        ["3", "2025-03-05", "Billing was confusing.", "1"],
    ]
    path.write_text("\n".join(separator.join(row) for row in rows) + "\n", encoding="utf-8")
    loaded = load_reviews(path)
    assert [review.text for review in loaded.reviews] == [row[2] for row in rows]
    assert [review.rating for review in loaded.reviews] == [2.0, 5.0, 1.0]
    stream = ReviewStream(path)
    assert sum(len(reviews) for reviews, _ in stream.chunks()) == 3 and stream.summary() == loaded.summary


@pytest.mark.parametrize("first", ["Loved it", "Good"])
def test_a_headerless_file_starting_with_a_short_review_and_its_rating_loses_none(tmp_path, first):
    path = tmp_path / "quick.csv"
    path.write_text(f"{first},5\nCalls drop every single evening,1\nSupport fixed my bill in minutes,4\n")
    loaded = load_reviews(path)
    assert [review.text for review in loaded.reviews] == [
        first,
        "Calls drop every single evening",
        "Support fixed my bill in minutes",
    ]
    assert [review.rating for review in loaded.reviews] == [5.0, 1.0, 4.0]
    stream = ReviewStream(path)
    assert sum(len(reviews) for reviews, _ in stream.chunks()) == 3 and stream.summary() == loaded.summary


def test_a_rating_column_named_in_words_of_its_own_is_found_by_its_name_and_cells(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text(
        "Customer comment,Score 1-5,Score card id,Sentiment score,Age\n"
        "Calls drop every evening,2,SC-1,0.12,34\n"
        "Great coverage downtown,5,SC-2,0.93,51\n"
        "Billing was a mess,1,SC-3,0.05,28\n"
    )
    loaded = load_reviews(path)
    assert loaded.mapping.rating == "Score 1-5"
    assert [review.rating for review in loaded.reviews] == [2.0, 5.0, 1.0]
    # A model's score in fractions is not a rating, nor is a number with no rating word in its name.
    path.write_text(
        "Customer comment,Sentiment score,Age\n"
        "Calls drop every evening,0.12,34\n"
        "Great coverage downtown,0.93,51\n"
        "Billing was a mess,0.05,28\n"
    )
    assert load_reviews(path).mapping.rating is None


def test_a_single_column_of_reviews_without_a_header_loses_none(tmp_path):
    path = tmp_path / "verbatims.csv"
    path.write_text(
        '"The app crashed twice while paying, so I gave up."\nDelivery came a day early!\n"No hidden fees, as promised."\n',
        encoding="utf-8",
    )
    loaded = load_reviews(path)
    assert loaded.reviews[0].text == "The app crashed twice while paying, so I gave up."
    assert loaded.summary.reviews == 3 and loaded.mapping.text == "column_1"


def test_a_page_is_read_as_a_browser_shows_it_whatever_its_markup_leaves_out():
    from alignment.ingest import parse_ads_text

    def ads(source: str) -> list[str]:
        return [ad.text for ad in parse_ads_text(source)]

    # HTML5 lets a page leave out </head>: the body is still read; the title is not copy.
    assert ads("<head><meta charset=utf-8><title>Offer</title><p>Free returns.</p><p>No fees.</p>") == [
        "Free returns.",
        "No fees.",
    ]
    # In a page a blank line is only spacing; hidden elements, menus and scripts are not shown.
    assert ads("<p>No hidden\n\nfees, ever.</p><nav><a>Home</a> | <a>Plans</a></nav>") == ["No hidden fees, ever."]
    hidden = '<p hidden>Secret offer</p><div style="display: none"><div>Draft</div>Old</div><p>Shown da&shy;shed</p>'
    assert ads(hidden) == ["Shown dashed"]
    # Buttons stand apart; a table's row is one ad, its cells side by side.
    assert ads("<div><button>Buy now</button><button>Learn more</button></div>") == ["Buy now Learn more"]
    table = "<table><tr><th>Plan</th><th>Data</th></tr><tr><td>Basic</td><td>Unlimited 5G</td></tr></table>"
    assert ads(table) == ["Plan Data", "Basic Unlimited 5G"]


def test_a_pages_inline_pieces_stay_apart_as_a_reader_sees_them_and_its_description_is_copy():
    from alignment.ingest import html_text

    # Two inline elements side by side (often laid out as separate lines by CSS) do not run together ...
    assert html_text("<p><span>Free returns.</span><span>Open 24/7.</span></p>") == "Free returns. Open 24/7."
    assert html_text("<p><span>No contract.</span><span>no fees</span></p>") == "No contract. no fees"
    assert html_text("<p><b>Free returns</b><b>Open late</b></p>") == "Free returns\nOpen late"
    assert html_text("<p><span>Unlimited data</span><span>5G included</span></p>") == "Unlimited data 5G included"
    assert html_text("<p><b>Only</b><b>$25/month</b></p>") == "Only $25/month"
    # ... but a word or a price split by markup stays whole ...
    assert html_text("<p><b>Un</b>limited data from <sup>$</sup>9.99</p>") == "Unlimited data from $9.99"
    assert html_text("<p>No <em>hidden</em> fees, <i>ever</i>.</p>") == "No hidden fees, ever."
    assert html_text("<p>Get a free i<b>Phone</b> 15</p>") == "Get a free iPhone 15"
    # ... a superscript after a price is its cents, and a footnote mark is not copy.
    assert html_text("<p>Unlimited data for just $39<sup>99</sup>/mo.</p>") == "Unlimited data for just $39.99/mo."
    assert html_text("<p><sup>$</sup>35<sup>00</sup> a month</p>") == "$35.00 a month"
    assert html_text("<p>Unlimited data<sup>1</sup>, 20% off<sup>*</sup></p>") == "Unlimited data, 20% off"
    assert html_text("<p>1<sup>st</sup> month free</p>") == "1st month free"
    # A footnote mark after a price or a number is not part of it, however the page marks it up.
    assert html_text("<p>Unlimited data for $39.99<sup>1</sup> a month.</p>") == "Unlimited data for $39.99 a month."
    assert html_text("<p>$39<sup>99</sup><sup>1</sup> with 5G<sup>2</sup></p>") == "$39.99 with 5G"
    for marked in (
        '<p>No hidden fees<sup><a href="#fn3">3</a></sup>, ever</p>',
        "<p>No hidden fees<a><sup>1</sup></a>, ever</p>",
        "<p><b>No hidden fees</b><sup>1</sup>, ever</p>",
        "<p>No hidden fees <sup>1</sup>, ever</p>",
        "<p>No hidden fees<sup>†</sup>, ever</p>",
    ):
        assert html_text(marked) == "No hidden fees, ever", marked
    # A paragraph HTML ends without its "</p>" ends its hiding too: the rest of the page is shown.
    page = "<p>Unlimited data.</p>\n<p hidden>Last year's offer.\n<p>No hidden fees.\n<p>Real people, 24/7."
    assert html_text(page) == "Unlimited data.\n\nNo hidden fees.\n\nReal people, 24/7."
    assert html_text("<div><p hidden>Old offer</div><p>New offer</p>") == "New offer"
    # A promise written only in the page's description is read; one the page repeats is read once.
    page = (
        '<html><head><meta name="description" content="Free next-day delivery on every order.">'
        '<meta property="og:description" content="Shop shoes."></head><body><p>Shop shoes.</p></body></html>'
    )
    assert html_text(page) == "Free next-day delivery on every order.\n\nShop shoes."
    repeated = '<meta name="description" content="No hidden fees on any plan."><p>No hidden fees on any plan!</p>'
    assert html_text(repeated) == "No hidden fees on any plan!"
    # Repeated means the same whole words: "Shop shoes" is not said by "Workshop shoes".
    workshop = '<meta name="description" content="Shop shoes"><p>Workshop shoes daily.</p>'
    assert html_text(workshop) == "Shop shoes\n\nWorkshop shoes daily."
    assert html_text('<noscript><meta name="description" content="Hidden."></noscript><p>Shown.</p>') == "Shown."


def test_a_word_split_by_a_formatting_element_reads_whole_as_a_browser_shows_it():
    from alignment.ingest import html_text

    assert html_text("<p>Pay with Pay<b>Pal</b> today</p>") == "Pay with PayPal today"
    assert html_text("<p><strong>You</strong>Tube Premium</p>") == "YouTube Premium"
    assert html_text("<p>Pay<span><i>Pal</i></span> accepted</p>") == "PayPal accepted"
    assert html_text("<p><b>Free</b>shipping</p>") == "Freeshipping"  # what the page shows, typo and all
    # Two elements side by side, an element holding words, or a link stay apart.
    assert html_text("<p><b>Free returns</b><b>Open late</b></p>") == "Free returns\nOpen late"
    assert html_text("<p><span>Free returns</span>Open late</p>") == "Free returns\nOpen late"
    assert html_text("<p><a>Plans</a><a>Deals</a></p>") == "Plans\nDeals"
    assert html_text("<p>Shop<a>Deals</a></p>") == "Shop\nDeals"


def test_a_superscript_after_a_unit_of_length_is_its_power():
    from alignment.ingest import html_text

    assert html_text("<p>50 m<sup>2</sup> of space</p>") == "50 m² of space"
    assert html_text("<p>£9/ft<sup>2</sup>, 2 km<sup>2</sup>, 1 m<sup>3</sup>, 12 in<sup>2</sup></p>") == (
        "£9/ft², 2 km², 1 m³, 12 in²"
    )
    assert html_text("<p>50 <b>m</b><sup>2</sup></p>") == "50 m²"
    # A footnote mark after a word, or a note other than 2 or 3 after a unit, is still left out ...
    assert html_text("<p>Made in<sup>2</sup> the UK, by our team<sup>3</sup></p>") == "Made in the UK, by our team"
    assert html_text("<p>Runs 5 km<sup>1</sup> a day</p>") == "Runs 5 km a day"
    # ... and a superscript after a price is still its cents.
    assert html_text("<p>From $<b>39</b><sup>99</sup> a month</p>") == "From $39.99 a month"


def test_ad_copy_that_is_binary_or_of_another_type_is_refused_in_one_line(tmp_path):
    from alignment.ingest import read_ads

    binary = tmp_path / "landing.html"
    binary.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(UnreadableFileError, match=r"^landing\.html looks like a binary file"):
        read_ads(binary)
    pdf = tmp_path / "copy.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(
        UnreadableFileError, match=r"\.txt, \.md, \.html, \.htm text or a \.docx Word document, or as a table"
    ):
        read_ads(pdf)


def _frame_with_gaps() -> pd.DataFrame:
    """Five reviews, two without text and some without a rating, date or region."""
    return pd.DataFrame(
        {
            "id": [1, 2, 3, None, 5],
            "text": ["No hidden fees, great bill.", "They charged me a hidden fee.", None, "Calls drop daily.", None],
            "rating": [5, 1, None, 2, None],
            "date": ["2025-01-01", None, "2025-01-03", None, "2025-01-05"],
            "region": ["North", None, "South", "North", "South"],
        }
    )


@pytest.mark.parametrize("backend", ["nullable", "pyarrow"])
def test_missing_values_of_nullable_and_arrow_columns_read_as_missing_not_as_the_text_na(backend):
    frame = _frame_with_gaps().convert_dtypes(dtype_backend="numpy_nullable" if backend == "nullable" else "pyarrow")
    loaded = load_reviews(frame, segment_columns=["region"])
    assert [review.text for review in loaded.reviews] == [
        "No hidden fees, great bill.",
        "They charged me a hidden fee.",
        "Calls drop daily.",
    ]
    assert loaded.summary.skipped == {"blank text": 2}
    # a missing date or rating is absent, not unreadable; a missing id is said, and named by its row
    assert loaded.summary.columns["invalid_values"] == {MISSING_ID: 1}
    assert [review.rating for review in loaded.reviews] == [5.0, 1.0, 2.0]
    assert [review.date for review in loaded.reviews] == ["2025-01-01", None, None]
    assert [review.segments["region"] for review in loaded.reviews] == ["North", "", "North"]
    assert [review.review_id for review in loaded.reviews] == ["1", "2", "row 4"]


def test_a_parquet_file_written_from_a_nullable_frame_reads_its_gaps_as_missing_whole_and_streamed(tmp_path):
    path = tmp_path / "reviews.parquet"
    _frame_with_gaps().convert_dtypes().to_parquet(path)
    whole = load_reviews(path, segment_columns=["region"])
    stream = ReviewStream(path, segment_columns=["region"], chunk_rows=2)
    streamed = [review for reviews, _ in stream.chunks() for review in reviews]
    assert [review.text for review in whole.reviews] == [review.text for review in streamed]
    assert len(streamed) == 3 and "<NA>" not in {review.segments["region"] for review in streamed}
    assert whole.summary.skipped == stream.summary().skipped == {"blank text": 2}
    assert whole.summary.columns["invalid_values"] == stream.summary().columns["invalid_values"] == {MISSING_ID: 1}


def test_a_json_id_written_as_a_whole_float_reads_as_the_whole_number(tmp_path):
    path = tmp_path / "reviews.jsonl"
    lines = [{"id": 12, "text": "Calls drop daily."}, {"id": 12.0, "text": "Bill was wrong."}]
    lines += [{"id": 13.5, "text": "Support never answers."}, {"id": None, "text": "Signal is fine."}]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    loaded = load_reviews(path)
    assert [review.review_id for review in loaded.reviews] == ["12", "12", "13.5", "row 4"]
    assert loaded.summary.columns["invalid_values"] == {MISSING_ID: 1, "duplicate id": 1}  # 12 and 12.0 are one id


def test_a_json_text_cell_holding_an_object_is_counted_as_not_text_rather_than_blank(tmp_path):
    path = tmp_path / "reviews.jsonl"
    lines = [
        {"text": {"title": "Great", "body": "Calls never drop."}},
        {"text": ["a", "list"]},
        {"text": {}},
        {"text": ""},
        {"text": "Support never answers."},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    loaded = load_reviews(path, text_column="text")
    assert [review.text for review in loaded.reviews] == ["Support never answers."]
    assert loaded.summary.skipped == {NOT_TEXT: 3, "blank text": 1}
    stream = ReviewStream(path, text_column="text", chunk_rows=2)
    assert sum(len(reviews) for reviews, _ in stream.chunks()) == 1
    assert stream.summary().skipped == {NOT_TEXT: 3, "blank text": 1}


def test_a_json_true_or_false_in_the_text_column_is_counted_as_not_text_rather_than_read_as_a_review(tmp_path):
    path = tmp_path / "reviews.jsonl"
    lines = [{"id": 1, "review": True}, {"id": 2, "review": "Runs small."}, {"id": 3, "review": False}]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    loaded = load_reviews(path, text_column="review")
    assert [review.text for review in loaded.reviews] == ["Runs small."]  # not "True"
    assert loaded.summary.skipped == {NOT_TEXT: 2}
    # a column of true/false throughout (a Parquet or frame bool column) is skipped the same way
    frame = pd.DataFrame({"review": ["Runs small.", "Soft fabric."], "flag": [True, False]})
    assert load_reviews(frame.assign(review=[True, "Soft fabric."]), text_column="review").summary.skipped == {
        NOT_TEXT: 1
    }


def test_excels_separator_line_above_the_header_names_the_separator_and_is_not_read_as_the_header(tmp_path):
    path = tmp_path / "export.csv"
    rows = ["sep=;", "Kommentar;Sterne", '"Sehr gut, schnell geliefert";5', '"Kam zu spät";1']
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    loaded = load_reviews(path)  # "Kommentar" is no name the reader knows: found by what it holds
    assert loaded.mapping.text == "Kommentar"
    assert [review.text for review in loaded.reviews] == ["Sehr gut, schnell geliefert", "Kam zu spät"]
    stream = ReviewStream(path)
    assert [review.text for reviews, _ in stream.chunks() for review in reviews] == [
        review.text for review in loaded.reviews
    ]
    assert loaded.summary.skipped == stream.summary().skipped == {TITLE_ROW: 1}  # counted, not dropped unsaid


def test_fractions_that_also_say_stars_or_write_their_scale_with_a_decimal_are_read():
    written = [
        "5.0 out of 5 stars",
        "4 out of 5 stars",
        "4/5 stars",
        "4.0/5.0",
        "2,5 out of 5 stars",
        "1 Out Of 5 Star",
    ]
    frame = pd.DataFrame({"text": [f"Review number {n} of the shop." for n in range(len(written))], "rating": written})
    loaded = load_reviews(frame, rating_column="rating")
    assert [review.rating for review in loaded.reviews] == [5.0, 4.0, 4.0, 4.0, 2.5, 1.0]
    assert loaded.summary.columns["invalid_values"] == {}
    # They settle the column's scale as the plain fractions do: out of 10 among ratings out of 5 is rescaled.
    mixed = pd.DataFrame({"text": frame["text"][:3], "rating": ["4.0 out of 5 stars", "8/10 stars", "5.0/5.0"]})
    loaded = load_reviews(mixed, rating_column="rating")
    assert [review.rating for review in loaded.reviews] == [4.0, 4.0, 5.0]
    assert loaded.summary.columns["invalid_values"] == {RESCALED_RATING: 1}
    # Off its own scale it is still no rating.
    off = pd.DataFrame({"text": frame["text"][:2], "rating": ["6 out of 5 stars", "0/0"]})
    loaded = load_reviews(off, rating_column="rating")
    assert [review.rating for review in loaded.reviews] == [None, None]
    assert loaded.summary.columns["invalid_values"] == {"non-numeric rating": 2}


def test_an_amazon_style_rating_column_is_found_by_its_name_and_read():
    frame = pd.DataFrame(
        {"text": ["Calls drop daily.", "Great signal.", "Bill was wrong."], "rating": ["1.0 out of 5 stars"] * 3}
    )
    loaded = load_reviews(frame)
    assert loaded.mapping.rating == "rating"
    assert [review.rating for review in loaded.reviews] == [1.0, 1.0, 1.0]


def _merged_export(path) -> None:
    """Support tickets without a rating, date or channel, then app reviews with them (a merged export)."""
    lines: list[dict[str, object]] = [
        {"id": f"t{n}", "text": f"Ticket {n}: my bill had a hidden fee."} for n in range(4)
    ]
    lines += [
        {"id": f"a{n}", "text": f"App review {n}: no hidden fees.", "rating": 5, "date": "2025-03-04", "channel": "app"}
        for n in range(2)
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")


def test_json_lines_streamed_keep_the_columns_that_only_later_records_have(tmp_path):
    path = tmp_path / "reviews.jsonl"
    _merged_export(path)
    whole = load_reviews(path)
    stream = ReviewStream(path, chunk_rows=2)  # the first chunks hold tickets only
    streamed = [review for reviews, _ in stream.chunks() for review in reviews]
    assert stream.mapping == whole.mapping
    assert (stream.mapping.rating, stream.mapping.date, stream.mapping.segments) == ("rating", "date", ("channel",))
    assert [review.rating for review in streamed] == [None] * 4 + [5.0, 5.0]
    assert streamed[-1].segments == {"channel": "app"} and streamed[-1].date == "2025-03-04"
    assert streamed == list(whole.reviews)


def test_a_column_only_later_json_lines_records_have_can_be_named(tmp_path):
    path = tmp_path / "reviews.jsonl"
    _merged_export(path)
    stream = ReviewStream(path, rating_column="rating", segment_columns=["channel"], chunk_rows=2)
    assert [review.rating for reviews, _ in stream.chunks() for review in reviews][-1] == 5.0
    missing = ReviewStream(path, rating_column="stars", chunk_rows=2)
    with pytest.raises(
        MissingColumnError, match=r"^No rating column named 'stars'\. The columns are: id, text, rating"
    ):
        list(missing.chunks())


def test_json_lines_keyed_by_their_ids_are_refused_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr("alignment.ingest.MAX_JSON_COLUMNS", 3)
    path = tmp_path / "reviews.jsonl"
    path.write_text("\n".join(json.dumps({f"r{n}": "Calls drop daily."}) for n in range(5)) + "\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"^reviews\.jsonl holds records with over 3 different keys;[^\n]*$"):
        list(ReviewStream(path).chunks())


def test_a_dataset_read_from_a_workbook_of_several_sheets_names_the_sheet_in_its_source(tmp_path):
    path = tmp_path / "feedback.xlsx"
    reviews = pd.DataFrame({"text": ["My calls drop every day.", "No hidden fees at all."], "rating": [1, 5]})
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Metric": ["Reviews"], "Value": [2]}).to_excel(writer, sheet_name="Summary", index=False)
        reviews.to_excel(writer, sheet_name="Reviews", index=False)
    assert load_reviews(path, sheet="Reviews").summary.source == "feedback.xlsx, sheet 'Reviews'"
    stream = ReviewStream(path, sheet="Reviews")
    for _ in stream.chunks():
        pass
    assert stream.summary().source == "feedback.xlsx, sheet 'Reviews'"
    single = tmp_path / "one.xlsx"
    reviews.to_excel(single, index=False)
    assert load_reviews(single).summary.source == "one.xlsx"  # one sheet: nothing to tell apart


def _whole_and_stream(path, chunk_rows: int = 100, **columns):
    whole = load_reviews(path, **columns)
    stream = ReviewStream(path, chunk_rows=chunk_rows, **columns)
    streamed = [review for reviews, _ in stream.chunks() for review in reviews]
    return whole, streamed, stream.summary()


def test_a_json_lines_review_holding_a_line_separator_character_is_one_review(tmp_path):
    # json.dumps(..., ensure_ascii=False) leaves U+2028 raw: it is text inside a record, not a line end.
    path = tmp_path / "reviews.jsonl"
    lines = [{"text": "Calls drop\u2028every evening."}, {"text": "Great coverage\u0085downtown."}]
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    whole, streamed, summary = _whole_and_stream(path)
    expected = ["Calls drop\u2028every evening.", "Great coverage\u0085downtown."]
    assert [review.text for review in whole.reviews] == [review.text for review in streamed] == expected
    assert whole.summary.skipped == summary.skipped == {}


def test_a_first_row_with_two_fields_too_many_is_skipped_and_the_columns_stay_in_place(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text("text,rating\nCalls drop daily.,1,extra,more\nGreat coverage.,5\nBill was wrong.,2\n")
    whole, streamed, summary = _whole_and_stream(path, chunk_rows=1)
    for reviews in (whole.reviews, streamed):
        assert [(r.review_id, r.text, r.rating) for r in reviews] == [
            ("2", "Great coverage.", 5.0),
            ("3", "Bill was wrong.", 2.0),
        ]
    assert whole.summary.skipped == summary.skipped == {"malformed row": 1}


def test_a_headerless_file_of_long_quoted_reviews_keeps_its_first_row(tmp_path):
    # The head read to tell a header from data ends inside one of these reviews unless cut at a line end.
    path = tmp_path / "reviews.csv"
    review = " ".join(f"The signal dropped, again, on day {day} of the trip." for day in range(100))
    path.write_text("".join(f'"{n} {review}",{1 + n % 5}\n' for n in range(30)), encoding="utf-8")
    whole, streamed, summary = _whole_and_stream(path)
    assert whole.summary.reviews == len(streamed) == 30
    assert whole.reviews[0].text.startswith("0 The signal") and whole.reviews[0].rating == 1.0
    assert whole.summary.columns["invalid_values"] == summary.columns["invalid_values"] == {HEADERLESS: 1}


def test_dates_read_whole_settle_their_order_on_the_same_rows_as_dates_streamed(tmp_path, monkeypatch):
    # The first chunk cannot tell day from month; the second can. Read whole or streamed, the first chunk
    # is read month first and counted as unclear, and the rest day first.
    monkeypatch.setattr("alignment.ingest.STREAM_CHUNK_ROWS", 10)
    rows = ["date,text"] + [f"0{1 + n % 9}/03/2025,Calls drop every evening number {n}" for n in range(10)]
    rows += [f"2{n % 8}/0{1 + n % 9}/2025,The app works well for me number {n}" for n in range(10)]
    path = tmp_path / "reviews.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    whole, streamed, summary = _whole_and_stream(path, chunk_rows=10)
    assert [review.date for review in whole.reviews] == [review.date for review in streamed]
    assert whole.reviews[1].date == "2025-02-03" and whole.reviews[10].date == "2025-01-20"
    assert whole.summary.columns["invalid_values"] == summary.columns["invalid_values"]
    assert whole.summary.columns["invalid_values"][AMBIGUOUS_DATE] == 9  # 03/03 reads the same either way


def test_an_id_of_eighteen_digits_beside_a_missing_id_is_not_rounded(tmp_path):
    ids = [123456789012345678, None]
    texts = ["Calls drop daily.", "Great coverage."]
    lines = tmp_path / "reviews.jsonl"
    lines.write_text(
        "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in zip(ids, texts, strict=True)), encoding="utf-8"
    )
    table = tmp_path / "reviews.parquet"
    pd.DataFrame({"id": pd.array(ids, dtype="Int64"), "text": texts}).to_parquet(table)
    for path in (lines, table):
        whole, streamed, _ = _whole_and_stream(path, chunk_rows=1)
        assert [review.review_id for review in whole.reviews] == [review.review_id for review in streamed]
        assert whole.reviews[0].review_id == "123456789012345678" and whole.reviews[1].review_id == "row 2"


def test_a_blank_id_is_counted_as_missing_and_never_takes_the_id_of_another_review(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text("id,text\n2,Alpha one.\n,Beta two.\n7,Gamma three.\n,\n", encoding="utf-8")
    whole, streamed, summary = _whole_and_stream(path, chunk_rows=1)
    expected = [("2", "Alpha one."), ("row 2", "Beta two."), ("7", "Gamma three.")]
    assert [(review.review_id, review.text) for review in whole.reviews] == expected
    assert [(review.review_id, review.text) for review in streamed] == expected
    # The blank row is counted as skipped, not as a missing id too.
    assert whole.summary.columns["invalid_values"] == summary.columns["invalid_values"] == {MISSING_ID: 1}
    assert whole.summary.skipped == {"blank text": 1}


def test_unreadable_dates_and_ratings_are_counted_only_for_the_rows_kept_as_reviews(tmp_path):
    path = tmp_path / "reviews.csv"
    rows = [
        "r1,Calls drop daily.,soon,great",  # kept: both values unreadable
        "r2,,soon,great",  # blank text: skipped, its values not counted
        "r1,Calls drop daily.,soon,great",  # the same row again: skipped, its values not counted
        "r3,Bill was fine.,2025-01-02,4",
    ]
    path.write_text("id,text,date,rating\n" + "\n".join(rows) + "\n", encoding="utf-8")
    for chunk_rows in (1, 100):
        whole, _, summary = _whole_and_stream(path, chunk_rows=chunk_rows)
        assert whole.summary.reviews == 2
        assert whole.summary.skipped == summary.skipped == {"blank text": 1, "duplicate row": 1}
        expected = {"unparseable date": 1, "non-numeric rating": 1}
        assert whole.summary.columns["invalid_values"] == summary.columns["invalid_values"] == expected


def test_emoji_or_punctuation_only_text_is_counted_as_no_words_not_as_blank(tmp_path):
    path = tmp_path / "reviews.csv"
    rows = "😡😡😡,1\nLate food again and cold,1\n🍕👍,5\n,3\n!!! ...,2\n12345,4\n"
    path.write_text("text,rating\n" + rows, encoding="utf-8")
    whole, streamed, summary = _whole_and_stream(path, chunk_rows=2)
    assert [review.text for review in whole.reviews] == [review.text for review in streamed]
    assert [review.text for review in whole.reviews] == ["Late food again and cold"]
    expected = {NO_WORDS: 4, "blank text": 1}
    assert whole.summary.skipped == summary.skipped == expected
    assert NO_WORDS == "no words (only numbers, emoji or punctuation)"
    only_emoji = tmp_path / "emoji.csv"
    only_emoji.write_text("text\n😡😡😡\n🍕👍\n", encoding="utf-8")
    with pytest.raises(
        EmptyDatasetError, match=r"no review text to check \(2 no words \(only numbers, emoji or punctuation\)\)"
    ):
        load_reviews(only_emoji)


def test_exact_duplicate_rows_are_skipped_and_counted_without_an_id_column_read_whole_or_streamed(tmp_path):
    path = tmp_path / "reviews.csv"
    rows = [
        '"Surprise charges on my bill every time.",1,2025-03-04',
        "Other text here ok.,2,2025-03-05",
        "Surprise charges on my bill every time.,1,2025-03-04",  # the first row again, unquoted
        "Surprise charges on my bill every time.,2,2025-03-04",  # another rating: another review
    ]
    path.write_text("review,rating,date\n" + "\n".join(rows) + "\n", encoding="utf-8")
    for chunk_rows in (1, 2, 100):  # a duplicate in a later chunk is caught too
        whole, streamed, summary = _whole_and_stream(path, chunk_rows=chunk_rows)
        assert [review.review_id for review in whole.reviews] == ["1", "2", "4"]
        assert [review.review_id for review in streamed] == ["1", "2", "4"]
        assert whole.summary.skipped == summary.skipped == {"duplicate row": 1}


def test_two_identical_rows_with_blank_ids_are_one_duplicate_and_the_same_text_under_two_ids_is_kept(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text("id,text\n,Calls drop daily.\n,Calls drop daily.\na1,Calls drop daily.\n", encoding="utf-8")
    whole, streamed, summary = _whole_and_stream(path, chunk_rows=1)
    assert [review.review_id for review in whole.reviews] == [r.review_id for r in streamed] == ["row 1", "a1"]
    assert whole.summary.skipped == summary.skipped == {"duplicate row": 1}


def test_the_same_words_from_two_customers_named_in_a_column_no_field_reads_are_two_reviews(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text("text,customer\nGreat app!,Ann\nGreat app!,Bob\nGreat app!,Ann\n", encoding="utf-8")
    whole, streamed, summary = _whole_and_stream(path, chunk_rows=1)
    assert [review.review_id for review in whole.reviews] == [r.review_id for r in streamed] == ["1", "2"]
    assert whole.summary.skipped == summary.skipped == {"duplicate row": 1}  # Ann's row exported twice
    # with an id column the id says which review a row is: one tweet exported twice with another annotation
    # beside it is one review
    tweets = tmp_path / "tweets.csv"
    tweets.write_text("tweet_id,text,confidence\nt1,Great app!,0.9\nt1,Great app!,0.7\nt2,Great app!,0.9\n")
    whole, streamed, summary = _whole_and_stream(tweets, chunk_rows=1)
    assert [review.review_id for review in whole.reviews] == [r.review_id for r in streamed] == ["t1", "t2"]
    assert whole.summary.skipped == summary.skipped == {"duplicate row": 1}


@pytest.mark.parametrize("marker", ["N/A", "n/a", "NA", "-", "none", "null", "NULL", "#N/A"])
def test_a_csv_marking_a_missing_rating_or_date_in_words_reads_it_as_missing_as_a_workbook_does(tmp_path, marker):
    path = tmp_path / "reviews.csv"
    path.write_text(f"text,rating,date\nCalls drop daily.,{marker},{marker}\nNA,4,2025-01-02\n", encoding="utf-8")
    whole, streamed, summary = _whole_and_stream(path, chunk_rows=1)
    expected = [("Calls drop daily.", None, None), ("NA", 4.0, "2025-01-02")]  # a text of "NA" stays a review
    for reviews in (whole.reviews, streamed):
        assert [(review.text, review.rating, review.date) for review in reviews] == expected
    assert whole.summary.columns["invalid_values"] == summary.columns["invalid_values"] == {}
    book = tmp_path / "reviews.xlsx"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.assign(text=["Calls drop daily.", "Fine."]).to_excel(book, index=False)  # a workbook reads "NA" as blank
    read = load_reviews(book)
    assert [review.rating for review in read.reviews] == [None, 4.0] and read.summary.columns["invalid_values"] == {}


@pytest.mark.parametrize("orient", ["columns", "index", "split"])
def test_a_table_written_by_pandas_to_json_without_records_is_refused_with_how_to_write_it(tmp_path, orient):
    path = tmp_path / "reviews.json"
    pd.DataFrame({"id": ["r1", "r2"], "text": ["Calls drop daily.", "No hidden fees."]}).to_json(path, orient=orient)
    with pytest.raises(
        UnreadableFileError, match=r"DataFrame\.to_json\(\) output: write it with df\.to_json\(orient=\"records\"\)"
    ):
        load_reviews(path)


def test_a_malformed_row_after_a_long_review_and_blank_lines_keeps_its_number(tmp_path):
    path = tmp_path / "reviews.csv"
    long_review = "The signal dropped again. " * 6000  # past the csv module's default field limit
    path.write_text(f'text,rating\nFirst review.,1\n"{long_review}",2\n\n\n\nThird,3,extra\nFourth review.,4\n')
    whole, streamed, summary = _whole_and_stream(path, chunk_rows=1)
    assert (
        [review.review_id for review in whole.reviews] == [review.review_id for review in streamed] == ["1", "2", "4"]
    )
    assert whole.summary.skipped == summary.skipped == {"malformed row": 1}


def test_a_utf16_export_with_a_stray_last_byte_reads_the_same_whole_and_streamed(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_bytes("review_id,text\nr1,Café staff were lovely.\nr2,Waited 40 minutes.\n".encode("utf-16") + b"\x00")
    whole, streamed, _ = _whole_and_stream(path)
    assert [review.text for review in whole.reviews] == [review.text for review in streamed]
    assert [review.text for review in streamed][:2] == ["Café staff were lovely.", "Waited 40 minutes."]


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("not json\nnor this\n", "bad.jsonl holds no review records: none of its 2 lines is a JSON object."),
        ('"just a string"\n', "bad.jsonl holds no review records: its one line is not a JSON object."),
        ("\n\n", "bad.jsonl holds no review records. Give one JSON object per line"),
    ],
)
def test_json_lines_without_one_record_say_so_not_that_a_header_row_is_missing(tmp_path, written, said):
    path = tmp_path / "bad.jsonl"
    path.write_text(written, encoding="utf-8")
    for read in (lambda: load_reviews(path), lambda: _streamed(path)):
        with pytest.raises(EmptyDatasetError) as found:
            read()
        assert said in str(found.value) and "header" not in str(found.value)


def test_a_one_column_file_whose_reviews_hold_unquoted_commas_is_refused_with_how_to_quote_them(tmp_path):
    # Each row has one field more than the header, as an export with R's row names does; but these first
    # fields are words of a review, not row names, and taking them as names would lose them silently.
    path = tmp_path / "reviews.csv"
    path.write_text("review\nGreat food, slow service\nNice place, rude staff\nCold soup, long wait\n")
    for read in (lambda: load_reviews(path), lambda: _streamed(path)):
        with pytest.raises(EmptyDatasetError, match=r"every row has more fields than the header \(3 malformed row\)"):
            read()


def test_an_export_with_row_names_still_reads_its_reviews(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text('"text","rating"\n"1","Great food, slow service",4\n"2","Nice place",5\n')
    whole, streamed, _ = _whole_and_stream(path)
    for reviews in (whole.reviews, streamed):
        assert [(review.text, review.rating) for review in reviews] == [
            ("Great food, slow service", 4.0),
            ("Nice place", 5.0),
        ]


def test_a_one_column_file_whose_first_review_is_longer_than_the_head_read_is_read_whole_and_streamed(tmp_path):
    path = tmp_path / "reviews.csv"
    review = " ".join(f"The signal dropped on day {day} of the trip." for day in range(2500))  # over 64 KB
    path.write_text(f"text\n{review}\nCalls drop daily.\n", encoding="utf-8")
    whole, streamed, summary = _whole_and_stream(path)
    assert (
        [review.text for review in whole.reviews]
        == [review.text for review in streamed]
        == [review, "Calls drop daily."]
    )
    assert whole.summary.skipped == summary.skipped == {}


def test_a_segment_column_named_like_an_evidence_column_is_kept_beside_it_not_over_it(tmp_path):
    # "claim" in insurance reviews, "amount" in orders: the evidence table has columns of those names.
    frame = pd.DataFrame(
        {
            "text": ["My claim was paid in two days.", "They took months."],
            "claim": ["auto", "home"],
            "amount": ["$1", "$2"],
        }
    )
    loaded = load_reviews(frame, segment_columns=["claim", "amount"])
    assert loaded.mapping.segments == ("claim (segment)", "amount (segment)")
    assert loaded.reviews[0].segments == {"claim (segment)": "auto", "amount (segment)": "$1"}
    path = tmp_path / "reviews.csv"
    frame.to_csv(path, index=False)
    stream = ReviewStream(path, segment_columns=["claim"], chunk_rows=1)
    assert [review.segments for reviews, _ in stream.chunks() for review in reviews] == [
        {"claim (segment)": "auto"},
        {"claim (segment)": "home"},
    ]


def test_a_date_or_rating_column_kept_as_a_segment_stays_the_reviews_date_or_rating():
    frame = pd.DataFrame(
        {"text": ["Calls drop.", "Fees hidden."], "date": ["2025-01-02", "2025-02-03"], "rating": [1, 2]}
    )
    loaded = load_reviews(frame, segment_columns=["date", "rating"])
    assert (loaded.mapping.date, loaded.mapping.rating) == ("date", "rating")
    assert loaded.mapping.segments == ("date (segment)", "rating (segment)")
    assert loaded.reviews[0].date == "2025-01-02" and loaded.reviews[0].segments["rating (segment)"] == "1"
    assert source_column("claim (segment)") == "claim" and source_column("region (segment)") == "region (segment)"


def test_rows_a_quote_left_open_ran_into_one_review_are_counted_read_whole_or_streamed(tmp_path):
    path = tmp_path / "open_quote.csv"
    path.write_text(
        'id,review,rating\n1,"Great service,5\n2,Terrible wait,1\n3,"ok" fine,3\n4,Fine,4\n5,Good,5\n'
        '6,"Lovely staff.\n5,8 and 130lb: fits",5\n'  # a line break of the review's own, fewer fields than a row
    )
    whole = load_reviews(path)
    assert [review.review_id for review in whole.reviews] == ["1", "4", "5", "6"]  # rows 2 and 3 were swallowed
    assert whole.summary.columns["invalid_values"] == {ROWS_RUN_TOGETHER: 1}
    stream = ReviewStream(path, chunk_rows=2)
    assert [review.review_id for chunk, _ in stream.chunks() for review in chunk] == ["1", "4", "5", "6"]
    assert stream.validator is not None and dict(stream.validator.invalid) == {ROWS_RUN_TOGETHER: 1}


def test_a_review_scraped_with_its_markup_is_read_as_the_text_a_reader_saw(tmp_path):
    path = tmp_path / "scraped.csv"
    path.write_text(
        'id,text\n1,"<p>Great service.</p><script>alert(1)</script>"\n2,Great phone<br>Fast delivery\n'
        "3,Tom &amp; Jerry <b>rock</b>\n4,I <3 it and x < y\n"
    )
    texts = [review.text for review in load_reviews(path).reviews]
    assert texts == ["Great service.", "Great phone\nFast delivery", "Tom & Jerry rock", "I <3 it and x < y"]


def test_a_damaged_parquet_file_is_named_without_the_folder_it_was_uploaded_to(tmp_path):
    folder = tmp_path / "alignment-upload-x1"
    folder.mkdir()
    path = folder / "junk.parquet"
    path.write_bytes(bytes(range(256)) * 8)
    for read in (lambda: load_reviews(path), lambda: list(ReviewStream(path).chunks())):
        with pytest.raises(UnreadableFileError) as raised:
            read()
        message = str(raised.value)
        assert message.startswith("Could not read junk.parquet as PARQUET: ") and str(folder) not in message
        assert "\n" not in message and "input source" not in message


def test_a_quote_left_open_in_a_rating_or_date_cell_is_counted_not_called_a_blank_text(tmp_path):
    rating = tmp_path / "rating.csv"
    rating.write_text(
        "id,rating,date,text\n1,5,2025-01-01,Calls never drop.\n"
        '2,"1,2025-01-02,Charged $7 extra.\n3,2,2025-01-03,Waited an hour.\n4,3,2025-01-04,"Weak signal."\n'
        "5,4,2025-01-05,Switching was easy.\n"
    )
    whole = load_reviews(rating)
    assert [review.review_id for review in whole.reviews] == ["1", "5"]
    assert whole.summary.skipped == {ROWS_RUN_TOGETHER: 1}  # its text cell is blank: the rows ran into the rating
    date = tmp_path / "date.csv"
    date.write_text(
        'id,date,rating,text\n1,2025-01-01,5,Fine.\n2,"2025-01-02,1,Slow.\n3,2025-01-03,2,Rude.\n'
        '4,2025-01-04,5,"Best, ""real"" people, fast."\n5,2025-01-05,3,Ok.\n'  # the text cell: ' fast."'
    )
    loaded = load_reviews(date)
    assert [review.review_id for review in loaded.reviews] == ["1", "2", "5"]
    invalid = loaded.summary.columns["invalid_values"]
    assert isinstance(invalid, dict) and invalid[ROWS_RUN_TOGETHER] == 1
    stream = ReviewStream(date, chunk_rows=2)
    assert [review.review_id for chunk, _ in stream.chunks() for review in chunk] == ["1", "2", "5"]
    assert stream.validator is not None and stream.validator.invalid[ROWS_RUN_TOGETHER] == 1


def test_a_workbook_review_with_lines_like_rows_is_not_taken_for_rows_run_together(tmp_path):
    path = tmp_path / "reviews.xlsx"
    pd.DataFrame({"id": ["1", "2"], "review": ["Great.\n2,Terrible wait,1", "Fine"], "rating": ["5", "4"]}).to_excel(
        path, index=False
    )
    assert load_reviews(path).summary.columns["invalid_values"] == {}


def test_a_help_desk_tickets_number_is_its_id():
    frame = pd.DataFrame({"Ticket #": ["T-17", "T-18"], "Description": ["Calls drop daily.", "Support never answers."]})
    loaded = load_reviews(frame)
    assert loaded.mapping.id == "Ticket #"
    assert [review.review_id for review in loaded.reviews] == ["T-17", "T-18"]


def test_ids_a_csv_writes_as_whole_floats_read_as_the_whole_numbers_they_are(tmp_path):
    # pandas writes an id column with a gap as floats: "12.0"; Parquet, Excel and JSON give 12
    frame = pd.DataFrame({"id": [12.0, 13.0, None, 15.0], "text": ["Hidden fees.", "No fees.", "Fees.", "Fine."]})
    frame.to_csv(tmp_path / "ids.csv", index=False)
    assert [review.review_id for review in load_reviews(tmp_path / "ids.csv").reviews] == ["12", "13", "row 3", "15"]
    # where an id has a fraction, the column is not whole numbers: every id stays as written
    mixed = pd.DataFrame({"id": ["1.0", "2.5"], "text": ["Hidden fees.", "No fees."]})
    assert [review.review_id for review in load_reviews(mixed).reviews] == ["1.0", "2.5"]


def test_a_segment_named_in_words_of_its_own_is_kept_when_its_values_repeat():
    frame = pd.DataFrame(
        {
            "Review Text": ["Calls drop a lot.", "Great signal.", "Fees hidden."] * 10,
            "Sales Region": ["North", "South", "East"] * 10,
            "Product Line": ["Kettle", "Toaster", "Kettle"] * 10,
            "touchpoint": ["App", "Web", "Phone"] * 10,
            "Store comments": ["ok", "fine", "good"] * 10,  # what is written about a row, not a group of rows
            "Store location": [f"Shop {n}" for n in range(30)],  # every value its own: a list, not a breakdown
        }
    )
    assert load_reviews(frame).mapping.segments == ("Sales Region", "Product Line", "touchpoint")


def test_dates_the_file_cannot_order_are_read_in_the_order_given_and_not_counted_as_unclear():
    frame = pd.DataFrame({"text": ["Calls drop.", "Fees hidden."], "date": ["03/04/2025", "01/02/2025"]})
    unclear = load_reviews(frame)
    assert [review.date for review in unclear.reviews] == ["2025-03-04", "2025-01-02"]  # month first, counted
    assert unclear.summary.columns["invalid_values"] == {AMBIGUOUS_DATE: 2}
    told = load_reviews(frame, day_first=True)
    assert [review.date for review in told.reviews] == ["2025-04-03", "2025-02-01"]
    assert told.summary.columns["invalid_values"] == {} and told.mapping.day_first is True
    with pytest.raises(InputError, match="day_first must be True, False or None"):
        load_reviews(frame, day_first="yes")  # type: ignore[arg-type]


def test_a_date_that_can_only_be_read_in_the_other_order_than_its_columns_is_counted():
    frame = pd.DataFrame(
        {"text": ["Calls drop.", "Fees hidden.", "Slow data."], "date": ["03/04/2025", "13/06/2025", "02/07/2025"]}
    )
    told = load_reviews(frame, day_first=False)  # month first, as told: 13/06/2025 cannot be
    assert [review.date for review in told.reviews] == ["2025-03-04", "2025-06-13", "2025-02-07"]
    assert told.summary.columns["invalid_values"] == {DATE_AGAINST_ORDER: 1}
    assert load_reviews(frame).summary.columns["invalid_values"] == {}  # the dates settle day first themselves


def test_an_id_column_under_a_name_of_its_own_is_found_by_its_id_word_and_unique_cells():
    frame = pd.DataFrame(
        {
            "fb_id": ["R0001", "R0002", "R0003"],
            "Order Number": ["A-1", "A-1", "A-2"],  # repeats: not an id
            "feedback_body": ["My calls drop every evening.", "The fees were hidden again.", "Data is slow downtown."],
        }
    )
    assert load_reviews(frame).mapping.id == "fb_id"
    assert load_reviews(frame.drop(columns="fb_id")).mapping.id is None


def test_a_word_document_is_read_in_its_own_order_tables_where_they_stand(tmp_path):
    import docx

    from alignment.ingest import docx_text

    document = docx.Document()
    document.add_paragraph("No hidden fees*")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Free returns for 60 days", "Made in the USA"
    document.add_paragraph("* Taxes and fees extra.")
    path = tmp_path / "ads.docx"
    document.save(str(path))
    blocks = docx_text(path.read_bytes(), path.name).split("\n\n")
    assert blocks == ["No hidden fees*", "Free returns for 60 days", "Made in the USA", "* Taxes and fees extra."]


def test_a_date_order_given_without_a_date_column_is_refused_in_one_line():
    frame = pd.DataFrame({"text": ["My calls drop every evening.", "The fees were hidden again."]})
    with pytest.raises(InputError, match=r"no date column was found\. Name it with --date-column"):
        load_reviews(frame, day_first=True)
