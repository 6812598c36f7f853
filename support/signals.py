"""What support announces to the app above it (docs/architecture.md, "What is still upside
down", item 3): support does not import substitution; substitution connects its receivers in
`SubstitutionConfig.ready()` (substitution/receivers.py)."""

from django.dispatch import Signal

# Sent by `ticket_confirm_technical_impossibility` INSIDE its transaction, not on commit: the
# ticket must hold the substitution case in the same row update as the acknowledgement (the
# check constraint `ticket_acknowledgement_with_case`), and a case that cannot open must roll
# the whole confirmation back (arrêté of 1 August 2023: the written acknowledgement always comes
# with another way to file). A receiver opens the case and returns it; kwargs: ticket, person,
# contact_name, contact_email, contact_phone, foreigner_number, prefecture, summary, opened_by,
# acknowledgement.
technical_impossibility_confirmed = Signal()
