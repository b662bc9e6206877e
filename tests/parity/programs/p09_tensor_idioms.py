"""Everyday tensor code: the idioms tutorials and answers use, each with its gradient.

Each line below is one idiom (indexing, reshaping, reductions with ``dim``,
``torch.max(x, 1)`` as (values, indices), ``x.size(1)``, gather/scatter,
masked_fill, where, sort/topk, einsum, in-place updates under ``no_grad``...);
its value and the gradient it sends back to the inputs are recorded.
Inputs from a NumPy RandomState; float64.
"""
import numpy as np
import torch
import torch.nn.functional as F

rs = np.random.RandomState(9)
x0 = rs.randn(4, 5)
w0 = rs.randn(5, 3)
idx0 = rs.randint(0, 5, (4, 2))
results = {}


def check(name, fn):
    """Record fn(x, w)'s value and d(sum of fn * a fixed weight)/d(x, w)."""
    x = torch.tensor(x0, requires_grad=True)
    w = torch.from_numpy(w0.copy()).requires_grad_()
    out = fn(x, w)
    weight = torch.from_numpy(np.asarray(np.random.RandomState(len(name)).randn(*out.shape)))
    (out * weight).sum().backward()
    results[name] = {
        "value": out.detach().numpy().copy(),
        "grad_x": None if x.grad is None else x.grad.numpy().copy(),
        "grad_w": None if w.grad is None else w.grad.numpy().copy(),
    }


check("matmul_relu", lambda x, w: F.relu(x @ w))
check("mm_t", lambda x, w: torch.mm(x, w).t())
check("view", lambda x, w: x.view(2, 10) * 2)
check("view_minus1", lambda x, w: x.view(-1, x.size(1) * 2).sum(1))
check("reshape_permute", lambda x, w: x.reshape(2, 2, 5).permute(2, 0, 1).contiguous())
check("transpose_T", lambda x, w: x.transpose(0, 1) + x.T)
check("unsqueeze_expand", lambda x, w: x.unsqueeze(0).expand(3, 4, 5).sum(0))
check("squeeze", lambda x, w: x[:, :1].squeeze(1) * x[:, 1])
check("slicing", lambda x, w: x[1:, ::2] - x[:-1, :3].flip(1))
check("bool_mask", lambda x, w: x[x > 0] * 3)
check("fancy_index", lambda x, w: x[[0, 2, 3], [1, 1, 4]])
check("max_dim", lambda x, w: torch.max(x, 1)[0] + torch.max(x, dim=0).values.sum())
check("max_indices", lambda x, w: x.gather(1, torch.max(x, 1)[1].unsqueeze(1)))
check("min_named", lambda x, w: x.min(dim=1, keepdim=True).values * 2)
check("amax", lambda x, w: torch.amax(x, dim=1) - x.amin(0).sum())
check("argmax_gather", lambda x, w: x.gather(1, x.argmax(dim=1, keepdim=True)))
check("sum_mean_dim", lambda x, w: x.sum(dim=1, keepdim=True) * x.mean(0))
check("std_var", lambda x, w: x.std(dim=0, unbiased=True) + x.var(1, correction=0).sum())
check("norm", lambda x, w: x.norm(dim=1) + torch.norm(w))
check("softmax", lambda x, w: F.softmax(x, dim=1) * torch.log_softmax(x, dim=0))
check("logsumexp", lambda x, w: torch.logsumexp(x, dim=1))
check("cumsum_cumprod", lambda x, w: x.cumsum(dim=1) + torch.cumprod(x, 0))
check("prod", lambda x, w: x.prod(dim=1))
check("clamp", lambda x, w: x.clamp(min=-0.5, max=0.5) + torch.clamp(x, max=0.0))
check("where", lambda x, w: torch.where(x > 0, x, x * 0.1))
check("masked_fill", lambda x, w: x.masked_fill(x < 0, 0.0) * x)
check("gather", lambda x, w: torch.gather(x, 1, torch.tensor(idx0)))
check("scatter_add", lambda x, w: torch.zeros(4, 6, dtype=torch.float64).scatter_add(
    1, torch.tensor(idx0), x[:, :2]))
check("index_select", lambda x, w: torch.index_select(x, 1, torch.tensor([4, 0, 0])))
check("cat_stack", lambda x, w: torch.cat([x, x * 2], dim=1).sum(0) + torch.stack([x, x], 0).sum((0, 1)).repeat(2))
check("chunk_split", lambda x, w: torch.chunk(x, 2, dim=1)[1] * x.split(2, dim=1)[0][:, :1])
check("sort", lambda x, w: torch.sort(x, dim=1, descending=True)[0])
check("topk", lambda x, w: x.topk(2, dim=1).values)
check("einsum", lambda x, w: torch.einsum("ij,jk->ik", x, w))
check("bmm", lambda x, w: torch.bmm(x.view(2, 2, 5), w.unsqueeze(0).expand(2, 5, 3)))
check("outer_dot", lambda x, w: torch.outer(x[0], w[:, 0]) * torch.dot(x[1], x[2]))
check("elementwise", lambda x, w: torch.sin(x) * x.cos() + x.exp() / (1 + x.abs()) - x.tanh()
      + torch.sigmoid(x) + x.pow(2) + torch.sqrt(x.abs() + 1) + torch.log1p(x.abs()))
check("broadcast", lambda x, w: (x.unsqueeze(2) * w.unsqueeze(0)).sum(1))
check("tril_diag", lambda x, w: torch.tril(x @ x.t()) + torch.diag(torch.diag(x @ x.t())))
check("pad", lambda x, w: F.pad(x, (1, 2)))
check("normalize", lambda x, w: F.normalize(x, dim=1))
check("one_hot", lambda x, w: F.one_hot(torch.tensor([0, 2, 1, 4]), num_classes=5) * x)
check("mse", lambda x, w: F.mse_loss(x @ w, torch.zeros(4, 3, dtype=torch.float64)))
check("bce_logits", lambda x, w: F.binary_cross_entropy_with_logits(x, (x > 0).double()))
check("nll", lambda x, w: F.nll_loss(F.log_softmax(x, dim=1), torch.tensor([0, 4, 2, 1])))
check("smooth_l1", lambda x, w: F.smooth_l1_loss(x, torch.zeros_like(x), reduction='none'))

# factories, sizes and conversions
t = torch.arange(12).view(3, 4)
results["sizes"] = [list(t.size()), t.size(1), t.shape[0], t.numel(), t.dim(), len(t),
                    t.size().numel()]
results["arange_dtype"] = [t.dtype == torch.int64, torch.arange(3.0).dtype == torch.float32]
results["linspace"] = torch.linspace(0, 1, 5).tolist()
results["eye_full"] = (torch.eye(3) + torch.full((3, 3), 2.0)).numpy()
results["ones_like"] = torch.ones_like(t).sum().item()
results["zeros"] = torch.zeros(2, 3).shape == (2, 3)
results["tolist"] = t[1].tolist()
results["item_int"] = t.sum().item()
results["float_long"] = [t.float().mean().item(), torch.tensor([1.7, -1.7]).long().tolist()]
results["eq_all"] = [torch.equal(t, t.clone()), torch.allclose(t.double(), t.double() + 1e-12),
                     bool((t == t).all()), bool((t > 10).any())]
_, pred = torch.max(torch.tensor([[0.1, 0.9], [0.8, 0.2]]), 1)
results["max_pair"] = pred.tolist()
results["argsort"] = torch.argsort(torch.tensor([3.0, 1.0, 2.0])).tolist()

# in-place updates under no_grad, and detach
w = torch.tensor(w0, requires_grad=True)
(w ** 2).sum().backward()
with torch.no_grad():
    w -= 0.1 * w.grad
    w.mul_(0.5).add_(1.0)
    w.clamp_(-1, 1)
w.grad.zero_()
results["inplace"] = w.detach().numpy().copy()
results["inplace_leaf"] = [w.is_leaf, w.requires_grad, w.grad.abs().sum().item()]
d = w.detach()
results["detach"] = [d.requires_grad, d.is_leaf]
