"""Stored outputs: deterministic refresh, and nbval sanitizing that hides only random ids."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from calaim_course import notebook_outputs

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = ROOT / "tests" / "nbval-sanitize.cfg"


def test_stable_ids_rename_random_ids_in_order_of_appearance():
    a, b = "a" * 32, "b" * 32
    text = f'{{"model_id": "{a}"}} altair-viz-{b} again {a}'
    once = notebook_outputs._stable_ids(text, salt="nb")
    assert a not in once and b not in once
    first, second = notebook_outputs._stable_ids(f"{a} {b}", salt="nb").split()
    assert once.count(first) == 2 and f"altair-viz-{second}" in once
    # Same input, same salt: same output; another notebook gets other ids.
    assert notebook_outputs._stable_ids(text, salt="nb") == once
    assert notebook_outputs._stable_ids(text, salt="other") != once


def _notebook(tmp_path: Path, source: str, *more: str) -> Path:
    path = tmp_path / "probe.ipynb"
    nb = new_notebook(cells=[new_code_cell(s) for s in (source, *more)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _nbval(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "--nbval", "--nbval-sanitize-with", str(SANITIZE), str(path)],
        cwd=path.parent, capture_output=True, text=True, timeout=300,
    )


@pytest.fixture
def executed(tmp_path):
    """A notebook whose outputs have random ids (a uuid, widget models) and a real value,
    refreshed three times: the file must be byte-identical each time."""
    path = _notebook(
        tmp_path,
        'import uuid\nprint("members:", 120, "id:", uuid.uuid4().hex)',
        "import ipywidgets as w\nw.VBox([w.Text('a'), w.HTML('b'), w.HTML('c'), w.IntSlider(3)])",
    )
    notebook_outputs.execute(path)
    first = path.read_text()
    assert "widget-state" in first
    for _ in range(2):
        notebook_outputs.execute(path)
        assert path.read_text() == first, "refreshing must give the same file"
    return path


def test_nbval_passes_when_only_a_random_id_differs(executed):
    result = _nbval(executed)
    assert result.returncode == 0, result.stdout[-2000:]


def test_nbval_fails_when_a_stored_output_really_changed(executed):
    nb = nbformat.read(executed, as_version=4)
    output = nb.cells[0].outputs[0]
    assert "members: 120" in output["text"]
    output["text"] = output["text"].replace("members: 120", "members: 121")
    nbformat.write(nb, executed)
    result = _nbval(executed)
    assert result.returncode != 0, "a changed value must fail the notebook test"
    assert "members: 12" in result.stdout


def test_execute_refuses_outputs_with_a_path_of_this_machine(tmp_path):
    path = _notebook(tmp_path, "import pathlib\nprint(pathlib.Path.home())")
    with pytest.raises(SystemExit, match="path of this machine"):
        notebook_outputs.execute(path)


def test_cli_names_a_missing_notebook(capsys):
    with pytest.raises(SystemExit) as stop:
        notebook_outputs.main(["notebooks/no-such-notebook.ipynb"])
    assert stop.value.code == 2
    assert "no such notebook" in capsys.readouterr().err
