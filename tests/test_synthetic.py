"""The synthetic world: schemas, links, ordering rules, determinism, committed files, CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from pandera.errors import SchemaError

from calaim_course.data_dictionary import PAGE, render_data_dictionary
from calaim_course.errors import CourseInputError
from calaim_course.synthetic import (DEFAULT_SCALE, DEFAULT_SEED, SYNTHETIC_DIR, TABLE_NAMES, World, generate_world,
                                     integrity_problems, load_world, main, screen_populations_of_focus,
                                     validate_world, write_world)

ROOT = Path(__file__).resolve().parents[1]
SCALES = [50, 300, 2000]
SEEDS = [1, 2026, 99]


@pytest.fixture(scope="module")
def worlds():
    return {(seed, scale): generate_world(seed=seed, scale=scale) for seed in SEEDS for scale in SCALES}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scale", SCALES)
def test_schemas_and_integrity(worlds, seed, scale):
    world = worlds[(seed, scale)]
    validate_world(world)  # raises on any schema violation
    assert integrity_problems(world) == []
    assert len(world.members) == scale
    for name, frame in world.tables().items():
        assert frame["synthetic"].all(), name


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scale", SCALES)
def test_ordering_rules(worlds, seed, scale):
    w = worlds[(seed, scale)]
    r = w.referrals
    chain = ["referral_date", "outreach_initiated_date", "accepted_date", "loop_closed_date"]
    for first, second in zip(chain, chain[1:]):
        both = r[first].notna() & r[second].notna()
        assert (r.loc[both, first] <= r.loc[both, second]).all(), (first, second)
    closed = r["loop_closed_date"].notna()
    assert (r.loc[closed, "current_status"] == "Referral Loop Closed").all()
    assert r.loc[~closed, "closure_reason_id"].isna().all()
    services = w.services.astype({"member_id": "str"}).merge(
        w.members.astype({"member_id": "str"})[["member_id", "agency_intake_date"]], on="member_id")
    assert (services["service_date"] >= services["agency_intake_date"]).all()
    lines = w.claim_lines.astype({"service_id": "str", "claim_id": "str"})
    assert lines["service_id"].is_unique  # a service is billed at most once
    billed = set(lines["service_id"])
    assert billed <= set(w.services.loc[w.services["billable"], "service_id"])  # no claim without a billable service
    assert set(w.claims["claim_id"]) == set(lines["claim_id"])  # no claim without lines


def test_world_is_plausible_at_default_scale(worlds):
    w = worlds[(DEFAULT_SEED, DEFAULT_SCALE)]
    assert 100 <= len(w.services) / len(w.members) * 100  # several services per member
    assert set(w.services["program"]) == {"ecm", "community_supports", "chw", "advocacy"}
    assert not w.services.loc[w.services["program"] == "advocacy", "billable"].any()
    assert "G9008" not in set(w.services["hcpcs"].dropna())  # UNVERIFIED pairing never used
    assert {"Z59.01", "Z59.02"}.isdisjoint(set(w.claims["diagnosis_a"]) | set(w.claims["diagnosis_b"].dropna()))
    assert set(w.claims["billing_npi"]) == {"1234567893"}
    assert w.referrals["current_status"].nunique() >= 3


def _break(world: World, table: str, frame: pd.DataFrame) -> World:
    tables = world.tables()
    tables[table] = frame
    return World(**tables)


def test_integrity_check_catches_planted_problems(worlds):
    w = worlds[(1, 300)]
    services = w.services.copy()
    services["service_date"] = services["service_date"].astype("datetime64[us]")
    services.loc[services.index[0], "service_date"] = pd.Timestamp("2020-01-01")
    assert any("before agency intake" in p for p in integrity_problems(_break(w, "services", services)))

    lines = w.claim_lines.copy()
    advocacy = w.services.loc[w.services["program"] == "advocacy", "service_id"].iloc[0]
    lines["service_id"] = lines["service_id"].astype("str")
    lines.loc[lines.index[0], "service_id"] = advocacy
    problems = integrity_problems(_break(w, "claim_lines", lines))
    assert any("not billable" in p for p in problems)

    consents = w.consents.copy()
    consents["revoked_date"] = consents["signed_date"]  # every release withdrawn at once
    assert any("release" in p for p in integrity_problems(_break(w, "consents", consents)))


def test_same_seed_gives_byte_identical_csvs(tmp_path):
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_world(generate_world(seed=7, scale=120), first)
    write_world(generate_world(seed=7, scale=120), second)
    write_world(generate_world(seed=8, scale=120), other)
    for name in TABLE_NAMES:
        assert (first / f"{name}.csv").read_bytes() == (second / f"{name}.csv").read_bytes(), name
    assert (first / "members.csv").read_bytes() != (other / "members.csv").read_bytes()
    assert b"\r\n" not in (first / "services.csv").read_bytes()


def test_committed_csvs_equal_generator_output(tmp_path):
    write_world(generate_world(seed=DEFAULT_SEED, scale=DEFAULT_SCALE), tmp_path)
    for name in TABLE_NAMES:
        committed = SYNTHETIC_DIR / f"{name}.csv"
        assert committed.exists(), f"{committed.name} missing: run `make data`"
        assert committed.read_bytes() == (tmp_path / f"{name}.csv").read_bytes(), (
            f"data/synthetic/{name}.csv differs from the generator: run `make data`")


def test_load_world_round_trips_the_committed_files():
    world = load_world()
    assert integrity_problems(world) == []
    assert len(world.members) == DEFAULT_SCALE
    with pytest.raises(CourseInputError, match="synthetic data file"):
        load_world(ROOT / "no-such-folder")


def test_data_dictionary_page_is_current_and_well_formed():
    rendered = render_data_dictionary()
    assert PAGE.read_text(encoding="utf-8") == rendered, "book/data-dictionary.md is stale: run `make data`"
    headings = [len(m.group(1)) for m in re.finditer(r"^(#{1,6}) ", rendered, flags=re.M)]
    assert headings.count(1) == 1 and headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(headings, headings[1:])), "a heading level is skipped"
    for name in TABLE_NAMES:
        assert f"### {name}\n" in rendered
    assert not re.search(r"\b(e\.g\.|i\.e\.|etc\.|vs\.)", rendered)


@pytest.mark.parametrize("args, flag", [
    (["--scale", "0", "--out", "x"], "--scale"),
    (["--scale", "many", "--out", "x"], "--scale"),
    (["--seed", "-1", "--out", "x"], "--seed"),
    (["--seed", "1.5", "--out", "x"], "--seed"),
    (["--scale", "10"], "--out"),
])
def test_cli_bad_arguments_exit_2_naming_the_flag(args, flag, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert flag in capsys.readouterr().err


def test_cli_writes_the_tables(tmp_path):
    result = subprocess.run([sys.executable, "-m", "calaim_course.synthetic", "--scale", "25", "--seed", "3",
                             "--out", str(tmp_path), "--validate"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert sorted(p.stem for p in tmp_path.glob("*.csv")) == sorted(TABLE_NAMES)
    assert integrity_problems(load_world(tmp_path)) == []


@pytest.mark.parametrize("kwargs, field", [({"scale": 0}, "scale"), ({"scale": 2.5}, "scale"), ({"seed": -3}, "seed")])
def test_generate_world_rejects_bad_arguments(kwargs, field):
    with pytest.raises(CourseInputError, match=field):
        generate_world(**kwargs)


def test_screen_populations_of_focus_applies_the_reference_rules():
    base = dict(homeless=False, homeless_with_family=False, ed_visits_6m=0, ed_visits_12m=0, unplanned_stays_6m=0,
                unplanned_stays_12m=0, smh_or_sud=False, transitioning_from_incarceration=False, ltc_risk=False,
                nf_resident=False, pregnant_or_postpartum=False, race_ethnicity="White", ccs_enrolled=False,
                child_welfare_involved=False)
    people = pd.DataFrame([
        {**base, "age": 30, "ed_visits_6m": 5, "ed_visits_12m": 5},       # adult: 5 ED visits in 6 months
        {**base, "age": 30, "ed_visits_6m": 4, "ed_visits_12m": 9},       # adult: 4 in 6 months is not enough
        {**base, "age": 17, "ed_visits_12m": 3},                          # youth: 3 in 12 months
        {**base, "age": 25, "pregnant_or_postpartum": True, "race_ethnicity": "Black"},
        {**base, "age": 25, "pregnant_or_postpartum": True, "race_ethnicity": "White"},
    ])
    result = screen_populations_of_focus(people)
    assert result.loc[0, "adult_avoidable_utilization"] and not result.loc[1].any()
    assert result.loc[2, "child_avoidable_utilization"] and not result.loc[2, "adult_avoidable_utilization"]
    assert result.loc[3, "adult_birth_equity"] and not result.loc[4].any()
    with pytest.raises(CourseInputError, match="members columns"):
        screen_populations_of_focus(people.drop(columns=["homeless"]))


# --------------------------------------------------------------------------- load_world's cache
def _read_and_validate(directory: Path) -> dict[str, pd.DataFrame]:
    """The straightforward load (no cache), to compare the cached one with."""
    from calaim_course.schemas import SYNTHETIC_SCHEMAS, coerce_dates, read_csv_kwargs

    tables = {}
    for name in TABLE_NAMES:
        schema = SYNTHETIC_SCHEMAS[name]
        frame = pd.read_csv(directory / f"{name}.csv", **read_csv_kwargs(schema))
        tables[name] = schema.validate(coerce_dates(frame, schema))
    return tables


def test_cached_load_world_equals_a_fresh_read_and_validation():
    expected = _read_and_validate(SYNTHETIC_DIR)
    for _ in range(2):  # the first call may fill the cache, the second reads from it
        world = load_world()
        for name, frame in world.tables().items():
            pd.testing.assert_frame_equal(frame, expected[name], check_exact=True)
            assert list(frame.dtypes.astype(str)) == list(expected[name].dtypes.astype(str)), name


def test_load_world_hands_out_copies_a_caller_cannot_use_to_change_the_cache():
    first = load_world()
    first.members.loc[0, "housing_status"] = "stably_housed" if first.members.loc[0, "housing_status"] != "stably_housed" else "homeless_sheltered"
    first.members["member_id"].array[1] = "SYN-M-9999999"  # writes through the array itself
    first.services["synthetic"] = False
    first.claims["billed_amount"] = -1.0
    second = load_world()
    expected = _read_and_validate(SYNTHETIC_DIR)
    for name, frame in second.tables().items():
        pd.testing.assert_frame_equal(frame, expected[name], check_exact=True)
        assert frame is not getattr(first, name)


def test_load_world_reads_a_folder_again_when_a_file_changes(tmp_path):
    write_world(generate_world(seed=5, scale=40), tmp_path)
    before = load_world(tmp_path)
    assert len(before.members) == 40
    write_world(generate_world(seed=5, scale=45), tmp_path)  # new sizes and times
    after = load_world(tmp_path)
    assert len(after.members) == 45
    members = tmp_path / "members.csv"
    found = members.stat()
    text = members.read_text(encoding="utf-8")
    members.write_text(text.replace("SYN-M-0000001", "SYN-X-0000001", 1), encoding="utf-8")  # same size
    os.utime(members, ns=(found.st_atime_ns, found.st_mtime_ns + 1_000_000))  # a later time, whatever the clock
    with pytest.raises(SchemaError, match="member_id"):
        load_world(tmp_path)  # read and validated again, so the bad id is caught
    members.unlink()
    with pytest.raises(CourseInputError, match="members.csv"):
        load_world(tmp_path)  # and a missing file is still reported, cache or not
