"""Warn while older relationship declarations still name someone in clear."""

from django.core.checks import Warning, register
from django.db import DatabaseError


@register("circles")
def check_declarations_sealed(app_configs=None, **kwargs):
    from circlekeep.circles.models import RelationshipDeclaration

    try:
        legacy = RelationshipDeclaration.objects.exclude(other=None).exists()
    except DatabaseError:
        return []  # not migrated yet
    if not legacy:
        return []
    return [Warning("Some relationship declarations still store whom they name in clear.",
                    hint="Run `manage.py onboarding seal-declarations` once.",
                    id="circles.W001")]
