"""Exceptions raised by the library; only the CLI and the app turn them into user-facing messages."""

from __future__ import annotations


class AlignmentError(Exception):
    """Base class for every error alignment raises on purpose."""


class InputError(AlignmentError):
    """The user's input is wrong; the message says what and how to fix it (CLI exit code 2)."""


class MissingFileError(InputError):
    """A file the user named does not exist."""


class UnreadableFileError(InputError):
    """A file exists but cannot be read in the format its name claims."""


class MissingColumnError(InputError):
    """A column the user named, or one alignment needs, is not in the data."""


class EmptyDatasetError(InputError):
    """The data holds nothing to work on once blank rows are skipped."""


class ModelIntegrityError(AlignmentError):
    """A bundled model file is missing or its sha256 does not match the pinned value."""
