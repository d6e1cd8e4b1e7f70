"""The inverse of the standard normal CDF, `scipy.special.ndtri` to the last bit, on NumPy arrays.

Importing scipy.special takes a quarter of a second, in every worker process, and the simulator
needs only this one function of it. This is the algorithm scipy runs (Cephes `ndtri`, S. L.
Moshier; scipy's `xsf/cephes/ndtri.h`), with its constants and the same floating-point
operations in the same order: additions, multiplications, divisions and square roots are
correctly rounded in NumPy as in C, and logarithms are taken by the C library's `log`, as
Cephes takes them (through Python's `math.log`: NumPy's own vectorised `log` may differ in the
last bit on some processors). tests/test_normal.py holds it equal to scipy's on every kind of
draw the simulator makes, the tails included.
"""

from __future__ import annotations

import math

import numpy as np

S2PI = 2.50662827463100050242e0  # sqrt(2 pi)
EXP_M2 = 0.13533528323661269189  # exp(-2): below it (and above 1 - it) the tail approximations
# |y - 0.5| <= 3/8
P0 = (-5.99633501014107895267e1, 9.80010754185999661536e1, -5.66762857469070293439e1,
      1.39312609387279679503e1, -1.23916583867381258016e0)
Q0 = (1.95448858338141759834e0, 4.67627912898881538453e0, 8.63602421390890590575e1,
      -2.25462687854119370527e2, 2.00260212380060660359e2, -8.20372256168333339912e1,
      1.59056225126211695515e1, -1.18331621121330003142e0)
# z = sqrt(-2 log y) from 2 to 8: y from exp(-2) down to exp(-32)
P1 = (4.05544892305962419923e0, 3.15251094599893866154e1, 5.71628192246421288162e1,
      4.40805073893200834700e1, 1.46849561928858024014e1, 2.18663306850790267539e0,
      -1.40256079171354495875e-1, -3.50424626827848203418e-2, -8.57456785154685413611e-4)
Q1 = (1.57799883256466749731e1, 4.53907635128879210584e1, 4.13172038254672030440e1,
      1.50425385692907503408e1, 2.50464946208309415979e0, -1.42182922854787788574e-1,
      -3.80806407691578277194e-2, -9.33259480895457427372e-4)
# z from 8 to 64: y below exp(-32)
P2 = (3.23774891776946035970e0, 6.91522889068984211695e0, 3.93881025292474443415e0,
      1.33303460815807542389e0, 2.01485389549179081538e-1, 1.23716634817820021358e-2,
      3.01581553508235416007e-4, 2.65806974686737550832e-6, 6.23974539184983293730e-9)
Q2 = (6.02427039364742014255e0, 3.67983563856160859403e0, 1.37702099489081330271e0,
      2.16236993594496635890e-1, 1.34204006088543189037e-2, 3.28014464682127739104e-4,
      2.89247864745380683936e-6, 6.79019408009981274425e-9)


def ndtri(y) -> np.ndarray:
    """The x with Phi(x) = y, for each y in [0, 1] (-inf at 0, inf at 1, nan outside), as float64."""
    y = np.asarray(y, dtype=np.float64)
    shape, y = y.shape, y.ravel()
    x = np.full(y.shape, np.nan)
    x[y == 0.0], x[y == 1.0] = -np.inf, np.inf
    inside = (y > 0.0) & (y < 1.0)
    upper = inside & (y > 1.0 - EXP_M2)
    small = np.where(upper, 1.0 - y, y)  # the upper tail by symmetry, as Cephes
    central = inside & (small > EXP_M2)
    w = small[central] - 0.5
    w2 = w * w
    x[central] = (w + w * (w2 * _polevl(w2, P0) / _p1evl(w2, Q0))) * S2PI
    tail = np.flatnonzero(inside & ~central)
    t = _tail(small[tail])
    x[tail] = np.where(upper[tail], t, -t)
    return x.reshape(shape)


def _tail(y: np.ndarray) -> np.ndarray:
    """-ndtri(y) for 0 < y <= exp(-2)."""
    x = np.sqrt(-2.0 * _log(y))
    x0 = x - _log(x) / x
    z = 1.0 / x
    near = x < 8.0  # y above exp(-32)
    x1 = np.where(near, z * _polevl(z, P1) / _p1evl(z, Q1), z * _polevl(z, P2) / _p1evl(z, Q2))
    return x0 - x1


def _log(values: np.ndarray) -> np.ndarray:
    return np.fromiter(map(math.log, values.tolist()), dtype=np.float64, count=len(values))


def _polevl(x: np.ndarray, coefficients: tuple[float, ...]) -> np.ndarray:
    """Cephes polevl: the polynomial by Horner's rule, highest power first."""
    result = np.full(x.shape, coefficients[0])
    for c in coefficients[1:]:
        result = result * x + c
    return result


def _p1evl(x: np.ndarray, coefficients: tuple[float, ...]) -> np.ndarray:
    """Cephes p1evl: polevl with a leading coefficient of 1 left out."""
    result = x + coefficients[0]
    for c in coefficients[1:]:
        result = result * x + c
    return result
