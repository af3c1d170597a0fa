"""Chart conventions: deterministic, offline-ready Plotly output; the course theme;
the build's guard against Vega versions that do not match Altair."""

from __future__ import annotations

import altair as alt
import plotly.express as px
import plotly.io as pio
import pytest
from sphinx.errors import ExtensionError

from calaim_course import charts, sphinx_ext


def _figure():
    return px.bar(x=["2022", "2024"], y=[0.6, 0.9], title="Uptake")


def test_plotly_output_is_light_deterministic_and_has_both_mimetypes():
    charts.use_course_charts()
    bundle = pio.renderers["course"].to_mimebundle(_figure().to_dict())
    again = pio.renderers["course"].to_mimebundle(_figure().to_dict())
    assert set(bundle) == {"application/vnd.plotly.v1+json", "text/html"}
    html = bundle["text/html"]
    assert html == again["text/html"], "same figure, same HTML (no random div id)"
    assert "plotly-graph-div" in html and "Plotly.newPlot" in html
    assert len(html) < 50_000, "the 4.8 MB library must not be inlined"
    assert "cdn" not in html.lower() and "mathjax" not in html.lower()


def test_different_figures_get_different_div_ids():
    renderer = pio.renderers["course"]
    one = renderer.to_mimebundle(_figure().to_dict())["text/html"]
    other = renderer.to_mimebundle(px.bar(x=["a"], y=[1]).to_dict())["text/html"]
    assert one.split('id="')[1][:24] != other.split('id="')[1][:24]


def test_course_theme_uses_the_colour_blind_safe_palette():
    charts.use_course_charts()
    assert alt.theme.active == "course"
    config = charts.course_theme()["config"]
    assert config["range"]["category"] == charts.OKABE_ITO
    assert len(set(charts.OKABE_ITO)) == 8


def test_finding_is_markdown_with_the_sentence():
    shown = charts.finding("Use grew from 0.6% to 0.9%.")
    assert "Main finding" in shown.data and "0.6%" in shown.data


def test_vendored_vega_matches_what_altair_expects():
    sphinx_ext.check_vega_versions()  # raises if not


def test_build_stops_when_vendored_vega_is_stale(monkeypatch):
    monkeypatch.setattr(sphinx_ext, "vendored_versions",
                        lambda: {"vega": "5.0.0", "vega-lite": "5.0.0", "vega-embed": "6.0.0"})
    with pytest.raises(ExtensionError, match="refresh_vendor"):
        sphinx_ext.check_vega_versions()


def test_vega_debug_declares_the_versions_altair_checks():
    script = sphinx_ext._vega_debug_script()
    for value in (alt.VEGA_VERSION, alt.VEGALITE_VERSION, alt.VEGAEMBED_VERSION):
        assert f'"{value}"' in script
    assert script.startswith("var VEGA_DEBUG")


def test_altair_menu_sends_nothing_to_other_sites():
    import pandas as pd

    charts.use_course_charts()
    html = alt.Chart(pd.DataFrame({"a": [1]})).mark_bar().encode(x="a")._repr_mimebundle_()["text/html"]
    assert '"editor": false' in html and '"export": true' in html
