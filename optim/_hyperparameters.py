"""Hyperparameter checks shared by the Adam-family optimizers (Adamax, NAdam, RAdam)."""

__all__ = ["check_betas_eps_weight_decay"]


def check_betas_eps_weight_decay(name, group):
    """Raise ValueError unless ``betas`` is a pair in [0, 1) and ``eps``, ``weight_decay`` >= 0.

    ``name`` prefixes the message (the optimizer and the group).

    Example:
        >>> check_betas_eps_weight_decay("NAdam", {"betas": (0.9, 0.999), "eps": 1e-8,
        ...                                        "weight_decay": 0})
    """
    betas = group["betas"]
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"{name}: invalid beta{i + 1}={beta} (betas={tuple(betas)}); "
                             "each beta must be in [0, 1)")
    for key in ("eps", "weight_decay"):
        if not group[key] >= 0.0:
            raise ValueError(f"{name}: invalid {key}={group[key]}; it must be >= 0")
