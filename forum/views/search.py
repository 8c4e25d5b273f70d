from django.shortcuts import render
from django.views.decorators.http import require_safe

from forum.search import SearchForm, search_comments


@require_safe
def search(request):
    """/search/?q=…: the search box, its filters and a page of results."""
    form = SearchForm(request.GET)
    page = search_comments(**form.selection(), page_number=request.GET.get("page")) if form.is_valid() else None
    # Pagination links keep the words and filters.
    carried = request.GET.copy()
    carried.pop("page", None)
    return render(
        request,
        "forum/search.html",
        {"form": form, "page": page, "extra": f"&{carried.urlencode()}" if carried else ""},
    )
