from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "samsyn.routing"
    verbose_name = _("Routing to owners")

    def ready(self) -> None:
        from samsyn.routing import receivers

        receivers.connect()
