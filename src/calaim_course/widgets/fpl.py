"""The income-to-FPL estimator: household size and monthly income give a percent of the
federal poverty level, compared with Medi-Cal's income limits. Never a determination."""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import fpl
from calaim_course.widgets.common import html_table, message_area, safe_update

DEFAULTS = {"household_size": "3", "monthly_income": "2500"}


def result_html(result: fpl.FplEstimate) -> str:
    """The estimate in words, then the group table, then the caveats (no headings)."""
    sentences = result.sentences()
    main, caveat = sentences[:-1], sentences[-1]
    g = result.guideline
    source = (
        f'<a href="{html.escape(g.source_url)}">HHS poverty guidelines for {g.year}</a> '
        f"({html.escape(g.confidence.lower())})"
    )
    return "\n".join([
        f'<p class="course-result"><strong>About {html.escape(result.percent_label)} of the '
        f"{g.year} federal poverty level.</strong></p>",
        "<p>" + " ".join(html.escape(s) for s in main) + "</p>",
        f"<p><strong>{html.escape(caveat)}</strong></p>",
        html_table(result.groups_frame(),
                   f"Medi-Cal income limits for {g.household_size} "
                   f"{'person' if g.household_size == 1 else 'people'}, {g.year} (county chart percents)"),
        f'<p class="course-figure-note">{html.escape(fpl.COMPUTED_NOTE)} Guideline source: {source}. '
        "Percents of the limits: a county eligibility handbook chart. Educational, not legal advice.</p>",
    ])


def adult_limit_html(year: int | None = None) -> str:
    """The 138% monthly limits by household size, as an HTML table with its caveat."""
    table = fpl.adult_limit_table(year)
    year = year or fpl.available_years()[0]
    return html_table(table, f"Poverty guidelines and the 138% adult limit a month, {year}") + (
        f'<p class="course-figure-note">{html.escape(fpl.COMPUTED_NOTE)}</p>'
    )


def fpl_estimator() -> widgets.VBox:
    """Household size, monthly income and year in; percent of FPL and limits out.

    The returned box exposes ``.controls`` (``household_size``, ``monthly_income``,
    ``year``), ``.result`` (HTML) and ``.message`` (input problems). A bad input shows a
    message and keeps the previous result.
    """
    style = {"description_width": "16rem"}
    wide = widgets.Layout(width="32rem")
    household_size = widgets.Text(
        value=DEFAULTS["household_size"], description="People in the household:", style=style,
        layout=wide, continuous_update=False, placeholder="1 to 20",
    )
    monthly_income = widgets.Text(
        value=DEFAULTS["monthly_income"], description="Household income a month ($):", style=style,
        layout=wide, continuous_update=False, placeholder="before taxes, for example 2500",
    )
    years = fpl.available_years()
    year = widgets.Dropdown(options=years, value=years[0], description="Poverty guideline year:",
                            style=style, layout=wide)
    result = widgets.HTML()
    message = message_area()

    @safe_update(message)
    def update(_change=None):
        estimate = fpl.estimate(household_size.value, monthly_income.value, year.value)
        result.value = result_html(estimate)

    controls = {"household_size": household_size, "monthly_income": monthly_income, "year": year}
    for control in controls.values():
        control.observe(update, names="value")
    update()
    box = widgets.VBox([household_size, monthly_income, year, message, result])
    box.controls, box.result, box.message = controls, result, message
    return box


__all__ = ["adult_limit_html", "fpl_estimator", "result_html"]
