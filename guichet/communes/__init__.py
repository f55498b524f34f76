"""Communes: the official reference (COG) and what a town can apply for."""


def init_app(app):
    pass
