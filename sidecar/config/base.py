"""The base of every config section: immutable, no unknown keys, and cross-field checks that
still run when some fields of the same section are wrong, so the operator sees everything at once.

pydantic skips a model's `after` validators as soon as one field fails. Sections here instead
declare `_cross_problems(values)`, which is called with every field that did validate (fields that
failed are simply absent), and its findings are added to pydantic's own errors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Annotated, Any, ClassVar, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_core.core_schema import ErrorType

from sidecar.config.messages import CONFIG_ERROR
from sidecar.config.problems import Loc

# (location relative to the section, message)
Finding = tuple[Loc, str]

_KNOWN_ERROR_TYPES = frozenset(get_args(ErrorType))


def _redetail(exc: ValidationError) -> list[InitErrorDetails]:
    """Turn a caught ValidationError back into raisable details, unchanged."""
    details: list[InitErrorDetails] = []
    for err in exc.errors(include_url=False):
        kind = err["type"]
        detail: InitErrorDetails = {
            "type": kind if kind in _KNOWN_ERROR_TYPES else PydanticCustomError(kind, err["msg"]),
            "loc": err["loc"],
            "input": err["input"],
        }
        if kind in _KNOWN_ERROR_TYPES and "ctx" in err:
            detail["ctx"] = err["ctx"]
        details.append(detail)
    return details


def _detail(finding: Finding, value: Any) -> InitErrorDetails:
    loc, message = finding
    return {"type": PydanticCustomError(CONFIG_ERROR, message), "loc": loc, "input": value}


def merge_findings(
    title: str, caught: ValidationError | None, findings: Iterable[Finding], value: Any
) -> ValidationError | None:
    """One ValidationError holding pydantic's errors plus ours, or None when there is nothing."""
    extra = [_detail(f, value) for f in findings]
    if caught is None and not extra:
        return None
    if caught is not None and not extra:
        return caught
    base = _redetail(caught) if caught is not None else []
    return ValidationError.from_exception_data(title, [*base, *extra])


@functools.cache
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    field = model.model_fields[name]
    annotation: Any = field.annotation
    if field.metadata:
        annotation = Annotated[(annotation, *field.metadata)]
    return TypeAdapter(annotation)


class Section(BaseModel):
    """A config section: frozen, unknown keys rejected, cross-field checks always run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Sections without cross-field rules skip the bookkeeping below.
    _has_cross_checks: ClassVar[bool] = False

    @classmethod
    def _cross_problems(cls, values: Mapping[str, Any]) -> Iterator[Finding]:
        """Findings about how fields combine; `values` holds only fields that validated."""
        return iter(())

    @model_validator(mode="wrap")
    @classmethod
    def _validate_with_cross_checks(
        cls, data: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        if not cls._has_cross_checks:
            return handler(data)
        try:
            model = handler(data)
        except ValidationError as exc:
            failed = {err["loc"][0] for err in exc.errors() if err["loc"]}
            values = cls._salvage(data, failed, info.context)
            merged = merge_findings(cls.__name__, exc, cls._cross_problems(values), data)
            raise merged or exc from None
        values = {name: getattr(model, name) for name in cls.model_fields}
        merged = merge_findings(cls.__name__, None, cls._cross_problems(values), data)
        if merged is not None:
            raise merged
        return model

    @classmethod
    def _salvage(cls, data: Any, failed: set[str | int], context: Any) -> dict[str, Any]:
        """Validate, one by one, the fields that did not fail, for the cross-field checks."""
        if not isinstance(data, Mapping):
            return {}
        values: dict[str, Any] = {}
        for name, field in cls.model_fields.items():
            if name in failed:
                continue
            if name not in data and not field.validate_default:
                values[name] = field.get_default(call_default_factory=True)
                continue
            raw = data[name] if name in data else field.get_default(call_default_factory=True)
            try:
                values[name] = _field_adapter(cls, name).validate_python(raw, context=context)
            except ValidationError:
                continue
        return values


def have(values: Mapping[str, Any], *names: str) -> bool:
    """True when every named field validated (so a cross-field rule can judge them)."""
    return all(name in values for name in names)


def raw_field(item: Any, name: str) -> Any:
    """A field of a list item, whether it is still raw YAML or already a model."""
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def list_check(
    check: Callable[[list[Any]], Iterator[Finding]] | None = None, *, at_least_one: str = ""
) -> WrapValidator:
    """Run `check` on a list's raw items alongside the items' own validation.

    Used for rules across items (unique keys): they need only a field or two of each item, so
    they still hold when some other item has errors of its own. `at_least_one` names the item
    when the list may not be empty; counted on the raw list, because pydantic's `min_length`
    counts the items that validated and would call a list of two broken items empty.
    """

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        items = list(value) if isinstance(value, list | tuple) else []
        findings = list(check(items)) if check is not None else []
        if at_least_one and isinstance(value, list | tuple) and not items:
            findings.append(((), f"must list at least one {at_least_one}"))
        try:
            result = handler(value)
        except ValidationError as exc:
            merged = merge_findings("list", exc, findings, value)
            raise merged or exc from None
        merged = merge_findings("list", None, findings, value)
        if merged is not None:
            raise merged
        return result

    return WrapValidator(validate)
