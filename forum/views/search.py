from django.shortcuts import render
from django.views.decorators.http import require_safe

from forum import display
from forum.search import SearchForm, search_comments


@require_safe
def search(request):
    """/search/?q=…: the search box, its filters and a page of results."""
    form = SearchForm(request.GET)
    page = search_comments(**form.selection(), page_number=request.GET.get("page")) if form.is_valid() else None
    found = page.object_list if page is not None else []
    results = list(zip(found, display.draw_list(request.user, [result.comment for result in found], name_rooms=True)))
    # Pagination links keep the words and filters.
    carried = request.GET.copy()
    carried.pop("page", None)
    return render(
        request,
        "forum/search.html",
        {"form": form, "page": page, "results": results, "extra": f"&{carried.urlencode()}" if carried else ""},
    )
