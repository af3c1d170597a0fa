"""The audit sample picker: a size, a stratification and a seed give the sampled charts.

Results go into HTML widgets (the default view is stored in the book). The builder
returns a VBox exposing ``.controls`` (``size``, ``stratification``, ``seed``),
``.result`` and ``.message`` for tests.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import audit_sampling as sampling
from calaim_course.widgets.common import html_table, message_area, safe_update

STYLE = {"description_width": "9rem"}
WIDE = widgets.Layout(width="34rem")


def sample_html(sample: sampling.AuditSample) -> str:
    """The sample's summary, allocation, element findings and chart list, as HTML."""
    parts = [
        f'<p class="course-result"><strong>Result:</strong> {html.escape(sample.summary())}</p>',
        html_table(sample.allocation_display(),
                   "How the sample was allocated to strata (charts are service records; members are people, "
                   "small counts hidden)"),
        f'<p class="course-figure-note"><strong>Rounding:</strong> {html.escape(sample.rounding_note())}</p>',
        f'<p class="course-figure-note"><strong>Members:</strong> {html.escape(sample.member_suppression_note())}</p>',
        html_table(sample.element_table(), "Documentation elements found and missing in the sampled charts"),
        html_table(sample.chart_table(), "The sampled charts: the service to pull and each element found or MISSING"),
        f'<p class="course-figure-note">{html.escape(sampling.SYNTHETIC_NOTE)} The chart list names services, '
        "not survivors: the reviewer pulls each chart by its service ID.</p>",
    ]
    return "\n".join(parts)


def audit_sample_picker(population: sampling.ChartPopulation | None = None) -> widgets.VBox:
    """Typed size and seed, a stratification drop-down; the sample and its score update on change."""
    population = (population or sampling.chart_population()).prepare()
    size = widgets.Text(value=str(sampling.DEFAULT_SIZE), description="Sample size:", style=STYLE, layout=WIDE,
                        continuous_update=False, placeholder=f"1 to {population.size} charts")
    stratification = widgets.Dropdown(options=[(label, key) for key, label in sampling.STRATIFICATIONS.items()],
                                      value="service", description="Stratification:", style=STYLE, layout=WIDE)
    seed = widgets.Text(value=str(sampling.DEFAULT_SEED), description="Seed:", style=STYLE, layout=WIDE,
                        continuous_update=False, placeholder="a whole number, for example 2026")
    result = widgets.HTML()
    message = message_area()

    @safe_update(message)
    def update(_change=None):
        sample = sampling.draw_sample(population, size.value, stratification.value, seed.value)
        result.value = sample_html(sample)

    for control in (size, stratification, seed):
        control.observe(update, names="value")
    update()
    box = widgets.VBox([size, stratification, seed, message, result])
    box.controls = {"size": size, "stratification": stratification, "seed": seed}
    box.result, box.message = result, message
    return box
