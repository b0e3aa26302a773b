"""Who must use two-step sign-in."""


def _flags(user):
    if not hasattr(user, "flag_staff"):
        from circlekeep.accounts.backends import user_with_flags

        fresh = user_with_flags().get(pk=user.pk)
        user.flag_staff, user.flag_member_2fa = fresh.flag_staff, fresh.flag_member_2fa
    return bool(user.flag_staff), bool(user.flag_member_2fa)


def two_factor_required(user) -> bool:
    """True for staff, who see nothing until they have passed two-step sign-in.

    A member whose organization requires it is not held back everywhere: that
    organization's circles stay closed to a session that has not passed it
    (``orgs.access.locked_organizations``), and every other organization's stay as they
    are. Read from the flags the per-request user load annotates; otherwise one query.
    """
    return _flags(user)[0]


def two_factor_expected(user) -> bool:
    """True for staff and for members of an organization that requires it: their two-step
    sign-in may not be turned off, since that would lock them out of those circles."""
    staff, member_2fa = _flags(user)
    return staff or member_2fa
