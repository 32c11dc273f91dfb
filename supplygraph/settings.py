"""Settings, validated once at start. Every ``SUPPLYGRAPH_*`` variable is documented in README."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from supplygraph.graph.store import DEFAULT_STORE_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPPLYGRAPH_", extra="ignore")

    store: str = Field(
        DEFAULT_STORE_URL, description="Store URL: sqlite:///path, neo4j://..., falkordb://..."
    )
    host: str = Field(default="127.0.0.1", description="Address `serve` binds to")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `serve` listens on")
    bootstrap: bool = Field(
        default=True,
        description="Fill an empty store with seed data and the IEEE registry on `serve`",
    )
    log_level: str = Field(default="info", description="Log level for the server")
