"""The data systems comparison: filter HMIS, comparable database and HIE answers by question."""

from __future__ import annotations

import ipywidgets as widgets

from calaim_course import data_systems as ds
from calaim_course.widgets.common import message_area, safe_update

_STYLE = {"description_width": "initial"}


def data_systems_explorer(topic: str = ds.ALL_TOPICS, search: str = "") -> widgets.VBox:
    """A topic drop-down, a search box and one tick box per system, over the comparison table.

    The returned box exposes ``.controls`` (``topic`` Dropdown, ``search`` Text, and one
    Checkbox per system keyed like ``ds.SYSTEMS``), ``.result`` (HTML table) and
    ``.message``.
    """
    table = ds.load_comparison()
    ds.filter_comparison(table, topic, search)  # a bad starting value fails here, loudly
    topic_box = widgets.Dropdown(options=ds.topics(table), value=topic, description="Topic:", style=_STYLE,
                                 layout=widgets.Layout(width="22rem"))
    search_box = widgets.Text(value=search, description="Search the questions:", continuous_update=False,
                              placeholder="for example consent", style=_STYLE, layout=widgets.Layout(width="24rem"))
    system_boxes = {
        key: widgets.Checkbox(value=True, description=label, indent=False,
                              layout=widgets.Layout(width="auto", margin="0 1.5rem 0 0"))
        for key, label in ds.SYSTEMS.items()
    }
    result = widgets.HTML()
    message = message_area()

    @safe_update(message)
    def update(_change=None):
        systems = [key for key, box in system_boxes.items() if box.value]
        rows = ds.filter_comparison(table, topic_box.value, search_box.value, systems)
        result.value = ds.comparison_html(rows)

    for control in (topic_box, search_box, *system_boxes.values()):
        control.observe(update, names="value")
    update()
    box = widgets.VBox([
        widgets.HBox([topic_box, search_box], layout=widgets.Layout(flex_flow="row wrap")),
        widgets.HBox([widgets.HTML("<strong>Systems:</strong>&nbsp;"), *system_boxes.values()],
                     layout=widgets.Layout(flex_flow="row wrap")),
        message,
        result,
    ])
    box.controls = {"topic": topic_box, "search": search_box, **system_boxes}
    box.result, box.message = result, message
    return box
