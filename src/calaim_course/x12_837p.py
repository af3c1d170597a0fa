"""Export synthetic claims as an ASC X12 837 Professional (837P) file, release 5010.

The 837P is the electronic form of the CMS-1500. The HIPAA rule (45 CFR 162.1102(c))
names the base guide 005010X222; payers' companion guides expect the errata version
005010X222A1 in GS08 and ST03, which this module writes (fact base, section 8:
SECONDARY). Always follow the plan's own companion guide.

What one file holds (one interchange for one plan):

    ISA  interchange envelope (sender, receiver, date, control number, T = test)
      GS   functional group (HC = health care claim, version 005010X222A1)
        ST   transaction set 837
          BHT beginning: purpose, reference, date, time, CH = chargeable
          1000A submitter (NM1*41, PER) and 1000B receiver (NM1*40)
          2000A billing provider (HL*..*20): 2010AA NM1*85 with the NPI (XX), N3, N4, REF*EI
          2000B subscriber (HL*..*22): SBR, 2010BA member (NM1*IL, N3, N4, DMG), 2010BB payer (NM1*PR)
            2300 claim: CLM (claim id, total, place of service, frequency), HI diagnoses
              2400 service line: LX, SV1 (HC:code:modifiers, charge, units, pointers), DTP*472 date
        SE / GE / IEA trailers with segment and group counts

Everything is deterministic: control numbers are arguments (default 1), and the file's
date is the latest submission date of the claims it holds (the data, not the clock),
with a fixed time. The member's address is a fictional placeholder: the synthetic data
holds no addresses. ``pyx12_problems`` validates a file with pyx12 (which encodes the
005010X222A1 guide) and returns its error messages.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from dataclasses import dataclass

import pandas as pd

from calaim_course.claims import text_in
from calaim_course.errors import CourseInputError

VERSION = "005010X222A1"
FILE_TIME = "1200"  # fixed: the data has dates, not times
SEGMENT_END = "~"
ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
# Fictional placeholders for values the synthetic world does not hold. 99999 is not a
# California ZIP code and the tax ID is all zeros, so none of them can be mistaken for real.
PLACEHOLDER_ADDRESS = ("100 FICTIONAL WAY", "ALDER CITY", "CA", "999990000")
PLACEHOLDER_TAX_ID = "000000000"
GENDER_CODE = {"Female": "F", "Male": "M"}  # the 5010 DMG03 codes are F, M and U (unknown)

# What each segment is for, in plain words (for the notebook's table and the preview).
SEGMENT_GUIDE = [
    ("ISA", "Interchange envelope", "Who sends the file to whom, when, its control number, and T (test) or P (production)."),
    ("GS", "Functional group", "HC means health care claims; GS08 names the guide version, 005010X222A1."),
    ("ST", "Transaction set start", "837, a control number, and the guide version again."),
    ("BHT", "Beginning of the transaction", "Purpose (00 = original), the sender's reference, date and time, CH = claims to be paid."),
    ("NM1*41 / PER", "Submitter (loop 1000A)", "Who built the file, and a contact."),
    ("NM1*40", "Receiver (loop 1000B)", "Who receives it: the plan or a clearinghouse."),
    ("HL*20", "Billing provider level (loop 2000A)", "Starts the billing provider's part of the file."),
    ("NM1*85 / N3 / N4 / REF*EI", "Billing provider (loop 2010AA)", "Name, NPI after the XX qualifier (CMS-1500 item 33a), address, tax ID (item 25)."),
    ("HL*22 / SBR", "Subscriber level (loop 2000B)", "One member; SBR says the plan pays first (P), the member is the subscriber (18), MC = Medicaid."),
    ("NM1*IL / N3 / N4 / DMG", "Subscriber (loop 2010BA)", "Member name (item 2), member ID after MI (item 1a), address, birth date and sex (item 3)."),
    ("NM1*PR", "Payer (loop 2010BB)", "The plan that pays."),
    ("CLM", "Claim (loop 2300)", "Claim id, total charge, place of service and frequency (1 = original, 7 = replacement, 8 = void)."),
    ("REF*F8", "Original claim number (loop 2300)", "Only on a replacement or void: the plan's number for the claim being corrected."),
    ("HI", "Diagnoses (loop 2300)", "ICD-10-CM codes without the dot; ABK marks the first, ABF the others (item 21)."),
    ("LX / SV1", "Service line (loop 2400)", "Line number; HC:code:modifiers (item 24D), charge (24F), UN units (24G), diagnosis pointers as numbers 1-12 (24E)."),
    ("DTP*472", "Date of service (loop 2400)", "D8 and one date (item 24A)."),
    ("SE / GE / IEA", "Trailers", "Counts of segments, transaction sets and groups, with the matching control numbers."),
]


def _clean(value: object, limit: int = 60) -> str:
    """Upper-case text with no X12 delimiters, cut to ``limit`` characters."""
    text = re.sub(r"[~*:^]", " ", str(value)).upper()
    return re.sub(r"\s+", " ", text).strip()[:limit]


def _amount(value: float) -> str:
    """An X12 decimal: no trailing zeros (95.00 -> 95, 1469.5 -> 1469.5)."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _segment(*elements: object) -> str:
    parts = [str(e) for e in elements]
    while parts and parts[-1] == "":  # trailing empty elements are left out
        parts.pop()
    return ELEMENT.join(parts) + SEGMENT_END


def _x12_id(org_id: str) -> str:
    """An interchange id from a synthetic org id: SYN-ORG-002 -> SYNORG002."""
    return org_id.replace("-", "")


@dataclass(frozen=True)
class Export:
    """An 837P interchange: the text, the claims it holds, and its date."""

    text: str
    claim_ids: tuple[str, ...]
    plan_id: str
    file_date: pd.Timestamp

    @property
    def segments(self) -> list[str]:
        return [s + SEGMENT_END for s in self.text.replace("\n", "").split(SEGMENT_END) if s]


def payer_claim_number(claim_id: str) -> str:
    """A synthetic stand-in for the number the plan gave a claim (SYN-CLM-00000012 -> SYNPCN00000012).

    A replacement or void must quote the plan's own claim number (REF*F8); the synthetic
    data has none, so the course makes one up from the claim id.
    """
    return "SYNPCN" + re.sub(r"[^0-9]", "", claim_id)


def _claim_segments(claim, lines: list[tuple], frequency: str = "1") -> list[str]:
    """Loop 2300 (claim) and its 2400 service lines.

    ``claim`` maps claim_id, total_charge_usd, diagnosis_a and diagnosis_b to values;
    ``lines`` holds one tuple per line, in line order, as ``_line_values`` makes them.
    """
    diagnoses = [claim["diagnosis_a"]] + ([claim["diagnosis_b"]] if pd.notna(claim["diagnosis_b"]) else [])
    claim_place = str(lines[0][0])
    out = [
        _segment("CLM", claim["claim_id"], _amount(claim["total_charge_usd"]), "", "",
                 COMPONENT.join([claim_place, "B", frequency]), "Y", "A", "Y", "Y"),
    ]
    if frequency != "1":
        out.append(_segment("REF", "F8", payer_claim_number(str(claim["claim_id"]))))
    out += [
        _segment("HI", *[("ABK" if i == 0 else "ABF") + COMPONENT + str(code).replace(".", "")
                         for i, code in enumerate(diagnoses)]),
    ]
    for number, (place_of_service, hcpcs, modifiers, pointer, charge, units, service_date) in enumerate(lines, start=1):
        modifiers = [] if pd.isna(modifiers) else str(modifiers).split("+")
        pointers = COMPONENT.join(str("ABCDEFGHIJKL".index(letter) + 1) for letter in str(pointer))
        place = str(place_of_service)
        out += [
            _segment("LX", number),
            _segment("SV1", COMPONENT.join(["HC", str(hcpcs), *modifiers]), _amount(charge), "UN",
                     int(units), place if place != claim_place else "", "", pointers),
            _segment("DTP", "472", "D8", service_date.strftime("%Y%m%d")),
        ]
    return out


_LINE_COLUMNS = ["place_of_service", "hcpcs", "modifiers", "diagnosis_pointer", "charge_usd", "units", "service_date"]
_CLAIM_COLUMNS = ["claim_id", "total_charge_usd", "diagnosis_a", "diagnosis_b"]
_MEMBER_COLUMNS = ["last_name", "first_name", "plan_member_id", "birth_date", "gender_identity"]


def _line_values(lines: pd.DataFrame) -> list[tuple]:
    """One tuple of the SV1 and DTP values per line, read column by column (not row by row)."""
    return list(zip(*[lines[column].tolist() for column in _LINE_COLUMNS]))


def _member_rows(members: pd.DataFrame, member_ids: list[str]) -> list[dict]:
    """The subscriber values of each member in ``member_ids``, in that order."""
    if not members.index.is_unique:  # as a per-member .loc would read them
        return [members.loc[member_id] for member_id in member_ids]
    chosen = members.loc[member_ids, _MEMBER_COLUMNS]
    return [dict(zip(_MEMBER_COLUMNS, values)) for values in zip(*[chosen[c].tolist() for c in _MEMBER_COLUMNS])]


FREQUENCIES = {"1": "Original claim", "7": "Replacement of a prior claim (corrected claim)",
               "8": "Void of a prior claim"}


def export_837p(world, claim_ids, *, control_number: int = 1, frequency: str = "1") -> Export:
    """One 837P interchange holding ``claim_ids`` (all for the same plan), in the given order.

    ``frequency`` is the claim frequency code in CLM05: 1 original, 7 replacement
    (a corrected claim), 8 void; 7 and 8 add REF*F8 with the plan's claim number.
    Raises ``CourseInputError`` for an unknown claim id, an empty list, claims for more
    than one plan, an unknown frequency or a control number outside 1 to 999,999,999.
    """
    if frequency not in FREQUENCIES:
        raise CourseInputError("claim frequency", frequency, "1 (original), 7 (replacement) or 8 (void)")
    ids = [claim_ids] if isinstance(claim_ids, str) else list(claim_ids)
    if not ids:
        raise CourseInputError("claims", "an empty list", "at least one claim_id")
    if isinstance(control_number, bool) or not isinstance(control_number, int) or not 1 <= control_number <= 999_999_999:
        raise CourseInputError("control number", control_number, "a whole number from 1 to 999,999,999")
    claims = world.claims.set_index("claim_id")
    known = claims.index.isin(ids)  # one pass over the claims, instead of one lookup per id
    known_ids = set(claims.index[known])
    unknown = [c for c in ids if c not in known_ids]
    if unknown:
        raise CourseInputError("claim", unknown[0], "a claim_id from the synthetic claims table")
    if len(set(ids)) < len(ids):
        raise CourseInputError("claims", "a claim listed twice", "each claim once")
    chosen = claims[known].loc[ids].reset_index()
    plans = chosen["plan_id"].astype(str).unique().tolist()
    if len(plans) > 1:
        raise CourseInputError("claims", f"claims for {len(plans)} plans", "claims for one plan (one file per plan)")
    plan_id = plans[0]
    orgs = world.organizations.set_index("org_id")
    billing_id = str(chosen.iloc[0]["billing_org_id"])
    billing, plan = orgs.loc[billing_id], orgs.loc[plan_id]
    members = world.members.set_index("member_id")
    lines = world.claim_lines[world.claim_lines["claim_id"].isin(ids)].sort_values(["claim_id", "line_number"])
    # Each claim's lines, in line order: positions into ``line_values`` by claim id.
    line_values = _line_values(lines)
    lines_of = {str(claim_id): positions for claim_id, positions in
                lines.groupby("claim_id", observed=True, sort=False).indices.items()}
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
    # One subscriber level per member, in the order the member first appears; each
    # member's claims in the order given.
    claim_rows = [dict(zip(_CLAIM_COLUMNS, values)) for values in zip(*[chosen[c].tolist() for c in _CLAIM_COLUMNS])]
    claims_of: dict[str, list[dict]] = {}
    for member_id, claim in zip(chosen["member_id"].astype(str).tolist(), claim_rows):
        claims_of.setdefault(member_id, []).append(claim)
    hl = 1
    for member_id, member in zip(claims_of, _member_rows(members, list(claims_of))):
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
        for claim in claims_of[member_id]:
            positions = lines_of.get(str(claim["claim_id"]), [])
            body += _claim_segments(claim, [line_values[i] for i in positions], frequency)
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


def plan_ids(world) -> list[str]:
    """The plans the synthetic claims were sent to, sorted."""
    plans = world.claims["plan_id"]
    if isinstance(plans.dtype, pd.CategoricalDtype):
        plans = pd.Series(plans.unique())  # the categories that occur, without reading every row as text
    return sorted(plans.astype(str).unique())


def claims_for_export(world, plan_id: str | None = None, submission_types=("837P",), limit: int | None = None) -> list[str]:
    """Claim ids, sorted, that were sent electronically (837P), optionally for one plan.

    ``limit``: only the first ``limit`` ids (the same as slicing the whole list).
    """
    claims = world.claims
    mask = text_in(claims["submission_type"], submission_types)
    if plan_id is not None:
        mask = mask & text_in(claims["plan_id"], [plan_id])
    ids = claims.loc[mask, "claim_id"].astype(str)
    if limit is not None and ids.is_monotonic_increasing:  # already in order: no need to sort them all
        return ids.iloc[:limit].tolist()
    ids = sorted(ids)
    return ids if limit is None else ids[:limit]


def segment_table() -> pd.DataFrame:
    """The segments of an 837P in plain words, for a table in the page."""
    return pd.DataFrame(SEGMENT_GUIDE, columns=["Segment", "Part of the file", "What it carries"])


def _describe(segment: str) -> str:
    """What one segment of a course-made 837P says, in plain words."""
    e = segment.rstrip(SEGMENT_END).split(ELEMENT)
    tag, first = e[0], (e[1] if len(e) > 1 else "")
    names = {
        "ISA": lambda: f"Interchange envelope: from {e[6].strip()} to {e[8].strip()}, control number {e[13]}, "
                       f"{'T = test file' if e[15] == 'T' else 'P = production file'}",
        "GS": lambda: f"Functional group of health care claims (HC), guide version {e[8]}",
        "ST": lambda: f"Start of transaction set 837, guide version {e[3]}",
        "BHT": lambda: f"Beginning of the transaction: original (00), reference {e[3]}, created {e[4]}",
        "PER": lambda: "Submitter's contact (fictional phone)",
        "SBR": lambda: "Subscriber: plan pays first (P), member is the subscriber (18), Medicaid (MC)",
        "N3": lambda: "Street address (a fictional placeholder: the synthetic data holds no addresses)",
        "N4": lambda: "City, state and ZIP code (fictional placeholder)",
        "DMG": lambda: f"Member's birth date {e[2]} and sex code {e[3]} (item 3)",
        "CLM": lambda: f"Claim {e[1]}: total charge {e[2]}, place of service, frequency code {e[5].split(COMPONENT)[-1]} "
                       f"({FREQUENCIES.get(e[5].split(COMPONENT)[-1], 'unknown').lower()})",
        "HI": lambda: "Diagnoses (item 21), without the dot; ABK marks the first, ABF the others",
        "LX": lambda: f"Service line {e[1]} (loop 2400)",
        "SV1": lambda: f"Procedure code and modifiers {e[1].split(COMPONENT, 1)[1].replace(COMPONENT, ' ')} (24D), "
                       f"charge {e[2]} (24F), {e[4]} unit(s) (24G), diagnosis pointer(s) {e[7] if len(e) > 7 else ''} (24E, as numbers)",
        "DTP": lambda: f"Date of service {e[3]} (24A)",
        "SE": lambda: f"End of the transaction set: {e[1]} segments",
        "GE": lambda: "End of the functional group: 1 transaction set",
        "IEA": lambda: "End of the interchange: 1 functional group",
    }
    by_qualifier = {
        ("NM1", "41"): "Submitter (loop 1000A): who built the file",
        ("NM1", "40"): "Receiver (loop 1000B): who receives the file",
        ("NM1", "85"): "Billing provider (loop 2010AA): NPI after XX (item 33a)",
        ("NM1", "IL"): "Member (loop 2010BA): name (item 2) and member ID after MI (item 1a)",
        ("NM1", "PR"): "Payer (loop 2010BB): the plan",
        ("REF", "EI"): "Billing provider's tax ID (item 25; a fictional placeholder)",
        ("REF", "F8"): "The plan's number for the claim being replaced or voided",
        ("HL", "20"): "Billing provider level (loop 2000A)",
        ("HL", "22"): "Subscriber level (loop 2000B): one member",
    }
    if tag == "HL" and len(e) > 3:
        return by_qualifier.get(("HL", e[3]), "Hierarchical level")
    if (tag, first) in by_qualifier:
        return by_qualifier[(tag, first)]
    return names[tag]() if tag in names else "Segment"


def annotate(export: Export) -> pd.DataFrame:
    """Each segment of ``export`` with what it says, for a table in the page."""
    segments = export.segments
    return pd.DataFrame({"Segment": segments, "What it says": [_describe(seg) for seg in segments]})


# pyx12 parses its XML maps (the 837P guide and the envelope) on every validation: about
# two seconds. The parsed maps are reused, keyed by everything that shapes one: the map
# file, the map folder and the two parameters a map reads (its external code exclusions
# and its character set). Reuse is safe because validating never changes a map: pyx12
# keeps the per-document state (segment and loop counts, the current position, the
# errors) in its walker, reader and error handler, made afresh for each document; a map
# node only caches its own path text, which the map alone decides. The tests check that
# documents validated one after another on reused maps give the same errors as fresh maps.
_PYX12_MAPS: dict[tuple, object] = {}


@contextlib.contextmanager
def _reused_pyx12_maps():
    """While inside, pyx12's ``load_map_file`` returns a map parsed once and kept."""
    import pyx12.map_if

    load_map_file = pyx12.map_if.load_map_file

    def reused(map_file, param, map_path=None):
        key = (map_file, map_path, param.get("exclude_external_codes"), param.get("charset"))
        if key not in _PYX12_MAPS:
            _PYX12_MAPS[key] = load_map_file(map_file, param, map_path)
        return _PYX12_MAPS[key]

    pyx12.map_if.load_map_file = reused
    try:
        yield
    finally:
        pyx12.map_if.load_map_file = load_map_file


def pyx12_problems(text: str, *, reuse_maps: bool = True) -> list[str]:
    """Validate 837P text with pyx12 against the 005010X222A1 guide; its error messages.

    An empty list means pyx12 found no problem (and reported the file valid).
    ``reuse_maps=False`` makes pyx12 parse its maps afresh, as it does on its own.
    """
    import logging

    import pyx12.params
    import pyx12.x12n_document

    logging.getLogger("pyx12").setLevel(logging.CRITICAL)  # errors come back in the JSON
    report = io.StringIO()
    param = pyx12.params.params()
    with _reused_pyx12_maps() if reuse_maps else contextlib.nullcontext():
        valid = pyx12.x12n_document.x12n_document(param, io.StringIO(text), None, None, fd_json=report)
    problems: list[str] = []

    def collect(node: dict, where: str) -> None:
        for error in node.get("errors", []):
            value = f" ({error['err_val']})" if error.get("err_val") else ""
            problems.append(f"{where}: {error['err_cde']} {error['err_str']}{value}")
        for element in node.get("elements", []):
            for error in element.get("errors", []):
                problems.append(f"{where} {element.get('name')}: {error['err_cde']} {error['err_str']}")

    document = json.loads(report.getvalue() or '{"interchanges": []}')
    for isa in document["interchanges"]:
        collect(isa, "ISA")
        for gs in isa["groups"]:
            collect(gs, "GS")
            for st in gs["transactions"]:
                collect(st, "ST")
                for seg in st["segments"]:
                    collect(seg, f"segment {seg['seg_count']} {seg['seg_id']}")
    if not valid and not problems:
        problems.append("pyx12 reported the file not valid without a detailed message")
    return problems


def validation_finding(world) -> str:
    """Export every electronic claim, one file per plan, validate each with pyx12, and say what it found."""
    plans = plan_ids(world)
    files, claims, problems = 0, 0, 0
    for plan_id in plans:
        ids = claims_for_export(world, plan_id)
        if not ids:
            continue
        export = export_837p(world, ids)
        files += 1
        claims += len(ids)
        problems += len(pyx12_problems(export.text))
    verdict = "no problems" if problems == 0 else f"{problems} problem{'s' if problems != 1 else ''}"
    return (f"The synthetic agency's {claims:,} electronic claims were exported as 837P files, one per plan "
            f"({files} in all); pyx12 checked them against the 005010X222A1 guide and found {verdict}.")


__all__ = ["Export", "export_837p", "payer_claim_number", "FREQUENCIES", "annotate", "claims_for_export", "plan_ids", "segment_table", "pyx12_problems", "validation_finding", "VERSION", "SEGMENT_GUIDE"]
