"""The glossary defines every acronym the course uses, and each page links a term's
first use to its entry (calaim_course.sphinx_glossary)."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from calaim_course.glossary import (
    GLOSSARY_PATH, find_acronyms, is_covered, load_glossary, missing_acronyms,
)
from test_book import toc_files

# The acronyms the course brief names; the glossary must keep them.
REQUIRED_TERMS = """MCP ECM CHW NPI PAVE RTF MIF OTF CLR PATH CPI CITED IPP DxF HMIS VAWA FVPSA VOCA
HIPAA CMIA FPL MAGI HCPCS CPT ICD-10 837P CMS-1500 DHCS LAO PoF CS FFS COHS BH-CONNECT CalAIM
Medi-Cal HCAI NUCC EDI EOB PHI PII TPO LCM SUD SMH CCS WCM HCBS DDG CalHHS HHS OCR OVW NNEDV CBO
FQHC RHC LHJ VPP""".split()


def test_every_acronym_the_course_uses_is_in_the_glossary():
    missing = missing_acronyms()
    report = "\n".join(f"  {a}: used in {', '.join(places[:3])}" for a, places in sorted(missing.items()))
    assert not missing, (
        "Acronyms missing from book/glossary.md (add a plain definition with a source, or, if "
        "it is a code value rather than an acronym, extend the commented lists in "
        f"calaim_course/glossary.py):\n{report}"
    )


def test_glossary_keeps_the_required_terms_with_definitions():
    terms = load_glossary()
    assert not [t for t in REQUIRED_TERMS if t not in terms]
    assert not [t for t, definition in terms.items() if len(definition) < 20], "every term needs a definition"
    text = GLOSSARY_PATH.read_text(encoding="utf-8")
    assert len(re.findall(r"^# ", text, re.M)) == 1, "the glossary page has one H1"


def test_acronym_rule_finds_acronyms_and_ignores_code_and_links():
    text = (
        "Plans (MCPs) pay ECM-eligible claims on the 837P with `G9999` in [the FAQ page]"
        "(https://example.org/ABCD). Use G9008 with U1; see Z69.11. An ordinary Word, "
        "Medi-Cal, and the DxF.\n```python\nXYZW = 1\n```\n<!-- QQQQ -->"
    )
    # Codes with one capital (G9008, U1, Z69) are not acronyms; code patterns cover the rest.
    assert find_acronyms(text) == {"MCP", "ECM", "837P", "FAQ", "DxF"}
    terms = set(load_glossary())
    assert is_covered("G9008", terms) and is_covered("U1", terms) and is_covered("Z69", terms)
    assert is_covered("FY2026", terms)  # letters before the digits are a glossary term
    assert is_covered("GQ", terms) and is_covered("005010X222A1", terms) and is_covered("24J", terms)
    assert not is_covered("QQQQ", terms)


def _section_pages() -> list[str]:
    return [f"{entry}.html" for entry in toc_files() if entry.startswith("notebooks/")]


# Text under these elements is not body text, so the transform does not link it.
_NOT_BODY = "h1, h2, h3, h4, h5, h6, pre, code, script, style, .cell_output, .admonition-title, caption, .caption, .rubric, dt"


@pytest.mark.book
@pytest.mark.parametrize("page_path", _section_pages())
def test_first_use_of_each_term_in_a_section_links_to_the_glossary(built_book, page_path):
    terms = load_glossary()
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")s?(?![\w-])"
    )
    soup = BeautifulSoup((built_book / page_path).read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("main article")
    for element in article.select(_NOT_BODY):
        element.decompose()
    first_use: dict[str, object] = {}
    for text in article.find_all(string=True):
        link = text.find_parent("a")
        in_glossary_link = link is not None and "glossary.html#term-" in link.get("href", "")
        if link is not None and not in_glossary_link:
            continue  # other links keep their own text
        for match in pattern.finditer(str(text)):
            first_use.setdefault(match.group(1), link if in_glossary_link else None)
    unlinked = sorted(term for term, link in first_use.items() if link is None)
    assert not unlinked, f"{page_path}: first use not linked to the glossary: {unlinked}"
    if "ECM" in first_use:
        assert first_use["ECM"]["href"].lower().endswith("glossary.html#term-ecm")


@pytest.mark.book
def test_a_section_page_links_its_first_ecm_to_the_glossary(built_book):
    """The plain case, stated on its own: some section says ECM, and its first ECM is a link."""
    linked = []
    for page_path in _section_pages():
        soup = BeautifulSoup((built_book / page_path).read_text(encoding="utf-8"), "html.parser")
        link = soup.select_one('main article a[href$="glossary.html#term-ECM"]')
        if link is not None:
            linked.append(page_path)
            assert link.get_text() in ("ECM", "ECMs")
            assert len(soup.select('main article a[href$="glossary.html#term-ECM"]')) == 1, "only the first use is linked"
    assert linked, "no section page links ECM to the glossary"
