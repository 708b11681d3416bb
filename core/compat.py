"""The one place where numpy, scipy and GDAL differ between the stacks the plugin runs on.

Debian 12 / QGIS 3.22: numpy 1.24, scipy 1.10, GDAL 3.6. Debian 13 / QGIS 3.40-3.44: numpy 2.2,
scipy 1.15, GDAL 3.10. Code elsewhere calls these names instead of testing versions itself.
"""
from scipy import special


def beta_cdf(a, b, x):
    """The regularized incomplete beta I_x(a, b), the CDF of Beta(a, b) at x.

    scipy.special.btdtr, which the first versions used, was removed in scipy 1.14; betainc is the
    same function under the name every scipy version has.
    """
    return special.betainc(a, b, x)

