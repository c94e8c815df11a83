"""The cockpit's pages: dashboard (admins, mentors), batch, trainee, admin, and certificate
downloads. Each one asks `allow` who may come in, then the reads what of it they may see."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, redirect, render_template, request, send_file
from sqlalchemy import select

from sidecar.certificate_bundle import current_certificates, write_bundle
from sidecar.cockpit import charts, reads
from sidecar.cockpit.context import allow, db, now, state, viewer_required
from sidecar.roles import Role
from sidecar.store.assignment_queries import batch_results
from sidecar.store.models import AppSession, Batch, Program
from sidecar.store.queries import last_runs
from sidecar.store.reports import REPORTS, Report, ReportFilter, ReportInputError
from sidecar.store.reports.enrollment import enrollment
from sidecar.store.reports.result import spreadsheet_safe

bp = Blueprint("pages", __name__)

STAFF = (Role.ADMIN, Role.MENTOR)
EVERYONE = (Role.ADMIN, Role.MENTOR, Role.TRAINEE)
# Shown on the dashboard; `trainees` (one row per person) is a CSV download only: reading every
# row of 10,000 trainees to show some of them made the page miss its time.
TABLES = ("completion", "time-to-completion", "funnel", "attendance")
DOWNLOADS = (*TABLES, "trainees", "enrollment")


@bp.get("/")
@allow(*EVERYONE)
def home() -> Any:
    viewer = viewer_required()
    if viewer.role is Role.TRAINEE:
        return redirect(f"/trainees/{viewer.partner_id}")
    return redirect("/dashboard")


def _filter() -> ReportFilter:
    def day(name: str) -> date | None:
        text = (request.args.get(name) or "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ReportInputError(f"{name} is not a date like 2026-03-31: {text[:40]!r}") from None

    return ReportFilter(
        program=(request.args.get("program") or "").strip() or None,
        batch=(request.args.get("batch") or "").strip() or None,
        date_from=day("from"),
        date_to=day("to"),
    )


def _problem(status: int, message: str) -> Response:
    html = render_template("problem.html", title="Cannot show this", message=message)
    return Response(html, status=status, mimetype="text/html")


@bp.get("/live.json")
@allow(*EVERYONE)
def live() -> Any:
    """The viewer's live stamp (reads.live_stamp), which static/live.js polls."""
    return {"stamp": reads.live_stamp(db(), viewer_required())}


@bp.get("/dashboard")
@allow(*STAFF)
def dashboard() -> Any:
    viewer = viewer_required()
    try:
        wanted = _filter()
        scope = reads.dashboard_scope(db(), viewer, wanted)
    except ReportInputError as exc:
        return _problem(400, str(exc))
    days = state().cfg.notifications.inactivity.after_days
    tables = {name: REPORTS[name](db(), scope) for name in TABLES}
    funnel = [charts.Bar(f"{r[0]}: {r[1]}", float(r[2] or 0)) for r in tables["funnel"].rows]
    attendance = [
        charts.Bar(str(r[2]), float(r[8] or 0), f"{r[6]} of {r[5]}")
        for r in tables["attendance"].rows
    ]
    figures = {
        "Trainees by overall progress (%)": charts.column_chart(
            "Progress of trainees (overall %)",
            charts.histogram(reads.values(db(), scope, "overall_pct")),
            unit="trainees",
        ),
        "Trainees by average score": charts.column_chart(
            "Average scores",
            charts.histogram(reads.values(db(), scope, "average_score")),
            unit="trainees",
        ),
        "Completions per month": charts.column_chart(
            "Completions per month",
            [charts.Bar(m, float(n)) for m, n in reads.completions_per_month(db(), scope)],
        ),
        "Funnel": charts.bar_list("Funnel", funnel),
        "Attendance per session (%)": charts.bar_list(
            "Attendance per session (%)", attendance, unit="%"
        ),
    }
    return render_template(
        "dashboard.html",
        viewer=viewer,
        scope=scope,
        wanted=wanted,
        cards=reads.cards(db(), scope, days, now()),
        inactive_days=days,
        durations={r[0]: r for r in tables["time-to-completion"].rows},
        tables=tables,
        figures=figures,
        programs=reads.visible_programs(db(), viewer),
        batches=reads.visible_batches(db(), viewer),
        runs=last_runs(db()),
        query=urlencode({k: v for k, v in request.args.items() if v}),
    )


@bp.get("/dashboard/<name>.csv")
@allow(*STAFF)
def dashboard_csv(name: str) -> Any:
    if name not in DOWNLOADS:
        abort(404)
    try:
        scope = reads.dashboard_scope(db(), viewer_required(), _filter())
    except ReportInputError as exc:
        return _problem(400, str(exc))
    report = enrollment(db(), scope) if name == "enrollment" else REPORTS[name](db(), scope)
    return _csv(report)


def _csv(report: Report) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(report.columns)
    for row in report.rows:
        writer.writerow([spreadsheet_safe("" if v is None else v) for v in row])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{report.name}.csv"'
    return response


@bp.get("/batches/<int:batch_id>")
@allow(*STAFF)
def batch(batch_id: int) -> Any:
    viewer = viewer_required()
    found = db().get(Batch, batch_id)
    if found is None or not viewer.sees_batch(found.program_id, found.id):
        abort(404)  # not 403: a mentor learns nothing of other people's batches
    program = db().get(Program, found.program_id)
    participants = reads.batch_participants(db(), found)
    default_max = 10.0
    configured = _program_config(program.key if program else "")
    if configured is not None and configured.assignments is not None:
        default_max = configured.assignments.max_score
    results = batch_results(db(), found.id, [s.id for s, _ in participants], default_max)
    titles = [r.assignment for r in next(iter(results.values()), [])]
    return render_template(
        "batch.html",
        viewer=viewer,
        batch=found,
        program=program,
        participants=participants,
        results=results,
        titles=titles,
        tasks=reads.batch_tasks(db(), found.id),
        actions=reads.batch_actions(db(), found.id),
    )


@bp.get("/batches/<int:batch_id>/certificates.zip")
@allow(*STAFF)
def batch_certificates(batch_id: int) -> Any:
    """The batch's certificates, as `ojt-sidecar cert export --batch` writes them."""
    found = db().get(Batch, batch_id)
    if found is None or not viewer_required().sees_batch(found.program_id, found.id):
        abort(404)
    out = io.BytesIO()
    write_bundle(
        out,
        current_certificates(db(), found.program_id, found.id),
        state().cfg.certificates.output_dir,
        now().date(),
    )
    out.seek(0)
    name = f"certificates-{found.key}.zip"
    return send_file(out, mimetype="application/zip", as_attachment=True, download_name=name)


def _program_config(key: str) -> Any:
    try:
        return state().cfg.program(key)
    except KeyError:
        return None


@bp.get("/trainees/<int:partner_id>")
@allow(*EVERYONE)
def trainee(partner_id: int) -> Any:
    viewer = viewer_required()
    view = reads.trainee_view(db(), viewer, partner_id)
    if view is None:
        abort(404)
    return render_template(
        "trainee.html",
        viewer=viewer,
        view=view,
        tasks=reads.trainee_tasks(db(), [s.id for s in view.students]),
        own=viewer.role is Role.TRAINEE and viewer.partner_id == partner_id,
        odoo_url=str(state().cfg.odoo.url).rstrip("/"),
    )


@bp.get("/certificates/<serial>.pdf")
@allow(*EVERYONE)
def certificate_pdf(serial: str) -> Any:
    cert = reads.certificate_for(db(), viewer_required(), serial[:64])
    if cert is None or cert.revoked_at is not None:
        abort(404)
    folder = state().cfg.certificates.output_dir.resolve()
    path = (folder / cert.pdf_path).resolve()
    if folder not in path.parents or not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/pdf", download_name=f"{cert.serial}.pdf")


@bp.get("/admin")
@allow(Role.ADMIN)
def admin() -> Any:
    sessions = db().scalars(
        select(AppSession)
        .where(AppSession.ended_at.is_(None), AppSession.expires_at > now())
        .order_by(AppSession.role, AppSession.name)
    )
    people: dict[tuple[Any, str], AppSession] = {}
    for row in sessions:
        people.setdefault((row.user_id, row.login), row)
    return render_template(
        "admin.html",
        viewer=viewer_required(),
        people=list(people.values()),
        programs=state().cfg.programs,
        batches=reads.visible_batches(db(), viewer_required()),
        odoo_url=str(state().cfg.odoo.url).rstrip("/"),
    )
