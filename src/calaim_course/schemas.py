"""pandera schemas for every reference table and every synthetic table.

The schemas are the single description of the course's data: they validate every
table on load and in tests, and the data dictionary page (``book/data-dictionary.md``)
is generated from them (``calaim_course.data_dictionary``). So every column carries a
``description`` written for a reader with no health-care background.

Two dictionaries are public: ``REFERENCE_SCHEMAS`` (files in ``data/reference/``) and
``SYNTHETIC_SCHEMAS`` (files in ``data/synthetic/``), each mapping a table name to its
``DataFrameSchema``. Each schema's ``description`` says what one row is; its
``metadata`` holds the primary key and, for synthetic tables, the generator's
assumptions.
"""

from __future__ import annotations

import re

import pandas as pd
from pandera.pandas import Check, Column, DataFrameSchema

from calaim_course import freeze_long_lived_objects
from calaim_course.npi import is_valid_npi_array

# Confidence marks used across the course (see the fact base's legend).
CONFIDENCE = ["VERIFIED", "SECONDARY", "UNVERIFIED", "ILLUSTRATIVE"]
DATE = "datetime64[us]"  # pandas 3's default unit for parsed dates

# Identifier formats. Every synthetic id starts with "SYN-" and a table tag, then digits
# only: no real system issues ids in this shape, and none of them looks like a Medi-Cal
# CIN (8 digits followed by a letter) or a Social Security number.
ID_PATTERNS = {
    "org": r"^SYN-ORG-\d{3}$",
    "staff": r"^SYN-STF-\d{6}$",
    "member": r"^SYN-M-\d{7}$",
    "plan_member": r"^SYNP-\d{8}$",
    "consent": r"^SYN-CON-\d{8}$",
    "referral": r"^SYN-REF-\d{8}$",
    "service": r"^SYN-SVC-\d{9}$",
    "claim": r"^SYN-CLM-\d{8}$",
    "invoice": r"^SYN-INV-\d{6}$",
    "remittance": r"^SYN-RA-\d{6}$",
    "eft": r"^SYN-EFT-\d{8}$",
    "audit": r"^SYN-AUD-\d{7}$",
}
PHONE_PATTERN = r"^555-01\d\d$"  # the 555-0100 to 555-0199 range is reserved for fiction
EMAIL_PATTERN = r"^[a-z0-9.]+@([a-z0-9-]+\.)*example\.org$"  # example.org and its subdomains (reserved, RFC 2606)


# --------------------------------------------------------------------------- helpers
def _col(dtype, description: str, checks=None, nullable: bool = False, unique: bool = False) -> Column:
    if checks is not None and not isinstance(checks, list):
        checks = [checks]
    return Column(dtype, checks=checks, nullable=nullable, unique=unique, description=description)


def _text(description: str, **kw) -> Column:
    return _col("str", description, **kw)


def _one_of(values, description: str, nullable: bool = False, dtype="str") -> Column:
    return _col(dtype, description, Check.isin(list(values)), nullable=nullable)


def _id(kind: str, description: str, nullable: bool = False, unique: bool = False) -> Column:
    return _col("str", description, Check.str_matches(ID_PATTERNS[kind]), nullable=nullable, unique=unique)


def _date(description: str, nullable: bool = False) -> Column:
    return _col(DATE, description, nullable=nullable)


def _flag(description: str) -> Column:
    return _col("bool", description)


def _count(description: str, low: int = 0, high: int | None = None, dtype="int64", nullable=False) -> Column:
    check = Check.ge(low) if high is None else Check.in_range(low, high)
    return _col(dtype, description, check, nullable=nullable)


def _money(description: str, nullable: bool = False) -> Column:
    return _col("float64", description, Check.ge(0), nullable=nullable)


def _npi(description: str, nullable: bool = False) -> Column:
    return _col(
        "str", description,
        [Check.str_matches(r"^\d{10}$"),
         Check(lambda s: pd.Series(is_valid_npi_array(s), index=s.index), element_wise=False,
               error="NPI check digit (Luhn with prefix 80840) is wrong", name="valid_npi_check_digit")],
        nullable=nullable,
    )


def _source_columns() -> dict[str, Column]:
    """The four columns every reference table ends with."""
    return {
        "source_url": _text("Web address of the source the row was read in. Empty only for ILLUSTRATIVE or UNVERIFIED rows.",
                            checks=Check.str_matches(r"^https://"), nullable=True),
        "confidence": _one_of(CONFIDENCE, "How sure the course is: VERIFIED (read in an authoritative source), SECONDARY (read in a non-authoritative source, such as a plan's page), UNVERIFIED (not confirmed: never taught as fact), ILLUSTRATIVE (invented for the synthetic data)."),
        "last_verified": _date("Date the row was last checked against its source."),
        "note": _text("Caveats, dates and other sources for the row.", nullable=True),
    }


def _url_unless_unsourced(df: pd.DataFrame) -> pd.Series:
    return df["source_url"].notna() | df["confidence"].isin(["ILLUSTRATIVE", "UNVERIFIED"])


def _reference(name: str, description: str, columns: dict, key: list[str], checks=None) -> DataFrameSchema:
    return DataFrameSchema(
        {**columns, **_source_columns()},
        checks=[Check(_url_unless_unsourced, error="source_url is required unless the row is ILLUSTRATIVE or UNVERIFIED"),
                *(checks or [])],
        unique=key, name=name, description=description, strict=True, ordered=True,
        metadata={"key": key, "kind": "reference"},
    )


def _code_list_ok(series: pd.Series) -> pd.Series:
    """Semicolon-separated CODE+MODIFIER items, for example 'H0043+U6;H2016+U6'."""
    pattern = re.compile(r"^[A-Z0-9]{5}(\+[A-Z0-9]{2}){0,4}(;[A-Z0-9]{5}(\+[A-Z0-9]{2}){0,4})*$")
    return series.map(lambda v: bool(pattern.match(v)) if isinstance(v, str) else True).astype(bool)


# --------------------------------------------------------------------------- reference
REFERENCE_SCHEMAS: dict[str, DataFrameSchema] = {
    "fpl": _reference(
        "fpl", "HHS poverty guidelines (100% of the federal poverty level, 48 states and DC), one row per year and household size 1 to 8. Larger households add the per-person increment.",
        {
            "year": _count("Guideline year.", 2000, 2100),
            "household_size": _count("People in the household (1 to 8).", 1, 8),
            "poverty_guideline_usd": _count("Yearly income at 100% of the poverty guideline, in US dollars.", 1),
            "increment_per_extra_person_usd": _count("Dollars added for each person beyond 8.", 1),
        },
        key=["year", "household_size"],
    ),
    "medi_cal_income_limits": _reference(
        "medi_cal_income_limits", "Medi-Cal income limits as a percent of the federal poverty level, one row per program group.",
        {
            "group_id": _text("Short stable name of the group.", unique=True),
            "group_name": _text("Name of the program group."),
            "percent_fpl_above": _count("Income must be above this percent of the poverty level (empty when there is no lower bound).", 0, 1000, dtype="Int64", nullable=True),
            "percent_fpl_max": _count("Income limit: up to this percent of the poverty level.", 1, 1000),
            "age_min": _count("Youngest age covered, where the source gives one.", 0, 120, dtype="Int64", nullable=True),
            "age_max": _count("Oldest age covered, where the source gives one.", 0, 120, dtype="Int64", nullable=True),
        },
        key=["group_id"],
    ),
    "ecm_populations_of_focus": _reference(
        "ecm_populations_of_focus", "Enhanced Care Management (ECM) Populations of Focus, one row per population and age group, with machine-readable rules a screener can apply to a member's attributes.",
        {
            "pof_id": _text("Short stable identifier of the population of focus.", unique=True),
            "name": _text("Name as managed care plans report it to DHCS."),
            "long_name": _text("Longer form of the name used in plan data files."),
            "age_group": _one_of(["adult", "child_youth"], "Adults (21 and over) or children and youth (under 21)."),
            "age_min": _count("Youngest age in this group.", 0, 120),
            "age_max": _count("Oldest age in this group (empty: no upper limit).", 0, 120, dtype="Int64", nullable=True),
            "criterion": _one_of(
                ["homeless", "homeless_with_family", "utilization", "smh_or_sud", "transitioning_from_incarceration",
                 "ltc_risk", "nf_resident", "birth_equity", "ccs_enrolled", "child_welfare_involved"],
                "Rule type. For most rows it is the name of a yes/no member attribute that must be true; 'utilization' uses the visit thresholds; 'birth_equity' needs pregnant_or_postpartum and a listed race or ethnicity."),
            "ed_visits_min": _count("Utilization rule: at least this many emergency department visits in the window.", 1, 100, dtype="Int64", nullable=True),
            "unplanned_stays_min": _count("Utilization rule: or at least this many unplanned hospital or short-term skilled nursing stays in the window.", 1, 100, dtype="Int64", nullable=True),
            "window_months": _one_of([6, 12], "Utilization rule: look-back window in months.", nullable=True, dtype="Int64"),
            "race_ethnicity_in": _text("Birth Equity rule: semicolon-separated race or ethnicity values that qualify.", nullable=True),
            "criteria": _text("The criteria in plain words."),
            "go_live": _date("Date the population of focus started (empty where the date is not confirmed).", nullable=True),
            "go_live_confidence": _one_of(CONFIDENCE, "Confidence of the go-live date (can differ from the row's)."),
            "go_live_source": _text("Where the go-live date comes from."),
        },
        key=["pof_id"],
    ),
    "ecm_core_components": _reference(
        "ecm_core_components", "The seven core service components of Enhanced Care Management, in DHCS wording as one plan gives it.",
        {
            "component_number": _count("Position in the list (1 to 7).", 1, 7),
            "component_id": _text("Short stable identifier.", unique=True),
            "name": _text("Component name."),
        },
        key=["component_number"],
    ),
    "community_supports": _reference(
        "community_supports", "The 14 pre-approved Community Supports plus Transitional Rent (the 15th), one row each, with the HCPCS code and modifier combinations one plan's reporting code lists.",
        {
            "cs_id": _text("Short stable identifier of the Community Support.", unique=True),
            "number": _count("Number in the DHCS list (1 to 15).", 1, 15),
            "name": _text("Current service name (spring 2025 Community Supports Policy Guide)."),
            "former_name": _text("Earlier name, where it changed in 2025.", nullable=True),
            "kind": _one_of(["housing", "respite", "day_habilitation", "transitions", "home", "food", "sobering", "asthma"], "Broad kind of support."),
            "policy_guide_volume": _count("Volume of the Community Supports Policy Guide that covers it (the split by service is SECONDARY).", 1, 2),
            "hcpcs_codes": _text("Semicolon-separated HCPCS code and modifier combinations, for example H0043+U6;H2016+U6.",
                                 checks=Check(_code_list_ok, element_wise=False, error="hcpcs_codes must look like H0043+U6;H2016+U6")),
            "codes_confidence": _one_of(CONFIDENCE, "Confidence of the codes (can differ from the row's)."),
            "codes_source": _text("Where the codes come from."),
            "in_closed_loop_scope": _flag("Whether Closed Loop Referral rules apply to referrals for this support (Sobering Centers are excluded)."),
            "available_from": _date("Date the support became available, where it is recent (empty for the original 14).", nullable=True),
            "survivor_relevance_analysis": _text("Course analysis, not a sourced fact: why the support can matter to a survivor."),
        },
        key=["cs_id"],
    ),
    "ecm_codes": _reference(
        "ecm_codes", "ECM billing codes, modifiers and their combinations, each with the confidence the fact base gives it. The synthetic data uses only VERIFIED or SECONDARY combinations.",
        {
            "code_id": _text("Identifier of the row: the code, the modifier, or code_modifier for a combination.", unique=True),
            "row_type": _one_of(["code", "modifier", "combination"], "Whether the row is a base code, a modifier, or a combination of both."),
            "hcpcs": _text("HCPCS base code.", nullable=True, checks=Check.str_matches(r"^[A-Z]\d{4}$")),
            "modifiers": _text("Modifiers joined with '+'.", nullable=True, checks=Check.str_matches(r"^[A-Z0-9]{2}(\+[A-Z0-9]{2})*$")),
            "staff_type": _one_of(["clinical", "non_clinical"], "Staff type the code or modifier is for.", nullable=True),
            "contact_mode": _one_of(["in_person", "telephonic"], "In person, or by phone or telehealth.", nullable=True),
            "purpose": _one_of(["ecm_service", "outreach"], "An ECM service or an outreach attempt.", nullable=True),
            "description": _text("What the row means."),
        },
        key=["code_id"],
    ),
    "chw_codes": _reference(
        "chw_codes", "Community Health Worker (CHW) billing codes and their rules.",
        {
            "code": _text("CPT or HCPCS code.", unique=True, checks=Check.str_matches(r"^[0-9A-Z]\d{4}$")),
            "code_system": _one_of(["CPT", "HCPCS"], "Code system."),
            "description": _text("What the code covers."),
            "minutes_per_unit": _count("Minutes in one unit.", 1, 120),
            "minutes_confidence": _one_of(CONFIDENCE, "Confidence of the minutes (can differ from the row's)."),
            "group_size_min": _count("Smallest number of patients in the session.", 1, 8),
            "group_size_max": _count("Largest number of patients in the session.", 1, 8),
            "effective_from": _date("First date of service the code may be used for Medi-Cal CHW services (empty: since the benefit began).", nullable=True),
            "requires_initiating_visit": _flag("Whether an initiating visit billed with an evaluation and management (E/M) code is required."),
            "initiating_visit_codes": _text("E/M codes that count as the initiating visit (ranges with '-').", nullable=True),
            "requires_plan_of_care": _flag("Whether a treatment plan or plan of care naming the unmet social drivers of health is required."),
            "diagnosis_rule": _text("Rule for the ICD-10-CM diagnosis code."),
        },
        key=["code"],
    ),
    "clr_referral_statuses": _reference(
        "clr_referral_statuses", "Closed Loop Referral (CLR) Referral Status values, as one plan summarizes the DHCS guidance.",
        {
            "status": _text("Referral Status value.", unique=True),
            "sequence": _count("Course's illustrative order of the statuses (Accepted and Declined are alternatives).", 1, 4),
            "meaning": _text("What the status means, in plain words."),
        },
        key=["status"],
    ),
    "clr_closure_reasons": _reference(
        "clr_closure_reasons", "Reasons for Referral Loop Closure. Only 'Services Received' is confirmed; the others are invented for the synthetic data.",
        {
            "reason_id": _text("Short stable identifier.", unique=True),
            "reason": _text("Reason as written in the data."),
            "services_rendered": _flag("Whether the reason means services were rendered or begun."),
        },
        key=["reason_id"],
    ),
    "claim_statuses": _reference(
        "claim_statuses", "Claim statuses used by the synthetic data (illustrative vocabulary).",
        {
            "status": _text("Status value.", unique=True),
            "final": _flag("Whether the status is a final decision."),
            "meaning": _text("What the status means."),
        },
        key=["status"],
    ),
    "denial_reasons": _reference(
        "denial_reasons", "Denial reasons used by the synthetic data (illustrative, plain language; no payer code is claimed).",
        {
            "denial_reason_id": _text("Short stable identifier.", unique=True),
            "reason": _text("Reason in plain words."),
            "applies_to": _one_of(["claim", "line"], "Whether the reason denies a whole claim or one line."),
            "what_to_check": _text("What billing staff can check to prevent it."),
        },
        key=["denial_reason_id"],
    ),
    "cms1500_items": _reference(
        "cms1500_items", "CMS-1500 claim form items (NUCC form version 02/12) the course uses, with the synthetic column that fills each.",
        {
            "item": _text("Item number on the form.", unique=True),
            "content": _text("What the item holds."),
            "synthetic_column": _text("Synthetic table and column that hold the value (table.column; several joined with ';').", nullable=True),
        },
        key=["item"],
    ),
    "icd10_codes": _reference(
        "icd10_codes", "ICD-10-CM diagnosis codes relevant to intimate partner violence and social needs. UNVERIFIED rows are listed so the course can say they are unconfirmed; the synthetic data never uses them.",
        {
            "code": _text("ICD-10-CM code.", unique=True, checks=Check.str_matches(r"^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?$")),
            "description": _text("What the code means."),
            "category": _one_of(["partner_violence", "other_abuse", "history_of_abuse", "confirmed_abuse", "suspected_abuse", "housing"], "Broad category."),
            "billable_note": _text("Billing note from the source.", nullable=True),
        },
        key=["code"],
    ),
    "places_of_service": _reference(
        "places_of_service", "CMS place of service codes the synthetic data uses (claim form item 24B).",
        {
            "pos_code": _text("Two-digit place of service code.", unique=True, checks=Check.str_matches(r"^\d{2}$")),
            "name": _text("Code name in the CMS code set."),
            "setting": _one_of(["telehealth", "shelter", "office", "home", "community"], "Course grouping of the setting."),
        },
        key=["pos_code"],
    ),
    "demographic_categories": _reference(
        "demographic_categories", "Demographic categories the synthetic members use (illustrative; the DHCS reporting category list was not read).",
        {
            "category_type": _one_of(["gender_identity", "race_ethnicity", "preferred_language"], "Which member column the value belongs to."),
            "value": _text("Category value."),
            "sort_order": _count("Display order within the category type.", 1, 50),
        },
        key=["category_type", "value"],
    ),
    "illustrative_rates": _reference(
        "illustrative_rates", "Charges the synthetic agency puts on its claims (invented; not real rates).",
        {
            "rate_key": _text("Program or Community Support the charge applies to.", unique=True),
            "unit": _text("What one unit is."),
            "charge_min_usd": _money("Lowest charge per unit, in US dollars."),
            "charge_max_usd": _money("Highest charge per unit, in US dollars (equal to the minimum for a fixed charge)."),
        },
        key=["rate_key"],
        checks=[Check(lambda df: df["charge_max_usd"] >= df["charge_min_usd"], error="charge_max_usd must be >= charge_min_usd")],
    ),
    "calaim_uptake": _reference(
        "calaim_uptake", "Share of managed care plan members who used ECM or Community Supports, by year.",
        {
            "program": _text("Program."),
            "year": _count("Calendar year.", 2000, 2100),
            "measure": _text("What the percent measures."),
            "percent_of_mcp_members": _col("float64", "Percent of managed care plan members.", Check.in_range(0, 100)),
        },
        key=["program", "year", "measure"],
    ),
    # Tables added by the section authors (schemas kept here so every file is validated).
    "calaim_timeline": _reference(
        "calaim_timeline", "Dated CalAIM and Medi-Cal events the course's timeline shows, one row per event.",
        {
            "date": _date("Date of the event."),
            "event": _text("What happened."),
            "initiative": _text("Initiative or topic the event belongs to."),
        },
        key=["date", "event"],
    ),
    "contracting_checklist": _reference(
        "contracting_checklist", "Steps and documents for contracting with a managed care plan, one row per checklist item.",
        {
            "item_id": _text("Short stable identifier.", unique=True),
            "order": _count("Position in the checklist.", 1, 100),
            "category": _text("Group of items."),
            "item": _text("What to do or have ready."),
            "why": _text("Why it matters."),
            "applies_to": _one_of(["all", "chw", "doula"], "Who the item applies to."),
            "basis": _one_of(["sourced", "course suggestion"], "Whether the item rests on a source or is the course's suggestion."),
        },
        key=["item_id"],
    ),
    "data_systems_comparison": _reference(
        "data_systems_comparison", "HMIS, a comparable database and a health information exchange compared, one row per question and system.",
        {
            "question_id": _text("Short stable identifier of the question."),
            "order": _count("Display order.", 1, 100),
            "topic": _text("Topic the question belongs to (the explorer's filter)."),
            "question": _text("The question, in plain words."),
            "system": _one_of(["hmis", "comparable_database", "hie"], "The system the answer is about."),
            "answer": _text("The answer for that system."),
            "basis": _one_of(["sourced", "ANALYSIS"], "Whether the answer rests on a source or is the course's analysis."),
        },
        key=["question_id", "system"],
    ),
    "fictional_systems": _reference(
        "fictional_systems", "Invented case-management and billing systems for practice, one row per system and requirement (not real products).",
        {
            "system": _text("Invented system name."),
            "description": _text("What the invented system is."),
            "requirement_id": _text("Requirement the row rates."),
            "support": _one_of(["full", "partial", "none"], "How well the invented system meets the requirement."),
            "detail": _text("Explanation."),
        },
        key=["system", "requirement_id"],
    ),
    "path_cited_rounds": _reference(
        "path_cited_rounds", "PATH CITED grant rounds: amount awarded and organizations per round, one row per round.",
        {
            "round": _count("CITED round number.", 1, 10),
            "announced": _text("When the round's awards were announced, as the source gives it."),
            "amount_usd": _money("Total awarded in the round, in US dollars; empty when no source gives it.", nullable=True),
            "amount_confidence": _one_of(CONFIDENCE, "Confidence of the amount alone (UNVERIFIED when it was not found)."),
            "organizations": _count("Organizations counted by the source for the round.", 0, nullable=True, dtype="Int64"),
            "organizations_basis": _one_of(["awarded", "completed projects"], "What the organization count counts: awards, or organizations that completed projects."),
            "final_round": _flag("True for the round DHCS called the final round."),
            "post_toolkit": _flag("True when the row's figures were published after the toolkit was finalized (May 2025)."),
        },
        key=["round"],
    ),
    "readiness_questions": _reference(
        "readiness_questions", "Readiness self-assessment statements, one row per statement, grouped by domain.",
        {
            "question_id": _text("Short stable identifier.", unique=True),
            "domain": _one_of(["governance_contracting", "staffing_supervision", "billing_claims", "data_reporting",
                               "confidentiality_consent", "technology"], "Readiness domain."),
            "order": _count("Position within the domain.", 1, 20),
            "question": _text("The statement a learner answers from 0 (not started) to 3 (in place)."),
            "why": _text("Why it matters: the rule or fact behind it."),
            "basis": _one_of(["sourced rule", "course suggestion"], "Whether the statement rests on a source or is the course's suggestion."),
        },
        key=["question_id"],
    ),
    "support_resources": _reference(
        "support_resources", "Resources that help with readiness gaps: course sections, programs, plans, tools and guidance; one row per resource.",
        {
            "resource_id": _text("Short stable identifier.", unique=True),
            "name": _text("Resource name."),
            "kind": _one_of(["course section", "state program", "managed care plan", "tool", "guidance"], "Kind of resource."),
            "course_section": _count("Course section number, for a course section.", 1, 11, nullable=True, dtype="Int64"),
            "domains": _text("Readiness domains the resource helps with (';'-separated)."),
            "what_it_offers": _text("What it offers, as far as the course could confirm."),
            "status": _one_of(["open", "ask", "unconfirmed", "closed"], "Status today: open, ask (depends on whom you ask), unconfirmed (only the name is sourced) or closed."),
            "status_note": _text("The status in words."),
            "how_to_use": _text("How a DV organization can use it."),
        },
        key=["resource_id"],
    ),
    "required_member_fields": _reference(
        "required_member_fields", "Member-file fields the course's completeness checker requires, one row per field, with why each is required and how to fix a gap.",
        {
            "field": _text("Column of the synthetic members table.", unique=True),
            "order": _count("Display order.", 1, 50),
            "label": _text("Field name in plain words."),
            "required_when": _one_of(["always", "full_scope"], "For every member, or only for members with full-scope Medi-Cal."),
            "why": _text("Why the field is required (sourced, or the course's suggestion)."),
            "how_to_fix": _text("How to fill a gap."),
            "basis": _one_of(["sourced", "course suggestion"], "Whether the requirement rests on a source or is the course's suggestion."),
        },
        key=["field"],
    ),
    "sharing_rules": _reference(
        "sharing_rules", "Rules for whether survivor information may be shared, for the course's sharing checker; one row per rule, applied in priority order.",
        {
            "rule_id": _text("Short stable identifier.", unique=True),
            "priority": _count("Order in which rules are tried (lower first).", 0),
            "info_types": _text("Kinds of information the rule covers (';'-separated; '*' means any).", nullable=True),
            "recipients": _text("Recipients the rule covers (';'-separated; '*' means any).", nullable=True),
            "purposes": _text("Purposes the rule covers (';'-separated; '*' means any).", nullable=True),
            "consent_statuses": _text("Release statuses the rule covers (';'-separated; '*' means any).", nullable=True),
            "answer": _text("The rule's answer.", nullable=True),
            "law": _text("Law the rule rests on.", nullable=True),
            "citation": _text("Legal citation.", nullable=True),
            "what_it_says": _text("What the law says, in plain words.", nullable=True),
            "our_reading": _text("The course's reading (analysis, not legal advice).", nullable=True),
        },
        key=["rule_id"],
    ),
    "system_requirements": _reference(
        "system_requirements", "Requirements a case-management or billing system should meet, for the course's system comparison; one row per requirement.",
        {
            "requirement_id": _text("Short stable identifier.", unique=True),
            "requirement": _text("Requirement name."),
            "what_it_does": _text("What meeting it means, in plain words."),
            "rule": _text("The rule behind it."),
            "default_weight": _count("Default importance weight (1 to 5).", 1, 5),
            "vendor_question": _text("Question to ask a vendor."),
        },
        key=["requirement_id"],
    ),
}


# --------------------------------------------------------------------------- synthetic
SYNTHETIC_MARKER = {"synthetic": _col("bool", "Always true: this row is synthetic (made up by the course's generator).", Check.eq(True))}
STAFF_ROLES = ["advocate", "chw", "ecm_lead_care_manager", "billing", "supervisor"]
ORG_TYPES = ["dv_agency", "managed_care_plan", "clinic", "hospital", "county_agency", "community_provider"]
HOUSING = ["stably_housed", "at_risk_within_30_days", "fleeing_dv_in_shelter", "homeless_sheltered", "homeless_unsheltered"]
MEDI_CAL_STATUS = ["full_scope", "restricted_scope", "application_pending"]
PROGRAMS = ["ecm", "community_supports", "chw", "advocacy"]
CONSENT_TYPES = ["release_to_plan", "release_to_referral_partner"]
SUBMISSION_TYPES = ["837P", "CMS-1500", "invoice"]


def _as_category(columns: dict, keep_text: set[str]) -> dict:
    """Synthetic text columns are pandas categoricals (each distinct string stored once,
    which keeps a million-member world fast and small), except unique ones."""
    out = {}
    for name, column in columns.items():
        if str(column.dtype).startswith("str") and not column.unique and name not in keep_text:
            column = Column("category", checks=column.checks, nullable=column.nullable, description=column.description)
        out[name] = column
    return out


def _synthetic(name: str, description: str, columns: dict, key: list[str], checks=None, keep_text=()) -> DataFrameSchema:
    return DataFrameSchema(
        _as_category({**columns, **SYNTHETIC_MARKER}, set(keep_text)), checks=checks or [], unique=key, name=name,
        description=description, strict=True, ordered=True,
        metadata={"key": key, "kind": "synthetic"},
    )


def _ordered(first: str, second: str):
    """Frame check: where both dates are present, ``first`` is on or before ``second``."""
    def check(df: pd.DataFrame) -> pd.Series:
        return df[first].isna() | df[second].isna() | (df[first] <= df[second])
    return Check(check, error=f"{first} must be on or before {second}", name=f"{first}<={second}")


SYNTHETIC_SCHEMAS: dict[str, DataFrameSchema] = {
    "organizations": _synthetic(
        "organizations", "The fictional agency, its two fictional managed care plans and the fictional partners it refers to. One row per organization.",
        {
            "org_id": _id("org", "Organization identifier.", unique=True),
            "name": _text("Fictional name."),
            "org_type": _one_of(ORG_TYPES, "Kind of organization."),
            "county": _text("Fictional county."),
            "npi": _npi("Type 2 (organization) National Provider Identifier, synthetic but with a valid check digit; only the billing agency has one.", nullable=True),
            "phone": _text("Fictional phone number in the 555-0100 to 555-0199 range.", checks=Check.str_matches(PHONE_PATTERN)),
            "email": _text("Fictional e-mail address at example.org.", checks=Check.str_matches(EMAIL_PATTERN), unique=True),
        },
        key=["org_id"],
    ),
    "staff": _synthetic(
        "staff", "The agency's staff. One row per person.",
        {
            "staff_id": _id("staff", "Staff identifier.", unique=True),
            "first_name": _text("First name from the course's fixed synthetic list."),
            "last_name": _text("Last name from the course's fixed synthetic list."),
            "role": _one_of(STAFF_ROLES, "Role: advocate, community health worker (chw), ECM lead care manager, billing, or supervisor."),
            "licensed": _flag("Whether the person holds a clinical license (only some supervisors)."),
            "hire_date": _date("Date the person joined the agency."),
            "phone": _text("Fictional work phone.", checks=Check.str_matches(PHONE_PATTERN)),
            "email": _text("Fictional work e-mail at example.org.", checks=Check.str_matches(EMAIL_PATTERN), unique=True),
        },
        key=["staff_id"],
    ),
    "members": _synthetic(
        "members", "Survivors the agency served (Medi-Cal members or applicants). One row per person; every person is fictional.",
        {
            "member_id": _id("member", "The agency's member identifier.", unique=True),
            "plan_member_id": _id("plan_member", "Member identifier on claims (CMS-1500 item 1a); empty without a plan.", nullable=True),
            "first_name": _text("First name from the fixed synthetic list."),
            "last_name": _text("Last name from the fixed synthetic list."),
            "birth_date": _date("Date of birth."),
            "age": _count("Age in years at intake.", 16, 90),
            "gender_identity": _text("Gender identity (illustrative categories)."),
            "race_ethnicity": _text("Race or ethnicity (illustrative categories)."),
            "preferred_language": _text("Preferred language (illustrative categories)."),
            "county": _text("Fictional county of residence."),
            "plan_id": _id("org", "Managed care plan the member is enrolled in (empty if not enrolled).", nullable=True),
            "medi_cal_status": _one_of(MEDI_CAL_STATUS, "Medi-Cal status at intake: full scope, restricted scope (pregnancy-related and emergency services only), or application pending."),
            "plan_enrollment_date": _date("Date the member's plan enrollment started (empty if not enrolled).", nullable=True),
            "agency_intake_date": _date("Date the agency first served the member."),
            "housing_status": _one_of(HOUSING, "Housing situation at intake."),
            "household_size": _count("People in the household.", 1, 12),
            "annual_income_usd": _count("Yearly household income in US dollars."),
            "percent_fpl": _count("Household income as a percent of the federal poverty level of the intake year (from the fpl reference table)."),
            "ed_visits_6m": _count("Emergency department visits in the 6 months before intake."),
            "ed_visits_12m": _count("Emergency department visits in the 12 months before intake."),
            "unplanned_stays_6m": _count("Unplanned hospital or short-term skilled nursing stays in the 6 months before intake."),
            "unplanned_stays_12m": _count("Unplanned hospital or short-term skilled nursing stays in the 12 months before intake."),
            "homeless": _flag("Experiencing homelessness as one plan's ECM definition reads it (includes fleeing domestic violence and losing housing within 30 days)."),
            "homeless_with_family": _flag("Experiencing homelessness with family members."),
            "smh_or_sud": _flag("Serious mental health needs or a substance use disorder."),
            "transitioning_from_incarceration": _flag("Recently released from jail, prison or juvenile detention."),
            "ltc_risk": _flag("Living in the community and at risk of long-term care institutionalization."),
            "nf_resident": _flag("Living in a nursing facility and moving back to the community."),
            "pregnant_or_postpartum": _flag("Pregnant or within a year after giving birth."),
            "ccs_enrolled": _flag("In California Children's Services (CCS) with additional needs (under 21 only)."),
            "child_welfare_involved": _flag("Involved in child welfare or foster care (under 21 only)."),
            "ecm_pof_ids": _text("ECM Populations of Focus the member meets (pof_id values joined with ';'), computed from the reference rules.", nullable=True),
            "ecm_eligible": _flag("Meets at least one ECM Population of Focus and has full-scope Medi-Cal with a plan."),
            "chw_recommended_date": _date("Date a licensed provider recommended CHW services (required before CHW services); empty if none.", nullable=True),
            "confidential_communications_request": _flag("Whether the member asked the plan to send communications to a different address or phone (Civil Code 56.107)."),
            "safe_at_home": _flag("Whether the member uses a Safe at Home substitute address."),
            "phone": _text("Fictional phone number.", checks=Check.str_matches(PHONE_PATTERN)),
            "email": _text("Fictional e-mail at example.org.", checks=Check.str_matches(EMAIL_PATTERN), unique=True),
        },
        key=["member_id"], keep_text={"plan_member_id"},
        checks=[
            Check(lambda df: df["plan_id"].isna() == df["plan_enrollment_date"].isna(), error="plan_enrollment_date is set exactly when plan_id is set"),
            Check(lambda df: df["plan_id"].isna() == df["plan_member_id"].isna(), error="plan_member_id is set exactly when plan_id is set"),
            Check(lambda df: df["ecm_eligible"] == df["ecm_pof_ids"].notna() & df["plan_id"].notna() & (df["medi_cal_status"] == "full_scope"), error="ecm_eligible must match ecm_pof_ids, plan and status"),
            Check(lambda df: df["birth_date"] < df["agency_intake_date"], error="birth_date must be before agency_intake_date"),
        ],
    ),
    "consents": _synthetic(
        "consents", "Releases of information the survivor signed: informed, written and time-limited, as VAWA, FVPSA and VOCA require before any personally identifying information leaves the agency. One row per signed release.",
        {
            "consent_id": _id("consent", "Consent identifier.", unique=True),
            "member_id": _id("member", "Member who signed."),
            "consent_type": _one_of(CONSENT_TYPES, "What the release allows: sharing with the member's plan (for referrals, claims and data files) or with one named referral partner."),
            "recipient_org_id": _id("org", "The one organization the release names."),
            "purpose": _text("Purpose written on the release."),
            "informed": _flag("The survivor was told what would be shared, with whom, and the risks (always true in this data)."),
            "written": _flag("The release is in writing (always true in this data)."),
            "signed_date": _date("Date signed."),
            "expires_date": _date("Date the release ends (time-limited: at most a year after signing)."),
            "revoked_date": _date("Date the survivor withdrew the release, if they did.", nullable=True),
        },
        key=["consent_id"],
        checks=[
            _ordered("signed_date", "expires_date"),
            _ordered("signed_date", "revoked_date"),
            Check(lambda df: (df["expires_date"] - df["signed_date"]).dt.days.between(1, 366), error="a release must be time-limited: 1 to 366 days"),
            Check(lambda df: df["informed"] & df["written"], error="every release is informed and written"),
        ],
    ),
    "referrals": _synthetic(
        "referrals", "Referrals for ECM or a Community Support, with the date each Closed Loop Referral status was reached. One row per referral.",
        {
            "referral_id": _id("referral", "Referral identifier.", unique=True),
            "member_id": _id("member", "Member referred."),
            "direction": _one_of(["inbound", "outbound"], "Inbound: a plan or clinic refers the member to the agency. Outbound: the agency refers the member to another provider."),
            "referring_org_id": _id("org", "Organization that made the referral."),
            "receiving_org_id": _id("org", "Organization the member was referred to."),
            "plan_id": _id("org", "Member's managed care plan (the plan tracks the loop)."),
            "service_kind": _one_of(["ecm", "community_support"], "ECM or a Community Support."),
            "cs_id": _text("Community Support (cs_id in the community_supports reference table); empty for ECM.", nullable=True),
            "consent_id": _id("consent", "Release that allowed the agency to share the member's information for this referral.", nullable=True),
            "referral_date": _date("Date of the referral (status Pending)."),
            "outreach_initiated_date": _date("Date the status became Outreach Initiated.", nullable=True),
            "accepted_date": _date("Date the status became Accepted.", nullable=True),
            "declined_date": _date("Date the status became Declined.", nullable=True),
            "loop_closed_date": _date("Date the status became Referral Loop Closed.", nullable=True),
            "current_status": _text("Latest Referral Status as of the data date (values in clr_referral_statuses)."),
            "closure_reason_id": _text("Reason for Referral Loop Closure (reason_id in clr_closure_reasons); empty while the loop is open.", nullable=True),
        },
        key=["referral_id"],
        checks=[
            _ordered("referral_date", "outreach_initiated_date"),
            _ordered("outreach_initiated_date", "accepted_date"),
            _ordered("outreach_initiated_date", "declined_date"),
            _ordered("referral_date", "loop_closed_date"),
            _ordered("accepted_date", "loop_closed_date"),
            _ordered("declined_date", "loop_closed_date"),
            Check(lambda df: df["accepted_date"].isna() | df["declined_date"].isna(), error="a referral is accepted or declined, not both"),
            Check(lambda df: df["loop_closed_date"].isna() == df["closure_reason_id"].isna(), error="closure_reason_id is set exactly when the loop is closed"),
            Check(lambda df: (df["service_kind"] == "ecm") == df["cs_id"].isna(), error="cs_id is set exactly for Community Support referrals"),
        ],
    ),
    "services": _synthetic(
        "services", "Services (encounters) the agency delivered: ECM, Community Supports, CHW and advocacy. One row per encounter.",
        {
            "service_id": _id("service", "Service identifier.", unique=True),
            "member_id": _id("member", "Member served."),
            "staff_id": _id("staff", "Staff member who delivered the service."),
            "referral_id": _id("referral", "Referral the service answers (ECM and Community Supports).", nullable=True),
            "consent_id": _id("consent", "Release in force on the service date that allows billing the plan; empty for services that are not billed.", nullable=True),
            "service_date": _date("Date of service."),
            "program": _one_of(PROGRAMS, "ECM, Community Supports, CHW, or advocacy (advocacy is never billed to Medi-Cal here)."),
            "cs_id": _text("Community Support delivered (community_supports reference table); empty otherwise.", nullable=True),
            "hcpcs": _text("CPT or HCPCS code from the reference tables; empty for advocacy.", nullable=True, checks=Check.str_matches(r"^[0-9A-Z]\d{4}$")),
            "modifiers": _text("Modifiers joined with '+', from the reference tables.", nullable=True, checks=Check.str_matches(r"^[A-Z0-9]{2}(\+[A-Z0-9]{2})*$")),
            "minutes": _count("Minutes spent with or for the member.", 1, 480),
            "units": _count("Billing units (see the data dictionary's assumptions).", 1, 100),
            "place_of_service": _text("CMS place of service code (places_of_service reference table).", checks=Check.str_matches(r"^\d{2}$")),
            "billable": _flag("Whether the service is billed to the member's plan."),
        },
        key=["service_id"],
        checks=[
            Check(lambda df: ~df["billable"] | df["consent_id"].notna(), error="a billable service needs a release in force"),
            Check(lambda df: (df["program"] == "advocacy") == df["hcpcs"].isna(), error="every non-advocacy service has a code, advocacy has none"),
            Check(lambda df: (df["program"] == "community_supports") == df["cs_id"].notna(), error="cs_id is set exactly for Community Supports services"),
        ],
    ),
    "claims": _synthetic(
        "claims", "Claims (and invoice items) the agency sent to plans: CMS-1500-level fields. One row per claim; its lines are in claim_lines.",
        {
            "claim_id": _id("claim", "Claim identifier.", unique=True),
            "member_id": _id("member", "Patient (CMS-1500 items 1a to 3 come from the members table)."),
            "plan_id": _id("org", "Plan billed."),
            "billing_org_id": _id("org", "Billing provider (CMS-1500 item 33)."),
            "billing_npi": _npi("Billing provider NPI (item 33a): synthetic, with a valid check digit."),
            "submission_type": _one_of(SUBMISSION_TYPES, "How it was sent: electronic 837P, paper CMS-1500, or a plan invoice."),
            "invoice_id": _id("invoice", "Invoice that carried the claim (invoice route only).", nullable=True),
            "remittance_id": _id("remittance", "Remittance that paid it (paid or partially paid only).", nullable=True),
            "service_from": _date("First date of service on the claim."),
            "service_to": _date("Last date of service on the claim."),
            "diagnosis_a": _text("First diagnosis (item 21 A), from icd10_codes."),
            "diagnosis_b": _text("Second diagnosis (item 21 B), if any.", nullable=True),
            "line_count": _count("Number of lines.", 1, 100),
            "total_charge_usd": _money("Sum of the line charges."),
            "submitted_date": _date("Date sent to the plan."),
            "status": _text("Claim status as of the data date (claim_statuses reference table)."),
            "denial_reason_id": _text("Claim-level denial or rejection reason (denial_reasons reference table).", nullable=True),
            "paid_amount_usd": _money("Amount paid."),
            "paid_date": _date("Date paid.", nullable=True),
        },
        key=["claim_id"],
        checks=[
            _ordered("service_from", "service_to"),
            _ordered("service_to", "submitted_date"),
            _ordered("submitted_date", "paid_date"),
            Check(lambda df: df["paid_amount_usd"] <= df["total_charge_usd"] + 0.005, error="paid more than charged"),
            Check(lambda df: (df["submission_type"] == "invoice") == df["invoice_id"].notna(), error="invoice_id is set exactly for invoice items"),
        ],
    ),
    "claim_lines": _synthetic(
        "claim_lines", "Service lines of each claim (CMS-1500 item 24). Every line is one service, and every service is billed at most once.",
        {
            "claim_id": _id("claim", "Claim the line belongs to."),
            "line_number": _count("Line number within the claim.", 1, 100),
            "service_id": _id("service", "Service billed on this line.", unique=True),
            "service_date": _date("Date of service (24A)."),
            "place_of_service": _text("Place of service (24B).", checks=Check.str_matches(r"^\d{2}$")),
            "hcpcs": _text("CPT/HCPCS code (24D).", checks=Check.str_matches(r"^[0-9A-Z]\d{4}$")),
            "modifiers": _text("Modifiers (24D), joined with '+'.", nullable=True),
            "diagnosis_pointer": _one_of(["A", "AB"], "Diagnosis pointer (24E)."),
            "charge_usd": _money("Charge (24F)."),
            "units": _count("Units (24G).", 1, 100),
            "line_status": _one_of(["paid", "denied", "pending"], "Line decision."),
            "denial_reason_id": _text("Line denial reason (denial_reasons).", nullable=True),
            "paid_usd": _money("Amount paid for the line."),
        },
        key=["claim_id", "line_number"],
        checks=[Check(lambda df: df["paid_usd"] <= df["charge_usd"] + 0.005, error="line paid more than charged")],
    ),
    "invoices": _synthetic(
        "invoices", "Monthly invoices to a plan that accepts invoices for Community Supports. One row per invoice; its items are claims with submission_type 'invoice'.",
        {
            "invoice_id": _id("invoice", "Invoice identifier.", unique=True),
            "plan_id": _id("org", "Plan invoiced."),
            "billing_org_id": _id("org", "Agency that sent it."),
            "period_start": _date("First day of the month invoiced."),
            "period_end": _date("Last day of the month invoiced."),
            "submitted_date": _date("Date sent."),
            "claim_count": _count("Number of items (claims) on the invoice.", 1),
            "total_charge_usd": _money("Total charged."),
            "total_paid_usd": _money("Total paid so far."),
        },
        key=["invoice_id"],
        checks=[_ordered("period_start", "period_end"), _ordered("period_end", "submitted_date")],
    ),
    "remittances": _synthetic(
        "remittances", "Payments from a plan (remittance advice with an electronic funds transfer). One row per payment.",
        {
            "remittance_id": _id("remittance", "Remittance identifier.", unique=True),
            "plan_id": _id("org", "Plan that paid."),
            "payment_date": _date("Date of the payment."),
            "eft_trace_number": _id("eft", "Synthetic transfer trace number.", unique=True),
            "claim_count": _count("Claims paid in this payment.", 1),
            "total_paid_usd": _money("Total paid."),
        },
        key=["remittance_id"],
    ),
    "audits": _synthetic(
        "audits", "Plan chart audits: a sample of billed services, with each documentation element found or missing. One row per sampled service.",
        {
            "audit_id": _id("audit", "Audit record identifier.", unique=True),
            "plan_id": _id("org", "Plan that audited."),
            "audit_date": _date("Date of the review."),
            "service_id": _id("service", "Service sampled.", unique=True),
            "member_id": _id("member", "Member whose chart was reviewed."),
            "staff_id": _id("staff", "Staff member who delivered the service."),
            "doc_consent_on_file": _flag("A release covering the plan was in the chart."),
            "doc_date_time_duration": _flag("Date, time and duration of the service were recorded (a DHCS rule for CHW services)."),
            "doc_nature_of_service": _flag("The nature of the service was recorded."),
            "doc_care_plan": _flag("A current care plan was in the chart."),
            "doc_diagnosis_code": _flag("A diagnosis code supporting the claim was recorded."),
            "doc_staff_signature": _flag("The note was signed by the staff member."),
            "elements_missing": _count("How many of the six elements were missing.", 0, 6),
            "finding": _one_of(["no_findings", "corrective_action_plan"], "Result: no findings, or a corrective action plan because an element was missing."),
        },
        key=["audit_id"],
    ),
}


def generic_reference_schema(name: str, columns: list[str]) -> DataFrameSchema:
    """Schema for a reference file that has no schema of its own yet: its own columns as
    text, plus the four source columns, which every reference file must have."""
    own = {c: _text(f"Column of {name} (no description yet: add a schema in calaim_course.schemas).", nullable=True)
           for c in columns if c not in ("source_url", "confidence", "last_verified", "note")}
    return _reference(name, f"{name} (no schema description yet).", own, key=[])


def schema_for(name: str) -> DataFrameSchema:
    """The schema of a reference or synthetic table, by name."""
    if name in REFERENCE_SCHEMAS:
        return REFERENCE_SCHEMAS[name]
    if name in SYNTHETIC_SCHEMAS:
        return SYNTHETIC_SCHEMAS[name]
    from calaim_course.errors import CourseInputError

    raise CourseInputError("table", name, "one of " + ", ".join(sorted([*REFERENCE_SCHEMAS, *SYNTHETIC_SCHEMAS])))


def read_csv_kwargs(schema: DataFrameSchema) -> dict:
    """``pandas.read_csv`` arguments that give each column its schema dtype."""
    dtypes, dates = {}, []
    for name, column in schema.columns.items():
        dtype = str(column.dtype)
        if dtype.startswith("datetime64"):
            dates.append(name)
        elif dtype.startswith("str") or dtype == "category":
            dtypes[name] = "str"  # categories are made after reading, so codes like "02" stay text
        else:
            dtypes[name] = dtype
    return {"dtype": dtypes, "parse_dates": dates, "keep_default_na": False, "na_values": [""]}


def coerce_dates(df: pd.DataFrame, schema: DataFrameSchema) -> pd.DataFrame:
    """After ``read_csv``: give date columns the schema's unit (read_csv's can differ) and
    turn text columns the schema keeps as categories into categoricals."""
    for name, column in schema.columns.items():
        if name not in df:
            continue
        if str(column.dtype).startswith("datetime64"):
            df[name] = df[name].astype(DATE)
        elif str(column.dtype) == "category":
            df[name] = df[name].astype("category")
    return df


freeze_long_lived_objects()  # pandas, pandera and these schemas live as long as the kernel

__all__ = ["REFERENCE_SCHEMAS", "SYNTHETIC_SCHEMAS", "CONFIDENCE", "ID_PATTERNS", "schema_for",
           "read_csv_kwargs", "coerce_dates", "generic_reference_schema"]
