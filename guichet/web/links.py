"""Search URLs: every state of the search page is a shareable URL (its parameters are those
of ``guichet.search.params``, in their declared order)."""

from urllib.parse import urlencode

from flask import request, url_for

from guichet.search.params import PAGE_PARAMS


def current_params() -> dict[str, list[str]]:
    return {name: [value for value in request.args.getlist(name) if value.strip()]
            for name in PAGE_PARAMS if request.args.getlist(name)}


def search_url(endpoint: str = "web.search", drop=(), toggle: tuple[str, str] | None = None, **changes) -> str:
    """The current search with changes: ``drop`` removes parameters, ``toggle`` adds or removes
    one value of a repeatable one; any change but ``page`` goes back to page 1."""
    params = current_params()
    for name in drop:
        params.pop(name, None)
    if toggle:
        name, value = toggle
        values = params.get(name, [])
        params[name] = [item for item in values if item != value] if value in values else values + [value]
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value if isinstance(value, list) else [str(value)]
    if "page" not in changes:
        params.pop("page", None)
    pairs = [(name, value) for name in PAGE_PARAMS for value in params.get(name, []) if value != ""]
    query_string = urlencode(pairs)
    base = url_for(endpoint)
    return f"{base}?{query_string}" if query_string else base
