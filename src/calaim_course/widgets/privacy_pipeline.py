"""The privacy pipeline widget: choose quasi-identifiers and a demo key, see each step's risk."""

from __future__ import annotations

import ipywidgets as widgets

from calaim_course import privacy_pipeline as pp
from calaim_course.widgets.common import message_area, safe_update

_STYLE = {"description_width": "initial"}


def _key_label(seed: int | None) -> str:
    if seed is None:
        return ("Key: a new random key from the operating system's secure random source, kept only in "
                "memory; every pseudonym changed.")
    return (f"Key: the demo key made from the number {seed} (not secret, so this page is the same every "
            "time; real use needs a secret random key, kept apart from the data).")


def privacy_pipeline(raw=None, quasi_identifiers: object = pp.DEFAULT_QUASI_IDENTIFIERS,
                     seed: object = pp.DEMO_KEY_SEED) -> widgets.VBox:
    """Tick boxes for the quasi-identifiers, a demo key number, a "new random key" button.

    The returned box exposes ``.controls`` (a dict: one Checkbox per quasi-identifier,
    keyed like ``pp.QUASI_IDENTIFIERS``, plus ``key_seed`` (Text) and ``new_key``
    (Button)), ``.result`` (HTML: the four steps), ``.message`` (input problems) and
    ``.state`` (a dict with the current ``result`` and ``key``, for tests).
    """
    raw = pp.raw_table() if raw is None else raw
    start = pp.check_quasi_identifiers(quasi_identifiers)
    seed_number = pp.parse_seed(seed)
    # "summary": the raw table's class sizes, counted at the first update and reused by
    # every later one; true as long as ``raw`` is not changed, and this widget never changes it.
    state = {"key": pp.demo_key(seed_number), "label": _key_label(seed_number), "result": None, "summary": None}

    boxes = {
        name: widgets.Checkbox(value=name in start, description=label, indent=False, style=_STYLE,
                               layout=widgets.Layout(width="auto", margin="0 1.5rem 0 0"))
        for name, label in pp.QUASI_IDENTIFIERS.items()
    }
    seed_box = widgets.Text(value=str(seed_number), description="Demo key number:", continuous_update=False,
                            placeholder="for example 2026", style=_STYLE, layout=widgets.Layout(width="18rem"))
    new_key = widgets.Button(description="Use a new random key", icon="key",
                             tooltip="Make a secret random key (JupyterLab only)")
    result = widgets.HTML()
    message = message_area()

    def render():
        chosen = pp.check_quasi_identifiers([name for name, box in boxes.items() if box.value])
        if state["summary"] is None:  # the table is checked after the choice, in run_pipeline's order
            state["summary"] = pp.summarise_raw(raw)
        outcome = pp.run_pipeline(raw, chosen, state["key"], key_label=state["label"], summary=state["summary"])
        state["result"] = outcome
        result.value = pp.pipeline_html(outcome)

    update = safe_update(message)(lambda _change=None: render())

    @safe_update(message)
    def change_seed(_change=None):
        number = pp.parse_seed(seed_box.value)
        state["key"], state["label"] = pp.demo_key(number), _key_label(number)
        render()

    def use_random_key(_button=None):
        state["key"], state["label"] = pp.random_key(), _key_label(None)
        update()

    for box in boxes.values():
        box.observe(update, names="value")
    seed_box.observe(change_seed, names="value")
    new_key.on_click(use_random_key)
    update()

    heading = widgets.HTML("<strong>Quasi-identifiers to keep:</strong>")
    container = widgets.VBox([
        heading,
        widgets.HBox(list(boxes.values()), layout=widgets.Layout(flex_flow="row wrap")),
        widgets.HBox([seed_box, new_key]),
        message,
        result,
    ])
    container.controls = {**boxes, "key_seed": seed_box, "new_key": new_key}
    container.result, container.message, container.state = result, message, state
    return container
