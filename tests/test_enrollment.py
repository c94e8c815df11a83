"""Unit tests for sidecar.enrollment: who enters training from the OJT stage, and the texts."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from sidecar.enrollment import (
    Decision,
    decide,
    enrolled_note,
    html_text,
    stage_applies,
    todo_note,
    todo_summary,
    valid_email,
)

NO_EMAIL = "The applicant has no valid e-mail address."
NO_MATCH = "The applicant does not match the program's eligibility rule."
REVIEW_ONLY = "The program enrolls applicants only after a review."
COMMAND = "ojt-sidecar enroll --applicant 7"


def eligible(
    *,
    email: object = "ana@example.com",
    require_email: bool = True,
    matches_domain: bool = True,
    auto_enroll: bool = True,
) -> Decision:
    """decide() for an applicant who passes every check unless told otherwise."""
    return decide(
        email=email,
        require_email=require_email,
        matches_domain=matches_domain,
        auto_enroll=auto_enroll,
    )


# --------------------------------------------------------------------------- e-mail


@pytest.mark.parametrize(
    "value",
    [
        "ana@example.com",
        "a@b.co",
        "ana.maria+ojt@mail.example.co.uk",
        "  ana@example.com\n",  # surrounding whitespace, as typed in a form
    ],
)
def test_valid_email_accepts(value: str) -> None:
    assert valid_email(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "ana",
        "ana@example",  # no dot in the domain
        "ana@example.",  # nothing after the dot
        "@example.com",
        "ana@",
        "ana@@example.com",
        "ana@b@example.com",
        "ana maria@example.com",
        "ana@exa mple.com",
        "<ana@example.com>",
        "Ana <ana@example.com>",  # a display name is not an address to search or invite
        "ana@example.com, bo@example.com",
    ],
)
def test_valid_email_rejects(value: str) -> None:
    assert not valid_email(value)


@pytest.mark.parametrize("value", [None, False, 0, b"ana@example.com", ["ana@example.com"]])
def test_valid_email_rejects_what_is_not_text(value: object) -> None:
    # Odoo reads an empty char field as False.
    assert not valid_email(value)


# --------------------------------------------------------------------------- stage


def test_stage_without_jobs_applies_to_every_job() -> None:
    assert stage_applies([], 4)
    assert stage_applies((), 99)


def test_stage_without_jobs_applies_to_an_applicant_without_job() -> None:
    assert stage_applies([], None)


def test_stage_with_jobs_applies_to_one_of_them() -> None:
    assert stage_applies([3, 4], 4)
    assert stage_applies((4,), 4)


def test_stage_with_jobs_does_not_apply_to_another_job() -> None:
    assert not stage_applies([3, 4], 5)


def test_stage_with_jobs_does_not_apply_to_an_applicant_without_job() -> None:
    assert not stage_applies([3, 4], None)


# --------------------------------------------------------------------------- decide


def test_eligible_applicant_is_enrolled_automatically() -> None:
    assert eligible() == Decision(enroll=True, reasons=())


def test_missing_email_blocks_when_required() -> None:
    assert eligible(email=False) == Decision(enroll=False, reasons=(NO_EMAIL,))


def test_invalid_email_blocks_when_required() -> None:
    assert eligible(email="ana@example") == Decision(enroll=False, reasons=(NO_EMAIL,))


def test_whitespace_around_email_does_not_block() -> None:
    assert eligible(email=" ana@example.com ").enroll


@pytest.mark.parametrize("email", [False, None, "", "not an address"])
def test_email_does_not_matter_when_not_required(email: object) -> None:
    assert eligible(email=email, require_email=False) == Decision(enroll=True)


def test_domain_mismatch_blocks() -> None:
    assert eligible(matches_domain=False) == Decision(enroll=False, reasons=(NO_MATCH,))


def test_every_blocking_reason_is_given_email_first() -> None:
    decision = eligible(email=None, matches_domain=False)
    assert decision == Decision(enroll=False, reasons=(NO_EMAIL, NO_MATCH))


def test_eligible_applicant_waits_for_review_without_auto_enroll() -> None:
    assert eligible(auto_enroll=False) == Decision(enroll=False, reasons=(REVIEW_ONLY,))


def test_ineligible_applicant_without_auto_enroll_gets_only_the_real_reasons() -> None:
    decision = eligible(matches_domain=False, auto_enroll=False)
    assert decision == Decision(enroll=False, reasons=(NO_MATCH,))


# --------------------------------------------------------------------------- To-Do texts


def test_todo_summary_names_the_program() -> None:
    assert todo_summary("Gardening OJT") == "Review OJT enrollment: Gardening OJT"


def test_todo_note_lists_reasons_then_criteria_then_command() -> None:
    note = todo_note([NO_EMAIL, NO_MATCH], "Must hold a licence.", COMMAND)
    assert note.split("\n") == [
        NO_EMAIL,
        NO_MATCH,
        "Criteria: Must hold a licence.",
        f"To enroll after review: {COMMAND}",
    ]


def test_todo_note_strips_the_criteria() -> None:
    note = todo_note([REVIEW_ONLY], "  Must hold a licence.\n", COMMAND)
    assert note.split("\n") == [
        REVIEW_ONLY,
        "Criteria: Must hold a licence.",
        f"To enroll after review: {COMMAND}",
    ]


@pytest.mark.parametrize("criteria", ["", "   ", "\n\t"])
def test_todo_note_omits_blank_criteria(criteria: str) -> None:
    note = todo_note([NO_MATCH], criteria, COMMAND)
    assert note == f"{NO_MATCH}\nTo enroll after review: {COMMAND}"


def test_todo_note_without_reasons_is_just_the_command() -> None:
    assert todo_note([], "", COMMAND) == f"To enroll after review: {COMMAND}"


# --------------------------------------------------------------------------- enrolled note


@pytest.mark.parametrize(
    ("portal", "access"),
    [
        ("invited", "portal invitation sent"),
        ("existing", "existing account"),
        (None, "no portal access"),
        ("failed", "no portal access"),  # anything else: no access was given
    ],
)
def test_enrolled_note_tells_the_portal_access(portal: str | None, access: str) -> None:
    note = enrolled_note("Gardening OJT", ["Soil", "Tools"], portal)
    assert note == f"Enrolled in Gardening OJT: Soil, Tools; {access}"


def test_enrolled_note_with_one_course() -> None:
    note = enrolled_note("Gardening OJT", ["Soil"], "invited")
    assert note == "Enrolled in Gardening OJT: Soil; portal invitation sent"


def test_enrolled_note_without_courses_says_so() -> None:
    note = enrolled_note("Gardening OJT", [], "existing")
    assert note == "Enrolled in Gardening OJT: no course; existing account"


# --------------------------------------------------------------------------- html


def test_html_text_escapes_markup_and_quotes() -> None:
    text = """Tom & "Jerry" <b>'s</b>"""
    assert html_text(text) == "<p>Tom &amp; &#34;Jerry&#34; &lt;b&gt;&#39;s&lt;/b&gt;</p>"


def test_html_text_escapes_an_entity_once_more() -> None:
    assert html_text("&amp;") == "<p>&amp;amp;</p>"


def test_html_text_turns_lines_into_breaks_in_one_paragraph() -> None:
    assert html_text("one\ntwo\n\nthree") == "<p>one<br>two<br><br>three</p>"


def test_html_text_of_nothing_is_an_empty_paragraph() -> None:
    assert html_text("") == "<p></p>"


def test_html_text_keeps_other_text_as_is() -> None:
    assert html_text("Zoë: 100 % done; café ✓") == "<p>Zoë: 100 % done; café ✓</p>"


# --------------------------------------------------------------------------- properties


@given(st.emails())
def test_every_plain_address_is_valid(address: str) -> None:
    assert valid_email(address)


@given(st.emails(), st.sampled_from(["", " ", "\t", "\n", "  \r\n"]))
def test_surrounding_whitespace_never_changes_validity(address: str, pad: str) -> None:
    assert valid_email(pad + address + pad)


@given(st.text(max_size=40))
def test_text_without_at_sign_is_never_valid(text: str) -> None:
    assert not valid_email(text.replace("@", ""))


@given(st.lists(st.integers(1, 20), max_size=5), st.none() | st.integers(1, 20))
def test_stage_applies_to_its_jobs_or_to_all_when_it_has_none(
    jobs: list[int], job: int | None
) -> None:
    assert stage_applies(jobs, job) == (not jobs or job in jobs)


@given(
    st.none() | st.booleans() | st.text(max_size=30) | st.emails(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_enrolled_exactly_when_eligible_and_automatic(
    email: object, require_email: bool, matches_domain: bool, auto_enroll: bool
) -> None:
    decision = decide(
        email=email,
        require_email=require_email,
        matches_domain=matches_domain,
        auto_enroll=auto_enroll,
    )
    email_ok = not require_email or valid_email(email)
    assert decision.enroll == (email_ok and matches_domain and auto_enroll)
    assert decision.enroll == (decision.reasons == ())


@given(st.text())
def test_html_text_is_what_odoo_escaping_gives(text: str) -> None:
    assert html_text(text) == "<p>" + str(escape(text)).replace("\n", "<br>") + "</p>"


@given(st.text())
def test_html_text_reads_back_as_the_same_text(text: str) -> None:
    body = html_text(text)
    assert body.startswith("<p>")
    assert body.endswith("</p>")
    inner = body[3:-4]
    assert "<" not in inner.replace("<br>", "")
    assert html.unescape(inner.replace("<br>", "\n")) == text
