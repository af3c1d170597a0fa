"""Population of Focus screener: which ECM Populations of Focus a member meets, and why.

The rules come from ``data/reference/ecm_populations_of_focus.csv`` (one row per
population and age group, with machine-readable columns ``criterion``, ``age_min``,
``age_max``, ``ed_visits_min``, ``unplanned_stays_min``, ``window_months`` and
``race_ethnicity_in``). They follow one plan's member-facing wording (SECONDARY), not
the DHCS ECM Policy Guide, and they leave out parts a plan also checks (for example,
adults experiencing homelessness also need a complex physical, behavioral or
developmental need). So the screener teaches the shape of the rules; the plan decides.

The start dates in the table are plan- or county-sourced (SECONDARY); the Birth Equity
date is not confirmed anywhere (UNVERIFIED), so the table leaves it blank.

Counts across the caseload go through small-cell suppression. The caseload can be
filtered by plan, so the counts are suppressed once, jointly, as one table of Population
of Focus by plan with a total column: a hidden count can then not be worked out by
subtracting one plan's view from another's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from calaim_course.errors import CourseInputError
from calaim_course.reference import load_reference
from calaim_course.suppression import SuppressedTable, suppress_counts

ALL = "all"
NO_PLAN = "Not enrolled in a plan"
TOTAL = "Total"
CASELOAD_ROW = "Members in the caseload (all ages)"
ANY_ROW = "Meet at least one Population of Focus (all ages)"
AGE_GROUP_LABELS = {"adult": "Adults (21 and over)", "child_youth": "Children and youth (under 21)"}
AGE_GROUP_WORDS = {"adult": "the adult group (21 and over)", "child_youth": "the children and youth group (under 21)"}
HOUSING_LABELS = {
    "stably_housed": "stably housed",
    "at_risk_within_30_days": "at risk of losing housing within 30 days",
    "fleeing_dv_in_shelter": "fleeing domestic violence, in a shelter",
    "homeless_sheltered": "homeless, in a shelter",
    "homeless_unsheltered": "homeless, without shelter",
}
# Yes/no criteria: what the member's flag means in words (met, not met).
FLAG_WORDS = {
    "homeless": (
        "experiencing homelessness as one plan defines it (the definition includes fleeing domestic violence "
        "and losing housing within 30 days)",
        "not recorded as experiencing homelessness",
    ),
    "homeless_with_family": ("experiencing homelessness with family members", "not recorded as homeless with family"),
    "smh_or_sud": ("has serious mental health needs or a substance use disorder", "no serious mental health or substance use need recorded"),
    "transitioning_from_incarceration": ("recently released from incarceration", "not transitioning from incarceration"),
    "ltc_risk": ("at risk of entering a nursing home", "not recorded as at risk of long-term care"),
    "nf_resident": ("living in a nursing facility and moving back to the community", "not a nursing facility resident"),
    "ccs_enrolled": ("in California Children's Services with additional needs", "not in California Children's Services"),
    "child_welfare_involved": ("involved in child welfare or foster care", "not involved in child welfare"),
}
MEMBER_COLUMNS = [
    "member_id", "age", "plan_id", "medi_cal_status", "housing_status", "race_ethnicity",
    "ed_visits_6m", "ed_visits_12m", "unplanned_stays_6m", "unplanned_stays_12m",
    "pregnant_or_postpartum", *FLAG_WORDS,
]


def pof_rules() -> pd.DataFrame:
    """The Populations of Focus reference table (rules, names, dates and sources)."""
    return load_reference("ecm_populations_of_focus")


def pof_label(rule: pd.Series) -> str:
    """A name that tells adult and child rows apart, for tables and charts."""
    group = "Adults" if rule["age_group"] == "adult" else "Children and youth"
    return f"{group}: {rule['name']}"


# -------------------------------------------------------------------------- the rules


def _check_members(members: pd.DataFrame) -> None:
    missing = [c for c in MEMBER_COLUMNS if c not in members.columns]
    if missing:
        raise CourseInputError("members table", f"no column {missing[0]!r}", "the synthetic members table's columns")


def _age_mask(rule: pd.Series, members: pd.DataFrame) -> pd.Series:
    ok = members["age"] >= rule["age_min"]
    if not pd.isna(rule["age_max"]):
        ok &= members["age"] <= rule["age_max"]
    return ok


def _groups(rule: pd.Series) -> list[str]:
    value = rule["race_ethnicity_in"]
    return [] if pd.isna(value) else [g.strip() for g in str(value).split(";") if g.strip()]


def _criterion_mask(rule: pd.Series, members: pd.DataFrame) -> pd.Series:
    """True where a member meets the rule's criterion (age not included)."""
    criterion = rule["criterion"]
    if criterion == "utilization":
        window = int(rule["window_months"])
        ed = members[f"ed_visits_{window}m"] >= rule["ed_visits_min"]
        stays = members[f"unplanned_stays_{window}m"] >= rule["unplanned_stays_min"]
        return ed | stays
    if criterion == "birth_equity":
        return members["pregnant_or_postpartum"].astype(bool) & members["race_ethnicity"].isin(_groups(rule))
    if criterion in FLAG_WORDS:
        return members[criterion].astype(bool)
    raise CourseInputError("criterion", criterion, "a rule type the screener knows: " + ", ".join(["utilization", "birth_equity", *FLAG_WORDS]))


def rule_mask(rule: pd.Series, members: pd.DataFrame) -> pd.Series:
    """True where a member meets this Population of Focus (age group and criterion)."""
    return _age_mask(rule, members) & _criterion_mask(rule, members)


def meets_matrix(members: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """Members by Population of Focus (columns are ``pof_id``): True where the member meets it.

    With the reference rules this is the synthetic generator's own screener
    (``synthetic.screen_populations_of_focus``), so the caseload counts agree with the
    ``ecm_pof_ids`` column of the data. The per-member explanation below applies the same
    rule columns row by row, and a test checks the two agree for every member.
    """
    _check_members(members)
    if rules is None:
        from calaim_course.synthetic import screen_populations_of_focus

        return screen_populations_of_focus(members)
    return pd.DataFrame(
        {rule["pof_id"]: rule_mask(rule, members).to_numpy() for _, rule in rules.iterrows()},
        index=members.index,
    )


def pof_ids(members: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.Series:
    """Each member's Populations of Focus as ';'-joined ids (empty string for none)."""
    matrix = meets_matrix(members, rules)
    names = np.asarray(matrix.columns)
    return pd.Series([";".join(names[row]) for row in matrix.to_numpy()], index=members.index)


# ---------------------------------------------------------------------- one member


def _reason(rule: pd.Series, member: pd.Series, meets_age: bool, meets_criterion: bool) -> str:
    group = AGE_GROUP_WORDS[rule["age_group"]]
    age_text = f"age {member['age']}: " + (f"in {group}" if meets_age else f"not in {group}")
    criterion = rule["criterion"]
    if criterion == "utilization":
        window = int(rule["window_months"])
        ed, stays = int(member[f"ed_visits_{window}m"]), int(member[f"unplanned_stays_{window}m"])
        text = (
            f"{ed} emergency department visit{'s' if ed != 1 else ''} and {stays} unplanned stay{'s' if stays != 1 else ''} "
            f"in the {window} months before intake; the rule needs {int(rule['ed_visits_min'])} or more visits "
            f"or {int(rule['unplanned_stays_min'])} or more stays"
        )
    elif criterion == "birth_equity":
        pregnant = bool(member["pregnant_or_postpartum"])
        listed = member["race_ethnicity"] in _groups(rule)
        text = (
            ("pregnant or within a year postpartum" if pregnant else "not recorded as pregnant or postpartum")
            + f"; race or ethnicity recorded as {member['race_ethnicity']}, "
            + ("one of" if listed else "not one of")
            + " the groups one plan lists for Birth Equity"
        )
    else:
        text = FLAG_WORDS[criterion][0 if meets_criterion else 1]
    return f"{age_text[0].upper()}{age_text[1:]}; {text}."


def _start_date(rule: pd.Series) -> str:
    go_live = rule["go_live"]
    if pd.isna(go_live):
        return "Not confirmed in any source the course reached"
    day = pd.Timestamp(go_live).date()
    how = "plan or county source" if rule["go_live_confidence"] == "SECONDARY" else str(rule["go_live_confidence"])
    return f"{day:%B} {day.day}, {day.year} ({how})"


@dataclass(frozen=True)
class Screening:
    """The screener's answer for one member."""

    member_id: str
    age: int
    age_group: str
    table: pd.DataFrame  # one row per Population of Focus of the member's age group
    applies: tuple[str, ...]  # labels of the Populations of Focus met
    context: str  # plan and Medi-Cal status, in words

    @property
    def summary(self) -> str:
        group = {"adult": "adult group, 21 and over", "child_youth": "children and youth group, under 21"}[self.age_group]
        if not self.applies:
            return (
                f"Member {self.member_id}, age {self.age} ({group}), meets none of the "
                f"{len(self.table)} Populations of Focus for their age group, under the screener's rules."
            )
        names = "; ".join(label.split(": ", 1)[1] for label in self.applies)
        count = len(self.applies)
        return (
            f"Member {self.member_id}, age {self.age} ({group}), meets {count} of the {len(self.table)} "
            f"Populations of Focus for their age group: {names}."
        )


def _age_group(age: int) -> str:
    return "adult" if age >= 21 else "child_youth"


class MemberIndex:
    """The members' ids in capitals, sorted, with the row each came from: made once, so that
    finding a member is a binary search instead of a pass over every member."""

    def __init__(self, members: pd.DataFrame):
        upper = members["member_id"].str.upper()
        rows = np.flatnonzero(upper.notna().to_numpy())  # a missing id matches nothing
        ids = upper.to_numpy(dtype=object)[rows]
        # A stable sort keeps repeated ids in row order, so the first match is the first row.
        # (Synthetic ids are already in order, which makes this sort quick.)
        order = np.argsort(ids, kind="stable")
        self.sorted_ids, self.rows = ids[order], rows[order]

    def position(self, wanted: str) -> int | None:
        """The position of the first row whose id, in capitals, is ``wanted``; None if there is none."""
        at = int(np.searchsorted(self.sorted_ids, wanted, side="left"))
        if at < len(self.sorted_ids) and self.sorted_ids[at] == wanted:
            return int(self.rows[at])
        return None


def find_member(members: pd.DataFrame, member_id: object, index: MemberIndex | None = None) -> pd.Series:
    """The row of ``member_id``; a clear message if there is no such member.

    ``index``: ``MemberIndex(members)``, made once by a caller that looks up many members;
    without it, this compares the id with every member's.
    """
    example = members["member_id"].iloc[0] if len(members) else "a member id"
    if not isinstance(member_id, str) or not member_id.strip():
        raise CourseInputError("Member", member_id, f"a synthetic member id from the list, such as {example}")
    wanted = member_id.strip().upper()
    if index is not None:
        position = index.position(wanted)
        if position is None:
            raise CourseInputError("Member", member_id, f"a synthetic member id from the list, such as {example}")
        return members.iloc[position]
    rows = members[members["member_id"].str.upper() == wanted]
    if rows.empty:
        raise CourseInputError("Member", member_id, f"a synthetic member id from the list, such as {example}")
    return rows.iloc[0]


def screen_member(members: pd.DataFrame, member_id: object, rules: pd.DataFrame | None = None,
                  plan_names: dict[str, str] | None = None, index: MemberIndex | None = None) -> Screening:
    """Which Populations of Focus of the member's age group apply, with the reason for each.

    ``index``: as for ``find_member``.
    """
    _check_members(members)
    rules = pof_rules() if rules is None else rules
    member = find_member(members, member_id, index)
    # The member as a one-row table of the columns the rules read, with the table's types.
    # (Only those columns: giving every column its type rebuilt categories as large as the data.)
    one = member[MEMBER_COLUMNS].to_frame().T.astype({c: members.dtypes[c] for c in MEMBER_COLUMNS})
    group = _age_group(int(member["age"]))
    rows, applies = [], []
    for _, rule in rules[rules["age_group"] == group].iterrows():
        meets_age = bool(_age_mask(rule, one).iloc[0])
        meets_criterion = bool(_criterion_mask(rule, one).iloc[0])
        met = meets_age and meets_criterion
        label = pof_label(rule)
        if met:
            applies.append(label)
        rows.append({
            "Population of Focus": rule["long_name"],
            "Applies?": "Yes" if met else "No",
            "Why": _reason(rule, member, meets_age, meets_criterion),
            "Start date (how sure)": _start_date(rule),
        })
    return Screening(
        member_id=str(member["member_id"]), age=int(member["age"]), age_group=group,
        table=pd.DataFrame(rows), applies=tuple(applies), context=_context(member, plan_names or {}),
    )


def _context(member: pd.Series, plan_names: dict[str, str]) -> str:
    housing = HOUSING_LABELS.get(member["housing_status"], str(member["housing_status"]))
    status = str(member["medi_cal_status"]).replace("_", " ")
    if pd.isna(member["plan_id"]):
        plan = "not enrolled in a managed care plan, and ECM is a managed care plan benefit"
    else:
        plan = f"enrolled in {plan_names.get(member['plan_id'], member['plan_id'])}"
    return f"Housing at intake: {housing}. Medi-Cal status: {status}; {plan}."


# ------------------------------------------------------------------------ the caseload


def plan_names(organizations: pd.DataFrame) -> dict[str, str]:
    """Plan id -> plan name, from the synthetic organizations table."""
    plans = organizations[organizations["org_type"] == "managed_care_plan"]
    return dict(zip(plans["org_id"], plans["name"]))


def plan_column(members: pd.DataFrame, plan_names: dict[str, str] | None = None) -> pd.Series:
    """Each member's plan name (or "Not enrolled in a plan")."""
    names = plan_names or {}
    return members["plan_id"].map(lambda p: NO_PLAN if pd.isna(p) else names.get(p, p))


def caseload_counts(members: pd.DataFrame, rules: pd.DataFrame | None = None,
                    plan_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Counts of members: rows are Populations of Focus (plus the caseload and "at least
    one"), columns are plans plus a Total column. Each row's total is the sum of its plans."""
    rules = pof_rules() if rules is None else rules
    matrix = meets_matrix(members, rules)
    # Each member's plan id as a number, then the plan name of each id (named once, from one
    # member each: naming a million members one by one is slow).
    id_codes, _ = pd.factorize(members["plan_id"], use_na_sentinel=False)
    _, first = np.unique(id_codes, return_index=True)
    plans = plan_column(members.iloc[first], plan_names).tolist()
    order = sorted(p for p in set(plans) if p != NO_PLAN) + ([NO_PLAN] if NO_PLAN in plans else [])
    labels = {r["pof_id"]: pof_label(r) for _, r in rules.iterrows()}
    # Each member's plan as a position in ``order``, then one count per plan for each row.
    plan_index = pd.Index(order).get_indexer(plans)[id_codes]

    def per_plan(flags: np.ndarray) -> np.ndarray:
        return np.bincount(plan_index[flags], minlength=len(order))

    data = {labels[pid]: per_plan(matrix[pid].to_numpy(dtype=bool)) for pid in matrix.columns}
    data[ANY_ROW] = per_plan(matrix.to_numpy(dtype=bool).any(axis=1))
    data[CASELOAD_ROW] = np.bincount(plan_index, minlength=len(order))
    rows = [CASELOAD_ROW, ANY_ROW, *labels.values()]
    table = pd.DataFrame(np.array([data[row] for row in rows], dtype="int64"),
                         index=pd.Index(rows), columns=pd.Index(order))
    table[TOTAL] = table.sum(axis=1)
    table.index.name = "Population of Focus"
    table.columns.name = "Plan"
    return table


def suppressed_caseload(members: pd.DataFrame, rules: pd.DataFrame | None = None,
                        plan_names: dict[str, str] | None = None) -> tuple[pd.DataFrame, SuppressedTable]:
    """The counts and their suppression, done once for every plan view together.

    Rows overlap (a member can meet several Populations of Focus), so only the Total
    column is a real total: ``implicit_totals=False`` stops the column sums from being
    treated as published totals.
    """
    counts = caseload_counts(members, rules, plan_names)
    return counts, suppress_counts(counts, margins=None, implicit_totals=False)


def age_group_of_row(label: str) -> str:
    if label.startswith("Adults: "):
        return "adult"
    if label.startswith("Children and youth: "):
        return "child_youth"
    return ALL


def caseload_view(result: SuppressedTable, plan: str = TOTAL, age_group: str = ALL) -> pd.DataFrame:
    """One plan's column of the jointly suppressed table, for one age group (or all)."""
    plans = list(result.shown.columns)
    if plan not in plans:
        raise CourseInputError("Plan", plan, "one of: " + ", ".join(plans))
    if age_group not in (ALL, *AGE_GROUP_LABELS):
        raise CourseInputError("Age group", age_group, "all, adult or child_youth")
    labels = list(result.shown.index)
    keep = [l for l in labels if age_group == ALL or age_group_of_row(l) in (ALL, age_group)]
    shown = result.shown.loc[keep, plan]
    hidden = result.mask.loc[keep, plan]
    return pd.DataFrame({
        "Population of Focus": keep,
        "Members": [("suppressed" if h else f"{int(v):,}") for v, h in zip(shown, hidden)],
    })


def chart_data(result: SuppressedTable) -> pd.DataFrame:
    """Long form for the chart: one row per Population of Focus and plan (totals included)."""
    long = result.to_long(include_totals=True)
    long = long[~long["Population of Focus"].isin([CASELOAD_ROW, ANY_ROW])].copy()
    long["age_group"] = long["Population of Focus"].map(
        lambda l: "Adults" if age_group_of_row(l) == "adult" else "Children and youth")
    long["short_name"] = long["Population of Focus"].str.split(": ", n=1).str[1]
    long["label"] = [("suppressed" if s else f"{int(c):,}") for c, s in zip(long["count"], long["suppressed"])]
    long["value"] = long["count"].astype("float64").fillna(0.0)
    long["Plan"] = long["Plan"].replace({TOTAL: "All plans"})
    return long.reset_index(drop=True)


def caseload_finding(result: SuppressedTable) -> str:
    """The chart's main finding, computed from the shown (suppressed) counts."""
    column = result.shown[TOTAL]
    caseload, any_pof = column.get(CASELOAD_ROW), column.get(ANY_ROW)
    pofs = column.drop([CASELOAD_ROW, ANY_ROW]).dropna()
    if pofs.empty:
        return "Every Population of Focus count is hidden by small-cell suppression."
    top_label = pofs.astype("int64").idxmax()
    top = int(pofs[top_label])
    parts = [f"Across all plans, the Population of Focus the most members meet is {top_label.split(': ', 1)[1].lower()} "
             f"({'adults' if age_group_of_row(top_label) == 'adult' else 'children and youth'}, {top:,} members)"]
    if caseload is not pd.NA and any_pof is not pd.NA:
        parts.append(f"{int(any_pof):,} of the {int(caseload):,} members meet at least one Population of Focus "
                     f"({100 * int(any_pof) / int(caseload):.0f}%)")
    return "; ".join(parts) + "."


def default_member(members: pd.DataFrame, rules: pd.DataFrame | None = None) -> str:
    """A deterministic, instructive default: the first adult (by id) who meets two or more."""
    matrix = meets_matrix(members, rules)
    counts = matrix.sum(axis=1)
    candidates = members.loc[(counts >= 2) & (members["age"] >= 21), "member_id"]
    if candidates.empty:
        candidates = members["member_id"]
    return str(candidates.min())  # the first id in sorted order (no need to sort them all)



# --------------------------------------------------------------------------- the chart

SUPPRESSED_KEY = "Hidden (small-cell suppression)"


def caseload_chart(result: SuppressedTable):
    """Bars of members per Population of Focus, with a plan drop-down and a legend selection.

    Both work in the static book (Vega-Lite parameters, no Python). Hidden counts get no
    bar: their row says "suppressed" in grey, and the legend names them.
    """
    import altair as alt

    from calaim_course.charts import OKABE_ITO, SUPPRESSED_COLOUR

    data = chart_data(result)
    data["group_key"] = [SUPPRESSED_KEY if s else g for s, g in zip(data["suppressed"], data["age_group"])]
    plans = ["All plans"] + [p for p in data["Plan"].unique() if p != "All plans"]
    plan = alt.param(name="plan", value="All plans",
                     bind=alt.binding_select(options=plans, name="Plan: "))
    pick = alt.selection_point(fields=["group_key"], bind="legend")
    order = [label for label in result.shown.index if label not in (CASELOAD_ROW, ANY_ROW)]
    base = (
        alt.Chart(data, title=alt.Title(
            "Which ECM Populations of Focus the synthetic caseload meets",
            subtitle=["Members of the fictional agency, by the screener's rules. Counts from 1 to 10 are hidden.",
                      "Choose a plan below the chart; click a legend entry to highlight a group."],
        ))
        .transform_filter(alt.datum.Plan == plan)
        .encode(y=alt.Y("Population of Focus:N", sort=order, title=None,
                        axis=alt.Axis(labelLimit=360)))
    )
    bars = base.mark_bar().encode(
        x=alt.X("value:Q", title="Members"),
        color=alt.Color("group_key:N", title="Age group (click to highlight)",
                        legend=alt.Legend(orient="bottom", titleLimit=300, labelLimit=300),
                        scale=alt.Scale(domain=["Adults", "Children and youth", SUPPRESSED_KEY],
                                        range=[OKABE_ITO[0], OKABE_ITO[1], SUPPRESSED_COLOUR])),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
        tooltip=[alt.Tooltip("Population of Focus:N"), alt.Tooltip("Plan:N"), alt.Tooltip("label:N", title="Members")],
    ).add_params(plan, pick)
    labels = base.mark_text(align="left", dx=4, fontSize=11).encode(
        x=alt.X("value:Q"),
        text="label:N",
        color=alt.condition(alt.datum.suppressed, alt.value("#555555"), alt.value("#222222")),
    )
    return (bars + labels).properties(width=300, height=alt.Step(20))
