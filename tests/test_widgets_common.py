"""The safe-update pattern every widget uses: messages, never tracebacks."""

from __future__ import annotations

import pandas as pd
import pytest

from calaim_course.errors import CourseInputError
from calaim_course.widgets.common import html_table, message_area, safe_update


def test_course_input_error_message_names_field_found_and_expected():
    error = CourseInputError("Household size", "0", "a whole number from 1 to 20", hint="Count yourself.")
    assert str(error) == "Household size: got '0'; expected a whole number from 1 to 20. Count yourself."
    assert isinstance(error, ValueError)


def test_safe_update_shows_the_message_and_keeps_the_previous_result():
    area = message_area()
    shown = {"result": "previous"}

    @safe_update(area)
    def update(value):
        if value < 0:
            raise CourseInputError("Minutes", value, "0 or more")
        shown["result"] = f"ok {value}"

    update(5)
    assert shown["result"] == "ok 5" and area.value == ""
    update(-1)
    assert shown["result"] == "ok 5", "a bad input must not wipe what was shown"
    assert "Minutes: got -1; expected 0 or more." in area.value
    assert 'role="status"' in area.value and "Check your input" in area.value
    update(7)
    assert area.value == "", "the message clears once the input is fixed"


def test_safe_update_escapes_html_in_messages():
    area = message_area()

    @safe_update(area)
    def update(value):
        raise CourseInputError("Name", value, "plain text")

    update("<script>alert(1)</script>")
    assert "<script>" not in area.value and "&lt;script&gt;" in area.value


def test_other_exceptions_are_bugs_and_propagate():
    @safe_update(message_area())
    def update():
        raise KeyError("bug")

    with pytest.raises(KeyError):
        update()


def test_html_table_has_a_caption():
    table = html_table(pd.DataFrame({"Plan": ["A"], "Members": [12]}), "Members by plan")
    assert "<caption>Members by plan</caption>" in table and "<th>Plan</th>" in table
