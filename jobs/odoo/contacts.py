"""Contacts, users and portal access: the trainee's `res.partner`, portal access granted
through Odoo's own `portal.wizard` (so Odoo sends its invitation with the signup link), and the
users the sidecar names (the service user, responsible users)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from connectors import OdooClient
from jobs.odoo.reads import WITH_ARCHIVED, AppNeeds, m2o, ref_domain
from sidecar.outbox import Lookup, Write

PARTNER = "res.partner"
USER = "res.users"
PORTAL_WIZARD = "portal.wizard"
PORTAL_LINE = "portal.wizard.user"


def partner_by_email(client: OdooClient, email: str) -> int | None:
    """The oldest contact with this e-mail (case-insensitive), as Odoo matches senders."""
    found = client.search(PARTNER, [("email", "=ilike", email)], limit=1, order="id asc")
    return found[0] if found else None


def partner(client: OdooClient, partner_id: int) -> dict[str, Any] | None:
    """A contact's name and e-mail, or None when Odoo has no such contact."""
    rows = client.read(PARTNER, [partner_id], ["name", "email"])
    return rows[0] if rows else None


# A contact as the recompute needs it: name, e-mail, and whether it is an internal user's.
Contact = tuple[str, str | None, bool | None]


def names_and_emails(client: OdooClient, ids: list[int]) -> dict[int, Contact]:
    """Name and e-mail of each contact, archived ones too ("Partner 7" for a nameless one), and
    whether it is an internal user's: Odoo's stored `partner_share` is False for the superuser's
    partner and for a partner with an active internal user (docs/product-rules.md §12)."""
    rows = client.read(PARTNER, ids, ["name", "email", "partner_share"], context=WITH_ARCHIVED)
    return {
        row["id"]: (
            row.get("name") or f"Partner {row['id']}",
            row.get("email") or None,
            row.get("partner_share") is False,
        )
        for row in rows
    }


def languages(client: OdooClient, ids: list[int]) -> dict[int, str | None]:
    """Each contact's language as Odoo keeps it ("fr_FR"; None when unset), archived ones too:
    the language their certificate is written in (sidecar/i18n)."""
    if not ids:
        return {}
    rows = client.read(PARTNER, ids, ["lang"], context=WITH_ARCHIVED)
    return {int(row["id"]): row.get("lang") or None for row in rows}


def user_partners(client: OdooClient, user_ids: list[int]) -> dict[int, int]:
    """The contact of each user, archived users too."""
    rows = client.read(USER, user_ids, ["partner_id"], context=WITH_ARCHIVED)
    return {int(r["id"]): partner for r in rows if (partner := m2o(r.get("partner_id")))}


def has_user(client: OdooClient, partner_id: int) -> bool:
    return bool(client.search(USER, [("partner_id", "=", partner_id)], limit=1))


def user_named(client: OdooClient, ref: int | str) -> int | None:
    """A user the config names by id or login."""
    found = client.search(USER, ref_domain(ref, "login"), limit=1)
    return found[0] if found else None


def user_by_login_or_name(client: OdooClient, ref: int | str) -> int | None:
    if isinstance(ref, int):
        return ref
    ids = client.search(USER, ["|", ("login", "=", ref), ("name", "=", ref)], limit=1)
    return int(ids[0]) if ids else None


def user_name(client: OdooClient, user_id: int) -> str | None:
    rows = client.read(USER, [user_id], ["name"])
    return str(rows[0]["name"]) if rows else None


def company_name(client: OdooClient, user_id: int) -> str:
    """The name of the user's company ("Odoo" when it cannot be read)."""
    rows = client.read(USER, [user_id], ["company_id"])
    company: Any = rows[0]["company_id"] if rows else False
    return str(company[1]) if isinstance(company, list) and len(company) > 1 else "Odoo"


def portal_line(client: OdooClient, wizard_id: int, partner_id: int) -> int | None:
    """The wizard's line for the contact: what access is granted on."""
    lines = client.search(
        PORTAL_LINE, [("wizard_id", "=", wizard_id), ("partner_id", "=", partner_id)], limit=1
    )
    return lines[0] if lines else None


# --- what Odoo makes alongside our writes (for dry runs, which only pretend to send them) ------


def _wizard_lines(
    made: Sequence[int], params: dict[str, Any], record: Callable[[str, int], Any]
) -> list[tuple[str, dict[str, Any]]]:
    """A portal wizard opened on contacts holds one line per contact (docs/odoo-notes.md §13)."""
    values = params.get("vals_list") or {}
    lines: list[tuple[str, dict[str, Any]]] = []
    rows = values if isinstance(values, list) else [values]
    for wizard_id, vals in zip(made, rows, strict=True):
        for command in vals.get("partner_ids") or []:
            if isinstance(command, list | tuple) and len(command) == 3 and command[0] == 6:
                lines += [
                    (PORTAL_LINE, {"wizard_id": wizard_id, "partner_id": p}) for p in command[2]
                ]
    return lines


def _granted_users(
    line_ids: Sequence[int], params: dict[str, Any], record: Callable[[str, int], Any]
) -> list[tuple[str, dict[str, Any]]]:
    """Granting portal access on a wizard line makes the contact's user."""
    lines = [record(PORTAL_LINE, line) for line in line_ids]
    return [(USER, {"partner_id": line["partner_id"]}) for line in lines if line]


MADE_ALONGSIDE = {
    (PORTAL_WIZARD, "create"): _wizard_lines,
    (PORTAL_LINE, "action_grant_access"): _granted_users,
}


# --- writes -------------------------------------------------------------------------------------


def create_partner(key: str, subject: str, name: str, email: str) -> Write:
    return Write(
        key=key,
        model=PARTNER,
        method="create",
        params={"vals_list": {"name": name or email, "email": email}},
        lookup=Lookup(PARTNER, [("email", "=", email)]),
        summary=f"create the contact {name or email} <{email}>",
        subject=subject,
    )


def portal_wizard(key: str, subject: str, partner_id: Any) -> Write:
    return Write(
        key=key,
        model=PORTAL_WIZARD,
        method="create",
        params={"vals_list": {"partner_ids": [[6, 0, [partner_id]]]}},
        # a wizard is a transient record: adopting an earlier one for the partner is harmless
        lookup=Lookup(PORTAL_WIZARD, [("partner_ids", "in", [partner_id])]),
        summary=f"open the portal access wizard for partner {partner_id}",
        subject=subject,
    )


def portal_grant(key: str, subject: str, wizard_line_id: Any, partner_id: Any) -> Write:
    return Write(
        key=key,
        model=PORTAL_LINE,
        method="action_grant_access",
        ids=[wizard_line_id],
        # a user for the partner is what a grant makes; Odoo refuses to grant twice anyway
        lookup=Lookup(USER, [("partner_id", "=", partner_id)]),
        summary=f"grant portal access to partner {partner_id} (Odoo e-mails the signup link)",
        subject=subject,
    )


# --- status tags (docs/status-in-odoo.md) ------------------------------------------------------

PARTNER_TAG = "res.partner.category"
PARTNER_TAGS = "category_id"  # the contact's tags, a many2many to PARTNER_TAG
STATUS_TAG_NEEDS = AppNeeds(
    "Contact tags",
    (PARTNER, PARTNER_TAG),
    ((PARTNER_TAG, "create"), (PARTNER, "write")),
    ((PARTNER, (PARTNER_TAGS,)), (PARTNER_TAG, ("name",))),
)


def partner_tags_named(client: OdooClient, names: Sequence[str]) -> dict[str, int]:
    """The id of each named contact tag that exists. Tag names are not unique: the oldest active
    tag of a name wins, so a tag a person made first is reused rather than doubled."""
    if not names:
        return {}
    rows = client.search_read_list(
        PARTNER_TAG, [("name", "in", sorted(set(names)))], ["name"], order="id"
    )
    found: dict[str, int] = {}
    for row in rows:
        found.setdefault(str(row["name"]), int(row["id"]))
    return found


def create_partner_tag(key: str, name: str) -> Write:
    return Write(
        key=key,
        model=PARTNER_TAG,
        method="create",
        params={"vals_list": {"name": name}},
        # a tag of this name made meanwhile, by us or by a person, is the one to use
        lookup=Lookup(PARTNER_TAG, [("name", "=", name)]),
        summary=f"create the contact tag {name!r}",
    )


def move_partner_tag(
    key: str, partner_id: int, *, remove: Any, add: Any, subject: str, what: str
) -> Write:
    """Take one tag off the contact and put another on, leaving its other tags alone (Command
    3 unlinks, 4 links; both are no-ops when already so, which makes the write idempotent)."""
    commands = [[3, remove]] if remove is not None else []
    commands += [[4, add]] if add is not None else []
    return Write(
        key=key,
        model=PARTNER,
        method="write",
        ids=[partner_id],
        params={"vals": {PARTNER_TAGS: commands}},
        summary=f"contact {partner_id}: {what}",
        subject=subject,
    )


def partner_tag_ids(client: OdooClient, partner_ids: list[int]) -> dict[int, list[int]]:
    """The tags each contact carries (archived contacts too): for checks and tests."""
    rows = client.read(PARTNER, partner_ids, [PARTNER_TAGS], context=WITH_ARCHIVED)
    return {int(r["id"]): sorted(int(t) for t in r.get(PARTNER_TAGS) or []) for r in rows}


GROUP_XMLID = "ir.model.data"


def signing_in(client: OdooClient, uid: int) -> dict[str, Any] | None:
    """What the cockpit needs of a user who just proved their login: login, name, contact and
    whether they are a portal (share) user; None when the service account cannot see them."""
    rows = client.read(USER, [uid], ["login", "name", "partner_id", "share"], names=False)
    return rows[0] if rows else None


def group_id(client: OdooClient, ref: int | str) -> int | None:
    """A group the config names by id, XML id (`base.group_system`: stable across languages)
    or name."""
    if isinstance(ref, int):
        return ref
    module, dot, name = ref.partition(".")
    if dot and " " not in ref:
        rows = client.search_read_list(
            GROUP_XMLID,
            [("module", "=", module), ("name", "=", name), ("model", "=", "res.groups")],
            ["res_id"],
            limit=1,
        )
        return int(rows[0]["res_id"]) if rows else None
    found = client.search("res.groups", [("name", "=", ref)], limit=1)
    return int(found[0]) if found else None


def in_group(client: OdooClient, uid: int, group: int) -> bool:
    """Whether the user is in the group, implied memberships included: 19.0 keeps only the
    groups set by hand in `group_ids` and all of them in `all_group_ids`; earlier versions keep
    all of them in `groups_id`."""
    fields = client.fields_get(USER)
    field = next(f for f in ("all_group_ids", "groups_id", "group_ids") if f in fields)
    return bool(client.search(USER, [("id", "=", uid), (field, "in", [group])], limit=1))
