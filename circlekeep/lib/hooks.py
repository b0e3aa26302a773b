"""Extension points: an app lower down asks, apps higher up answer.

Imports only go down (tests/test_layers.py), yet a lower app sometimes has a step that a
higher app completes: a new organization needs the consent and agreement templates that
the apps above it own; an accepted invitation to a circle becomes a membership. The lower
app declares a ``Hook`` and calls it; each higher app registers its part in its
``AppConfig.ready()``. Hooks run inside the caller's action, in its transaction, in the
order the apps are installed, and may record their own audit events. They are explicit
calls, not Django signals: the caller names every hook it runs.
"""


class Hook:
    """A named list of callables (or, with ``single=True``, exactly one)."""

    def __init__(self, name: str, *, single: bool = False):
        self.name = name
        self.single = single
        self._handlers = []

    def register(self, handler):
        if handler not in self._handlers:
            if self.single and self._handlers:
                raise RuntimeError(f"hook {self.name} takes one handler")
            self._handlers.append(handler)
        return handler

    def __call__(self, *args, **kwargs):
        """Run every handler; returns their results in order."""
        return [handler(*args, **kwargs) for handler in self._handlers]

    def one(self, *args, **kwargs):
        """Run the single handler (a hook that must be answered)."""
        if not self._handlers:
            raise RuntimeError(f"no app answers hook {self.name}")
        return self._handlers[0](*args, **kwargs)

    @property
    def handlers(self):
        return list(self._handlers)


class Registry:
    """Named answers to one question, by key (for example invitation kinds)."""

    def __init__(self, name: str):
        self.name = name
        self._entries = {}

    def register(self, key, value):
        existing = self._entries.get(key)
        if existing is not None and existing is not value:
            raise RuntimeError(f"{self.name}: {key!r} is registered twice")
        self._entries[key] = value
        return value

    def get(self, key):
        try:
            return self._entries[key]
        except KeyError:
            raise RuntimeError(f"{self.name}: nothing handles {key!r}") from None

    def items(self):
        return list(self._entries.items())
