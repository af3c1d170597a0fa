"""Chart conventions shared by every section: palette, Altair theme, Plotly renderer.

Importing this module (the package does it for you through ``use_course_charts``)
makes charts that render offline in the book and live in JupyterLab:

- Altair: a colour-blind-safe theme (Okabe-Ito palette) with readable fonts. The book's
  Sphinx extension loads Vega from the book itself.
- Plotly: a renderer that emits the Plotly mimetype (JupyterLab) *and* a small HTML
  snippet without the 4.8 MB library (the book loads ``plotly.min.js`` once per page).
  Its div id is derived from the figure, so stored outputs are deterministic.
"""

from __future__ import annotations

import hashlib
import json

import altair as alt
import plotly.io as pio
from plotly.io._base_renderers import MimetypeRenderer

from calaim_course import freeze_long_lived_objects

# Okabe and Ito (2008), "Color Universal Design": distinguishable with the common
# colour-vision deficiencies. Black is last so it is used only when needed.
OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]
SUPPRESSED_COLOUR = "#BBBBBB"  # grey for bars hidden by small-cell suppression
PLOTLY_TEMPLATE = "simple_white"  # one of Plotly's built-in templates
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


@alt.theme.register("course", enable=False)
def course_theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "range": {"category": OKABE_ITO},
            "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 12},
            "axis": {"labelFontSize": 12, "titleFontSize": 13},
            "legend": {"labelFontSize": 12, "titleFontSize": 13},
            "view": {"continuousWidth": 520, "continuousHeight": 300},
        }
    }


class CourseHTMLRenderer(MimetypeRenderer):
    """Plotly mimetype for JupyterLab plus light HTML for the static book."""

    def to_mimebundle(self, fig_dict):
        figure_json = json.dumps(fig_dict, sort_keys=True, default=str)
        div_id = "plotly-" + hashlib.sha256(figure_json.encode()).hexdigest()[:16]
        html = pio.to_html(
            fig_dict,
            include_plotlyjs=False,
            include_mathjax=False,
            full_html=False,
            default_height="460px",
            div_id=div_id,
            config={"displaylogo": False, "responsive": True},
            validate=False,
        )
        return {
            "application/vnd.plotly.v1+json": fig_dict,
            "text/html": html,
        }


def finding(sentence: str):
    """Show a chart's main finding as a sentence of text (read by screen readers too)."""
    from IPython.display import Markdown

    return Markdown(f"**Main finding:** {sentence}")


def use_course_charts() -> None:
    """Turn on the course's Altair theme and Plotly renderer (idempotent).

    Also turns off Altair's debug mode, which validates every piece of a chart (each
    axis, encoding and scale) against the Vega-Lite schema as it is built: a few
    hundred validations per page, for tracebacks that point at the faulty piece. The
    whole chart is still validated when it is shown or converted (``to_dict``), so an
    invalid chart still fails; only the error points at the chart instead of the piece.
    """
    alt.theme.enable("course")
    alt.utils.schemapi.disable_debug_mode()
    # Keep the chart menu's local downloads, drop the items that send the chart to an
    # outside site (the Vega Editor) or show raw specs.
    alt.renderers.set_embed_options(
        actions={"export": True, "source": False, "compiled": False, "editor": False}
    )
    pio.renderers["course"] = CourseHTMLRenderer()
    pio.renderers.default = "course"
    # Name the default template without Plotly's setter, which builds the whole template
    # to check the name (~0.1 s) even in the notebooks that draw no Plotly figure; Plotly
    # builds it on the first figure. tests/test_charts.py checks the default and its use.
    pio.templates._default = PLOTLY_TEMPLATE


use_course_charts()
freeze_long_lived_objects()  # Altair's and Plotly's schema classes live as long as the kernel
