"""Commitments (toezeggingen): texts, signing on a phone, receipts, verification, the event log (SPEC §6)."""
