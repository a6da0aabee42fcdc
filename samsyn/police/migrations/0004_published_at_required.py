from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("police", "0003_event_time_from_title"),
    ]

    operations = [
        migrations.AlterField(
            model_name="policeevent",
            name="published_at",
            field=models.DateTimeField(verbose_name="published"),
        ),
    ]
