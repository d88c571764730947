"""The scan stage, across ecosystems: one file index, every ecosystem run over it, then the
common rules, each in a module of its own.

- `repository`: the stage itself (`scan_tree`, `scan_repository`) and the rules that
  cross ecosystems (names, skipped folders, credentials);
- `scope`: which projects are packages (workspace members, standalone ones with evidence);
- `evidence`: services the repository declares (compose `build:` entries, Dockerfiles);
- `services`: heuristic service candidates that are not services;
- `lockcheck`: lockfiles a base installs from, readable and listing every member.
"""
