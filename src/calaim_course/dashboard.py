"""Serve the data explorer notebook as a web app with Voilà, on this computer only.

``make dashboard`` runs ``python -m calaim_course.dashboard``: Voilà executes
``notebooks/data-explorer.ipynb`` in a real kernel and shows only its outputs and widgets
(no code), at an address on 127.0.0.1 that this command prints. The browser test
(``tests/test_dashboard.py``) starts the app the same way, through ``start_dashboard``.

Why these settings:

- 127.0.0.1 only: the app runs a Python kernel for whoever opens the page, so it must not
  be reachable from the network. A workshop for a room uses JupyterHub instead
  (see book/facilitators/hosting.md).
- ``--strip_sources``: learners see the explorer, not its code.
- ``--show_tracebacks=False``: a bug shows a short message, never a traceback with paths.
- Voilà is a Jupyter server; unlike ``jupyter lab`` it has no root check, so no
  ``--allow-root`` setting is needed when it runs as root (CI does).
- An offline page template: Voilà's "lab" template links two Font Awesome style sheets
  from a CDN although its own bundle already contains Font Awesome, and Altair charts
  fetch Vega from a CDN unless the page already has it. The course loads nothing from
  other hosts, so we serve a copy of that template without the two links and with the
  chart libraries the book itself serves (the vendored Vega files and Plotly's own
  plotly.min.js, see ``calaim_course.sphinx_ext``). The copy is made at start-up from the
  installed Voilà, so it follows Voilà upgrades.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from jupyter_core.paths import jupyter_path
from typing import Iterator

from calaim_course import sphinx_ext
from calaim_course.errors import CourseInputError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "data-explorer.ipynb"
HOST = "127.0.0.1"
DEFAULT_PORT = 8866  # Voilà's usual port; a busy port is refused, not silently changed
START_TIMEOUT = 120  # seconds to wait for the first answer from the server


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _check_notebook(notebook: Path) -> Path:
    notebook = Path(notebook)
    if notebook.suffix != ".ipynb" or not notebook.is_file():
        raise CourseInputError(
            "notebook", str(notebook.name), "an existing .ipynb file",
            hint="The data explorer is notebooks/data-explorer.ipynb.",
        )
    return notebook.resolve()


def _check_port(port: int) -> int:
    if not isinstance(port, int) or not 1024 <= port <= 65535:
        raise CourseInputError("port", port, "a whole number from 1024 to 65535")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            raise CourseInputError(
                "port", port, "a port that no other program is using",
                hint="Choose another one, for example: make dashboard PORT=8867",
            ) from None
    return port


def voila_command(notebook: Path, port: int) -> list[str]:
    """The Voilà command line that serves one notebook on 127.0.0.1:port."""
    return [
        sys.executable, "-m", "voila", str(notebook),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={HOST}",
        "--Voila.port_retries=0",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--theme=light",
        f"--template={TEMPLATE_NAME}",
    ]


TEMPLATE_NAME = "calaim-offline"
VEGA_FILES = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
_REMOTE_TAG = re.compile(r"""<(?:link|script)\b[^>]*\b(?:href|src)=["']https?://[^>]*>\s*(?:</script>)?\s*""")


def offline_template(root: Path) -> Path:
    """Write the offline copy of Voilà's lab template under ``root``; return ``root``.

    ``root`` then goes first on JUPYTER_PATH, where Voilà looks for templates.
    """
    for base in jupyter_path("voila", "templates", "lab"):
        source = Path(base) / "index.html.j2"
        if source.is_file():
            break
    else:
        raise RuntimeError("Voilà's lab template was not found: is voila installed?")
    text, removed = _REMOTE_TAG.subn("", source.read_text(encoding="utf-8"))
    if re.search(r"""(?:href|src)=["']https?://""", text):
        raise RuntimeError(f"{source.name} of Voilà still loads a file from another host.")
    target = Path(root) / "voila" / "templates" / TEMPLATE_NAME
    (target / "static").mkdir(parents=True, exist_ok=True)
    # The chart libraries, served by Voilà from the template's static folder.
    files = {name: sphinx_ext.VENDOR_DIR / "vega" / name for name in VEGA_FILES}
    files["plotly.min.js"] = sphinx_ext._plotly_js()
    for name, source_file in files.items():
        shutil.copyfile(source_file, target / "static" / name)
    scripts = f"<script>{sphinx_ext._vega_debug_script()}</script>\n" + "".join(
        f'<script src="{{{{ resources.base_url }}}}voila/templates/{TEMPLATE_NAME}/static/{name}"></script>\n'
        for name in files
    )
    text, added = re.subn(r"(\{%-?\s*endblock html_head_js\s*-?%\})", lambda m: scripts + m.group(1), text, count=1)
    if not added:
        raise RuntimeError(f"{source.name} of Voilà has no html_head_js block: update calaim_course.dashboard.")
    (target / "conf.json").write_text('{"base_template": "lab"}\n', encoding="utf-8")
    (target / "index.html.j2").write_text(
        f"{{#- Made by calaim_course.dashboard: Voila's lab template without its {removed} CDN links. -#}}\n" + text,
        encoding="utf-8",
    )
    return Path(root)


def address(port: int) -> str:
    return f"http://{HOST}:{port}/"


def wait_until_ready(url: str, process: subprocess.Popen, timeout: float = START_TIMEOUT) -> None:
    """Return once the server answers; raise RuntimeError if it exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Voilà stopped before it was ready (exit code {process.returncode}).")
        try:
            # Any HTTP answer means the server listens. Not "/": that would execute the
            # notebook once, for nobody.
            with urllib.request.urlopen(url + "voila/static/", timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"Voilà did not answer at {url} within {timeout:.0f} seconds.")


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    """Stop the server and its kernels: SIGTERM to its process group, then SIGKILL."""
    if process.poll() is not None:
        return
    # The server was started in its own session, so its group holds it and its kernels.
    group = os.getpgid(process.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        process.wait(timeout=timeout)


@contextlib.contextmanager
def start_dashboard(
    notebook: Path = NOTEBOOK, port: int | None = None, *, log=subprocess.DEVNULL,
    timeout: float = START_TIMEOUT,
) -> Iterator[str]:
    """Serve ``notebook`` with Voilà while the block runs; yields its address."""
    notebook = _check_notebook(notebook)
    port = _check_port(port) if port is not None else free_port()
    with tempfile.TemporaryDirectory(prefix="calaim-voila-") as scratch:
        env = dict(os.environ)
        env["JUPYTER_PATH"] = os.pathsep.join(
            [str(offline_template(Path(scratch)))] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
        )
        process = subprocess.Popen(
            voila_command(notebook, port), cwd=notebook.parent, stdout=log, stderr=log,
            stdin=subprocess.DEVNULL, start_new_session=True, env=env,
        )
        try:
            wait_until_ready(address(port), process, timeout=timeout)
            yield address(port)
        finally:
            stop(process)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m calaim_course.dashboard",
        description="Serve the data explorer as a web app (Voilà) on this computer only.",
    )
    parser.add_argument("--notebook", type=Path, default=NOTEBOOK, help="default: notebooks/data-explorer.ipynb")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default: {DEFAULT_PORT}")
    args = parser.parse_args(argv)
    # A SIGTERM (from a terminal closing, or a service manager) must still stop Voilà
    # and its kernels: turn it into an exception so the cleanup below runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        with start_dashboard(args.notebook, args.port, log=None) as url:
            print()
            print("The data explorer is running. Open this address in a web browser:")
            print(f"  {url}")
            print("It is reachable from this computer only. Press Ctrl+C to stop it.")
            print(flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
    except CourseInputError as error:
        print(error, file=sys.stderr)
        return 2
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
