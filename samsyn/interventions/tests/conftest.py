from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from samsyn.interventions import actions
from samsyn.interventions.models import Intervention


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def make_iv(north_org, alice):  # type: ignore[no-untyped-def]
    def make(**data: Any) -> Intervention:
        values: dict[str, Any] = {
            "title": "Lighting at the path",
            "kind": "situational",
            "owner": north_org,
            "starts_on": date(2026, 5, 4),
        }
        values.update(data)
        return actions.register_intervention(
            north_org.collaboration, values, by=data.pop("by", alice)
        )

    return make
