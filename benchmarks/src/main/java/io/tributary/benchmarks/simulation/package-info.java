/** Simulation efficiency and memory: the engine against plain local training of the same model. */
package io.tributary.benchmarks.simulation;
