from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "circlekeep.orgs"
    label = "orgs"
    verbose_name = "Organizations"

    def ready(self):
        from circlekeep.accounts.hooks import INVITATION_KINDS, USER_FLAGS
        from circlekeep.orgs.invitations import StaffInvitation, staff_flag

        INVITATION_KINDS.register("staff", StaffInvitation)
        USER_FLAGS.register("flag_staff", staff_flag)
