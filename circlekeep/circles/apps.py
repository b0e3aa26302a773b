from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "circlekeep.circles"
    label = "circles"
    verbose_name = "Circles"

    def ready(self):
        from circlekeep.audit.hooks import ROLE_LABEL
        from circlekeep.circles import checks  # noqa: F401 - registers the check
        from circlekeep.circles.access import role_label
        from circlekeep.circles.relationships import refresh_pair_digests
        from circlekeep.vault.hooks import CIRCLE_KEY_ROTATED

        ROLE_LABEL.register(role_label)
        CIRCLE_KEY_ROTATED.register(refresh_pair_digests)
