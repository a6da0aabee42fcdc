from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "samsyn.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from samsyn.accounts import signals  # noqa: F401  (connects the receivers)


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the site that applies the second-factor rule."""

    default = False
    default_site = "samsyn.accounts.admin_site.AdminSite"
