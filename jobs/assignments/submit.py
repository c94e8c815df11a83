"""`ojt-sidecar submit`: a trainee's files handed in through the integration, posted on their
task in Odoo as the trainee (`author_id`), which works on every version. The files are copied
under the files root first (delivery reads them there), and the hand-in is keyed by their
content: submitting the same files again posts nothing twice."""

from __future__ import annotations

import hashlib
import html
import mimetypes
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from jobs.assignments.finding import find_task
from jobs.odoo import mail, projects
from sidecar.config import Config
from sidecar.files import write_atomic
from sidecar.outbox import enqueue, row_of

MAX_FILE_BYTES = 25_000_000  # Odoo's default upload limit is about this size
MAX_FILES = 10
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class SubmissionError(Exception):
    """The hand-in cannot be made: one sentence saying why."""


@dataclass(frozen=True)
class Submitted:
    task_id: int
    title: str
    files: int
    already: bool  # the same files were handed in before: nothing new queued


def submit(
    session: Session,
    cfg: Config,
    files_root: Path,
    *,
    trainee: str | int,
    batch: str,
    assignment: str,
    files: list[Path],
    note: str,
    content_field: str,
    now: datetime,
) -> Submitted:
    if len(files) > MAX_FILES:
        raise SubmissionError(f"at most {MAX_FILES} files can be handed in at once")
    found = find_task(session, cfg, trainee, batch, assignment)
    if isinstance(found, str):
        raise SubmissionError(found)
    task, item, _ = found
    assert task.odoo_task_id is not None
    contents = [_read(path) for path in files]
    digest = hashlib.sha256(b"".join(hashlib.sha256(c).digest() for c in contents)).hexdigest()
    key = f"submission:{task.odoo_task_id}:{digest[:32]}"
    marker = f"hand-in {digest[:12]}"
    subject = f"submission:{task.odoo_task_id}"
    keys = _attach(
        session, files_root, task.odoo_task_id, key, digest, files, contents, content_field
    )
    body = f"<p>{html.escape(note) if note else 'Handed in'} <small>({marker})</small></p>"
    already = row_of(session, key) is not None
    enqueue(
        session,
        # posted by the integration as the trainee: the one way that works on every version
        # (19.0 lets no portal user post files over the API)
        mail.post(
            key,
            subject,
            model=projects.TASK,
            res_id=task.odoo_task_id,
            body_html=body,
            found_by=(marker,),
            summary=f"hand-in of contact {task.odoo_partner_id} on task {task.odoo_task_id}",
            attachment_keys=keys,
            author_id=task.odoo_partner_id,
        ),
    )
    if task.submitted_at is None:
        task.submitted_at = now
    return Submitted(task.odoo_task_id, item.title, len(files), already)


def _attach(
    session: Session,
    files_root: Path,
    task_id: int,
    key: str,
    digest: str,
    files: list[Path],
    contents: list[bytes],
    content_field: str,
) -> list[str]:
    """Each file copied under the files root (delivery reads it there) and queued as an
    attachment of the task; returns their outbox keys."""
    keys = []
    for index, (path, content) in enumerate(zip(files, contents, strict=True)):
        name = _UNSAFE.sub("_", path.name)[:120] or f"file-{index + 1}"
        relative = f"submissions/{task_id}/{digest[:16]}-{index}-{name}"
        target = files_root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, content, 0o600)
        keys.append(f"{key}:file:{index}")
        enqueue(
            session,
            mail.attach_file(
                keys[-1],
                f"submission:{task_id}",
                model=projects.TASK,
                res_id=task_id,
                filename=name,
                path=relative,
                description=f"hand-in {digest[:12]}",
                content_field=content_field,
                mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream",
            ),
        )
    return keys


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SubmissionError(f"{path} is larger than {MAX_FILE_BYTES // 1_000_000} MB")
        return path.read_bytes()
    except OSError as exc:
        raise SubmissionError(f"{path} cannot be read ({exc.strerror})") from None
