"""``{% load audit %}``, then ``{{ event.action|action_label }}``: the action in words."""

from __future__ import annotations

from django import template

from samsyn.organisations.audit_labels import action_label as _action_label

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return _action_label(str(code))
