"""One frozen Config for a run; passed in explicitly, never read from globals."""

from __future__ import annotations

import dataclasses
import numbers
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from alignment.errors import InputError

ENV_PREFIX = "ALIGN_"


def user_folder(kind: Literal["cache", "data"], override_env: str) -> Path:
    """The per-user folder alignment keeps its ``kind`` of files in: the ``override_env`` variable when set,
    else the platform's convention (``~/.cache/alignment`` and ``~/.local/share/alignment`` on Linux,
    ``~/Library/Caches`` or ``Application Support`` on macOS, ``%LOCALAPPDATA%`` on Windows)."""
    configured = os.environ.get(override_env)
    if configured:
        return Path(configured).expanduser()
    if sys.platform == "darwin":
        base = Path.home() / "Library" / ("Caches" if kind == "cache" else "Application Support")
    elif os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif kind == "cache":
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "alignment"


class SettingError(InputError):
    """A setting given a value outside the range it allows, named by its Python name (``setting``: a Config
    field, or an argument such as ``min_relevant``). Whoever took the value under another name words the
    same error with :meth:`named`: the command line names its option ("--min-evidence must be at least 1,
    got 0.")."""

    def __init__(self, setting: str, allowed: str, value: object) -> None:
        self.setting = setting
        self.allowed = allowed
        self.value = value
        super().__init__(self.named(setting))

    def named(self, name: str) -> str:
        """The error, the setting called ``name``: "NAME must be ALLOWED, got VALUE."."""
        return f"{name} must be {self.allowed}, got {self.value}."


@dataclass(frozen=True, slots=True)
class Config:
    """Settings for one check.

    Attributes:
        min_similarity: cosine similarity between a claim and a review sentence at or above which the
            sentence counts as speaking to the claim. On the project's own claim/sentence pairs 0.30 keeps
            73% of the on-aspect sentences and 4% of the off-aspect ones (0.25 keeps 82% but, on 100k
            review sentences, matches over a quarter of them per claim); the stance model marks the
            off-aspect sentences that pass as neutral.
        max_matches: cap on matches kept per claim (None keeps every relevant sentence).
        min_evidence: stance-bearing mentions (supports + contradicts) below which a claim is reported
            as "insufficient evidence".
        interval_level: coverage of the alignment interval (a Bayesian credible interval).
        stance_model: name of the stance model ("bundled" or "lexicon").
        batch_size: sentences per embedding batch.
        max_claims: upper bound on claims extracted from one call, so huge copy cannot stall a run.
        rating_prior: when the reviews have star ratings, weigh each sentence's stance by its review's
            rating (:mod:`alignment.ratings`: how much a rating says is fitted on the check's own readings).
            False reads the text alone.
        rating_reader: with ``rating_prior``, also read each sentence by a reader fitted on this dataset's
            own ratings (:func:`alignment.ratings.read_by_ratings`), joined to the stance model's reading.
            Off by itself, the ratings only weigh the side.
        quantities: compare the amounts a sentence reports with a claim's promised bound ("took 75 minutes"
            against "in 30 minutes or less", :mod:`alignment.quantities`); where there is one, the comparison
            gives the sentence's side. False reads every side from the stance model.
        relative_match: let a claim that sits far from every sentence of the dataset match, down to
            min_similarity - 0.10, the sentences that stand well above its usual similarity there
            (:func:`alignment.match.claim_thresholds`): an abstract claim ("Real people on the phone, day or
            night") then finds the evidence a concrete one would. Only at the default min_similarity or
            under: a threshold raised above it is held as given. False matches every claim at
            min_similarity alone.
    """

    min_similarity: float = 0.30
    max_matches: int | None = None
    min_evidence: int = 5
    interval_level: float = 0.95
    stance_model: str = "bundled"
    batch_size: int = 64
    max_claims: int = 500
    rating_prior: bool = True
    rating_reader: bool = True
    quantities: bool = True
    relative_match: bool = True

    def __post_init__(self) -> None:
        for field in fields(self):
            _require_number(field.name, str(field.type), getattr(self, field.name), field.default)
        if not -1.0 <= self.min_similarity <= 1.0:
            raise SettingError("min_similarity", "between -1 and 1", self.min_similarity)
        if self.max_matches is not None and self.max_matches < 1:
            raise SettingError("max_matches", "at least 1 or None", self.max_matches)
        if self.min_evidence < 1:
            raise SettingError("min_evidence", "at least 1", self.min_evidence)
        if not 0.5 <= self.interval_level < 1.0:
            raise SettingError("interval_level", "in [0.5, 1)", self.interval_level)
        if self.batch_size < 1:
            raise SettingError("batch_size", "at least 1", self.batch_size)
        if self.max_claims < 1:
            raise SettingError("max_claims", "at least 1", self.max_claims)

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as a plain JSON-ready dict."""
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> Config:
        """Return a copy with some settings changed."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Build a Config from ALIGN_* environment variables (e.g. ALIGN_MIN_SIMILARITY=0.5), with
        ``overrides`` (a command's options) taking the place of the variables they name: a variable an option
        overrides is not read, so a bad one left in the shell does not stop a command that sets the value."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = env.get(ENV_PREFIX + field.name.upper())
            if raw is None or field.name in overrides:
                continue
            values[field.name] = _parse_value(field.name, str(field.type), raw)
        for name, value in values.items():
            try:
                cls(**{name: value})  # each setting of the environment alone: a bad one is named by its variable
            except InputError as exc:
                raise InputError(f"{exc} It was set by {ENV_PREFIX + name.upper()}: change or unset it.") from None
        values.update(overrides)
        return cls(**values)


def _require_number(name: str, type_name: str, value: object, default: object) -> None:
    """Fail with one line when a numeric setting (``type_name`` "int", "float", "int | None") holds something
    else, such as the string "5" or True: the range checks would otherwise raise a TypeError."""
    if value is None and "None" in type_name:
        return
    if type_name.startswith("int"):
        wanted, fits = "a whole number", isinstance(value, numbers.Integral)
    elif type_name.startswith("float"):
        wanted, fits = "a number", isinstance(value, numbers.Real)
    else:
        return
    if isinstance(value, bool) or not fits:
        example = f"such as {name}={default!r}" if default is not None else "or None"
        raise InputError(f"{name} must be {wanted}, got {value!r} ({type(value).__name__}); pass one, {example}.")


def _parse_value(name: str, type_name: str, raw: str) -> Any:
    try:
        if "None" in type_name and raw.strip().lower() in {"", "none"}:
            return None
        if "bool" in type_name:
            return _parse_bool(name, raw)
        if "int" in type_name:
            return int(raw)
        if "float" in type_name:
            return float(raw)
    except ValueError:
        # Said in words: "not a valid int" is Python's, and 2.5 is a number, only not a whole one.
        wanted = "a whole number, such as 5" if "int" in type_name else "a number, such as 0.45"
        raise InputError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not {wanted}; set it to one.") from None
    return raw


def _parse_bool(name: str, raw: str) -> bool:
    word = raw.strip().lower()
    if word in {"1", "true", "yes", "on"}:
        return True
    if word in {"0", "false", "no", "off"}:
        return False
    raise InputError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not true or false; set it to 1 or 0.")
