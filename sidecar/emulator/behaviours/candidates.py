"""18.0 recruitment: the person behind an application is an ``hr.candidate``.

An applicant must name its candidate (``candidate_id`` is required). Its ``partner_id`` is the
candidate's (read only, not stored); ``email_from`` and ``partner_phone`` are the candidate's too
and writing them on the applicant writes the candidate; ``partner_name`` is computed from the
candidate and written back to it. A candidate with an e-mail and no contact gets one, named after
the e-mail (17.0 did that for applicants).
"""

from __future__ import annotations

from typing import Any

from ..hooks import ComputeFn, Hooks
from ..orm import Env
from ..versions import Profile
from .recruitment import APPLICANT, find_or_create_partner

CANDIDATE = "hr.candidate"
# applicant fields that live on the candidate, and that a write on the applicant passes on
PERSON_FIELDS = ("partner_name", "email_from", "partner_phone")
_PENDING = "_candidate_vals"


def _candidate_prepare(env: Env, vals: dict) -> None:
    vals.setdefault("active", True)
    vals.setdefault("company_id", 1)
    vals.setdefault("user_id", env.uid)
    if vals.get("email_from") and not vals.get("partner_id"):
        vals["partner_id"] = find_or_create_partner(env, vals["email_from"])
    if vals.get("email_from"):
        vals["email_normalized"] = str(vals["email_from"]).strip().lower()


def _candidate_after_write(env: Env, ids: list[int], vals: dict, before: dict) -> None:
    rows = env.rows(CANDIDATE)
    if not vals.get("email_from"):
        return
    for rid in ids:
        row = rows[rid]
        row["email_normalized"] = str(vals["email_from"]).strip().lower()
        if not row.get("partner_id"):
            row["partner_id"] = find_or_create_partner(env, vals["email_from"])


def _applicant_prepare(env: Env, vals: dict) -> None:
    """Person fields given at create wait until the applicant exists, then go to its candidate."""
    person = {f: vals.pop(f) for f in PERSON_FIELDS if f in vals}
    if person:
        vals[_PENDING] = person


def _applicant_after_create(env: Env, ids: list[int]) -> None:
    for rid in ids:
        row = env.rows(APPLICANT)[rid]
        person = row.pop(_PENDING, None)
        if person and row.get("candidate_id"):
            env.sudo().write(CANDIDATE, [row["candidate_id"]], person)


def _applicant_before_write(env: Env, ids: list[int], vals: dict) -> None:
    person = {f: vals.pop(f) for f in PERSON_FIELDS if f in vals}
    if not person:
        return
    candidates = {env.rows(APPLICANT)[i].get("candidate_id") for i in ids}
    found = sorted(int(c) for c in candidates if c)
    if found:
        env.sudo().write(CANDIDATE, found, person)


def _from_candidate(fname: str) -> ComputeFn:
    def compute(env: Env, row: dict) -> Any:
        return env.get(CANDIDATE, row.get("candidate_id"), fname)

    return compute


def register(hooks: Hooks, profile: Profile) -> None:
    if not profile.has_candidates:
        return
    hooks.prepare[CANDIDATE].append(_candidate_prepare)
    hooks.after_write[CANDIDATE].append(_candidate_after_write)
    hooks.prepare[APPLICANT].insert(0, _applicant_prepare)
    hooks.after_create[APPLICANT].append(_applicant_after_create)
    hooks.before_write[APPLICANT].append(_applicant_before_write)
    for fname in (*PERSON_FIELDS, "partner_id", "email_normalized"):
        hooks.computes[APPLICANT][fname] = _from_candidate(fname)
