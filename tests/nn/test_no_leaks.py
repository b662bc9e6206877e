"""No leaks: memory stays flat over a long training run, and each step's graph dies with it.

The setting is an ordinary training loop: a 32-64-10 ReLU MLP on random data,
batches of 64 from a shuffling DataLoader, CrossEntropyLoss, Adam,
``zero_grad`` / ``backward`` / ``step``, the loss read with ``.item()``.
The matrices are kept small on purpose: OpenBLAS runs a GEMM below about
256K multiply-adds in one thread, and on a loaded 2-core machine its threaded
GEMM makes each step 10-20x slower (2,000 steps take ~4 s instead of ~60 s).
"""
import gc
import os
import weakref

import numpy as np
import pytest

import autograd
import nn
import optim
from nn.data import DataLoader, TensorDataset

STATM = "/proc/self/statm"


def rss_bytes():
    """Resident set size of this process now (not the peak), from /proc/self/statm."""
    with open(STATM) as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def make_training(seed=0, n=1024, features=32, hidden=64, classes=10, batch_size=64):
    """A model, loss, optimizer and an endless stream of batches (reshuffled each epoch)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, features)).astype(np.float32)
    y = rng.integers(0, classes, size=n)
    nn.manual_seed(seed)
    model = nn.Sequential(nn.Linear(features, hidden), nn.ReLU(), nn.Linear(hidden, classes))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, generator=seed)

    def batches():
        while True:
            yield from loader
    return model, loss_fn, optimizer, batches()


def train_step(model, loss_fn, optimizer, xb, yb):
    """One step; returns the loss Tensor (its graph stays alive while the caller holds it)."""
    loss = loss_fn(model(xb), yb)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


def live_objects():
    """The number of objects the cycle collector tracks, after a full collection."""
    gc.collect()
    return len(gc.get_objects())


@pytest.mark.skipif(not os.path.exists(STATM), reason="needs Linux's /proc/self/statm")
def test_resident_memory_stays_flat_over_2000_training_steps():
    model, loss_fn, optimizer, batches = make_training()
    warmup, total = 200, 2000
    losses = []
    for step in range(total):
        xb, yb = next(batches)
        losses.append(train_step(model, loss_fn, optimizer, xb, yb).item())
        if step % 100 == 99:            # an evaluation pass now and then, as a real loop does
            with autograd.no_grad():
                model.eval()
                model(xb)
                model.train()
        if step == warmup - 1:
            objects_before, rss_before = live_objects(), rss_bytes()
    objects_after, rss_after = live_objects(), rss_bytes()

    # The loop really trained (the memory below is that of real steps): starting near
    # chance, log(10), the loss falls as the random labels are slowly memorised.
    assert np.mean(losses[-100:]) < np.mean(losses[:100]) < np.log(10) + 0.2
    growth = rss_after - rss_before
    # A leak of one (64, 32) float32 batch per step would be 1800 * 8 KB = 14 MB.
    assert growth < 5 * 2**20, (f"RSS grew by {growth / 2**20:.1f} MB over "
                                f"{total - warmup} training steps (from "
                                f"{rss_before / 2**20:.1f} MB)")
    # Sharper for Python-level leaks, e.g. a container gaining one list or Tensor per step.
    assert objects_after - objects_before < 100, (
        f"{objects_after - objects_before} more gc-tracked objects after "
        f"{total - warmup} steps ({objects_before} -> {objects_after})")


def test_each_steps_graph_is_freed_by_the_next_step_without_the_cycle_collector():
    model, loss_fn, optimizer, batches = make_training(seed=1)
    activations = []
    # The hook keeps only a weak reference to the hidden activation (ReLU's output).
    model[1].register_forward_hook(lambda module, inputs, out: activations.append(
        weakref.ref(out)))
    for _ in range(3):                  # warm-up: optimizer state, first-call caches
        train_step(model, loss_fn, optimizer, *next(batches))
    activations.clear()

    gc.collect()
    gc.disable()
    try:
        previous = None
        for step in range(30):
            xb, yb = next(batches)
            loss = train_step(model, loss_fn, optimizer, xb, yb)    # rebinding drops step-1's
            hidden = activations.pop()
            # backward freed the graph's values: the hidden activation is gone already,
            # though the loss still links to the graph's structure (PyTorch's behaviour)
            assert hidden() is None, "backward should free the intermediate activations"
            refs = {"loss": weakref.ref(loss), "loss.grad_fn": weakref.ref(loss.grad_fn)}
            # Alive while this step's loss is held (so the weak references are the real ones)...
            assert all(r() is not None for r in refs.values())
            assert loss.grad_fn.inputs, "the loss should still link to its inputs"
            # ...and the previous step's graph is gone, freed by reference counting alone.
            if previous is not None:
                alive = [name for name, r in previous.items() if r() is not None]
                assert not alive, f"step {step - 1}: still alive during step {step}: {alive}"
            previous = refs
        # A graph recorded but never backwarded (say, a validation loss computed with grad
        # mode on) holds nothing saved-and-released to break cycles: it must die too.
        val_loss = loss_fn(model(xb), yb)
        refs = [weakref.ref(val_loss), weakref.ref(val_loss.grad_fn), activations.pop()]
        del val_loss
        assert all(r() is None for r in refs), "a graph without backward outlived its loss"
        # With the collector off, the steps above left no garbage cycles behind.
        assert gc.collect() == 0
    finally:
        gc.enable()
