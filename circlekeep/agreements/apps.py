from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "circlekeep.agreements"
    label = "agreements"
    verbose_name = "Agreements"

    def ready(self):
        from circlekeep.agreements.actions import ensure_template, start_agreement
        from circlekeep.circles.hooks import CIRCLE_CREATED
        from circlekeep.orgs.hooks import ORGANIZATION_CREATED

        ORGANIZATION_CREATED.register(lambda organization, actor: ensure_template(organization))
        CIRCLE_CREATED.register(start_agreement)
