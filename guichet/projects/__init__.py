"""Funded projects: « Ce que des communes comme la vôtre ont obtenu ».

Registers the « Projets financés » search (/projets, /projets.csv, /api/v1/projects), the
`guichet projects` commands, the step of `guichet init` that loads the shipped lists
(data/PROVENANCE.md), and two template functions the commune and programme pages include.
"""


def init_app(app):
    from guichet.api.openapi import register_path
    from guichet.hooks import register_init_step
    from guichet.projects import cli, pages, views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.api_bp)
    app.cli.add_command(cli.projects_group)
    register_init_step(app, "Projets financés", cli.init_step)
    register_path(app, "/projects", pages.OPENAPI_PATH)
    app.jinja_env.globals.update(commune_funded_projects=pages.commune_section,
                                 programme_funded_projects=pages.programme_section,
                                 projects_url=views.projects_url, like_mine_url=views.like_mine_url)
    app.jinja_env.filters.update(percent_fr=views.percent_fr, amount_fr=views.amount_fr)
