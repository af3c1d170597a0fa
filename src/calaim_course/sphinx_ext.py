"""Sphinx extension: serve every chart library from the book itself.

Why: a built page must make no request to another host (offline readers, survivor
privacy, no third-party tracking). Altair's HTML output fetches Vega from a CDN unless
the page already loaded it and declares the versions in ``VEGA_DEBUG``; Plotly's output
(see ``calaim_course.charts``) expects ``plotly.min.js`` on the page. This extension adds
those scripts to the pages that contain such charts, and only to them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parents[2] / "book" / "_static" / "vendor"
PLOTLY_TARGET = "vendor/plotly/plotly.min.js"


def _plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def vendored_versions() -> dict[str, str]:
    """npm package -> version, from vendor.json."""
    manifest = json.loads((VENDOR_DIR / "vendor.json").read_text(encoding="utf-8"))
    return {p["npm"]: p["version"] for p in manifest["packages"]}


def check_vega_versions() -> None:
    """Fail the build when the vendored Vega files do not match what Altair expects.

    Otherwise Altair silently falls back to the CDN after an upgrade.
    """
    import altair as alt
    from sphinx.errors import ExtensionError

    have = vendored_versions()
    wanted = {
        "vega": alt.VEGA_VERSION,
        "vega-lite": alt.VEGALITE_VERSION,
        "vega-embed": alt.VEGAEMBED_VERSION,
    }
    for package, version in wanted.items():
        # Altair names a major version ("6") or an exact one ("6.4.1").
        if have[package] != version and have[package].split(".")[0] != version:
            raise ExtensionError(
                f"Vendored {package} is {have[package]} but Altair expects {version}: "
                "update book/_static/vendor/vendor.json and run tools/refresh_vendor.sh."
            )


def _vega_debug_script() -> str:
    import altair as alt

    declared = {
        "vega_version": alt.VEGA_VERSION,
        "vegalite_version": alt.VEGALITE_VERSION,
        "vegaembed_version": alt.VEGAEMBED_VERSION,
    }
    return f"var VEGA_DEBUG = {json.dumps(declared, sort_keys=True)};"


def _add_chart_scripts(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body", "")
    if "altair-viz-" in body or "vega-embed" in body:
        app.add_js_file(None, body=_vega_debug_script(), priority=200)
        for name in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js"):
            app.add_js_file(f"vendor/vega/{name}", priority=210)
    if "plotly-graph-div" in body:
        app.add_js_file(PLOTLY_TARGET, priority=210)


def _drop_thebe(app, pagename, templatename, context, doctree) -> None:
    """Remove sphinx-thebe's scripts: the course does not use Thebe (live code in the
    page), the scripts name a CDN, and Jupyter Book 1 adds its inline config twice on
    notebook pages, which is a JavaScript error ("THEBE_JS_URL already declared")."""
    scripts = context.get("script_files")
    if not scripts:
        return
    context["script_files"] = [
        script for script in scripts
        if "THEBE" not in (getattr(script, "attributes", {}) or {}).get("body", "")
        and not str(script).endswith("sphinx-thebe.js")
    ]


def _copy_plotly(app, exception) -> None:
    if exception or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / PLOTLY_TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_plotly_js(), target)


def setup(app):
    check_vega_versions()
    app.connect("html-page-context", _add_chart_scripts)
    # After the other extensions have added their scripts (default priority is 500).
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.connect("build-finished", _copy_plotly)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
