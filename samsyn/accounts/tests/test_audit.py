"""The audit log: hash chain, verification, what is recorded, the admin page."""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client

from samsyn.organisations.models import (
    AuditChainHead,
    AuditEvent,
    record,
    verify_audit_chain,
)
from samsyn.tests.support import UserFactory, api_client, make_report


def test_it_chains_each_entry_to_the_one_before(north, alice):
    before = AuditChainHead.objects.filter(chain=north.pk).values_list(
        "hash", flat=True
    )
    head = before.first() or ""
    first = record(alice, "thing.made", north, data={"n": 1}, ip="192.0.2.1")
    second = record(alice, "thing.changed", north, data={"when": north.created})
    assert first.prev_hash == head
    assert second.prev_hash == first.hash
    assert len(second.hash) == 64
    assert AuditChainHead.objects.get(chain=north.pk).hash == second.hash
    assert verify_audit_chain().ok
    call_command("verify_audit")


def test_it_sees_a_row_edited_with_a_raw_update(north, alice):
    record(alice, "a", north)
    victim = record(alice, "b", north, data={"count": 3})
    record(alice, "c", north)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE organisations_auditevent SET action = %s WHERE id = %s",
            ["b.harmless", victim.pk],
        )
    result = verify_audit_chain()
    assert not result.ok
    assert result.broken_id == victim.pk
    with pytest.raises(CommandError, match=f"at entry {victim.pk}") as err:
        call_command("verify_audit")
    assert err.value.returncode == 1


def test_it_sees_a_removed_entry_in_the_middle_and_at_the_end(north, alice):
    record(alice, "a", north)
    middle = record(alice, "b", north)
    after = record(alice, "c", north)
    AuditEvent.objects.filter(pk=middle.pk).delete()
    assert verify_audit_chain().broken_id == after.pk
    AuditEvent.objects.filter(pk=after.pk).delete()
    result = verify_audit_chain()
    assert not result.ok and result.broken_id is None


def test_it_keeps_the_chain_when_a_user_is_removed(north):
    leaver = UserFactory(username="leaver")
    record(leaver, "a", north)
    leaver.delete()
    event = AuditEvent.objects.get(action="a")
    assert event.actor is None and event.actor_ref is not None
    assert verify_audit_chain().ok


@pytest.mark.django_db(transaction=True)
def test_it_chains_correctly_under_concurrent_writers(north, alice):
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(8):
                record(alice, "concurrent", north, data={"writer": n, "i": i})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEvent.objects.filter(action="concurrent").count() == 32
    hashes = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(hashes) == len(set(hashes)), "two entries claim the same predecessor"
    assert verify_audit_chain().ok


def test_each_collaboration_has_its_own_chain(north, south, alice):
    north_first = record(alice, "n.1", north)
    south_first = record(alice, "s.1", south)
    site = record(alice, "site.1")
    north_second = record(alice, "n.2", north)
    # Each entry follows the previous entry of its own collaboration, so writers of
    # one collaboration never wait for another's head row.
    assert north_second.prev_hash == north_first.hash
    assert south_first.prev_hash != north_first.hash
    assert site.collaboration_ref is None
    heads = dict(AuditChainHead.objects.values_list("chain", "hash"))
    assert heads[north.pk] == north_second.hash
    assert heads[south.pk] == south_first.hash
    assert heads[0] == site.hash
    assert verify_audit_chain(north.pk).checked == 2
    assert verify_audit_chain(south.pk).ok
    assert verify_audit_chain().ok


def test_it_names_the_broken_chain_and_verifies_one_collaboration(north, south, alice):
    record(alice, "n.1", north)
    victim = record(alice, "n.2", north, data={"count": 3})
    record(alice, "s.1", south)
    AuditEvent.objects.filter(pk=victim.pk).update(data={"count": 4})
    result = verify_audit_chain()
    assert not result.ok and result.broken_id == victim.pk
    assert result.chain == north.pk
    assert verify_audit_chain(south.pk).ok
    call_command("verify_audit", collaboration=south.slug)
    with pytest.raises(CommandError, match=f"collaboration {north.pk}"):
        call_command("verify_audit", collaboration=north.slug)
    with pytest.raises(CommandError, match="No collaboration"):
        call_command("verify_audit", collaboration="nowhere")


def test_a_removed_collaboration_keeps_its_chain(alice, north):
    from samsyn.organisations.models import Collaboration

    gone = Collaboration.objects.create(name="Gone", slug="gone")
    record(alice, "g.1", gone)
    record(alice, "g.2", gone)
    chain = gone.pk
    gone.delete()
    assert AuditEvent.objects.filter(collaboration_ref=chain).count() == 2
    assert verify_audit_chain(chain).ok and verify_audit_chain(chain).checked == 2
    assert verify_audit_chain().ok


def test_a_new_head_starts_from_the_chains_newest_entry(north, alice):
    record(alice, "n.1", north)
    last = record(alice, "n.2", north)
    AuditChainHead.objects.all().delete()  # e.g. a restored dump without heads
    after = record(alice, "n.3", north)
    assert after.prev_hash == last.hash
    assert AuditChainHead.objects.get(chain=north.pk).count == 3
    assert verify_audit_chain().ok


@pytest.mark.django_db(transaction=True)
def test_writers_of_two_collaborations_chain_correctly_side_by_side(
    north, south, alice
):
    errors: list[BaseException] = []

    def write(collaboration: object, n: int) -> None:
        try:
            for i in range(6):
                record(alice, "side", collaboration, data={"writer": n, "i": i})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=write, args=(c, n))
        for n, c in enumerate([north, south, north, south])
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for c in (north, south):
        prevs = list(
            AuditEvent.objects.filter(collaboration_ref=c.pk).values_list(
                "prev_hash", flat=True
            )
        )
        assert len(prevs) == 12 and len(set(prevs)) == 12
    assert verify_audit_chain().ok


def test_it_records_sign_in_with_the_address(alice):
    client = Client(REMOTE_ADDR="192.0.2.7")
    response = client.post("/accounts/login/", {"username": "alice", "password": "pw"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="login")
    assert event.actor == alice
    assert event.ip == "192.0.2.7"
    assert event.data == {"method": "password"}


def test_it_records_failed_sign_in_without_the_password(alice):
    client = Client(REMOTE_ADDR="192.0.2.8")
    client.post("/accounts/login/", {"username": "alice", "password": "wrong-pw"})
    event = AuditEvent.objects.get(action="login.failed")
    assert event.actor is None
    assert event.target_code == str(alice.code)
    assert event.ip == "192.0.2.8"
    assert event.data["username"] == "alice"
    assert "wrong-pw" not in str(event.data)


def test_it_records_views_of_restricted_reports_only(alice, north_org, north_police):
    restricted = make_report(north_police, restricted=True)
    open_report = make_report(north_org)
    client = Client()
    client.force_login(alice)
    assert client.get(f"/reports/{open_report.code}/").status_code == 200
    assert not AuditEvent.objects.filter(action="report.viewed_restricted").exists()
    assert client.get(f"/reports/{restricted.code}/").status_code == 200
    assert (
        api_client(alice).get(f"/api/v1/reports/{restricted.code}").status_code == 200
    )
    views = AuditEvent.objects.filter(action="report.viewed_restricted")
    assert views.count() == 2
    assert {v.target_code for v in views} == {str(restricted.code)}
    assert all(v.actor == alice for v in views)


def test_it_shows_admins_their_collaborations_log_with_filters(
    north, south, adam, alice, bob, carl, north_police
):
    record(alice, "report.status_changed", north, data={"status": "fixed"})
    record(bob, "export.csv", north)
    record(carl, "export.csv", south)
    Client(REMOTE_ADDR="192.0.2.9").post(
        "/accounts/login/", {"username": "bob", "password": "pw"}
    )
    hidden = make_report(north_police, restricted=True)
    record(alice, "report.viewed_restricted", hidden)
    client = Client()
    client.force_login(adam)
    body = client.get("/accounts/audit/").content.decode()
    assert "report.status_changed" in body and "export.csv" in body
    assert "192.0.2.9" in body  # bob's sign-in belongs to no collaboration
    assert "carl" not in body
    assert str(hidden.code)[:8] not in body  # the admin may not trace restricted ones
    assert "a restricted report" in body

    only_exports = client.get("/accounts/audit/", {"action": "export.csv"})
    text = only_exports.content.decode()
    assert 'audit-code">export.csv</code>' in text
    assert 'audit-code">report.status_changed</code>' not in text
    by_alice = client.get("/accounts/audit/", {"actor": str(alice.code)})
    assert 'audit-code">export.csv</code>' not in by_alice.content.decode()
    tomorrow = client.get("/accounts/audit/", {"since": "2100-12-31"})
    assert "No entries match" in tomorrow.content.decode()


def test_it_keeps_the_log_from_other_roles(alice, anna, bob):
    for user in (alice, anna, bob):
        client = Client()
        client.force_login(user)
        assert client.get("/accounts/audit/").status_code == 404


def test_it_describes_each_action_in_words(north, adam, alice):
    record(alice, "report.status_changed", north, data={"status": "fixed"})
    record(alice, "picture.approved", north)
    record(alice, "export.reports", north)
    client = Client(headers={"accept-language": "sv"})
    client.force_login(adam)
    body = client.get("/accounts/audit/").content.decode()
    assert "Rapportens status ändrad" in body
    assert "Lägesbild: Godkänd" in body
    assert "Export: rapporter" in body
    # The filter offers the words too.
    assert '<option value="picture.approved">Lägesbild: Godkänd</option>' in body


def test_every_recorded_action_has_words():
    """A crawl of the code: every action written with record() has a label."""
    import re
    from pathlib import Path

    from samsyn.organisations.audit_labels import ACTION_LABELS, FAMILIES

    root = Path(__file__).resolve().parents[2]
    found = set()
    for path in root.rglob("*.py"):
        if "/tests/" in str(path) or "/migrations/" in str(path):
            continue
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r'record\(\s*[^,()]+,\s*(f?)"([a-z_.{}]+)"', text):
            found.add((m.group(1), m.group(2)))
    assert len(found) > 40
    for is_f, code in found:
        if is_f:
            prefix = code.split(".")[0]
            assert prefix in FAMILIES or any(
                k.startswith(code.split("{")[0]) for k in ACTION_LABELS
            ), code
        else:
            assert code in ACTION_LABELS, code
