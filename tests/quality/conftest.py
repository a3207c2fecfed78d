from tests.collaboration.conftest import World, settings_overrides, world  # noqa: F401  (the same world)
