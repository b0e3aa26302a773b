from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "circlekeep.consent"
    label = "consent"
    verbose_name = "Informed consent"

    def ready(self):
        from circlekeep.consent.actions import ensure_consent_document
        from circlekeep.orgs.hooks import JURISDICTION_CHANGED, ORGANIZATION_CREATED

        ORGANIZATION_CREATED.register(ensure_consent_document)
        JURISDICTION_CHANGED.register(ensure_consent_document)
