from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from forum import signals  # noqa: F401  (importing connects the receivers, once apps are loaded)
