from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PicturesConfig(AppConfig):
    name = "samsyn.pictures"
    verbose_name = _("Pictures")
