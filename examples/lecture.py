"""Every lecture claim, measured over seeds, on one HTML page: ``python -m examples.lecture``.

Runs the experiment functions of the claim scripts (activations, deep_xor, weight_init,
batch_norm, sanity_checks, optimizers, lr_schedules, regularization, search) in worker
processes (``--jobs``, 2 by default: one per core of the machines this runs on), each with
one BLAS thread, and writes to the run directory:

- ``lecture.html``: one self-contained page (plots inline as PNG data, no network
  request) with a row per claim: the claim in the lecture's words and its source, the
  setup, the figures as median [min-max] over the seeds, the verdict with the numbers it
  compared (examples/_verdict.py's rule), and the plot;
- ``results.json``: the same, with every seed's figures, and the run's times;
- the plots as PNG files.

It prints one line per claim and the time it took: wall-clock, and CPU (this process and
its workers), since a shared machine stretches the wall-clock time.

Run:  python -m examples.lecture [--smoke] [--seeds 3] [--seed 0] [--jobs 2] [--out DIR]
      [--only KEY,...]   (experiments by name, e.g. activations.speed)
      [--readme examples/README.md]   (a full run: its claims and time into the README)
"""
if __name__ == "__main__":    # a script: one BLAS thread before NumPy loads (_common.as_script)
    import importlib
    __package__ = importlib.import_module(("examples." if __package__ else "") + "_common"
                                          ).as_script(MPLBACKEND="Agg")

import argparse
import base64
import datetime
import html
import importlib
import multiprocessing
import os
import resource
import time
from pathlib import Path

from ._common import run_dir, save_json, write_text
from ._verdict import DOES_NOT_HOLD, HOLDS, UNCLEAR, describe

# (module, function), longest first so that two workers finish together; the page keeps
# the lecture's order: its topics (ORDER), and within a topic the experiments' (PAGE).
EXPERIMENTS = [
    ("activations", "speed"), ("batch_norm", "deep_tanh"), ("search", "compare"),
    ("regularization", "compare"), ("optimizers", "mnist"), ("lr_schedules", "decay"),
    ("activations", "dead_units"), ("optimizers", "adagrad_step"), ("weight_init", "forward"),
    ("deep_xor", "over_seeds"), ("optimizers", "quadratic"), ("activations", "zero_centred"),
    ("sanity_checks", "initial_loss"), ("sanity_checks", "overfit_small"),
    ("sanity_checks", "parameter_count"),
]
PAGE = ["activations.zero_centred", "deep_xor.over_seeds", "activations.speed",
        "activations.dead_units", "weight_init.forward", "batch_norm.deep_tanh",
        "sanity_checks.initial_loss", "sanity_checks.overfit_small",
        "sanity_checks.parameter_count", "optimizers.quadratic", "optimizers.mnist",
        "optimizers.adagrad_step", "lr_schedules.decay", "regularization.compare",
        "search.compare"]
ORDER = ["Activation functions", "Weight initialization", "Batch normalization",
         "Sanity checks", "Optimizers", "Learning-rate schedules", "Regularization",
         "Hyperparameter search"]
RULE = ("Verdict rule (examples/_verdict.py): effect = difference of the medians over seeds "
        "(of logs for step counts and ratios); noise = the larger seed-to-seed range (max - "
        "min). Holds: effect > noise in the claimed direction. Does not hold: the opposite "
        "effect > noise. Unclear: |effect| <= noise.")


def run_one(task):
    """Run one experiment in this (worker) process; returns (name, claims as dicts, wall, cpu).

    Example:
        >>> run_one(("sanity_checks", "parameter_count", [0, 1, 2], True, "/tmp/out"))[0]
        'sanity_checks.parameter_count'
    """
    module, fn, seeds, smoke, out = task
    start, cpu = time.perf_counter(), time.process_time()
    claims = getattr(importlib.import_module(f"examples.{module}"), fn)(
        seeds=seeds, smoke=smoke, out=out)
    return (f"{module}.{fn}", [c.to_dict() for c in claims], time.perf_counter() - start,
            time.process_time() - cpu)


def run_all(experiments, seeds, smoke, out, jobs):
    """Run experiments over ``jobs`` worker processes (in this process with jobs=1).

    Returns ``(claims, per-experiment {"wall", "cpu"} seconds)``.

    Example:
        >>> claims, times = run_all(EXPERIMENTS[:1], [0, 1, 2], True, "/tmp/out", 2)
    """
    tasks = [(m, f, list(seeds), smoke, str(out)) for m, f in experiments]
    if jobs <= 1:
        results = [run_one(t) for t in tasks]
    else:
        ctx = multiprocessing.get_context("spawn")    # fresh workers: BLAS env read anew
        with ctx.Pool(min(jobs, len(tasks)), maxtasksperchild=1) as pool:
            results = pool.map(run_one, tasks, chunksize=1)
    claims, times = [], {}
    for name, found, wall, cpu in results:
        claims += [dict(c, run_by=name) for c in found]
        times[name] = {"wall": wall, "cpu": cpu}
    claims.sort(key=lambda c: (ORDER.index(c["topic"]) if c["topic"] in ORDER else len(ORDER),
                               PAGE.index(c["run_by"]) if c["run_by"] in PAGE else len(PAGE)))
    return claims, times


def _figure_text(value):
    return value if isinstance(value, str) else describe(value)


STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em auto; max-width: 1500px;
       padding: 0 1em; color: #222; line-height: 1.35; }
h1 { font-size: 1.5em; } h2 { border-bottom: 1px solid #ccc; margin-top: 1.5em; }
table.claims { border-collapse: collapse; width: 100%; font-size: .85em; }
table.claims td, table.claims th { border: 1px solid #ddd; padding: .4em; vertical-align: top; }
table.claims th { background: #f3f3f3; text-align: left; }
td.claim { width: 19%; } td.setup { width: 17%; color: #444; } td.figures { width: 22%; }
td.verdict { width: 17%; } td.plot { width: 25%; }
td.plot img { width: 100%; cursor: zoom-in; } td.plot img:focus { width: auto; max-width: 95vw; }
ul.figs { margin: 0; padding-left: 1.1em; } .src { color: #666; font-size: .9em; }
.key { font-family: monospace; color: #555; }
.status { font-weight: bold; padding: .1em .4em; border-radius: .3em; }
.holds { background: #d8f0d8; } .does-not-hold { background: #f6d5d5; }
.unclear { background: #f3ebc8; } .note { color: #555; font-size: .9em; }
"""


def _png_data(path):
    if not path or not Path(path).is_file():
        return ""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img tabindex="0" alt="plot" src="data:image/png;base64,{data}">'


def _row(c):
    status = c["verdict"]["status"]
    figures = "".join(f"<li>{html.escape(k)}: {html.escape(_figure_text(v))}</li>"
                      for k, v in c["figures"].items())
    comparison = (f'<p class="note">Compared: {html.escape(c["comparison"])}</p>'
                  if c["comparison"] else "")
    return (f'<tr id="{html.escape(c["key"])}">'
            f'<td class="claim"><span class="key">{html.escape(c["key"])}</span><br>'
            f'&ldquo;{html.escape(c["words"])}&rdquo;<br><span class="src">'
            f'{html.escape(c["source"])}</span></td>'
            f'<td class="setup">{html.escape(c["setup"])}<br><span class="src">'
            f'{html.escape(c["experiment"])}</span></td>'
            f'<td class="figures"><ul class="figs">{figures}</ul></td>'
            f'<td class="verdict"><span class="status {status.replace(" ", "-")}">'
            f'{html.escape(status)}</span><p>{html.escape(c["verdict"]["text"])}</p>'
            f'{comparison}</td><td class="plot">{_png_data(c["plot"])}</td></tr>')


def write_page(path, claims, seeds, smoke, timing):
    """Write the one-page HTML report (atomically); returns the Path.

    Example:
        >>> write_page("lecture.html", claims, [0, 1, 2], False, {"wall": 500.0, "cpu": 700.0})
    """
    counts = {s: sum(c["verdict"]["status"] == s for c in claims)
              for s in (HOLDS, DOES_NOT_HOLD, UNCLEAR)}
    head = (f"<p>{len(claims)} claims; seeds {seeds}{' (smoke size)' if smoke else ''}; "
            + ", ".join(f'<span class="status {s.replace(" ", "-")}">{n} {s}</span>'
                        for s, n in counts.items())
            + f"; run {datetime.datetime.now():%Y-%m-%d %H:%M}, {timing['wall']:.0f} s "
              f"wall-clock, {timing['cpu']:.0f} s CPU.</p>"
              f'<p class="note">{html.escape(RULE)} Figures: median [min-max] over the seeds '
              "(some cheap experiments run more seeds; deterministic figures show one "
              "number). Click a plot to enlarge it.</p>")
    body = ""
    for topic in ORDER + sorted({c["topic"] for c in claims} - set(ORDER)):
        rows = [c for c in claims if c["topic"] == topic]
        if not rows:
            continue
        body += (f"<h2>{html.escape(topic)}</h2><table class=\"claims\"><thead><tr>"
                 "<th>claim (the lecture's words)</th><th>setup</th><th>figures</th>"
                 "<th>verdict</th><th>plot</th></tr></thead><tbody>"
                 + "".join(_row(c) for c in rows) + "</tbody></table>")
    page = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>The lecture's claims, measured</title>"
            f"<style>{STYLE}</style></head><body><h1>The lecture's claims, measured with "
            f"chainrule</h1>{head}{body}</body></html>\n")
    return write_text(path, page)


def _md(text):
    return text.replace("|", "\\|")


def readme_claims(claims):
    """The claims as the Markdown tables of examples/README.md (a table per topic).

    Example:
        >>> c = {"key": "k", "topic": "Optimizers", "words": "w", "source": "s",
        ...      "experiment": "examples/optimizers.py: mnist()", "comparison": "",
        ...      "verdict": {"status": "unclear", "text": "unclear: a vs b"}}
        >>> print(readme_claims([c]).splitlines()[-1])
        | `k`: w | s | [`optimizers.py`](optimizers.py): `mnist()` | **unclear**: a vs b |
    """
    out = []
    for topic in ORDER + sorted({c["topic"] for c in claims} - set(ORDER)):
        rows = [c for c in claims if c["topic"] == topic]
        if not rows:
            continue
        out += [f"### {topic}", "", "| claim (the lecture's words) | source | experiment | "
                "verdict, with the figures compared |", "|---|---|---|---|"]
        for c in rows:
            path, _, fn = c["experiment"].partition(": ")
            name = Path(path).name
            status, text = c["verdict"]["status"], c["verdict"]["text"]
            text = text[len(status) + 2:] if text.startswith(status + ": ") else text
            compared = f". *Compared:* {_md(c['comparison'])}" if c["comparison"] else ""
            out.append(f"| `{c['key']}`: {_md(c['words'])} | {_md(c['source'])} | "
                       f"[`{name}`]({name}): `{fn}` | **{status}**: {_md(text)}{compared} |")
        out.append("")
    return "\n".join(out)


def write_readme(path, results):
    """Put a full run's claims and run time into the README at ``path`` (its
    ``<!-- claims -->`` section, up to the next ``## `` heading, and the paragraph after
    ``<!-- runtime -->``). Returns the Path.

    Example:
        >>> write_readme("examples/README.md", json.load(open("runs/lecture-x/results.json")))
    """
    path, claims, timing = Path(path), results["claims"], results["timing"]
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("<!-- claims -->\n")
    _, heading, tail = rest.partition("\n## ")
    if not heading:
        raise ValueError(f"lecture: {path} has no '<!-- claims -->' section before a '## ' "
                         "heading")
    text = head + "<!-- claims -->\n" + readme_claims(claims) + "\n" + heading + tail
    seeds = results["seeds"]
    counts = ", ".join(f"{sum(c['verdict']['status'] == s for c in claims)} {s}"
                       for s in (HOLDS, DOES_NOT_HOLD, UNCLEAR))
    runtime = (f"The last full run (seeds {seeds[0]}-{seeds[-1]}, {len(claims)} claims: "
               f"{counts}) took {timing['wall']:.0f} s wall-clock and {timing['cpu']:.0f} s "
               f"of CPU with {timing['jobs']} workers on a {os.cpu_count()}-core machine "
               f"(load average {os.getloadavg()[0]:.1f} when it ended).")
    head, marker, rest = text.partition("<!-- runtime -->\n")
    if marker and "\n\n" in rest:               # the old paragraph ends at a blank line
        text = head + marker + runtime + rest[rest.index("\n\n"):]
    return write_text(path, text)


def main(smoke=False, seeds=(0, 1, 2), out_dir=None, jobs=2, only=None):
    """Run the claims, write lecture.html and results.json; returns the results dict.

    Example:
        >>> res = main(smoke=True, out_dir="/tmp/lecture")
        >>> res["claims"][0]["verdict"]["status"]
    """
    out = run_dir("lecture", out_dir)
    experiments = [e for e in EXPERIMENTS if not only or ".".join(e) in only]
    unknown = set(only or ()) - {".".join(e) for e in EXPERIMENTS}
    if unknown:
        raise ValueError(f"lecture: unknown experiments {sorted(unknown)}; choose from "
                         f"{['.'.join(e) for e in EXPERIMENTS]}")
    start = time.perf_counter()
    cpu0 = time.process_time()
    claims, times = run_all(experiments, seeds, smoke, out, jobs)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    timing = {"wall": time.perf_counter() - start,
              "cpu": time.process_time() - cpu0 + children.ru_utime + children.ru_stime,
              "jobs": jobs, "experiments": times}
    page = write_page(out / "lecture.html", claims, list(seeds), smoke, timing)
    results = {"seeds": list(seeds), "smoke": smoke, "timing": timing, "claims": claims,
               "page": str(page)}
    save_json(results, out / "results.json")
    width = max(len(c["key"]) for c in claims)
    for c in claims:
        print(f"{c['key']:<{width}}  {c['verdict']['status']:<13}  {c['verdict']['text']}")
    print(f"\n{len(claims)} claims: "
          + ", ".join(f"{sum(c['verdict']['status'] == s for c in claims)} {s}"
                      for s in (HOLDS, DOES_NOT_HOLD, UNCLEAR)))
    print(f"time: {timing['wall']:.0f} s wall-clock, {timing['cpu']:.0f} s CPU "
          f"({jobs} worker{'s' if jobs > 1 else ''})")
    print(f"page: {page}")
    return results


def cli():
    """The command line (see the module docstring).

    Example:
        >>> cli()      # python -m examples.lecture --smoke
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="the reduced size the tests run")
    parser.add_argument("--seeds", type=int, default=3, help="how many seeds (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="the first seed (default 0)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--out", default=None, help="output directory "
                                                    "(default runs/lecture-<time>)")
    parser.add_argument("--only", default=None,
                        help="comma-separated experiments, e.g. activations.speed")
    parser.add_argument("--readme", default=None, metavar="PATH",
                        help="also write the claims into this README (examples/README.md); "
                             "only for a full run of every experiment")
    args = parser.parse_args()
    if args.seeds < 1 or args.jobs < 1:
        parser.error("--seeds and --jobs must be >= 1")
    if args.readme and (args.smoke or args.only):
        parser.error("--readme records a full run: drop --smoke and --only")
    results = main(smoke=args.smoke, seeds=list(range(args.seed, args.seed + args.seeds)),
                out_dir=args.out, jobs=args.jobs,
                only=args.only.split(",") if args.only else None)
    if args.readme:
        print(f"claims written to {write_readme(args.readme, results)}")
    return results


if __name__ == "__main__":
    cli()
