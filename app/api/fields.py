"""`fields=`: the fields of each item a client wants (WordPress `_fields`, Meilisearch
`attributesToRetrieve`), comma-separated; a dotted name picks inside a nested object or
list of objects (`sections.heading`). On a list route the names are an item's; the page's
own members (`total`, `next`...) always stay. An unknown name is a 422 naming it.

A dependency of the request alone, so the hot routes (edge.HotRoute) keep serving the
requests without a query string; the parameter is documented through FIELDS_PARAMETER."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, TypeAlias

from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

MAX_FIELDS_CHARS = 500
# Names of lower-case letters and '_', dotted inside nested objects, separated by commas
FIELDS_PATTERN = r"^[a-z_]+(\.[a-z_]+)*(,[a-z_]+(\.[a-z_]+)*)*$"
_FIELDS = re.compile(FIELDS_PATTERN.removeprefix("^").removesuffix("$"))

# field -> the fields wanted inside it (empty: all of it)
FieldTree: TypeAlias = dict[str, "FieldTree"]


class FieldSelection:
    """The parsed `fields` value, checked against one model when it is applied."""

    def __init__(self, raw: str) -> None:
        """The list routes check FIELDS_PATTERN as FastAPI reads the query; the item routes
        (which read it themselves) the same here, with the same answer."""
        if _FIELDS.fullmatch(raw) is None:
            raise _invalid(f"String should match pattern '{FIELDS_PATTERN}'")
        self.tree: FieldTree = {}
        whole: list[list[str]] = []
        for name in raw.split(","):
            path = name.split(".")
            node = self.tree
            for part in path:
                node = node.setdefault(part, {})
            whole.append(path)
        for path in whole:  # `sections,sections.heading`: the whole of `sections`
            node = self.tree
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = {}

    def check(self, model: type[BaseModel]) -> None:
        """422 for a name `model` does not have (whatever the representation)."""
        _check(model, self.tree, prefix="")

    def apply(self, model: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
        """`data` (a dump of `model`) with only the selected fields; 422 for a name the
        model does not have."""
        self.check(model)
        picked: dict[str, Any] = _pick(data, self.tree)
        return picked


def _check(model: type[BaseModel], tree: FieldTree, *, prefix: str) -> None:
    for name, below in tree.items():
        field = model.model_fields.get(name)
        if field is None:
            known = ", ".join(model.model_fields)
            raise _invalid(f"unknown field `{prefix}{name}`; the fields are {known}")
        if below:
            inner = _nested_model(field.annotation)
            if inner is None:
                raise _invalid(f"`{prefix}{name}` has no fields inside it")
            _check(inner, below, prefix=f"{prefix}{name}.")


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, alone or in a list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        if isinstance(argument, type) and issubclass(argument, BaseModel):
            return argument
    return None


def _pick(data: Any, tree: FieldTree) -> Any:
    if not tree:
        return data
    if isinstance(data, list):
        return [_pick(item, tree) for item in data]
    if not isinstance(data, dict):
        return data
    return {name: _pick(data[name], below) for name, below in tree.items() if name in data}


def _invalid(reason: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("query", "fields"), "msg": reason}])


async def fields_of(request: Request) -> FieldSelection | None:
    """The `fields` of an item route (a dependency of the request alone)."""
    if not request.scope.get("query_string"):
        return None  # the hot routes' requests: no query to parse
    return parse_fields(request.query_params.get("fields"))


def parse_fields(raw: str | None) -> FieldSelection | None:
    if raw is None:
        return None
    if len(raw) > MAX_FIELDS_CHARS:
        raise _invalid(f"`fields` is longer than {MAX_FIELDS_CHARS} characters")
    return FieldSelection(raw)


def fields_description(of: str) -> str:
    return (
        f"Only these fields of {of}, comma-separated; a dotted name picks inside a nested "
        "object or list (`sections.heading`). Unknown names are a 422."
    )


def selected_json(
    model: BaseModel, fields: FieldSelection | None, *, items: str | None = None
) -> bytes:
    """The model's JSON; with `fields`, only those fields of it, or of each of its `items`
    (a list route's page)."""
    if fields is None:
        return model.model_dump_json().encode()
    data = model.model_dump(mode="json")
    if items is None:
        data = fields.apply(type(model), data)
    else:
        item_model = _nested_model(type(model).model_fields[items].annotation)
        assert item_model is not None
        _check(item_model, fields.tree, prefix="")
        data[items] = [_pick(item, fields.tree) for item in data[items]]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def fields_query(of: str) -> Any:
    """The `fields` Query of a list route (declared: those routes refuse unknown names)."""
    return Query(
        description=fields_description(of), max_length=MAX_FIELDS_CHARS, pattern=FIELDS_PATTERN
    )


def fields_parameter(of: str) -> dict[str, Any]:
    """The OpenAPI description of `fields` on a route (FastAPI cannot see it: it is read by
    a dependency of the request)."""
    return {
        "name": "fields",
        "in": "query",
        "required": False,
        "description": fields_description(of),
        "schema": {"type": "string", "maxLength": MAX_FIELDS_CHARS, "pattern": FIELDS_PATTERN},
    }
