"""Every activation's one definition. Importing this package fills the registry."""

# Order matters only for the gated units, which read their gates from the registry.
from . import rectifiers, sigmoidal, smooth, piecewise, vector, gated  # noqa: F401,I001
