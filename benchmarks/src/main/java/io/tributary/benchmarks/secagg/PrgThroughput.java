package io.tributary.benchmarks.secagg;

import io.tributary.crypto.secagg.MaskExpander;

import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.StreamCipher;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.ChaCha7539Engine;
import org.bouncycastle.crypto.modes.SICBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * Single-thread keystream throughput of the candidate PRGs for {@link MaskExpander}: the JDK's
 * AES/CTR (AES-NI intrinsic), Bouncy Castle's AES-CTR ({@code SICBlockCipher} over {@code AESEngine})
 * and Bouncy Castle's ChaCha20 ({@code ChaCha7539Engine}), plus {@link MaskExpander#add} end to end.
 * Run it on an idle machine with {@code ./fl bench prg [MiB per trial, default 64]}.
 *
 * <p>Each candidate fills the same 16 KiB chunks; the best of five trials after two warm-up trials is
 * reported, in MB/s (10^6 bytes) of keystream.
 */
public final class PrgThroughput {
  private static final int CHUNK = 16 * 1024;

  private PrgThroughput() {}

  /** A way to fill {@code out} with the next keystream bytes. */
  private interface Source {
    void fill(byte[] zeros, byte[] out) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    long mib = args.length > 0 ? Long.parseLong(args[0]) : 64;
    long bytes = mib << 20;
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 7);

    Cipher jdk = Cipher.getInstance("AES/CTR/NoPadding");
    jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
    StreamCipher bcAes = SICBlockCipher.newInstance(AESEngine.newInstance());
    bcAes.init(true, new ParametersWithIV(new KeyParameter(key), new byte[16]));
    ChaCha7539Engine chacha = new ChaCha7539Engine();
    chacha.init(true, new ParametersWithIV(new KeyParameter(key), new byte[12]));
    System.out.println("JVM " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
        + ", JDK provider " + jdk.getProvider().getName() + ", " + mib + " MiB per trial");

    report("JDK AES/CTR/NoPadding", bytes, (z, o) -> jdk.update(z, 0, CHUNK, o, 0));
    report("BC SICBlockCipher(AESEngine)", bytes, (z, o) -> bcAes.processBytes(z, 0, CHUNK, o, 0));
    // ChaCha20's 32-bit block counter allows 256 GiB per nonce; reset well before that.
    report("BC ChaCha7539Engine", bytes, (z, o) -> chacha.processBytes(z, 0, CHUNK, o, 0));

    int[] target = new int[(int) Math.min(bytes / 4, 1 << 24)];
    double best = 0;
    for (int trial = 0; trial < 7; trial++) {
      long start = System.nanoTime();
      long done = 0;
      while (done < bytes) {
        MaskExpander.add(key, target);
        done += 4L * target.length;
      }
      double mbps = done / 1e6 / ((System.nanoTime() - start) / 1e9);
      if (trial >= 2) {
        best = Math.max(best, mbps);
      }
    }
    System.out.printf("%-32s %8.0f MB/s  (%.0f M words/s, checksum %d)%n", "MaskExpander.add (end to end)",
        best, best / 4, Arrays.stream(target).asLongStream().sum());
  }

  private static void report(String name, long bytes, Source source) throws Exception {
    byte[] zeros = new byte[CHUNK];
    byte[] out = new byte[CHUNK];
    double best = 0;
    long checksum = 0;
    for (int trial = 0; trial < 7; trial++) {
      long start = System.nanoTime();
      for (long done = 0; done < bytes; done += CHUNK) {
        source.fill(zeros, out);
        checksum += out[0];
      }
      double mbps = bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
      if (trial >= 2) {
        best = Math.max(best, mbps);
      }
    }
    System.out.printf("%-32s %8.0f MB/s  (checksum %d)%n", name, best, checksum);
  }
}
