"""How much word2vec quality varies from run to run: subwordx and gensim, several seeds each.

A single run of a Hogwild trainer is one draw: seeds and thread timing move analogy accuracy by
about a point and WordSim-353 Spearman by about 0.03 on the gcide corpus. Comparing one draw of
each side (as a quick acceptance check does) can fail either way; this script shows the spread and
the means side by side.

Usage: python benches/w2v_quality_spread.py --shared ../shared [--model cbow] [--seeds 1,2,3,4]

Same corpus and hyperparameters as bench_word2vec.py (gcide text8-style, dim 100, window 5,
negative 5, sample 1e-3, min_count 5, 3 epochs, 2 threads); both sides are scored by subwordx's
evaluation functions (which equal gensim's, see tests/test_keyed_vectors.py).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import _common as C
import subwordx
from subwordx.embeddings import KeyedVectors, evaluate_word_analogies, evaluate_word_pairs


def score(kv: KeyedVectors, data: Path) -> tuple[float, float]:
    analogy = evaluate_word_analogies(kv, data / "eval/questions-words.txt", restrict_vocab=30000)
    pairs = evaluate_word_pairs(kv, data / "eval/wordsim353.tsv")
    return analogy.accuracy * 100, pairs.spearman


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shared", help="the folder holding data/ (default: ../shared)")
    p.add_argument("--scratch", default=str(C.BENCHES / "scratch"))
    p.add_argument("--model", choices=("cbow", "skipgram"), default="cbow")
    p.add_argument("--seeds", default="1,2,3,4")
    p.add_argument("--sides", default="subwordx,gensim")
    a = p.parse_args()
    shared = C.shared_dir(a.shared)
    data = shared / "data"
    corpus = C.scratch_dir(a.scratch) / "gcide_text8.txt"
    if not corpus.exists():
        corpus.write_text(C.text8_words(shared), encoding="ascii")
    seeds = [int(s) for s in a.seeds.split(",")]
    sg = a.model == "skipgram"
    alpha = 0.025 if sg else 0.05
    results: dict[str, list[tuple[float, float, float]]] = {}
    for side in a.sides.split(","):
        for seed in seeds:
            t0 = time.perf_counter()
            if side == "subwordx":
                model = subwordx.Word2Vec(
                    corpus_file=corpus,
                    model=a.model,
                    dim=100,
                    window=5,
                    negative=5,
                    sample=1e-3,
                    min_count=5,
                    epochs=3,
                    alpha=alpha,
                    threads=2,
                    seed=seed,
                )
                kv = model.wv
            else:
                from gensim.models import Word2Vec as GensimWord2Vec

                words = corpus.read_text(encoding="utf-8").split()
                chunks = [words[i : i + 10000] for i in range(0, len(words), 10000)]
                g = GensimWord2Vec(
                    chunks,
                    vector_size=100,
                    window=5,
                    negative=5,
                    hs=0,
                    sample=1e-3,
                    sg=int(sg),
                    alpha=alpha,
                    workers=2,
                    epochs=3,
                    min_count=5,
                    seed=seed,
                )
                kv = KeyedVectors(list(g.wv.index_to_key), g.wv.vectors)
            seconds = time.perf_counter() - t0
            acc, rho = score(kv, data)
            results.setdefault(side, []).append((seconds, acc, rho))
            print(
                f"{side:9s} {a.model} seed {seed}: {seconds:6.1f} s  analogy {acc:5.2f}%  "
                f"WS353 {rho:.3f}",
                flush=True,
            )
    print(f"\n| {a.model} | runs | analogy (30k) | WordSim-353 Spearman |\n|---|---|---|---|")
    for side, rows in results.items():
        accs, rhos = [r[1] for r in rows], [r[2] for r in rows]
        print(
            f"| {side} | {len(rows)} | {min(accs):.1f}–{max(accs):.1f} % (mean "
            f"{statistics.mean(accs):.1f}) | {min(rhos):.3f}–{max(rhos):.3f} (mean "
            f"{statistics.mean(rhos):.3f}) |"
        )


if __name__ == "__main__":
    main()
