""""What is torch.nn really?": from raw tensors to nn.Module, optim, Dataset and DataLoader.

The tutorial's steps on MNIST-shaped data (28x28 digits drawn as noisy
prototypes from a NumPy RandomState, so nothing is downloaded): a
hand-written log_softmax and nll with manual updates; F.cross_entropy;
Mnist_Logistic with nn.Parameter; nn.Linear; optim.SGD; TensorDataset and
DataLoader (a NumPy permutation as the sampler, so both libraries see one
order); get_data/fit/loss_batch with validation under model.eval() and
no_grad; a CNN through nn.Sequential with a Lambda module and
AdaptiveAvgPool2d; and an MLP scored with ``_, predicted = torch.max(out, 1)``,
``labels.size(0)`` and ``x.view(-1, 784)``. float64 (``dtype=`` and ``.double()``).
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch import optim
from torch.utils.data import DataLoader, TensorDataset

rs = np.random.RandomState(5)
prototypes = rs.uniform(0, 1, (10, 784)) ** 3


def digits(n):
    labels = rs.randint(0, 10, n)
    images = prototypes[labels] * rs.uniform(0.5, 1.0, (n, 1)) + rs.normal(0, 0.3, (n, 784))
    return np.clip(images, 0, 1), labels


x_train, y_train = digits(512)
x_valid, y_valid = digits(256)
x_train, y_train, x_valid, y_valid = map(
    torch.tensor, (x_train, y_train, x_valid, y_valid)
)
n, c = x_train.shape
results = {"shape": [n, c], "y_range": [y_train.min().item(), y_train.max().item()],
           "dtypes": [x_train.dtype == torch.float64, y_train.dtype == torch.int64]}

# -- neural net from scratch -----------------------------------------------------------
weights = torch.from_numpy(rs.randn(784, 10) / math.sqrt(784))
weights.requires_grad_()
bias = torch.zeros(10, dtype=torch.float64, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


bs = 64
xb = x_train[0:bs]
preds = model(xb)
results["preds0"] = preds[0].detach().numpy().copy()


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


loss_func = nll
yb = y_train[0:bs]
results["scratch_initial"] = loss_func(preds, yb).item()


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


results["scratch_accuracy0"] = accuracy(preds, yb).item()

lr = 0.5
epochs = 2
results["scratch_loss"] = []
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)
        results["scratch_loss"].append(loss.item())

        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()

results["scratch_final"] = [loss_func(model(xb), yb).item(), accuracy(model(xb), yb).item()]

# -- torch.nn.functional -----------------------------------------------------------------
loss_func = F.cross_entropy


def model(xb):
    return xb @ weights + bias


results["functional"] = [loss_func(model(xb), yb).item(), accuracy(model(xb), yb).item()]


# -- nn.Module ----------------------------------------------------------------------------
class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.from_numpy(rs.randn(784, 10) / math.sqrt(784)))
        self.bias = nn.Parameter(torch.zeros(10, dtype=torch.float64))

    def forward(self, xb):
        return xb @ self.weights + self.bias


model = Mnist_Logistic()
results["module_initial"] = loss_func(model(xb), yb).item()


def fit():
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= p.grad * lr
                model.zero_grad()


fit()
results["module_final"] = loss_func(model(xb), yb).item()


# -- nn.Linear, optim ---------------------------------------------------------------------
class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(784, 10, dtype=torch.float64)

    def forward(self, xb):
        return self.lin(xb)


def get_model():
    model = Mnist_Logistic()
    with torch.no_grad():
        model.lin.weight.copy_(torch.from_numpy(rs.uniform(-0.03, 0.03, (10, 784))))
        model.lin.bias.zero_()
    return model, optim.SGD(model.parameters(), lr=lr)


model, opt = get_model()
results["linear_initial"] = loss_func(model(xb), yb).item()
results["linear_loss"] = []
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        xb = x_train[i * bs: i * bs + bs]
        yb = y_train[i * bs: i * bs + bs]
        pred = model(xb)
        loss = loss_func(pred, yb)
        results["linear_loss"].append(loss.item())

        loss.backward()
        opt.step()
        opt.zero_grad()

# -- Dataset, DataLoader, validation ------------------------------------------------------
train_ds = TensorDataset(x_train, y_train)
valid_ds = TensorDataset(x_valid, y_valid)
order = rs.permutation(n).tolist()


def get_data(train_ds, valid_ds, bs):
    return (
        DataLoader(train_ds, batch_size=bs, sampler=order),
        DataLoader(valid_ds, batch_size=bs * 2),
    )


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)

    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()

    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    history = []
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)

        model.eval()
        with torch.no_grad():
            losses, nums = zip(
                *[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl]
            )
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
        print(epoch, val_loss)
        history.append(val_loss)
    return history


train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
model, opt = get_model()
results["dataloader_val_loss"] = fit(3, model, loss_func, opt, train_dl, valid_dl)
results["dataloader_batches"] = [len(train_dl), len(valid_dl)]


# -- CNN through nn.Sequential and a Lambda module --------------------------------------
class Lambda(nn.Module):
    def __init__(self, func):
        super().__init__()
        self.func = func

    def forward(self, x):
        return self.func(x)


def preprocess(x):
    return x.view(-1, 1, 28, 28)


model = nn.Sequential(
    Lambda(preprocess),
    nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
    Lambda(lambda x: x.view(x.size(0), -1)),
).double()
with torch.no_grad():
    for name, param in model.named_parameters():
        param.copy_(torch.from_numpy(rs.uniform(-0.3, 0.3, tuple(param.shape))))
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
results["cnn_param_names"] = [name for name, _ in model.named_parameters()]
small_train = DataLoader(TensorDataset(x_train[:128], y_train[:128]), batch_size=32)
results["cnn_val_loss"] = fit(2, model, loss_func, opt, small_train, valid_dl)
xb, yb = next(iter(valid_dl))
loss = loss_func(model(xb), yb)
loss.backward()
results["cnn_grads"] = [p.grad.clone().numpy() for p in model.parameters()]


# -- an MLP, scored the way most tutorials score it --------------------------------------
class MLP(nn.Module):
    def __init__(self):
        super(MLP, self).__init__()
        self.fc1 = nn.Linear(784, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = x.view(-1, 784)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


net = MLP()
net.double()
with torch.no_grad():
    for param in net.parameters():
        param.copy_(torch.tensor(rs.uniform(-0.1, 0.1, tuple(param.size()))))
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
images_train = x_train.view(-1, 1, 28, 28)
loader = DataLoader(TensorDataset(images_train, y_train), batch_size=32, sampler=order)
results["mlp_loss"] = []
for epoch in range(2):
    running_loss = 0.0
    for i, data in enumerate(loader, 0):
        inputs, labels = data
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        results["mlp_loss"].append(loss.item())

correct = 0
total = 0
with torch.no_grad():
    for data in DataLoader(TensorDataset(x_valid.view(-1, 1, 28, 28), y_valid), batch_size=50):
        images, labels = data
        outputs = net(images)
        _, predicted = torch.max(outputs, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
results["mlp_accuracy"] = [correct, total]
print(f"Accuracy of the network on the {total} test images: {100 * correct // total} %")
