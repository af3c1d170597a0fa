"""Medi-Cal and CalAIM for domestic violence organizations: the course package.

Everything the notebooks show comes from here: reference and synthetic data,
analysis functions, widgets and chart helpers. Notebooks stay thin.
"""

import gc
import importlib.util
import sys
import types

from calaim_course.errors import CourseInputError


def _defer_iri_grammar() -> None:
    """Postpone building the IRI grammar that importing Altair would build.

    Altair imports jsonschema, and jsonschema imports ``rfc3987_syntax`` (when installed)
    for its "iri" format check; that module compiles three Earley grammars on import,
    about a second of CPU in every notebook, for a check nothing in the course uses
    (Altair's Vega-Lite schema uses only the "uri" formats). This registers a stand-in
    whose ``is_valid_syntax`` imports the real module on its first call, so the check
    still works, only later. Does nothing once jsonschema or the module is loaded.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    spec = importlib.util.find_spec("rfc3987_syntax")
    if spec is None or not spec.submodule_search_locations:
        return
    stand_in = types.ModuleType("rfc3987_syntax", "Stand-in: the grammar is built on first use.")
    stand_in.__spec__, stand_in.__file__ = spec, spec.origin
    stand_in.__path__ = list(spec.submodule_search_locations)  # so its submodules import normally

    def is_valid_syntax(term: str, value: str) -> bool:
        from rfc3987_syntax.syntax_helpers import is_valid_syntax as real_is_valid_syntax

        return real_is_valid_syntax(term, value)

    def __getattr__(name: str):  # any other name: load the real helpers
        return getattr(importlib.import_module("rfc3987_syntax.syntax_helpers"), name)

    stand_in.is_valid_syntax = is_valid_syntax
    stand_in.__getattr__ = __getattr__
    sys.modules["rfc3987_syntax"] = stand_in


def freeze_long_lived_objects() -> None:
    """Leave the objects that exist now out of every later garbage collection.

    Called by the modules that import the heavy libraries (pandas, pandera, Altair,
    Plotly), once each, at import: their modules, classes and schemas (~150,000 objects)
    live until the kernel stops, yet Python's cyclic collector walks all of them in each
    full collection (~0.1 s, also in the middle of a widget update) and again when the
    kernel exits. Frozen objects are still freed as usual when nothing refers to them;
    only the cycle search skips them (``gc.freeze``).
    """
    gc.freeze()


_defer_iri_grammar()

__all__ = ["CourseInputError"]
__version__ = "0.1.0"
