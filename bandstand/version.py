"""bandstand's version, in a module of its own: what reads it (the cache's salt, the CLI) need not
import the whole package."""

__version__ = "0.1.0"
