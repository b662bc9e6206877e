"""Learning PyTorch with Examples, "PyTorch: nn", "PyTorch: optim" and "Custom nn Modules".

The cubic fit as ``nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))`` on the
features x, x^2, x^3 (``x.unsqueeze(-1).pow(p)``) with ``MSELoss(reduction='sum')``:
first with manual updates over ``model.parameters()``, then with ``optim.RMSprop``;
finally a custom ``nn.Module`` with its own ``torch.nn.Parameter``s and
``optim.SGD(momentum=0.9)``. Weights loaded from NumPy with ``copy_``; float64
through ``set_default_dtype``.
"""
import math

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

rs = np.random.RandomState(2)
results = {"xx_dtype": [xx.dtype == torch.float64, p.dtype == torch.int64]}


def fresh_model():
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 1),
        torch.nn.Flatten(0, 1)
    )
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(rs.uniform(-0.5, 0.5, (1, 3))))
        model[0].bias.copy_(torch.from_numpy(rs.uniform(-0.5, 0.5, 1)))
    return model


loss_fn = torch.nn.MSELoss(reduction='sum')

# nn, with manual updates
model = fresh_model()
learning_rate = 1e-6
results["nn_loss"] = []
for t in range(200):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    results["nn_loss"].append(loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad
linear_layer = model[0]
results["nn_weight"] = linear_layer.weight.detach().clone().numpy()
results["nn_bias"] = linear_layer.bias.item()

# optim
model = fresh_model()
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
results["rmsprop_loss"] = []
for t in range(200):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    results["rmsprop_loss"].append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
results["rmsprop_state_keys"] = sorted(optimizer.state_dict().keys())
results["rmsprop_square_avg"] = optimizer.state_dict()["state"][0]["square_avg"]


# custom nn.Module
class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.tensor(rs.randn()))
        self.b = torch.nn.Parameter(torch.tensor(rs.randn()))
        self.c = torch.nn.Parameter(torch.tensor(rs.randn()))
        self.d = torch.nn.Parameter(torch.tensor(rs.randn()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        return f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3'


model = Polynomial3()
criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-6, momentum=0.9)
results["custom_loss"] = []
for t in range(200):
    y_pred = model(x)
    loss = criterion(y_pred, y)
    results["custom_loss"].append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f'Result: {model.string()}')
results["custom_names"] = [name for name, _ in model.named_parameters()]
results["custom_params"] = [p.item() for p in model.parameters()]
