/** The {@code fl client} command line. */
package io.tributary.client.cli;
