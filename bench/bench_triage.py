"""Time triage.engine.assess() on random valid answers.

Run from the project root: ``python bench/bench_triage.py [N]`` (default 10,000 inputs, fixed seed).
Prints median / p95 / max milliseconds per call and the rule counts. Target: median <= 2 ms.
"""

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from triage.engine import FIELDS, RED_FLAG_RULES, RULES, assess  # noqa: E402

SEED = 20261101
TARGET_MEDIAN_MS = 2.0


def random_answers(rng: random.Random) -> dict:
    """One valid answers dict: each question answered with probability 0.6."""
    answers = {}
    for name, spec in FIELDS.items():
        if rng.random() > 0.6:
            continue
        if spec.kind == "bool":
            answers[name] = rng.random() < 0.3
        elif spec.kind == "int":
            high = min(spec.max_value, 3650)
            answers[name] = rng.randint(int(spec.min_value), int(high))
        elif spec.kind == "number":
            answers[name] = round(rng.uniform(spec.min_value, min(spec.max_value, 200)), 1)
        elif spec.kind == "choice":
            answers[name] = rng.choice(spec.choices)[0]
        elif spec.kind == "multichoice":
            values = [value for value, _ in spec.choices]
            answers[name] = rng.sample(values, rng.randint(0, 3))
        elif spec.kind == "tests":
            answers[name] = {
                sub.name: rng.choice(sub.choices)[0] for sub in spec.subfields if rng.random() < 0.5
            }
    return answers


def main(n: int = 10_000) -> int:
    rng = random.Random(SEED)
    inputs = [random_answers(rng) for _ in range(n)]
    for answers in inputs[:100]:  # warm-up
        assess(answers)

    timings = []
    urgencies: dict[str, int] = {}
    clock = time.perf_counter
    for answers in inputs:
        start = clock()
        result = assess(answers)
        timings.append((clock() - start) * 1000)
        urgencies[result.urgency] = urgencies.get(result.urgency, 0) + 1

    timings.sort()
    median = statistics.median(timings)
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"inputs: {n} (seed {SEED})")
    print(f"rules: {len(RULES)} condition rules, {len(RED_FLAG_RULES)} red-flag rules")
    print(f"assess() per call: median {median:.3f} ms, p95 {p95:.3f} ms, max {timings[-1]:.3f} ms")
    print("urgency mix: " + ", ".join(f"{k} {v}" for k, v in sorted(urgencies.items())))
    ok = median <= TARGET_MEDIAN_MS
    print(f"target median <= {TARGET_MEDIAN_MS} ms: {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
