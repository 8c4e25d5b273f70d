from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    """The project itself, as an app: its deploy checks."""

    name = "consultation"

    def ready(self):
        from consultation import checks  # noqa: F401  (importing registers the checks)
