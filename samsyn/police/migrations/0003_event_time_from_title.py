"""Police events: the time they happened comes from the title, the feed's datetime is
kept as the publication time (decision 0006).

Stored rows held the publication time in `occurred_at`: it moves to `published_at`,
and `occurred_at` is read again from the title by the same rule as new imports.
Reversing puts the publication time back. The column becomes required in 0004, in a
transaction of its own (PostgreSQL does not alter a table with pending updates).
"""

from django.db import migrations, models

BATCH = 500


def date_from_titles(apps, schema_editor):  # type: ignore[no-untyped-def]
    from samsyn.police.titles import event_time

    PoliceEvent = apps.get_model("police", "PoliceEvent")
    rows = []
    for ev in PoliceEvent.objects.only("pk", "name", "occurred_at").iterator(
        chunk_size=BATCH
    ):
        when = event_time(ev.name, ev.occurred_at)
        ev.published_at = ev.occurred_at
        ev.occurred_at = when.at
        ev.time_source = when.source
        rows.append(ev)
        if len(rows) >= BATCH:
            PoliceEvent.objects.bulk_update(
                rows, ["published_at", "occurred_at", "time_source"]
            )
            rows = []
    if rows:
        PoliceEvent.objects.bulk_update(
            rows, ["published_at", "occurred_at", "time_source"]
        )


def back_to_publication(apps, schema_editor):  # type: ignore[no-untyped-def]
    PoliceEvent = apps.get_model("police", "PoliceEvent")
    PoliceEvent.objects.update(occurred_at=models.F("published_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("police", "0002_importbatch_reportedcrime_columnmapping_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="policeevent",
            name="published_at",
            field=models.DateTimeField(null=True, verbose_name="published"),
        ),
        migrations.AddField(
            model_name="policeevent",
            name="time_source",
            field=models.CharField(
                choices=[
                    ("title", "Day and time in the title"),
                    ("title_day", "Day in the title, no time"),
                    ("published", "Publication time (no date in title)"),
                ],
                default="title",
                help_text=(
                    "The title's day and time; the title's day only; or, when the "
                    "title has no date, the publication time."
                ),
                max_length=10,
                verbose_name="time from",
            ),
        ),
        migrations.RunPython(date_from_titles, back_to_publication),
    ]
