"""Re-execute notebooks and store their outputs and widget state, deterministically.

``make outputs`` runs ``python -m calaim_course.notebook_outputs`` on every notebook (or
on the paths given). The book renders these stored outputs and nbval compares fresh runs
against them, so they must not change between runs with the same inputs: random widget
model ids and Altair div ids are renamed to ids derived from the notebook's name, and
timing metadata is not recorded.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

# Ids a kernel makes up at random: ipywidgets model ids and Altair's div ids are
# 32 hex digits (uuid4). Renaming other 32-hex strings too is harmless.
_VOLATILE = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


def _stable_ids(text: str, salt: str) -> str:
    """Replace each random id with one derived from ``salt`` and its order of appearance."""
    mapping: dict[str, str] = {}

    def rename(match: re.Match) -> str:
        old = match.group(0)
        if old not in mapping:
            seed = f"{salt}:{len(mapping)}".encode()
            mapping[old] = hashlib.md5(seed, usedforsecurity=False).hexdigest()
        return mapping[old]

    return _VOLATILE.sub(rename, text)


def execute(path: Path, timeout: int = 600) -> None:
    """Execute one notebook in place, then make its volatile ids stable."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=False,
    )
    client.execute()
    # Keep the kernelspec the repository chose, not the one of this machine.
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    notebook.metadata.get("language_info", {}).pop("version", None)
    text = nbformat.writes(notebook) + "\n"
    text = _stable_ids(text, salt=path.stem)
    if ROOT.as_posix() in text or str(Path.home()) in text:
        raise SystemExit(f"{path.name}: an output contains a path of this machine; fix the cell.")
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    missing = [p for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(map(str, missing))}")
    os.environ.setdefault("PYTHONHASHSEED", "0")
    for path in paths:
        print(f"executing {path.name} ...", flush=True)
        execute(path.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
