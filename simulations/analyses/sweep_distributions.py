"""The distributions a sample draws parameters from: how each draws a value and says itself, the
uniform number each draw starts from, and a distribution read from the sweep file's `vary`."""

from __future__ import annotations

import difflib
import hashlib
import math
from statistics import NormalDist

import attrs
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..model.parameters import value_problem
from ..model.schema import Kind
from ..model.values import is_number
from .sweep_words import list_given, name_given, number_text, what_given

Z975 = NormalDist().inv_cdf(0.975)


@attrs.frozen
class Distribution:
    """How a sample draws one parameter: `draw(u)` turns a uniform (0, 1) number into a value."""

    name: str
    args: tuple[float, ...]

    def draw(self, u: float) -> float:
        if self.name == "uniform":
            low, high = self.args
            return low + (high - low) * u
        if self.name == "triangular":  # the inverse of the triangular CDF
            low, mode, high = self.args
            if u < (mode - low) / (high - low):
                return low + math.sqrt(u * (high - low) * (mode - low))
            return high - math.sqrt((1 - u) * (high - low) * (high - mode))
        if self.name == "beta":
            from scipy.special import betaincinv

            return float(betaincinv(self.args[0], self.args[1], u))
        if self.name == "gamma":  # through its mean and standard deviation (method of moments)
            from scipy.special import gammaincinv

            mean, sd = self.args
            return float(sd * sd / mean * gammaincinv((mean / sd) ** 2, u))
        low, high = self.args  # lognormal through its 2.5th and 97.5th centiles
        mu, sigma = (math.log(low) + math.log(high)) / 2, (math.log(high) - math.log(low)) / (2 * Z975)
        return math.exp(mu + sigma * NormalDist().inv_cdf(u))

    def text(self) -> str:
        if self.name == "beta":
            a, b = self.args
            return f"beta({number_text(a)}, {number_text(b)}), mean {number_text(a / (a + b))}"
        if self.name == "gamma":
            return f"gamma, mean {number_text(self.args[0])}, standard deviation {number_text(self.args[1])}"
        if self.name == "lognormal":
            return f"lognormal, 95% between {number_text(self.args[0])} and {number_text(self.args[1])}"
        if self.name == "triangular":
            low, mode, high = self.args
            return f"triangular from {number_text(low)} to {number_text(high)}, most likely {number_text(mode)}"
        return f"uniform from {number_text(self.args[0])} to {number_text(self.args[1])}"


DISTRIBUTIONS = {  # name -> (arguments, what they are)
    "uniform": (2, "[low, high]"),
    "triangular": (3, "[low, most likely, high]"),
    "beta": (2, "[a, b], a probability with mean a / (a + b)"),
    "lognormal": (2, "[low, high], the 2.5th and 97.5th centiles of a value above 0"),
    "gamma": (2, "[mean, standard deviation] of a value above 0, e.g. a cost"),
}
BOUNDED = (Kind.PROBABILITY, Kind.UTILITY)  # at most 1: beta, not lognormal nor gamma
DISTRIBUTIONS_SAID = ", ".join(f"{{{name}: {args}}}" for name, (_, args) in DISTRIBUTIONS.items())


def sample_uniform(sample_seed: int, number: int, name: str) -> float:
    """A uniform (0, 1) number that depends only on the sample seed, the set and the parameter."""
    digest = hashlib.sha256(f"sciatica-sweep:{sample_seed}:{number}:{name}".encode()).digest()
    return ((int.from_bytes(digest[:8], "big") >> 11) + 0.5) * 2.0**-53


# -- read from `vary` ------------------------------------------------------------------------------

def read_distribution(name: str, kind: Kind, value) -> Distribution | list[str]:
    """`vary`'s entry for one parameter of a sample as a Distribution, or the problems with it."""
    form = _form(value)
    if isinstance(form, str):
        return [f"in `vary`, `{name}` {form}"]
    dist, args = form
    problems = _argument_problems(name, kind, dist, args)
    return problems or Distribution(dist, args)


def _form(value) -> tuple[str, tuple[float, ...]] | str:
    """One known distribution with as many numbers as it takes, or what is wrong with the entry."""
    if not isinstance(value, CommentedMap) or len(value) != 1:
        extra = "; a list of values is for kind: grid" if isinstance(value, CommentedSeq) else ""
        return f"is {what_given(value)}; a sample takes one distribution to draw from: {DISTRIBUTIONS_SAID}{extra}"
    (dist, args), = value.items()
    if dist not in DISTRIBUTIONS:
        close = difflib.get_close_matches(str(dist), list(DISTRIBUTIONS), n=1)
        return (f"has unknown distribution {name_given(dist)}" + (f"; did you mean `{close[0]}`?" if close else "")
                + f"; allowed: {DISTRIBUTIONS_SAID}")
    count, said = DISTRIBUTIONS[dist]
    if not isinstance(args, CommentedSeq) or len(args) != count or not all(is_number(a) for a in args):
        return f"has {dist} {list_given(args)}; {dist} takes {count} numbers: {said}"
    return dist, tuple(float(a) for a in args)


def _argument_problems(name: str, kind: Kind, dist: str, args: tuple[float, ...]) -> list[str]:
    """What is wrong with a distribution's numbers for this parameter (nothing: it can be drawn)."""
    said = f"in `vary`, `{name}` "
    if dist == "beta":
        if kind not in BOUNDED:
            return [said + f"is {kind.value}, not a probability or utility, so it cannot be drawn from beta (values "
                    "from 0 to 1); allowed: uniform, triangular, lognormal or gamma"]
        return [said + f"has beta {list_given(args)}; a and b must both be more than 0"] if min(args) <= 0 else []
    if dist in ("lognormal", "gamma") and kind in BOUNDED:
        return [said + f"is a {kind.value}, which a {dist} can push above 1; allowed for a {kind.value}: "
                "uniform, triangular or beta"]
    if dist == "gamma":
        return [] if min(args) > 0 else [said + f"has gamma {list_given(args)}; the mean and the standard "
                                                 "deviation must both be above 0"]
    if dist == "lognormal":
        if not 0 < args[0] < args[1]:
            return [said + f"has lognormal {list_given(args)}; the 2.5th and 97.5th centiles must be above 0, low "
                    "below high"]
        return []
    messages = [m for m in (value_problem(name, a) for a in args) if m is not None]
    if messages:  # uniform and triangular draw within their ends: those must be allowed values
        return [f"in `vary`, {dist} {list_given(args)}: {message}" for message in dict.fromkeys(messages)]
    if not args[0] < args[-1]:
        return [said + f"has {dist} {list_given(args)}; low must be below high"]
    if dist == "triangular" and not args[0] <= args[1] <= args[2]:
        return [said + f"has triangular {list_given(args)}; the most likely value must lie from low to high"]
    return []
