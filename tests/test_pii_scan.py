"""The PII scan catches planted look-alikes and passes the course's data and notebook outputs."""

import json
from pathlib import Path

import pytest

from calaim_course.pii_scan import notebook_output_text, scan_paths, scan_text

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("text, kind", [
    ("client 123-45-6789 called", "SSN-like number"),
    ("ssn 123 45 6789", "SSN-like number"),
    ("CIN 91234567A on file", "Medi-Cal CIN-like id"),
    ("card 91234567A29180", "Medi-Cal CIN-like id"),
    ("call (916) 322-5227", "phone number outside 555-01xx"),
    ("call 916-322-5227", "phone number outside 555-01xx"),
    ("call 555-0200", "phone number outside 555-01xx"),
    ("write to someone@gmail.com", "e-mail outside example.org/example.com"),
    ("write to a@example.net", "e-mail outside example.org/example.com"),
])
def test_planted_values_are_found(text, kind):
    findings = scan_text(text, "planted")
    assert [f.kind for f in findings] == [kind]
    assert findings[0].location == "planted:1"


@pytest.mark.parametrize("text", [
    "phone 555-0142, (530) 555-0199",
    "mail m0000001@example.org, x@sub.example.com, y@example.com",
    "SYN-M-0000001 SYNP-00000001 SYN-SVC-000000001 billing NPI 1234567893",
    "dates 2026-12-03, ZIP 95814-1234, Evidence Code 1037-1037.8, codes 99203-99205",
])
def test_fictional_and_ordinary_values_pass(text):
    assert scan_text(text) == []


def test_notebook_scan_reads_outputs_only(tmp_path):
    notebook = {"cells": [
        {"cell_type": "code", "source": "# 123-45-6789 in source is not an output", "outputs": [
            {"output_type": "stream", "text": ["ok 555-0101\n"]},
            {"output_type": "execute_result", "data": {"text/plain": ["call 916-322-5227"]}},
        ]},
        {"cell_type": "markdown", "source": "someone@gmail.com in markdown is not an output"},
    ]}
    path = tmp_path / "probe.ipynb"
    path.write_text(json.dumps(notebook))
    assert "123-45-6789" not in notebook_output_text(path)
    findings = scan_paths([path])
    assert [f.value for f in findings] == ["916-322-5227"]


def test_committed_data_has_no_pii_look_alikes():
    findings = scan_paths([ROOT / "data", ROOT / "book" / "data-dictionary.md"])
    assert findings == [], "\n".join(map(str, findings))


def test_every_notebook_output_has_no_pii_look_alikes():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))  # zero notebooks is fine
    findings = scan_paths(notebooks)
    assert findings == [], "\n".join(map(str, findings))
