from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    """Joining a circle: the checklist computed from what happened, each step, the private
    questions, relationship screening, and the gate that clears a member to take part.
    It sits above circles, agreements and consent, whose steps it gathers, and answers
    their hooks (activation after the last step)."""

    name = "circlekeep.onboarding"
    label = "onboarding"
    verbose_name = "Onboarding"

    def ready(self):
        from circlekeep.agreements.hooks import MEMBER_SIGNED
        from circlekeep.circles.hooks import (
            CHECK_READY_TO_ACTIVATE,
            ONBOARDING_FUNNEL,
            ROSTER_PROGRESS,
        )
        from circlekeep.consent.hooks import CONSENT_GIVEN
        from circlekeep.onboarding import checks  # noqa: F401 - registers the check
        from circlekeep.onboarding.actions import activate_if_ready, activate_ready_memberships
        from circlekeep.onboarding.charts import onboarding_funnel
        from circlekeep.onboarding.progress import check_ready_to_activate, progress_for
        from circlekeep.onboarding.relationships import refresh_pair_digests
        from circlekeep.vault.hooks import CIRCLE_KEY_ROTATED

        MEMBER_SIGNED.register(activate_if_ready)
        CONSENT_GIVEN.register(activate_ready_memberships)
        CHECK_READY_TO_ACTIVATE.register(check_ready_to_activate)
        ROSTER_PROGRESS.register(progress_for)
        ONBOARDING_FUNNEL.register(onboarding_funnel)
        CIRCLE_KEY_ROTATED.register(refresh_pair_digests)
