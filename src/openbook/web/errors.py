"""The API's one failure type, kept in a leaf module so that every router can raise it."""

from __future__ import annotations

from openbook.errors import OpenbookError


class ApiError(OpenbookError):
    """A failure a client can act on: an HTTP status, a stable code and a sentence.

    It is an OpenbookError like every error a user meets; the app answers it with its own status
    and code (web/app.py's envelope) rather than the 400 `bad-input` other OpenbookErrors get.
    """

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
