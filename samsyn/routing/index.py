"""The routing index: a collaboration's rules and properties, ready to answer
"who fixes this, here?" without a query per rule or a loop over polygons.

Built once per (collaboration, routing version, areas version) and cached in the
process; any change of rules or properties bumps ``RoutingVersion`` so the next report
rebuilds it. Properties sit in a shapely STRtree (WGS84); a point on a property's
boundary is on the property (``covers``), holes are not, multipolygons are one
property.
"""

from __future__ import annotations

import math
import threading
import uuid
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import shape

from samsyn.areas.models import Area
from samsyn.organisations.models import Collaboration
from samsyn.routing.models import Property, RoutingRule, RoutingVersion


@dataclass
class Decision:
    rule: RoutingRule
    owner_id: int
    promised_days: int


@dataclass
class RoutingIndex:
    rules: list[RoutingRule]
    # For each property in the tree, the id of the organisation that owns it.
    property_owner_ids: np.ndarray
    tree: shapely.STRtree | None
    area_parent: dict[int, int | None] = field(default_factory=dict)
    # The rules by place, each list in precedence order (see prepare()).
    by_area: dict[int, list[RoutingRule]] = field(default_factory=dict)
    on_properties: list[RoutingRule] = field(default_factory=list)
    anywhere: list[RoutingRule] = field(default_factory=list)
    rank: dict[int, int] = field(default_factory=dict)

    def prepare(self) -> RoutingIndex:
        """Sort the rules by precedence (most specific first; among equals the
        oldest, so the answer never depends on query order) and group them by place,
        so a decision looks only at the rules that can match."""
        self.rules.sort(
            key=lambda r: (tuple(-v for v in r.specificity()), r.pk or 2**62)
        )
        self.rank = {id(r): i for i, r in enumerate(self.rules)}
        self.by_area, self.on_properties, self.anywhere = {}, [], []
        for rule in self.rules:
            if rule.where == RoutingRule.Where.PROPERTY:
                self.on_properties.append(rule)
            elif rule.where == RoutingRule.Where.AREA:
                self.by_area.setdefault(rule.area_id, []).append(rule)
            else:
                self.anywhere.append(rule)
        return self

    @classmethod
    def build(cls, collaboration: Collaboration) -> RoutingIndex:
        rules = list(
            RoutingRule.objects.in_collaboration(collaboration)
            .active()
            .select_related("area", "category", "owner", "property_owner")
        )
        geoms = []
        owners: list[int] = []
        if any(r.where == RoutingRule.Where.PROPERTY for r in rules):
            rows = (
                Property.objects.in_collaboration(collaboration)
                .order_by("pk")
                .values_list("owner_id", "geometry")
            )
            for owner_id, geometry in rows.iterator(chunk_size=2000):
                geom = shape(geometry)
                shapely.prepare(geom)
                geoms.append(geom)
                owners.append(owner_id)
        parents = dict(
            Area.objects.filter(collaboration=collaboration).values_list(
                "pk", "parent_id"
            )
        )
        return cls(
            rules=rules,
            property_owner_ids=np.asarray(owners, dtype=np.int64),
            tree=shapely.STRtree(geoms) if geoms else None,
            area_parent=parents,
        ).prepare()

    def owners_at(self, lon: float, lat: float) -> set[int]:
        """The organisations whose properties cover the point."""
        if self.tree is None or math.isnan(lon) or math.isnan(lat):
            return set()
        hits = self.tree.query(shapely.Point(lon, lat), predicate="covered_by")
        return {int(v) for v in self.property_owner_ids[hits]}

    def decide(
        self,
        *,
        category_id: int,
        area_id: int | None,
        lon: float,
        lat: float,
    ) -> Decision | None:
        """The most specific active rule for this category here, or None."""
        best: RoutingRule | None = None

        def consider(rules: list[RoutingRule]) -> None:
            nonlocal best
            for rule in rules:  # in precedence order: the first that fits is theirs
                if rule.category_id is None or rule.category_id == category_id:
                    if best is None or self.rank[id(rule)] < self.rank[id(best)]:
                        best = rule
                    return

        if self.on_properties:
            owners = self.owners_at(lon, lat)
            if owners:
                consider(
                    [r for r in self.on_properties if r.property_owner_id in owners]
                )
        if best is None and area_id is not None:
            consider(self.by_area.get(area_id, []))
            parent = self.area_parent.get(area_id)
            if parent is not None:
                consider(self.by_area.get(parent, []))
        if best is None:
            consider(self.anywhere)
        if best is None:
            return None
        return Decision(best, best.owner_id, best.promised_days)


_lock = threading.Lock()
_cache: dict[uuid.UUID, tuple[tuple[int, int], RoutingIndex]] = {}


def current_version(collaboration: Collaboration) -> int:
    row = RoutingVersion.objects.filter(collaboration=collaboration).values_list(
        "version", flat=True
    )
    return next(iter(row), 0)


def index_for(collaboration: Collaboration) -> RoutingIndex:
    key = (current_version(collaboration), collaboration.areas_version)
    cached = _cache.get(collaboration.code)
    if cached is not None and cached[0] == key:
        return cached[1]
    index = RoutingIndex.build(collaboration)
    with _lock:
        _cache[collaboration.code] = (key, index)
    return index
