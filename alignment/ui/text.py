"""HTML fragments for the pages: highlighted copy, verdict badges, interval bars and quotes.

Ad copy and review text are untrusted. Every piece of it goes through ``esc`` (html.escape) before it is
put in markup, so a ``<script>`` in a review shows as text. No Streamlit here.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence

from alignment.charts import (
    ALIGNMENT_HELP,
    INTERVAL_HELP,
    VERDICT_ORDER,
    VERDICTS,
    Quote,
    format_alignment,
    format_interval,
    quote_meta,
    verdict,
)
from alignment.ratings import rating_side
from alignment.records import Ad, ClaimResult
from alignment.score import ON_TOPIC_SIMILARITY, closest_similarity, on_topic
from alignment.ui.edits import ClaimRow

# The rules after .aln-risk-line: in a narrow window (800 px with the sidebar open leaves the page about 450 px)
# columns wrap onto a new row rather than shrink until a metric reads "8 …" and the copy box is a strip of one
# word a line; buttons (downloads, dataset loads) and the uploader's type list wrap their words rather than cut
# them ("⬇ HTML re…"); a chart's toolbar sits in a strip above the chart, clear of its title, not over it.
CSS = """
<style>
.aln-copy{font-size:1.02rem;line-height:2.05;color:#1f1f1f}
.aln-ad{border-left:3px solid #d9dde3;padding:.15rem 0 .15rem .8rem;margin:.2rem 0 .9rem 0}
.aln-ad-label{font-size:.72rem;letter-spacing:.04em;text-transform:uppercase;color:#6b7280;line-height:1.2}
.aln-claim{padding:.1rem .2rem;border-radius:3px;color:#111}
.aln-tag{font-size:.68rem;font-weight:700;margin-left:.25rem;white-space:nowrap;vertical-align:super;line-height:0}
.aln-dropped{text-decoration:line-through dotted #9aa0a6;color:#6b7280}
.aln-possible{border-bottom:2px dashed #9aa0a6;color:#1f1f1f}
.aln-muted{font-size:.8rem;color:#6b7280;margin-left:.4rem}
.aln-badge{display:inline-block;padding:.05rem .55rem;border-radius:999px;color:#fff;font-weight:700;
 font-size:.8rem;white-space:nowrap}
.aln-legend{display:flex;flex-wrap:wrap;gap:.4rem .9rem;align-items:center;font-size:.85rem;color:#444;
 margin:.2rem 0 .6rem 0}
.aln-swatch{display:inline-block;padding:0 .35rem;border-radius:3px;margin-right:.25rem}
.aln-card-head{display:flex;gap:.6rem;align-items:baseline;flex-wrap:wrap}
.aln-card-claim{font-size:1.12rem;font-weight:600;color:#111}
.aln-card-meta{font-size:.8rem;color:#6b7280;margin:.15rem 0 .5rem 0}
.aln-scale{margin:.35rem 0 .2rem 0}
.aln-track{position:relative;height:18px;background:linear-gradient(90deg,#fbe1cf 0%,#f6f6f6 50%,#d8e9f6 100%);
 border-radius:4px;border:1px solid #e1e1e1}
.aln-zero{position:absolute;left:50%;top:-3px;bottom:-3px;width:1px;background:#555}
.aln-range{position:absolute;top:3px;height:10px;border-radius:3px;opacity:.95}
.aln-point{position:absolute;top:-2px;width:4px;height:20px;margin-left:-2px;border-radius:2px}
.aln-ticks{display:flex;justify-content:space-between;font-size:.72rem;color:#6b7280;margin-top:2px}
.aln-figure{font-size:.95rem;color:#222;margin:.25rem 0}
.aln-figure b{font-size:1.05rem}
.aln-figure.aln-unjudged{color:#6b7280;font-size:.9rem}
.aln-reason{font-size:.9rem;color:#444;margin:.25rem 0}
.aln-help{border-bottom:1px dotted #888;cursor:help}
.aln-counts{font-size:.9rem;color:#333;margin:.3rem 0 .1rem 0}
.aln-quote{border-left:3px solid #ccc;padding:.2rem .6rem;margin:.35rem 0 .55rem 0}
.aln-quote-text{font-size:.95rem;color:#1f1f1f}
.aln-context{color:#8a8f98;font-size:.88rem}
.aln-quote-meta{font-size:.76rem;color:#6b7280;margin-top:.1rem}
.aln-phrase{background:#fff2a8;color:#111;padding:0 .1rem;border-radius:2px;font-weight:600}
.aln-warn{color:#8a4b00;font-weight:600;cursor:help}
.aln-none{font-size:.85rem;color:#6b7280;font-style:italic}
.aln-risk-line{margin:.15rem 0;font-size:.95rem}
[data-testid="stHorizontalBlock"]{flex-wrap:wrap}
[data-testid="stHorizontalBlock"]>[data-testid="stColumn"]{min-width:min(100%,6.5rem)}
[data-testid="stHorizontalBlock"]:has([data-testid="stSelectbox"])>[data-testid="stColumn"]{min-width:min(100%,9rem)}
[data-testid="stHorizontalBlock"]:has(textarea)>[data-testid="stColumn"],
[data-testid="stHorizontalBlock"]:has(.aln-quote)>[data-testid="stColumn"]{min-width:min(100%,17rem)}
.stButton button,.stDownloadButton button,.stFormSubmitButton button{height:auto;min-height:2.5rem}
.stButton button *,.stDownloadButton button *,.stFormSubmitButton button *,.stCheckbox label *,
[data-testid="stFileUploaderDropzoneInstructions"] *{white-space:normal!important;overflow:visible!important;
 text-overflow:clip!important;overflow-wrap:anywhere}
[data-testid="stPlotlyChart"]{padding-top:30px}
[data-testid="stPlotlyChart"] .js-plotly-plot{overflow:visible!important}
[data-testid="stPlotlyChart"] .modebar-container{top:-30px!important}
</style>
"""

_STOPWORDS = frozenset(
    (
        "a",
        "an",
        "the",
        "our",
        "your",
        "you",
        "we",
        "us",
        "i",
        "me",
        "my",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "of",
        "for",
        "and",
        "or",
        "to",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "than",
        "then",
        "as",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "so",
        "too",
        "very",
        "any",
        "all",
        "every",
        "each",
        "no",
        "not",
        "never",
        "ever",
        "more",
        "most",
        "less",
        "other",
        "others",
        "into",
        "out",
        "up",
        "over",
        "just",
        "only",
        "also",
        "can",
        "will",
        "would",
        "get",
        "got",
        "one",
    )
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’/-][A-Za-z0-9]+)*")


def esc(text: str) -> str:
    """HTML-escape untrusted text (quotes included) and keep its line breaks."""
    return html.escape(text).replace("\n", "<br>")


# Characters Markdown (with Streamlit's LaTeX and :colour[...] extensions) reads as markup anywhere in a line,
# and the ones that start a list, quote or heading at the beginning of a line.
_MARKDOWN_INLINE = re.compile(r"([\\`*_{}\[\]<>&$~|#+!])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([-=])", re.MULTILINE)
_MARKDOWN_NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def md(text: str) -> str:
    """Escape untrusted text for st.markdown, st.caption, st.info and the like, so it shows literally:
    ``${7*7} {{7*7}}`` stays that, not LaTeX and italics; ``<b>`` stays a tag's text."""
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", text)
    escaped = _MARKDOWN_LINE_START.sub(r"\1\\\2", escaped)
    return _MARKDOWN_NUMBERED.sub(r"\1\\\2", escaped)


def badge(verdict_name: str) -> str:
    """A verdict pill: symbol and word on the verdict's colour."""
    style = VERDICTS[verdict_name]
    return f'<span class="aln-badge" style="background:{style.colour}">{style.symbol} {style.label}</span>'


def legend(counts: Mapping[str, int] | None = None) -> str:
    """The key to the highlight colours, with how many claims have each verdict."""
    items = []
    for name in VERDICT_ORDER:
        style = VERDICTS[name]
        count = f" ({counts.get(name, 0)})" if counts is not None else ""
        items.append(
            f'<span title="{esc(style.meaning)}"><span class="aln-swatch" style="background:{style.tint};'
            f'border-bottom:3px solid {style.colour}">{style.symbol}</span>{style.label}{count}</span>'
        )
    return '<div class="aln-legend">' + "".join(items) + "</div>"


def claim_tooltip(result: ClaimResult) -> str:
    """The plain-text hover note of a highlighted claim."""
    score = result.score
    name = verdict(score)
    if score.alignment is None:
        return f"{VERDICTS[name].label}: no review sentence takes a side yet ({score.mentions} mentions)."
    if name == "unproven":  # as on its card: the figure is there, but too little to judge by
        decided = score.supports + score.contradicts
        return (
            f"{VERDICTS[name].label}: alignment {format_alignment(score.alignment)} from {decided} mention"
            f"{'s' if decided != 1 else ''} that take{'s' if decided == 1 else ''} a side, not enough to judge; "
            f"{score.supports} support, {score.contradicts} contradict, {score.neutral} neutral "
            f"({score.mentions} mentions)."
        )
    return (
        f"{VERDICTS[name].label}: alignment {format_alignment(score.alignment)} on a −1 to +1 scale, 95% interval "
        f"{format_interval(score.interval)}; {score.supports} support, {score.contradicts} contradict, "
        f"{score.neutral} neutral ({score.mentions} mentions)."
    )


def highlight_copy(ads: Sequence[Ad], rows: Sequence[ClaimRow], results: Mapping[str, ClaimResult]) -> str:
    """The copy with each checked claim marked in its verdict's colour (and symbol), dropped ones struck."""
    parts = ['<div class="aln-copy">']
    for number, ad in enumerate(ads, start=1):
        spans = []
        for row in rows:
            claim = row.claim
            if claim.ad_id != ad.ad_id or ad.text[claim.start : claim.end] != claim.text:
                continue
            if row.keep and claim.claim_id not in results:
                continue
            spans.append((claim.start, claim.end, row))
        spans.sort(key=lambda item: item[0])
        body, cursor = [], 0
        for start, end, row in spans:
            if start < cursor:
                continue  # overlapping spans cannot both be marked; keep the first
            body.append(esc(ad.text[cursor:start]))
            text = esc(ad.text[start:end])
            if not row.keep:
                body.append(f'<span class="aln-dropped" title="dropped from the check">{text}</span>')
            else:
                result = results[row.claim.claim_id]
                style = VERDICTS[verdict(result.score)]
                body.append(
                    f'<mark class="aln-claim aln-v-{style.label}" data-claim="{esc(row.claim.claim_id)}" '
                    f'style="background:{style.tint};border-bottom:3px solid {style.colour}" '
                    f'title="{esc(claim_tooltip(result))}">{text}'
                    f'<span class="aln-tag" style="color:{style.colour}">{style.symbol} {style.label}</span></mark>'
                )
            cursor = end
        body.append(esc(ad.text[cursor:]))
        parts.append(f'<div class="aln-ad"><div class="aln-ad-label">Ad {number}</div>{"".join(body)}</div>')
    parts.append("</div>")
    return "".join(parts)


def unproven_reason(result: ClaimResult, min_evidence: int) -> str | None:
    """Why a claim is unproven, in words (as alignment.score.score_claim decides it), or None when it is not,
    or when no review sentence takes a side on it (its card says that in place of an alignment)."""
    score = result.score
    decided = score.supports + score.contradicts
    if verdict(score) != "unproven" or decided == 0:
        return None
    reasons = []
    if decided < min_evidence:
        reasons.append(
            f"fewer than {min_evidence} mentions take a side (the minimum evidence in Check settings); "
            f"{decided} {'does' if decided == 1 else 'do'}"
        )
    if not on_topic(result.judgements):
        closest = closest_similarity(result.judgements) or 0.0
        # Rounded down, as alignment.pipeline.off_topic_note does, so 0.3996 never reads as reaching 0.40.
        reasons.append(
            "no review sentence is close enough to the claim to count as on topic (the closest is at similarity "
            f"{math.floor(closest * 100) / 100:.2f}, under {ON_TOPIC_SIMILARITY:.2f})"
        )
    if not reasons:
        return None
    return "Unproven because " + ", and ".join(reasons) + "."


# A rating, ranking or award that a third party gives ("Rated #1 for customer satisfaction by J.D. Power",
# "Award-winning", "Editors' Choice"): not one a brand's customers give it ("Rated 4.9 by 12,000 customers").
_THIRD_PARTY = re.compile(
    r"\b(?:rated|ranked|voted|named|awarded|certified|recogni[sz]ed)\b[^.;!?]{0,60}?\bby\b(?!\s+(?:over\s+|more\s+than\s+)?"
    r"(?:[\d,.]+\s*\+?\s*)?(?:our\s+|real\s+|happy\s+|verified\s+)?(?:customers|clients|users|members|guests|patients"
    r"|drivers|riders|reviewers|shoppers|buyers|parents|students|families|people|you)\b)"
    r"|\baward(?:-winning|ed|s)?\b|\bJ\.?\s?D\.?\s?Power\b|\bConsumer\s+Reports\b|\bEditors?'?\s+choice\b",
    re.IGNORECASE,
)


def third_party_note(text: str) -> str | None:
    """What a card says of a claim that rests on a third party's rating or award: reviews speak to the
    experience behind it, not to the award, so its verdict says nothing of whether the award is real or
    current. None for any other claim."""
    if not _THIRD_PARTY.search(text):
        return None
    return (
        "This claim rests on a third party's rating or award: reviews speak to the experience behind it, not to "
        "the award itself. Check its source and date before launch."
    )


def interval_bar(result: ClaimResult, min_evidence: int | None = None) -> str:
    """The alignment index as a point on a −1..+1 bar, with its 95% interval as a band around it.

    Given ``min_evidence`` (the check's), an unproven claim's figure is stated as not enough to judge, in grey
    and beside the reason (:func:`unproven_reason`): its alignment is computed, but the verdict does not rest on
    it, and "+1.00" in bold on a card marked unproven reads as a strong result.
    """
    score = result.score
    if score.alignment is None or score.interval is None:
        return (
            '<div class="aln-figure"><span class="aln-none">No review sentence takes a side on this claim yet, '
            "so it has no alignment.</span></div>"
        )
    style = VERDICTS[verdict(score)]
    low, high = score.interval
    left = (low + 1) / 2 * 100
    width = max(0.8, (high - low) / 2 * 100)
    point = (score.alignment + 1) / 2 * 100
    reason = unproven_reason(result, min_evidence) if min_evidence is not None else None
    if reason is None:
        figure = (
            f'<div class="aln-figure"><span class="aln-help" title="{esc(ALIGNMENT_HELP)}">Alignment</span> '
            f"<b>{format_alignment(score.alignment)}</b> on a −1 to +1 scale · "
            f'<span class="aln-help" title="{esc(INTERVAL_HELP)}">95% interval</span> '
            f"{format_interval(score.interval)}</div>"
        )
        faded = ""
    else:
        decided = score.supports + score.contradicts
        figure = (
            f'<div class="aln-reason">{esc(reason)}</div>'
            f'<div class="aln-figure aln-unjudged"><span class="aln-help" title="{esc(ALIGNMENT_HELP)}">Alignment'
            f"</span> {format_alignment(score.alignment)} from {decided} mention{'s' if decided != 1 else ''} "
            f"that take{'s' if decided == 1 else ''} a side, not enough to judge · "
            f'<span class="aln-help" title="{esc(INTERVAL_HELP)}">95% interval</span> '
            f"{format_interval(score.interval)}</div>"
        )
        faded = "opacity:.45;"
    return (
        f"{figure}"
        f'<div class="aln-scale" style="{faded}" title="alignment {format_alignment(score.alignment)}, 95% interval '
        f'{format_interval(score.interval)}"><div class="aln-track"><div class="aln-zero"></div>'
        f'<div class="aln-range" style="left:{left:.1f}%;width:{width:.1f}%;background:{style.colour};'
        f'opacity:.35"></div><div class="aln-point" style="left:{point:.1f}%;background:{style.colour}"></div>'
        '</div><div class="aln-ticks"><span>−1 all contradict</span><span>0</span><span>+1 all support</span>'
        "</div></div>"
    )


def counts_line(result: ClaimResult) -> str:
    """Support, contradict and neutral counts with shares, in words."""
    score = result.score
    decided = score.supports + score.contradicts
    share = (lambda n: f" ({n / decided:.0%})") if decided else (lambda n: "")
    blue = VERDICTS["supported"].colour
    return (
        f'<div class="aln-counts"><b>{score.mentions}</b> review sentences mention it: '
        f'<span style="color:{blue}"><b>{score.supports}</b> support{share(score.supports)}</span>'
        f' · <span style="color:{VERDICTS["contradicted"].colour}"><b>{score.contradicts}</b> '
        f"contradict{share(score.contradicts)}</span> · <b>{score.neutral}</b> neutral</div>"
    )


def card_head(result: ClaimResult, row: ClaimRow | None = None) -> str:
    """The top of a claim card: verdict badge, the claim, and where it comes from."""
    claim = result.claim
    if row is not None and row.origin == "added":
        where = "added by hand"
    elif row is not None and row.origin == "reworded":
        where = f"{esc(claim.ad_id)}, reworded from “{esc(row.original or '')}”"
    else:
        where = esc(claim.ad_id)
    return (
        f'<div class="aln-card-head">{badge(verdict(result.score))}'
        f'<span class="aln-card-claim">“{esc(claim.text)}”</span></div>'
        f'<div class="aln-card-meta">{where} · aspect: {esc(claim.aspect or "—")} · type: {esc(claim.type)}</div>'
    )


def phrase_spans(claim_text: str, sentence: str) -> list[tuple[int, int]]:
    """Where the sentence repeats the claim's content words (by a light stem match), merged into phrases.

    Two marked words join into one phrase when at most one short stop word lies between them.
    """
    stems = [_stem(w.group().lower()) for w in _WORD.finditer(claim_text) if w.group().lower() not in _STOPWORDS]
    stems = [s for s in stems if len(s) >= 2]
    if not stems:
        return []
    words = list(_WORD.finditer(sentence))
    marked = [_matches(_stem(w.group().lower()), stems) and w.group().lower() not in _STOPWORDS for w in words]
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(words):
        if not marked[index]:
            index += 1
            continue
        start, end = words[index].start(), words[index].end()
        index += 1
        while index < len(words):
            if marked[index]:
                end = words[index].end()
                index += 1
            elif index + 1 < len(words) and marked[index + 1] and words[index].group().lower() in _STOPWORDS:
                end = words[index + 1].end()
                index += 2
            else:
                break
        spans.append((start, end))
    return spans


def _stem(word: str) -> str:
    word = word.replace("’", "'").split("'")[0]
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _matches(stem: str, stems: Sequence[str]) -> bool:
    for other in stems:
        if stem == other:
            return True
        short, long = sorted((stem, other), key=len)
        if len(short) >= 4 and long.startswith(short):
            return True
    return False


def mark_phrases(claim_text: str, sentence: str) -> str:
    """The sentence, escaped, with the phrases that echo the claim wrapped in <mark>."""
    out, cursor = [], 0
    for start, end in phrase_spans(claim_text, sentence):
        out.append(esc(sentence[cursor:start]))
        out.append(f'<mark class="aln-phrase">{esc(sentence[start:end])}</mark>')
        cursor = end
    out.append(esc(sentence[cursor:]))
    return "".join(out)


def rating_disagrees(quote: Quote, rating_max: float | None) -> bool:
    """True when the review's rating points the other way from the quote's stance (a 1★ "support")."""
    rating = quote.review.rating
    if rating is None or not rating_max or quote.stance not in ("supports", "contradicts"):
        return False
    side = rating_side(rating, rating_max)
    return side is not None and side != quote.stance


def _context(text: str, gap: str, before: bool = True) -> str:
    """A neighbouring sentence of a quote, greyed: the judge read the quote with it."""
    if not text:
        return ""
    inner = f'<span class="aln-context" title="the sentence next to it in the review, read with it">{esc(text)}</span>'
    return inner + gap if before else gap + inner


def quotes_html(claim_text: str, quotes: Sequence[Quote], stance: str, rating_max: float | None = None) -> str:
    """A list of quotes of one stance, each with its phrase marked and its date, rating and segments."""
    colour = VERDICTS["supported" if stance == "supports" else "contradicted"].colour
    if not quotes:
        word = "supports" if stance == "supports" else "contradicts"
        return f'<div class="aln-none">No review sentence {word} it.</div>'
    items = []
    for quote in quotes:
        warning = ""
        if rating_disagrees(quote, rating_max):
            warning = (
                ' · <span class="aln-warn" title="The review\'s star rating points the other way; the sentence may be '
                'sarcastic or about something else. Read it before relying on it.">⚠ rating disagrees</span>'
            )
        items.append(
            f'<div class="aln-quote" style="border-left-color:{colour}">'
            f'<div class="aln-quote-text">{_context(quote.before, " ")}“{mark_phrases(claim_text, quote.text)}”'
            f"{_context(quote.after, ' ', before=False)}</div>"
            f'<div class="aln-quote-meta">{esc(quote_meta(quote, rating_max))}{warning}</div></div>'
        )
    return "".join(items)
