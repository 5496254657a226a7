package io.tributary.server.internal;

import io.tributary.core.model.ModelLayout;
import io.tributary.core.model.TensorSpec;

/** Explains how an update's tensor layout differs from the model's. Stateless. */
final class LayoutCheck {
  private LayoutCheck() {}

  /** Null when the layouts agree, else a message naming the first difference. */
  static String describeMismatch(ModelLayout expected, ModelLayout actual) {
    if (actual == null) {
      return "the update declares no tensors";
    }
    if (expected.equals(actual)) {
      return null;
    }
    int n = Math.min(expected.size(), actual.size());
    for (int i = 0; i < n; i++) {
      TensorSpec e = expected.tensor(i);
      TensorSpec a = actual.tensor(i);
      if (!e.equals(a)) {
        return "tensor " + i + " is " + a + ", the model has " + e;
      }
    }
    return "the update has " + actual.size() + " tensors, the model has " + expected.size();
  }
}
