"""Sequence models: an LSTM classifier over padded, packed sequences, and a char-level LM.

Part 1, a sequence classifier as in many text-classification tutorials:
``nn.Embedding(padding_idx=0)`` + bidirectional ``nn.LSTM(batch_first=True)`` over
variable-length sequences (``pad_sequence``, ``pack_padded_sequence(...,
enforce_sorted=False)``), the final states ``torch.cat((h_n[-2], h_n[-1]), dim=1)``
into ``nn.Linear``; Adam, ``CrossEntropyLoss``, ``_, pred = torch.max(out, 1)``.

Part 2, a character-level language model (char-rnn style): Embedding + 2-layer
LSTM + Linear on a short text, truncated BPTT with the state carried across
chunks (``(h.detach(), c.detach())``), ``clip_grad_norm_``, and greedy
generation with ``argmax``.

Weights from a NumPy RandomState over ``named_parameters()``; float64 through
``set_default_dtype``.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

torch.set_default_dtype(torch.float64)
rs = np.random.RandomState(7)


def init_from_numpy(model, scale):
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.from_numpy(rs.uniform(-scale, scale, tuple(p.shape))))


# -- part 1: classify variable-length sequences ---------------------------------------------
VOCAB, PAD = 10, 0


def make_example():
    n = rs.randint(3, 11)
    tokens = rs.randint(1, VOCAB, n)
    label = int((tokens == 3).sum() > (tokens == 5).sum())
    return torch.tensor(tokens), label


examples = [make_example() for _ in range(96)]


class Classifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_dim, num_classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD)
        self.lstm = nn.LSTM(embed_dim, hidden_dim, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hidden_dim, num_classes)

    def forward(self, x, lengths):
        emb = self.embedding(x)
        packed = pack_padded_sequence(emb, lengths, batch_first=True, enforce_sorted=False)
        _, (h_n, c_n) = self.lstm(packed)
        h = torch.cat((h_n[-2], h_n[-1]), dim=1)
        return self.fc(h)


model = Classifier(VOCAB, 6, 8, 2)
init_from_numpy(model, 0.3)
results = {"classifier_names": [n for n, _ in model.named_parameters()]}
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)


def batches(examples, size):
    for i in range(0, len(examples), size):
        chunk = examples[i:i + size]
        seqs = [s for s, _ in chunk]
        lengths = torch.tensor([len(s) for s in seqs])
        padded = pad_sequence(seqs, batch_first=True, padding_value=PAD)
        labels = torch.tensor([y for _, y in chunk])
        yield padded, lengths, labels


results["classifier_loss"], results["classifier_accuracy"] = [], []
for epoch in range(3):
    correct = total = 0
    for padded, lengths, labels in batches(examples, 16):
        optimizer.zero_grad()
        out = model(padded, lengths)
        loss = criterion(out, labels)
        loss.backward()
        optimizer.step()
        results["classifier_loss"].append(loss.item())
        _, pred = torch.max(out, 1)
        correct += (pred == labels).sum().item()
        total += labels.size(0)
    results["classifier_accuracy"].append(correct / total)

padded, lengths, labels = next(batches(examples, 16))
model.zero_grad()
criterion(model(padded, lengths), labels).backward()
results["classifier_grads"] = {n: p.grad.clone().numpy() for n, p in model.named_parameters()}
results["padding_row_grad"] = model.embedding.weight.grad[PAD].abs().sum().item()

# -- part 2: a character-level language model -------------------------------------------------
text = ("the quick brown fox jumps over the lazy dog. " * 6 +
        "a stitch in time saves nine. " * 4)
chars = sorted(set(text))
stoi = {ch: i for i, ch in enumerate(chars)}
itos = {i: ch for ch, i in stoi.items()}
data = torch.tensor([stoi[ch] for ch in text], dtype=torch.long)


class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim=8, hidden_size=16, num_layers=2):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


lm = CharLSTM(len(chars))
init_from_numpy(lm, 0.25)
opt = torch.optim.Adam(lm.parameters(), lr=0.02)
seq_len, batch = 20, 4
span = (len(data) - 1) // batch
inputs = data[:span * batch].view(batch, span)
targets = data[1:span * batch + 1].view(batch, span)

results["lm_loss"], results["lm_grad_norm"] = [], []
for epoch in range(3):
    state = None
    for i in range(0, span - seq_len + 1, seq_len):
        x, y = inputs[:, i:i + seq_len], targets[:, i:i + seq_len]
        if state is not None:
            state = tuple(s.detach() for s in state)
        logits, state = lm(x, state)
        loss = F.cross_entropy(logits.reshape(-1, len(chars)), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        norm = nn.utils.clip_grad_norm_(lm.parameters(), max_norm=1.0)
        opt.step()
        results["lm_loss"].append(loss.item())
        results["lm_grad_norm"].append(float(norm))

with torch.no_grad():
    idx = torch.tensor([[stoi["t"]]])
    state, generated = None, "t"
    for _ in range(30):
        logits, state = lm(idx, state)
        idx = logits[:, -1, :].argmax(dim=-1, keepdim=True)
        generated += itos[idx.item()]
results["generated"] = generated
print(generated)
