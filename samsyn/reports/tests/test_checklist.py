from samsyn.organisations.models import AuditEvent
from samsyn.reports.models import Category


def test_it_lets_an_admin_edit_a_category(client, adam, north_org):
    cat = Category.objects.get(collaboration=north_org.collaboration, code="littering")
    client.force_login(adam)
    response = client.post(
        f"/reports/checklist/{cat.pk}/",
        {
            "code": "something-else",  # disabled: the code never changes
            "name_sv": "Skräp",
            "name_en": "Litter",
            "group": "environment",
            "physical_environment": "on",
            "default_owner": north_org.pk,
            "harm_weight": "0.5",
            "sort_order": "4",
            "active": "on",
        },
    )
    assert response.status_code == 302
    cat.refresh_from_db()
    assert (cat.code, cat.name_sv, cat.default_owner) == (
        "littering",
        "Skräp",
        north_org,
    )
    assert AuditEvent.objects.filter(action="category.changed").exists()


def test_it_adds_a_category_and_rejects_a_duplicate_code(client, alice, north):
    client.force_login(alice)
    data = {"code": "dogs", "name_sv": "Lösa hundar", "name_en": "Loose dogs",
            "harm_weight": "1", "sort_order": "30", "active": "on"}  # fmt: skip
    assert client.post("/reports/checklist/new/", data).status_code == 302
    assert Category.objects.filter(collaboration=north, code="dogs").exists()
    again = client.post("/reports/checklist/new/", data)
    assert again.status_code == 422
    assert Category.objects.filter(collaboration=north, code="dogs").count() == 1


def test_it_hides_the_checklist_from_reporters(client, bob):
    client.force_login(bob)
    assert client.get("/reports/checklist/").status_code == 404


def test_it_offers_only_own_organisations_as_owner(client, adam, north_org, south_org):
    client.force_login(adam)
    page = client.get("/reports/checklist/new/").content.decode()
    assert north_org.name in page and south_org.name not in page
