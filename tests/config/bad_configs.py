"""A corpus of malformed configuration files, for tests/config/test_bad_input_corpus.py.

Hand-written cases each hold the file (text, bytes, or a directory / a missing file) and what
the operator's sentence must name: the dotted path of the setting, the key, the argument or the
line. Generated cases put a hostile value at a path of a valid config (seeded, so every run
tests the same files). Run `python -m tests.config.bad_configs` for the counts.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from sidecar.config.problems import Loc, format_path

# Secrets written into the corpus; no output may ever contain one.
SECRET = "Corpus-S3cret-pw"
URL_SECRET = "Url-S3cret-pw"
STORE_SECRET = "Store-S3cret-pw"
KEY_SECRET = "Key-S3cret-api"
SECRETS = (SECRET, URL_SECRET, STORE_SECRET, KEY_SECRET)

DIRECTORY = "<a directory>"
MISSING = "<a missing file>"
DELETE = object()  # a mutation that removes the key


def base() -> dict[str, Any]:
    """A valid config touching every section, with a password to keep secret."""
    return {
        "odoo": {
            "url": "http://127.0.0.1:9",
            "database": "ojt",
            "username": "admin",
            "password": SECRET,
            "transport": "xmlrpc",
            "timeout_seconds": 2,
            "page_size": 100,
            "read_chunk_size": 50,
            "retry": {"max_attempts": 1, "initial_backoff_seconds": 0, "max_backoff_seconds": 1},
            "apps": {"elearning": True, "events": True},
        },
        "store": {"url": "sqlite:///var/store.db"},
        "schedules": {"sync": {"every": "5m"}, "reconcile": {"cron": "0 3 * * *"}},
        "service": {"lease": "60s", "ops_host": "127.0.0.1", "ops_port": 9108},
        "sync": {"overlap": "5m"},
        "recruitment": {"ojt_stage": "On the Job Training"},
        "programs": [
            {
                "key": "juniors",
                "name": "Junior Developers",
                "responsible_user": "admin",
                "jobs": ["Developer", 7],
                "courses": [
                    {"course": "Basics", "completion_threshold": 90},
                    {"course": 12, "required": False},
                ],
                "weights": {"elearning": 0.7, "attendance": 0.0, "assessments": 0.3},
                "requirements": {"min_average_score": 60},
                "eligibility": {"domain": [["email_from", "!=", False]], "criteria": "e-mail"},
            },
            {
                "key": "wood",
                "name": "Woodworking",
                "courses": [{"course": "Trees"}],
                "weights": {"elearning": 0.5, "attendance": 0.5},
                "issue_on": "batch_done",
                "batches": [
                    {
                        "key": "q1",
                        "name": "Q1",
                        "start": date(2026, 1, 5),
                        "end": date(2026, 3, 27),
                    },
                    {"key": "q2", "name": "Q2", "event": "Workshop"},
                ],
            },
        ],
        "certificates": {
            "issuer": {"name": "Company", "primary_color": "#1F3A5F"},
            "title": "Certificate",
            "message": "Well done, {participant}!",
            "validity_days": 365,
            "verify_base_url": "https://verify.example.com/certs",
        },
        "verify_site": {"host": "127.0.0.1", "port": 8080, "trust_proxy": 1},
        "logging": {"level": "info", "format": "text"},
    }


@dataclass(frozen=True)
class Bad:
    """One malformed file: `content` is its text or bytes, or DIRECTORY / MISSING; `at` is
    what the one sentence about it must name."""

    name: str
    content: str | bytes
    at: str
    kind: str = "hand-written"


def dump(data: Any) -> str:
    # libyaml's emitter: the corpus is built at import, once per test worker.
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)


def with_value(loc: Loc, value: Any) -> dict[str, Any]:
    """The base config with `value` at `loc` (DELETE removes the key)."""
    data = base()
    parent: Any = data
    for part in loc[:-1]:
        parent = parent[part]
    if value is DELETE:
        del parent[loc[-1]]
    else:
        parent[loc[-1]] = value
    return data


def _set(name: str, loc: Loc, value: Any, at: str | None = None) -> Bad:
    return Bad(name, dump(with_value(loc, value)), format_path(loc) if at is None else at)


def _text(name: str, old: str, new: str, at: str) -> Bad:
    text = dump(base())
    if old not in text:  # pragma: no cover - a broken corpus, not a broken product
        raise ValueError(f"{name}: {old!r} is not in the base config")
    return Bad(name, text.replace(old, new, 1), at)


LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
)
# The same bomb one level down, inside a section the config knows.
NESTED_LAUGHS = "odoo:\n" + "".join(f"  {line}\n" for line in LAUGHS.splitlines())


def _files() -> list[Bad]:
    junk = random.Random(14).randbytes(4096)
    return [
        Bad("billion laughs", LAUGHS, "once its YAML aliases are expanded"),
        Bad("billion laughs in a section", NESTED_LAUGHS, "once its YAML aliases are expanded"),
        Bad("alias inside itself", "odoo: &loop\n  again: *loop\n", "alias that contains itself"),
        Bad("sequence inside itself", "programs: &p\n  - *p\n", "alias that contains itself"),
        Bad("deep nesting", "odoo: " + "[" * 600 + "]" * 600 + "\n", "nested far deeper"),
        Bad("nesting beyond any config", "odoo: " + "{a: " * 60 + "1" + "}" * 60, "line 1"),
        Bad("huge file", "# padding\n" * 120_000, "larger than 1 MiB"),
        Bad("empty file", "", "the file must hold a mapping of settings (it is empty)"),
        Bad("only comments", "# nothing\n# here\n", "it is empty"),
        Bad("only a document marker", "---\n", "it is empty"),
        Bad("null", "null\n", "it is empty"),
        Bad("a list", "- odoo\n- programs\n", "a list, not a mapping"),
        Bad("a number", "42\n", "42, not a mapping"),
        Bad("plain text", "this is not a config\n", "not a mapping"),
        Bad("binary junk", junk, "not UTF-8 text"),
        Bad("NUL bytes", b"odoo:\x00\x00\n", "control character"),
        Bad("UTF-16", dump(base()).encode("utf-16"), "not UTF-8 text"),
        Bad("latin-1", "odoo:\n  database: caf\xe9\n".encode("latin-1"), "not UTF-8 text"),
        Bad("escape character", "odoo:\n  database: a\x1bb\n", "control character"),
        Bad("tab indentation", "odoo:\n\turl: http://h\n", "tab character"),
        Bad("unclosed quote", 'odoo:\n  url: "http://h\n  database: x\n', "line 2"),
        Bad("unclosed bracket", "programs: [a, b\n", "never closed"),
        Bad("two documents", "odoo: {}\n---\nodoo: {}\n", "second one"),
        Bad("python tag", "odoo: !!python/object/apply:os.system [id]\n", "line 1"),
        Bad("custom tag", "odoo: !vault abc\n", "!vault"),
        Bad("duplicate key", dump(base()) + "odoo: {}\n", "appears twice"),
        Bad("undefined alias", "odoo: *nothing\n", "&nothing"),
        Bad("a directory", DIRECTORY, "is a directory"),
        Bad("a missing file", MISSING, "does not exist"),
    ]


def _types() -> list[Bad]:
    return [
        _set("odoo as a list", ("odoo",), ["url"]),
        _set("odoo as text", ("odoo",), "http://127.0.0.1:8069"),
        _set("odoo missing", ("odoo",), DELETE, "odoo: is required"),
        _set("programs as a mapping", ("programs",), {"juniors": {}}),
        _set("programs empty", ("programs",), [], "programs: must list at least one program"),
        _set("programs null", ("programs",), None),
        _set("courses empty", ("programs", 0, "courses"), []),
        _set("page size as words", ("odoo", "page_size"), "many"),
        _set("page size a fraction", ("odoo", "page_size"), 1.5),
        _set("timeout as words", ("odoo", "timeout_seconds"), "soon"),
        _set("app flag as words", ("odoo", "apps", "events"), "maybe"),
        _set("retry as a list", ("odoo", "retry"), [1, 2]),
        _set("database as a list", ("odoo", "database"), ["a"]),
        _set("username as a number", ("odoo", "username"), 42),
        _set("password as a list", ("odoo", "password"), [SECRET]),
        _set("password as a mapping", ("odoo", "password"), {"value": SECRET}),
        _set("batch start as text", ("programs", 1, "batches", 0, "start"), "next monday"),
        _set("impossible date", ("programs", 1, "batches", 0, "end"), "2026-02-30"),
        _set("weights as a number", ("programs", 0, "weights"), 1),
        _set("required as text", ("programs", 0, "courses", 1, "required"), "no way"),
        _set("jobs as a mapping", ("programs", 0, "jobs"), {"a": 1}),
        _set("schedules as a list", ("schedules",), ["sync"]),
        _set("logging as text", ("logging",), "verbose"),
        _set("log level", ("logging", "level"), "LOUD"),
        _set("log format", ("logging", "format"), "xml"),
        _set("transport", ("odoo", "transport"), "soap"),
        _set("name display", ("verify_site", "name_display"), "nickname"),
        _set("issue on", ("programs", 1, "issue_on"), "someday"),
    ]


def _numbers() -> list[Bad]:
    odoo, retry = ("odoo",), ("odoo", "retry")
    course = ("programs", 0, "courses", 0)
    return [
        _set("infinite timeout", (*odoo, "timeout_seconds"), float("inf")),
        _set("negative infinite timeout", (*odoo, "timeout_seconds"), float("-inf")),
        _set("nan timeout", (*odoo, "timeout_seconds"), float("nan")),
        _set("zero timeout", (*odoo, "timeout_seconds"), 0),
        _set("negative timeout", (*odoo, "timeout_seconds"), -1),
        _set("huge timeout", (*odoo, "timeout_seconds"), 1e300),
        _set("huge page size", (*odoo, "page_size"), 2**80),
        _set("negative page size", (*odoo, "page_size"), -1),
        _set("zero attempts", (*retry, "max_attempts"), 0),
        _set("attempts 2^63", (*retry, "max_attempts"), 2**63),
        _set("infinite backoff", (*retry, "max_backoff_seconds"), float("inf")),
        _set("nan jitter", (*retry, "jitter_seconds"), float("nan")),
        _set(
            "backoff below initial",
            (*retry, "initial_backoff_seconds"),
            5,
            "odoo.retry.max_backoff_seconds: must be at least initial_backoff_seconds (5)",
        ),
        _set("threshold 150", (*course, "completion_threshold"), 150),
        _set("threshold 0", (*course, "completion_threshold"), 0),
        _set("threshold nan", (*course, "completion_threshold"), float("nan")),
        _set(
            "weights not adding up",
            ("programs", 0, "weights", "elearning"),
            0.9,
            "programs[0].weights: elearning + attendance + assessments must add up to 1",
        ),
        _set("weight inf", ("programs", 0, "weights", "assessments"), float("inf")),
        _set("attendance 101", ("programs", 0, "requirements", "min_average_score"), 101),
        _set("validity 0 days", ("certificates", "validity_days"), 0),
        _set("validity of ages", ("certificates", "validity_days"), 10**9),
        _set("rate limit 0", ("verify_site", "rate_limit_per_minute"), 0),
        _set("rate limit 2^80", ("verify_site", "rate_limit_per_minute"), 2**80),
        _set("trust proxy -1", ("verify_site", "trust_proxy"), -1),
        _set("trust proxy 2^40", ("verify_site", "trust_proxy"), 2**40),
        _set("port 0", ("verify_site", "port"), 0),
        _set("port 70000", ("verify_site", "port"), 70000),
        _set("ops port -1", ("service", "ops_port"), -1),
        _set("unhealthy 0", ("service", "unhealthy_after_intervals"), 0),
        _set("unhealthy 2^63", ("service", "unhealthy_after_intervals"), 2**63),
    ]


def _keys() -> list[Bad]:
    return [
        _set("unknown top-level key", ("odo",), {"url": "x"}, "unknown key 'odo'"),
        _set("misspelt password", ("odoo", "passwrd"), SECRET, "odoo.passwrd: unknown key"),
        _set("unknown program key", ("programs", 0, "curses"), [], "programs[0].curses"),
        _set("unknown schedule", ("schedules", "sink"), {"every": "5m"}, "schedules.sink"),
        _set("unknown batch key", ("programs", 1, "batches", 0, "when"), 1, "batches[0].when"),
        _set("unknown issuer key", ("certificates", "issuer", "colour"), "red", "issuer.colour"),
        _set("required url missing", ("odoo", "url"), DELETE, "odoo.url: is required"),
        _set("required key missing", ("programs", 0, "key"), DELETE, "programs[0].key"),
        _set("course missing", ("programs", 0, "courses", 0, "course"), DELETE),
        _set("no password nor key", ("odoo", "password"), DELETE, "odoo: needs password"),
        _set("password and key", ("odoo", "api_key"), KEY_SECRET, "odoo: set only one"),
        _set("json2 with password", ("odoo", "transport"), "json2", "odoo.transport: json2"),
        _set("unset variable", ("odoo", "database"), "${CORPUS_UNSET_VARIABLE}", "odoo.database"),
        _set("unterminated variable", ("odoo", "username"), "${OOPS", "odoo.username"),
    ]


def _odoo_urls() -> list[Bad]:
    url = ("odoo", "url")
    bad = [
        "http://127.0.0.1:8069/ odoo",
        "http://127.0.0.1:8069/\todoo",
        "http://odoo example.com",
        f"http://admin:{URL_SECRET}@127.0.0.1:8069",
        f"https://admin:{URL_SECRET}@odoo.example.com/erp",
        f"http://:{URL_SECRET}@h",
        f"http://admin:{URL_SECRET} x@h",
        "http://admin@h",
        "https://odoo.example.com/web",
        "https://odoo.example.com/web/",
        "https://odoo.example.com/odoo",
        "https://odoo.example.com/odoo/",
        "https://odoo.example.com/web/login",
        "https://odoo.example.com/odoo/action-123",
        "https://odoo.example.com/web#action=1",
        "https://odoo.example.com/erp/odoo/discuss",
        "ftp://odoo.example.com",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "odoo.example.com",
        "127.0.0.1:8069",
        "http://",
        "http://:8069",
        "http://h:0",
        "http://h:99999",
        "http://h:-1",
        "http://h:port",
        "http://h?db=ojt",
        "http://[::1",
        "http://[zz::]",
        "http://exa!mple.com",
        "http://300.1.1.1",
        "http://-h-",
        "http://h\x00st",
        "",
    ]
    cases = [_set(f"odoo url {value!r}", url, value) for value in bad]
    cases += [_set(f"odoo url of type {type(v).__name__}", url, v) for v in (8069, True, [1])]
    return cases


def _other_addresses() -> list[Bad]:
    verify = ("certificates", "verify_base_url")
    store = ("store", "url")
    return [
        _set("verify url with a password", verify, f"https://u:{URL_SECRET}@v.example.com"),
        _set("verify url with a space", verify, "https://verify example.com"),
        _set("verify url ftp", verify, "ftp://verify.example.com"),
        _set("verify url port", verify, "https://v.example.com:0"),
        _set("store mysql with a password", store, f"mysql://u:{STORE_SECRET}@h/db"),
        _set("store not a url", store, "not a url"),
        _set("store empty", store, ""),
        _set("store NUL", store, "sqlite:///var/a\x00b.db"),
        _set("store a number", store, 5432),
        _set("site host with spaces", ("verify_site", "host"), "not a host"),
        _set("site host empty", ("verify_site", "host"), ""),
        _set("ops host bad address", ("service", "ops_host"), "300.1.1.1"),
        _set("ops host a list", ("service", "ops_host"), ["0.0.0.0"]),
        _set("signing key a device", ("certificates", "signing_key"), "/dev/zero"),
        _set("signing key a folder", ("certificates", "signing_key"), "/"),
        _set("logo missing", ("certificates", "issuer", "logo"), "no-such-logo.png"),
        _set("logo not an image", ("certificates", "issuer", "logo"), "/etc/hostname"),
        _set("output dir empty", ("certificates", "output_dir"), ""),
    ]


def _schedules() -> list[Bad]:
    sync, reconcile = ("schedules", "sync"), ("schedules", "reconcile")
    return [
        _set("cron short", (*reconcile, "cron"), "*/5 * *"),
        _set("cron minute 61", (*reconcile, "cron"), "61 * * * *"),
        _set("cron words", (*reconcile, "cron"), "every day"),
        _set("cron number", (*reconcile, "cron"), 5),
        _set("cron seven fields", (*reconcile, "cron"), "* * * * * * *"),
        _set("cron month 13", (*reconcile, "cron"), "0 0 1 13 *"),
        _set("cron with a password url", (*reconcile, "cron"), f"http://u:{URL_SECRET}@h"),
        _set("every and cron", sync, {"every": "5m", "cron": "* * * * *"}, "schedules.sync"),
        _set("neither", sync, {}, "schedules.sync: needs every"),
        _set("every in words", (*sync, "every"), "5 minutes"),
        _set("every negative", (*sync, "every"), "-5m"),
        _set("every zero", (*sync, "every"), "0s"),
        _set("every 400 days", (*sync, "every"), "400d"),
        _set("every inf", (*sync, "every"), float("inf")),
        _set("every 1e9", (*sync, "every"), 1e9),
        _set("lease a list", ("service", "lease"), ["1m"]),
        _set("overlap nan", ("sync", "overlap"), float("nan")),
        _set("grace 99999999999d", ("service", "misfire_grace"), "99999999999d"),
    ]


def _records() -> list[Bad]:
    p0, p1 = ("programs", 0), ("programs", 1)
    return [
        _set("course 2^80", (*p0, "courses", 0, "course"), 2**80),
        _set("course 0", (*p0, "courses", 0, "course"), 0),
        _set("course -1", (*p0, "courses", 0, "course"), -1),
        _set("course 2^31", (*p0, "courses", 0, "course"), 2**31),
        _set("course empty name", (*p0, "courses", 0, "course"), "  "),
        _set("course a mapping", (*p0, "courses", 0, "course"), {"id": 1}),
        _set("job 2^31", (*p0, "jobs", 1), 2**31),
        _set("job twice", (*p0, "jobs", 1), "developer", "programs[0].jobs[1]"),
        _set("event -1", (*p1, "batches", 1, "event"), -1),
        _set("responsible 2^63", (*p0, "responsible_user"), 2**63),
        _set("stage 0", ("recruitment", "ojt_stage"), 0),
        _set("stage NUL", ("recruitment", "ojt_stage"), "On\x00Job"),
        _set("domain a lone or", (*p0, "eligibility", "domain"), ["|"]),
        _set("domain operator", (*p0, "eligibility", "domain"), [["a", "~", "b"]]),
        _set("domain id 2^40", (*p0, "eligibility", "domain"), [["id", "=", 2**40]]),
        _set("domain not a list", (*p0, "eligibility", "domain"), "email != False"),
        _set("domain value a mapping", (*p0, "eligibility", "domain"), [["a", "=", {"x": 1}]]),
        _set("domain value a date", (*p0, "eligibility", "domain"), [["d", ">", date(2026, 1, 1)]]),
        _set("domain value inf", (*p0, "eligibility", "domain"), [["n", ">", float("inf")]]),
        _set("program key twice", (*p1, "key"), "juniors", "programs[1].key"),
        _set("program key shape", (*p0, "key"), "Bad Key!"),
        _set("program name empty", (*p0, "name"), ""),
        _set("program name NUL", (*p0, "name"), "Junior\x00"),
        _set("database escape", ("odoo", "database"), "ojt\x1b[31m"),
        _set("batch done without batches", (*p1, "batches"), [], "programs[1].issue_on"),
        _set("end before start", (*p1, "batches", 0, "end"), date(2025, 1, 1)),
        _set("batch without dates", (*p1, "batches", 0, "start"), None),
        _set("batch key twice", (*p1, "batches", 1, "key"), "q1", "programs[1].batches[1].key"),
        _set("colour red", ("certificates", "issuer", "primary_color"), "red"),
        _set("colour unquoted", ("certificates", "issuer", "primary_color"), None),
        _set("message placeholder", ("certificates", "message"), "Hi {name}"),
        _set("message brace", ("certificates", "message"), "Hi {"),
        _set("message format", ("certificates", "message"), "{participant!r}"),
    ]


HAND_WRITTEN: list[Bad] = [
    *_files(),
    *_types(),
    *_numbers(),
    *_keys(),
    *_odoo_urls(),
    *_other_addresses(),
    *_schedules(),
    *_records(),
]


# --- generated: hostile values at the paths of the base config ----------------------------

HOSTILE: list[Any] = [
    None,
    "",
    " ",
    True,
    False,
    0,
    -1,
    2**31,
    2**63,
    -(2**80),
    1e308,
    float("inf"),
    float("-inf"),
    float("nan"),
    -0.0,
    "\x00",
    "\u202eevil",
    "x" * 5000,
    [],
    {},
    [[[]]],
    {"a": {"b": 1}},
    "${CORPUS_UNSET_VARIABLE}",
    "$$",
    "${",
    f"http://u:{URL_SECRET}@h",
    f"postgresql://u:{STORE_SECRET}@h/db",
    date(2026, 2, 28),
    "*/5 * * * *",
    "5m",
    "#ABCDEF",
    "../../../etc/passwd",
    "/dev/zero",
    "{participant",
    "😀",
    "NaN",
    "1e400",
    "http://h/web",
]


def paths(data: Any, prefix: Loc = ()) -> list[Loc]:
    """Every location in `data`, mappings and lists included (the root excluded)."""
    found: list[Loc] = []
    items: list[tuple[Any, Any]] = []
    if isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    for key, item in items:
        found.append((*prefix, key))
        found += paths(item, (*prefix, key))
    return found


@dataclass(frozen=True)
class Mutation:
    """A hostile value at a location of the base config (or an unknown key added there)."""

    name: str
    loc: Loc
    data: Any

    @property
    def content(self) -> str:
        # Written when a test runs, not when every worker collects the corpus.
        return dump(self.data)


def mutation(loc: Loc, value: Any, *, add_key: bool = False) -> Mutation:
    where = (*loc, "hostile_key") if add_key else loc
    return Mutation(f"{format_path(where)}={value!r:.40}", where, with_value(where, value))


def generated(count: int = 200, seed: int = 14) -> list[Mutation]:
    """`count` mutations of the base config, the same on every run."""
    rng = random.Random(seed)
    locs = paths(base())
    mappings = [loc for loc in locs if isinstance(_at(base(), loc), dict)]
    out: list[Mutation] = []
    while len(out) < count:
        if rng.random() < 0.1:
            out.append(mutation(rng.choice(mappings), rng.choice(HOSTILE), add_key=True))
        else:
            out.append(mutation(rng.choice(locs), rng.choice(HOSTILE)))
    return out


def _at(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


GENERATED = generated()


def summary() -> str:
    kinds = Counter(case.kind for case in HAND_WRITTEN)
    parts = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
    return f"{len(HAND_WRITTEN) + len(GENERATED)} configs: {parts}, {len(GENERATED)} generated"


if __name__ == "__main__":
    print(summary())
