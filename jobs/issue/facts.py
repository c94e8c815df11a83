"""The few things issuance reads from Odoo, each read once per job: whether a batch's event is
over, the issuer's company, a model's id for a To-Do, and who should review a trainee."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors import OdooClient
from jobs.odoo import contacts, events, mail, recruitment


class OdooFacts:
    def __init__(self, client: OdooClient) -> None:
        self.client = client
        self._cache: dict[tuple[str, Any], Any] = {}

    def _once(self, key: tuple[str, Any], read: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]

    def event_outcome(
        self, event_id: int, cancelled_stages: tuple[str, ...]
    ) -> events.StageOfEvent:
        """The event read afresh each time (it moves between stages); a stage's name and end
        once per job."""
        stage_id, kanban_state = events.event_state(self.client, event_id)
        stage = (
            None
            if stage_id is None
            else self._once(("stage", stage_id), lambda: events.event_stage(self.client, stage_id))
        )
        return events.outcome(kanban_state, stage, cancelled_stages)

    def company_name(self) -> str:
        return str(
            self._once(
                ("company", None), lambda: contacts.company_name(self.client, self.client.uid)
            )
        )

    def model_id(self, model: str) -> int:
        def read() -> int:
            found = mail.model_id(self.client, model)
            if found is None:
                raise LookupError(f"Odoo has no model {model}")
            return found

        return int(self._once(("model", model), read))

    def reviewer(self, responsible: int | str | None, model: str, res_id: int) -> int:
        """The program's responsible user, else the applicant's recruiter, else us."""
        if responsible is not None:
            found = self._once(
                ("user", responsible),
                lambda: contacts.user_by_login_or_name(self.client, responsible),
            )
            if found:
                return int(found)
        if model == recruitment.APPLICANT:
            recruiter = recruitment.recruiter(self.client, res_id)
            if recruiter is not None:
                return recruiter
        return self.client.uid
