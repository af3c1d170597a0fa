"""Chart conventions: deterministic, offline-ready Plotly output; the course theme;
the build's guard against Vega versions that do not match Altair."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

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


# --------------------------------------------------------------------------- speed settings
def _course_charts():
    """A few of the course's Altair charts, built from scratch on each call."""
    from calaim_course import path_funding, readiness, system_scorecard, timeline, tour

    return [
        tour.uptake_altair(tour.load_uptake()),
        timeline.timeline_chart(timeline.load_timeline()),
        readiness.readiness_chart(),
        path_funding.funding_chart(),
        system_scorecard.scorecard_chart(),
    ]


def test_charts_are_the_same_without_altair_debug_mode():
    charts.use_course_charts()
    assert alt.utils.schemapi.DEBUG_MODE is False
    with alt.utils.schemapi.debug_mode(True):  # Altair's default: every piece validated as built
        checked = [chart.to_json() for chart in _course_charts()]
    fast = [chart.to_json() for chart in _course_charts()]
    assert fast == checked  # as text: the data hold NaN, which never equals itself


def test_an_invalid_chart_still_fails_when_converted():
    charts.use_course_charts()
    chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_bar().encode(x=alt.X("a:Q", bin="yes"))
    with pytest.raises(alt.utils.schemapi.SchemaValidationError, match="bin"):
        chart.to_dict()


def test_plotly_figures_get_the_course_template():
    charts.use_course_charts()
    assert pio.templates.default == charts.PLOTLY_TEMPLATE == "simple_white"
    assert _figure().layout.template == pio.templates["simple_white"]


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(importlib.util.find_spec("rfc3987_syntax") is None, reason="rfc3987-syntax is not installed")
def test_importing_altair_after_the_course_skips_the_iri_grammar_but_the_iri_check_works():
    out = _run(
        "import sys, calaim_course, altair, jsonschema\n"
        "print('grammar built on import:', 'rfc3987_syntax.syntax_helpers' in sys.modules)\n"
        "check = jsonschema.FormatChecker()\n"
        "print(check.conforms('https://example.org/a?b#c', 'iri'), check.conforms('https://exa mple.org', 'iri'),\n"
        "      check.conforms('../a/b', 'iri-reference'), check.conforms('a b', 'iri-reference'))\n"
        "from rfc3987_syntax import parse, is_valid_syntax_iri\n"
        "print(is_valid_syntax_iri('https://example.org'), parse('iri', 'https://example.org').data)\n"
    )
    assert out.splitlines() == ["grammar built on import: False", "True False True False", "True iri"]


def test_the_heavy_imports_are_frozen_out_of_garbage_collection():
    out = _run("import gc, calaim_course.schemas, calaim_course.charts\nprint(gc.get_freeze_count())")
    assert int(out) > 100_000
