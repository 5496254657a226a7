/** The {@code fl server} command line. */
package io.tributary.server.cli;
