"""Character-level language model: an LSTM learns to continue Shakespeare, letter by letter.

CS231n's RNN lecture (and Karpathy's char-rnn): read text one character at a
time and predict the next one. The text is the opening of *Coriolanus*
(4,902 characters, 53 distinct), shipped with chainrule as
``nn/data/coriolanus.txt`` (provenance in ``nn/data/coriolanus.md``).

The baseline to beat is the unigram entropy of the text, the loss of the best
model that ignores context (predict each character with its frequency):
H = -sum_c p(c) ln p(c), about 3.19 nats here. A model that uses the
preceding characters must fall well below it. We report the cross entropy
(nats per character) over the whole text with the trained model in eval mode.

Model: Embedding(53, 32) -> LSTM(32, 128, batch_first=True) -> Linear(128, 53),
trained with Adam on random windows of 64 characters (batch 32), the
gradient norm clipped at 5. At the end the model writes a sample, seeded with
"First Citizen:".

Writes ``results.json`` (the entropy, the loss before and after training, the
loss curve, the sample, the time) to the run directory.

Run:  python examples/char_lstm.py [--smoke] [--seed 0] [--out DIR]
"""
if __name__ == "__main__":    # a script: one BLAS thread before NumPy loads (_common.as_script)
    import importlib
    __package__ = importlib.import_module(("examples." if __package__ else "") + "_common"
                                          ).as_script()

import math
import time
from collections import Counter
from pathlib import Path

import numpy as np

import nn
import nn.data
import optim
from autograd import no_grad

from ._common import cli, run_dir, save_json

CONFIGS = {
    "full": dict(steps=400, batch_size=32, seq_len=64, embed=32, hidden=128, lr=1e-2),
    "smoke": dict(steps=150, batch_size=32, seq_len=64, embed=32, hidden=128, lr=1e-2),
}
TEXT = Path(nn.data.__file__).resolve().parent / "coriolanus.txt"


def load_text():
    """The shipped text and its alphabet: (text, sorted list of its characters).

    Example:
        >>> text, chars = load_text(); len(text), len(chars)
        (4902, 53)
    """
    text = TEXT.read_text(encoding="ascii")
    return text, sorted(set(text))


def unigram_entropy(text):
    """-sum_c p(c) ln p(c) over the characters of ``text``, in nats.

    Example:
        >>> round(unigram_entropy("abab"), 4)
        0.6931
    """
    n = len(text)
    return -sum(k / n * math.log(k / n) for k in Counter(text).values())


class CharLSTM(nn.Module):
    """Embedding -> LSTM -> Linear: next-character scores at every position.

    Example:
        >>> model = CharLSTM(53)
        >>> logits, state = model(np.zeros((2, 10), dtype=np.int64))
        >>> logits.shape
        (2, 10, 53)
    """

    def __init__(self, vocab, embed=32, hidden=128):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, ids, state=None):
        """Scores (batch, seq, vocab) and the LSTM's final (h, c)."""
        out, state = self.lstm(self.embed(ids), state)
        return self.head(out), state


def text_loss(model, ids, seq_len=128):
    """Mean cross entropy (nats/char) of predicting ids[1:] from ids[:-1], in chunks of
    ``seq_len`` characters (each chunk starts from a zero state), eval mode, no graph.

    Example:
        >>> text_loss(CharLSTM(53), np.arange(300) % 53)
    """
    model.eval()
    total, count = 0.0, 0
    with no_grad():
        for start in range(0, len(ids) - 1, seq_len):
            x = ids[start:start + seq_len]
            y = ids[start + 1:start + seq_len + 1]
            x = x[:len(y)]
            logits, _ = model(x[None])
            loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y,
                                               reduction="sum")
            total += float(loss.item())
            count += len(y)
    model.train()
    return total / count


def sample(model, chars, prime="First Citizen:", length=200, temperature=0.8, seed=0):
    """Continue ``prime`` for ``length`` characters, drawing each from the model.

    Example:
        >>> print(sample(model, chars, length=50))
    """
    index = {c: i for i, c in enumerate(chars)}
    rng = np.random.default_rng(seed)
    model.eval()
    out = list(prime)
    with no_grad():
        logits, state = model(np.array([[index[c] for c in prime]]))
        for _ in range(length):
            z = logits.data[0, -1].astype(np.float64) / temperature
            p = np.exp(z - z.max())
            nxt = int(rng.choice(len(chars), p=p / p.sum()))
            out.append(chars[nxt])
            logits, state = model(np.array([[nxt]]), state)
    model.train()
    return "".join(out)


def train(config, seed):
    """Train a CharLSTM on the shipped text; returns (model, chars, figures)."""
    text, chars = load_text()
    ids = np.array([chars.index(c) for c in text], dtype=np.int64)
    nn.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = CharLSTM(len(chars), config["embed"], config["hidden"])
    opt = optim.Adam(model.parameters(), lr=config["lr"])
    initial = text_loss(model, ids)
    seq, batch = config["seq_len"], config["batch_size"]
    window = np.arange(seq + 1)
    curve = []
    start = time.perf_counter()
    for step in range(config["steps"]):
        starts = rng.integers(0, len(ids) - seq - 1, size=batch)
        chunk = ids[starts[:, None] + window]
        logits, _ = model(chunk[:, :-1])
        loss = nn.functional.cross_entropy(logits.reshape(-1, len(chars)),
                                           chunk[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        curve.append(float(loss.item()))
    seconds = time.perf_counter() - start
    figures = {"unigram_entropy": unigram_entropy(text), "initial_loss": initial,
               "final_loss": text_loss(model, ids), "train_seconds": seconds,
               "loss_curve": curve, "characters": len(text), "vocabulary": len(chars)}
    return model, chars, figures


def main(smoke=False, seed=0, out_dir=None):
    """Train, report the loss against the unigram entropy, write a sample and results.json."""
    config = CONFIGS["smoke" if smoke else "full"]
    out = run_dir("char_lstm", out_dir)
    model, chars, figures = train(config, seed)
    figures["sample"] = sample(model, chars, seed=seed)
    figures["config"] = dict(config, seed=seed)
    h, final = figures["unigram_entropy"], figures["final_loss"]
    print(f"text: {figures['characters']} characters, {figures['vocabulary']} distinct")
    print(f"unigram entropy       {h:.3f} nats/char")
    print(f"loss before training  {figures['initial_loss']:.3f} nats/char "
          f"(ln {len(chars)} = {math.log(len(chars)):.3f})")
    print(f"loss after training   {final:.3f} nats/char ({final / h:.0%} of the unigram "
          f"entropy), {config['steps']} steps in {figures['train_seconds']:.1f} s")
    print(f"\nsample:\n{figures['sample']}")
    save_json(figures, out / "results.json")
    return figures


if __name__ == "__main__":
    cli(main, __doc__, "char_lstm")
