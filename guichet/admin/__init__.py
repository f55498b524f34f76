"""(feature package: see its modules)"""


def init_app(app):
    pass
