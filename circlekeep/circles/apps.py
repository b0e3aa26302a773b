from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "circlekeep.circles"
    label = "circles"
    verbose_name = "Circles"

    def ready(self):
        from circlekeep.circles import checks  # noqa: F401 - registers the check
        from circlekeep.circles.relationships import refresh_pair_digests
        from circlekeep.vault.actions import CIRCLE_KEY_ROTATED

        if refresh_pair_digests not in CIRCLE_KEY_ROTATED:
            CIRCLE_KEY_ROTATED.append(refresh_pair_digests)
