"""Errors the toolkit raises on bad input; the CLI turns them into one-line messages and exit code 2."""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input (file, entity, metric, option); ``str(err)`` is the one-line message shown to users."""


class ValidationError(InputError):
    """A data file failed validation; ``problems`` lists every ``file:line: field: reason`` line."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        head = self.problems[0] if self.problems else "validation failed"
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(head + more)
