"""The API's addresses under /api/v1: each one declared once with `operation` (its scope, its
parameters' model and its answer's model), which both routes it and tells the OpenAPI
document about it."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app
from flask.blueprints import BlueprintSetupState
from pydantic import BaseModel

from sidecar.cockpit.api import models as out
from sidecar.cockpit.api import params, queries, records
from sidecar.cockpit.api.errors import ApiError, from_api_error
from sidecar.cockpit.api.guard import EXTENSION, Limiters, admit
from sidecar.cockpit.api.openapi import Operation, document_text
from sidecar.cockpit.api.params import answer, parse
from sidecar.cockpit.context import db, now, state

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.register_error_handler(ApiError, from_api_error)

DEFAULT_MAX_SCORE = 10.0  # programs[].assignments.max_score when a program has no assignments


# endpoint ("api.trainees") -> what it is: what the OpenAPI document is built from
OPERATIONS: dict[str, Operation] = {}

# A view answers its model, or the JSON bytes of one (`fastjson`) where building it cost most.
View = Callable[[Any], BaseModel | bytes]


def operation(
    rule: str, *, scope: str, args: type[BaseModel], response: type[BaseModel], summary: str
) -> Callable[[View], View]:
    """Route GET `rule` to the view: the token let in for `scope`, its parameters parsed into
    `args`, its answer (a `response`) sent with an ETag."""

    def decorate(view: View) -> View:
        description = inspect.cleandoc(view.__doc__ or "")
        OPERATIONS[f"{bp.name}.{view.__name__}"] = Operation(
            summary, description, scope, args, response
        )

        @wraps(view)
        def wrapped(**path: Any) -> Response:
            admit(scope)
            found = view(parse(args, path))
            return answer(found if isinstance(found, bytes) else found.model_dump_json())

        bp.add_url_rule(rule, view.__name__, wrapped, methods=["GET"])
        return view

    return decorate


@bp.record_once
def _limiters(setup: BlueprintSetupState) -> None:
    setup.app.extensions.setdefault(EXTENSION, Limiters())


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API, built from these routes; needs no token."""
    return answer(document_text(current_app, OPERATIONS))


@operation(
    "/programs",
    scope="programs",
    args=params.ProgramArgs,
    response=out.ProgramPage,
    summary="Active programs and their courses",
)
def programs(args: params.ProgramArgs) -> out.ProgramPage:
    """The programs the config lists (inactive ones left out), with their active courses."""
    return queries.program_page(db(), args)


@operation(
    "/batches",
    scope="batches",
    args=params.BatchArgs,
    response=out.BatchPage,
    summary="Batches of active programs",
)
def batches(args: params.BatchArgs) -> out.BatchPage:
    """Every batch of an active program, written in the config or made from an Odoo event,
    archived ones too (see `status`)."""
    return queries.batch_page(db(), args)


@operation(
    "/trainees",
    scope="trainees",
    args=params.TraineeArgs,
    response=out.TraineePage,
    summary="Trainees with their figures",
)
def trainees(args: params.TraineeArgs) -> out.TraineePage | bytes:
    """One row per trainee and program: progress, scores, attendance, status and batch."""
    return queries.trainee_page(db(), args)


@operation(
    "/trainees/<int:partner_id>",
    scope="trainees",
    args=params.TraineePath,
    response=out.TraineeDetail,
    summary="One trainee in all their programs",
)
def trainee(args: params.TraineePath) -> out.TraineeDetail:
    """A person (their Odoo contact id) in every active program they are a trainee of."""
    found = queries.trainee_detail(db(), args.partner_id)
    if found is None:
        raise ApiError(404, f"No trainee has the partner id {args.partner_id}.")
    return found


@operation(
    "/progress",
    scope="progress",
    args=params.ProgressArgs,
    response=out.ProgressPage,
    summary="Progress per trainee and course",
)
def progress(args: params.ProgressArgs) -> out.ProgressPage:
    """One row per trainee and active course of their program, as the sync last read it."""
    return records.progress_page(db(), args)


@operation(
    "/attendance",
    scope="attendance",
    args=params.BatchRowArgs,
    response=out.AttendancePage,
    summary="Registrations for the batches' events",
)
def attendance(args: params.BatchRowArgs) -> out.AttendancePage:
    """Each trainee's registration for their program's batch events, from Odoo's Events."""
    return records.attendance_page(db(), args)


@operation(
    "/scores",
    scope="scores",
    args=params.BatchRowArgs,
    response=out.ScorePage,
    summary="Assignment tasks with hand-in and score",
)
def scores(args: params.BatchRowArgs) -> out.ScorePage:
    """Each trainee's task per active assignment of their batch: handed in when, late or
    not, its score and the maximum it is out of."""
    return records.score_page(db(), args, _default_max)


@operation(
    "/certificates",
    scope="certificates",
    args=params.BatchRowArgs,
    response=out.CertificatePage,
    summary="Certificates with their status",
)
def certificates(args: params.BatchRowArgs) -> out.CertificatePage:
    """Every certificate issued to a trainee, superseded and revoked ones too, with the
    status the public verification page shows today."""
    return records.certificate_page(db(), args, now().date())


def _default_max(program_key: str) -> float:
    try:
        configured = state().cfg.program(program_key).assignments
    except KeyError:
        return DEFAULT_MAX_SCORE
    return configured.max_score if configured is not None else DEFAULT_MAX_SCORE
