// Package hf reads and writes Hugging Face model folders: the config.json,
// model.safetensors (or its shards) and tokenizer files that
// huggingface.co publishes for GPT-2 (GPT2LMHeadModel) and Llama 3
// (LlamaForCausalLM), so that a published open-weights model runs through
// tick's own code and a model tick trained continues in PyTorch.
//
// tick's parameters already carry Hugging Face's names and layouts
// (transformer.Param), so reading is mostly checking: every key of
// config.json that changes the model must be one tick implements, every
// tensor must be there with its shape. A key tick does not implement is an
// error that names it, never a silently different model.
//
// Two loaders: LoadModel gives the float64 model with gradients that
// training, evaluation and full forward passes use (16 bytes a parameter),
// LoadForInference the float32 inference-only one that generation needs (4
// bytes a parameter: GPT-2 124M in about 0.5 GB, a 1B Llama in about 5 GB).
//
// Nothing is downloaded: the user fetches a folder (git clone of the
// model's repository, or huggingface-cli download) and gives its path.
package hf
