"""How fast every widget answers, and how that grows with the number of members.

For each scale (default 10k, 100k and 1M members) the synthetic world is generated once
and reused. Then, for every widget that reads member data:

- "load": building the widget from the world (the analysis it runs once, when a page or
  a dashboard opens: preparing the tables, building cubes), timed a few times;
- "update": what a learner feels, one control change at a time. The benchmark sets a
  control's value exactly as the browser does, which fires the widget's own callback
  (analysis plus HTML), and times that. Each sample is one change; the controls are
  cycled through values that exist at every scale.

Widgets that read only the course's reference tables (calculators, checklists, rule
explorers) do not depend on the number of members: they are timed once. Page-level
analyses that a notebook runs on the world for its charts are timed as "load" rows too.

    python benchmarks/bench_functions.py                       # 10k, 100k, 1M
    python benchmarks/bench_functions.py --scales 1000 --json out.json

Nothing is asserted: each update's message area is checked only so that an update that
failed on bad benchmark input is recorded as an error instead of a fast time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import machine, summarize  # noqa: E402

SCALES = [10_000, 100_000, 1_000_000]
QUICK_SCALES = [1_000, 10_000]
SEED = 2026

# Sampling budget: at least MIN_SAMPLES changes per update, more while the budget lasts.
MIN_SAMPLES, MAX_SAMPLES, UPDATE_BUDGET = 5, 40, 8.0
LOAD_RUNS, LOAD_BUDGET = 3, 30.0
# A case whose time at the previous scale, grown linearly, would pass these limits is not
# run at the next scale: the table says so and gives the estimate instead.
LOAD_LIMIT, UPDATE_LIMIT = 450.0, 60.0


# --------------------------------------------------------------------------- cases
@dataclass
class Step:
    """One control change: set ``attr`` of ``control`` to ``value`` (or call ``action``)."""

    label: str
    control: object = None
    attr: str = "value"
    value: object = None
    action: Callable[[], None] | None = None

    def run(self) -> None:
        if self.action is not None:
            self.action()
            return
        if getattr(self.control, self.attr) == self.value:
            raise RuntimeError(f"step {self.label!r} would not change anything (already {self.value!r})")
        setattr(self.control, self.attr, self.value)


@dataclass
class WidgetCase:
    """A widget: ``build(world)`` returns (widget, steps); ``messages(widget)`` lists message areas."""

    key: str
    name: str
    section: str
    build: Callable
    uses_world: bool = True
    message_ok: bool = False  # True when the widget shows an info message by design
    # For a widget that says it is working before a long update (a file load): the area
    # whose first change during an update is timed as the first feedback.
    feedback: Callable[[object], object] | None = None
    note: str = ""
    skip: Callable[[object], str | None] | None = None  # world -> reason it cannot run at this scale


@dataclass
class LoadCase:
    """A page-level analysis run once on the world (for a chart or a finding)."""

    key: str
    name: str
    section: str
    run: Callable
    note: str = ""


def toggle(label: str, control, other, attr: str = "value") -> list[Step]:
    """Two steps: to ``other`` and back to the starting value."""
    start = getattr(control, attr)
    return [Step(f"{label}: {other!r}", control, attr, other), Step(f"{label}: back", control, attr, start)]


def cycle_index(label: str, control, count: int = 3) -> list[Step]:
    """Walk a drop-down through its first options and back to the one it started on."""
    n = len(control.options)
    start = control.index
    chosen = [i for i in range(n) if i != start][: max(1, count - 1)]
    return [Step(f"{label} #{i}", control, "index", i) for i in chosen] + [Step(f"{label} back", control, "index", start)]


def messages_of(box) -> list:
    areas = [getattr(box, "message", None), getattr(box, "caseload_message", None)]
    return [a for a in areas if a is not None]


# ---- widgets over member data
def _funnel(world):
    from calaim_course import referrals as R
    from calaim_course.widgets.referrals import funnel_explorer

    box = funnel_explorer(R.load_course_data(world).cube)
    c = box.controls
    return box, [*cycle_index("service", c["service"]), *cycle_index("plan", c["plan"]), *cycle_index("month", c["month"])]


def _aging(world):
    from calaim_course import referrals as R
    from calaim_course.widgets.referrals import aging_explorer

    box = aging_explorer(R.load_course_data(world).frame)
    t = box.controls["threshold"]
    return box, [Step("threshold 30", t, "value", "30"), Step("threshold 90", t, "value", "90"),
                 Step("threshold back", t, "value", t.value)]


def _consents(world):
    from calaim_course import consents as tracker
    from calaim_course.widgets.consents import consent_tracker

    box = consent_tracker(world.consents, world.organizations)
    c = box.controls
    first, last = tracker.date_range(world.consents)
    start = dt.date.fromisoformat(c["as_of"].value)
    earlier = max(first.date(), start - dt.timedelta(days=45)) if hasattr(first, "date") else start
    return box, [*toggle("days", c["days"], "60"), *toggle("as of", c["as_of"], earlier.isoformat())]


def _completeness(world):
    from calaim_course.widgets.data_quality import completeness_checker

    box = completeness_checker(world)
    c = box.controls
    ids = world.members["member_id"].astype(str)
    return box, [*cycle_index("show", c["show"]), *cycle_index("member file", c["data"], 2),
                 *toggle("member", c["member"], ids.iloc[len(ids) // 2])]


def _quarterly(world):
    from calaim_course import quarterly_report as qr
    from calaim_course.widgets.quarterly_report import report_builder

    data = qr.report_data(world)
    box = report_builder(data)
    c = box.controls
    steps = [*cycle_index("breakdown", c["breakdown"], 4), *cycle_index("split", c["split"])]
    if len(data.quarters) > 1:
        q = data.quarters[0]
        steps += toggle("quarter", c["quarter"], f"{q.year} Q{q.quarter}")
    return box, steps


def _pof(world):
    from calaim_course import populations_of_focus as pof
    from calaim_course.widgets.populations_of_focus import pof_screener

    box = pof_screener(world.members, pof.plan_names(world.organizations))
    c = box.controls
    ids = world.members["member_id"].astype(str)
    return box, [*toggle("member", c["member"], ids.iloc[len(ids) // 3]), *cycle_index("plan", c["plan"]),
                 *cycle_index("age group", c["age_group"])]


def _revenue(world):
    from calaim_course import revenue_cycle as rc
    from calaim_course.widgets.revenue_cycle import dashboard

    box = dashboard(rc.prepare(world))
    c = box.controls
    return box, [*cycle_index("view", c["view"], 4), *cycle_index("plan", c["plan"], 2),
                 *cycle_index("program", c["program"], 2), *cycle_index("sent as", c["submission"], 2),
                 *toggle("aging date", c["aging_date"], "2026-03-31")]


def _claim_builder(world):
    from calaim_course.widgets.claims import claim_builder

    box = claim_builder(world)
    c = box.controls
    # Text edits first (back to the practice claim's values), then loading other claims.
    return box, [*toggle("units", c["units"], "2"), *toggle("pointer", c["pointer"], "A"),
                 *cycle_index("start from (loads a claim)", c["start"])]


def _x12(world):
    from calaim_course.widgets.claims import x12_preview

    box = x12_preview(world)
    c = box.controls
    return box, [*cycle_index("claim", c["claim"]), *toggle("explain", c["explain"], True),
                 *cycle_index("frequency", c["frequency"], 2)]


def _audit(world):
    from calaim_course import audit_sampling as sampling
    from calaim_course.widgets.audit_sampling import audit_sample_picker

    box = audit_sample_picker(sampling.chart_population(world))
    c = box.controls
    return box, [*toggle("size", c["size"], "40"), *cycle_index("stratification", c["stratification"]),
                 *toggle("seed", c["seed"], "7")]


def _privacy(world):
    from calaim_course import privacy_pipeline as pp
    from calaim_course.widgets.privacy_pipeline import privacy_pipeline

    box = privacy_pipeline(pp.raw_table(world.members, world.organizations))
    c = box.controls
    return box, [*toggle("language", c["language"], not c["language"].value),
                 *toggle("area", c["area"], not c["area"].value), *toggle("demo key", c["key_seed"], "7")]


def _explorer(world):
    from calaim_course.widgets.explorer import data_explorer

    box = data_explorer(world)
    c = box.controls
    return box, [*cycle_index("plan", c["plan"], 2), *cycle_index("program", c["program"]),
                 *toggle("days", c["days"], "30"), *cycle_index("quick period", c["quarter"])]


def _export_csv(frame, table: str) -> bytes:
    """The agency export of a world table, as the loader reads it: its columns, CSV text."""
    from calaim_course import own_data

    columns = [c for c in frame.columns if c in own_data.EXPORT_COLUMNS[table]]
    return frame[columns].to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d").encode("utf-8")


def _own_data_skip(table: str):
    def reason(world) -> str | None:
        from calaim_course import own_data

        frame = getattr(world, table)
        # Estimate the export's size from a sample of rows, without writing the whole file.
        sample = frame.head(2000)
        estimate = len(_export_csv(sample, table)) / max(len(sample), 1) * len(frame)
        if estimate > own_data.MAX_BYTES:
            return (f"not measurable at this scale: the {table} export would be about {estimate / 1e6:,.0f} MB and "
                    f"the loader refuses files over {own_data.MAX_BYTES / 1e6:.0f} MB by design")
        return None

    return reason


def _own_data_load(table: str):
    def build(world):
        from calaim_course.widgets.own_data import own_data_explorer

        content = _export_csv(getattr(world, table), table)
        box = own_data_explorer(table)
        upload = box.controls["upload"]
        chosen = {"name": f"{table}.csv", "type": "text/csv", "size": len(content), "content": memoryview(content),
                  "last_modified": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)}

        def choose():  # what the browser does when a file is chosen: the widget reads, checks and counts it
            upload.value = (chosen,)

        return box, [Step("choose the file", action=choose)]

    return build


def _own_data_counts(world):
    from calaim_course import own_data
    from calaim_course.widgets.own_data import counts_html

    data = own_data.load_export(_export_csv(world.members, "members"), "members")
    columns = data.count_columns()
    pairs = [(columns[0], None), (columns[1 % len(columns)], None), (columns[0], columns[1 % len(columns)])]
    # The drop-downs call counts_html(data, by, and_by): time that call.
    return None, [Step(f"count by {by} and {and_by}", action=lambda by=by, and_by=and_by: counts_html(data, by, and_by))
                  for by, and_by in pairs]


# ---- widgets over reference tables only (no member data)
def _fpl(_world):
    from calaim_course.widgets.fpl import fpl_estimator

    box = fpl_estimator()
    c = box.controls
    return box, [*toggle("household", c["household_size"], "4"), *toggle("income", c["monthly_income"], "3100")]


def _timeline(_world):
    from calaim_course.widgets.timeline import timeline_as_of

    box = timeline_as_of()
    c = box.controls
    return box, [*toggle("date", c["date"], "2025-01-15"), *cycle_index("initiative", c["initiative"])]


def _chw(_world):
    from calaim_course.widgets.chw_billing import chw_calculator

    box = chw_calculator()
    c = box.controls
    return box, [*toggle("minutes", c["minutes"], "95"), *toggle("group", c["group_size"], "3")]


def _cs(_world):
    from calaim_course.widgets.community_supports import community_supports_explorer

    box = community_supports_explorer()
    c = box.controls
    return box, [*cycle_index("kind", c["kind"]), *toggle("code", c["code"], "H0044")]


def _npi(_world):
    from calaim_course.widgets.credentialing import npi_checker

    box = npi_checker()
    return box, toggle("npi", box.controls["npi"], "123456789")


def _checklist(_world):
    from calaim_course.widgets.credentialing import readiness_checklist

    box = readiness_checklist()
    items = box.controls["items"]
    first = next(iter(items.values()))
    return box, [*toggle("item", first, not first.value),
                 *toggle("service line", next(iter(box.controls["services"].values())),
                         not next(iter(box.controls["services"].values())).value)]


def _timeline_planner(_world):
    from calaim_course.widgets.credentialing import timeline_planner

    box = timeline_planner()
    c = box.controls
    step = next(iter(c["steps"].values()))
    return box, [*toggle("a step's weeks", step, "7"), *cycle_index("starting values", c["scenario"], 2)]


def _cost(_world):
    from calaim_course.widgets.cost_model import cost_model_explorer

    box = cost_model_explorer()
    return box, toggle("caseload", box.controls["caseload"], "140")


def _scorecard(_world):
    from calaim_course.widgets.system_scorecard import scorecard_explorer

    box = scorecard_explorer()
    slider = next(iter(box.controls.values()))
    return box, toggle("weight", slider, 0 if slider.value else 5)


def _sharing(_world):
    from calaim_course.widgets.sharing_rules import sharing_explorer

    box = sharing_explorer()
    steps = []
    for name, control in box.controls.items():
        steps += cycle_index(name, control, 2)
    return box, steps


def _release(_world):
    from calaim_course.widgets.release_builder import release_builder

    box = release_builder()
    text = next(c for c in box.controls.values() if c.__class__.__name__ == "Text")
    return box, toggle("a field", text, "Fictional Recipient Agency")


def _dictionary(_world):
    from calaim_course.widgets.data_dictionary_explorer import dictionary_explorer

    box = dictionary_explorer()
    c = box.controls
    return box, [*toggle("search", c["search"], "date"), *cycle_index("table", c["table"])]


def _data_systems(_world):
    from calaim_course.widgets.data_systems import data_systems_explorer

    box = data_systems_explorer()
    c = box.controls
    return box, [*cycle_index("topic", c["topic"]), *toggle("search", c["search"], "consent")]


def _readiness(_world):
    from calaim_course.widgets.readiness import OPTIONS, readiness_explorer

    box = readiness_explorer()
    control = next(iter(box.controls.values()))
    other = OPTIONS[0] if control.value != OPTIONS[0] else OPTIONS[3]
    return box, toggle("an answer", control, other)


def _funding(_world):
    from calaim_course.widgets.path_funding import funding_explorer

    box = funding_explorer()
    return box, toggle("rounds", box.controls["rounds"], "2-4")


def _redaction(_world):
    from calaim_course.widgets.redaction import redaction_preview

    box = redaction_preview()
    rule = next(iter(box.controls["rules"].values()))
    return box, [*toggle("rule", rule, not rule.value), *cycle_index("sample note", box.controls["note"], 2)]


def _simulator(_world):
    from calaim_course.widgets.referrals import status_simulator

    box = status_simulator()
    c = box.controls
    return box, [Step("apply the change", action=c["apply"].click), Step("start over", action=c["reset"].click)]


def _suppression_demo(_world):
    from calaim_course.widgets.tour import suppression_demo

    box = suppression_demo()
    return box, toggle("counts", box.counts, "12, 3, 40, 0, 9")


WIDGETS: list[WidgetCase] = [
    WidgetCase("pof_screener", "Population of Focus screener", "2", _pof),
    WidgetCase("referral_funnel", "Referral funnel", "3", _funnel),
    WidgetCase("referral_aging", "Open-referral aging", "3", _aging),
    WidgetCase("consent_tracker", "Consent tracker", "6", _consents),
    WidgetCase("completeness_checker", "Completeness checker", "7", _completeness),
    WidgetCase("quarterly_report", "Quarterly report builder", "7", _quarterly),
    WidgetCase("claim_builder", "CMS-1500 claim builder and checker", "8", _claim_builder),
    WidgetCase("x12_preview", "837P preview (with pyx12 validation)", "8", _x12),
    WidgetCase("revenue_cycle", "Revenue-cycle dashboard", "8", _revenue),
    WidgetCase("audit_sampling", "Audit sample picker", "9", _audit),
    WidgetCase("privacy_pipeline", "Privacy pipeline", "11", _privacy),
    WidgetCase("data_explorer", "Data explorer dashboard", "explorer", _explorer),
    WidgetCase("own_data_load_members", "Use your own data: load a members export", "own data",
               _own_data_load("members"), skip=_own_data_skip("members"),
               feedback=lambda box: box.message),
    WidgetCase("own_data_load_referrals", "Use your own data: load a referrals export", "own data",
               _own_data_load("referrals"), skip=_own_data_skip("referrals"),
               feedback=lambda box: box.message),
    WidgetCase("own_data_load_services", "Use your own data: load a services export", "own data",
               _own_data_load("services"), skip=_own_data_skip("services"),
               feedback=lambda box: box.message),
    WidgetCase("own_data_counts", "Use your own data: suppressed counts", "own data", _own_data_counts,
               skip=_own_data_skip("members")),
    # Reference tables only: the member count does not reach them.
    WidgetCase("suppression_demo", "Suppression demo", "template", _suppression_demo, uses_world=False),
    WidgetCase("fpl_estimator", "Income-to-FPL estimator", "1", _fpl, uses_world=False),
    WidgetCase("timeline_as_of", "Timeline as of a date", "1", _timeline, uses_world=False),
    WidgetCase("community_supports", "Community Supports explorer", "2", _cs, uses_world=False),
    WidgetCase("chw_calculator", "CHW billing calculator", "2", _chw, uses_world=False),
    WidgetCase("status_simulator", "Referral status simulator", "3", _simulator, uses_world=False),
    WidgetCase("npi_checker", "NPI checker", "4", _npi, uses_world=False, message_ok=True),
    WidgetCase("readiness_checklist", "Contracting-readiness checklist", "4", _checklist, uses_world=False),
    WidgetCase("timeline_planner", "Credentialing timeline planner", "4", _timeline_planner, uses_world=False),
    WidgetCase("cost_model", "Build-versus-partner cost model", "5", _cost, uses_world=False),
    WidgetCase("scorecard", "System requirements scorecard", "5", _scorecard, uses_world=False),
    WidgetCase("sharing_rules", "Can we share this? explorer", "6", _sharing, uses_world=False),
    WidgetCase("release_builder", "Release-of-information builder", "6", _release, uses_world=False, message_ok=True),
    WidgetCase("dictionary_explorer", "Data dictionary explorer", "7", _dictionary, uses_world=False),
    WidgetCase("readiness_explorer", "Readiness self-assessment", "10", _readiness, uses_world=False),
    WidgetCase("path_funding", "PATH CITED funding explorer", "10", _funding, uses_world=False),
    WidgetCase("redaction", "Redaction preview", "11", _redaction, uses_world=False),
    WidgetCase("data_systems", "Data systems comparison", "11", _data_systems, uses_world=False),
]


# ---- page-level analyses that notebooks run once on the world
def _enrollment(world):
    from calaim_course import enrollment

    return enrollment.suppressed_status_by_plan(world.members, world.organizations)


def _members_served(world):
    from calaim_course import community_supports as cs
    from calaim_course import populations_of_focus as pof

    return cs.suppressed_members_served(cs.members_served(world.services, world.members,
                                                          pof.plan_names(world.organizations)))


def _caseload(world):
    from calaim_course import populations_of_focus as pof

    return pof.suppressed_caseload(world.members, plan_names=pof.plan_names(world.organizations))


def _bands(world):
    from calaim_course import referrals as R

    course = R.load_course_data(world)
    return R.days_open_bands(course.frame, course.as_of), R.release_check(course)


def _tracker(world):
    from calaim_course import consents

    return consents.track(world.consents, world.organizations)


def _completeness_page(world):
    from calaim_course import data_quality as dq

    return dq.check_completeness(dq.practice_member_file(world), dq.intake_staff(world.services), world.staff)


def _report_chart(world):
    from calaim_course import quarterly_report as qr

    return qr.chart_data(qr.report_data(world))


def _revenue_page(world):
    from calaim_course import revenue_cycle as rc

    money = rc.prepare(world)
    return (rc.by_submission(money), rc.claims_by_status(money), rc.ar_aging(money, "2026-06-30"),
            rc.days_to_payment(money), rc.payment_period_finding(money))


def _x12_finding(world):
    from calaim_course import x12_837p

    return x12_837p.validation_finding(world)


def _abuse_codes(world):
    from calaim_course import claims

    return claims.abuse_code_finding(world)


def _risks(world):
    from calaim_course import privacy_pipeline as pp

    return pp.combination_risks(pp.raw_table(world.members, world.organizations))


def _cube(world):
    from calaim_course import explorer as ex

    return ex.build_cube(world)


LOADS: list[LoadCase] = [
    LoadCase("enrollment_table", "Enrollment status by plan (table and chart)", "1", _enrollment),
    LoadCase("pof_caseload", "Population of Focus caseload (suppressed)", "2", _caseload),
    LoadCase("members_served", "Community Supports members served", "2", _members_served),
    LoadCase("referral_bands", "Referral days-open bands and release check", "3", _bands),
    LoadCase("consent_page", "Consent tracker finding and chart data", "6", _tracker),
    LoadCase("completeness_page", "Completeness of the practice file", "7", _completeness_page),
    LoadCase("quarterly_chart", "Quarterly report data and chart data", "7", _report_chart),
    LoadCase("revenue_page", "Revenue-cycle tables and findings", "8", _revenue_page),
    LoadCase("x12_finding", "837P validation finding (pyx12)", "8", _x12_finding),
    LoadCase("abuse_codes", "Abuse-code finding", "8", _abuse_codes),
    LoadCase("combination_risks", "Quasi-identifier combination risks", "11", _risks),
    LoadCase("explorer_cube", "Data explorer cube (build_cube)", "explorer", _cube),
]


# --------------------------------------------------------------------------- measuring
def _failure(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__}: {exc} (at {Path(last.filename).name}:{last.lineno})"[:400]


def time_updates(box, steps: list[Step], message_ok: bool,
                 feedback=None) -> tuple[list[float], list[str], list[float]]:
    """Time each step; returns (samples, errors, first feedback): with ``feedback`` (an
    area of ``box``), how long each step took until that area first changed."""
    samples: list[float] = []
    errors: list[str] = []
    firsts: list[float] = []
    areas = messages_of(box) if box is not None else []
    first_change: list[float] = []
    if feedback is not None:
        feedback.observe(lambda _change: first_change.append(time.perf_counter()), names="value")
    started = time.perf_counter()
    i = 0
    def more() -> bool:
        n, elapsed = len(samples), time.perf_counter() - started
        if n >= MAX_SAMPLES or (n >= 3 and elapsed > 60):  # a very slow update: three samples are enough
            return False
        return n < MIN_SAMPLES or elapsed < UPDATE_BUDGET

    while more():
        step = steps[i % len(steps)]
        first_change.clear()
        t0 = time.perf_counter()
        step.run()
        samples.append(time.perf_counter() - t0)
        if feedback is not None:
            firsts.append((first_change[0] if first_change else time.perf_counter()) - t0)
        i += 1
        if not message_ok:
            shown = [a.value for a in areas if a.value]
            if shown:
                errors.append(f"after {step.label}: the widget showed a message: {shown[0][:200]}")
                break
    return samples, errors, firsts


def time_runs(function: Callable[[], object]) -> list[float]:
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < LOAD_RUNS and (not samples or time.perf_counter() - started < LOAD_BUDGET):
        t0 = time.perf_counter()
        function()
        samples.append(time.perf_counter() - t0)
        gc.collect()
    return samples


def _too_slow(previous: dict, scale: int, limit: float, what: str) -> str | None:
    """Why a case is not run at ``scale``: its time at the previous scale, grown linearly, passes ``limit``."""
    done = [(int(k), v) for k, v in previous.items() if k.isdigit() and v.get("median") is not None]
    if not done:
        return None
    last_scale, last = max(done)
    estimate = last["median"] * scale / last_scale
    if estimate <= limit:
        return None
    return (f"not measured at this scale: {what} took {last['median']:.1f} s at {last_scale:,} members, so about "
            f"{estimate:,.0f} s or more here (linear estimate)")


def measure_scale(world, scale: int, results: dict, only: set[str] | None, log) -> None:
    key = str(scale)
    for case in WIDGETS:
        if only and case.key not in only:
            continue
        entry = results["widgets"].setdefault(case.key, {
            "name": case.name, "section": case.section, "uses_world": case.uses_world, "load": {}, "update": {}})
        if not case.uses_world and entry["update"]:
            continue  # reference tables only: one measurement is enough
        where = key if case.uses_world else "any"
        refused = case.skip(world) if case.skip else None  # the widget itself refuses this size
        reason = refused or _too_slow(entry["load"], scale, LOAD_LIMIT, "building it")
        reason = reason or _too_slow(entry["update"], scale, UPDATE_LIMIT, "one update")
        if reason:
            entry["update"][where] = {"n": 0, "not_measurable": reason, "by_design": bool(refused)}
            log(f"  {case.name}: {reason}")
            continue
        try:
            built: dict = {}

            def build():
                built["box"], built["steps"] = case.build(world)

            load = time_runs(build)
            feedback = case.feedback(built["box"]) if case.feedback else None
            samples, errors, firsts = time_updates(built["box"], built["steps"], case.message_ok, feedback)
        except Exception as exc:  # recorded, not hidden: a broken widget is a finding too
            entry["update"][where] = {"n": 0, "error": _failure(exc)}
            log(f"  {case.name}: ERROR {_failure(exc)}")
            continue
        finally:
            built = {}
            gc.collect()
        entry["load"][where] = summarize(load)
        entry["update"][where] = {**summarize(samples), "steps": len(samples), **({"error": errors[0]} if errors else {}),
                                  **({"first_feedback": summarize(firsts)} if firsts else {})}
        s = entry["update"][where]
        log(f"  {case.name}: build {entry['load'][where]['median']:.3f} s; update median {s['median'] * 1000:.1f} ms, "
            f"p95 {s['p95'] * 1000:.1f} ms (n={s['n']}){' ERROR ' + errors[0] if errors else ''}"
            + (f"; first feedback p95 {s['first_feedback']['p95'] * 1000:.1f} ms" if firsts else ""))
    for case in LOADS:
        if only and case.key not in only:
            continue
        entry = results["loads"].setdefault(case.key, {"name": case.name, "section": case.section, "load": {}})
        reason = _too_slow(entry["load"], scale, LOAD_LIMIT, "one run")
        if reason:
            entry["load"][key] = {"n": 0, "not_measurable": reason}
            log(f"  {case.name}: {reason}")
            continue
        try:
            samples = time_runs(lambda: case.run(world))
        except Exception as exc:
            entry["load"][key] = {"n": 0, "error": _failure(exc)}
            log(f"  {case.name}: ERROR {_failure(exc)}")
            continue
        entry["load"][key] = summarize(samples)
        log(f"  {case.name}: median {entry['load'][key]['median']:.3f} s (n={len(samples)})")


def world_for(scale: int, cache: Path | None):
    """The world at ``scale``: generated, or read from ``cache`` (a pickle written on first use).

    The cache only saves regenerating the same seed and scale between runs; the figures are
    the same either way because the generator is deterministic.
    """
    import pickle

    from calaim_course.synthetic import generate_world

    path = cache / f"world-{SEED}-{scale}.pickle" if cache else None
    if path is not None and path.exists():
        with path.open("rb") as handle:
            return pickle.load(handle)
    world = generate_world(seed=SEED, scale=scale)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            pickle.dump(world, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return world


def run(scales: list[int], only: set[str] | None = None, log=print, cache: Path | None = None) -> dict:
    results: dict = {"machine_before": machine(), "scales": scales, "seed": SEED, "generate_seconds": {},
                     "world_rows": {}, "widgets": {}, "loads": {}}
    for scale in scales:
        log(f"Generating the synthetic world at {scale:,} members ...")
        t0 = time.perf_counter()
        world = world_for(scale, cache)
        results["generate_seconds"][str(scale)] = time.perf_counter() - t0
        results["world_rows"][str(scale)] = {name: len(frame) for name, frame in world.tables().items()}
        log(f"  done in {results['generate_seconds'][str(scale)]:.1f} s; {world.row_count():,} rows")
        measure_scale(world, scale, results, only, log)
        del world
        gc.collect()
    results["machine_after"] = machine()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=None, help="members per world (default 10k 100k 1M)")
    parser.add_argument("--quick", action="store_true", help=f"small scales only ({QUICK_SCALES})")
    parser.add_argument("--only", nargs="+", default=None, help="case keys to run (default: all)")
    parser.add_argument("--json", type=Path, default=None, help="write the raw figures here")
    parser.add_argument("--world-cache", type=Path, default=None,
                        help="keep generated worlds here as pickles and reuse them (generation time is then load time)")
    args = parser.parse_args(argv)
    scales = args.scales or (QUICK_SCALES if args.quick else SCALES)
    if args.quick:  # fewer samples: for checking the harness, not for figures
        global LOAD_RUNS, MAX_SAMPLES, UPDATE_BUDGET
        LOAD_RUNS, MAX_SAMPLES, UPDATE_BUDGET = 1, 10, 1.0
    results = run(scales, set(args.only) if args.only else None, log=lambda m: print(m, flush=True),
                  cache=args.world_cache)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
