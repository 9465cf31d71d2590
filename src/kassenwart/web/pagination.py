from django.core.paginator import Page, Paginator

PER_PAGE = 50


def paginate(request, queryset, per_page: int = PER_PAGE) -> Page:
    """The page the request asks for (?page=); out-of-range and garbage give the nearest."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
