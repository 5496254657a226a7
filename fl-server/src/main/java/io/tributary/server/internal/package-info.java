/** Server internals: the round coordinator, the gRPC service and upload staging. Not a public API. */
package io.tributary.server.internal;
