from django.utils.functional import SimpleLazyObject

from accounts import terms


def documents_to_accept(request):
    """The versions of the terms and privacy notice the signed-in person is asked
    to accept (base.html's banner). Lazy: asked only by pages that draw it."""
    return {"documents_to_accept": SimpleLazyObject(lambda: terms.documents_to_accept(request.user))}
