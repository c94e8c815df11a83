"""The words of each notification: the shipped ones per language, the operator's from the config,
and turning them into a chatter message (docs/notifications.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from sidecar.config import Config
from sidecar.config.notifications import Wording
from sidecar.config.programs import Program as ProgramConfig

# Shipped words per language, by Odoo's `lang` code prefix. A partner whose language has none
# gets English. (subject, body); the bodies are plain text, blank lines between paragraphs.
SHIPPED: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "welcome": (
            "Welcome to {program}",
            "Hello {participant},\n\nyou are enrolled in {program}{batch}. Your courses: "
            "{courses}.\n\nTo complete the program: {requirements}.",
        ),
        "milestone": (
            "{program}: {percent} done",
            "Well done, {participant}: you have reached {percent} of {program}. Keep going!",
        ),
        "course_completed": (
            "{program}: {course} completed",
            "Congratulations, {participant}: you completed the course {course} of {program}.",
        ),
        "program_completed": (
            "{program} completed",
            "Congratulations, {participant}: you completed {program}. Your certificate follows "
            "as soon as it is issued.",
        ),
        "inactivity": (
            "{program}: we miss you",
            "Hello {participant},\n\nwe have not seen progress in {program} for {days} days; "
            "you are at {percent}. Pick up where you left off whenever you can.",
        ),
        "expiry": (
            "Your {program} certificate expires on {expires_on}",
            "Hello {participant},\n\nyour certificate {serial} for {program} expires in {days} "
            "days, on {expires_on}. Check it at {verify_url}. {renewal}",
        ),
        "digest": (
            "Training digest, week {week}",
            "Hello {mentor},\n\nhere is where your trainees stand this week.",
        ),
    }
}
REMINDER_FOOTER = {
    "en": "You receive this reminder as a trainee. To stop reminders, reply and say so: your "
    "training coordinator will switch them off (certificates still reach you)."
}
# The kinds a trainee may switch off (docs/notifications.md, "Opting out").
REMINDERS = frozenset({"milestone", "inactivity", "expiry"})


@dataclass(frozen=True)
class Message:
    subject: str
    body_html: str


def language(lang: str | None) -> str:
    """The shipped language for Odoo's `lang` (fr_BE → fr), English when we have none."""
    code = (lang or "en").split("_")[0].lower()
    return code if code in SHIPPED else "en"


def wording(
    cfg: Config, program: ProgramConfig | None, kind: str, lang: str | None
) -> tuple[str, str]:
    """(subject, body): the program's words, else the config's, else the shipped ones; each
    part on its own, so an operator may change only a subject."""
    subject, body = SHIPPED[language(lang)][kind]
    layers: list[Wording | None] = [cfg.notifications.texts.of(kind)]
    if program is not None:
        layers.append(program.notifications.texts.of(kind))
    for layer in layers:
        if layer is not None:
            subject = layer.subject or subject
            body = layer.body or body
    return subject, body


def paragraphs(text: str) -> str:
    """Plain text as HTML: blank lines part paragraphs, single newlines break lines."""
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join("<p>" + "<br/>".join(escape(p).split("\n")) + "</p>" for p in parts)


def render(
    subject: str,
    body: str,
    values: Mapping[str, str],
    *,
    extra_html: str = "",
    footer: str | None,
    ref: str,
) -> Message:
    """Fill the placeholders (values are escaped: a name cannot inject markup), then add the
    generated part, the footer and the reference the outbox finds the message by."""
    filled_subject = subject.format_map(dict(values))
    filled_body = body.format_map(dict(values))
    html = paragraphs(filled_body) + extra_html
    if footer:
        html += f"<p><small>{escape(footer)}</small></p>"
    html += f"<p><small>Ref. {escape(ref)}</small></p>"
    return Message(" ".join(filled_subject.split()), html)
