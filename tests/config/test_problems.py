"""Each kind of mistake is reported at its dotted path, in one plain sentence."""

from __future__ import annotations

import pytest

from sidecar.config import ConfigProblem


def test_three_distinct_mistakes_give_exactly_three_problems(problems, minimal) -> None:
    minimal["odoo"]["transport"] = "soap"
    minimal["programs"][0]["courses"][0]["completion_threshold"] = 150
    minimal["verify_site"] = {"prot": 8080}
    found = problems(minimal)
    assert [p.path for p in found] == [
        "odoo.transport",
        "programs[0].courses[0].completion_threshold",
        "verify_site.prot",
    ]


def test_problem_str_is_path_colon_message() -> None:
    problem = ConfigProblem("programs[1].courses[0].completion_threshold", "must be x")
    assert str(problem) == "programs[1].courses[0].completion_threshold: must be x"


def test_unknown_key_suggests_the_closest_name(problem, minimal) -> None:
    course = minimal["programs"][0]["courses"][0]
    course["completion_treshold"] = 90
    assert problem(minimal) == (
        "programs[0].courses[0].completion_treshold: unknown key 'completion_treshold' "
        "(did you mean 'completion_threshold'?)"
    )


def test_unknown_key_without_close_match_lists_allowed_keys(problem, minimal) -> None:
    minimal["logging"] = {"colour": True}
    assert problem(minimal) == "logging.colour: unknown key 'colour' (allowed keys: level, format)"


def test_unknown_top_level_section_is_reported(problem, minimal) -> None:
    minimal["schedule"] = {}
    assert problem(minimal).startswith("schedule: unknown key 'schedule' (did you mean")


def test_missing_required_key_is_required(problem, minimal) -> None:
    del minimal["odoo"]["database"]
    assert problem(minimal) == "odoo.database: is required"


def test_missing_programs_section_is_required(problem, minimal) -> None:
    del minimal["programs"]
    assert problem(minimal) == "programs: is required"


def test_wrong_type_says_whole_number(problem, minimal) -> None:
    minimal["odoo"]["page_size"] = "abc"
    assert problem(minimal) == "odoo.page_size: must be a whole number (got 'abc')"


def test_number_where_text_expected_suggests_quotes(problem, minimal) -> None:
    minimal["odoo"]["database"] = 2024
    assert problem(minimal) == "odoo.database: must be text (got 2024); put it in quotes"


def test_out_of_range_says_between(problem, minimal) -> None:
    minimal["programs"][0]["courses"][0]["completion_threshold"] = 150
    assert problem(minimal) == (
        "programs[0].courses[0].completion_threshold: must be between 0 and 100 (got 150)"
    )


def test_exclusive_lower_bound_says_greater_than(problem, minimal) -> None:
    minimal["programs"][0]["courses"][0]["completion_threshold"] = 0
    assert problem(minimal) == (
        "programs[0].courses[0].completion_threshold: must be greater than 0 (got 0)"
    )


def test_bad_enum_lists_the_choices(problem, minimal) -> None:
    minimal["odoo"]["transport"] = "soap"
    assert (
        problem(minimal)
        == "odoo.transport: must be one of: auto, xmlrpc, jsonrpc, json2 (got 'soap')"
    )


def test_log_level_is_case_insensitive(load, minimal) -> None:
    minimal["logging"] = {"level": "debug"}
    assert load(minimal).logging.level == "DEBUG"


@pytest.mark.parametrize("url", ["ftp://odoo", "127.0.0.1:8069", "http://"])
def test_bad_odoo_url_is_rejected(problem, minimal, url) -> None:
    minimal["odoo"]["url"] = url
    assert problem(minimal) == (
        f"odoo.url: must be an http:// or https:// URL like http://127.0.0.1:8069 (got {url!r})"
    )


@pytest.mark.parametrize("url", ["http://h:99999", "http://h:0", "http://h:port"])
def test_odoo_url_with_a_port_out_of_range_is_rejected(problem, minimal, url) -> None:
    minimal["odoo"]["url"] = url
    assert problem(minimal) == (
        f"odoo.url: has a port that is not a number from 1 to 65535 (got {url!r})"
    )


def test_odoo_url_loses_its_trailing_slash(load, minimal) -> None:
    minimal["odoo"]["url"] = "https://odoo.example.com/"
    assert load(minimal).odoo.url == "https://odoo.example.com"


def test_duplicate_program_key_is_reported_on_the_second(problem, minimal) -> None:
    minimal["programs"].append(dict(minimal["programs"][0]))
    assert (
        problem(minimal) == "programs[1].key: program key 'p' is listed twice (also at programs[0])"
    )


def test_duplicate_program_key_is_reported_even_when_a_program_has_errors(
    problems, minimal
) -> None:
    second = {"key": "p", "name": "Again", "courses": [{"course": "X", "required": "perhaps"}]}
    minimal["programs"].append(second)
    assert [p.path for p in problems(minimal)] == [
        "programs[1].key",
        "programs[1].courses[0].required",
    ]


def test_same_course_twice_in_a_program_is_reported(problem, minimal) -> None:
    minimal["programs"][0]["courses"].append({"course": "basics of gardening "})
    assert problem(minimal) == (
        "programs[0].courses[1].course: course 'basics of gardening' is listed twice "
        "(also at courses[0])"
    )


def test_program_without_courses_is_reported(problem, minimal) -> None:
    minimal["programs"][0]["courses"] = []
    assert problem(minimal) == "programs[0].courses: must list at least one course"


def test_empty_programs_list_is_reported(problem, minimal) -> None:
    minimal["programs"] = []
    assert problem(minimal) == "programs: must list at least one program"


def test_program_key_must_be_slug_like(problem, minimal) -> None:
    minimal["programs"][0]["key"] = "Junior Devs"
    assert problem(minimal).startswith("programs[0].key: must be lower-case letters")


def test_job_in_two_programs_is_reported(problem, minimal) -> None:
    minimal["programs"][0]["jobs"] = ["Experienced Developer"]
    minimal["programs"].append(
        {"key": "q", "name": "Q", "jobs": ["Experienced Developer"], "courses": [{"course": 1}]}
    )
    assert problem(minimal) == (
        "programs[1].jobs[0]: job 'Experienced Developer' already leads to program 'p'; "
        "an applicant's job must select one program"
    )


def test_weights_not_summing_to_one_are_reported(problem, minimal) -> None:
    minimal["programs"][0]["weights"] = {"elearning": 0.5, "assessments": 0.3}
    assert problem(minimal) == (
        "programs[0].weights: elearning + attendance + assessments must add up to 1 (got 0.8)"
    )


def test_assessment_parts_not_summing_to_one_are_reported(problem, minimal) -> None:
    minimal["programs"][0]["weights"] = {
        "elearning": 0.5,
        "assessments": 0.5,
        "assessment_parts": {"quizzes": 0.25, "assignments": 0.5},
    }
    assert problem(minimal) == (
        "programs[0].weights.assessment_parts: quizzes + certifications + assignments must add "
        "up to 1 (got 0.75)"
    )


def test_weights_summing_to_one_within_tolerance_load(load, minimal) -> None:
    minimal["programs"][0]["weights"] = {"elearning": 0.1, "assessments": 0.2, "attendance": 0}
    minimal["programs"][0]["weights"]["elearning"] = 0.7999999999
    assert load(minimal).programs[0].weights.assessments == 0.2


def test_weight_sum_is_checked_even_when_a_sibling_field_is_wrong(problems, minimal) -> None:
    minimal["programs"][0]["weights"] = {"elearning": 0.5, "attendance": "lots"}
    assert [str(p) for p in problems(minimal)] == [
        "programs[0].weights.attendance: must be a number (got 'lots')",
    ]


def test_invalid_interval_is_reported(problem, minimal) -> None:
    minimal["schedules"] = {"sync": {"every": "five minutes"}}
    assert problem(minimal) == (
        "schedules.sync.every: must be a duration like 30s, 5m, 2h or 1d, or a number of "
        "seconds (got 'five minutes')"
    )


def test_zero_interval_is_reported(problem, minimal) -> None:
    minimal["schedules"] = {"sync": {"every": 0}}
    assert problem(minimal) == "schedules.sync.every: must be longer than zero (got 0)"


def test_invalid_cron_is_reported(problem, minimal) -> None:
    minimal["schedules"] = {"sync": {"cron": "*/61 * * * *"}}
    assert problem(minimal).startswith(
        "schedules.sync.cron: is not a valid cron expression '*/61 * * * *': "
    )


def test_cron_with_wrong_field_count_is_reported(problem, minimal) -> None:
    minimal["schedules"] = {"sync": {"cron": "* * * *"}}
    assert problem(minimal) == (
        "schedules.sync.cron: is not a valid cron expression '* * * *': "
        "wrong number of fields; got 4, expected 5"
    )


def test_both_every_and_cron_is_reported(problem, minimal) -> None:
    minimal["schedules"] = {"sync": {"every": "5m", "cron": "*/5 * * * *"}}
    assert problem(minimal) == "schedules.sync: set either every or cron, not both"


def test_neither_every_nor_cron_is_reported(problem, minimal) -> None:
    minimal["schedules"] = {"issue": {}}
    assert problem(minimal) == 'schedules.issue: needs every (like 5m) or cron (like "*/5 * * * *")'


def test_batch_end_before_start_is_reported(problem, minimal) -> None:
    minimal["programs"][0]["batches"] = [
        {"key": "b1", "name": "B", "start": "2026-03-01", "end": "2026-01-31"}
    ]
    assert problem(minimal) == (
        "programs[0].batches[0].end: must be on or after start (2026-03-01) (got 2026-01-31)"
    )


def test_batch_without_dates_or_event_is_reported(problems, minimal) -> None:
    minimal["programs"][0]["batches"] = [{"key": "b1", "name": "B"}]
    assert [str(p) for p in problems(minimal)] == [
        "programs[0].batches[0].start: is required unless the batch is bound to an event",
        "programs[0].batches[0].end: is required unless the batch is bound to an event",
    ]


def test_batch_bound_to_event_needs_no_dates(load, minimal) -> None:
    minimal["programs"][0]["batches"] = [{"key": "b1", "name": "B", "event": 5}]
    assert load(minimal).programs[0].batch("b1").event == 5


def test_duplicate_batch_key_is_reported(problem, minimal) -> None:
    batch = {"key": "b1", "name": "B", "event": 5}
    minimal["programs"][0]["batches"] = [batch, dict(batch)]
    assert problem(minimal) == (
        "programs[0].batches[1].key: batch key 'b1' is listed twice (also at batches[0])"
    )


def test_batch_done_without_batches_is_reported(problem, minimal) -> None:
    minimal["programs"][0]["issue_on"] = "batch_done"
    assert problem(minimal) == (
        "programs[0].issue_on: is batch_done, which needs at least one batch under batches, "
        "or a batch_tag"
    )


def test_batch_done_without_batches_is_reported_alongside_field_errors(problems, minimal) -> None:
    minimal["programs"][0]["issue_on"] = "batch_done"
    minimal["programs"][0]["name"] = ""
    assert [str(p) for p in problems(minimal)] == [
        "programs[0].name: must not be empty",
        "programs[0].issue_on: is batch_done, which needs at least one batch under batches, "
        "or a batch_tag",
    ]


def test_attendance_weight_without_event_batch_is_reported(problem, minimal) -> None:
    minimal["programs"][0]["weights"] = {"elearning": 0.5, "attendance": 0.5}
    assert problem(minimal) == (
        "programs[0].weights.attendance: counts attendance, but no batch of this program is "
        "bound to an event"
    )


def test_unknown_placeholder_is_reported_with_suggestion(problem, minimal) -> None:
    minimal["certificates"] = {"message": "Well done {partcipant}!"}
    assert problem(minimal) == (
        "certificates.message: unknown placeholder {partcipant} (did you mean {participant}?)"
    )


def test_unknown_placeholder_without_close_match_lists_allowed(problem, minimal) -> None:
    minimal["certificates"] = {"message": "Grade: {grade}"}
    assert problem(minimal) == (
        "certificates.message: unknown placeholder {grade} (allowed: {participant}, {program}, "
        "{batch}, {issue_date}, {issuer})"
    )


def test_unmatched_brace_in_message_is_reported(problem, minimal) -> None:
    minimal["certificates"] = {"message": "Well done {participant"}
    assert problem(minimal) == (
        "certificates.message: has an unmatched '{' or '}'; write {{ or }} for a literal brace"
    )


def test_bad_colour_is_reported(problem, minimal) -> None:
    minimal["certificates"] = {"issuer": {"primary_color": "navy"}}
    assert problem(minimal) == (
        'certificates.issuer.primary_color: must be a colour written #RRGGBB like "#1F3A5F" '
        "(got 'navy')"
    )


def test_unquoted_colour_explains_the_yaml_comment(problem, minimal, write) -> None:
    text = (
        "odoo: {url: 'http://h', database: d, username: u, password: p}\n"
        "programs: [{key: p, name: P, courses: [{course: C}]}]\n"
        "certificates:\n"
        "  issuer:\n"
        "    primary_color: #1F3A5F\n"
    )
    assert problem(text) == (
        'certificates.issuer.primary_color: is empty; write colours in quotes like "#1F3A5F", '
        "because an unquoted # starts a YAML comment"
    )


def test_missing_logo_file_is_reported(problem, minimal, tmp_path) -> None:
    minimal["certificates"] = {"issuer": {"logo": "logo.png"}}
    assert (
        problem(minimal) == f"certificates.issuer.logo: file {tmp_path / 'logo.png'} does not exist"
    )


def test_password_and_api_key_both_set_is_reported(problem, minimal) -> None:
    minimal["odoo"]["api_key"] = "key"
    assert problem(minimal) == (
        "odoo: set only one of password or api_key, not both (api_key is preferred)"
    )


def test_neither_password_nor_api_key_is_reported(problem, minimal) -> None:
    del minimal["odoo"]["password"]
    assert problem(minimal) == (
        "odoo: needs password or api_key (api_key is preferred), e.g. api_key: ${ODOO_API_KEY}"
    )


def test_store_url_with_unknown_backend_is_reported(problem, minimal) -> None:
    minimal["store"] = {"url": "mysql://u:pw@h/db"}
    assert problem(minimal) == "store.url: must use sqlite or postgresql (got 'mysql')"


def test_malformed_domain_operator_is_reported_at_its_index(problem, minimal) -> None:
    minimal["programs"][0]["eligibility"] = {"domain": [["email_from", "equals", "x"]]}
    assert problem(minimal).startswith(
        "programs[0].eligibility.domain[0][1]: unknown operator 'equals'; use one of: =, !="
    )


def test_domain_with_missing_operand_is_reported(problem, minimal) -> None:
    minimal["programs"][0]["eligibility"] = {"domain": ["|", ["email_from", "!=", False]]}
    assert problem(minimal).startswith(
        "programs[0].eligibility.domain: is incomplete: its operators need 1 more condition"
    )


def test_problems_are_listed_in_file_order_with_lines(problems, minimal) -> None:
    minimal["logging"] = {"level": "LOUD"}
    minimal["odoo"]["timeout_seconds"] = -1
    found = problems(minimal)
    assert [p.path for p in found] == ["odoo.timeout_seconds", "logging.level"]
    assert all(p.line is not None for p in found)
    assert found[0].line is not None and found[1].line is not None
    assert found[0].line < found[1].line
