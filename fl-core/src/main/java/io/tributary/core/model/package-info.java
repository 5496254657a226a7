/**
 * Model parameters as named float32 tensors ({@link io.tributary.core.model.ModelWeights}), their
 * layout, and their wire encoding ({@link io.tributary.core.model.TensorCodec}).
 */
package io.tributary.core.model;
