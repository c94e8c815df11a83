"""`ojt-sidecar enroll` against the emulator: a cycle, a dry run, hand enrollment, bad input."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sidecar.cli import main
from sidecar.emulator import OdooEmulator
from tests.jobs.enrolling import count, enroll_config, odoo_counts


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def config_path(tmp_path: Path, emu: OdooEmulator) -> str:
    enroll_config(tmp_path, emu, f"sqlite:///{tmp_path / 'store.db'}")
    return str(tmp_path / "config.yaml")


def test_dry_run_prints_the_writes_then_a_cycle_makes_them(
    tmp_path: Path, emu: OdooEmulator
) -> None:
    config = config_path(tmp_path, emu)
    before = odoo_counts(emu)
    code, out, err = invoke("enroll", "-c", config, "--dry-run")
    assert code == 0, err
    assert odoo_counts(emu) == before
    assert out.startswith("Dry run: ") and "none made" in out
    assert "portal.wizard.user.action_grant_access" in out and "mail.activity.create" in out

    code, out, err = invoke("enroll", "-c", config)
    assert code == 0, err
    assert "3 enrolled, 1 awaiting review" in out
    code, out, _ = invoke("enroll", "-c", config)
    assert code == 0 and "0 enrolled, 0 awaiting review" in out and "0 writes confirmed" in out

    code, out, _ = invoke("status", "-c", config)
    assert code == 0
    assert "Enrollment: 3 enrolled, 1 awaiting review, 0 in progress, 0 failed" in out
    (waiting,) = [line for line in out.splitlines() if line.startswith("  applicant ")]
    assert "e-mail" in waiting


def test_dry_run_of_a_new_contact_runs_the_whole_chain_on_stand_ins(
    tmp_path: Path, emu: OdooEmulator
) -> None:
    config = config_path(tmp_path, emu)
    # An applicant without a contact, whose address no contact has (Odoo makes one when the
    # address is typed: that one is given another address)
    emu.env.write("hr.applicant", [6], {"partner_id": False})
    emu.env.write("hr.applicant", [6], {"email_from": "new.one@example.com"})
    made_by_odoo = emu.env.search("res.partner", [("email", "=ilike", "new.one@example.com")])
    emu.env.write("hr.applicant", [6], {"partner_id": False})
    emu.env.write("res.partner", made_by_odoo, {"email": "someone.else@example.com"})
    before = odoo_counts(emu)
    code, out, err = invoke("enroll", "-c", config, "--applicant", "6", "--dry-run")
    assert code == 0, err
    assert odoo_counts(emu) == before
    assert out.startswith("Dry run: ") and "none made" in out.splitlines()[0]
    made = "{'$ref': 'enroll/applicant:6/r0/partner'}"
    for call in (
        "res.partner.create {'vals_list': {'name': ",
        "open the portal access wizard for partner <new: enroll/applicant:6/r0/partner>",
        f"hr.applicant.write [6] {{'vals': {{'partner_id': {made}}}}}",
        f"portal.wizard.create {{'vals_list': {{'partner_ids': [[6, 0, [{made}]]]}}}}",
        "portal.wizard.user.action_grant_access ['<made by Odoo alongside>']",
        f"'partner_ids': [[6, 0, [{made}]]]",  # the course invitation, to the new contact
        "hr.applicant.message_post [6]",
    ):
        assert call in out, call
    assert "-100000" not in out  # no stand-in id leaks into what the operator reads
    code, out, err = invoke("enroll", "-c", config, "--applicant", "6")
    assert code == 0, err and "1 enrolled" in out


def test_enroll_by_hand_then_again_says_already_enrolled(tmp_path: Path, emu: OdooEmulator) -> None:
    config = config_path(tmp_path, emu)
    code, out, err = invoke("enroll", "-c", config, "--partner", "20", "--program", "wood")
    assert code == 0, err
    assert "1 enrolled" in out
    assert count(emu, "slide.channel.partner", [("channel_id", "=", 3), ("partner_id", "=", 20)])
    code, out, _ = invoke("enroll", "-c", config, "--partner", "20", "--program", "wood")
    assert code == 0 and "partner:20:wood: already enrolled, nothing to do" in out


def test_bad_input_is_one_plain_sentence(tmp_path: Path, emu: OdooEmulator) -> None:
    config = config_path(tmp_path, emu)
    cases = [
        (["--applicant", "999"], 1, "error: Odoo has no applicant 999.\n"),
        (["--partner", "99999", "--program", "wood"], 1, "error: Odoo has no contact 99999.\n"),
        (
            ["--partner", "3", "--program", "nope"],
            2,
            "error: no program 'nope' in the config (programs: gardening, wood)\n",
        ),
        (["--partner", "3"], 2, "error: --partner and --program go together\n"),
        (
            ["--applicant", "3"],
            1,
            "error: Applicant 3's job (Experienced Developer) leads to no program: "
            "list it under programs[].jobs, or use --partner with --program.\n",
        ),
    ]
    for args, exit_code, message in cases:
        code, _, err = invoke("enroll", "-c", config, *args)
        assert (code, err) == (exit_code, message), args
    emu.env.write("hr.applicant", [7], {"active": False})
    code, _, err = invoke("enroll", "-c", config, "--applicant", "7")
    assert code == 1
    assert err == (
        "error: Applicant 7 (Tina Williamson) is refused or archived in Odoo, so it is not "
        "enrolled.\n"
    )


def test_unknown_ojt_stage_is_a_config_error(tmp_path: Path, emu: OdooEmulator) -> None:
    config = config_path(tmp_path, emu)
    text = (
        Path(config)
        .read_text(encoding="utf-8")
        .replace("ojt_stage: On the Job Training", "ojt_stage: Apprenticeship")
    )
    Path(config).write_text(text, encoding="utf-8")
    code, _, err = invoke("enroll", "-c", config)
    assert code == 2
    assert err == (
        "error: recruitment.ojt_stage: Odoo has no recruitment stage 'Apprenticeship'; "
        "name an existing stage (by name or id)\n"
    )


def test_without_programs_listing_jobs_a_missing_stage_is_nothing_to_enroll(
    tmp_path: Path, emu: OdooEmulator
) -> None:
    config = config_path(tmp_path, emu)
    text = Path(config).read_text(encoding="utf-8")
    text = text.replace("ojt_stage: On the Job Training", "ojt_stage: Apprenticeship")
    text = text.replace("jobs: [Trainee]", "jobs: []").replace("jobs: [Consultant]", "jobs: []")
    Path(config).write_text(text, encoding="utf-8")
    for _ in range(2):  # every cycle, not only the first
        code, out, err = invoke("enroll", "-c", config)
        assert code == 0, out + err
        assert out.startswith("Nothing to enroll: no program lists jobs")
        assert "0 applicants read" in out
        assert err == ""
    assert count(emu, "mail.activity", []) == 0
