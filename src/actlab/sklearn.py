"""scikit-learn estimators with any actlab activation (``pip install 'actlab[sklearn]'``).

>>> from sklearn.model_selection import GridSearchCV
>>> from actlab.sklearn import MLPClassifier
>>> search = GridSearchCV(MLPClassifier(), {"activation": ["relu", "gelu", "mish"]})

See :mod:`actlab.interop.sklearn_mlp` for the parameters and what is not offered.
"""

from .interop.sklearn_mlp import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
