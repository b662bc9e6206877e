"""Learning PyTorch with Examples, "PyTorch: Tensors and autograd".

The cubic fit again, with ``requires_grad=True`` coefficients, ``backward()``
and a manual update under ``torch.no_grad()`` (``a.grad = None`` after each
step). Coefficients from a NumPy RandomState; float64.
"""
import math

import numpy as np
import torch

dtype = torch.float64
device = "cuda" if torch.cuda.is_available() else "cpu"

x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)

rs = np.random.RandomState(1)
a = torch.tensor(rs.randn(), dtype=dtype, requires_grad=True)
b = torch.tensor(rs.randn(), dtype=dtype, requires_grad=True)
c = torch.tensor(rs.randn(), dtype=dtype, requires_grad=True)
d = torch.tensor(rs.randn(), dtype=dtype, requires_grad=True)

results = {"loss": [], "grads": []}
learning_rate = 1e-6
for t in range(500):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3

    loss = (y_pred - y).pow(2).sum()
    results["loss"].append(loss.item())
    if t % 100 == 99:
        print(t, loss.item())

    loss.backward()
    results["grads"].append([p.grad.item() for p in (a, b, c, d)])

    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
results["coefficients"] = [a.item(), b.item(), c.item(), d.item()]
results["leaf"] = [a.is_leaf, a.requires_grad, y_pred.requires_grad, y_pred.is_leaf]
