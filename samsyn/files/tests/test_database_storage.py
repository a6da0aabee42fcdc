"""The database storage: the storage contract, and the app's file users on it."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command

from samsyn.files.models import StoredFile
from samsyn.files.storage import DatabaseStorage
from samsyn.jobs import files as job_files
from samsyn.jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_database(settings):  # type: ignore[no-untyped-def]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "samsyn.files.storage.DatabaseStorage"},
    }
    assert isinstance(
        default_storage._setup() or default_storage._wrapped, DatabaseStorage
    )
    return default_storage


def test_it_saves_reads_and_deletes_a_file():
    storage = DatabaseStorage()
    name = storage.save("jobs/a/report.pdf", ContentFile(b"%PDF-1.7 \x00\xff"))
    assert name == "jobs/a/report.pdf"
    assert storage.exists(name) and storage.size(name) == 11
    with storage.open(name) as fh:
        assert fh.read() == b"%PDF-1.7 \x00\xff"
    assert storage.get_modified_time(name) is not None
    storage.delete(name)
    assert not storage.exists(name)
    with pytest.raises(FileNotFoundError):
        storage.open(name)
    with pytest.raises(FileNotFoundError):
        storage.size(name)


def test_a_taken_name_gets_another():
    storage = DatabaseStorage()
    first = storage.save("photos/x.jpg", ContentFile(b"1"))
    second = storage.save("photos/x.jpg", ContentFile(b"2"))
    assert first == "photos/x.jpg" and second != first
    assert second.startswith("photos/x_") and second.endswith(".jpg")
    assert StoredFile.objects.count() == 2


def test_folders_are_prefixes():
    storage = DatabaseStorage()
    for name in ("jobs/a/1.pdf", "jobs/a/2.csv", "jobs/b/3.pdf", "jobs/top.txt"):
        storage.save(name, ContentFile(b"x"))
    assert storage.listdir("jobs") == (["a", "b"], ["top.txt"])
    assert storage.listdir("jobs/a/") == ([], ["1.pdf", "2.csv"])
    assert storage.listdir("") == (["jobs"], [])
    with pytest.raises(FileNotFoundError):
        storage.listdir("jobs/nothing")
    # No empty folder lingers once its files are gone.
    storage.delete("jobs/b/3.pdf")
    assert storage.listdir("jobs") == (["a"], ["top.txt"])


def test_it_opens_for_reading_only():
    storage = DatabaseStorage()
    storage.save("a.txt", ContentFile(b"x"))
    with pytest.raises(ValueError, match="reading only"):
        storage.open("a.txt", "wb")
    with pytest.raises(NotImplementedError):
        storage.url("a.txt")


def test_a_jobs_file_written_on_one_node_is_read_on_another(in_database, north, alice):
    # Two nodes share nothing but the database: a fresh storage object stands for
    # the other node's.
    job = Job.objects.create(collaboration=north, owner=alice, kind=Job.Kind.EXPORT)
    job_files.save_result(job, "export.csv", b"a;b\n1;2\n")
    assert StoredFile.objects.filter(name__startswith=f"jobs/{job.code}/").exists()
    other_node = DatabaseStorage()
    assert other_node.listdir(f"jobs/{job.code}") == ([], ["export.csv"])
    assert job_files.open_result(job) == ("export.csv", b"a;b\n1;2\n")
    assert job_files.result_size(job) == 8
    job_files.delete_result(job)
    assert job_files.open_result(job) is None


def test_move_files_copies_both_ways_and_can_be_run_again(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    disk = FileSystemStorage(location=tmp_path)
    disk.save("walks/1/photo.jpg", ContentFile(b"jpeg"))
    disk.save("jobs/x/out.pdf", ContentFile(b"pdf"))
    call_command("move_files", to="database")
    database = DatabaseStorage()
    assert database.open("walks/1/photo.jpg").read() == b"jpeg"
    assert database.open("jobs/x/out.pdf").read() == b"pdf"
    call_command("move_files", to="database")  # nothing new, nothing doubled
    assert StoredFile.objects.count() == 2
    database.save("annual/report.pdf", ContentFile(b"annual"))
    call_command("move_files", to="filesystem")
    assert disk.open("annual/report.pdf").read() == b"annual"
