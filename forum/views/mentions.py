from django.http import Http404


def _pending(request, *args, **kwargs):
    raise Http404


email_preferences = unsubscribe = suggest_people = _pending
