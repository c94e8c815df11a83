"""The Odoo versions the emulator speaks, and what changes from one to the next.

A ``Profile`` answers the questions the rest of the emulator asks ("are there JSON-2 routes?",
"what is the groups field of res.users called?") so that version checks read as intent rather
than as comparisons of numbers. The model shapes come from ``reference/<version>/fields``; 20.0
has no recorded fields of its own and reuses 19.0's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

REFERENCE_ROOT = Path(__file__).parent / "reference"
VERSIONS = ("16.0", "17.0", "18.0", "19.0", "20.0")
DEFAULT_VERSION = "17.0"


@dataclass(frozen=True)
class Profile:
    version: str

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def reference_dir(self) -> Path:
        """Where this version's ``fields/`` and ``samples/`` live (20.0 borrows 19.0's)."""
        own = REFERENCE_ROOT / self.version
        return own if (own / "fields").is_dir() else REFERENCE_ROOT / "19.0"

    @property
    def fields_dir(self) -> Path:
        return self.reference_dir / "fields"

    def version_info(self) -> dict:
        """What ``common.version()`` answers."""
        path = REFERENCE_ROOT / self.version / "version.json"
        data: dict = json.loads(path.read_text())
        return data

    # -- transports -------------------------------------------------------------------------------
    @property
    def has_json2(self) -> bool:
        """``POST /json/2/<model>/<method>`` with an API key (new in 19.0)."""
        return self.major >= 19

    @property
    def has_legacy_rpc(self) -> bool:
        """``/xmlrpc``, ``/xmlrpc/2`` and ``/jsonrpc``: deprecated in 19.0 (a server log line,
        nothing to the client) and still served by 20.0; their removal is planned for 22.0."""
        return self.major < 22

    @property
    def has_db_service(self) -> bool:
        """20.0 dropped the ``db`` service (``common`` and ``object`` remain)."""
        return self.major < 20

    @property
    def recordsets_as_ids(self) -> bool:
        """19.0+: a method returning records answers their ids over every transport."""
        return self.major >= 19

    @property
    def relative_course_urls(self) -> bool:
        """19.0+: ``slide.channel.website_url`` is ``/slides/<slug>``; before, Odoo puts its
        ``web.base.url`` in front (observed on real 17.0 and 19.0 servers)."""
        return self.major >= 19

    @property
    def jsonrpc_error_code(self) -> int:
        return 0 if self.major >= 19 else 200

    # -- method dispatch --------------------------------------------------------------------------
    @property
    def dotted_method_names(self) -> bool:
        """Fault texts name ``'model.method'`` (16.0 at its later patch levels, and 18.0+)."""
        return self.major != 17

    @property
    def every_underscore_private(self) -> bool:
        """17.0 and 19.0+: any ``_name`` is refused as private, whether it exists or not."""
        return self.major == 17 or self.major >= 19

    @property
    def has_access_methods(self) -> bool:
        """``has_access`` / ``check_access`` (18.0+; ``check_access`` is private from 19.0)."""
        return self.major >= 18

    # -- models -----------------------------------------------------------------------------------
    @property
    def groups_field(self) -> str:
        return "group_ids" if self.major >= 19 else "groups_id"

    @property
    def has_candidates(self) -> bool:
        return self.major == 18

    @property
    def has_cancelled_event_stage(self) -> bool:
        """The event module's Cancelled stage (an end stage); 19.0 installs only four stages."""
        return self.major < 19

    @property
    def reworded_event_stages(self) -> bool:
        """18.0+: the Booked stage has an empty description and Ended explains its automation."""
        return self.major >= 18

    @property
    def whole_second_datetimes(self) -> bool:
        """19.0+: datetime domain values are compared to the whole second, ISO only, no tz."""
        return self.major >= 19


def profile_for(version: str) -> Profile:
    if version not in VERSIONS:
        raise ValueError(f"unknown Odoo version {version!r}; expected one of {', '.join(VERSIONS)}")
    return Profile(version)
