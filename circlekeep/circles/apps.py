from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "circlekeep.circles"
    label = "circles"
    verbose_name = "Circles"

    def ready(self):
        from circlekeep.accounts.hooks import INVITATION_KINDS, TOKEN_DAY_LIMIT, USER_FLAGS
        from circlekeep.audit.hooks import ROLE_LABEL
        from circlekeep.circles.access import role_label
        from circlekeep.circles.actions import check_not_facilitating
        from circlekeep.circles.invitations import (
            GuardianInvitation,
            MemberInvitation,
            member_two_step_flag,
            token_day_limit,
        )
        from circlekeep.orgs.hooks import STAFF_STOPS_FACILITATING

        ROLE_LABEL.register(role_label)
        INVITATION_KINDS.register("member", MemberInvitation)
        INVITATION_KINDS.register("guardian", GuardianInvitation)
        USER_FLAGS.register("flag_member_2fa", member_two_step_flag)
        TOKEN_DAY_LIMIT.register(token_day_limit)
        STAFF_STOPS_FACILITATING.register(check_not_facilitating)
