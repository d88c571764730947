"""bakegen: docker-bake.hcl and shared-base Dockerfiles for polyglot monorepos."""

__version__ = "0.1.0"
