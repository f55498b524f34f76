"""Search URLs: every state of the search page is a shareable URL (its parameters are those
of ``guichet.search.params``, in their declared order)."""

from urllib.parse import urlencode

from flask import request, url_for

from guichet.search.params import PAGE_PARAMS


def current_params() -> dict[str, list[str]]:
    return {name: [value for value in request.args.getlist(name) if value.strip()]
            for name in PAGE_PARAMS if request.args.getlist(name)}


def changed_url(endpoint: str, params: dict[str, list[str]], order, drop=(), toggle: tuple[str, str] | None = None,
                changes=None) -> str:
    """``endpoint`` with ``params`` changed, parameters in ``order``: ``drop`` removes some,
    ``toggle`` adds or removes one value of a repeatable one, ``changes`` sets values (None
    removes); any change but ``page`` goes back to page 1. Shared by every search's links."""
    params = dict(params)
    for name in drop:
        params.pop(name, None)
    if toggle:
        name, value = toggle
        values = params.get(name, [])
        params[name] = [item for item in values if item != value] if value in values else values + [value]
    for name, value in (changes or {}).items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = [str(item) for item in value] if isinstance(value, (list, tuple)) else [str(value)]
    if "page" not in (changes or {}):
        params.pop("page", None)
    pairs = [(name, value) for name in order for value in params.get(name, []) if value != ""]
    base = url_for(endpoint)
    return f"{base}?{urlencode(pairs)}" if pairs else base


def search_url(endpoint: str = "web.search", drop=(), toggle: tuple[str, str] | None = None, **changes) -> str:
    """The current search with changes (see ``changed_url``)."""
    return changed_url(endpoint, current_params(), PAGE_PARAMS, drop, toggle, changes)
