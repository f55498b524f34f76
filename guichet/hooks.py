"""What features register with the shell, so that the shell never has to know them by import:
the steps of `guichet init` (jobs of the scheduler: ``guichet.scheduler.register_job``)."""


def register_init_step(app, name: str, func) -> None:
    """``func(app)`` runs at every `guichet init`, after the store is upgraded; it must be idempotent."""
    app.extensions.setdefault("guichet.init_steps", {})[name] = func


def init_steps(app) -> dict:
    """The registered steps of `guichet init`, by name, in the order they were registered."""
    return dict(app.extensions.get("guichet.init_steps", {}))
