"""The download bundle has every notebook and data file, a how-to, and is reproducible."""

from __future__ import annotations

import zipfile
from pathlib import Path

from calaim_course import bundle

ROOT = Path(__file__).resolve().parents[1]


def test_bundle_has_every_notebook_data_file_and_the_how_to(tmp_path):
    target = bundle.write_bundle(tmp_path)
    assert target.name == "course-notebooks.zip"
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        assert archive.testzip() is None
        how_to = archive.read(f"{bundle.TOP}/HOW-TO.txt").decode("utf-8")
    expected = {
        f"{bundle.TOP}/{p.relative_to(ROOT).as_posix()}"
        for folder in ("notebooks", "data") for p in (ROOT / folder).rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts
    }
    assert any(name.endswith(".ipynb") for name in expected)
    assert expected - names == set(), f"missing from the bundle: {sorted(expected - names)[:10]}"
    assert names - expected == {f"{bundle.TOP}/HOW-TO.txt"}
    assert "JupyterLab" in how_to and "synthetic" in how_to


def test_bundle_is_deterministic(tmp_path):
    first = bundle.write_bundle(tmp_path / "a").read_bytes()
    second = bundle.write_bundle(tmp_path / "b").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a" / bundle.ZIP_NAME) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {bundle.FIXED_TIME}


def test_bundle_leaves_out_checkpoints(tmp_path):
    root = tmp_path / "course"
    (root / "notebooks" / ".ipynb_checkpoints").mkdir(parents=True)
    (root / "notebooks" / "01-x.ipynb").write_text("{}")
    (root / "notebooks" / ".ipynb_checkpoints" / "01-x-checkpoint.ipynb").write_text("{}")
    (root / "data").mkdir()
    (root / "data" / "t.csv").write_text("a\n1\n")
    names = [name for name, _ in bundle.bundle_files(root)]
    assert names == [f"{bundle.TOP}/data/t.csv", f"{bundle.TOP}/notebooks/01-x.ipynb"]
