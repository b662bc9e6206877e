"""A lecture claim as the experiments report it, and the command line of the claim scripts.

Each experiment function (``activations.speed``, ``batch_norm.train_deep_tanh``, ...) takes
``(seeds, smoke, out)`` and returns a list of ``Claim``: the claim in the lecture's words,
its source, the setup, the measured figures (one value per seed), the verdict (examples/
_verdict.py's rule) and the plot it saved. ``examples/lecture.py`` gathers every claim into
one HTML page; each script prints its own.

Example:
    >>> c = Claim("init-loss", "Sanity checks", "loss ~ ln C at initialization", "CS231n",
    ...           "examples/sanity_checks.py: initial_loss()", "784-50-10", {"loss": [2.30, 2.31]},
    ...           within([2.30, 2.31], 2.3026, 0.1))
    >>> print(c.text().splitlines()[0])
    [init-loss] loss ~ ln C at initialization
"""
import argparse
import math
import time
from dataclasses import dataclass, field

from ._common import run_dir, save_json
from ._verdict import describe

__all__ = ["Claim", "DEFAULT_SEEDS", "print_claims", "run_experiments", "claim_cli"]

DEFAULT_SEEDS = (0, 1, 2)


@dataclass
class Claim:
    """One claim: what the lecture says, how it was measured, the figures and the verdict.

    ``figures``: label -> per-seed values (a list, None = not reached) or a text.
    ``comparison``: which comparison the verdict uses (e.g. "each at its tuned lr").

    Example:
        >>> claim.verdict.status
        'holds'
    """
    key: str
    topic: str
    words: str
    source: str
    experiment: str
    setup: str
    figures: dict
    verdict: object
    comparison: str = ""
    plot: str = None
    extra: dict = field(default_factory=dict)

    def figure_lines(self):
        """Each figure as "label: median [min-max]" (texts as they are).

        Example:
            >>> claim.figure_lines()[0]
            'initial loss: 2.303 [2.301-2.306]'
        """
        return [f"{label}: {value if isinstance(value, str) else describe(value)}"
                for label, value in self.figures.items()]

    def text(self):
        """The claim, its figures and verdict as plain text, as the scripts print them.

        Example:
            >>> print(claim.text())
        """
        lines = [f"[{self.key}] {self.words}", f"  source: {self.source}",
                 f"  setup: {self.setup}"]
        lines += [f"  {line}" for line in self.figure_lines()]
        if self.comparison:
            lines.append(f"  verdict uses: {self.comparison}")
        lines.append(f"  => {self.verdict.text}")
        return "\n".join(lines)

    def to_dict(self):
        """The claim as JSON-ready data (the per-seed values kept, inf as None).

        Example:
            >>> claim.to_dict()["verdict"]["status"]
            'holds'
        """
        def clean(v):
            if isinstance(v, float) and not math.isfinite(v):
                return None
            if isinstance(v, (list, tuple)):
                return [clean(x) for x in v]
            if isinstance(v, dict):
                return {str(k): clean(x) for k, x in v.items()}
            return v
        return {"key": self.key, "topic": self.topic, "words": self.words,
                "source": self.source, "experiment": self.experiment, "setup": self.setup,
                "figures": clean(self.figures), "verdict": self.verdict.to_dict(),
                "comparison": self.comparison, "plot": self.plot, "extra": clean(self.extra)}


def print_claims(claims):
    """Print each claim's text, a blank line between claims.

    Example:
        >>> print_claims(speed(seeds=[0, 1, 2]))
    """
    for c in claims:
        print(c.text() + "\n")


def run_experiments(experiments, seeds, smoke, out):
    """Run experiment functions, returning (claims, seconds per experiment).

    Example:
        >>> claims, times = run_experiments([speed], [0, 1, 2], False, out)
    """
    claims, times = [], {}
    for fn in experiments:
        start = time.perf_counter()
        claims += fn(seeds=list(seeds), smoke=smoke, out=out)
        times[fn.__name__] = time.perf_counter() - start
    return claims, times


def claim_cli(name, experiments, doc):
    """The command line of a claim script: ``--smoke``, ``--seeds N``, ``--seed S``, ``--out``.

    Runs the experiments over seeds S..S+N-1, prints every claim and writes
    ``results.json`` (and the plots) to the run directory; returns the claims.

    Example:
        >>> if __name__ == "__main__":
        ...     claim_cli("activations", EXPERIMENTS, __doc__)
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="the reduced size the tests run")
    parser.add_argument("--seeds", type=int, default=len(DEFAULT_SEEDS),
                        help="how many seeds (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="the first seed (default 0)")
    parser.add_argument("--out", default=None, help=f"output directory (default "
                                                    f"runs/{name}-<time>)")
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error("--seeds must be >= 1")
    out = run_dir(name, args.out)
    seeds = list(range(args.seed, args.seed + args.seeds))
    claims, times = run_experiments(experiments, seeds, args.smoke, out)
    print_claims(claims)
    save_json({"seeds": seeds, "smoke": args.smoke, "seconds": times,
               "claims": [c.to_dict() for c in claims]}, out / "results.json")
    print(f"plots and results.json in {out}")
    return claims
