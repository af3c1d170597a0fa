"""Scan text, data files and notebook outputs for anything that looks like real PII.

The course's data is synthetic, and this scan is the safety net that keeps it that way:
a test runs it on ``data/`` and on every notebook's outputs. It flags

- Social Security number look-alikes (123-45-6789, 123 45 6789);
- Medi-Cal CIN look-alikes: 9 characters, 8 digits then a letter, as the Client Index
  Number is commonly described (Santa Clara County's MEDS data dictionary:
  https://stgenssa.sccgov.org/debs/program_handbooks/meds/assets/93Dict/12-2Fields/CIN.htm),
  also when followed by the card's check digit and issue date. The course's synthetic ids
  (``SYN-M-0000001``, ``SYNP-00000001``...) never have this shape;
- phone numbers other than the fictional 555-0100 to 555-0199 range;
- e-mail addresses outside example.org and example.com (and their subdomains).

Bare 10-digit numbers are not treated as phone numbers: NPIs are 10 digits.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

SSN = re.compile(r"(?<![\w-])\d{3}[- ]\d{2}[- ]\d{4}(?![\w-])")
CIN = re.compile(r"(?<![\w-])\d{8}[A-Z](?:\d(?:\d{4})?)?(?![\w-])")
# With an area code any usual separator; a bare local number only with a hyphen, so that
# regulation citations ("45 CFR 162.1102") and numbers that PDF text runs together
# ("page 836 2026") are not taken for phone numbers.
PHONE = re.compile(
    r"(?<![\w.-])(?:(?:\+?1[\s.-])?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}|\d{3}-\d{4})(?![\w-]|\.\d)"
)
FICTIONAL_PHONE = re.compile(r"555[\s.-]01\d\d$")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})")
SAFE_EMAIL_DOMAINS = ("example.org", "example.com")
TEXT_SUFFIXES = {".csv", ".md", ".txt", ".json", ".yml", ".yaml", ".ipynb"}


@dataclass(frozen=True)
class Finding:
    """One suspicious value: what kind, the text, and where it was found."""

    kind: str
    value: str
    location: str

    def __str__(self) -> str:
        return f"{self.location}: {self.kind} {self.value!r}"


def _email_ok(domain: str) -> bool:
    domain = domain.lower()
    return any(domain == safe or domain.endswith("." + safe) for safe in SAFE_EMAIL_DOMAINS)


def scan_text(text: str, source: str = "text") -> list[Finding]:
    """Findings in one string; ``source`` names it in each finding (with a line number)."""
    findings = []
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{source}:{number}"
        findings += [Finding("SSN-like number", m.group(0), where) for m in SSN.finditer(line)]
        findings += [Finding("Medi-Cal CIN-like id", m.group(0), where) for m in CIN.finditer(line)]
        for m in PHONE.finditer(line):
            if not FICTIONAL_PHONE.search(m.group(0)):
                findings.append(Finding("phone number outside 555-01xx", m.group(0), where))
        for m in EMAIL.finditer(line):
            if not _email_ok(m.group(1)):
                findings.append(Finding("e-mail outside example.org/example.com", m.group(0), where))
    return findings


def notebook_output_text(path: Path) -> str:
    """All text in a notebook's outputs (not its source cells), one piece per line."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    pieces = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            if "text" in output:
                pieces.append(_join(output["text"]))
            for value in output.get("data", {}).values():
                pieces.append(value if isinstance(value, str) else _join(value) if isinstance(value, list) else json.dumps(value))
            if "traceback" in output:
                pieces.append(_join(output["traceback"]))
    return "\n".join(pieces)


def _join(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def scan_paths(paths) -> list[Finding]:
    """Findings in files and folders (recursively). Notebooks: outputs only."""
    findings = []
    for path in map(Path, paths):
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES) if path.is_dir() else [path]
        for file in files:
            if ".ipynb_checkpoints" in file.parts:
                continue
            text = notebook_output_text(file) if file.suffix == ".ipynb" else file.read_text(encoding="utf-8", errors="replace")
            findings += scan_text(text, str(file))
    return findings


__all__ = ["Finding", "scan_text", "scan_paths", "notebook_output_text"]
