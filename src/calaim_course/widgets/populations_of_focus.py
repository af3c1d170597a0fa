"""The Population of Focus screener: one synthetic member, and suppressed counts across the caseload."""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from calaim_course import populations_of_focus as pof
from calaim_course.suppression import suppression_note
from calaim_course.widgets.common import html_table, message_area, safe_update

AGE_OPTIONS = [("All ages", pof.ALL), ("Adults (21 and over)", "adult"), ("Children and youth (under 21)", "child_youth")]


def member_html(screening: pof.Screening) -> str:
    return (
        f'<p class="course-result">{html.escape(screening.summary)}</p>'
        f"<p>{html.escape(screening.context)}</p>"
        + html_table(screening.table, f"Populations of Focus for member {screening.member_id}, and why each does or does not apply")
        + '<p class="course-figure-note">The screener applies one plan\'s public wording of the rules '
        "(a secondary source) to fictional data. A plan decides real eligibility, and also checks "
        "things the screener leaves out (for example, a complex health need for adults experiencing "
        "homelessness). Educational, not legal advice.</p>"
    )


def caseload_html(result, plan: str, age_group: str) -> str:
    view = pof.caseload_view(result, plan, age_group)
    where = "all plans" if plan == pof.TOTAL else plan
    ages = dict((v, k) for k, v in AGE_OPTIONS)[age_group].lower()
    return (
        html_table(view, f"Synthetic caseload, {where}, {ages}: members per Population of Focus (small counts hidden)")
        + '<p class="course-figure-note">In the full table behind these views (every plan together): '
        + f'{html.escape(suppression_note(result))} A member can meet more '
        "than one Population of Focus, so the rows do not add up to the caseload. The hiding is done "
        "once for all plans together, so a hidden count cannot be found by comparing plans.</p>"
    )


def pof_screener(members: pd.DataFrame | None = None, plan_names: dict[str, str] | None = None,
                 initial_member: str | None = None) -> widgets.VBox:
    """A member box (type or pick a synthetic id), plan and age filters, and two results.

    Without ``members`` it uses the committed synthetic world (``synthetic.load_world``).

    The returned box exposes ``.controls`` (``member``, ``plan``, ``age_group``),
    ``.member_result`` and ``.caseload_result`` (HTML), ``.result`` (the member result, for
    symmetry with other widgets), ``.message`` and ``.caseload_message`` (input problems).
    """
    if members is None:
        from calaim_course.synthetic import load_world

        world = load_world()
        members, plan_names = world.members, pof.plan_names(world.organizations)
    plan_names = plan_names or {}
    counts, suppressed = pof.suppressed_caseload(members, plan_names=plan_names)
    plans = [c for c in counts.columns if c != pof.TOTAL]
    ids = members["member_id"]
    ids = ids.tolist() if ids.is_monotonic_increasing else sorted(ids)  # the data is usually in id order already
    index = pof.MemberIndex(members)  # ids in order, so a member change is a binary search
    member = widgets.Combobox(
        value=initial_member or pof.default_member(members), options=ids, ensure_option=False,
        description="Member:", placeholder="type or pick an id such as " + ids[0],
        continuous_update=False, style={"description_width": "8rem"}, layout=widgets.Layout(width="30rem"),
    )
    plan = widgets.Dropdown(options=[("All plans", pof.TOTAL)] + [(p, p) for p in plans], value=pof.TOTAL,
                            description="Plan:", style={"description_width": "8rem"}, layout=widgets.Layout(width="30rem"))
    age_group = widgets.Dropdown(options=AGE_OPTIONS, value=pof.ALL, description="Age group:",
                                 style={"description_width": "8rem"}, layout=widgets.Layout(width="30rem"))
    member_result, caseload_result = widgets.HTML(), widgets.HTML()
    message, caseload_message = message_area(), message_area()

    @safe_update(message)
    def update_member(_change=None):
        member_result.value = member_html(pof.screen_member(members, member.value, plan_names=plan_names, index=index))

    @safe_update(caseload_message)
    def update_caseload(_change=None):
        caseload_result.value = caseload_html(suppressed, plan.value, age_group.value)

    member.observe(update_member, names="value")
    plan.observe(update_caseload, names="value")
    age_group.observe(update_caseload, names="value")
    update_member()
    update_caseload()
    box = widgets.VBox([
        widgets.HTML("<p><strong>One member</strong></p>"), member, message, member_result,
        widgets.HTML("<p><strong>The whole caseload</strong></p>"), widgets.HBox([plan, age_group]), caseload_message, caseload_result,
    ])
    box.controls = {"member": member, "plan": plan, "age_group": age_group}
    box.member_result, box.caseload_result, box.message = member_result, caseload_result, message
    box.caseload_message = caseload_message
    box.result = member_result
    return box
