"""Simulated SLC pairs and the theory of the sample coherence, for the coherence tests.

Nothing here imports the plugin: the expectations are computed independently of core/.
"""
import math

import numpy as np
from scipy import integrate, special

ORIGIN = (500000.0, 4300000.0)
EPSG = "EPSG:32647"


def slc_pair(gamma, shape, rng, power1=1.0, power2=1.0):
    """Circular-Gaussian SLCs with true coherence `gamma` (scalar or per pixel), zero phase.

    s1 = z1, s2 = gamma*z1 + sqrt(1-gamma^2)*z2 with z ~ CN(0, 1), scaled by sqrt(power).
    """
    g = np.broadcast_to(np.asarray(gamma, float), shape)
    z1 = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / math.sqrt(2)
    z2 = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / math.sqrt(2)
    s1 = z1 * math.sqrt(power1)
    s2 = (g * z1 + np.sqrt(1 - g ** 2) * z2) * math.sqrt(power2)
    return s1.astype(np.complex64), s2.astype(np.complex64)


def _log_pdf(d, g, L):
    """log of the pdf of the sample coherence magnitude d (Touzi et al. 1999; Bamler & Hartl 1998):

    p(d) = 2(L-1) (1-g^2)^L d (1-d^2)^(L-2) 2F1(L, L; 1; g^2 d^2), with Euler's transformation
    2F1(L, L; 1; z) = (1-z)^(1-2L) sum_k C(L-1, k)^2 z^k (a polynomial: stable for any L).
    """
    z = g * g * d * d
    k = np.arange(L)
    log_binom = special.gammaln(L) - special.gammaln(k + 1) - special.gammaln(L - k)
    with np.errstate(divide="ignore"):
        terms = 2 * log_binom + k * math.log(z) if z > 0 else np.where(k == 0, 0.0, -np.inf)
    log_poly = special.logsumexp(terms)
    return (math.log(2 * (L - 1)) + L * math.log1p(-g * g) + math.log(d)
            + (L - 2) * math.log1p(-d * d) + (1 - 2 * L) * math.log1p(-z) + log_poly)


def coherence_pdf(d, g, L):
    return math.exp(_log_pdf(d, g, L)) if 0 < d < 1 else 0.0


def touzi_mean_integral(g, L):
    """E|gamma_hat| for true coherence g and L independent looks, by integrating the pdf."""
    val, _ = integrate.quad(lambda d: d * coherence_pdf(d, g, L), 0, 1, limit=200,
                            epsabs=1e-12, epsrel=1e-10)
    return val


def touzi_mean_series(g, L, terms=20000):
    """The closed form Gamma(L)Gamma(3/2)/Gamma(L+1/2) 3F2(3/2, L, L; L+1/2, 1; g^2) (1-g^2)^L,
    with the 3F2 summed as a series in logs."""
    z = g * g
    k = np.arange(terms)
    if z == 0:
        log_s = 0.0
    else:
        lt = (special.gammaln(1.5 + k) - special.gammaln(1.5) + 2 * (special.gammaln(L + k) - special.gammaln(L))
              - (special.gammaln(L + 0.5 + k) - special.gammaln(L + 0.5)) - 2 * special.gammaln(k + 1)
              + k * math.log(z))
        log_s = special.logsumexp(lt)
    return math.exp(special.gammaln(L) + special.gammaln(1.5) - special.gammaln(L + 0.5)
                    + log_s + L * math.log1p(-z))


def write_raster(path, array, pixel, origin=ORIGIN, epsg=EPSG, nodata=None, dtype=None):
    """Write a north-up GeoTIFF (complex arrays as CFloat32 unless dtype says otherwise)."""
    from osgeo import gdal
    from tiff import write_tiff
    if dtype is None:
        dtype = gdal.GDT_CFloat32 if np.iscomplexobj(array) else gdal.GDT_Float32
    return write_tiff(path, array, (origin[0], pixel, 0, origin[1], 0, -pixel), epsg, nodata, dtype)


def read_raster(path):
    from osgeo import gdal
    ds = gdal.Open(str(path))
    return ds.GetRasterBand(1).ReadAsArray().astype(float)


def parcel_ndvi(shape, rng, parcel=(10, 25), low=0.12, high=0.85, spread=0.2, noise=0.02):
    """NDVI of a desert-to-farmland gradient (low -> high across the columns, with a diagonal
    tilt) made of rectangular fields (side in pixels drawn from `parcel`) that scatter around
    it by +-spread, plus pixel noise."""
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]]
    trend = low + (high - low) * (0.8 * xx / shape[1] + 0.2 * yy / shape[0])
    ndvi = np.empty(shape)
    r = 0
    while r < shape[0]:
        h = int(rng.integers(parcel[0], parcel[1] + 1))
        c = 0
        while c < shape[1]:
            w = int(rng.integers(parcel[0], parcel[1] + 1))
            ndvi[r:r + h, c:c + w] = rng.uniform(-spread, spread)
            c += w
        r += h
    return np.clip(trend + ndvi + rng.normal(0, noise, shape), -0.2, 0.95)


def area_average_10_to_25(ndvi10):
    """Exact area-weighted 10 m -> 25 m average: 10 m pixels split into 5 m quarters, 5 x 5 blocks."""
    fine = np.repeat(np.repeat(ndvi10, 2, axis=0), 2, axis=1)
    h, w = fine.shape[0] // 5, fine.shape[1] // 5
    return fine[:h * 5, :w * 5].reshape(h, 5, w, 5).mean(axis=(1, 3))


def planted_law_scene(folder, rng, law=(0.9, -4.0, 0.25), size25=240):
    """NDVI (10 m) and an SLC pair (25 m) whose true coherence is a*exp(b*NDVI_25m) + c."""
    a, b, c = law
    n10 = size25 * 5 // 2
    ndvi10 = parcel_ndvi((n10, n10), rng)
    ndvi25 = area_average_10_to_25(ndvi10)
    gamma = np.clip(a * np.exp(b * ndvi25) + c, 0, 0.999)
    s1, s2 = slc_pair(gamma, gamma.shape, rng, power1=4.0e4, power2=2.5e4)
    paths = {"ndvi": write_raster(folder / "ndvi10.tif", ndvi10.astype(np.float32), 10.0),
             "ref": write_raster(folder / "slc_ref.tif", s1, 25.0),
             "sec": write_raster(folder / "slc_sec.tif", s2, 25.0),
             "true": write_raster(folder / "coherence_true.tif", gamma.astype(np.float32), 25.0)}
    return paths, ndvi25, gamma
