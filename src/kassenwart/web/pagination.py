from django.core.paginator import Page, Paginator

PER_PAGE = 50


def paginate(request, queryset, per_page: int = PER_PAGE, count: int | None = None) -> Page:
    """The page the request asks for (?page=); out-of-range and garbage give the nearest.
    `count`, when the caller knows it already (from the list's sums), saves the COUNT query."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not computed
    return paginator.get_page(request.GET.get("page"))
