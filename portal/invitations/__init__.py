"""Invitations: flyers with a household code and QR per address, street posters, invite links."""
