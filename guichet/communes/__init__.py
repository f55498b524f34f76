"""Communes: the official reference (COG) and what a town can apply for.

Registers the commune pages (/communes), the autocomplete API (/api/v1/communes), the
`guichet communes` commands, the reference loading step of `guichet init`, and the commune
field of the search page (a name typed without JavaScript, the commune remembered for the visit).
"""


def init_app(app):
    from guichet.api.openapi import register_path
    from guichet.hooks import register_init_step
    from guichet.communes import api, cli, services, views
    from guichet.search.services import register_commune_resolver

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.communes_group)
    register_init_step(app, "Référentiel des communes", cli.init_step)
    for path, spec in api.OPENAPI_PATHS.items():
        register_path(app, path, spec)
    views.attach_to_search_page(app)
    register_commune_resolver(app, services.eligibility_for)
