"""nn.serialization: exact round trips, pickle refusal, atomic writes, model/optimizer resume."""
import io
import json
import math
import os
import pickle

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from autograd import Tensor
from nn.serialization import CheckpointError, load, save

# -- an exact structural comparison ----------------------------------------------------


def assert_same(a, b, where="obj"):
    """a and b are equal and of the same types all the way down (dict key types too)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert [(type(k), k) for k in a] == [(type(k), k) for k in b], f"{where}: keys differ"
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{where}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, Tensor):
        assert a.requires_grad == b.requires_grad, where
        assert_same(a.data, b.data, f"{where}.data")
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and np.shape(a) == np.shape(b), f"{where}: dtype/shape"
        assert np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"), f"{where}: values"
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def roundtrip(obj, path):
    save(obj, path)
    return load(path)


def test_assert_same_catches_type_changes():
    # the round-trip tests rely on this comparison noticing what a sloppy format would lose
    for a, b in [({0: 1}, {"0": 1}), ((1, 2), [1, 2]), (np.float32(1), np.float64(1)),
                 (np.zeros(2, np.float32), np.zeros(2)), (1, 1.0), (True, 1),
                 (np.array(1.0), np.float64(1.0)), (Tensor(np.ones(2)), np.ones(2)),
                 (Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2)))]:
        with pytest.raises(AssertionError):
            assert_same(a, b)


# -- round trips --------------------------------------------------------------------------

def _optimizer_like_state():
    rng = np.random.default_rng(0)
    return {
        "state": {
            0: {"step": 3, "exp_avg": rng.standard_normal((4, 3)).astype(np.float32),
                "exp_avg_sq": rng.random((4, 3)).astype(np.float32)},
            1: {"step": np.int64(3), "momentum_buffer": None},
        },
        "param_groups": [
            {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
             "amsgrad": False, "params": [0, 1], "name": "body"},
            {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-12, "weight_decay": 5e-4,
             "amsgrad": True, "params": [], "initial_lr": float("nan")},
        ],
    }


def test_round_trip_of_nested_state_dicts(tmp_path):
    rng = np.random.default_rng(1)
    obj = {
        "model": {"0.weight": rng.standard_normal((8, 4)).astype(np.float32),
                  "0.bias": rng.standard_normal(8),
                  "bn.running_mean": np.zeros(8, np.float16),
                  "bn.num_batches_tracked": np.array(7, dtype=np.int64)},
        "optim": _optimizer_like_state(),
        "epoch": 12, "best": -math.inf, "note": "ünïcode ✓", "flag": True, "nothing": None,
        0: "int key", "0": "str key", -5: [1, [2, (3.5, None)], {}],
        "tensor": Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True),
        "frozen": Tensor(np.ones(2, np.float32)),
        "scalars": [np.float32(0.1), np.int8(-3), np.bool_(True), np.uint64(2 ** 63 + 1)],
        "arrays": [np.zeros((0, 3)), np.array([True, False]), np.array(["ab", "c"]),
                   np.arange(12, dtype=np.int16).reshape(3, 4)[:, ::2],   # non-contiguous
                   np.asfortranarray(rng.standard_normal((3, 2))), np.array(2.5),
                   np.array([1 + 2j], dtype=np.complex64)],
        "big": 2 ** 80, "tiny": 5e-324, "empty_tuple": (), "empty_list": [],
    }
    back = roundtrip(obj, tmp_path / "ckpt.npz")
    assert_same(obj, back)


def test_loaded_arrays_are_writable_copies(tmp_path):
    a = np.arange(4.0)
    back = roundtrip({"a": a}, tmp_path / "c.npz")["a"]
    back[0] = 100.0
    assert a[0] == 0.0 and back.flags.writeable


def test_path_is_used_as_given_and_file_objects_work(tmp_path):
    save({"x": 1}, tmp_path / "checkpoint")
    assert os.listdir(tmp_path) == ["checkpoint"]
    assert load(str(tmp_path / "checkpoint")) == {"x": 1}
    buf = io.BytesIO()
    save({"x": np.ones(2)}, buf)
    buf.seek(0)
    assert_same(load(buf), {"x": np.ones(2)})


def test_top_level_values_other_than_dicts(tmp_path):
    for obj in [np.arange(3), [1, 2], None, 3.25, "s"]:
        assert_same(roundtrip(obj, tmp_path / "c.npz"), obj)


scalars = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70),
                    st.floats(allow_nan=True), st.text(max_size=5))
arrays = hnp.arrays(st.sampled_from([np.float32, np.float64, np.int32, np.uint8, np.bool_]),
                    hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
keys = st.one_of(st.text(max_size=4), st.integers(-3, 100))
structures = st.recursive(
    st.one_of(scalars, arrays),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.lists(inner, max_size=3).map(tuple),
                            st.dictionaries(keys, inner, max_size=3)),
    max_leaves=10)


@given(structures)
def test_round_trip_property(obj):
    buf = io.BytesIO()
    save(obj, buf)
    buf.seek(0)
    assert_same(load(buf), obj)


def test_unsupported_values_are_refused_before_writing(tmp_path):
    path = tmp_path / "c.npz"
    save({"old": 1}, path)
    for bad, match in [({"s": {1, 2}}, r"obj\['s'\], a set"),
                       ({"o": np.array([object()], dtype=object)}, "holding Python objects"),
                       ({(1, 2): 3}, "key"), ({1.5: 3}, "key"),
                       ({"f": lambda: 0}, "function")]:
        with pytest.raises(TypeError, match=match):
            save(bad, path)
    assert load(path) == {"old": 1}
    assert os.listdir(tmp_path) == ["c.npz"]


# -- refusing pickles -------------------------------------------------------------------

class Evil:
    """Unpickling this creates the marker file: proof that a pickle was executed."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _valid_manifest_bytes():
    buf = io.BytesIO()
    save({"w": np.ones(2)}, buf)
    buf.seek(0)
    with np.load(buf) as z:
        return dict(z)


@pytest.fixture
def marker(tmp_path):
    m = tmp_path / "pwned"
    # the payload is real: NumPy with allow_pickle=True does run it
    np.save(tmp_path / "probe.npy", np.array([Evil(m)], dtype=object), allow_pickle=True)
    np.load(tmp_path / "probe.npy", allow_pickle=True)
    assert m.exists()
    m.unlink()
    return m


def test_npz_with_a_pickled_object_array_is_refused_and_nothing_runs(tmp_path, marker):
    path = tmp_path / "evil.npz"
    entries = _valid_manifest_bytes()                        # a real manifest and array ...
    entries["a0"] = np.array([Evil(marker)], dtype=object)   # ... with the payload in place
    np.savez(path, **entries)                                # (NumPy's writer pickles it)
    with pytest.raises(CheckpointError, match="'a0' is a pickled object array"):
        load(path)
    assert not marker.exists()
    # as an extra entry, not referenced by the manifest, it is refused too
    entries = _valid_manifest_bytes()
    entries["zz"] = np.array([Evil(marker)], dtype=object)
    np.savez(path, **entries)
    with pytest.raises(CheckpointError, match="pickled"):
        load(path)
    assert not marker.exists()


@pytest.mark.parametrize("kind", ["pickle", "npy"])
def test_plain_pickles_and_npy_object_files_are_refused(tmp_path, marker, kind):
    path = tmp_path / "evil.bin"
    if kind == "pickle":
        path.write_bytes(pickle.dumps({"weight": Evil(marker)}))
    else:
        np.save(path, np.array([Evil(marker)], dtype=object), allow_pickle=True)
        path = tmp_path / "evil.bin.npy"
    with pytest.raises(CheckpointError, match="pickle"):
        load(path)
    assert not marker.exists()


def test_files_not_written_by_save_are_refused(tmp_path):
    path = tmp_path / "x.npz"
    np.savez(path, weight=np.ones(3))
    with pytest.raises(CheckpointError, match="no '__manifest__' entry"):
        load(path)
    np.save(tmp_path / "a.npy", np.ones(3))
    with pytest.raises(CheckpointError, match="single array"):
        load(tmp_path / "a.npy")
    (tmp_path / "t.npz").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(CheckpointError):
        load(tmp_path / "t.npz")


def _tampered(tmp_path, edit):
    entries = _valid_manifest_bytes()
    text = entries["__manifest__"].tobytes().decode()
    entries["__manifest__"] = np.frombuffer(edit(text).encode(), dtype=np.uint8)
    path = tmp_path / "tampered.npz"
    np.savez(path, **entries)
    return path


@pytest.mark.parametrize("edit, match", [
    (lambda s: s.replace('"version":1', '"version":2'), "format version 2"),
    (lambda s: s.replace('"chainrule.checkpoint"', '"other"'), "unknown format"),
    (lambda s: s.replace('"a0"', '"a7"'), "missing array 'a7'"),
    (lambda s: s.replace('"ndarray"', '"pickle"'), "unknown node"),
    (lambda s: s[:-3], "not valid JSON"),
])
def test_tampered_manifests_are_refused(tmp_path, edit, match):
    with pytest.raises(CheckpointError, match=match):
        load(_tampered(tmp_path, edit))


def test_hostile_manifests_are_refused(tmp_path):
    deep = '{"format":"chainrule.checkpoint","version":1,"root":' + "[" * 100000
    with pytest.raises(CheckpointError, match="not valid JSON"):
        load(_tampered(tmp_path, lambda s: deep + "]" * 100000 + "}"))
    nested = '{"t":"list","items":[' * 5000 + '{"t":"py","v":null}' + "]}" * 5000
    with pytest.raises(CheckpointError, match="manifest"):       # no RecursionError escapes
        load(_tampered(tmp_path, lambda s: s.replace(s[s.index('"root":') + 7:-1], nested)))
    int_tensor = {"t": "tensor", "ref": "a0", "requires_grad": True}
    entries = {"a0": np.arange(3), "__manifest__": np.frombuffer(json.dumps(
        {"format": "chainrule.checkpoint", "version": 1, "root": int_tensor}).encode(), np.uint8)}
    np.savez(tmp_path / "t.npz", **entries)
    with pytest.raises(CheckpointError, match="requires_grad=True for a int64 tensor"):
        load(tmp_path / "t.npz")


# -- atomic writes ----------------------------------------------------------------------

@pytest.mark.parametrize("error", [OSError("No space left on device"), KeyboardInterrupt()])
def test_interrupted_save_leaves_the_old_file_intact(tmp_path, monkeypatch, error):
    path = tmp_path / "ckpt.npz"
    old = {"weight": np.arange(5.0), "step": 1}
    save(old, path)
    old_bytes = path.read_bytes()

    def failing_savez(file, *args, **kwargs):
        file.write(b"PK\x03\x04 half an archive")      # the temp file is half written ...
        raise error                                    # ... when the process is interrupted

    monkeypatch.setattr(np, "savez", failing_savez)
    with pytest.raises(type(error)):
        save({"weight": np.zeros(5), "step": 2}, path)
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes
    assert_same(load(path), old)
    assert os.listdir(tmp_path) == ["ckpt.npz"]        # no temp file left behind


def test_save_replaces_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "ckpt.npz"
    save({"v": 1}, path)
    save({"v": 2}, path)
    assert load(path) == {"v": 2}
    assert os.listdir(tmp_path) == ["ckpt.npz"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask    # as a file written directly


# -- with the real model and optimizer --------------------------------------------------

def _mlp(seed):
    from nn.linear import Linear
    from nn.container import Sequential
    from nn.parameter import manual_seed
    manual_seed(seed)
    return Sequential(Linear(4, 8), Linear(8, 3))


def test_model_round_trip_restores_it_exactly(tmp_path):
    model, other = _mlp(0), _mlp(1)
    x = np.random.default_rng(2).standard_normal((5, 4)).astype(np.float32)
    save(model.state_dict(), tmp_path / "m.npz")
    sd = load(tmp_path / "m.npz")
    assert_same(sd, model.state_dict())
    other.load_state_dict(sd)
    for (n, p), (m, q) in zip(model.named_parameters(), other.named_parameters()):
        assert n == m and p.dtype == q.dtype
        np.testing.assert_array_equal(p.data, q.data)
    np.testing.assert_array_equal(other(x).data, model(x).data)


def test_wrong_shapes_and_missing_keys_name_every_mismatch_and_change_nothing(tmp_path):
    from nn.linear import Linear
    from nn.container import Sequential
    model = _mlp(0)
    wrong = Sequential(Linear(4, 8), Linear(8, 5)).state_dict()     # head has 5 outputs
    del wrong["0.bias"]
    save(wrong, tmp_path / "wrong.npz")
    before = {n: (p.data.copy(), p._version) for n, p in model.named_parameters()}
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(load(tmp_path / "wrong.npz"))
    message = str(info.value)
    for key in ("'0.bias'", "'1.weight'", "'1.bias'"):
        assert key in message
    assert "(5, 8)" in message and "(3, 8)" in message
    for n, p in model.named_parameters():
        np.testing.assert_array_equal(p.data, before[n][0])
        assert p._version == before[n][1]


def test_training_resumes_bit_for_bit(tmp_path):
    optim = pytest.importorskip("optim")
    rng = np.random.default_rng(3)
    xs = rng.standard_normal((10, 16, 4)).astype(np.float32)
    ys = rng.standard_normal((10, 16, 3)).astype(np.float32)

    def train(model, opt, steps):
        for x, y in zip(xs[steps], ys[steps]):
            opt.zero_grad()
            loss = ((model(x).tanh() - y) ** 2).mean()
            loss.backward()
            opt.step()

    for make in (lambda ps: optim.Adam(ps, lr=1e-2, amsgrad=True),
                 lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True)):
        model = _mlp(0)
        opt = make(model.parameters())
        train(model, opt, slice(0, 5))
        save({"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 5},
             tmp_path / "ckpt.npz")
        train(model, opt, slice(5, 10))                        # the uninterrupted run

        resumed = _mlp(1)
        ropt = make(resumed.parameters())
        ckpt = load(tmp_path / "ckpt.npz")
        resumed.load_state_dict(ckpt["model"])
        ropt.load_state_dict(ckpt["optim"])
        assert ckpt["epoch"] == 5
        train(resumed, ropt, slice(5, 10))
        for p, q in zip(model.parameters(), resumed.parameters()):
            np.testing.assert_array_equal(p.data, q.data)
        assert_same(opt.state_dict(), ropt.state_dict())


# -- limits: zip bombs and huge declared arrays are refused before allocating -----------

def _npy_bytes(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def _npy_header(shape, dtype="<f8"):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": dtype, "fortran_order": False, "shape": tuple(shape)})
    return buf.getvalue()


def _manifest_entry(root):
    text = json.dumps({"format": "chainrule.checkpoint", "version": 1, "root": root})
    return _npy_bytes(np.frombuffer(text.encode(), np.uint8))


def _write_zip(path, entries):
    """A zip archive written field by field: entries are (name, method, crc, size, payload).

    zipfile cannot write an already-compressed stream, which a bomb is made of.
    """
    import struct
    out, central = bytearray(), bytearray()
    for name, method, crc, size, payload in entries:
        name = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc,
                           len(payload), size, len(name), 0) + name + payload
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21,
                               crc, len(payload), size, len(name), 0, 0, 0, 0, 0,
                               offset) + name
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries),
                                 len(central), len(out), 0)
    path.write_bytes(bytes(out))


def _stored(name, payload):
    import zlib
    return (name, 0, zlib.crc32(payload), len(payload), payload)


def _deflate_bomb(path, gib=1):
    """An nn.save-like .npz of ~1 MB whose entry 'a0' inflates to ``gib`` GiB of zeros.

    Built from one compressed MiB repeated: after a full flush a deflate stream restarts
    with no back-references, so identical inputs give identical, concatenable blocks.
    """
    import zlib
    header = _npy_header((gib * 2**30,), "|u1")
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(2**20)
    head = comp.compress(header) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(header)
    for _ in range(gib * 1024):
        crc = zlib.crc32(zeros, crc)
    stream = head + block * (gib * 1024) + comp.flush()
    _write_zip(path, [_stored("__manifest__.npy", _manifest_entry({"t": "ndarray", "ref": "a0"})),
                      ("a0.npy", 8, crc, len(header) + gib * 2**30, stream)])


def _peak_bytes_while(fn):
    import tracemalloc
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_a_deflate_bomb_is_refused_before_inflating_anything(tmp_path):
    import zipfile
    path = tmp_path / "bomb.npz"
    _deflate_bomb(path)
    assert path.stat().st_size < 1.1e6
    with zipfile.ZipFile(path) as z:             # a real bomb: a valid 1 GiB deflate stream
        assert z.getinfo("a0.npy").file_size > 2**30
        with z.open("a0.npy") as f:
            assert np.lib.format.read_magic(f) == (1, 0)
            assert np.lib.format.read_array_header_1_0(f)[0] == (2**30,)
            assert f.read(2**22) == bytes(2**22)

    def refuse():
        with pytest.raises(CheckpointError) as info:
            load(path)                           # the default limit
        return info
    peak = _peak_bytes_while(refuse)
    assert peak < 8 * 2**20                      # nothing of the GiB was allocated
    with pytest.raises(CheckpointError) as info:
        load(path)
    message = str(info.value)
    assert "entry 'a0'" in message and f"{2**30 + 128:,} bytes" in message
    assert "max_bytes=1,073,741,824" in message and "nn.load(path, max_bytes=" in message


def test_a_header_declaring_a_huge_array_is_refused_without_allocating(tmp_path):
    path = tmp_path / "huge.npz"
    payload = _npy_header((10**12,)) + bytes(64)
    _write_zip(path, [_stored("__manifest__.npy", _manifest_entry({"t": "ndarray", "ref": "a0"})),
                      _stored("a0.npy", payload)])
    for limit in ({}, {"max_bytes": None}):      # even with no limit: the data is not there
        def refuse():
            with pytest.raises(CheckpointError) as info:
                load(path, **limit)
            return info
        assert _peak_bytes_while(refuse) < 2**20
    with pytest.raises(CheckpointError) as info:
        load(path)
    message = str(info.value)
    assert "entry 'a0'" in message and "shape (1000000000000,) float64" in message
    assert "8,000,000,000,000 bytes" in message and "max_bytes=1,073,741,824" in message
    with pytest.raises(CheckpointError, match=r"'a0' declares an array of shape \(10+,\) "
                                              r"float64 \(8,000,000,000,000 bytes\) but holds 64"):
        load(path, max_bytes=None)


def test_max_bytes_bounds_the_total_and_can_be_raised(tmp_path):
    path = tmp_path / "two.npz"
    state = {"w": np.ones(2**17), "v": np.zeros(2**17)}          # 1 MiB each
    save(state, path)
    assert_same(load(path), state)                               # well under the default
    assert_same(load(path, max_bytes=3 * 2**20), state)
    assert_same(load(path, max_bytes=None), state)
    with pytest.raises(CheckpointError, match=r"entry 'a1' declares an uncompressed size of "
                                              r"1,048,704 bytes \(with the entries before it: "
                                              r"2,097,408 bytes in all\), over the limit "
                                              r"max_bytes=2,000,000"):
        load(path, max_bytes=2_000_000)
    with pytest.raises(CheckpointError, match="entry 'a0'.*max_bytes=1,000,000"):
        load(path, max_bytes=1_000_000)
    with pytest.raises(ValueError, match="max_bytes=0 must be positive"):
        load(path, max_bytes=0)
    with pytest.raises(TypeError, match="max_bytes must be an int"):
        load(path, max_bytes=1.5e9)


def test_text_and_random_bytes_are_said_to_be_no_npz_file(tmp_path):
    files = {"notes.txt": b"epoch 1: loss 0.3\nepoch 2: loss 0.2\n",
             "noise.bin": np.random.default_rng(0).bytes(4096),
             "empty.npz": b""}
    for fname, data in files.items():
        (tmp_path / fname).write_bytes(data)
        with pytest.raises(CheckpointError) as info:
            load(tmp_path / fname)
        message = str(info.value)
        assert "not an .npz (zip) file" in message and "pickle" not in message, message
    with pytest.raises(CheckpointError, match="is empty"):
        load(tmp_path / "empty.npz")
    with pytest.raises(CheckpointError, match=r"starts with b'epoch 1"):
        load(tmp_path / "notes.txt")


def test_corrupt_entries_are_refused(tmp_path):
    good = tmp_path / "good.npz"
    save({"w": np.arange(1000.0)}, good)
    data = bytearray(good.read_bytes())
    at = data.index(np.arange(1000.0).tobytes()[800:808])
    data[at] ^= 0xFF                                              # one flipped bit
    (tmp_path / "flipped.npz").write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"entry 'a0' is corrupt \(Bad CRC-32"):
        load(tmp_path / "flipped.npz")
    manifest = _manifest_entry({"t": "ndarray", "ref": "a0"})
    for payload, match in [(_npy_header((4,)) + bytes(16), "holds 16 bytes"),
                           (b"\x93NUMPY\x09\x00junk", "not a valid .npy array")]:
        _write_zip(tmp_path / "bad.npz", [_stored("__manifest__.npy", manifest),
                                          _stored("a0.npy", payload)])
        with pytest.raises(CheckpointError, match=match):
            load(tmp_path / "bad.npz")
    _write_zip(tmp_path / "dup.npz", [_stored("__manifest__.npy", manifest),
                                      _stored("a0.npy", _npy_bytes(np.ones(2))),
                                      _stored("a0.npy", _npy_bytes(np.ones(3)))])
    with pytest.raises(CheckpointError, match="a repeated entry"):
        load(tmp_path / "dup.npz")


def test_fortran_order_and_odd_dtypes_read_back_exactly(tmp_path):
    state = {"f": np.asfortranarray(np.arange(12.0).reshape(3, 4)),
             "be": np.arange(5, dtype=">i4"), "empty": np.zeros((0, 3), np.float32),
             "s": np.array(["ab", "c"]), "rec": np.zeros(2, dtype=[("x", "<f4"), ("n", "<i2")]),
             "zero_d": np.array(2.5), "c": np.array([1 + 2j], np.complex64)}
    back = roundtrip(state, tmp_path / "odd.npz")
    assert_same(back, state)
    assert back["f"].flags.f_contiguous and back["f"].flags.writeable


# -- leftovers of saves killed mid-write -------------------------------------------------

_STALLING_SAVE = """
import os, sys, time
import numpy as np
import nn
real_fsync = os.fsync
def stall(fd):                      # the data is written; stop before the rename
    real_fsync(fd)
    print("written", flush=True)
    time.sleep(300)
os.fsync = stall
nn.save({"weight": np.ones((2500, 2500)), "step": 7}, sys.argv[1])
"""


def _stalled_save(path):
    """A child process that is in the middle of saving a 50 MB state dict to ``path``."""
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen([sys.executable, "-c", _STALLING_SAVE, str(path)], cwd=root,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "written\n"
    return proc


def _temps(folder, name):
    return sorted(f for f in os.listdir(folder) if f.startswith(f".{name}."))


def test_a_save_killed_mid_write_leaves_a_temp_file_that_the_next_save_removes(tmp_path):
    import signal
    import socket
    path = tmp_path / "ckpt.npz"
    save({"v": 0}, path)
    killed, alive = _stalled_save(path), _stalled_save(path)
    try:
        os.kill(killed.pid, signal.SIGKILL)
        assert killed.wait(timeout=30) == -signal.SIGKILL           # dead and reaped
        temps = _temps(tmp_path, "ckpt.npz")
        assert len(temps) == 2 and all((tmp_path / t).stat().st_size > 50e6 for t in temps)
        assert {t.split(".")[-3] for t in temps} == {str(killed.pid), str(alive.pid)}
        assert load(path) == {"v": 0}                                # the old file is intact
        host = [t for t in temps if t.split(".")[-3] == str(killed.pid)][0].split(".")[-4]
        assert host == "".join(c if c.isalnum() or c == "-" else "-"
                               for c in socket.gethostname())
        # files that are not this target's leftovers stay: another target's, another
        # machine's (the directory may be shared), and anything else
        decoys = [f".other.npz.{host}.{killed.pid}.0123abcd.tmp",
                  f".ckpt.npz.elsewhere.{killed.pid}.0123abcd.tmp", "ckpt.npz.bak",
                  f".ckpt.npz.{host}.{killed.pid}.tmp"]
        for d in decoys:
            (tmp_path / d).write_bytes(b"x")

        save({"v": 1}, path)                                         # the next save
        live = [t for t in temps if t.split(".")[-3] == str(alive.pid)]
        assert _temps(tmp_path, "ckpt.npz") == sorted(live + decoys[1:2] + decoys[3:])
        assert load(path) == {"v": 1}
    finally:
        alive.kill()
        alive.wait(timeout=30)
    save({"v": 2}, path)                                             # now that one is dead too
    assert sorted(os.listdir(tmp_path)) == sorted(["ckpt.npz", *decoys])
    assert load(path) == {"v": 2}
