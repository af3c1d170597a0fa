"""Build the course's download bundle: course-notebooks.zip.

    python -m calaim_course.bundle --out _build/html/_downloads

The zip holds the notebooks, the ``data/`` folder and HOW-TO.txt (how to open them in
JupyterLab), under one top folder. It is deterministic: entries are sorted and carry
a fixed timestamp and fixed permissions, so building twice gives the same bytes (and a
change in the zip always means a change in the course).
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ZIP_NAME = "course-notebooks.zip"
TOP = "calaim-course"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # zip timestamps cannot be earlier than 1980
SKIP_PARTS = {".ipynb_checkpoints", "__pycache__", ".DS_Store"}

HOW_TO = """\
Medi-Cal and CalAIM for domestic violence organizations: the course notebooks
==========================================================================

This folder holds the course's Jupyter notebooks (notebooks/) and its data (data/).
All people, agencies, plans and records in the data are synthetic: made up by a
program, never drawn from real survivors.

Most readers do not need this folder: the web version of the course shows every
chart and quiz. Open the notebooks when you want to change the filters and rerun the
analyses.

To open the notebooks in JupyterLab
-----------------------------------
1. Unzip this file into a folder of your choice.
2. Get the course's Python package and its tools. The simplest way is the course's
   full repository: from its folder, run "make lab", which installs everything into a
   local environment and opens JupyterLab. (If your organization runs a JupyterHub for a
   workshop, your facilitator will give you a link instead: nothing to install.)
3. In JupyterLab, open notebooks/ and double-click a section, for example
   01-medi-cal-calaim-background.ipynb.
4. Run the cells from the top with the "Run" menu, "Run All Cells". The widgets then
   respond to your choices.

The notebooks read the data from the data/ folder next to notebooks/, so keep the two
folders together.

Keep survivors' information out of the notebooks: use the synthetic data, or your own
data only as the course's "Use your own data safely" section explains.

This is educational material, not legal or billing advice.
"""


def bundle_files(root: Path = ROOT) -> list[tuple[str, Path]]:
    """(name in the zip, file on disk) for every notebook and data file, sorted."""
    files = []
    for folder, pattern in (("notebooks", "*.ipynb"), ("data", "*")):
        for path in (root / folder).rglob(pattern):
            if path.is_file() and not SKIP_PARTS & set(path.parts):
                files.append((f"{TOP}/{path.relative_to(root).as_posix()}", path))
    return sorted(files)


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3  # Unix, so the permissions above are read the same everywhere
    return info


def write_bundle(out_dir: Path, root: Path = ROOT) -> Path:
    """Write course-notebooks.zip into out_dir and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / ZIP_NAME
    entries = [(f"{TOP}/HOW-TO.txt", HOW_TO.encode("utf-8"))]
    entries += [(name, path.read_bytes()) for name, path in bundle_files(root)]
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in sorted(entries):
            archive.writestr(_entry(name), data, compresslevel=9)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write course-notebooks.zip (notebooks, data, how-to).")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the zip into")
    args = parser.parse_args(argv)
    target = write_bundle(args.out)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
