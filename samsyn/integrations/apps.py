from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "samsyn.integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from samsyn.integrations import receivers

        receivers.connect()
