"""The framework-free core: feasibility model, coalition, ranking, hash chain, addresses, codes.

Standard library only (enforced by ``portal/domain/ruff.toml`` and ``tests/test_architecture.py``).
No I/O, no clock, no randomness of its own: callers pass ``today``, random sources and parameters in.
"""
