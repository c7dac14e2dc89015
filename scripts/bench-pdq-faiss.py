#!/usr/bin/env python3
"""PDQ lookups within Hamming distance 31 with Meta's `threatexchange` package (FAISS), side by
side with intake/examples/bench_pdq_index.rs: the same data, the same queries, the same checks.

    python3 scripts/bench-pdq-faiss.py 1000000            # threatexchange's PDQIndex
    python3 scripts/bench-pdq-faiss.py 10000000 --index flat

Run with any python3: it re-runs itself in target/bench-venv, which it first creates and fills
with pinned threatexchange and faiss-cpu (pip, quietly) when they are missing. It exits 1 with a
message if that install fails.

The data are the Rust benchmark's, made with the same splitmix64 streams (numpy, fixed seeds),
so both programs index identical hashes: N random hashes owned by their number, then 500
centres each with 5 planted hashes at 0..10, 11..31, exactly 31, 32 and 40 bits from it. 1000
queries alternate a centre (even: 3 planted matches) and a fresh random hash (odd: none); 20
untimed queries warm up first. Each query runs on its own, through the package's public API
(`query(hex)`), timed with perf_counter. The first 50 queries are checked against a numpy brute
force scan (popcount of XOR over uint64 words, the oracle) and every centre query against its
planted hashes, so a lossy index shows up as counts.

Indexes (--index):
  pdq     threatexchange.signal_type.pdq.pdq_index.PDQIndex: what PdqSignal.get_index_cls()
          returns, i.e. what the package uses to match PDQ. FAISS IndexBinaryMultiHash (multi-
          index hashing, 16 tables of 16 bits, nflip = 31 // 16 = 1) in an IndexBinaryIDMap2.
  flat    pdq_index.PDQFlatIndex queried at 31 instead of its default 52: FAISS BFlat, an
          exhaustive binary scan in C++.
  index2  pdq_index2.PDQIndex2(threshold=31): FAISS IndexFlatL2 over 256 float32 dimensions
          (1 KiB a hash); meant to replace PDQIndex. Builds one hash at a time.

FAISS runs on one thread unless --threads says otherwise (one query at a time is one thread in
the Rust index). All three are exact at 31: range_search(radius 32) keeps distances < 32, and
for the multi-hash index any hash within 31 of the query differs in at most 1 bit in one of its
16 chunks of 16 bits (pigeonhole), which nflip = 1 probes.
"""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "target", "bench-venv")
VENV_PYTHON = os.path.join(VENV, "bin", "python")
# Versions this was measured with; pdqhash (a threatexchange dependency) builds from source
# on CPython 3.11, which needs a C++ compiler.
REQUIREMENTS = ["threatexchange==1.2.17", "faiss-cpu==1.15.1"]


def ensure_venv() -> None:
    """Re-runs this script in the venv, creating and filling it first when needed."""
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    probe = "import faiss, numpy, threatexchange.signal_type.pdq.pdq_index"
    ready = os.path.exists(VENV_PYTHON) and subprocess.run(
        [VENV_PYTHON, "-c", probe], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ).returncode == 0
    if not ready:
        print(f"[bench-pdq-faiss] installing {' '.join(REQUIREMENTS)} into {VENV}", file=sys.stderr)
        steps = [
            [sys.executable, "-m", "venv", VENV],
            [VENV_PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *REQUIREMENTS],
        ]
        for step in steps:
            done = subprocess.run(step, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if done.returncode != 0:
                sys.stderr.write(done.stderr[-4000:])
                sys.exit(
                    f"bench-pdq-faiss: could not set up {VENV} ({' '.join(step[:4])} ... exited "
                    f"{done.returncode}); needs PyPI access and, for pdqhash, a C++ compiler"
                )
    os.execv(VENV_PYTHON, [VENV_PYTHON, os.path.abspath(__file__), *sys.argv[1:]])


ensure_venv()

import argparse  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from importlib.metadata import version  # noqa: E402

import faiss  # noqa: E402
import numpy as np  # noqa: E402

THRESHOLD = 31
QUERIES = 1000
CHECKED = 50
WARMUP = 20
PLANTED = 5  # per centre: 0..10, 11..31, 31, 32, 40 bits away
PLANTED_WITHIN = 3  # of which within 31
PLANTED_OWNERS = 1 << 40
RANDOM_STREAM, CENTRE_STREAM, FLIP_STREAM, FAR_STREAM = 1, 2, 3, 4

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB
STREAM_MUL = 0xD1342543DE82EF95


# --- the Rust benchmark's generator (splitmix64 seeded by stream and number) ------------------

def _mix(state: np.ndarray) -> np.ndarray:
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX2)
    return z ^ (z >> np.uint64(31))


def random_quads(stream: int, numbers: np.ndarray) -> np.ndarray:
    """`random_words(stream, i)` for every i, as 4 little-endian u64 quads: shape (len, 4)."""
    with np.errstate(over="ignore"):
        state = np.uint64((stream * STREAM_MUL) & MASK64) ^ numbers.astype(np.uint64)
        state = state + np.uint64(GOLDEN)  # Rng::new draws one number
        out = np.empty((len(numbers), 4), dtype=np.uint64)
        for q in range(4):
            state = state + np.uint64(GOLDEN)
            out[:, q] = _mix(state)
    return out


class Rng:
    def __init__(self, stream: int, i: int) -> None:
        self.state = ((stream * STREAM_MUL) & MASK64) ^ i
        self.next()

    def next(self) -> int:
        self.state = (self.state + GOLDEN) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * MIX1) & MASK64
        z = ((z ^ (z >> 27)) * MIX2) & MASK64
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        return self.next() % n


def planted_quads(centres: np.ndarray) -> np.ndarray:
    out = np.empty((len(centres) * PLANTED, 4), dtype=np.uint64)
    for k in range(len(out)):
        rng = Rng(FLIP_STREAM, k)
        bits = [lambda: rng.below(11), lambda: 11 + rng.below(21), lambda: 31, lambda: 32,
                lambda: 40][k % PLANTED]()
        flipped = set()
        while len(flipped) < bits:
            flipped.add(rng.below(256))
        mask = [0, 0, 0, 0]
        for bit in flipped:
            mask[bit // 64] |= 1 << (bit % 64)
        out[k] = centres[k // PLANTED] ^ np.array(mask, dtype=np.uint64)
    return out


def to_hex(quads: np.ndarray) -> list:
    """The hex a `PdqHash` prints: most significant word first."""
    flat = quads[:, ::-1].astype(">u8").tobytes().hex()
    return [flat[i:i + 64] for i in range(0, len(flat), 64)]


# --- measuring --------------------------------------------------------------------------------

def percentile(times: list, p: int) -> float:
    """Nearest rank, as the Rust benchmark."""
    s = sorted(times)
    rank = max(-(-len(s) * p // 100) - 1, 0)
    return s[rank] if s else 0.0


def status_mib(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms"


def make_index(kind: str, entries: list):
    """The index over (hex, owner) pairs, and a query function giving (owner, distance) pairs."""
    if kind == "pdq":
        from threatexchange.signal_type.pdq.pdq_index import PDQIndex

        assert PDQIndex.get_match_threshold() == THRESHOLD
        index = PDQIndex(entries)
        name = "PDQIndex (IndexBinaryMultiHash)"
    elif kind == "flat":
        from threatexchange.signal_type.pdq.pdq_index import PDQFlatIndex

        class PDQFlatIndex31(PDQFlatIndex):
            @classmethod
            def get_match_threshold(cls):
                return THRESHOLD

        index = PDQFlatIndex31(entries)
        name = "PDQFlatIndex at 31 (IndexBinaryFlat)"
    else:
        from threatexchange.signal_type.pdq.pdq_index2 import PDQIndex2

        index = PDQIndex2(entries=entries, threshold=THRESHOLD)
        name = "PDQIndex2 (IndexFlatL2)"

    def query(hex_hash: str) -> list:
        return [(m.metadata, int(m.similarity_info.distance)) for m in index.query(hex_hash)]

    return index, query, name


def raw_faiss_search(kind: str, index):
    """FAISS's own range_search for one query, without the package's Python around it."""
    if kind == "index2":
        return None
    inner = index.index
    faiss_index = inner.faiss_index
    if kind == "pdq":
        inner.mih_index.nflip = THRESHOLD // inner.mih_index.nhash

    def search(vector: np.ndarray):
        return faiss_index.range_search(vector, THRESHOLD + 1)

    return search


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", default="1000000", help="random hashes (default 1000000)")
    parser.add_argument("--index", choices=["pdq", "flat", "index2"], default="pdq")
    parser.add_argument("--threads", type=int, default=1,
                        help="FAISS (OpenMP) threads; default 1, as one search is one thread in Rust "
                             "(on 2 cores, 2 threads made one flat query ~20x slower)")
    args = parser.parse_args()
    faiss.omp_set_num_threads(args.threads)
    n = int(args.n.replace("_", ""))
    centres_n = QUERIES // 2
    versions = f"threatexchange {version('threatexchange')}, faiss-cpu {faiss.__version__}, numpy {np.__version__}"
    print(f"{n} random hashes + {centres_n * PLANTED} planted near {centres_n} centres; radius {THRESHOLD}; {versions}; "
          f"faiss threads {faiss.omp_get_max_threads()}")

    started = time.perf_counter()
    centres = random_quads(CENTRE_STREAM, np.arange(centres_n, dtype=np.uint64))
    db = np.concatenate([random_quads(RANDOM_STREAM, np.arange(n, dtype=np.uint64)), planted_quads(centres)])
    owners = np.concatenate([np.arange(n, dtype=np.uint64),
                             PLANTED_OWNERS + np.arange(centres_n * PLANTED, dtype=np.uint64)])
    checksum = int(np.sum((db[:, 0] & np.uint64(0xFFFF)) ^ owners, dtype=np.uint64))
    hexes = to_hex(db)
    entries = list(zip(hexes, owners.tolist()))
    del hexes
    print(f"generating the hashes and their hex: {time.perf_counter() - started:.2f} s "
          f"(checksum {checksum:x}, the Rust benchmark's); resident {status_mib('VmRSS:'):.0f} MiB, "
          f"of which the oracle's uint64 copy {db.nbytes / 2**20:.0f} MiB")

    rss_before = status_mib("VmRSS:")
    started = time.perf_counter()
    index, query, name = make_index(args.index, entries)
    build = time.perf_counter() - started
    del entries
    label = f"threatexchange {name} (faiss {faiss.__version__}) N={n}"
    print(f"{label}: build {build:.2f} s from (hex, owner) pairs; resident {rss_before:.0f} -> "
          f"{status_mib('VmRSS:'):.0f} MiB, peak so far {peak_mib():.0f} MiB")

    far = random_quads(FAR_STREAM, np.arange(QUERIES, dtype=np.uint64))
    query_quads = np.array([centres[q // 2] if q % 2 == 0 else far[q] for q in range(QUERIES)])
    queries = to_hex(query_quads)

    for q in queries[:WARMUP]:
        query(q)
    near_times, far_times, all_times, results = [], [], [], []
    planted_found = planted_missed = 0
    for q, hex_hash in enumerate(queries):
        t0 = time.perf_counter()
        found = query(hex_hash)
        took = time.perf_counter() - t0
        all_times.append(took)
        if q % 2 == 0:
            near_times.append(took)
            got = set(found)
            for k in range(q // 2 * PLANTED, q // 2 * PLANTED + PLANTED_WITHIN):
                expected = (PLANTED_OWNERS + k, int(np.bitwise_count(db[n + k] ^ centres[q // 2]).sum()))
                if expected in got:
                    planted_found += 1
                else:
                    planted_missed += 1
        else:
            far_times.append(took)
        if q < CHECKED:
            results.append(sorted(found))
    p50, p99 = percentile(all_times, 50), percentile(all_times, 99)
    print(f"{label}: lookup p50 {ms(p50)}, p99 {ms(p99)}, max {ms(max(all_times))} over {QUERIES} "
          f"queries one at a time, through query(hex)")
    print(f"  near: p50 {ms(percentile(near_times, 50))}, p99 {ms(percentile(near_times, 99))}; "
          f"far: p50 {ms(percentile(far_times, 50))}, p99 {ms(percentile(far_times, 99))}")
    print(f"  planted hashes within {THRESHOLD} found: {planted_found} of {planted_found + planted_missed}")

    raw = raw_faiss_search(args.index, index)
    if raw is not None:
        vectors = np.frombuffer(bytes.fromhex("".join(queries)), dtype=np.uint8).reshape(QUERIES, 32)
        raw_times = []
        for v in vectors:
            t0 = time.perf_counter()
            raw(v[None, :])
            raw_times.append(time.perf_counter() - t0)
        print(f"{label}: FAISS range_search alone p50 {ms(percentile(raw_times, 50))}, "
              f"p99 {ms(percentile(raw_times, 99))}")

    # The oracle: popcount of XOR over the uint64 words of every hash.
    brute_times, mismatches, missed, extra = [], 0, 0, 0
    for q in range(CHECKED):
        t0 = time.perf_counter()
        distances = np.bitwise_count(db ^ query_quads[q]).sum(axis=1, dtype=np.uint16)
        hits = np.flatnonzero(distances <= THRESHOLD)
        expected = sorted(zip(owners[hits].tolist(), distances[hits].tolist()))
        brute_times.append(time.perf_counter() - t0)
        if expected != results[q]:
            mismatches += 1
            missed += len(set(expected) - set(results[q]))
            extra += len(set(results[q]) - set(expected))
            print(f"  mismatch for query {q} {queries[q]}: index {results[q]}, brute force {expected}",
                  file=sys.stderr)
    print(f"numpy brute force (XOR + bitwise_count over {db.shape[1]} uint64 words) N={n}: "
          f"p50 {ms(percentile(brute_times, 50))} over {CHECKED} queries")
    exact = mismatches == 0 and planted_missed == 0
    print(f"{label}: matches equal brute force on {CHECKED - mismatches}/{CHECKED}"
          + ("" if mismatches == 0 else f" ({missed} matches missed, {extra} extra)")
          + ("; exact" if exact else "; NOT exact"))
    print(f"{label}: build {build:.1f} s, lookup p50 {ms(p50)} p99 {ms(p99)}, peak RSS {peak_mib():.0f} MiB "
          f"(ru_maxrss, incl. hex entries and oracle), matches equal brute force on "
          f"{CHECKED - mismatches}/{CHECKED}, planted {planted_found}/{planted_found + planted_missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
