"""kinmon: a monitor of how England's National Kinship Care Strategy is being delivered."""

__version__ = "0.1.0"
REPOSITORY_URL = "https://github.com/kinmon/kinmon"
