"""837P export: every synthetic electronic claim exports to a file pyx12 validates with no
errors; the envelope, counts and control numbers match; the output is deterministic."""

from __future__ import annotations

import re

import pytest

from calaim_course import x12_837p
from calaim_course.errors import CourseInputError
from calaim_course.npi import is_valid_npi
from calaim_course.synthetic import load_world


@pytest.fixture(scope="module")
def world():
    return load_world()


@pytest.fixture(scope="module")
def exports(world):
    plans = sorted(world.claims["plan_id"].astype(str).unique())
    return {plan: x12_837p.export_837p(world, x12_837p.claims_for_export(world, plan)) for plan in plans}


def elements(export, tag):
    return [seg.rstrip("~").split("*") for seg in export.segments if seg.split("*")[0] == tag]


def test_every_electronic_claim_validates_with_pyx12(exports):
    assert len(exports) == 2
    for plan, export in exports.items():
        assert len(export.claim_ids) > 50
        assert x12_837p.pyx12_problems(export.text) == [], plan


def test_replacement_and_void_files_validate(world):
    for frequency in ("7", "8"):
        export = x12_837p.export_837p(world, x12_837p.claims_for_export(world)[:3], frequency=frequency)
        assert x12_837p.pyx12_problems(export.text) == []
        refs = elements(export, "REF")
        assert sum(r[1] == "F8" for r in refs) == 3
        assert all(clm[5].endswith(":" + frequency) for clm in elements(export, "CLM"))


def test_pyx12_check_is_not_vacuous(world):
    text = x12_837p.export_837p(world, x12_837p.claims_for_export(world)[:2]).text
    broken_count = text.replace("SE*", "SE*9", 1)
    assert any("SE count" in p for p in x12_837p.pyx12_problems(broken_count))
    bad_date = re.sub(r"DTP\*472\*D8\*\d{8}", "DTP*472*D8*20261341", text, count=1)
    assert any("invalid date" in p for p in x12_837p.pyx12_problems(bad_date))


def test_envelope_names_the_5010_errata_guide_and_test_usage(exports):
    for export in exports.values():
        isa = export.segments[0]
        assert isa.startswith("ISA*") and len(isa) == 106  # ISA is fixed width
        fields = isa.rstrip("~").split("*")
        assert fields[12] == "00501" and fields[15] == "T" and fields[16] == ":"
        gs = elements(export, "GS")[0]
        st = elements(export, "ST")[0]
        assert gs[1] == "HC" and gs[8] == "005010X222A1" and st[3] == "005010X222A1"


def test_counts_and_control_numbers_match(world):
    export = x12_837p.export_837p(world, x12_837p.claims_for_export(world)[:4], control_number=42)
    segments = export.segments
    st_index = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    se_index = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    se = segments[se_index].rstrip("~").split("*")
    assert int(se[1]) == se_index - st_index + 1 and se[2] == "0001"
    isa = segments[0].rstrip("~").split("*")
    assert isa[13] == "000000042" and segments[-1] == "IEA*1*000000042~"
    assert elements(export, "GS")[0][6] == "42" and elements(export, "GE")[0] == ["GE", "1", "42"]


def test_claim_content_matches_the_synthetic_tables(world):
    claim_id = "SYN-CLM-00000003"
    export = x12_837p.export_837p(world, [claim_id])
    claim = world.claims.set_index("claim_id").loc[claim_id]
    lines = world.claim_lines[world.claim_lines["claim_id"] == claim_id]
    clm = elements(export, "CLM")[0]
    assert clm[1] == claim_id and float(clm[2]) == pytest.approx(claim["total_charge_usd"])
    assert sum(float(sv1[2]) for sv1 in elements(export, "SV1")) == pytest.approx(lines["charge_usd"].sum())
    billing = next(n for n in elements(export, "NM1") if n[1] == "85")
    assert billing[8] == "XX" and billing[9] == claim["billing_npi"] and is_valid_npi(billing[9])
    hi = elements(export, "HI")[0]
    codes = [claim["diagnosis_a"]] + ([claim["diagnosis_b"]] if isinstance(claim["diagnosis_b"], str) else [])
    assert hi[1:] == [("ABK:" if i == 0 else "ABF:") + c.replace(".", "") for i, c in enumerate(codes)]
    # Pointers are letters on paper and numbers in the 837P: AB -> 1:2.
    letters = lines.sort_values("line_number")["diagnosis_pointer"].tolist()
    numbers = [sv1[7] for sv1 in elements(export, "SV1")]
    assert numbers == [":".join(str("AB".index(c) + 1) for c in p) for p in letters]
    dates = [d[3] for d in elements(export, "DTP")]
    assert dates == [d.strftime("%Y%m%d") for d in lines.sort_values("line_number")["service_date"]]


def test_modifiers_follow_the_code_in_sv1(world):
    lines = world.claim_lines
    claim_id = lines.loc[lines["modifiers"].astype(str) == "U2+GQ", "claim_id"].iloc[0]
    export = x12_837p.export_837p(world, [claim_id])
    assert any(sv1[1].startswith("HC:G9012:U2:GQ") for sv1 in elements(export, "SV1"))


def test_file_date_comes_from_the_data_and_output_is_deterministic(world):
    ids = x12_837p.claims_for_export(world)[:10]
    first = x12_837p.export_837p(world, ids)
    second = x12_837p.export_837p(world, ids)
    assert first.text == second.text
    latest = world.claims.set_index("claim_id").loc[ids, "submitted_date"].max()
    assert first.file_date == latest
    assert elements(first, "GS")[0][4] == latest.strftime("%Y%m%d") and elements(first, "GS")[0][5] == "1200"


def test_one_subscriber_level_per_member(world):
    ids = x12_837p.claims_for_export(world, "SYN-ORG-002")[:20]
    export = x12_837p.export_837p(world, ids)
    members = world.claims.set_index("claim_id").loc[ids, "member_id"].nunique()
    assert sum(h[3] == "22" for h in elements(export, "HL")) == members
    assert len(elements(export, "CLM")) == 20


@pytest.mark.parametrize("ids, kwargs, words", [
    ([], {}, "at least one"),
    (["SYN-CLM-99999999"], {}, "claim_id"),
    (["SYN-CLM-00000001", "SYN-CLM-00000001"], {}, "each claim once"),
    (["SYN-CLM-00000001"], {"control_number": 0}, "control number"),
    (["SYN-CLM-00000001"], {"control_number": True}, "control number"),
    (["SYN-CLM-00000001"], {"frequency": "2"}, "frequency"),
])
def test_bad_requests_are_clear_errors(world, ids, kwargs, words):
    with pytest.raises(CourseInputError, match=words):
        x12_837p.export_837p(world, ids, **kwargs)


def test_claims_for_two_plans_are_refused(world):
    first = x12_837p.claims_for_export(world, "SYN-ORG-002")[0]
    second = x12_837p.claims_for_export(world, "SYN-ORG-003")[0]
    with pytest.raises(CourseInputError, match="one plan"):
        x12_837p.export_837p(world, [first, second])


def test_annotation_has_one_row_per_segment(world):
    export = x12_837p.export_837p(world, ["SYN-CLM-00000004"])
    table = x12_837p.annotate(export)
    assert len(table) == len(export.segments)
    described = dict(zip(table["Segment"].str.split("*").str[0] + "*" + table["Segment"].str.split("*").str[1],
                         table["What it says"]))
    assert "33a" in described["NM1*85"] and "1a" in described["NM1*IL"]
    assert not (table["What it says"] == "Segment").any()


def test_segment_guide_covers_every_segment_tag(world):
    export = x12_837p.export_837p(world, ["SYN-CLM-00000004"], frequency="7")
    tags = {seg.split("*")[0] for seg in export.segments}
    guide = " ".join(x12_837p.segment_table()["Segment"])
    assert all(tag in guide for tag in tags)
