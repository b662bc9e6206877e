"""autograd.cuda, as ``torch.cuda`` on a machine without CUDA: chainrule runs on the CPU only.

Programs that pick their device with ``cuda.is_available()`` take the CPU
branch; seeding every device (``cuda.manual_seed_all``) seeds nothing here,
as it seeds nothing in PyTorch when there is no GPU.

Example:
    >>> is_available(), device_count()
    (False, 0)
"""

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all"]


def is_available():
    """False: chainrule has no CUDA backend (``torch.cuda.is_available()``).

    Example:
        >>> "cuda" if is_available() else "cpu"
        'cpu'
    """
    return False


def device_count():
    """0: the number of CUDA devices chainrule can use.

    Example:
        >>> device_count()
        0
    """
    return 0


def manual_seed(seed):
    """Seed the current GPU's generator: there is none, so nothing changes (as PyTorch's).

    Seed the CPU stream with ``autograd.manual_seed``.

    Example:
        >>> manual_seed(0)
    """
    _check_seed("cuda.manual_seed", seed)


def manual_seed_all(seed):
    """Seed every GPU's generator: there are none, so nothing changes (as PyTorch's).

    Example:
        >>> manual_seed_all(0)
    """
    _check_seed("cuda.manual_seed_all", seed)


def _check_seed(op, seed):
    if isinstance(seed, bool) or not hasattr(seed, "__index__"):
        raise TypeError(f"{op}: the seed must be an integer, got {type(seed).__name__} "
                        f"({seed!r})")
