/**
 * Secure aggregation: the SecAgg+ protocol of Bell, Bonawitz, Gascón, Lepoint and Raykova ("Secure
 * Single-Server Aggregation with (Poly)Logarithmic Overhead", CCS 2020), with Bonawitz et al.
 * ("Practical Secure Aggregation for Privacy-Preserving Machine Learning", CCS 2017) as its special
 * case on the complete graph. The server learns the sum of the clients' quantized updates and nothing
 * else, even when clients drop out mid-round.
 *
 * <p>Cryptography: X25519 key agreement, HKDF-SHA256, AES-GCM and Ed25519 from Bouncy Castle; masks
 * expanded from 256-bit seeds with AES-256-CTR; Shamir secret sharing over the prime field GF(2^256
 * + 297). Transport-agnostic: the server and client state machines exchange plain message objects, which
 * the gRPC layer and the simulation engine carry.
 */
package io.tributary.crypto.secagg;
