"""One module per source: each reads like a description of that source (URLs, request shape,
field mapping, quirks). Modules here are found automatically (scrapers.registry)."""
