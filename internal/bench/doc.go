// Package bench times tick and a peer program on the same work in the same
// run, so that every ratio it prints is a division of two numbers measured
// moments apart on the same machine, never of a number remembered from
// another day.
//
// Train times whole optimiser steps (forward, backward, gradient clipping,
// AdamW) of the nanoGPT CPU recipe's model; Generate times greedy
// generation through transformer/generate with llama2.c's stories15M
// shape. Each runs tick and the peer at 1 and 2 threads, alternating the
// two so both see the same moments of a busy machine.
//
// Peers: PyTorch running the same model from a small script embedded here
// (when the given Python can import torch), an llm.c training binary, or a
// llama2.c run binary. With no peer the report says so and prints no ratio.
package bench
