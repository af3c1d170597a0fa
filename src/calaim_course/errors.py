"""The one exception type for invalid input anywhere in the course.

Widgets catch it and show its message in the page; anything else is a bug.
"""

from __future__ import annotations


class CourseInputError(ValueError):
    """Invalid input, with a message a learner can act on.

    ``field`` names what was wrong (a widget label, a column, or "row 12, column units"),
    ``found`` what was given and ``expected`` what would have been accepted.
    """

    def __init__(self, field: str, found: object, expected: str, hint: str | None = None):
        self.field = field
        self.found = found
        self.expected = expected
        self.hint = hint
        message = f"{field}: got {found!r}; expected {expected}."
        if hint:
            message += f" {hint}"
        super().__init__(message)
