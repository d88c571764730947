"""Onboarding: `bakegen init` writes a starting config, `bakegen new` scaffolds a service.

- `init.py`: the commented config from what the scan detects, and config edits;
- `scaffold.py`: `new` as one transaction: validate, write, refresh the lockfile, regenerate;
- `node.py`, `rust.py`, `python.py`: each language's conventions and skeleton templates;
- `names.py`: package name rules of npm, Cargo and PEP 508;
- `register.py`: adding a member to workspace lists, leaving every other byte alone;
- `lock.py`: the command that brings a lockfile up to date after a member was added.
"""
