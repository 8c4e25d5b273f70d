"""Work done outside the request, by the task worker (python manage.py run_worker).

Rendering again the comments that cite a changed comment is a task too,
`forum.services.comments.refresh_citing_comments`: it lives beside the service
that queues it, which this module could not import without a cycle."""

from django_tasks import task

from forum import emails


@task()
def send_notification_emails(notification_ids: list[int]) -> dict:
    """Email the given notifications that are still waiting to be sent. Those the
    mail server refused are tried again by a task queued for when their next
    attempt falls due (and by the `send_pending_emails` sweep, whichever comes first)."""
    run = emails.send_pending_notification_emails(notification_ids)
    if run.failed and send_notification_emails.get_backend().supports_defer:
        send_notification_emails.using(run_after=run.retry_at).enqueue(run.failed)
    return {"sent": run.sent, "failed": run.failed, "given_up": run.given_up}


@task()
def send_moderator_invitation(invitation_id: int) -> bool:
    """Email a moderator invitation's link; the invitation records when it went."""
    return emails.send_invitation_email(invitation_id)
