"""A CNN trained from a Dataset through a DataLoader, as the pytorch/examples MNIST script.

A custom ``torch.utils.data.Dataset`` (``__len__``/``__getitem__`` returning a
tensor and an int label, batched by the default collate), a Net with
Conv2d, BatchNorm2d, ReLU, MaxPool2d, Dropout and Linear, ``torch.flatten(x, 1)``,
``CrossEntropyLoss``, SGD with momentum and weight decay, ``StepLR``, the
``train()``/``test()`` pair (``model.train()``/``model.eval()``, ``data.to(device)``,
``output.argmax(dim=1, keepdim=True)``, ``pred.eq(target.view_as(pred))``),
``torch.save``/``torch.load(..., map_location=device)`` of the state dict into a second model.

Dropout draws its masks from the library's own random stream, which differs
between libraries; so training keeps the Dropout layers in eval mode (BatchNorm
trains on batch statistics) and the masks' law is compared separately.
Weights from a NumPy RandomState; float64 through ``model.to(device, dtype)``.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, Dataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
rs = np.random.RandomState(6)
templates = rs.uniform(-1, 1, (4, 1, 12, 12))


class Shapes(Dataset):
    """Noisy copies of four 12x12 templates; the label is the template's index."""

    def __init__(self, n):
        self.labels = rs.randint(0, 4, n)
        self.images = templates[self.labels] + rs.normal(0, 0.8, (n, 1, 12, 12))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return torch.from_numpy(self.images[idx]), int(self.labels[idx])


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.pool = nn.MaxPool2d(2, 2)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(16 * 2 * 2, 32)
        self.fc2 = nn.Linear(32, 4)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.conv2(x)))
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return self.fc2(x)


def init_weights(model):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.startswith("bn"):
                continue
            fan_in = p[0].numel() if p.dim() > 1 else p.numel()
            bound = 1 / np.sqrt(fan_in)
            p.copy_(torch.from_numpy(rs.uniform(-bound, bound, tuple(p.shape))))


def train(model, device, train_loader, optimizer, criterion, epoch, log):
    model.train()
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.eval()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()
        log.append(loss.item())
        if batch_idx % 4 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]"
                  f"\tLoss: {loss.item():.6f}")


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction='sum').item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/"
          f"{len(test_loader.dataset)}")
    return test_loss, correct


train_loader = DataLoader(Shapes(192), batch_size=32, shuffle=False)
test_loader = DataLoader(Shapes(128), batch_size=64)
results = {"batch_shapes": [list(x.shape) for x, _ in train_loader][:2],
           "label_int64": next(iter(train_loader))[1].dtype == torch.int64}

model = Net().to(device, torch.float64)
init_weights(model)
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
scheduler = StepLR(optimizer, step_size=1, gamma=0.7)

data, target = next(iter(test_loader))
model.eval()
loss = criterion(model(data), target)
loss.backward()
results["initial_loss"] = loss.item()
results["initial_grads"] = {n: p.grad.clone().numpy() for n, p in model.named_parameters()}
model.zero_grad()

results["train_loss"], results["test"], results["lr"] = [], [], []
for epoch in range(1, 4):
    train(model, device, train_loader, optimizer, criterion, epoch, results["train_loss"])
    results["test"].append(test(model, device, test_loader))
    scheduler.step()
    results["lr"].append(scheduler.get_last_lr())

results["running_mean"] = model.bn1.running_mean.clone().numpy()
results["running_var"] = model.bn1.running_var.clone().numpy()
results["num_batches_tracked"] = model.bn1.num_batches_tracked.item()
results["state_keys"] = list(model.state_dict().keys())

torch.save(model.state_dict(), "mnist_cnn.pt")
restored = Net().to(device, dtype=torch.float64)
restored.load_state_dict(torch.load("mnist_cnn.pt", map_location=device, weights_only=True))
restored.eval()
model.eval()
with torch.no_grad():
    results["restored_equal"] = torch.equal(restored(data), model(data))
    results["eval_logits"] = model(data)[:8].clone().numpy()

torch.manual_seed(0)
drop = nn.Dropout(0.5)
drop.train()
masked = drop(torch.ones(10000, dtype=torch.float64))
results["dropout_values"] = sorted(set(masked.tolist()))
results["dropout_mean"] = round(masked.mean().item(), 1)
drop.eval()
results["dropout_eval_identity"] = torch.equal(drop(masked), masked)
