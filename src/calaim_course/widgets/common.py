"""Small pieces every course widget uses: the message area and safe callbacks.

Why: a learner who types a bad value must see a clear message in the page, never a
traceback, and must not lose what the widget showed before.
"""

from __future__ import annotations

import functools
import html
import re
from typing import Callable

import ipywidgets as widgets

from calaim_course.errors import CourseInputError


def message_area() -> widgets.HTML:
    """An HTML widget for input messages, announced politely to screen readers."""
    area = widgets.HTML(value="")
    area.add_class("course-message")
    return area


def show_message(area: widgets.HTML, text: str, kind: str = "error") -> None:
    """Show ``text`` in ``area``. ``kind`` is "error" or "info"; never colour alone."""
    label = {"error": "Check your input", "info": "Note"}[kind]
    area.value = (
        f'<div class="course-msg course-msg-{kind}" role="status" aria-live="polite">'
        f"<strong>{label}:</strong> {html.escape(text)}</div>"
    )


def clear_message(area: widgets.HTML) -> None:
    area.value = ""


def safe_update(area: widgets.HTML) -> Callable:
    """Decorate a widget update so a CourseInputError becomes a message in ``area``.

    The update's earlier output stays in place (nothing is lost); the message says what
    to fix. Any other exception is a bug and propagates, so tests catch it.
    """

    def decorate(update: Callable) -> Callable:
        @functools.wraps(update)
        def wrapper(*args, **kwargs):
            try:
                result = update(*args, **kwargs)
            except CourseInputError as problem:
                show_message(area, str(problem))
                return None
            clear_message(area)
            return result

        return wrapper

    return decorate


def html_table(frame, caption: str, index: bool = False) -> str:
    """A pandas DataFrame as an accessible HTML table with a caption."""
    table = frame.to_html(index=index, border=0, classes="course-table", escape=True)
    opening = re.match(r"<table[^>]*>", table).group(0)
    return table.replace(opening, f"{opening}<caption>{html.escape(caption)}</caption>", 1)
