"""What tests in more than one folder share: plain classes and functions imported from here, and
fixtures registered for the whole suite by `pytest_plugins` in tests/conftest.py (sync, admin,
figures). A test module or a conftest is never imported by another test."""
