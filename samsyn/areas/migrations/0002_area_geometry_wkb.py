import shapely
from django.db import migrations, models
from shapely.geometry import shape


def fill(apps, schema_editor):
    Area = apps.get_model("areas", "Area")
    for area in Area.objects.filter(geometry_wkb__isnull=True).iterator():
        area.geometry_wkb = bytes(shapely.to_wkb(shape(area.geometry)))
        area.save(update_fields=["geometry_wkb"])


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="area",
            name="geometry_wkb",
            field=models.BinaryField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
