"""Settings, validated once at start.

Every ``SUPPLYGRAPH_*`` variable is documented in docs/operations.md.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from supplygraph.graph.engine import relatedness
from supplygraph.graph.engine.relatedness import DEFAULT_MAX_OUTSIDE, DEFAULT_STAKE_THRESHOLD
from supplygraph.graph.match import matcher as matching
from supplygraph.graph.match.matcher import MATCH_THRESHOLD
from supplygraph.graph.model import evidence
from supplygraph.graph.model.evidence import DEFAULT_MIN_CONFIDENCE
from supplygraph.graph.store.backends import DEFAULT_STORE_URL


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
    watch_dir: str = Field(
        default="./data/watches",
        description="Folder of the watched inventories (`supplygraph watch`)",
    )
    # -- hardening (api/security.py, api/middleware.py) --------------------------------------
    api_keys: str = Field(
        default="",
        description="Comma-separated API keys; when set, /v1, /ui need header X-API-Key",
    )
    admin_keys: str = Field(
        default="", description="Comma-separated keys for write endpoints (separate from reads)"
    )
    rate_limit: float = Field(
        default=0, ge=0, description="Requests per second allowed per key (or client); 0 = off"
    )
    rate_burst: int = Field(
        default=50, ge=1, description="Requests a key may make at once before the rate applies"
    )
    auth_failure_rate: float = Field(
        default=0.2,
        gt=0,
        description="Failed API-key attempts per second allowed per client address",
    )
    auth_failure_burst: int = Field(
        default=20,
        ge=1,
        description="Failed API-key attempts a client address may make before 429",
    )
    limits_db: str = Field(
        default="",
        description="SQLite file holding rate limits and failed-key counts for all server "
        "workers; empty: each process counts alone (`serve --workers N` sets one)",
    )
    forwarded_allow_ips: str = Field(
        default="",
        description="Comma-separated proxy addresses whose X-Forwarded-For is trusted (the "
        "client address for limits and logs); empty: none, the socket's peer counts",
    )
    max_body_bytes: int = Field(
        default=1_048_576, ge=1, description="Largest request body outside bulk endpoints"
    )
    max_bulk_bytes: int = Field(
        default=256 * 1_048_576, ge=1, description="Largest request body on /v1/resolve/bulk"
    )
    cors_origins: str = Field(
        default="", description="Comma-separated origins allowed by CORS ('*' for any)"
    )
    access_log: bool = Field(default=True, description="One JSON log line per request")
    metrics: bool = Field(default=True, description="Serve Prometheus metrics at /metrics")
    # -- verdicts (graph/model/evidence.py, graph/match/matcher.py)
    # -------------------------------------
    strong_min_confidence: float = Field(
        default=DEFAULT_MIN_CONFIDENCE,
        ge=0,
        le=1,
        description="A link is strong from this confidence on (with a strong-grade source)",
    )
    strong_grades: str = Field(
        default="A,B", description="Comma-separated source grades that can make a link strong"
    )
    name_match_threshold: float = Field(
        default=MATCH_THRESHOLD, gt=0, le=1, description="A name matches from this score on"
    )
    stake_threshold: float = Field(
        default=DEFAULT_STAKE_THRESHOLD,
        gt=0,
        le=50,
        description="A stake of the target's group from this percent on makes an answer possible",
    )
    affinity_max_outside: int = Field(
        default=DEFAULT_MAX_OUTSIDE,
        ge=0,
        description="A group word stops counting once more companies outside the group carry it",
    )

    @field_validator("strong_grades")
    @classmethod
    def _known_grades(cls, value: str) -> str:
        grades = [g.strip().upper() for g in value.split(",") if g.strip()]
        if not grades or not set(grades) <= {"A", "B", "C"}:
            raise ValueError("give one or more of the grades A, B, C, comma-separated")
        return ",".join(grades)

    def apply(self) -> None:
        """Put the verdict settings in force for this process (once, at start)."""
        evidence.configure(self.strong_min_confidence, self.split(self.strong_grades))
        matching.configure(self.name_match_threshold)
        relatedness.configure(self.stake_threshold, self.affinity_max_outside)

    @staticmethod
    def split(text: str) -> list[str]:
        """A comma-separated setting as a list, blanks dropped."""
        return [part.strip() for part in text.split(",") if part.strip()]
