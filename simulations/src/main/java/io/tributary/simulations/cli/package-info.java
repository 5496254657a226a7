/** The {@code fl simulate} command line. */
package io.tributary.simulations.cli;
