from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "samsyn.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from samsyn.notifications import receivers

        receivers.connect()
