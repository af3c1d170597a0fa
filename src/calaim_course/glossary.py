"""The course glossary: its terms, and the acronyms the course uses that it lacks.

The glossary is ``book/glossary.md``, a MyST ``{glossary}`` block. Two things read it:
the Sphinx extension ``calaim_course.sphinx_glossary`` (links each term's first use in a
page) and ``tests/test_glossary.py`` (fails when a page, notebook or quiz uses an acronym
the glossary does not define).

The acronym rule, in one place so that it is easy to review:

- Learner-facing prose is scanned: notebook Markdown cells, the Markdown pages under
  ``book/``, and the text of the quiz banks. Code, URLs, link targets, HTML tags and
  MyST directive options are removed first (they are not prose).
- A token is a run of letters and digits, with hyphen-joined parts that start with a
  capital or a digit (``ICD-10``, ``CMS-1500``, ``BH-CONNECT``; ``ECM-eligible`` gives
  ``ECM``). A trailing plural "s" is dropped (``MCPs`` -> ``MCP``).
- It is an acronym when it has no two lowercase letters in a row and either has two or
  more capital letters (``ECM``, ``DxF``, ``PoF``) or starts with digits and ends with a
  capital (``837P``).
- It is covered when the glossary has it (or has it as one word of a longer term), when
  its letters before trailing digits are covered (``FY2026`` -> ``FY``), or when it is a
  code value or label listed in ``NOT_ACRONYMS`` / ``CODE_VALUE_PATTERNS`` below.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY_PATH = ROOT / "book" / "glossary.md"

# Words written in capitals that are not acronyms. Keep this list short; anything that a
# reader would need explained belongs in the glossary instead.
NOT_ACRONYMS = {
    # The course's confidence labels for facts (explained on the authoring page).
    "VERIFIED", "SECONDARY", "UNVERIFIED", "ANALYSIS", "ILLUSTRATIVE",
    # Emphasis in quiz questions ("Who may NOT consent").
    "NOT",
    # Date-format placeholders (YYYY-MM-DD).
    "YYYY", "MM", "DD", "YYYY-MM-DD",
    # A file name.
    "README",
    # A status value shown in a table of sampled charts ("found" or "MISSING").
    "MISSING",
    # Times of day (9:00 AM) on workshop agendas.
    "AM", "PM",
}

# Code values are shown to learners as examples of what goes on a claim or in a file;
# each is explained where it is used, so it is not a glossary entry.
CODE_VALUE_PATTERNS = [
    r"[A-V]\d{4}",                 # HCPCS Level II codes: G9008, T1016, H0043
    r"U\d|GQ",                     # HCPCS modifiers used by Medi-Cal: U1-U9, GQ
    r"[A-Z]\d{2}[0-9A-Z]{0,4}",    # ICD-10-CM codes: Z69 (Z69.11), T74, Z91410
    r"\d{1,2}[A-Z]{1,2}",          # CMS-1500 item numbers: 21A, 24J, 11XA
    r"\d{6}X\d{3}(A\d)?",          # X12 implementation guide versions: 005010X222A1
    r"(ISA|IEA|GS|GE|ST|SE|BHT|NM1|HL|CLM|SV1|DTP|REF|HI|PRV|SBR)\d{0,2}",  # X12 segment and element names
    r"O\d",                        # learning-objective ids in quiz banks: O1-O5
    r"Q[1-4]",                     # calendar quarters: Q2 2025
    r"H[1-6]",                     # heading levels on the authoring page
    r"[A-Z]-[A-Z]",                # letter ranges: diagnosis slots A-L
    r"AZ-\d{2}",                   # the fictional area codes of section 11: AZ-01 to AZ-08
    r"RL\d{5}",                    # Congressional Research Service report numbers: RL33956
]
_CODE_VALUE = re.compile("|".join(f"(?:{p})" for p in CODE_VALUE_PATTERNS))

TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?:-[A-Z0-9][A-Za-z0-9]*)*(?![A-Za-z0-9])")

_STRIP = [
    (re.compile(r"^---\n.*?\n---\n", re.S), " "),                 # front matter
    (re.compile(r"^(```|~~~|:::).*?^\1", re.S | re.M), " "),    # fenced code and directives' fences
    (re.compile(r"<!--.*?-->", re.S), " "),                       # HTML comments
    (re.compile(r"`[^`\n]*`"), " "),                              # inline code and role targets
    (re.compile(r"\]\([^)\s]*\)"), "]"),                          # Markdown link targets
    (re.compile(r"<[^>\n]+>"), " "),                              # HTML tags and autolinks
    (re.compile(r"\b(?:https?://|www\.)\S+"), " "),               # bare URLs
    (re.compile(r"\b[\w.-]+\.(?:org|gov|com|net|edu|io|us)(?:/\S*)?"), " "),  # bare host names as link text
    (re.compile(r"^\s*:[\w-]+:.*$", re.M), " "),                  # MyST directive options
    (re.compile(r"\{[\w:-]+\}"), " "),                            # role and directive names
]


def strip_markup(markdown: str) -> str:
    """Markdown prose without code, URLs, tags and directive options."""
    text = markdown
    for pattern, replacement in _STRIP:
        text = pattern.sub(replacement, text)
    return text


def acronym_of(token: str) -> str | None:
    """The acronym a token spells, or None when it is an ordinary word or number."""
    if token.endswith("s") and len(token) > 2 and not token.endswith("ss"):
        token = token[:-1]
    if re.search(r"[a-z]{2}", token):
        return None
    capitals = sum(c.isupper() for c in token)
    if capitals >= 2 or re.fullmatch(r"\d+[A-Z]+", token):
        return token
    return None


def find_acronyms(markdown: str) -> set[str]:
    """Every acronym used in a piece of Markdown prose."""
    found = set()
    for match in TOKEN.finditer(strip_markup(markdown)):
        acronym = acronym_of(match.group(0))
        if acronym:
            found.add(acronym)
    return found


def load_glossary(path: Path = GLOSSARY_PATH) -> dict[str, str]:
    """Glossary term -> its definition text, read from the ``{glossary}`` block."""
    text = path.read_text(encoding="utf-8")
    block = re.search(r"^```\{glossary\}[^\n]*\n(.*?)^```", text, re.S | re.M)
    if not block:
        raise ValueError(f"{path.name}: no ```{{glossary}} block found")
    terms: dict[str, str] = {}
    current = None
    for line in block.group(1).splitlines():
        if not line.strip() or line.lstrip().startswith(":"):
            continue
        if not line[0].isspace():
            current = line.strip()
            terms[current] = ""
        elif current:
            terms[current] = (terms[current] + " " + line.strip()).strip()
    return terms


def is_covered(acronym: str, terms: set[str]) -> bool:
    """Whether the glossary or the allow-lists account for an acronym."""
    # A term's words count too: "OPEN MINDS" covers OPEN, "SHA-256" covers SHA.
    words = terms | {part for term in terms for part in re.split(r"[\s-]+", term)}

    def covered(token: str) -> bool:
        if token in words or token in NOT_ACRONYMS or _CODE_VALUE.fullmatch(token):
            return True
        letters = re.fullmatch(r"([A-Za-z]{2,})-?\d+", token)  # FY2026 -> FY, SHA256 -> SHA
        return bool(letters and letters.group(1) in words)

    # A hyphenated token is covered as a whole or part by part (HMAC-SHA256).
    return covered(acronym) or all(covered(part) for part in acronym.split("-") if part)


def course_texts(root: Path = ROOT):
    """(where, Markdown prose) for every notebook, book page and quiz bank."""
    for notebook in sorted((root / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for number, cell in enumerate(cells):
            if cell["cell_type"] == "markdown":
                yield f"{notebook.relative_to(root)} cell {number}", "".join(cell["source"])
    for page in sorted((root / "book").rglob("*.md")):
        if page.resolve() != GLOSSARY_PATH.resolve() and "_static" not in page.parts:
            yield str(page.relative_to(root)), page.read_text(encoding="utf-8")
    for bank in sorted((root / "data" / "quizzes").glob("*.yaml")):
        yield str(bank.relative_to(root)), "\n".join(_quiz_strings(yaml.safe_load(bank.read_text(encoding="utf-8"))))


def _quiz_strings(node, key: str = ""):
    """The learner-visible strings of a quiz bank (not ids, types or source URLs)."""
    if isinstance(node, dict):
        for k, value in node.items():
            yield from _quiz_strings(value, k)
    elif isinstance(node, list):
        for item in node:
            yield from _quiz_strings(item, key)
    elif isinstance(node, str) and key not in {"id", "type", "source", "objective", "objectives", "section"}:
        yield node


def missing_acronyms(root: Path = ROOT, glossary: Path = GLOSSARY_PATH) -> dict[str, list[str]]:
    """Acronym -> where it is used, for each acronym the glossary lacks."""
    terms = set(load_glossary(glossary))
    missing: dict[str, list[str]] = defaultdict(list)
    for where, text in course_texts(root):
        for acronym in sorted(find_acronyms(text)):
            if not is_covered(acronym, terms):
                missing[acronym].append(where)
    return dict(missing)


if __name__ == "__main__":
    for acronym, places in sorted(missing_acronyms().items()):
        print(f"{acronym}: {', '.join(places[:3])}")
