from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "samsyn.demo"
    verbose_name = "Demo data"
