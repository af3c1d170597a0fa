"""The files repo2docker (JupyterHub, Binder) reads exist and agree with each other.

repo2docker needs a Docker engine, which the test machines do not have, so these tests
check what repo2docker would read: the Python version, the requirements, and that nothing
else takes precedence over them.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
HOSTING = ROOT / "book" / "facilitators" / "hosting.md"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    pins = {}
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[_canonical(match.group(1))] = match.group(2)
    return pins


def test_runtime_names_the_tested_python():
    runtime = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    assert runtime == "python-3.11"
    assert sys.version_info[:2] == (3, 11), "the course is tested on the Python runtime.txt names"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11"


def test_root_configuration_is_the_one_repo2docker_reads():
    # A binder/ or .binder/ folder makes repo2docker ignore the files at the root.
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()
    # These would take precedence over requirements.txt (conda, pipenv) or replace it.
    for other in ("environment.yml", "Pipfile", "Pipfile.lock", "Dockerfile", "setup.py"):
        assert not (ROOT / other).exists(), f"{other} would change how repo2docker builds"


def test_requirements_install_the_course_package_and_pin_everything_else():
    lines = [
        line.strip() for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert "-e ." in lines, "requirements.txt must install the course package (-e .)"
    unpinned = [line for line in lines if line != "-e ." and not PIN.match(line)]
    assert not unpinned, f"not pinned with ==: {unpinned}"


def test_requirements_cover_the_package_and_the_workshop_tools():
    pins = _pins()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    needed = {_canonical(re.split(r"[<>=!~ \[;]", d)[0]) for d in project["dependencies"]}
    # JupyterLab with live widgets, Voilà for the data explorer, reportlab for certificates.
    needed |= {"jupyterlab", "jupyterlab-widgets", "ipykernel", "voila", "reportlab", "pypdf"}
    missing = sorted(needed - set(pins))
    assert not missing, f"requirements.txt does not install: {missing}"


@pytest.mark.parametrize("package", ["voila", "jupyterlab", "ipywidgets", "jupyterlab-widgets", "reportlab"])
def test_pins_match_the_tested_environment(package):
    assert metadata.version(package) == _pins()[package]


def test_voila_is_enabled_as_a_server_extension():
    """The hub's address .../voila/render/... needs Voilà's Jupyter server extension."""
    config = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "voila.json"
    assert json.loads(config.read_text())["ServerApp"]["jpserver_extensions"]["voila.server_extension"] is True


def test_hosting_recipe_points_at_files_that_exist():
    text = HOSTING.read_text(encoding="utf-8")
    assert len(re.findall(r"^# ", text, re.M)) == 1
    for path in sorted(set(re.findall(r"(?:voila/render|lab/tree)/([\w./-]+)", text))):
        target = ROOT / path.rstrip(".")
        assert target.exists(), f"hosting.md names {path}, which does not exist"
    assert "python-3.11" in text and "-e ." in text
    for setting in ("limits.memory", "services.cull.timeout", "user_environment.default_app"):
        assert setting in text
    for setting in ("singleuser:", "memory:", "cull:", "prePuller:"):
        assert setting in text
