"""Sign-in by e-mail address, case-insensitively, and the per-request user load."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef, Value

from circlekeep.accounts.hooks import USER_FLAGS
from circlekeep.accounts.models import Guardianship, User
from circlekeep.lib.prepared import PreparedQuery

FLAGS = ("flag_staff", "flag_member_2fa", "flag_guardian")


def user_with_flags():
    """Users annotated with what every page needs to know about them, in one query:
    whether they hold a staff role, whether an organization of theirs requires members to
    use two-step sign-in (both answered by the apps that know, accounts/hooks.py), and
    whether they are someone's guardian."""
    flags = dict(USER_FLAGS.items())
    flags["flag_guardian"] = lambda ref: Exists(Guardianship.objects.filter(guardian=ref))
    return User.objects.annotate(**{name: (flags[name](OuterRef("pk")) if name in flags
                                           else Value(False)) for name in FLAGS})


# Every signed-in request runs this; compile it once.
USER_WITH_FLAGS = PreparedQuery(lambda pk: user_with_flags().filter(pk=pk))


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        try:
            user = User.objects.get(email__iexact=username.strip())
        except User.DoesNotExist:
            # Spend the same time as a real check so timing does not reveal accounts.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        found = USER_WITH_FLAGS.instances(user_id)
        user = found[0] if found else None
        if user is not None:
            # SQLite answers EXISTS with 0 or 1.
            user.flag_staff = bool(user.flag_staff)
            user.flag_member_2fa = bool(user.flag_member_2fa)
            user.flag_guardian = bool(user.flag_guardian)
        return user if user is not None and self.user_can_authenticate(user) else None
