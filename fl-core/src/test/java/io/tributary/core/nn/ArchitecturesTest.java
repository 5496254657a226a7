package io.tributary.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ArchitecturesTest {

  @Test
  void byName_mnist2nn_isTheDenseNetwork() {
    ModelArchitecture a = Architectures.byName("mnist-2nn");
    DenseNetwork d = assertInstanceOf(DenseNetwork.class, a);
    assertEquals("mnist-2nn", d.name());
    assertArrayEquals(new int[] {784, 200, 200, 10}, d.sizes());
    assertEquals(199_210, a.layout().totalElements());
  }

  @Test
  void byName_mnistCnn_isTheConvNetwork() {
    assertSame(ConvNetwork.mnistCnn(), Architectures.byName("mnist-cnn"));
  }

  @Test
  void byName_mlpSpec_parsesLayerSizes() {
    DenseNetwork d = assertInstanceOf(DenseNetwork.class, Architectures.byName("mlp:784-100-50-10"));
    assertArrayEquals(new int[] {784, 100, 50, 10}, d.sizes());
    assertEquals("mlp:784-100-50-10", d.name());
    assertEquals(784 * 100 + 100 + 100 * 50 + 50 + 50 * 10 + 10, d.layout().totalElements());
  }

  @Test
  void byName_mlpWithoutHiddenLayer_isLogisticRegression() {
    DenseNetwork d = assertInstanceOf(DenseNetwork.class, Architectures.byName("mlp:784-10"));
    assertEquals(7850, d.layout().totalElements());
  }

  @Test
  void byName_mlpBadNumbers_rejectedNamingModel() {
    for (String bad : new String[] {"mlp:784-x-10", "mlp:", "mlp:784--10", "mlp:-784-10", "mlp:784-10.5"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architectures.byName(bad));
      assertTrue(e.getMessage().contains(bad) || e.getMessage().contains("layer sizes"), e.getMessage());
    }
  }

  @Test
  void byName_mlpTrailingDash_rejected() {
    assertThrows(IllegalArgumentException.class, () -> Architectures.byName("mlp:784-10-"));
  }

  @Test
  void byName_mlpSingleOrZeroSize_rejected() {
    assertThrows(IllegalArgumentException.class, () -> Architectures.byName("mlp:784"));
    assertThrows(IllegalArgumentException.class, () -> Architectures.byName("mlp:784-0-10"));
  }

  @Test
  void byName_unknownName_messageListsKnownNames() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architectures.byName("resnet"));
    assertTrue(e.getMessage().contains("'resnet'"), e.getMessage());
    for (String known : Architectures.NAMES) {
      assertTrue(e.getMessage().contains(known), e.getMessage());
    }
  }

  @Test
  void byName_null_messageListsKnownNames() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architectures.byName(null));
    assertTrue(e.getMessage().contains("mnist-2nn"), e.getMessage());
    assertTrue(e.getMessage().contains("mnist-cnn"), e.getMessage());
  }

  @Test
  void byName_caseMatters() {
    assertThrows(IllegalArgumentException.class, () -> Architectures.byName("MNIST-2NN"));
  }
}
