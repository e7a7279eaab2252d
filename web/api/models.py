"""The API's request and response bodies (pydantic v2): the same classes validate requests and describe them in
the OpenAPI document (web/api/registry.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Name = Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartCase(Strict):
    key: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")
    data: dict[str, Any] = Field(default_factory=dict)
    business_key: str | None = Field(default=None, min_length=1, max_length=200, pattern=r"^[^\x00]*$")


class Created(BaseModel):
    id: str


class Cancel(Strict):
    reason: str = Field(min_length=1, max_length=2000, pattern=r"^[^\x00]*$")


class Comment(Strict):
    text: str = Field(min_length=1, max_length=5000, pattern=r"^[^\x00]*$")


class Complete(Strict):
    data: dict[str, Any] = Field(default_factory=dict)


class Assign(Strict):
    to: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00]*$")


class Message(Strict):
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")
    case_id: str | None = Field(default=None, min_length=1, max_length=36, pattern=r"^[^\x00]*$")
    business_key: str | None = Field(default=None, min_length=1, max_length=200, pattern=r"^[^\x00]*$")
    data: dict[str, Any] = Field(default_factory=dict)


class Signal(Strict):
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")
    data: dict[str, Any] = Field(default_factory=dict)


class CaseQuery(Strict):
    status: Literal["running", "completed", "cancelled"] | None = None
    key: str | None = Field(default=None, max_length=200, pattern=r"^[^\x00]*$")
    started_by: str | None = Field(default=None, max_length=100, pattern=r"^[^\x00]*$")
    business_key: str | None = Field(default=None, max_length=200, pattern=r"^[^\x00]*$")
    since: datetime | None = None
    cursor: str | None = Field(default=None, max_length=400)
    limit: int = Field(default=50, ge=1, le=200)


class TaskQuery(Strict):
    view: Literal["mine", "group"] | None = None
    q: str = Field(default="", max_length=200, pattern=r"^[^\x00]*$")
    overdue: bool = False
    sort: Literal["due", "priority", "created", "case"] = "due"
    page: int = Field(default=1, ge=1, le=100000)
    size: int = Field(default=25, ge=1, le=200)


class Ok(BaseModel):
    ok: bool = True


class Delivered(BaseModel):
    case_id: str
    started: bool
    elements: list[str] = []


class SignalDelivered(BaseModel):
    deliveries: list[Delivered]
