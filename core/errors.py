"""Exceptions that carry a message meant for the user."""


class InputError(ValueError):
    """Bad input: the message says what is wrong and how to fix it."""


class Cancelled(RuntimeError):
    """The user cancelled the run."""

    def __init__(self, message: str = "The run was cancelled; no output was written."):
        super().__init__(message)
