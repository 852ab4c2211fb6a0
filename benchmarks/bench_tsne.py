"""openTSNE against scikit-learn's t-SNE on the grid's real inputs: seconds, and how good the maps are.

The grid embeds the same 2,000 training clients (``GridParameters.tsne_sample``) of each configuration's
matrix. For a few configurations this times scikit-learn's ``TSNE`` as the grid ran it (Barnes-Hut, 1,000
iterations, PCA start) and openTSNE (FFT-accelerated interpolation; Barnes-Hut), one thread each, and scores
every map by the exact KL divergence between the input's and the map's affinities (what t-SNE minimises; lower
is better) and by its trustworthiness (10 neighbours; higher is better). It also checks that a method gives the
same map twice for a seed. Prints medians over --repeat runs.

    python benchmarks/bench_tsne.py [--repeat 3] [--configs raw-p1-all raw-p6-no_socio raw-p8-final]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from grid_inputs import matrix
from scipy.spatial.distance import pdist, squareform
from sklearn.manifold import TSNE, trustworthiness
from sklearn.manifold._t_sne import _joint_probabilities

from dashapp.analysis.clustering import GridParameters, draw_samples, one_thread

PERPLEXITY = 30.0


def sklearn_tsne(X: np.ndarray, seed: int) -> np.ndarray:
    """The grid's t-SNE before openTSNE: scikit-learn's Barnes-Hut, 1,000 iterations, PCA start."""
    return TSNE(n_components=2, init="pca", perplexity=PERPLEXITY, random_state=seed, n_jobs=1).fit_transform(X)


def opentsne(method: str):
    def embed(X: np.ndarray, seed: int) -> np.ndarray:
        from openTSNE import TSNE as OpenTSNE

        return np.asarray(OpenTSNE(n_components=2, perplexity=PERPLEXITY, initialization="pca", random_state=seed,
                                   n_jobs=1, negative_gradient_method=method).fit(X))
    return embed


METHODS = {
    "scikit-learn (Barnes-Hut)": sklearn_tsne,
    "openTSNE (FFT)": opentsne("fft"),
    "openTSNE (Barnes-Hut)": opentsne("bh"),
}


def exact_kl(X: np.ndarray, embedding: np.ndarray) -> float:
    """KL(P || Q) with P the exact joint affinities at the grid's perplexity and Q the map's Student-t ones."""
    P = squareform(_joint_probabilities(squareform(pdist(X, "sqeuclidean")), PERPLEXITY, verbose=0))
    Q = 1.0 / (1.0 + squareform(pdist(embedding, "sqeuclidean")))
    np.fill_diagonal(Q, 0.0)
    Q /= Q.sum()
    P = np.maximum(P, 1e-12)
    Q = np.maximum(Q, 1e-12)
    return float(np.sum(P * np.log(P / Q)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--configs", nargs="+", default=["raw-p1-all", "raw-p6-no_socio", "raw-p8-final"])
    args = parser.parse_args()
    parameters = GridParameters()
    print(f"t-SNE of {parameters.tsne_sample} training clients, perplexity {PERPLEXITY:g}, one thread; "
          f"medians over {args.repeat} run(s)")
    print(f"{'configuration':<15} {'method':<27} {'seconds':>8} {'KL':>7} {'trust.':>7} {'same twice':>10}")
    for config_id in args.configs:
        X = matrix(config_id, parameters).X
        X = X[draw_samples(len(X), parameters).tsne]
        for name, embed in METHODS.items():
            seconds, maps = [], []
            with one_thread():
                for _ in range(max(args.repeat, 2)):
                    start = time.perf_counter()
                    maps.append(embed(X, parameters.random_state))
                    seconds.append(time.perf_counter() - start)
            same = all(np.array_equal(maps[0], other) for other in maps[1:])
            print(f"{config_id:<15} {name:<27} {statistics.median(seconds):8.2f} {exact_kl(X, maps[0]):7.3f} "
                  f"{trustworthiness(X, maps[0], n_neighbors=10):7.3f} {'yes' if same else 'NO':>10}", flush=True)


if __name__ == "__main__":
    main()
