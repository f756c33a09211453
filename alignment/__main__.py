"""`python -m alignment` runs the CLI."""

from alignment.cli import entry_point

entry_point()
