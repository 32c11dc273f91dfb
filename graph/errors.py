"""One exception root; the API maps each subclass to an HTTP status in one table."""

from __future__ import annotations

from typing import Any


class SupplyGraphError(Exception):
    """Root of every error supplygraph raises on purpose."""

    code = "error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class InvalidQuery(SupplyGraphError):
    """A query field is malformed (a MAC that is not one, an empty query, ...)."""

    code = "invalid_query"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, {"field": field})
        self.field = field


class EntityNotFound(SupplyGraphError):
    code = "entity_not_found"

    def __init__(self, entity: str) -> None:
        super().__init__(f"no entity with id or name {entity!r}", {"entity": entity})


class TargetNotFound(SupplyGraphError):
    code = "target_not_found"

    def __init__(self, target: str) -> None:
        super().__init__(
            f"target {target!r} matches no known entity; give an entity id or a known name",
            {"target": target},
        )


class PageNotFound(SupplyGraphError):
    """A paging cursor that names no page of the listing it was given to (made up, or cut)."""

    code = "page_not_found"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, {"field": field})


class InvalidRecord(SupplyGraphError):
    """A source file holds something we cannot read; names the file, line/record and field."""

    code = "invalid_record"

    def __init__(self, file: str, line: int | str | None, field: str | None, message: str) -> None:
        where = file if line is None else f"{file}:{line}"
        text = f"{where}: {message}" if field is None else f"{where}: field {field!r}: {message}"
        super().__init__(text, {"file": file, "line": line, "field": field})
        self.file, self.line, self.field = file, line, field


class LoadRefused(SupplyGraphError):
    """A file that would end many listings, or replace a newer version of its dataset, loaded
    without being told to; names the file and says by how much."""

    code = "load_refused"

    def __init__(self, file: str, message: str, details: dict[str, Any]) -> None:
        super().__init__(f"{file}: {message}", {"file": file, **details})
        self.file = file


class StoreUnavailable(SupplyGraphError):
    """The configured store cannot be reached or opened."""

    code = "store_unavailable"


class InvalidStoreURL(SupplyGraphError):
    code = "invalid_store_url"


class FetchFailed(SupplyGraphError):
    """A source could not be downloaded whole (an HTTP error, a timeout, a size limit, a body
    shorter than announced); nothing of it is loaded."""

    code = "fetch_failed"

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{url}: {message}", {"url": url})
        self.url = url


class InvalidSources(SupplyGraphError):
    """A sources file (``supplygraph update --sources``) that cannot be used; names the file and
    the entry."""

    code = "invalid_sources"
