"""Generate book/sources.md: every source the course cites, by section, with the date
it was last checked.

Where sources come from:
- the links in each section notebook's Markdown cells (checked on the notebook's
  "Last reviewed" date);
- the ``source`` of each question in the section's quiz bank (``data/quizzes/``);
- the reference tables (``data/reference/*.csv``): every URL in a column whose name
  contains "source", with the row's ``last_verified`` date and ``confidence``.

A URL that a reference table also lists takes the table's latest ``last_verified`` date
(the most specific record of a check). Run ``python -m calaim_course.sources`` after
changing a notebook, a quiz bank or a reference table; tests/test_sources.py fails while
the committed page is stale.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "book" / "sources.md"

URL = re.compile(r"https?://[^\s<>\"'`]+")
MD_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
LAST_REVIEWED = re.compile(r"Last reviewed:?\**:?\s*([A-Z][a-z]+ \d{1,2}, \d{4})")


def toc_parts(root: Path = ROOT) -> list[tuple[str | None, list[str]]]:
    """The documents of _toc.yml by part, in reading order, as (caption, paths without
    suffix); the root document comes first, in a part of its own captioned None."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    parts: list[tuple[str | None, list[str]]] = [(None, [toc["root"]])]
    for part in toc.get("parts", []):
        files = []
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
            files.extend(section["file"] for section in chapter.get("sections", []))
        parts.append((part.get("caption"), files))
    return parts


def toc_files(root: Path = ROOT) -> list[str]:
    """Every document in _toc.yml, in reading order, as a path without suffix."""
    return [entry for _caption, files in toc_parts(root) for entry in files]


def clean_url(url: str) -> str:
    """A URL without trailing punctuation picked up from prose."""
    url = url.rstrip(".,;:")
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1]
    return url


@dataclass
class Source:
    url: str
    text: str = ""
    checked: set[dt.date] = field(default_factory=set)
    confidence: set[str] = field(default_factory=set)


@dataclass
class Section:
    slug: str
    title: str
    reviewed: dt.date | None = None
    sources: dict[str, Source] = field(default_factory=dict)

    def add(self, url: str, text: str = "", checked: dt.date | None = None) -> None:
        source = self.sources.setdefault(url, Source(url))
        source.text = source.text or text
        if checked:
            source.checked.add(checked)


def _parse_date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%B %d, %Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            pass
    return None


def reference_checks(root: Path = ROOT) -> dict[str, Source]:
    """URL -> Source with last_verified dates and confidence marks from the tables."""
    found: dict[str, Source] = {}
    for table in sorted((root / "data" / "reference").glob("*.csv")):
        with table.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for column, value in row.items():
                    if not column or "source" not in column or not value:
                        continue
                    for url in URL.findall(value):
                        source = found.setdefault(clean_url(url), Source(clean_url(url)))
                        date = _parse_date(row.get("last_verified") or "")
                        if date:
                            source.checked.add(date)
                        if row.get("confidence"):
                            source.confidence.add(row["confidence"])
    return found


def _notebook_section(path: Path) -> Section:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    title = re.search(r"^# (.+)$", markdown, re.M)
    reviewed = LAST_REVIEWED.search(markdown)
    section = Section(path.stem, title.group(1).strip() if title else path.stem,
                      _parse_date(reviewed.group(1)) if reviewed else None)
    for text, url in MD_LINK.findall(markdown):
        section.add(clean_url(url), re.sub(r"[*_`]", "", text).strip(), section.reviewed)
    for url in URL.findall(MD_LINK.sub(" ", markdown)):
        section.add(clean_url(url), "", section.reviewed)
    return section


def collect(root: Path = ROOT) -> list[Section]:
    """The course's sections (toc order, then quiz banks without a notebook) and their sources."""
    sections: dict[str, Section] = {}
    in_toc = [root / f"{entry}.ipynb" for entry in toc_files(root) if entry.startswith("notebooks/")]
    # Notebooks not yet listed in _toc.yml still cite sources: they follow, by name.
    for path in [*in_toc, *sorted((root / "notebooks").glob("*.ipynb"))]:
        if path.exists() and path.stem not in sections:
            sections[path.stem] = _notebook_section(path)
    for bank_path in sorted((root / "data" / "quizzes").glob("*.yaml")):
        bank = yaml.safe_load(bank_path.read_text(encoding="utf-8"))
        section = sections.setdefault(bank_path.stem, Section(bank_path.stem, bank.get("title", bank_path.stem)))
        for question in bank.get("questions", []):
            for url in URL.findall(str(question.get("source") or "")):
                section.add(clean_url(url), "", section.reviewed)
    checks = reference_checks(root)
    cited = {url for s in sections.values() for url in s.sources}
    tables = Section("reference-tables", "Reference tables (used across sections)")
    for url, check in checks.items():
        if url not in cited:
            tables.add(url)
    for section in [*sections.values(), tables]:
        for url, source in section.sources.items():
            if url in checks:
                # The table records when this exact page was last read.
                source.checked = set(checks[url].checked) or source.checked
                source.confidence = checks[url].confidence
    # A quiz or table source takes the words a notebook links it with, where there are some.
    texts = {url: src.text for sec in sections.values() for url, src in sec.sources.items() if src.text}
    for section in [*sections.values(), tables]:
        for url, source in section.sources.items():
            source.text = source.text or texts.get(url, "")
    return [s for s in [*sections.values(), tables] if s.sources]


def _link_text(source: Source) -> str:
    if source.text and not source.text.startswith("http"):
        return source.text
    parsed = urlparse(source.url)
    path = parsed.path.rstrip("/")
    tail = path.rsplit("/", 1)[-1] if path else ""
    return f"{parsed.netloc.removeprefix('www.')}{' › ' + tail if tail else ''}"


def _date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def render(sections: list[Section]) -> str:
    lines = [
        "# Sources",
        "",
        "Every source the course cites, by section, with the date it was last checked.",
        "For a link in a section's text the date is the day the section was last reviewed;",
        "for a row of a reference table it is the day that row was last verified. Marks such",
        "as VERIFIED or SECONDARY say how authoritative the source is (see",
        "[how the course rates its sources](authoring.md)). Pages change: check the live page",
        "before you act on a figure, date or code. This is educational material, not legal or",
        "billing advice.",
        "",
        "This page is generated by `python -m calaim_course.sources`; do not edit it by hand.",
    ]
    for section in sections:
        lines += ["", f"## {section.title}", ""]
        for source in sorted(section.sources.values(), key=lambda s: s.url):
            text = _link_text(source).replace("[", "(").replace("]", ")")
            when = f"last checked {_date(max(source.checked))}" if source.checked else "date of check not recorded"
            marks = f" ({', '.join(sorted(source.confidence))})" if source.confidence else ""
            lines.append(f"- [{text}](<{source.url}>): {when}{marks}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the course's sources page.")
    parser.add_argument("--out", type=Path, default=OUTPUT, help="where to write the page")
    args = parser.parse_args(argv)
    args.out.write_text(render(collect()), encoding="utf-8")
    print(f"wrote {args.out.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
