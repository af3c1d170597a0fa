"""Sphinx extension: link the first use of each glossary term in every page.

Why: the style guide asks that every acronym be explained where a reader first meets it
in a section. Authors define it in words; this extension adds the link to the glossary
entry (``book/glossary.md``) at build time, so no notebook has to carry the markup.

In each document, the first occurrence of each glossary term in body text becomes a
``{term}`` cross-reference. Headings, links, code, literal blocks, raw HTML, stored
cell outputs and the glossary page itself are left alone. A plural "s" is kept in the
link text ("MCPs" links to "MCP").
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform

from calaim_course.glossary import load_glossary

GLOSSARY_DOCNAME = "book/glossary"

# Text inside these nodes is never linked: headings, existing links, code and raw output.
_SKIP_NODES = (
    nodes.title, nodes.subtitle, nodes.rubric, nodes.caption, nodes.reference,
    nodes.target, nodes.literal, nodes.FixedTextElement, nodes.raw, nodes.term,
    nodes.math, nodes.comment, nodes.image, nodes.field_name, nodes.abbreviation,
    addnodes.pending_xref, addnodes.glossary, addnodes.toctree, addnodes.desc_signature,
)
_SKIP_CLASSES = {"cell_output", "output", "toctree-wrapper", "glossary", "xref"}


def term_pattern(terms) -> re.Pattern:
    """One regex for all terms, longest first, matching whole words (plural "s" allowed)."""
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({alternatives})(s?)(?![\w-])")


def _skipped(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, _SKIP_NODES):
            return True
        if _SKIP_CLASSES & set(parent.get("classes", [])):
            return True
        parent = parent.parent
    return False


class LinkFirstGlossaryUse(SphinxTransform):
    """Turn each glossary term's first use in a document into a link to its entry."""

    default_priority = 700  # after MyST/myst-nb have built the doctree

    def apply(self, **kwargs) -> None:
        pattern = self.env.app.calaim_glossary_pattern
        if pattern is None or self.env.docname == GLOSSARY_DOCNAME:
            return
        seen: set[str] = set()
        for text_node in list(self.document.findall(nodes.Text)):
            if _skipped(text_node):
                continue
            source = str(text_node)
            pieces: list[nodes.Node] = []
            position = 0
            for match in pattern.finditer(source):
                term = match.group(1)
                if term in seen:
                    continue
                seen.add(term)
                pieces.append(nodes.Text(source[position:match.start()]))
                shown = match.group(0)
                xref = addnodes.pending_xref(
                    shown, refdomain="std", reftype="term", reftarget=term.lower(),
                    refexplicit=True, refwarn=True, refdoc=self.env.docname,
                )
                xref += nodes.inline(shown, shown, classes=["xref", "std", "std-term"])
                pieces.append(xref)
                position = match.end()
            if pieces:
                pieces.append(nodes.Text(source[position:]))
                text_node.parent.replace(text_node, [p for p in pieces if not (isinstance(p, nodes.Text) and not str(p))])


def _load_terms(app) -> None:
    path = Path(app.srcdir) / f"{GLOSSARY_DOCNAME}.md"
    app.calaim_glossary_pattern = term_pattern(load_glossary(path)) if path.exists() else None


def setup(app):
    app.calaim_glossary_pattern = None
    app.connect("builder-inited", _load_terms)
    app.add_transform(LinkFirstGlossaryUse)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
