"""The street, members and commitment texts of the commitments tests, for signed commitments in “Mijn gegevens”."""

from tests.commitments.conftest import member, resident, street, texts

__all__ = ["member", "resident", "street", "texts"]
