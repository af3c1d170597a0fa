"""The data explorer as an app: Voilà serves the notebook, a real kernel runs it, a real
browser changes a filter and sees the page change.

The browser tests start Voilà as a subprocess through ``calaim_course.dashboard`` (the
same code ``make dashboard`` runs), on a free port of 127.0.0.1, and stop it and its
kernel when the test ends, whatever happens. The ``page`` fixture fails a test on any
request to another host and on any console error.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from calaim_course import dashboard
from calaim_course.errors import CourseInputError

ROOT = Path(__file__).resolve().parents[1]
EXPLORER = ROOT / "notebooks" / "data-explorer.ipynb"
LOAD_TIMEOUT_MS = 120_000  # a cold kernel on a 2-core machine imports pandas and altair


# --------------------------------------------------------------------------- no browser


def test_voila_listens_on_localhost_only_and_hides_code():
    command = dashboard.voila_command(EXPLORER, 8899)
    assert "--Voila.ip=127.0.0.1" in command
    assert "--port=8899" in command
    assert "--strip_sources=True" in command
    assert "--show_tracebacks=False" in command
    assert "--no-browser" in command
    assert f"--template={dashboard.TEMPLATE_NAME}" in command
    assert command[:3] == [sys.executable, "-m", "voila"]


def test_offline_template_drops_every_link_to_another_host(tmp_path):
    root = dashboard.offline_template(tmp_path)
    template = root / "voila" / "templates" / dashboard.TEMPLATE_NAME
    text = (template / "index.html.j2").read_text(encoding="utf-8")
    assert "cdn.jsdelivr.net" not in text
    assert 'href="https://' not in text and 'src="https://' not in text
    # Everything else of Voilà's template is kept: it still extends nbconvert's lab page.
    assert "nbconvert/templates/lab/index.html.j2" in text
    assert "voila_setup_helper_functions" in text
    assert '"base_template": "lab"' in (template / "conf.json").read_text(encoding="utf-8")
    # Charts get their libraries from the app itself, with the versions Altair expects.
    for name in (*dashboard.VEGA_FILES, "plotly.min.js"):
        assert (template / "static" / name).stat().st_size > 10_000
        assert f"voila/templates/{dashboard.TEMPLATE_NAME}/static/{name}" in text
    assert "VEGA_DEBUG" in text


def test_missing_notebook_is_refused_with_a_message(tmp_path):
    with pytest.raises(CourseInputError, match="notebook"):
        with dashboard.start_dashboard(tmp_path / "nothing-here.ipynb"):
            pass


def test_busy_port_is_refused_not_silently_changed(tmp_path):
    notebook = tmp_path / "stand-in.ipynb"
    nbformat.write(new_notebook(), notebook)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        with pytest.raises(CourseInputError, match="port"):
            with dashboard.start_dashboard(notebook, busy):
                pass


@pytest.mark.parametrize("port", [0, 80, 70000])
def test_port_out_of_range_is_refused(port, tmp_path):
    notebook = tmp_path / "stand-in.ipynb"
    nbformat.write(new_notebook(), notebook)
    with pytest.raises(CourseInputError, match="1024 to 65535"):
        with dashboard.start_dashboard(notebook, port):
            pass


def test_command_line_reports_a_missing_notebook(tmp_path, capsys):
    assert dashboard.main(["--notebook", str(tmp_path / "nothing.ipynb")]) == 2
    assert "notebook" in capsys.readouterr().err


def test_stop_ends_the_whole_process_group():
    # A parent that starts a child in its group, like Voilà starts kernels.
    process = subprocess.Popen(
        [sys.executable, "-c", "import subprocess, sys, time; "
         "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)']); time.sleep(300)"],
        start_new_session=True,
    )
    dashboard.stop(process, timeout=10)
    assert process.returncode is not None
    group_alive = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True)
    assert group_alive.returncode == 1, "a child of the server outlived it"


# --------------------------------------------------------------------------- browser


@contextlib.contextmanager
def _leave_before_stopping(page):
    """Leave the page before the server stops, or its kernel socket logs a console error."""
    try:
        yield
    finally:
        page.goto("about:blank")


STAND_IN_CELL = '''
import ipywidgets as widgets
from IPython.display import display

plan = widgets.Dropdown(options=["All plans", "Plan A"], description="Plan")
total = widgets.HTML('<p class="stand-in-total">Referrals: 300</p>')

def refresh(change):
    count = 120 if change["new"] == "Plan A" else 300
    total.value = f'<p class="stand-in-total">Referrals: {count}</p>'

plan.observe(refresh, names="value")
display(widgets.VBox([plan, total]))
'''


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_voila_runs_a_widget_callback_in_a_real_kernel(page, tmp_path):
    """The mechanics on a stand-in notebook: the callback runs in Voilà's kernel."""
    notebook = tmp_path / "stand-in.ipynb"
    nbformat.write(
        new_notebook(
            cells=[new_markdown_cell("# Stand-in explorer"), new_code_cell(STAND_IN_CELL)],
            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        ),
        notebook,
    )
    with dashboard.start_dashboard(notebook) as url, _leave_before_stopping(page):
        assert url.startswith("http://127.0.0.1:")
        page.goto(url)
        page.get_by_text("Referrals: 300").wait_for(timeout=LOAD_TIMEOUT_MS)
        # Code is stripped: the learner sees the widgets, not the Python.
        assert "observe(refresh" not in page.content()
        page.get_by_label("Plan").select_option("Plan A")
        page.get_by_text("Referrals: 120").wait_for(timeout=30_000)


STATE_JS = """(area) => {
    // What a learner sees of the explorer's results: its text, and its charts' shapes.
    const marks = [...area.querySelectorAll('svg path, svg rect, svg text, canvas')]
        .map(e => e.tagName + (e.getAttribute('d') || '') + (e.getAttribute('height') || '') + (e.textContent || ''))
        .join('|');
    return area.innerText + '\\n' + marks;
}"""


@pytest.mark.browser
@pytest.mark.timeout(420)
def test_data_explorer_dashboard_changes_when_a_filter_changes(page):
    """``make dashboard``'s app: choose another plan in the page and the results change."""
    assert EXPLORER.is_file(), "notebooks/data-explorer.ipynb is missing: make dashboard has nothing to serve"
    with dashboard.start_dashboard(EXPLORER) as url, _leave_before_stopping(page):
        page.goto(url)
        plan = page.get_by_role("combobox", name="Plan:", exact=True)
        plan.wait_for(timeout=LOAD_TIMEOUT_MS)
        # The live dashboard's output area (the page also shows a static default view).
        area = page.locator(".jp-OutputArea-output").filter(has=plan).first
        page.wait_for_function(
            "(area) => area.querySelector('svg, canvas, table') !== null", arg=area.element_handle(),
            timeout=LOAD_TIMEOUT_MS,
        )
        before = area.evaluate(STATE_JS)
        assert "Traceback" not in before
        options = plan.locator("option")
        current = plan.input_value()
        values = [options.nth(i).get_attribute("value") for i in range(options.count())]
        assert len(values) > 1, "the plan filter offers a single choice"
        plan.select_option(next(v for v in values if v != current))
        page.wait_for_function(
            f"([area, before]) => ({STATE_JS})(area) !== before",
            arg=[area.element_handle(), before],
            timeout=60_000,
        )
        after = area.evaluate(STATE_JS)
        assert after != before and "Traceback" not in after
