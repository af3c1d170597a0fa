"""The "use your own data" loader, its widget and its notebook: every bad file gets a
clear message, nothing identifying is kept or shown."""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from calaim_course import own_data
from calaim_course.errors import CourseInputError
from calaim_course.own_data import ExportProblems, load_export
from calaim_course.pii_scan import notebook_output_text, scan_text
from calaim_course.suppression import SUPPRESSED_LABEL
from calaim_course.widgets.own_data import own_data_explorer

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "own_data"
MANIFEST = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
EXAMPLE = own_data.example_path("members")
NOTEBOOK = ROOT / "notebooks" / "use-your-own-data.ipynb"


def _make_fixtures_module():
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ the fixture set


def test_there_are_at_least_15_malformed_fixtures_and_they_are_current():
    malformed = [f for f in MANIFEST if not f["loads"]]
    assert len(malformed) >= 15
    for fixture in _make_fixtures_module().build():  # committed files match the script
        assert (FIXTURES / fixture["file"]).read_bytes() == fixture["content"], fixture["file"]


@pytest.mark.parametrize("fixture", [f for f in MANIFEST if not f["loads"]], ids=lambda f: f["file"])
def test_each_malformed_file_gets_every_problem_in_one_clear_message(fixture):
    with pytest.raises(CourseInputError) as caught:
        load_export(FIXTURES / fixture["file"], fixture["table"])
    message = str(caught.value)
    assert "Traceback" not in message
    assert message.startswith(f"{fixture['file']}: ") and "nothing was loaded" in message
    for words in fixture["must"]:
        assert words in message
    for secret in fixture["never"]:
        assert secret not in message


@pytest.mark.parametrize("fixture", [f for f in MANIFEST if f["loads"]], ids=lambda f: f["file"])
def test_odd_but_valid_files_load_with_a_note(fixture):
    data = load_export(FIXTURES / fixture["file"], fixture["table"])
    assert data.n_records == 12
    for words in fixture["notes"]:
        assert any(words in note for note in data.notes), data.notes


def test_bytes_and_paths_give_the_same_counts():
    from_path = load_export(EXAMPLE, "members")
    from_bytes = load_export(EXAMPLE.read_bytes(), "members")
    assert from_path.counts("housing_status").shown.equals(from_bytes.counts("housing_status").shown)
    # Same session, same key: the pseudonyms agree, so tables loaded together link up.
    assert from_path.frame["member_id"].equals(from_bytes.frame["member_id"])


@pytest.mark.parametrize("enabled", [True, False], ids=["collector on", "collector off"])
@pytest.mark.parametrize("fixture", [next(f for f in MANIFEST if f["loads"]), next(f for f in MANIFEST if not f["loads"])],
                         ids=["a file that loads", "a file with problems"])
def test_a_load_leaves_the_cycle_collector_as_it_found_it(fixture, enabled):
    # The loader pauses the collector while it reads; the learner's kernel must get it back.
    import gc

    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        try:
            load_export(FIXTURES / fixture["file"], fixture["table"])
        except CourseInputError:
            assert not fixture["loads"]
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "very_large.csv"
    line = b"SYN-SVC-000000001,SYN-M-0000001,2026-01-05,ecm,1\n"
    with big.open("wb") as out:
        out.write(b"service_id,member_id,service_date,program,units\n")
        out.write(line * (own_data.MAX_BYTES // len(line) + 10))
    assert big.stat().st_size > own_data.MAX_BYTES
    with pytest.raises(CourseInputError, match=r"file: got [\d,]+ bytes; expected at most 20,000,000 bytes \(20 MB\)"):
        load_export(big, "services")
    with pytest.raises(CourseInputError, match="at most 20,000,000 bytes"):
        load_export(big.read_bytes(), "services")


def test_a_missing_file_and_wrong_arguments_name_the_problem(tmp_path):
    with pytest.raises(CourseInputError, match="(?s)no-such.csv: 1 problem.*file: got no such file"):
        load_export(tmp_path / "no-such.csv", "members")
    with pytest.raises(CourseInputError, match="file: got no such file"):
        load_export(tmp_path, "members")  # a folder
    with pytest.raises(CourseInputError, match="table: got 'claims'; expected one of members, referrals, services"):
        load_export(EXAMPLE, "claims")
    with pytest.raises(CourseInputError, match="file: got 'int'"):
        load_export(42, "members")


def test_messages_never_show_the_folder_of_the_file(tmp_path):
    folder = tmp_path / "agency-secret-folder"
    folder.mkdir()
    path = folder / "members.csv"
    path.write_bytes((FIXTURES / "negative_units.csv").read_bytes())
    with pytest.raises(CourseInputError) as caught:
        load_export(path, "services")
    assert "agency-secret-folder" not in str(caught.value)


# ------------------------------------------------------------------ de-identification


@pytest.fixture(scope="module")
def example():
    return load_export(EXAMPLE, "members")


@pytest.fixture(scope="module")
def raw_example():
    return pd.read_csv(EXAMPLE, dtype=str)


def test_direct_identifiers_are_dropped_and_birth_date_becomes_an_age_band(example, raw_example):
    for column in ("first_name", "last_name", "phone", "email", "plan_member_id", "birth_date"):
        assert column in raw_example.columns
        assert column not in example.frame.columns
    assert set(example.frame["age_band"].astype(str)) <= {"Under 16", "16-24", "25-34", "35-44", "45-54", "55-64", "65+",
                                                          "(missing)"}
    # Hand check: the first member was born 1990-03-14 and came on 2026-03-02: aged 35.
    assert raw_example.loc[0, "birth_date"] == "1990-03-14" and raw_example.loc[0, "agency_intake_date"] == "2026-03-02"
    assert example.frame["age_band"].iloc[0] == "35-44"


def test_ids_are_replaced_by_keyed_hashes_that_no_one_can_recompute_without_the_key(example, raw_example):
    pseudonyms = example.frame["member_id"]
    assert pseudonyms.str.fullmatch(r"PSN-[0-9a-f]{16}").all()
    assert pseudonyms.is_unique
    assert not set(pseudonyms) & set(raw_example["member_id"])
    # An unkeyed SHA-256 of the id (what an attacker could compute) is not the pseudonym.
    import hashlib
    plain = "PSN-" + hashlib.sha256(raw_example["member_id"][0].encode()).hexdigest()[:16]
    assert plain != pseudonyms.iloc[0]


def test_a_new_key_gives_new_pseudonyms_and_the_key_is_never_exposed(example):
    before = load_export(EXAMPLE, "members").frame["member_id"]
    own_data.forget_key()
    after = load_export(EXAMPLE, "members").frame["member_id"]
    assert not set(before) & set(after)
    public = [name for name in dir(own_data) if not name.startswith("_")]
    assert not any("key" in name.lower() and name != "forget_key" for name in public)
    assert "key" not in repr(example).lower() or "kept in memory" in repr(example)


def test_nothing_is_written_to_disk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    load_export(EXAMPLE.read_bytes(), "members")
    with pytest.raises(CourseInputError):
        load_export((FIXTURES / "formulas.csv").read_bytes(), "members")
    assert list(tmp_path.iterdir()) == []


def test_repr_shows_only_counts(example, raw_example):
    text = repr(example) + str(example) + example._repr_html_()
    assert "records=300" in text and "synthetic=True" in text
    for value in raw_example.iloc[0]:
        if isinstance(value, str) and len(value) > 4 and value not in ("True", "False"):
            assert value not in text


def test_a_handful_of_records_hides_the_record_count():
    five = b"\n".join(EXAMPLE.read_bytes().split(b"\n")[:6]) + b"\n"
    data = load_export(five, "members")
    assert data.n_records == 5
    assert f"records={SUPPRESSED_LABEL}" in repr(data) and "records=5" not in repr(data)


def test_counts_go_through_suppression(example):
    result = example.counts("housing_status", "age_band")
    values = result.shown.to_numpy(dtype="float64", na_value=float("nan"))
    shown = values[~pd.isna(values)]
    assert not ((shown >= 1) & (shown <= 10)).any()
    assert result.n_suppressed > 0
    raw = pd.read_csv(EXAMPLE, dtype=str)
    assert int(result.shown.loc["Total", "Total"]) == len(raw)


def test_counts_refuse_id_columns_and_unknown_names(example):
    with pytest.raises(CourseInputError, match="by: got 'member_id'; expected one of age_band"):
        example.counts("member_id")
    with pytest.raises(CourseInputError, match="and_by"):
        example.counts("age_band", "age_band")


def test_referrals_and_services_examples_load_and_link_by_pseudonym():
    members = load_export(EXAMPLE, "members")
    services = load_export(own_data.example_path("services"), "services")
    referrals = load_export(own_data.example_path("referrals"), "referrals")
    assert set(services.frame["member_id"]) <= set(members.frame["member_id"])
    assert set(referrals.frame["member_id"]) <= set(members.frame["member_id"])
    assert "program" in services.count_columns() and "service_month" in services.count_columns()
    assert not any(c.endswith("_id") and c in ("member_id", "service_id", "staff_id") for c in services.count_columns())


def test_example_file_is_marked_synthetic_and_matches_the_synthetic_world(tmp_path):
    raw = pd.read_csv(EXAMPLE, dtype=str)
    assert (raw["synthetic"] == "True").all()
    assert raw["member_id"].str.startswith("SYN-M-").all()
    own_data.write_examples(out_dir=tmp_path)
    assert (tmp_path / EXAMPLE.name).read_bytes() == EXAMPLE.read_bytes()
    assert scan_text(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE.name) == []


def test_columns_table_documents_required_columns():
    table = own_data.columns_table("services")
    required = table.loc[table["required"] == "yes", "column"].tolist()
    assert required == ["service_id", "member_id", "service_date", "program", "units"]
    assert "0 or more" in table.set_index("column").loc["units", "what to put in it"]


# ------------------------------------------------------------------------ the widget


def _upload(box, path_or_bytes, name="export.csv"):
    content = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    box.controls["upload"].value = ({"name": name, "type": "text/csv", "size": len(content),
                                     "content": memoryview(content),
                                     "last_modified": dt.datetime(2026, 12, 3, tzinfo=dt.timezone.utc)},)


def test_widget_default_view_shows_the_synthetic_example_suppressed():
    box = own_data_explorer()
    assert "the synthetic example file" in box.notes.value and "300 records" in box.notes.value
    assert "<caption>Records by age band at intake" in box.result.value
    assert box.message.value == ""


def test_widget_shows_problems_keeps_previous_counts_and_forgets_the_upload():
    box = own_data_explorer()
    before = box.result.value
    _upload(box, FIXTURES / "formulas.csv", name="formulas.csv")
    assert "formulas.csv has 5 problems" in box.message.value
    assert "row 3, column gender_identity" in box.message.value
    assert "HYPERLINK" not in box.message.value
    assert box.result.value == before
    assert box.controls["upload"].value == ()  # the bytes are not kept in widget state


def test_widget_loads_an_upload_and_switches_breakdowns():
    box = own_data_explorer()
    _upload(box, FIXTURES / "extra_columns.csv", name="extra.csv")
    assert box.message.value == ""
    assert "extra.csv" in box.notes.value and "favorite_color" in box.notes.value
    box.controls["by"].value = "housing_status"
    assert "Records by housing status" in box.result.value
    # 12 records in small groups: every non-zero count is hidden.
    cells = re.findall(r"<td>([^<]*)</td>", box.result.value)
    assert cells and all(c == SUPPRESSED_LABEL or not c.isdigit() or int(c) == 0 or int(c) > 10 for c in cells)


@pytest.mark.parametrize("fixture, outcome", [("extra_columns.csv", "loads"), ("formulas.csv", "problems")])
def test_widget_says_it_is_reading_and_holds_the_controls_until_the_load_ends(monkeypatch, fixture, outcome):
    box = own_data_explorer()
    content = (FIXTURES / fixture).read_bytes()
    seen = {}
    real_load = own_data.load_export

    def watched_load(source, table):  # what the learner sees while the file is read
        seen.update(message=box.message.value, table=box.controls["table"].disabled,
                    upload=box.controls["upload"].disabled)
        return real_load(source, table)

    monkeypatch.setattr(own_data, "load_export", watched_load)
    _upload(box, content, name="agency.csv")
    assert "Reading and checking agency.csv (2 kB)" in seen["message"]  # fixtures of about 2,000 bytes
    assert "course-msg-info" in seen["message"]
    assert seen["table"] and seen["upload"]
    # Afterwards: the controls are free again and the message is the outcome, not the note.
    assert not box.controls["table"].disabled and not box.controls["upload"].disabled
    assert "Reading and checking" not in box.message.value
    assert (box.message.value == "") == (outcome == "loads")


@pytest.mark.parametrize("n_bytes, shown", [(999, "999 bytes"), (14_441_873, "14.4 MB"), (20_480, "20 kB")])
def test_file_sizes_are_shown_as_people_read_them(n_bytes, shown):
    from calaim_course.widgets.own_data import _size_text

    assert _size_text(n_bytes) == shown


def test_widget_explains_a_value_named_like_the_totals_row():
    """A county called "Total" would be read as the totals row: a message, never a traceback."""
    box = own_data_explorer()
    content = own_data.example_path("members").read_bytes().replace(b"Alder County (fictional)", b"Total", 40)
    _upload(box, content, name="members.csv")
    assert box.message.value == ""
    before = box.result.value
    box.controls["by"].value = "county"
    shown = html.unescape(box.message.value)
    assert "county: got 'Total'" in shown and "Rename that value in your file" in shown
    assert "Traceback" not in shown
    assert box.result.value == before
    box.controls["by"].value = "housing_status"
    box.controls["and_by"].value = "county"
    assert "county: got 'Total'" in html.unescape(box.message.value)


def test_widget_table_choice_reloads_the_file_for_that_table():
    box = own_data_explorer()
    _upload(box, FIXTURES / "negative_units.csv", name="services.csv")
    assert "the columns of a services export" in box.message.value
    box.controls["table"].value = "services"
    assert "row 12, column units: got -3; expected 0 or more" in box.message.value


# ----------------------------------------------------------------------- the notebook


def _identifiers(raw: pd.DataFrame) -> set[str]:
    values = set()
    for column in ("member_id", "plan_member_id", "phone", "email", "birth_date"):
        values |= set(raw[column].dropna())
    values |= set(raw["first_name"] + " " + raw["last_name"])
    values |= set(raw["last_name"])
    return values


def test_notebook_on_the_synthetic_export_shows_no_raw_identifier(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    client = NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    path = tmp_path / "run.ipynb"
    nbformat.write(notebook, path)
    text = notebook_output_text(path) + json.dumps(notebook.metadata.get("widgets", {}))
    assert "Records by" in text and SUPPRESSED_LABEL in text  # it did show suppressed counts
    raw = pd.read_csv(EXAMPLE, dtype=str)
    leaked = sorted(v for v in _identifiers(raw) if re.search(rf"(?<![\w-]){re.escape(v)}(?![\w-])", text))
    assert leaked == []
    assert scan_text(text, "notebook outputs") == []
    for output in (o for c in notebook.cells if c.cell_type == "code" for o in c.outputs):
        assert output.output_type != "error"


def test_stored_notebook_outputs_show_no_raw_identifier():
    text = notebook_output_text(NOTEBOOK) + json.dumps(nbformat.read(NOTEBOOK, as_version=4).metadata.get("widgets", {}))
    raw = pd.read_csv(EXAMPLE, dtype=str)
    assert not [v for v in _identifiers(raw) if re.search(rf"(?<![\w-]){re.escape(v)}(?![\w-])", text)]
