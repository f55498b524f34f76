"""Normalisation shared by every source: from what a source says to the programme record.

One module per concern (``html``, ``dates``, ``population``, ``money``, ``places``,
``audiences``, ``themes``, ``words``); this package re-exports their public names so that a
source module reads ``norm.parse_date(...)``, ``norm.population_range(...)``.
"""

from scrapers.normalise.audiences import (aid_types, aid_types_from_text, audiences, beneficiaries,  # noqa: F401
                                          beneficiaries_from_text, is_call_for_projects, recurrence,
                                          recurrence_from_text)
from scrapers.normalise.dates import PARIS, dates_from_text, find_dates, parse_date, parse_datetime  # noqa: F401
from scrapers.normalise.html import (ALLOWED_ATTRIBUTES, ALLOWED_TAGS, clean_url, plain_text,  # noqa: F401
                                     sanitise_html, summary)
from scrapers.normalise.money import amount_max_from_text, parse_amount, rate_range  # noqa: F401
from scrapers.normalise.places import (FUNDERS, level_from_scale, normalise_funder, places,  # noqa: F401
                                       read_perimeter)
from scrapers.normalise.population import population_conditions, population_range, population_rule  # noqa: F401
from scrapers.normalise.themes import themes_from_categories, themes_from_text  # noqa: F401
from scrapers.normalise.words import _key, dedupe, key  # noqa: F401
