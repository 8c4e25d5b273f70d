"""Work done outside the request, by the task worker (python manage.py db_worker)."""

from django_tasks import task


@task()
def send_notification_emails(notification_ids: list[int]) -> None:
    """Email the given notifications that are still waiting to be sent."""
    from forum.emails import send_pending_notification_emails

    send_pending_notification_emails(notification_ids)
