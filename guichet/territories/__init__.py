"""Territories: the official programme lists and zonings of every commune (Action Cœur de ville,
Petites villes de demain, Villages d'avenir, QPV, France Ruralités Revitalisation, montagne,
Territoires d'industrie, France services, ORT, INSEE density grid, centralities, rurality).

Registers `guichet territories` (refresh, status) and the loading step of `guichet init`
(after the commune reference, whose aliases bring old codes to today's communes). Other
features read a commune's lists through ``guichet.territories.services``; ``density_level``
and ``density_levels`` are re-exported here.
"""

from guichet.territories.services import density_level, density_levels  # noqa: F401


def init_app(app):
    from guichet.hooks import register_init_step
    from guichet.territories import cli
    from guichet.territories.lists import LISTS
    from guichet.territories.services import verdict_for
    from guichet.programmes.conditions import bands_text, criteria_sentence, restriction_text

    app.cli.add_command(cli.territories_group)
    register_init_step(app, "Listes et zonages officiels des communes", cli.init_step)
    app.jinja_env.globals["territory_sources"] = lambda: list(LISTS.values())
    app.jinja_env.globals["eligibility_verdict"] = verdict_for
    # The API answers « is this commune eligible? » without depending on this room.
    app.extensions["guichet.eligibility_verdict"] = verdict_for
    app.jinja_env.globals["territory_restriction"] = restriction_text
    app.jinja_env.globals["population_bands_text"] = bands_text
    app.jinja_env.globals["criteria_sentence"] = criteria_sentence
