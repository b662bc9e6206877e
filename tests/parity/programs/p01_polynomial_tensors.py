"""Learning PyTorch with Examples, "PyTorch: Tensors": fit sin(x) with a cubic, by hand.

The forward pass and the gradients are written out with tensor operations;
no autograd. As in the tutorial, except that the four coefficients start
from a NumPy RandomState (the two libraries' random streams differ) and the
arithmetic is float64.
"""
import math

import numpy as np
import torch

dtype = torch.float64
device = torch.device("cpu")

x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

rs = np.random.RandomState(0)
a = torch.tensor(rs.randn(), device=device, dtype=dtype)
b = torch.tensor(rs.randn(), device=device, dtype=dtype)
c = torch.tensor(rs.randn(), device=device, dtype=dtype)
d = torch.tensor(rs.randn(), device=device, dtype=dtype)

results = {"loss": [], "grad_d": []}
learning_rate = 1e-6
for t in range(500):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3

    loss = (y_pred - y).pow(2).sum().item()
    results["loss"].append(loss)
    if t % 100 == 99:
        print(t, loss)

    grad_y_pred = 2.0 * (y_pred - y)
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * x).sum()
    grad_c = (grad_y_pred * x ** 2).sum()
    grad_d = (grad_y_pred * x ** 3).sum()
    results["grad_d"].append(grad_d.item())

    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
results["coefficients"] = [a.item(), b.item(), c.item(), d.item()]
results["y_pred"] = y_pred.numpy().copy()
