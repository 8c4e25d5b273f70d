"""What accounts announce to the apps built on them. accounts knows nothing of
forum: forum, which owns the comments, listens (forum/signals.py)."""

from django.dispatch import Signal

# Sent by accounts.services.save_profile inside its transaction, with `person`
# (saved) and `old_handle`, when a display name or handle has changed.
person_renamed = Signal()

# Sent by accounts.services.save_profile inside its transaction, with `person`
# (saved), when how the report may quote them has changed.
quoting_consent_changed = Signal()
