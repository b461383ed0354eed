"""Sending what the outbox holds (`console.store.outbox`): SMTP and Apprise transports and
the sender that claims, sends and records each message. Used by `switchboard pager`; the
mail replies and the portal's password resets queue rows for it too."""
