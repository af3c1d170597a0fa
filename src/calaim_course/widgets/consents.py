"""The consent tracker: a look-ahead window and a date give releases by recipient and status."""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import consents as tracker
from calaim_course.widgets.common import html_table, message_area, safe_update

_STYLE = {"description_width": "11rem"}


def tracker_html(view: tracker.TrackerView) -> str:
    """The finding, the suppressed table and its note."""
    caption = (f"Releases by recipient and status on {view.as_of:%Y-%m-%d} "
               f"(expiring soon: within {view.days} days); synthetic data, small counts hidden")
    return (
        f'<p class="course-result"><strong>Main finding:</strong> {html.escape(view.finding)}</p>'
        + html_table(view.display, caption, index=True)
        + f'<p class="course-figure-note">{html.escape(view.note)}</p>'
    )


def consent_tracker(consents=None, organizations=None, days: object = tracker.DEFAULT_DAYS) -> widgets.VBox:
    """Text boxes for the window (days) and the date, over the synthetic releases.

    Loads the committed synthetic world when no tables are given. The returned box exposes
    ``.controls`` (``days``, ``as_of``), ``.result`` (HTML) and ``.message``.
    """
    if consents is None or organizations is None:
        from calaim_course.synthetic import load_world

        world = load_world()
        consents, organizations = world.consents, world.organizations
    start = tracker.reference_date(consents)
    counter = tracker.ReleaseCounter(consents, organizations)  # the releases as arrays, once for every change
    days_box = widgets.Text(value=str(days), description="Expiring within (days):", continuous_update=False,
                            placeholder=f"1 to {tracker.MAX_DAYS}", style=_STYLE, layout=widgets.Layout(width="22rem"))
    as_of_box = widgets.Text(value=f"{start:%Y-%m-%d}", description="As of (YYYY-MM-DD):", continuous_update=False,
                             placeholder="YYYY-MM-DD", style=_STYLE, layout=widgets.Layout(width="22rem"))
    result = widgets.HTML()
    message = message_area()

    @safe_update(message)
    def update(_change=None):
        view = tracker.track(consents, organizations, as_of=as_of_box.value, days=days_box.value, counter=counter)
        result.value = tracker_html(view)

    days_box.observe(update, names="value")
    as_of_box.observe(update, names="value")
    update()
    box = widgets.VBox([widgets.HBox([days_box, as_of_box]), message, result])
    box.controls, box.result, box.message = {"days": days_box, "as_of": as_of_box}, result, message
    return box
