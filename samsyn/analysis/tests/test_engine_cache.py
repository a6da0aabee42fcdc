"""The engine caches each collaboration's study area; the cache must never hand one
collaboration another's areas, even when a primary key is reused."""

from __future__ import annotations

import pytest

from samsyn.analysis import engine
from samsyn.organisations.models import Collaboration
from samsyn.tests.support import (
    SQUARE_EAST,
    SQUARE_WEST,
    CollaborationFactory,
    make_area,
)


@pytest.mark.django_db
def test_a_reused_primary_key_does_not_return_the_old_collaborations_areas() -> None:
    first = CollaborationFactory(slug="first")
    make_area(first, ref="W", geometry=SQUARE_WEST)
    first.refresh_from_db()
    west, _ = engine.study_area(first)
    pk, version = first.pk, first.areas_version

    first.areas.all().delete()
    Collaboration.objects.filter(pk=pk).delete()
    second = CollaborationFactory(pk=pk, slug="second")
    make_area(second, ref="E", geometry=SQUARE_EAST)
    Collaboration.objects.filter(pk=pk).update(areas_version=version)
    second.refresh_from_db()
    assert (second.pk, second.areas_version) == (pk, version)

    east, geoms = engine.study_area(second)
    assert set(geoms) == {"E"}
    assert not east.equals(west)
