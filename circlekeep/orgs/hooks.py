"""What the orgs app asks of the apps above it (see circlekeep/lib/hooks.py)."""

from circlekeep.lib.hooks import Hook

# Called with (organization, actor=...) when an organization is created: the apps that own
# its starting documents (the consent text, the agreement template) seed them.
ORGANIZATION_CREATED = Hook("orgs.organization_created")

# Called with (organization, actor=...) after its country or region changed: consent
# documents follow the jurisdiction.
JURISDICTION_CHANGED = Hook("orgs.jurisdiction_changed")

# Called with a StaffRole about to lose the right to facilitate (removed, or made an
# auditor): raise DomainError if the person still leads or co-leads a circle.
STAFF_STOPS_FACILITATING = Hook("orgs.staff_stops_facilitating")
