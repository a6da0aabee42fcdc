"""Area.locate_id: points are assigned to the collaboration's current areas."""

from __future__ import annotations

from samsyn.areas.models import Area
from samsyn.tests.support import (
    INSIDE_EAST,
    INSIDE_WEST,
    SQUARE_EAST,
    CollaborationFactory,
    make_area,
)


def test_it_prefers_areas_over_districts(north):
    district = make_area(north, ref="D", level=Area.Level.DISTRICT)
    assert Area.locate_id(north, *INSIDE_WEST) == district.pk
    area = make_area(north, ref="A", parent=district)
    assert Area.locate_id(north, *INSIDE_WEST) == area.pk


def test_it_keeps_collaborations_apart(north, south):
    west = make_area(north, ref="W")
    assert Area.locate_id(south, *INSIDE_WEST) is None
    assert Area.locate_id(north, *INSIDE_WEST) == west.pk


def test_it_ignores_inactive_areas(north):
    west = make_area(north, ref="W")
    Area.objects.filter(pk=west.pk).update(active=False)
    north.areas_version += 1
    north.save(update_fields=["areas_version"])
    assert Area.locate_id(north, *INSIDE_WEST) is None


def test_it_never_uses_the_index_of_a_deleted_collaboration(db):
    first = CollaborationFactory(checklist=False)
    gone = make_area(first, ref="W")
    assert Area.locate_id(first, *INSIDE_WEST) == gone.pk
    pk = first.pk
    first.delete()
    # The same primary key and areas version again (SQLite reuses row ids).
    second = CollaborationFactory(pk=pk, checklist=False)
    east = make_area(second, ref="E", geometry=SQUARE_EAST)
    assert second.areas_version == 1
    assert Area.locate_id(second, *INSIDE_EAST) == east.pk
    assert Area.locate_id(second, *INSIDE_WEST) is None
