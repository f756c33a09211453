"""`import alignment` must stay light: no Streamlit, torch or sentence-transformers."""

import subprocess
import sys


def test_import_alignment_pulls_in_neither_streamlit_nor_torch():
    code = (
        "import sys, alignment\n"
        "heavy = [m for m in ('streamlit', 'torch', 'sentence_transformers', 'spacy') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_public_api_exposes_check_and_config():
    import alignment

    assert callable(alignment.check)
    assert alignment.Config().min_evidence >= 1
    assert alignment.__version__
