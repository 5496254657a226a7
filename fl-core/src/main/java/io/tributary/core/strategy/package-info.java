/** The {@link io.tributary.core.strategy.Strategy} SPI and the built-in strategies. */
package io.tributary.core.strategy;
