"""Learning PyTorch with Examples, "Defining new autograd Functions": LegendrePolynomial3.

A custom ``torch.autograd.Function`` (forward beside backward, ctx.save_for_backward),
used through ``.apply`` in the model y = a + b * P3(c + d * x), checked with
``torch.autograd.gradcheck``, and trained with manual updates. Initial values as
in the tutorial (a=0, b=-1, c=0, d=0.3); float64.
"""
import math

import torch


class LegendrePolynomial3(torch.autograd.Function):
    """P3(x) = 1/2 (5x^3 - 3x), with its derivative 3/2 (5x^2 - 1)."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


dtype = torch.double
device = torch.device("cpu")

x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)

results = {"loss": []}
probe = torch.linspace(-1, 1, 7, dtype=dtype, requires_grad=True)
results["gradcheck"] = torch.autograd.gradcheck(LegendrePolynomial3.apply, (probe,))
P3 = LegendrePolynomial3.apply
out = P3(probe)
out.sum().backward()
results["probe_value"] = out.detach().numpy().copy()
results["probe_grad"] = probe.grad.numpy().copy()

learning_rate = 5e-6
for t in range(300):
    P3 = LegendrePolynomial3.apply

    y_pred = a + b * P3(c + d * x)

    loss = (y_pred - y).pow(2).sum()
    results["loss"].append(loss.item())
    if t % 100 == 99:
        print(t, loss.item())

    loss.backward()

    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f"Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)")
results["coefficients"] = [a.item(), b.item(), c.item(), d.item()]
