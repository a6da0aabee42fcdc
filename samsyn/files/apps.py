from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "samsyn.files"
    label = "files"
    verbose_name = "Stored files"
