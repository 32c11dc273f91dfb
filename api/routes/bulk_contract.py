"""What ``POST /v1/resolve/bulk`` reads and writes, as its OpenAPI operation declares it.

The route reads its body by hand (it streams and spools large inventories), so FastAPI cannot
infer the request body; this module states it, and the NDJSON lines it answers, for generated
clients and schema-driven tests.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic.json_schema import models_json_schema

from supplygraph.api.errors import responses
from supplygraph.graph.engine.outlets import BulkLine

# The canonical keys; the reader also matches audit-style aliases ("MAC Address", "Manufacturer",
# "FCC ID", ...) and ignores other columns, so rows may carry more keys than these.
ROW_KEYS = ("name", "brand", "model", "mac", "fcc_id")

ROW_HELP: dict[str, tuple[str, str]] = {
    "name": ("A company or organization name, in any script.", "Zhejiang Dahua Technology"),
    "brand": ("A brand or trade name as printed on the product.", "Lorex"),
    "model": ("A model number as printed on the label.", "DS-2CD2143G2-I"),
    "mac": ("A MAC address (any usual notation) or a 6-digit IEEE prefix.", "0C-75-D2-AB-CD-EF"),
    "fcc_id": ("An FCC ID or a bare grantee code.", "2ADTD-5604SD"),
}
assert tuple(ROW_HELP) == ROW_KEYS

ROW: dict[str, Any] = {
    "type": "object",
    "title": "BulkRow",
    "description": "One thing to resolve; at least one key should hold a value. Columns are "
    "taken from the first row: a first row with none of them makes the body a 422.",
    "properties": {
        key: {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": help_,
            "examples": [example],
        }
        for key, (help_, example) in ROW_HELP.items()
    },
    "additionalProperties": True,
}

# Raw bytes: a client sends the file as it is.
FILE: dict[str, Any] = {"type": "string", "format": "binary"}

REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "description": "An inventory: a JSON array of rows, NDJSON (one row object a line), CSV "
    "with a header row, a file of any of those as application/octet-stream (its kind is read "
    "from its content), or a multipart/form-data upload of one such file (any part name).",
    "content": {
        "application/json": {
            "schema": {"type": "array", "items": ROW, "minItems": 1},
            "example": [{"mac": "0C-75-D2-AB-CD-EF"}, {"brand": "Lorex"}],
        },
        "application/x-ndjson": {
            "schema": {**FILE, "description": "one BulkRow JSON object a line"},
            "example": '{"mac": "0C-75-D2-AB-CD-EF"}\n{"brand": "Lorex"}\n',
        },
        "text/csv": {
            "schema": {**FILE, "description": "a header row naming the columns"},
            "example": "mac,brand\n0C-75-D2-AB-CD-EF,\n,Lorex\n",
        },
        # Last of the raw types on purpose: a generated client sends every raw file (`File`)
        # with the last raw content type of this list, and this one is read by its content.
        "application/octet-stream": {
            "schema": {
                **FILE,
                "description": "CSV, NDJSON, a JSON array or a MAC list, told apart by content",
            },
            "example": '{"mac": "0C-75-D2-AB-CD-EF"}\n{"brand": "Lorex"}\n',
        },
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "title": "BulkUpload",
                "properties": {
                    "file": {
                        **FILE,
                        "description": "The inventory file: CSV, JSON array or NDJSON.",
                        "examples": ["mac,brand\n0C-75-D2-AB-CD-EF,\n,Lorex\n"],
                    }
                },
                "required": ["file"],
            },
        },
    },
}

LINE_DESCRIPTION = (
    "NDJSON, one BulkLine object a line in input order: `row`, `verdict` (yes, possible, no, "
    "unknown; null for a bad row), `confidence`, `evidence`, `matched`, `weak_links`, "
    "`weak_link`, `distributes`, `sources`, `regimes`, and `error` (null, or `{code, message, "
    "field}`)."
)
COMPONENTS = "#/components/schemas/"

RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": LINE_DESCRIPTION,
        # The body is a stream of bytes to a client (`schema`); each of its lines is a BulkLine
        # (`itemSchema`, as FastAPI writes it for its own JSON Lines streams).
        "content": {
            "application/x-ndjson": {
                "schema": FILE,
                "itemSchema": {"$ref": f"{COMPONENTS}{BulkLine.__name__}"},
            }
        },
    },
    **responses(404, 413, 415),
}


def line_schemas() -> dict[str, Any]:
    """The JSON schemas of a line and of the models it holds, by component name."""
    _, top = models_json_schema([(BulkLine, "serialization")], ref_template=COMPONENTS + "{model}")
    return dict(top["$defs"])


def declare_line(app: FastAPI) -> None:
    """Put the line's schema in the document's components: the route writes its lines by hand
    (rows sharing an answer share its serialized text), so FastAPI does not see the model."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        doc = build()
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in line_schemas().items():
            schemas.setdefault(name, schema)
        return doc

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI documents this override


OPENAPI_EXTRA: dict[str, Any] = {"requestBody": REQUEST_BODY}
