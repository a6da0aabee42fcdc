"""One audit chain per collaboration instead of one for the whole installation.

The entries already written are chained again, each collaboration's in id order (and
the entries without a collaboration as chain 0), and every chain gets its head row.
Run `samsyn verify_audit` before migrating to know the old chain was intact: this
migration re-hashes what it finds.
"""

from django.db import migrations, models


def rechain(apps, schema_editor):
    from samsyn.organisations.models import NO_COLLABORATION_CHAIN, chain_hash

    AuditEvent = apps.get_model("organisations", "AuditEvent")
    AuditChainHead = apps.get_model("organisations", "AuditChainHead")
    AuditChainHead.objects.all().delete()
    refs = set(
        AuditEvent.objects.values_list("collaboration_ref", flat=True).distinct()
    )
    for ref in sorted(refs, key=lambda r: r or NO_COLLABORATION_CHAIN):
        entries = (
            AuditEvent.objects.filter(collaboration_ref__isnull=True)
            if ref is None
            else AuditEvent.objects.filter(collaboration_ref=ref)
        )
        prev = ""
        count = 0
        for event in entries.order_by("id").iterator(2000):
            event.prev_hash = prev
            event.hash = chain_hash(
                created=event.created,
                actor=event.actor_ref,
                collaboration=event.collaboration_ref,
                action=event.action,
                target_type=event.target_type,
                target_code=event.target_code,
                data=event.data,
                ip=event.ip,
                prev_hash=prev,
            )
            event.save(update_fields=["prev_hash", "hash"])
            prev = event.hash
            count += 1
        AuditChainHead.objects.create(
            chain=ref or NO_COLLABORATION_CHAIN, hash=prev, count=count
        )


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_audit_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="chain",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditchainhead",
            name="chain",
            field=models.BigIntegerField(unique=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["collaboration_ref", "id"], name="audit_chain_order"
            ),
        ),
    ]
