"""Dependencies routes declare with ``Annotated`` aliases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from celery import Celery
from fastapi import Depends, Request

from shared.jobstore import JobStore
from shared.settings import Settings
from shared.storage import ObjectStorage


@dataclass(frozen=True)
class Services:
    settings: Settings
    storage: ObjectStorage
    jobs: JobStore
    celery: Celery


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def get_tenant() -> str:
    # One tenant until API keys arrive; every lookup is already scoped by it.
    return "default"


ServicesDep = Annotated[Services, Depends(get_services)]
TenantDep = Annotated[str, Depends(get_tenant)]
