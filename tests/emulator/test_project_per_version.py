"""The Project app on each Odoo version, over XML-RPC, as recorded from real servers: task
properties, copying a template project, and what a portal trainee sees and may do."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sidecar.emulator import OdooEmulator

from .conftest import Rpc, last_line

VERSIONS = ("16.0", "17.0", "18.0", "19.0", "20.0")
P = "project.project"
T = "project.task"

DEFINITION = [
    {"name": "score", "string": "Score", "type": "integer"},
    {"name": "weight", "string": "Weight", "type": "float"},
    {
        "name": "grade",
        "string": "Grade",
        "type": "selection",
        "selection": [["pass", "Pass"], ["fail", "Fail"]],
    },
    {"name": "feedback", "string": "Feedback", "type": "char"},
    {"name": "submitted", "string": "Submitted", "type": "boolean"},
]


@pytest.fixture(params=VERSIONS)
def rpc(request: pytest.FixtureRequest) -> Iterator[Rpc]:
    with OdooEmulator(demo=True, version=request.param) as emu:
        yield Rpc(emu)


def major(rpc: Rpc) -> int:
    return int(rpc.emu.version[:2])


def project(rpc: Rpc, definition: list | None = None, **extra: Any) -> tuple[int, list[int]]:
    """A portal project with three stages (To Do / Submitted / Scored)."""
    pid = rpc.ek(
        P,
        "create",
        [{"name": "OJT Project", "privacy_visibility": "portal", **extra}],
    )
    if definition is not None:
        rpc.ek(P, "write", [[pid], {"task_properties_definition": definition}])
    stages = [
        rpc.ek(
            "project.task.type",
            "create",
            [{"name": n, "sequence": i, "project_ids": [[6, 0, [pid]]]}],
        )
        for i, n in enumerate(("To Do", "Submitted", "Scored"), start=1)
    ]
    return pid, stages


def props(rpc: Rpc, tid: int) -> dict[str, Any]:
    """name -> value (a missing ``value`` key shown as the string 'absent')."""
    got = rpc.ek(T, "read", [[tid], ["task_properties"]])[0]["task_properties"]
    return {p["name"]: p.get("value", "absent") for p in got}


def unset(rpc: Rpc) -> Any:
    return "absent" if major(rpc) >= 19 else False


# -- task properties ------------------------------------------------------------------------------


def test_definition_and_read_shape(rpc: Rpc) -> None:
    pid, stages = project(rpc, DEFINITION)
    got = rpc.ek(P, "read", [[pid], ["task_properties_definition"]])[0]
    assert got["task_properties_definition"] == DEFINITION
    tid = rpc.ek(T, "create", [{"name": "week 1 report", "project_id": pid, "stage_id": stages[0]}])
    read = rpc.ek(T, "read", [[tid], ["task_properties"]])[0]["task_properties"]
    expected = [dict(p, value=False) if major(rpc) < 19 else dict(p) for p in DEFINITION]
    assert read == expected
    same = rpc.ek(
        T, "search_read", [[["id", "=", tid]]], {"fields": ["task_properties"], "load": ""}
    )
    assert same[0]["task_properties"] == expected
    # a project without a definition reads as an empty list
    other = rpc.ek(T, "create", [{"name": "plain", "project_id": project(rpc)[0]}])
    assert rpc.ek(T, "read", [[other], ["task_properties"]])[0]["task_properties"] == []


def test_a_write_replaces_every_value_unvalidated(rpc: Rpc) -> None:
    pid, _ = project(rpc, DEFINITION)
    tid = rpc.ek(T, "create", [{"name": "week 1", "project_id": pid}])
    assert rpc.ek(T, "write", [[tid], {"task_properties": {"score": 7}}]) is True
    assert props(rpc, tid)["score"] == 7
    rpc.ek(
        T, "write", [[tid], {"task_properties": {"grade": "pass", "feedback": "good structure"}}]
    )
    got = props(rpc, tid)
    assert got["score"] == (False if major(rpc) == 16 else unset(rpc))
    assert (got["grade"], got["feedback"]) == ("pass", "good structure")
    rpc.ek(
        T, "write", [[tid], {"task_properties": {"score": "abc", "grade": "excellent", "nope": 1}}]
    )
    got = props(rpc, tid)
    assert (got["score"], got["grade"]) == ("abc", False)
    assert "nope" not in got
    rpc.ek(T, "write", [[tid], {"task_properties": {"score": 6.7}}])
    assert props(rpc, tid)["score"] == 6.7
    created = rpc.ek(
        T, "create", [{"name": "week 3", "project_id": pid, "task_properties": {"score": 3}}]
    )
    assert props(rpc, created)["score"] == 3


def test_list_form_and_definition_changed(rpc: Rpc) -> None:
    pid, _ = project(rpc, DEFINITION)
    t1 = rpc.ek(T, "create", [{"name": "a", "project_id": pid, "task_properties": {"score": 9}}])
    t2 = rpc.ek(T, "create", [{"name": "b", "project_id": pid}])
    listed = [{"name": "score", "type": "integer", "string": "Score", "value": 4}]
    assert rpc.ek(T, "write", [[t2], {"task_properties": listed}]) is True
    assert props(rpc, t2)["score"] == 4
    assert (
        rpc.ek(P, "read", [[pid], ["task_properties_definition"]])[0]["task_properties_definition"]
        == DEFINITION
    )
    note = {"name": "mentor_note2", "type": "char", "string": "Mentor note 2", "value": "added"}
    changed = [{**listed[0], "value": 3}, {**note, "definition_changed": True}]
    rpc.ek(T, "write", [[t2], {"task_properties": changed}])
    definition = rpc.ek(P, "read", [[pid], ["task_properties_definition"]])[0]
    assert [p["name"] for p in definition["task_properties_definition"]] == [
        "score",
        "mentor_note2",
    ]
    assert props(rpc, t2) == {"score": 3, "mentor_note2": "added"}
    if major(rpc) == 16:
        # the other task has no stored value for the new property: None cannot be marshalled
        fault = rpc.fault(T, "read", [[t1], ["task_properties"]])
        assert last_line(fault) == "TypeError: cannot marshal None unless allow_none is enabled"
        data = rpc.jek(T, "read", [[t1], ["task_properties"]])
        assert data["result"][0]["task_properties"][1]["value"] is None
        rpc.ek(T, "write", [[t1], {"task_properties": {"score": 9, "mentor_note2": False}}])
    assert props(rpc, t1) == {"score": 9, "mentor_note2": unset(rpc) if major(rpc) > 16 else False}


def test_added_property_reads_back_per_version(rpc: Rpc) -> None:
    pid, _ = project(rpc, DEFINITION[:1])
    written = rpc.ek(
        T, "create", [{"name": "a", "project_id": pid, "task_properties": {"score": 5}}]
    )
    never = rpc.ek(T, "create", [{"name": "b", "project_id": pid}])
    rpc.ek(P, "write", [[pid], {"task_properties_definition": DEFINITION[:3:2]}])
    if major(rpc) == 16:
        for tid in (written, never):
            fault = rpc.fault(T, "read", [[tid], ["task_properties"]])
            assert last_line(fault) == "TypeError: cannot marshal None unless allow_none is enabled"
        return
    assert props(rpc, written) == {"score": 5, "grade": unset(rpc)}
    assert props(rpc, never) == {"score": unset(rpc), "grade": unset(rpc)}


BAD_DEFINITIONS = [
    (
        [{"name": "x", "string": "X", "type": "nosuchtype"}],
        "ValueError: Wrong property type 'nosuchtype'.",
    ),
    (
        [{"name": "x", "string": "X", "type": "integer", "color": 3}],
        "ValueError: Some key are not allowed for a properties definition [color].",
    ),
]


@pytest.mark.parametrize(("definition", "line"), BAD_DEFINITIONS)
def test_invalid_definitions(rpc: Rpc, definition: list, line: str) -> None:
    pid, _ = project(rpc)
    fault = rpc.fault(P, "write", [[pid], {"task_properties_definition": definition}])
    assert (fault.faultCode, last_line(fault)) == (1, line)


def test_invalid_definitions_per_version(rpc: Rpc) -> None:
    pid, _ = project(rpc)
    v = major(rpc)
    nameless = rpc.fault(P, "write", [[pid], {"task_properties_definition": [{"type": "integer"}]}])
    expected = "ValueError: Some key are missing for a properties definition [name]."
    assert last_line(nameless) == (expected if v == 16 else "KeyError: 'name'")
    spaced = [{"name": "my score", "string": "My score", "type": "integer"}]
    if v == 16:
        assert rpc.ek(P, "write", [[pid], {"task_properties_definition": spaced}]) is True
    else:
        fault = rpc.fault(P, "write", [[pid], {"task_properties_definition": spaced}])
        assert last_line(fault) == "ValueError: Wrong property field value name 'my score'."
    as_dict = rpc.fault(P, "write", [[pid], {"task_properties_definition": {"name": "x"}}])
    kind = "TypeError" if v >= 19 else "ValueError"
    assert last_line(as_dict) == f"{kind}: Wrong properties definition type <class 'dict'>"
    text = [{"name": "t", "string": "T", "type": "text"}]
    if v >= 19:
        assert rpc.ek(P, "write", [[pid], {"task_properties_definition": text}]) is True
    else:
        fault = rpc.fault(P, "write", [[pid], {"task_properties_definition": text}])
        assert last_line(fault) == "ValueError: Wrong property type 'text'."
    rpc.ek(
        P,
        "write",
        [
            [pid],
            {"task_properties_definition": [{"name": "g", "string": "G", "type": "selection"}]},
        ],
    )
    stored = rpc.ek(P, "read", [[pid], ["task_properties_definition"]])[0][
        "task_properties_definition"
    ]
    plain = {"name": "g", "type": "selection", "string": "G"}
    assert stored == [plain if v == 16 else {**plain, "selection": []}]


def test_search_and_order_on_a_property(rpc: Rpc) -> None:
    pid, _ = project(rpc, DEFINITION)
    values = (
        {"score": 7, "grade": "pass", "feedback": "good structure", "submitted": True},
        {"score": 4, "grade": "fail"},
        {"score": 3},
    )
    t47, t48, t49 = (
        rpc.ek(T, "create", [{"name": f"w{i}", "project_id": pid, "task_properties": v}])
        for i, v in enumerate(values)
    )
    base = ["project_id", "=", pid]
    if major(rpc) == 16:
        fault = rpc.fault(T, "search", [[base, ["task_properties.score", "=", 7]]])
        assert (
            last_line(fault) == "AttributeError: 'Properties' object has no attribute 'auto_join'"
        )
        fault = rpc.fault(
            T, "search_read", [[base]], {"fields": ["name"], "order": "task_properties.score desc"}
        )
        assert fault.faultCode == 2 and fault.faultString.startswith('Invalid "order" specified')
        return
    for leaf, ids in (
        (["task_properties.score", "=", 7], [t47]),
        (["task_properties.score", ">=", 5], [t47]),
        (["task_properties.grade", "=", "pass"], [t47]),
        (["task_properties.feedback", "ilike", "good"], [t47]),
        (["task_properties.submitted", "=", True], [t47]),
        (["task_properties.score", "!=", False], [t49, t48, t47]),
    ):
        assert rpc.ek(T, "search", [[base, leaf]]) == ids, leaf
    assert rpc.ek(T, "search_count", [[base, ["task_properties.score", ">", 5]]]) == 1
    ordered = rpc.ek(
        T, "search_read", [[base]], {"fields": ["name"], "order": "task_properties.score desc"}
    )
    assert [r["id"] for r in ordered] == [t47, t48, t49]


# -- copying a template project ------------------------------------------------------------------


def test_copy_a_template_project(rpc: Rpc) -> None:
    tag = rpc.ek("project.tags", "create", [{"name": "OJT"}])
    pid, stages = project(rpc, DEFINITION[:1], tag_ids=[[6, 0, [tag]]])
    tasks = [
        rpc.ek(
            T,
            "create",
            [
                {
                    "name": f"week {n} assignment",
                    "project_id": pid,
                    "tag_ids": [[6, 0, [tag]]],
                    "user_ids": [[6, 0, [2]]],
                    "description": "<p>do it</p>",
                    "task_properties": {"score": n},
                }
            ],
        )
        for n in range(1, 4)
    ]
    trainee, watcher = 10, 11  # demo partners
    rpc.ek(T, "message_subscribe", [[tasks[0]]], {"partner_ids": [trainee]})
    rpc.ek(P, "message_subscribe", [[pid]], {"partner_ids": [watcher]})
    rpc.ek("project.collaborator", "create", [{"project_id": pid, "partner_id": trainee}])
    answer = rpc.ek(P, "copy", [[pid]])
    new = answer[0] if major(rpc) >= 18 else answer
    assert answer == ([new] if major(rpc) >= 18 else new)
    fields = [
        "name",
        "privacy_visibility",
        "tag_ids",
        "type_ids",
        "task_properties_definition",
        "task_count",
        "message_partner_ids",
        "collaborator_ids",
    ]
    got = rpc.ek(P, "read", [[new], fields])[0]
    template = rpc.ek(P, "read", [[pid], fields])[0]
    assert got["name"] == "OJT Project (copy)"
    assert (got["privacy_visibility"], got["tag_ids"], got["type_ids"]) == ("portal", [tag], stages)
    assert got["task_properties_definition"] == template["task_properties_definition"]
    assert (got["task_count"], got["collaborator_ids"]) == (3, [])
    assert got["message_partner_ids"] == [3, watcher]
    assert len(template["collaborator_ids"]) == 1
    copied = rpc.ek(
        T,
        "search_read",
        [[["project_id", "=", new]]],
        {
            "fields": [
                "name",
                "stage_id",
                "tag_ids",
                "user_ids",
                "description",
                "message_partner_ids",
            ],
            "order": "id",
        },
    )
    assert [t["name"] for t in copied] == [
        "week 3 assignment",
        "week 2 assignment",
        "week 1 assignment",
    ]
    for task in copied:
        assert (task["stage_id"][0], task["tag_ids"], task["user_ids"]) == (stages[0], [tag], [2])
        assert task["description"] == "<p>do it</p>"
        assert sorted(task["message_partner_ids"]) == [3, watcher]
    assert [props(rpc, t["id"])["score"] for t in copied] == [3, 2, 1]
    named = rpc.ek(P, "copy", [[pid]], {"default": {"name": "OJT cohort copy"}})
    named_id = named[0] if major(rpc) >= 18 else named
    assert rpc.ek(P, "read", [[named_id], ["name"]])[0]["name"] == "OJT cohort copy"


# -- a portal trainee ------------------------------------------------------------------------------

UH_OH = (
    "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\n"
    "Sorry, {name} (id={uid}) doesn't have '{op}' access to:\n- {desc} ({model})\n\n"
    "If you really, really need access, perhaps you can win over your friendly administrator "
    "with a batch of freshly baked cookies."
)


class Trainee:
    def __init__(self, rpc: Rpc, n: int) -> None:
        self.rpc = rpc
        self.name = f"Trainee {n}"
        self.password = f"Trainee-pw-{n}"
        self.uid = rpc.emu.create_user(
            self.name, f"trainee{n}@example.com", self.password, ("portal",)
        )
        self.partner = rpc.ek("res.users", "read", [[self.uid], ["partner_id"]])[0]["partner_id"][0]

    def ek(self, model: str, method: str, args: list, kw: dict | None = None) -> Any:
        return self.rpc.ek(model, method, args, kw, uid=self.uid, password=self.password)

    def fault(self, model: str, method: str, args: list, kw: dict | None = None) -> Any:
        return self.rpc.fault(model, method, args, kw, uid=self.uid, password=self.password)

    def denied(self, model: str, op: str = "read") -> str:
        desc = {"project.task": "Task", "project.project": "Project"}[model]
        if major(self.rpc) == 16:
            verb = "access" if op == "read" else "modify"
            return (
                f"Due to security restrictions, you are not allowed to {verb} '{desc}' ({model}) "
                "records.\n\nContact your administrator to request access if necessary."
            )
        return UH_OH.format(name=self.name, uid=self.uid, op=op, desc=desc, model=model)


def cohort(rpc: Rpc) -> tuple[int, list[int], list[int], Trainee, Trainee]:
    """§26's setup: trainee 1 follows task 1 and is its customer, trainee 2 follows task 2."""
    pid, stages = project(rpc, DEFINITION[:1])
    tasks = [
        rpc.ek(
            T, "create", [{"name": f"task {n}", "project_id": pid, "task_properties": {"score": n}}]
        )
        for n in (1, 2, 3)
    ]
    one, two = Trainee(rpc, 1), Trainee(rpc, 2)
    rpc.ek(T, "message_subscribe", [[tasks[0]]], {"partner_ids": [one.partner]})
    rpc.ek(T, "write", [[tasks[0]], {"partner_id": one.partner}])
    rpc.ek(T, "message_subscribe", [[tasks[1]]], {"partner_ids": [two.partner]})
    return pid, stages, tasks, one, two


def acl_text(rpc: Rpc) -> str:
    groups = {16: ["Project/User"], 19: ["Project/User", "Role / User"]}.get(
        min(major(rpc), 19), ["Project/User", "User types/Internal User"]
    )
    listed = "\n".join(f"\t- {g}" for g in groups)
    return (
        "You are not allowed to modify 'Task' (project.task) records.\n\n"
        f"This operation is allowed for the following groups:\n{listed}\n\n"
        "Contact your administrator to request access if necessary."
    )


def test_a_trainee_sees_only_its_own_task(rpc: Rpc) -> None:
    pid, stages, tasks, one, two = cohort(rpc)
    for trainee, own, other in ((one, tasks[0], tasks[1]), (two, tasks[1], tasks[0])):
        found = trainee.ek(
            T, "search_read", [[["project_id", "=", pid]]], {"fields": ["id", "name"]}
        )
        assert [t["id"] for t in found] == [own]
        assert trainee.ek(T, "search_count", [[]]) == 1
        assert trainee.ek(T, "read", [[own], ["name", "stage_id"]])[0]["name"].startswith("task")
        fault = trainee.fault(T, "read", [[other], ["name"]])
        assert (fault.faultCode, fault.faultString) == (4, trainee.denied(T))
        assert trainee.ek(P, "search_read", [[["id", "=", pid]]], {"fields": ["name"]}) == []
        fault = trainee.fault(P, "read", [[pid], ["name"]])
        assert fault.faultString == trainee.denied(P)
        found = trainee.ek(
            "project.task.type",
            "search_read",
            [[["project_ids", "in", [pid]]]],
            {"fields": ["name"]},
        )
        assert [s["id"] for s in found] == stages
    # being the customer alone gives no access
    rpc.ek(T, "write", [[tasks[2]], {"partner_id": two.partner}])
    assert two.ek(T, "search", [[["project_id", "=", pid]]]) == [tasks[1]]


def test_following_the_project_or_collaborating(rpc: Rpc) -> None:
    pid, _, tasks, one, two = cohort(rpc)
    rpc.ek(P, "message_subscribe", [[pid]], {"partner_ids": [one.partner]})
    assert one.ek(P, "search_read", [[["id", "=", pid]]], {"fields": ["name"]})[0]["id"] == pid
    seen = sorted(one.ek(T, "search", [[["project_id", "=", pid]]]))
    assert seen == (sorted(tasks) if major(rpc) < 18 else [tasks[0]])
    if major(rpc) >= 18:
        rpc.ek(
            "project.collaborator",
            "create",
            [{"project_id": pid, "partner_id": two.partner, "limited_access": True}],
        )
        assert two.ek(T, "search", [[]]) == [tasks[1]]
        rpc.ek(
            "project.collaborator",
            "create",
            [{"project_id": pid, "partner_id": one.partner, "limited_access": False}],
        )
        assert sorted(one.ek(T, "search", [[]])) == sorted(tasks)


def test_moving_the_stage_needs_a_collaborator_row(rpc: Rpc) -> None:
    pid, stages, tasks, _one, two = cohort(rpc)
    fault = two.fault(T, "write", [[tasks[1]], {"stage_id": stages[1]}])
    assert (fault.faultCode, fault.faultString) == (4, acl_text(rpc))
    row = {"project_id": pid, "partner_id": two.partner}
    if major(rpc) >= 18:
        row["limited_access"] = True  # 18.0+: without it the collaborator sees every task
    rpc.ek("project.collaborator", "create", [row])
    assert two.ek(T, "write", [[tasks[1]], {"stage_id": stages[1]}]) is True
    assert rpc.ek(T, "read", [[tasks[1]], ["stage_id"]])[0]["stage_id"][0] == stages[1]
    assert two.ek(T, "search", [[["project_id", "=", pid]]]) == [tasks[1]]
    for other in (tasks[0], tasks[2]):
        fault = two.fault(T, "write", [[other], {"stage_id": stages[1]}])
        assert fault.faultString == two.denied(T, "write")


def test_portal_field_checks(rpc: Rpc) -> None:
    pid, _, tasks, _one, two = cohort(rpc)
    rpc.ek("project.collaborator", "create", [{"project_id": pid, "partner_id": two.partner}])
    v = major(rpc)

    def refused(field: str, op: str) -> str:
        if v >= 19:
            return (
                f'You do not have enough rights to access the field "{field}" on Task '
                "(project.task). "
                f"Please contact your system administrator.\n\nOperation: {op}"
            )
        verb = "read" if op == "read" else "write on"
        if v == 18:
            return f"You cannot {verb} the following fields on tasks: {field}"
        return f"You cannot {verb} {field} fields in task."

    fault = two.fault(T, "read", [[tasks[1]], ["name", "task_properties"]])
    assert (fault.faultCode, fault.faultString) == (4, refused("task_properties", "read"))
    wanted = {"fields": ["task_properties"]}
    if v == 17:
        got = two.ek(T, "search_read", [[["id", "=", tasks[1]]]], wanted)
        assert got[0]["task_properties"][0]["value"] == 2
    else:
        fault = two.fault(T, "search_read", [[["id", "=", tasks[1]]]], wanted)
        assert fault.faultString == refused("task_properties", "read")
    if v < 18:
        fault = two.fault(T, "read", [[tasks[1]]])
        assert (
            fault.faultString
            == "You cannot read decoration_type, activity_ids, activity_type_id fields in task."
        )
    else:
        got = two.ek(T, "read", [[tasks[1]]])[0]
        assert {"name", "stage_id", "project_id"} <= set(got) and "task_properties" not in got
    for field, value in (("task_properties", {"score": 1}), ("user_ids", [[4, two.uid]])):
        fault = two.fault(T, "write", [[tasks[1]], {field: value}])
        assert fault.faultString == refused(field, "write")
    description = {"description": "<p>My week 1 report is attached.</p>"}
    if v == 16:
        assert two.fault(T, "write", [[tasks[1]], description]).faultString == refused(
            "description", "write"
        )
    else:
        assert two.ek(T, "write", [[tasks[1]], description]) is True
    fault = two.fault(T, "create", [{"name": "trainee task", "project_id": pid}])
    assert fault.faultString == refused("project_id", "write")
    new = two.ek(T, "create", [{"name": "trainee task"}], {"context": {"default_project_id": pid}})
    assert rpc.ek(T, "read", [[new], ["project_id"]])[0]["project_id"][0] == pid


def test_portal_message_post(rpc: Rpc) -> None:
    _pid, _, tasks, one, two = cohort(rpc)
    v = major(rpc)
    comment = {
        "body": "Week 1 submission",
        "message_type": "comment",
        "subtype_xmlid": "mail.mt_comment",
    }
    inline = {**comment, "attachments": [["notes.txt", "hello from the trainee"]]}
    if v >= 19:
        for trainee, task in ((one, tasks[0]), (two, tasks[1]), (two, tasks[0])):
            assert trainee.fault(T, "message_post", [[task]], inline).faultString.startswith(
                "Failed to write field mail.message.attachment_ids\n"
            )
            fault = trainee.fault(
                T, "message_post", [[tasks[1]] if trainee is two else [tasks[0]]], comment
            )
            assert '"project_privacy_visibility"' in fault.faultString
        return
    if v < 18:
        fault = one.fault(T, "message_post", [[tasks[0]]], comment)
        assert (fault.faultCode, fault.faultString) == (3, "Access Denied")
        rpc.ek(T, "write", [[tasks[0]], {"partner_id": False}])
    assert isinstance(one.ek(T, "message_post", [[tasks[0]]], inline), int)
    assert isinstance(two.ek(T, "message_post", [[tasks[1]]], comment), int)
    fault = two.fault(T, "message_post", [[tasks[0]]], comment)
    assert fault.faultCode == 4
    assert "(Document type: Message, Operation: create)" in fault.faultString
    assert fault.faultString.endswith(f"User: {two.uid})" if v < 18 else f"User: {two.uid}")
    fault = two.fault(T, "message_post", [[tasks[1]]], {"body": "x", "message_type": "comment"})
    assert "(Document type: Message, Operation: create)" in fault.faultString
