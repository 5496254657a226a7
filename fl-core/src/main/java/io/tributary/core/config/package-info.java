/** Typed configuration keys and values shared by server-side components and client-side code. */
package io.tributary.core.config;
