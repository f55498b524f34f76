"""The sources, found automatically: every module of ``scrapers/sources/`` that defines a
``Source`` subclass with a ``slug`` is a source. Adding a source is adding a module."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import lru_cache

from scrapers.base import Source


class UnknownSource(KeyError):
    def __init__(self, slug: str):
        super().__init__(slug)
        self.slug = slug

    def __str__(self):
        return f"source inconnue : {self.slug} (voir `guichet sources`)"


@lru_cache(maxsize=1)
def all_sources() -> dict[str, type[Source]]:
    """Slug → source class, in slug order."""
    import scrapers.sources as package

    found: dict[str, type[Source]] = {}
    for module_info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        module = importlib.import_module(module_info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Source) and value.__module__ == module.__name__ and value.slug:
                if value.slug in found and found[value.slug] is not value:
                    raise RuntimeError(f"two sources named {value.slug!r}: {found[value.slug]} and {value}")
                found[value.slug] = value
    return dict(sorted(found.items()))


def get_source(slug: str) -> type[Source]:
    try:
        return all_sources()[slug]
    except KeyError:
        raise UnknownSource(slug) from None
