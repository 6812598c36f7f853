"""How allauth names a person in its messages and pages (ACCOUNT_USER_DISPLAY)."""


def user_display(user) -> str:
    """Their name, or their address when they have none yet."""
    return user.get_full_name() or user.email
