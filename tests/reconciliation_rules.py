"""The response rules of the Reconciliation Service API 0.2, restated as pydantic models.

The specification's JSON schemas carry no licence that lets us copy them, so its rules are
written here in our own words: required fields, their types, the ``{{id}}`` placeholder in URL
templates, the closed set of value shapes in a data extension row. ``extra="forbid"`` is used
where the specification closes an object; elsewhere extra fields are allowed, as it allows them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

Template = Annotated[str, Field(pattern=r".*\{\{id\}\}.*")]


class TypeRef(BaseModel):
    id: StrictStr
    name: StrictStr | None = None


class ViewTemplate(BaseModel):
    url: Template


class Preview(BaseModel):
    url: Template
    width: StrictInt
    height: StrictInt


class ServiceLocation(BaseModel):
    service_url: StrictStr | None = None
    service_path: StrictStr | None = None


class Setting(BaseModel):
    type: Literal["number", "text", "checkbox", "select"]
    label: StrictStr
    name: StrictStr
    default: Any = None
    help_text: StrictStr | None = None


class Extend(BaseModel):
    propose_properties: ServiceLocation | None = None
    property_settings: list[Setting] = []


class Manifest(BaseModel):
    versions: list[StrictStr]
    name: StrictStr
    identifierSpace: StrictStr  # noqa: N815  # the specification's field name
    schemaSpace: StrictStr  # noqa: N815  # the specification's field name
    view: ViewTemplate | None = None
    defaultTypes: list[TypeRef] = []  # noqa: N815  # the specification's field name
    preview: Preview | None = None
    suggest: dict[Literal["entity", "property", "type"], ServiceLocation] = {}
    extend: Extend | None = None


class Feature(BaseModel):
    id: StrictStr
    value: StrictBool | StrictFloat | StrictInt


class Candidate(BaseModel):
    id: StrictStr
    name: StrictStr
    score: StrictFloat | StrictInt
    description: StrictStr | None = None
    features: list[Feature] = []
    match: StrictBool | None = None
    type: list[TypeRef | StrictStr] = []


class QueryResult(BaseModel):
    result: list[Candidate]


class Suggestion(BaseModel):
    id: StrictStr
    name: StrictStr
    description: StrictStr | None = None
    notable: list[TypeRef | StrictStr] = []


class SuggestResponse(BaseModel):
    result: list[Suggestion]


class ProposedProperty(BaseModel):
    id: StrictStr
    name: StrictStr


class ProposeResponse(BaseModel):
    type: StrictStr
    properties: list[ProposedProperty]
    limit: StrictInt | None = None


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EntityValue(_Closed):
    id: StrictStr
    name: StrictStr
    description: StrictStr | None = None


class StrValue(_Closed):
    str: StrictStr


class FloatValue(_Closed):
    float: StrictFloat | StrictInt


class IntValue(_Closed):
    int: StrictInt


class DateValue(_Closed):
    date: Annotated[str, Field(pattern=r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d")]


class MetaColumn(BaseModel):
    id: StrictStr
    name: StrictStr
    type: TypeRef | None = None


class ExtensionResponse(BaseModel):
    meta: list[MetaColumn]
    rows: dict[str, dict[str, list[EntityValue | StrValue | FloatValue | IntValue | DateValue]]]


def check_manifest(body: Any) -> Manifest:
    manifest = Manifest.model_validate(body)
    assert "0.2" in manifest.versions
    return manifest


def check_batch(body: Any) -> dict[str, QueryResult]:
    return {key: QueryResult.model_validate(value) for key, value in body.items()}
