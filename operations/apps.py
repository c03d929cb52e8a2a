from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """How the site is doing, for operators: probes, metrics and the staff's usage page.

    It owns no data: it reads meetings' rows and counters and reports them.
    """

    name = "operations"
    verbose_name = "Operations"

    def ready(self):
        from prometheus_client import REGISTRY

        from .metrics import SiteCollector

        if SiteCollector.instance is None:
            SiteCollector.instance = SiteCollector()
            REGISTRY.register(SiteCollector.instance)
