// Package align turns a next-token predictor into a (toy) assistant, the
// way chat models are made: a chat format with role tokens, supervised
// fine-tuning (SFT) on prompt/reply pairs with the loss on the reply only,
// a reward model trained on preference pairs with the Bradley–Terry loss,
// direct preference optimisation (DPO), and reinforcement learning against
// the reward model with a KL penalty towards the SFT model.
//
// Each stage is a Stage; RunStage runs one on a run folder as `tick
// train` does (progress, metrics.jsonl, loss.png, checkpoints, Ctrl-C and
// resume), and FolderRun runs them all, from a base pretrained on Opticks.
//
// No people rate replies here: a program (Judge) stands in for human
// raters. It scores a reply to a generated instruction 0 when it is wrong,
// and among right replies prefers the concise one (the bare answer) to a
// chatty one ("sure, " before it). That stated preference is what the
// preference stages learn.
package align
