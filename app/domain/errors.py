class DomainError(ValueError):
    """A rule the user broke: shown to them, never a 500. The message is either a msgid
    (translated where it is shown) or already in the user's language."""
