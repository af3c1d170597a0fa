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
import json
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


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _widget_order(notebook) -> list[str]:
    """Widget model ids in an order that does not depend on the random ids themselves.

    The saved state is a dict keyed by random ids, and JSON output sorts keys, so the
    order must come from the structure: the views shown in the outputs (in cell order),
    then the models each refers to (depth first), then any left over, by content.
    """
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    order: list[str] = []

    def visit(model_id: str) -> None:
        if model_id in order or model_id not in state:
            return
        order.append(model_id)
        text = json.dumps(state[model_id].get("state", {}), sort_keys=True)
        for ref in re.findall(r"IPY_MODEL_([0-9a-f]{32})", text):
            visit(ref)

    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view:
                visit(view["model_id"])
    leftovers = sorted(
        set(state) - set(order),
        key=lambda m: _VOLATILE.sub("ID", json.dumps(state[m], sort_keys=True)),
    )
    for model_id in leftovers:
        visit(model_id)
    return order


def _stable_ids(text: str, salt: str, first: list[str] = ()) -> str:
    """Replace each random id with one derived from ``salt`` and its order: the ids in
    ``first`` in that order, then the others by order of appearance in ``text``."""
    mapping: dict[str, str] = {}

    def new_id(old: str) -> str:
        if old not in mapping:
            seed = f"{salt}:{len(mapping)}".encode()
            mapping[old] = hashlib.md5(seed, usedforsecurity=False).hexdigest()
        return mapping[old]

    for old in first:
        new_id(old)
    return _VOLATILE.sub(lambda match: new_id(match.group(0)), text)


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
    text = _stable_ids(text, salt=path.stem, first=_widget_order(notebook))
    # Write again so the widget state is sorted by the new ids, not the random ones.
    text = nbformat.writes(nbformat.reads(text, as_version=4)) + "\n"
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
