"""Config: every setting is checked on creation, with a one-line InputError that says what to pass."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from alignment import Config, InputError
from alignment.config import SettingError

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize(
    ("settings", "fragments"),
    [
        ({"min_evidence": "5"}, ("min_evidence must be a whole number", "'5' (str)", "min_evidence=5")),
        ({"min_similarity": "0.3"}, ("min_similarity must be a number", "'0.3' (str)")),
        ({"interval_level": None}, ("interval_level must be a number", "None")),
        ({"batch_size": 6.5}, ("batch_size must be a whole number", "6.5 (float)")),
        ({"max_claims": True}, ("max_claims must be a whole number", "True (bool)")),
        ({"max_matches": "10"}, ("max_matches must be a whole number", "or None")),
        ({"min_evidence": 0}, ("min_evidence must be at least 1",)),
    ],
)
def test_config_refuses_a_setting_of_the_wrong_type_or_range_in_one_line(settings, fragments):
    with pytest.raises(InputError) as raised:
        Config(**settings)
    message = str(raised.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


def test_config_takes_numbers_of_any_numeric_type():
    config = Config(
        min_similarity=0,
        min_evidence=np.int64(3),  # type: ignore[arg-type]  # what a pandas cell or a NumPy sum hands over
        interval_level=np.float32(0.9),  # type: ignore[arg-type]
        max_matches=None,
    )
    assert config.min_similarity == 0 and config.min_evidence == 3 and config.max_matches is None


def test_config_from_environment_still_parses_its_text_values():
    config = Config.from_env({"ALIGN_MIN_EVIDENCE": "7", "ALIGN_MIN_SIMILARITY": "0.45", "ALIGN_MAX_MATCHES": ""})
    assert (config.min_evidence, config.min_similarity, config.max_matches) == (7, 0.45, None)


def test_a_bad_setting_from_the_environment_names_its_variable():
    with pytest.raises(InputError, match=r"^min_evidence must be at least 1, got 0\. It was set by ALIGN_MIN_EVIDENCE"):
        Config.from_env({"ALIGN_MIN_EVIDENCE": "0", "ALIGN_MIN_SIMILARITY": "0.45"})


def test_a_setting_from_the_environment_that_is_not_a_number_says_which_kind_of_number_it_needs():
    with pytest.raises(
        InputError, match=r"^ALIGN_MIN_EVIDENCE='2\.5' is not a whole number, such as 5; set it to one\.$"
    ):
        Config.from_env({"ALIGN_MIN_EVIDENCE": "2.5"})
    with pytest.raises(
        InputError, match=r"^ALIGN_MIN_SIMILARITY='high' is not a number, such as 0\.45; set it to one\.$"
    ):
        Config.from_env({"ALIGN_MIN_SIMILARITY": "high"})


def test_an_option_that_overrides_a_bad_variable_is_used_and_the_variable_is_not_read():
    environ = {"ALIGN_MIN_EVIDENCE": "0", "ALIGN_MIN_SIMILARITY": "0.45"}
    config = Config.from_env(environ, min_evidence=3)  # `--min-evidence 3` with ALIGN_MIN_EVIDENCE=0 in the shell
    assert (config.min_evidence, config.min_similarity) == (3, 0.45)
    with pytest.raises(InputError, match="ALIGN_MIN_SIMILARITY"):  # a bad variable no option overrides still counts
        Config.from_env({"ALIGN_MIN_SIMILARITY": "2"}, min_evidence=3)


def test_a_setting_out_of_range_names_its_field_and_can_be_worded_for_another_name():
    with pytest.raises(SettingError) as raised:
        Config(min_evidence=0)
    assert str(raised.value) == "min_evidence must be at least 1, got 0."  # Python's name, in Python
    assert raised.value.setting == "min_evidence"
    assert raised.value.named("--min-evidence") == "--min-evidence must be at least 1, got 0."


def test_readme_example_report_shows_the_default_settings():
    example = re.search(r'"config": (\{"min_similarity".*?\})', README.read_text(encoding="utf-8"))
    assert example, "the README's example report has no config"
    shown = {key: value for key, value in json.loads(example.group(1)).items() if key != "..."}
    defaults = Config().to_dict()
    assert shown == {key: defaults[key] for key in shown}
