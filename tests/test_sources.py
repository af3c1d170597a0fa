"""The sources page lists every URL the course cites and is up to date."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import yaml

from calaim_course import sources

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "book" / "sources.md"


def cited_urls() -> dict[str, str]:
    """URL -> where it is cited, read independently of the generator."""
    found: dict[str, str] = {}
    url = re.compile(r"https?://[^\s<>\"'`)\]]+")
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                for link in re.findall(r"\]\((https?://[^)\s]+)\)", "".join(cell["source"])):
                    found.setdefault(sources.clean_url(link), notebook.name)
    for bank in sorted((ROOT / "data" / "quizzes").glob("*.yaml")):
        for question in yaml.safe_load(bank.read_text(encoding="utf-8")).get("questions", []):
            for link in url.findall(str(question.get("source") or "")):
                found.setdefault(sources.clean_url(link), bank.name)
    for table in sorted((ROOT / "data" / "reference").glob("*.csv")):
        with table.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for link in url.findall(row.get("source_url") or ""):
                    found.setdefault(sources.clean_url(link), table.name)
    return found


def test_every_cited_url_is_on_the_sources_page():
    listed = set(re.findall(r"\]\(<([^>]+)>\)", PAGE.read_text(encoding="utf-8")))
    missing = {u: where for u, where in cited_urls().items() if u not in listed}
    assert cited_urls(), "found no cited URL at all: the scan is broken"
    assert not missing, (
        "URLs cited but missing from book/sources.md (run python -m calaim_course.sources):\n"
        + "\n".join(f"  {u} ({where})" for u, where in sorted(missing.items())[:20])
    )


def test_sources_page_is_not_stale():
    generated = sources.render(sources.collect())
    assert PAGE.read_text(encoding="utf-8") == generated, (
        "book/sources.md is out of date: run python -m calaim_course.sources"
    )


def test_every_source_has_a_date_and_sections_are_headed():
    text = PAGE.read_text(encoding="utf-8")
    entries = [line for line in text.splitlines() if line.startswith("- [")]
    assert entries and all("last checked" in line for line in entries)
    assert len(re.findall(r"^# ", text, re.M)) == 1
    assert re.search(r"^## Reference tables", text, re.M) or not any((ROOT / "data" / "reference").glob("*.csv"))


def test_link_text_and_dates_are_taken_from_the_notebook(tmp_path):
    """A small course: a notebook with a link, its quiz, a table row with its own date."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "data" / "quizzes").mkdir(parents=True)
    (tmp_path / "data" / "reference").mkdir(parents=True)
    (tmp_path / "_toc.yml").write_text("root: book/intro\nparts:\n  - chapters:\n      - file: notebooks/01-x\n")
    cell = {"cell_type": "markdown", "metadata": {}, "source": [
        "# Section one\n", "**Last reviewed:** March 2, 2026\n", "See [the DHCS page](https://example.gov/a).\n"]}
    (tmp_path / "notebooks" / "01-x.ipynb").write_text(json.dumps({"cells": [cell]}))
    (tmp_path / "data" / "quizzes" / "01-x.yaml").write_text(
        "title: Section one\nquestions:\n  - {id: q1, source: 'https://example.gov/b'}\n")
    (tmp_path / "data" / "reference" / "t.csv").write_text(
        "x,source_url,confidence,last_verified\n1,https://example.gov/b,VERIFIED,2026-04-05\n"
        "2,https://example.gov/c,SECONDARY,2026-01-01\n")
    page = sources.render(sources.collect(tmp_path))
    assert "- [the DHCS page](<https://example.gov/a>): last checked March 2, 2026" in page
    assert "(<https://example.gov/b>): last checked April 5, 2026 (VERIFIED)" in page
    assert "## Reference tables" in page and "(<https://example.gov/c>): last checked January 1, 2026 (SECONDARY)" in page
