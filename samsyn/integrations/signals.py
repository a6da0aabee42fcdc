"""Signals other apps send so integrations and notifications can react.

``report_submitted`` is meant to be sent by ``samsyn.reports.actions.submit_report``
after the commit, with ``report=`` and ``by=``. Until it is, the post_save fallback in
``receivers.py`` covers new reports; both paths deliver each event once.
"""

from __future__ import annotations

from django.dispatch import Signal

report_submitted = Signal()
