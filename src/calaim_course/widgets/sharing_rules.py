"""The "Can we share this?" explorer: four drop-downs give the likely answer and its rules."""

from __future__ import annotations

import ipywidgets as widgets

from calaim_course import sharing_rules as rules
from calaim_course.widgets.common import message_area, safe_update

_STYLE = {"description_width": "9rem"}
_LAYOUT = widgets.Layout(width="44rem")


def _dropdown(options: dict, value: str, label: str) -> widgets.Dropdown:
    return widgets.Dropdown(options=[(text, key) for key, text in options.items()], value=value,
                            description=label, style=_STYLE, layout=_LAYOUT)


def sharing_explorer(scenario: dict | None = None) -> widgets.VBox:
    """Drop-downs for information, recipient, purpose and release status, and the answer.

    The returned box exposes ``.controls`` (a dict of the four drop-downs, keyed like
    ``rules.CHOICES``), ``.result`` (HTML: the answer and the rules, with sources) and
    ``.message`` (input problems).
    """
    start = {**rules.DEFAULT_SCENARIO, **(scenario or {})}
    rules.check_scenario(**start)
    table = rules.load_rules()
    controls = {
        choice: _dropdown(options, start[choice], f"{label}:")
        for choice, (_column, options, label) in rules.CHOICES.items()
    }
    result = widgets.HTML()
    message = message_area()

    @safe_update(message)
    def update(_change=None):
        values = {choice: control.value for choice, control in controls.items()}
        result.value = rules.answer_html(rules.decide(**values, rules=table))

    for control in controls.values():
        control.observe(update, names="value")
    update()
    box = widgets.VBox([*controls.values(), message, result])
    box.controls, box.result, box.message = controls, result, message
    return box
