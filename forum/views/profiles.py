"""A person's public profile with the comments they wrote (/u/<handle>/). It
lives in forum because it draws comments; accounts knows nothing of them."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from forum import display, selectors


@require_safe
def profile(request, handle):
    person = get_object_or_404(get_user_model(), handle=handle.lower(), is_active=True)
    page = selectors.profile_comments_page(person, number=request.GET.get("page"))
    cards = display.draw_list(request.user, page.object_list, name_rooms=True)
    shifts = selectors.shifts_of(person, request.user)
    return render(request, "accounts/profile.html", {"person": person, "page": page, "cards": cards, "shifts": shifts})
