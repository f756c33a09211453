"""The Streamlit app starts on the bundled demo data (headless AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"
pytestmark = pytest.mark.models


def test_app_opens_the_dashboard_on_demo_data_without_exceptions():
    app = AppTest.from_file(str(APP), default_timeout=180).run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert int(metrics["Claims"]) >= 5
    assert metrics["Reviews"].replace(",", "").isdigit()
    assert len(app.dataframe) >= 1
