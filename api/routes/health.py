"""``GET /healthz``: whether the process answers, and which version it runs."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

import supplygraph

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The process is up. It does not touch the store: a load balancer may call it often."""

    status: Literal["ok"] = Field(description="Always `ok` when the process answers.")
    version: str = Field(description="The supplygraph version the server runs.", examples=["0.1.0"])


HEALTHY = Health(status="ok", version=supplygraph.__version__)


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """Liveness: ``{"status": "ok", "version": ...}``, open even when API keys are configured."""
    return HEALTHY
