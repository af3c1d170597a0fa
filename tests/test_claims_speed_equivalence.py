"""The fast claim builder and abuse-code finding give exactly what the straightforward
computation gives.

The example claims are found by reading the lines and services of the first few thousand
candidate claims instead of merging every line with every service; the builder then works
on the world cut down to its few claims; the finding reads each diagnosis category once.
The reference functions below are the straightforward versions; the picks, the forms, the
widget's options and answers, and the finding text must all be the same.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from calaim_course import claims
from calaim_course.synthetic import generate_world, load_world
from calaim_course.widgets.claims import claim_builder, result_html

LABELS = {"ecm": "ECM encounter", "community_supports": "Community Supports (housing)", "chw": "CHW session"}
ABUSE = ["partner_violence", "other_abuse", "history_of_abuse", "confirmed_abuse", "suspected_abuse"]


# --------------------------------------------------------------------------- references
def reference_example_claim_ids(world) -> dict[str, str]:
    lines = world.claim_lines.merge(world.services[["service_id", "program"]], on="service_id")
    lines["program"] = lines["program"].astype(str)
    programs = lines.groupby("claim_id", observed=True, sort=True)["program"].first()
    table = world.claims.set_index("claim_id")
    paid = table[(table["status"] == "paid") & table["submission_type"].isin(["837P", "CMS-1500"])].index
    picks = {}
    for program, label in LABELS.items():
        ids = sorted(set(programs[programs == program].index) & set(paid))
        if ids:
            picks[f"{label}: {ids[0]}"] = ids[0]
    return picks


def reference_abuse_code_finding(world) -> str:
    table = claims._diagnosis_table()
    abuse = set(table.index[table["category"].isin(ABUSE)])
    frame = world.claims
    flagged = frame["diagnosis_a"].astype(str).isin(abuse) | frame["diagnosis_b"].astype(str).isin(abuse)
    share = 100 * flagged.mean() if len(frame) else 0.0
    return (f"{int(flagged.sum()):,} of the synthetic agency's {len(frame):,} claims ({share:.0f}%) carry at "
            "least one diagnosis code that names abuse.")


# --------------------------------------------------------------------------- worlds
@pytest.fixture(scope="module")
def course_world():
    return load_world()


@pytest.fixture(scope="module")
def generated_world():
    return generate_world(seed=9, scale=1200)


def mix(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    return frame.iloc[np.random.default_rng(seed).permutation(len(frame))].reset_index(drop=True)


def shuffled(world):
    """Rows in another order, unsorted categories, plain-text ids: no fast path may rely on
    the generator's order."""
    lines = mix(world.claim_lines, 1)
    lines["claim_id"] = lines["claim_id"].cat.reorder_categories(list(lines["claim_id"].cat.categories[::-1]))
    return dataclasses.replace(world, claims=mix(world.claims, 2), claim_lines=lines,
                               services=mix(world.services, 3), members=mix(world.members, 4))


def odd(world):
    """Awkward data aimed at the picks: the ECM pick's first line points at an unknown
    service, the Community Supports pick's service is listed twice (another program first),
    the first lines of twenty other claims point at services with no program, and no claim
    is for CHW."""
    ecm_pick, cs_pick = list(reference_example_claim_ids(world).values())[:2]
    services = world.services.copy()
    services["program"] = services["program"].cat.add_categories(["other"])
    services.loc[services["program"] == "chw", "program"] = "other"
    lines = world.claim_lines.copy()
    lines["service_id"] = lines["service_id"].astype(object)
    first_lines = lines.drop_duplicates("claim_id").set_index(lines.drop_duplicates("claim_id")["claim_id"].astype(str))
    lines.loc[first_lines.loc[ecm_pick, "service_id"] == lines["service_id"], "service_id"] = "SYN-SVC-UNKNOWN"
    twice = services[services["service_id"] == first_lines.loc[cs_pick, "service_id"]].assign(program="other")
    no_program = first_lines["service_id"].drop([ecm_pick, cs_pick]).iloc[:60:3]
    services.loc[services["service_id"].isin(no_program), "program"] = np.nan
    services = pd.concat([twice, services], ignore_index=True)
    lines["service_id"] = lines["service_id"].astype("str")
    return dataclasses.replace(world, services=services, claim_lines=lines)


def all_worlds(course_world, generated_world):
    awkward = odd(generated_world)
    in_id_order = awkward.services.sort_values("service_id", kind="stable", ignore_index=True)
    return {"course": course_world, "generated": generated_world, "shuffled": shuffled(generated_world),
            "odd": awkward, "odd, services sorted": dataclasses.replace(awkward, services=in_id_order),
            "odd course": odd(course_world)}


# --------------------------------------------------------------------------- example claims
@pytest.mark.parametrize("chunk", [claims._EXAMPLE_CHUNK, 2, 25])
def test_example_claims_are_the_ones_the_full_merge_picks(course_world, generated_world, monkeypatch, chunk):
    monkeypatch.setattr(claims, "_EXAMPLE_CHUNK", chunk)
    for name, world in all_worlds(course_world, generated_world).items():
        assert claims.example_claim_ids(world) == reference_example_claim_ids(world), name


def test_the_odd_world_really_changes_the_picks(course_world, generated_world):
    # Guards the test above: the awkward rows reach the picks.
    for world in (course_world, generated_world):
        before = reference_example_claim_ids(world)
        after = reference_example_claim_ids(odd(world))
        assert set(after.values()).isdisjoint(before.values())
        assert [label.split(":")[0] for label in after] == ["ECM encounter", "Community Supports (housing)"]


def test_no_candidate_claims_give_no_examples(course_world):
    world = dataclasses.replace(course_world, claims=course_world.claims.assign(status="denied"))
    assert claims.example_claim_ids(world) == reference_example_claim_ids(world) == {}


# --------------------------------------------------------------------------- the cut-down world
def test_claim_forms_are_the_same_on_the_cut_down_world(course_world, generated_world):
    for name, world in [("course", course_world), ("shuffled", shuffled(generated_world))]:
        ids = world.claims["claim_id"].astype(str).tolist()[:: max(1, len(world.claims) // 25)]
        small = claims.claims_world(world, ids)
        assert len(small.claims) == len(ids)
        for claim_id in ids:
            assert claims.claim_form(small, claim_id) == claims.claim_form(world, claim_id), (name, claim_id)


# --------------------------------------------------------------------------- the claim builder widget
def test_claim_builder_offers_and_answers_as_before(course_world, generated_world):
    for name, world in [("course", course_world), ("shuffled", shuffled(generated_world)),
                        ("odd", odd(generated_world))]:
        examples = reference_example_claim_ids(world)
        first_id = next(iter(examples.values()))
        box = claim_builder(world)
        start = box.controls["start"]
        assert list(start.options) == [(f"Practice claim with five mistakes (from {first_id})", "practice")] + [
            (f"A clean claim: {label}", claim_id) for label, claim_id in examples.items()], name
        for index in [*range(1, len(start.options)), 0]:
            start.index = index
            claim_id = first_id if start.value == "practice" else start.value
            form, context = claims.claim_form(world, claim_id)
            if start.value == "practice":
                form = claims.with_mistakes(form, context)
            assert box.state["form"] == form and box.state["context"] == context
            expected = result_html(claims.validate_claim(form, context), claims.diagnosis_privacy_notes(form), context)
            assert box.result.value == expected, (name, index)
        box.controls["units"].value = "3"  # an edit is checked against the same claim
        assert box.state["checked"].lines[0].units == "3"


# --------------------------------------------------------------------------- abuse-code finding
def test_abuse_code_finding_is_the_same(course_world, generated_world):
    for name, world in all_worlds(course_world, generated_world).items():
        assert claims.abuse_code_finding(world) == reference_abuse_code_finding(world), name
    frame = course_world.claims
    variants = {
        "plain text": frame.astype({"diagnosis_a": "str", "diagnosis_b": "str"}),
        "object": frame.astype({"diagnosis_a": object, "diagnosis_b": object}),
        "none flagged": frame.assign(diagnosis_a=pd.Categorical(["Z00.00"] * len(frame)), diagnosis_b=np.nan),
        "half": frame.iloc[: len(frame) // 2].assign(diagnosis_a=pd.Categorical(
            (["Z91.410", "Z00.00"] * len(frame))[: len(frame) // 2])),
        "empty": frame.iloc[:0],
        "one claim": frame.iloc[:1],
    }
    for name, claims_frame in variants.items():
        world = dataclasses.replace(course_world, claims=claims_frame)
        assert claims.abuse_code_finding(world) == reference_abuse_code_finding(world), name


def test_abuse_code_finding_matches_the_stored_notebook_output(course_world):
    assert claims.abuse_code_finding(course_world) == (
        "860 of the synthetic agency's 860 claims (100%) carry at least one diagnosis code that names abuse.")
