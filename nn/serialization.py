"""nn.save / nn.load: state dicts as ``.npz`` files that never hold a pickle.

A checkpoint is a (possibly nested) structure of dicts, lists, tuples,
ndarrays, Tensors, NumPy scalars, Python numbers, strings, bools and None:
a module's ``state_dict()`` or an optimizer's (``{'state': {0: {...}},
'param_groups': [{...}]}``). ``save`` stores each array as its own ``.npy``
entry of an ``.npz`` archive and the structure as a JSON manifest, itself
stored as a uint8 array: key types (int or str), containers, scalar types
and dtypes all come back exactly. ``load`` reads the zip archive itself:
each ``.npy`` header is parsed and checked (no object dtype, so nothing is
ever unpickled; declared sizes within ``max_bytes``) before any array is
allocated, and nothing in a file is executed.

The write is atomic (``atomic_write``): a temporary file in the target's
directory is written, flushed and fsynced, then renamed over the target, so
an interrupted save leaves any previous checkpoint intact. A process killed
mid-save cannot delete its temporary file; the next save of the same target
removes such leftovers (see ``atomic_write`` for which ones).
"""
import contextlib
import json
import math
import os
import re
import secrets
import socket
import time
import zipfile
import zlib

import numpy as np

from autograd import Tensor, device as Device
from .casting import check_cpu

__all__ = ["save", "load", "CheckpointError", "atomic_write", "remove_stale_temps"]

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
    works too (written in place, so without the atomic rename). Temporary
    files left by earlier saves of the same ``path`` whose writer was killed
    are removed (see ``atomic_write``).

    Example:
        >>> import nn
        >>> model, copy = nn.Linear(2, 1), nn.Linear(2, 1)
        >>> save({"model": model.state_dict(), "epoch": 3}, "ckpt.npz")
        >>> copy.load_state_dict(load("ckpt.npz")["model"])
        IncompatibleKeys(missing_keys=[], unexpected_keys=[])
        >>> np.array_equal(copy.weight.data, model.weight.data)
        True
    """
    arrays = {}
    root = _encode(obj, arrays, "obj")
    manifest = json.dumps({"format": FORMAT, "version": VERSION, "root": root},
                          allow_nan=True, separators=(",", ":"))
    arrays[MANIFEST] = np.frombuffer(manifest.encode("utf-8"), dtype=np.uint8)
    if hasattr(path, "write"):
        _write_npz(path, arrays)
        return
    with atomic_write(path) as f:
        _write_npz(f, arrays)


# -- atomic writes and their leftovers ----------------------------------------------

# The temporary file of a save is ".<target name>.<host>.<pid>.<8 hex>.tmp" in the
# target's directory: the host and pid say whose it is, so a later save can tell a
# leftover of a killed writer from a file another process is writing right now.
_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname()) or "localhost"
LEGACY_TEMP_AGE = 3600.0


@contextlib.contextmanager
def atomic_write(path):
    """Open a temporary binary file next to ``path``; on success rename it over ``path``.

    The file is flushed and fsynced before the rename (and the directory after
    it), so ``path`` holds either its old content or the complete new one,
    never a half-written file. On an exception the temporary file is removed
    and ``path`` is untouched. A process killed mid-write (SIGKILL, out of
    memory, power loss) cannot remove its temporary file; so before writing,
    leftovers of earlier writes to the same ``path`` are removed: files named
    ``.<name>.<host>.<pid>.<hex>.tmp`` whose host is this machine and whose
    process ``<pid>`` is no longer running. A temporary file of a live
    process (another save in progress) or of another machine sharing the
    directory is never touched; nor is any other file. Temporary files of
    chainrule versions before the pid was in the name (``.<name>.<hex>.tmp``)
    are removed once they are an hour old (``LEGACY_TEMP_AGE`` seconds).

    Example:
        >>> with atomic_write("results.json") as f:
        ...     _ = f.write(b'{"loss": 0.5}')
        >>> open("results.json").read()
        '{"loss": 0.5}'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    remove_stale_temps(path)
    fd, tmp = _create_temp(directory, base)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
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
        tmp = os.path.join(directory,
                           f".{base}.{_HOST}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                           0o666), tmp
        except FileExistsError:
            continue


def _pid_alive(pid):
    if os.name == "nt":        # os.kill(pid, 0) would terminate the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True            # another user's process (or not a pid we can ask about)
    return True


def remove_stale_temps(path):
    """Remove the temporary files that killed saves of ``path`` left; return their names.

    Only files of ``path``'s own temporary-name pattern are considered, and of
    those only the ones ``atomic_write`` describes as leftovers (this host, a
    pid that is no longer running; or the old pid-less pattern, an hour old).
    Errors (a file removed meanwhile, no permission) are ignored: cleaning up
    never makes a save fail.

    Example:
        >>> remove_stale_temps("runs/ckpt.npz")      # e.g. ['.ckpt.npz.host.4242.1a2b3c4d.tmp']
        []
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    name = re.escape(os.path.basename(path))
    current = re.compile(rf"\.{name}\.([A-Za-z0-9-]+)\.(\d+)\.[0-9a-f]{{8}}\.tmp\Z")
    legacy = re.compile(rf"\.{name}\.[0-9a-f]{{8}}\.tmp\Z")
    try:
        entries = os.listdir(directory)
    except OSError:
        return []
    removed = []
    for entry in entries:
        m = current.match(entry)
        full = os.path.join(directory, entry)
        try:
            if m:
                pid = int(m.group(2))
                stale = m.group(1) == _HOST and pid != os.getpid() and not _pid_alive(pid)
            elif legacy.match(entry):
                stale = time.time() - os.stat(full).st_mtime > LEGACY_TEMP_AGE
            else:
                continue
            if stale and os.path.isfile(full):
                os.unlink(full)
                removed.append(entry)
        except (OSError, ValueError):
            continue
    return removed


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
        >>> import pickle
        >>> with open("untrusted.npz", "wb") as f:
        ...     pickle.dump({"a": 1}, f)
        >>> load("untrusted.npz")
        Traceback (most recent call last):
            ...
        nn.serialization.CheckpointError: load: 'untrusted.npz' is a Python pickle, not a
        chainrule checkpoint; refusing it and unpickling nothing. ...
    """


DEFAULT_MAX_BYTES = 2**30
_CHUNK = 1 << 20
# what reading a damaged archive or entry raises (zipfile, zlib, short reads)
_CORRUPT = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError, ValueError)


def _check_max_bytes(max_bytes):
    if max_bytes is None:
        return
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
        raise TypeError(f"load: max_bytes must be an int (bytes) or None (no limit), got "
                        f"{type(max_bytes).__name__}")
    if max_bytes < 1:
        raise ValueError(f"load: max_bytes={max_bytes!r} must be positive (bytes), or None for "
                         "no limit")


def _too_big(name, key, what, size, max_bytes, note=""):
    return CheckpointError(
        f"load: {name} entry {key!r} declares {what} of {size:,} bytes{note}, over the limit "
        f"max_bytes={max_bytes:,}; refusing it before reading or allocating anything. If you "
        "trust this file, raise the limit: nn.load(path, max_bytes=<bytes>) (None for no "
        "limit).")


def _sniff(f):
    pos = f.tell()
    head = f.read(16)
    f.seek(pos)
    return head


def _refuse_non_zip(f, head, name):
    """Raise the CheckpointError that says what a file that is no zip archive is."""
    if head.startswith(b"\x93NUMPY"):
        try:
            version = np.lib.format.read_magic(f)
            dtype = _read_header(f, version)[2]
        except ValueError:
            dtype = None
        if dtype is not None and dtype.hasobject:
            raise CheckpointError(f"load: {name} is a single .npy array of pickled Python "
                                  "objects, not a chainrule checkpoint; refusing it and "
                                  "unpickling nothing")
        raise CheckpointError(f"load: {name} holds a single array (.npy), not a chainrule "
                              "checkpoint (an .npz written by nn.save); read it with "
                              "np.load(path, allow_pickle=False)")
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        raise CheckpointError(f"load: {name} is a Python pickle, not a chainrule checkpoint; "
                              "refusing it and unpickling nothing. Checkpoints are .npz files "
                              "written by nn.save; never unpickle files from untrusted sources.")
    what = "is empty" if not head else f"starts with {head!r}"
    raise CheckpointError(f"load: {name} is not an .npz (zip) file, so not a chainrule "
                          f"checkpoint: it {what}. Checkpoints are .npz archives written by "
                          "nn.save.")


def _read_header(f, version):
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(f)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(f)
    raise ValueError(f".npy format version {version[0]}.{version[1]} is not read by nn.load "
                     "(nn.save writes versions 1.0 and 2.0)")


def _read_entry(archive, info, key, name, max_bytes):
    """One .npy entry as an array: header checked first, then exactly its bytes read."""
    with archive.open(info) as f:
        try:
            shape, fortran, dtype = _read_header(f, np.lib.format.read_magic(f))
        except ValueError as e:
            raise CheckpointError(f"load: {name} entry {key!r} is not a valid .npy array ({e})"
                                  ) from None
        if dtype.hasobject:
            raise CheckpointError(
                f"load: {name} entry {key!r} is a pickled object array (dtype {dtype}); "
                "refusing the whole file and unpickling nothing. Files written by nn.save "
                "never hold pickles; never load files from untrusted sources with "
                "allow_pickle=True.")
        if any(d < 0 for d in shape):
            raise CheckpointError(f"load: {name} entry {key!r} declares the shape {shape}")
        nbytes = math.prod(shape) * dtype.itemsize
        if max_bytes is not None and nbytes > max_bytes:
            raise _too_big(name, key, f"an array of shape {shape} {dtype}", nbytes, max_bytes)
        if nbytes != info.file_size - f.tell():
            raise CheckpointError(
                f"load: {name} entry {key!r} declares an array of shape {shape} {dtype} "
                f"({nbytes:,} bytes) but holds {info.file_size - f.tell():,} bytes of data; "
                "the file is corrupt or was not written by nn.save")
        out = np.empty(shape[::-1] if fortran else shape, dtype)
        if nbytes:
            view = memoryview(out.reshape(-1).view(np.uint8))
            done = 0
            while done < nbytes:
                n = f.readinto(view[done:done + _CHUNK])
                if not n:
                    raise EOFError(f"the entry ends after {done:,} of {nbytes:,} bytes")
                done += n
        if f.read(1):               # reading to the end also checks the entry's CRC
            raise ValueError("the entry has data after the array")
    return out.T if fortran else out


def _read_arrays(path, name, max_bytes):
    opened = not hasattr(path, "read")
    f = open(path, "rb") if opened else path
    try:
        head = _sniff(f)
        if not head.startswith(b"PK"):
            _refuse_non_zip(f, head, name)
        try:
            archive = zipfile.ZipFile(f)
        except _CORRUPT as e:
            raise CheckpointError(f"load: {name} is not a readable .npz (zip) archive ({e}); "
                                  "it may be truncated or corrupt") from None
        with archive:
            infos = archive.infolist()
            keys, seen, total = [], set(), 0
            for info in infos:                    # the central directory: nothing inflated yet
                key = info.filename[:-4] if info.filename.endswith(".npy") else None
                if key is None or key in seen:
                    what = "a repeated entry" if key else "an entry that is not an .npy array"
                    raise CheckpointError(f"load: {name} has {what} ({info.filename!r}), so it "
                                          "was not written by nn.save; refusing it")
                keys.append(key)
                seen.add(key)
                total += info.file_size
                if max_bytes is not None and total > max_bytes:
                    note = ("" if total == info.file_size else
                            f" (with the entries before it: {total:,} bytes in all)")
                    raise _too_big(name, key, "an uncompressed size", info.file_size,
                                   max_bytes, note)
            arrays = {}
            for key, info in zip(keys, infos):
                try:
                    arrays[key] = _read_entry(archive, info, key, name, max_bytes)
                except CheckpointError:
                    raise
                except _CORRUPT as e:
                    raise CheckpointError(f"load: {name} entry {key!r} is corrupt ({e})"
                                          ) from None
    finally:
        if opened:
            f.close()
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


def _check_map_location(where):
    """``map_location`` must send everything to the CPU (a device, a name, or a dict of them)."""
    targets = where.values() if isinstance(where, dict) else [where]
    for target in targets:
        if callable(target) and not isinstance(target, (str, Device)):
            raise TypeError("load: map_location as a function is not supported: a checkpoint "
                            "holds NumPy arrays, which always load on the CPU; pass "
                            "map_location='cpu' or leave it out")
        check_cpu("load: map_location", target)


def load(path, map_location=None, *, weights_only=None, max_bytes=DEFAULT_MAX_BYTES):
    """Read a checkpoint written by ``save``: eagerly, without pickle, executing nothing.

    Returns the same structure that was saved: dict key types, lists vs
    tuples, ndarray dtypes and shapes, Tensors (with their requires_grad
    flag), NumPy scalars and Python numbers. ``path`` is a file name or an
    open binary file.

    PyTorch's ``map_location`` (a device, its name, or a dict of names) is
    accepted when it maps to the CPU, where every checkpoint's arrays load;
    ``weights_only`` is accepted with any value: loading is always weights
    only here (nothing is ever unpickled).

    ``max_bytes`` (default ``2**30``, 1 GiB; None for no limit) bounds the
    memory a file may make ``load`` allocate: the arrays' sizes, as the
    archive and each ``.npy`` header declare them, must add up to at most
    ``max_bytes``; they are checked before anything is inflated or
    allocated, so a small compressed "zip bomb" or a header claiming a huge
    array is refused at once. Raise it to load a bigger checkpoint you
    trust.

    Raises ``CheckpointError`` (a ValueError) before building anything for a
    file that is not an ``.npz`` archive (text, random bytes, a pickle, a
    single ``.npy``), one holding an object array (a pickle), one not written
    by ``save``, one of an unknown format version, a corrupt one, or one over
    ``max_bytes``.

    Example:
        >>> save({"w": np.array([[1.0, 2.0]], np.float32), "step": 3, "tag": (1, "a")}, "ck.npz")
        >>> load("ck.npz")                   # the same structure, dtypes and key types
        {'w': array([[1., 2.]], dtype=float32), 'step': 3, 'tag': (1, 'a')}
        >>> load("ck.npz", max_bytes=10)     # a bigger file than you allow: refused at once
        Traceback (most recent call last):
            ...
        nn.serialization.CheckpointError: load: 'ck.npz' entry 'a0' declares an uncompressed size
        of 136 bytes, over the limit max_bytes=10; refusing it before reading or allocating
        anything. ...
    """
    _check_max_bytes(max_bytes)
    _check_map_location(map_location)
    if weights_only not in (None, True, False):
        raise TypeError(f"load: weights_only must be True, False or None, got {weights_only!r}")
    name = repr(os.fspath(path)) if not hasattr(path, "read") else "the file object"
    arrays = _read_arrays(path, name, max_bytes)
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
