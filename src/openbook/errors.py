"""Exceptions a user may see, each with a sentence that names what to do.

    OpenbookError
    ├── FileRejected     a whole file holds no loadable data (coded, see ingest.problems)
    ├── BookError        the book file cannot be opened or is not an openbook book
    ├── UsageError       arguments that cannot work together
    │   └── AmbiguousOrganisation  a name several bodies go by (standard/registry.py)
    ├── MailError        an alert email could not be sent
    ├── EngineError      the analysis engine asked for cannot run here
    ├── ReconciliationError  a file's rows do not add up (a bug in openbook, never the file's fault)
    └── ApiError         an API or page request that cannot be answered, with its HTTP status (web/errors.py)
"""

from __future__ import annotations


class OpenbookError(Exception):
    """Base of every error openbook reports to a user without a traceback."""


class FileRejected(OpenbookError):
    """Raised when a file as a whole cannot be loaded (empty, binary, nil return…)."""

    def __init__(self, code: str, message: str, *, path: str = "", line: int | None = None):
        super().__init__(message)
        self.code = code
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.code}: {self.args[0]}" if where else f"{self.code}: {self.args[0]}"


class BookError(OpenbookError):
    """Raised when the book cannot be opened, created or written."""


class UsageError(OpenbookError):
    """Raised when options contradict each other or name something unknown."""


class MailError(OpenbookError):
    """Raised when the SMTP server cannot be reached or refuses a message."""


class EngineError(OpenbookError):
    """The engine asked for cannot run here (not installed, no Java, or a step it cannot do)."""


class ReconciliationError(OpenbookError):
    """Raised before anything is written when rows read != accepted + quarantined + structural.

    Every row of a file must end in exactly one place; when the counts disagree a row was lost
    or counted twice, which is a bug in openbook, so the file is refused rather than loaded.
    """
