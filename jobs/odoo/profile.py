"""Which Odoo this is, as far as the adapters care: decided once per client, at login, from the
server's version and the fields its models really have (docs/odoo-notes.md §21), never guessed
from the version number alone where a field can tell.

The adapters take the profile and answer in one vocabulary whatever the version: a membership
has a status on every version (16.0's is derived as Odoo 16 derives it), an applicant has a
person whether it lives on the applicant or on 18.0's candidate, and so on.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

from connectors import OdooClient
from connectors.errors import OdooUnknownModelError

# The two models whose fields decide the profile (their adapters hold the same names).
_MEMBERSHIP = "slide.channel.partner"
_APPLICANT = "hr.applicant"


@dataclass(frozen=True)
class OdooProfile:
    series: str  # "17.0", as the server names its series
    major: int
    # Memberships carry `member_status` and `active` (17.0+); 16.0 has a `completed` flag, no
    # invitations, and deletes a membership a partner leaves.
    membership_status: bool = True
    # The applicant's person (contact, name, e-mail) lives on `hr.candidate` (18.0).
    candidates: bool = False
    # `hr.applicant.name`, the application's title (gone in 18.0).
    applicant_name: bool = True
    # `hr.applicant.user_id`, the recruiter (20.0 names an employee in `recruiter_id` instead).
    applicant_recruiter: bool = True

    @property
    def enroll_action(self) -> str:
        """The course button whose action opens the wizard that enrolls people at once: 16.0 has
        no "Enroll" button, and its "Invite" wizard enrolls (16.0 has no invited state)."""
        return "action_channel_enroll" if self.major >= 17 else "action_channel_invite"

    @property
    def attachment_content(self) -> str:
        """The field an attachment's base64 content is written to: 20.0 ignores `datas` (still
        listed by `fields_get`, so only the version tells) and takes `raw`."""
        return "raw" if self.major >= 20 else "datas"

    @property
    def has_access(self) -> bool:
        """`has_access(operation)` answers access questions; `check_access_rights` is deprecated."""
        return self.major >= 18

    @property
    def json2(self) -> bool:
        """The JSON-2 API (`/json/2/<model>/<method>`, API keys) exists."""
        return self.major >= 19

    @property
    def legacy_rpc_deprecated(self) -> bool:
        """XML-RPC and JSON-RPC log a deprecation warning on every call."""
        return self.major >= 19


ODOO_17 = OdooProfile("17.0", 17)

_profiles: weakref.WeakKeyDictionary[OdooClient, OdooProfile] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def profile_of(client: OdooClient) -> OdooProfile:
    """The client's profile, read on first use (two or three calls) and kept with the client."""
    with _lock:
        found = _profiles.get(client)
    if found is None:
        found = read_profile(client)
        with _lock:
            _profiles[client] = found
    return found


def read_profile(client: OdooClient) -> OdooProfile:
    version = client.version()
    major = version.major
    membership = _fields(client, _MEMBERSHIP)
    applicant = _fields(client, _APPLICANT)
    return OdooProfile(
        series=version.serie or f"{major}.0",
        major=major,
        membership_status="member_status" in membership if membership else major >= 17,
        candidates="candidate_id" in applicant if applicant else major == 18,
        applicant_name="name" in applicant if applicant else major <= 17,
        applicant_recruiter="user_id" in applicant if applicant else major <= 19,
    )


def _fields(client: OdooClient, model: str) -> set[str]:
    """The model's fields, or none when its app is not installed."""
    try:
        return set(client.fields_get(model, ("type",)))
    except OdooUnknownModelError:
        return set()
