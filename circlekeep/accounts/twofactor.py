"""Who must use two-step sign-in."""


def two_factor_required(user) -> bool:
    """True for staff, and for members of an organization whose policy requires it.

    Read from the flags the per-request user load annotates; otherwise one query.
    """
    if not hasattr(user, "flag_staff"):
        from circlekeep.accounts.backends import user_with_flags

        fresh = user_with_flags().get(pk=user.pk)
        user.flag_staff, user.flag_member_2fa = fresh.flag_staff, fresh.flag_member_2fa
    return bool(user.flag_staff or user.flag_member_2fa)
