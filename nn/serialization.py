"""nn.save / nn.load: state dicts as ``.npz`` files that never hold a pickle.

A checkpoint is a (possibly nested) structure of dicts, lists, tuples,
ndarrays, Tensors, NumPy scalars, Python numbers, strings, bools and None:
a module's ``state_dict()`` or an optimizer's (``{'state': {0: {...}},
'param_groups': [{...}]}``). ``save`` stores each array as its own ``.npy``
entry of an ``.npz`` archive and the structure as a JSON manifest, itself
stored as a uint8 array: key types (int or str), containers, scalar types
and dtypes all come back exactly. ``load`` reads with
``np.load(allow_pickle=False)``, so a file holding an object array is
refused before anything is unpickled, and nothing in a file is executed.

The write is atomic: a temporary file in the target's directory is written,
flushed and fsynced, then renamed over the target, so an interrupted save
leaves any previous checkpoint intact.
"""
import json
import os
import secrets
import zipfile

import numpy as np

from autograd import Tensor

__all__ = ["save", "load", "CheckpointError"]

FORMAT = "chainrule.checkpoint"
VERSION = 1
MANIFEST = "__manifest__"


# -- save -------------------------------------------------------------------------

def _encode(obj, arrays, where):
    """The manifest node of ``obj``; its arrays are appended to ``arrays``."""
    if obj is None or isinstance(obj, (bool, str)):
        return {"t": "py", "v": obj}
    if isinstance(obj, int):
        return {"t": "int", "v": int(obj)}
    if isinstance(obj, float):
        return {"t": "float", "v": float(obj)}
    if isinstance(obj, Tensor):
        ref = _add_array(obj.data, arrays, where)
        return {"t": "tensor", "ref": ref, "requires_grad": bool(obj.requires_grad)}
    if isinstance(obj, np.ndarray):
        return {"t": "ndarray", "ref": _add_array(obj, arrays, where)}
    if isinstance(obj, np.generic):
        return {"t": "npscalar", "ref": _add_array(np.asarray(obj), arrays, where)}
    if isinstance(obj, dict):
        items = [[_encode_key(k, where), _encode(v, arrays, f"{where}[{k!r}]")]
                 for k, v in obj.items()]
        return {"t": "dict", "items": items}
    if isinstance(obj, (list, tuple)):
        return {"t": "tuple" if isinstance(obj, tuple) else "list",
                "items": [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(obj)]}
    raise TypeError(f"save: cannot store {where}, a {type(obj).__name__}; checkpoints hold "
                    "dicts, lists, tuples, ndarrays, Tensors, numbers, strings, bools and None. "
                    "Convert it (e.g. to an ndarray or a dict of arrays) first.")


def _encode_key(key, where):
    if isinstance(key, (bool, np.generic)) or not isinstance(key, (str, int)):
        raise TypeError(f"save: {where} has the key {key!r} of type {type(key).__name__}; "
                        "checkpoint dict keys must be str or int")
    return key if isinstance(key, str) else {"int": int(key)}


def _add_array(a, arrays, where):
    if a.dtype.hasobject:
        raise TypeError(f"save: {where} is an array of dtype {a.dtype} (shape {a.shape}) holding "
                        "Python objects; checkpoints never pickle. Use a numeric, bool or "
                        "string dtype.")
    name = f"a{len(arrays)}"
    arrays[name] = a
    return name


def _write_npz(f, arrays):
    np.savez(f, **arrays)


def save(obj, path):
    """Write a (nested) state dict to ``path`` as a pickle-free ``.npz``, atomically.

    ``path`` is used as given (no ``.npz`` is appended); an open binary file
    works too (written in place, so without the atomic rename).

    Example:
        >>> save({"model": model.state_dict(), "optim": optimizer.state_dict()}, "ckpt.npz")
        >>> model.load_state_dict(load("ckpt.npz")["model"])
    """
    arrays = {}
    root = _encode(obj, arrays, "obj")
    manifest = json.dumps({"format": FORMAT, "version": VERSION, "root": root},
                          allow_nan=True, separators=(",", ":"))
    arrays[MANIFEST] = np.frombuffer(manifest.encode("utf-8"), dtype=np.uint8)
    if hasattr(path, "write"):
        _write_npz(path, arrays)
        return
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = _create_temp(directory, os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as f:
            _write_npz(f, arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)


def _create_temp(directory, base):
    # os.open with mode 0o666 (not tempfile.mkstemp's 0o600), so the umask decides the
    # checkpoint's permissions as it would for a file written directly
    while True:
        tmp = os.path.join(directory, f".{base}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                           0o666), tmp
        except FileExistsError:
            continue


def _fsync_directory(directory):
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- load -------------------------------------------------------------------------

class CheckpointError(ValueError):
    """A file that ``load`` refuses: not written by ``save``, pickled, corrupt or too new.

    Example:
        >>> try: load("untrusted.npz")
        ... except CheckpointError as e: print(e)
    """


# what np.load raises for a pickle, a truncated archive or a file that is no array at all
_UNREADABLE = (ValueError, EOFError, zipfile.BadZipFile)


def _read_arrays(path, name):
    try:
        archive = np.load(path, allow_pickle=False)
    except _UNREADABLE as e:
        raise CheckpointError(f"load: {name} is not a chainrule checkpoint ({e}); refusing it. "
                              "Checkpoints are .npz files written by nn.save and never hold "
                              "pickled data.") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise CheckpointError(f"load: {name} holds a single array, not a chainrule checkpoint "
                              "(an .npz written by nn.save)")
    with archive:
        arrays = {}
        for key in archive.files:
            try:
                arrays[key] = archive[key]
            except _UNREADABLE as e:
                what = ("a pickled object array" if "pickle" in str(e).lower()
                        else "unreadable")
                raise CheckpointError(
                    f"load: {name} entry {key!r} is {what} ({e}); refusing the whole file and "
                    "unpickling nothing. Files written by nn.save never hold pickles; never "
                    "load files from untrusted sources with allow_pickle=True.") from None
    return arrays


def _read_manifest(arrays, name):
    raw = arrays.pop(MANIFEST, None)
    if raw is None:
        raise CheckpointError(f"load: {name} has no {MANIFEST!r} entry, so it was not written "
                              "by nn.save; for a plain .npz use np.load(path, allow_pickle=False)")
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise CheckpointError(f"load: {name} has a malformed manifest (dtype {raw.dtype}, "
                              f"shape {raw.shape}; expected 1-d uint8)")
    try:
        manifest = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise CheckpointError(f"load: {name} has a manifest that is not valid JSON: {e}"
                              ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CheckpointError(f"load: {name} has a manifest of an unknown format; "
                              f"expected {FORMAT!r}")
    version = manifest.get("version")
    if version != VERSION:
        raise CheckpointError(f"load: {name} is checkpoint format version {version!r}; this "
                              f"chainrule reads version {VERSION} only. Load it with the "
                              "chainrule that wrote it, or re-save it.")
    if "root" not in manifest:
        raise CheckpointError(f"load: {name} has a manifest without a 'root' entry")
    return manifest["root"]


class _Decoder:
    def __init__(self, arrays, name):
        self.arrays, self.name, self.used = arrays, name, set()

    def fail(self, where, what):
        raise CheckpointError(f"load: {self.name} has a malformed manifest at {where}: {what}")

    def array(self, node, where):
        ref = node.get("ref")
        if ref not in self.arrays:
            self.fail(where, f"it refers to a missing array {ref!r}")
        if ref in self.used:
            self.fail(where, f"array {ref!r} is referred to twice")
        self.used.add(ref)
        return self.arrays[ref]

    def key(self, key, where):
        if isinstance(key, str):
            return key
        if isinstance(key, dict) and set(key) == {"int"} and type(key["int"]) is int:
            return key["int"]
        self.fail(where, f"bad dict key {key!r}")

    def decode(self, node, where):
        kind = node.get("t") if isinstance(node, dict) else None
        value = node.get("v") if kind else None
        if kind == "py" and "v" in node and (value is None or type(value) in (bool, str)):
            return value
        if kind == "int" and type(value) is int:
            return value
        if kind == "float" and type(value) in (int, float):
            return float(value)
        if kind == "ndarray":
            return self.array(node, where)
        if kind == "npscalar":
            a = self.array(node, where)
            if a.ndim != 0:
                self.fail(where, f"a NumPy scalar stored with shape {a.shape}")
            return a[()]
        if kind == "tensor":
            a, grad = self.array(node, where), node.get("requires_grad")
            if type(grad) is not bool or (grad and a.dtype.kind not in "fc"):
                self.fail(where, f"requires_grad={grad!r} for a {a.dtype} tensor")
            return Tensor(a, requires_grad=grad)
        if kind in ("list", "tuple") and isinstance(node.get("items"), list):
            items = [self.decode(v, f"{where}[{i}]") for i, v in enumerate(node["items"])]
            return items if kind == "list" else tuple(items)
        if kind == "dict" and isinstance(node.get("items"), list):
            out = {}
            for item in node["items"]:
                if not (isinstance(item, list) and len(item) == 2):
                    self.fail(where, f"bad dict item {item!r}")
                k = self.key(item[0], where)
                out[k] = self.decode(item[1], f"{where}[{k!r}]")
            return out
        self.fail(where, f"unknown node {str(node)[:80]}")


def load(path):
    """Read a checkpoint written by ``save``: eagerly, without pickle, executing nothing.

    Returns the same structure that was saved: dict key types, lists vs
    tuples, ndarray dtypes and shapes, Tensors (with their requires_grad
    flag), NumPy scalars and Python numbers. A file holding an object array
    (a pickle), a file not written by ``save``, or one of an unknown format
    version raises ValueError before anything is built.

    Example:
        >>> ckpt = load("ckpt.npz")
        >>> model.load_state_dict(ckpt["model"]); optimizer.load_state_dict(ckpt["optim"])
    """
    name = repr(os.fspath(path)) if not hasattr(path, "read") else "the file object"
    arrays = _read_arrays(path, name)
    root = _read_manifest(arrays, name)
    decoder = _Decoder(arrays, name)
    try:
        obj = decoder.decode(root, "obj")
    except RecursionError:
        raise CheckpointError(f"load: {name} has a manifest nested too deeply to read") from None
    unused = sorted(set(arrays) - decoder.used)
    if unused:
        raise CheckpointError(f"load: {name} holds arrays {unused} that its manifest does not "
                              "mention, so it was not written by nn.save; refusing it")
    return obj
