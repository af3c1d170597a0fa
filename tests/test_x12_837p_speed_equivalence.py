"""The fast 837P export, claim lists and pyx12 check give exactly what the straightforward
computation gives.

The export reads each claim's lines and each member once (grouped) instead of filtering the
tables per claim and per member; pyx12 reuses its parsed maps instead of parsing them for
every file. The reference functions below are the straightforward versions; every file must
be the same text, every claim list the same list, and pyx12 must report the same problems
on reused maps as on fresh ones, whatever it validated before.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from calaim_course import x12_837p
from calaim_course.synthetic import generate_world, load_world
from calaim_course.widgets.claims import preview_html, x12_preview
from calaim_course.x12_837p import (COMPONENT, FILE_TIME, GENDER_CODE, PLACEHOLDER_ADDRESS, PLACEHOLDER_TAX_ID,
                                    REPETITION, VERSION, Export, _amount, _clean, _segment, _x12_id,
                                    payer_claim_number)


# --------------------------------------------------------------------------- references
def reference_claim_segments(claim: pd.Series, lines: pd.DataFrame, frequency: str = "1") -> list[str]:
    diagnoses = [claim["diagnosis_a"]] + ([claim["diagnosis_b"]] if pd.notna(claim["diagnosis_b"]) else [])
    claim_place = str(lines.iloc[0]["place_of_service"])
    out = [_segment("CLM", claim["claim_id"], _amount(claim["total_charge_usd"]), "", "",
                    COMPONENT.join([claim_place, "B", frequency]), "Y", "A", "Y", "Y")]
    if frequency != "1":
        out.append(_segment("REF", "F8", payer_claim_number(str(claim["claim_id"]))))
    out += [_segment("HI", *[("ABK" if i == 0 else "ABF") + COMPONENT + str(code).replace(".", "")
                             for i, code in enumerate(diagnoses)])]
    for number, row in enumerate(lines.itertuples(index=False), start=1):
        modifiers = [] if pd.isna(row.modifiers) else str(row.modifiers).split("+")
        pointers = COMPONENT.join(str("ABCDEFGHIJKL".index(letter) + 1) for letter in str(row.diagnosis_pointer))
        place = str(row.place_of_service)
        out += [
            _segment("LX", number),
            _segment("SV1", COMPONENT.join(["HC", str(row.hcpcs), *modifiers]), _amount(row.charge_usd), "UN",
                     int(row.units), place if place != claim_place else "", "", pointers),
            _segment("DTP", "472", "D8", row.service_date.strftime("%Y%m%d")),
        ]
    return out


def reference_export(world, claim_ids, *, control_number: int = 1, frequency: str = "1") -> Export:
    ids = [claim_ids] if isinstance(claim_ids, str) else list(claim_ids)
    claims = world.claims.set_index("claim_id")
    chosen = claims.loc[ids].reset_index()
    plan_id = chosen["plan_id"].astype(str).unique().tolist()[0]
    orgs = world.organizations.set_index("org_id")
    billing_id = str(chosen.iloc[0]["billing_org_id"])
    billing, plan = orgs.loc[billing_id], orgs.loc[plan_id]
    members = world.members.set_index("member_id")
    lines = world.claim_lines[world.claim_lines["claim_id"].isin(ids)].sort_values(["claim_id", "line_number"])
    file_date = chosen["submitted_date"].max()
    day8, day6 = file_date.strftime("%Y%m%d"), file_date.strftime("%y%m%d")
    sender, receiver = _x12_id(billing_id), _x12_id(plan_id)
    isa_control = f"{control_number:09d}"
    body = [
        _segment("ST", "837", "0001", VERSION),
        _segment("BHT", "0019", "00", f"SYN{control_number:06d}", day8, FILE_TIME, "CH"),
        _segment("NM1", "41", "2", _clean(billing["name"]), "", "", "", "", "46", sender),
        _segment("PER", "IC", "BILLING OFFICE", "TE", str(billing["phone"]).replace("-", "")),
        _segment("NM1", "40", "2", _clean(plan["name"]), "", "", "", "", "46", receiver),
        _segment("HL", "1", "", "20", "1"),
        _segment("NM1", "85", "2", _clean(billing["name"]), "", "", "", "", "XX", billing["npi"]),
        _segment("N3", PLACEHOLDER_ADDRESS[0]),
        _segment("N4", *PLACEHOLDER_ADDRESS[1:]),
        _segment("REF", "EI", PLACEHOLDER_TAX_ID),
    ]
    hl = 1
    for member_id in dict.fromkeys(chosen["member_id"].astype(str)):
        member = members.loc[member_id]
        hl += 1
        body += [
            _segment("HL", hl, "1", "22", "0"),
            _segment("SBR", "P", "18", "", "", "", "", "", "", "MC"),
            _segment("NM1", "IL", "1", _clean(member["last_name"], 60), _clean(member["first_name"], 35), "", "", "",
                     "MI", member["plan_member_id"]),
            _segment("N3", PLACEHOLDER_ADDRESS[0]),
            _segment("N4", PLACEHOLDER_ADDRESS[1], PLACEHOLDER_ADDRESS[2], PLACEHOLDER_ADDRESS[3][:5]),
            _segment("DMG", "D8", member["birth_date"].strftime("%Y%m%d"), GENDER_CODE.get(str(member["gender_identity"]), "U")),
            _segment("NM1", "PR", "2", _clean(plan["name"]), "", "", "", "", "PI", receiver),
        ]
        for _, claim in chosen[chosen["member_id"].astype(str) == member_id].iterrows():
            body += reference_claim_segments(claim, lines[lines["claim_id"] == claim["claim_id"]], frequency)
    body.append(_segment("SE", len(body) + 1, "0001"))
    segments = [
        _segment("ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender.ljust(15), "ZZ", receiver.ljust(15),
                 day6, FILE_TIME, REPETITION, "00501", isa_control, "0", "T", COMPONENT),
        _segment("GS", "HC", sender, receiver, day8, FILE_TIME, str(control_number), "X", VERSION),
        *body,
        _segment("GE", "1", str(control_number)),
        _segment("IEA", "1", isa_control),
    ]
    return Export("\n".join(segments) + "\n", tuple(ids), plan_id, file_date)


def reference_claims_for_export(world, plan_id=None, submission_types=("837P",)) -> list[str]:
    claims = world.claims
    mask = claims["submission_type"].astype(str).isin(list(submission_types))
    if plan_id is not None:
        mask &= claims["plan_id"].astype(str) == plan_id
    return sorted(claims.loc[mask, "claim_id"].astype(str))


def reference_plans(world) -> list[str]:
    return sorted(world.claims["plan_id"].astype(str).unique())


# --------------------------------------------------------------------------- worlds
@pytest.fixture(scope="module")
def course_world():
    return load_world()


@pytest.fixture(scope="module")
def generated_world():
    return generate_world(seed=5, scale=800)


def shuffled(world, seed: int = 3):
    """The same world with its claims, lines and members in another row order, and the
    claims' categories unsorted: the fast paths must not rely on the generator's order."""
    rng = np.random.default_rng(seed)

    def mix(frame):
        return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)

    claims = mix(world.claims)
    claims["plan_id"] = claims["plan_id"].cat.reorder_categories(list(claims["plan_id"].cat.categories[::-1]))
    claims["submission_type"] = claims["submission_type"].astype(str)  # plain text, not categorical
    lines = mix(world.claim_lines)
    lines["claim_id"] = lines["claim_id"].cat.reorder_categories(list(lines["claim_id"].cat.categories[::-1]))
    return dataclasses.replace(world, claims=claims, claim_lines=lines, members=mix(world.members))


def worlds(course_world, generated_world):
    return {"course": course_world, "generated": generated_world, "shuffled": shuffled(generated_world)}


# --------------------------------------------------------------------------- claim lists and files
def test_claim_lists_match(course_world, generated_world):
    for name, world in worlds(course_world, generated_world).items():
        assert x12_837p.plan_ids(world) == reference_plans(world), name
        for plan_id in [None, *reference_plans(world), "SYN-ORG-999"]:
            for types in [("837P",), ("837P", "CMS-1500"), ("invoice",), ()]:
                expected = reference_claims_for_export(world, plan_id, types)
                assert x12_837p.claims_for_export(world, plan_id, types) == expected, (name, plan_id, types)
                for limit in (0, 1, 12, 10**6):
                    assert x12_837p.claims_for_export(world, plan_id, types, limit=limit) == expected[:limit]


def test_whole_plan_files_are_the_same_text(course_world, generated_world):
    for name, world in [("course", course_world), ("shuffled", shuffled(generated_world))]:
        for plan_id in reference_plans(world):
            ids = reference_claims_for_export(world, plan_id, ("837P", "CMS-1500"))
            for frequency in ("1", "7") if name == "course" else ("1",):
                fast = x12_837p.export_837p(world, ids, frequency=frequency, control_number=7)
                slow = reference_export(world, ids, frequency=frequency, control_number=7)
                assert fast == slow, (name, plan_id, frequency)


def test_files_of_a_few_claims_in_any_order_are_the_same_text(generated_world):
    world = shuffled(generated_world, seed=8)
    rng = np.random.default_rng(1)
    for plan_id in reference_plans(world):
        ids = reference_claims_for_export(world, plan_id)
        for size in (1, 2, 5, 40):
            chosen = list(rng.choice(ids, size=min(size, len(ids)), replace=False))
            assert x12_837p.export_837p(world, chosen, frequency="8") == reference_export(world, chosen, frequency="8")


def test_a_claim_with_lines_out_of_order(course_world):
    counts = course_world.claim_lines["claim_id"].astype(str).value_counts()
    claim_id = counts.index[counts >= 3][0]
    lines = course_world.claim_lines.copy()
    rows = lines.index[lines["claim_id"] == claim_id]
    lines.loc[rows, "line_number"] = list(range(len(rows), 0, -1))  # written last line first
    world = dataclasses.replace(course_world, claim_lines=lines.iloc[::-1].reset_index(drop=True))
    assert x12_837p.export_837p(world, [claim_id]) == reference_export(world, [claim_id])


# --------------------------------------------------------------------------- pyx12 maps
def broken_versions(text: str) -> list[str]:
    return [
        text.replace("SE*", "SE*9", 1),                                               # wrong segment count
        re.sub(r"DTP\*472\*D8\*\d{8}", "DTP*472*D8*20261341", text, count=1),         # impossible date
        re.sub(r"SV1\*HC:", "SV1*XX:", text, count=1),                                # bad qualifier
        re.sub(r"\nLX\*1~", "\nLX*3~", text, count=1),                                # wrong line number
        re.sub(r"\nHI\*[^\n]*\n", "\n", text, count=1),                               # missing diagnoses
        re.sub(r"\nSBR\*[^\n]*\n", "\n", text, count=1),                              # missing subscriber
        text.replace("GE*1*", "GE*2*", 1),                                            # wrong group count
        text.replace("IEA*1*000000001", "IEA*1*000000002", 1),                        # control number mismatch
        "not an X12 file at all",
    ]


def test_reused_maps_give_the_same_problems_as_fresh_maps_in_any_sequence(course_world):
    ids = reference_claims_for_export(course_world)
    clean = [x12_837p.export_837p(course_world, [claim_id]).text for claim_id in ids[:3]]
    clean.append(x12_837p.export_837p(course_world, ids[3:9], frequency="7").text)
    documents = clean + broken_versions(clean[0]) + broken_versions(clean[3])
    fresh = [x12_837p.pyx12_problems(text, reuse_maps=False) for text in documents]
    assert sum(bool(problems) for problems in fresh) >= 12  # the broken files really are broken
    # Forwards, backwards, each document twice in a row, and clean after broken.
    order = list(range(len(documents)))
    for sequence in (order, order[::-1], [i for i in order for _ in (0, 1)], [4, 0, 5, 0, 6, 1, 12, 3, 13, 3]):
        assert [x12_837p.pyx12_problems(documents[i]) for i in sequence] == [fresh[i] for i in sequence]


def test_maps_are_parsed_once_and_pyx12_is_left_as_it_was(course_world, monkeypatch):
    import pyx12.map_if

    original = pyx12.map_if.load_map_file
    calls = []

    def counting(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(pyx12.map_if, "load_map_file", counting)
    monkeypatch.setattr(x12_837p, "_PYX12_MAPS", {})
    text = x12_837p.export_837p(course_world, reference_claims_for_export(course_world)[:2]).text
    for _ in range(3):
        assert x12_837p.pyx12_problems(text) == []
    assert sorted(calls) == sorted(set(calls)) and len(calls) == 2  # the envelope map and the 837P map, once each
    assert pyx12.map_if.load_map_file is counting  # put back after each validation
    x12_837p.pyx12_problems(text, reuse_maps=False)
    assert len(calls) == 4


def test_validation_finding_is_unchanged(course_world):
    # The stored notebook output for the course's world.
    assert x12_837p.validation_finding(course_world) == (
        "The synthetic agency's 685 electronic claims were exported as 837P files, one per plan (2 in all); "
        "pyx12 checked them against the 005010X222A1 guide and found no problems.")


# --------------------------------------------------------------------------- the preview widget
def test_preview_widget_shows_what_the_whole_world_gives(course_world, generated_world):
    for name, world in worlds(course_world, generated_world).items():
        box = x12_preview(world, per_plan=3)
        claim, frequency, explain = box.controls["claim"], box.controls["frequency"], box.controls["explain"]
        plans = world.organizations.set_index("org_id")["name"].astype(str)
        expected_options = [(f"{claim_id} ({plans[plan_id]})", claim_id) for plan_id in reference_plans(world)
                            for claim_id in reference_claims_for_export(world, plan_id)[:3]]
        assert list(claim.options) == expected_options, name
        for index in range(len(expected_options)):
            claim.index = index
            for code in ("1", "8"):
                frequency.value = code
                export = reference_export(world, [claim.value], frequency=code)
                problems = x12_837p.pyx12_problems(export.text)  # reused maps: checked against fresh ones above
                for shown in (False, True):
                    explain.value = shown
                    assert box.export == export
                    assert box.result.value == preview_html(export, shown, problems), (name, index, code)
