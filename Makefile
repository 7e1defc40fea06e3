# tick: the two commands that do everything are `make demo` and `make test`.
GO ?= go

# OpenBLAS is used when its library and header are installed
# (Debian: apt-get install libopenblas-dev); otherwise pure-Go gonum runs.
HASH := \#
HAVE_OPENBLAS := $(shell printf '$(HASH)include <cblas.h>\nint main(void){return 0;}\n' | cc -x c - -lopenblas -o /dev/null 2>/dev/null && echo yes)
ifeq ($(HAVE_OPENBLAS),yes)
TAGS := -tags openblas
endif

DEMOS := tokenize bpe tinygpt generate gpt-vs-llama attention addition sort openweights lora multimodal align

.PHONY: demo test bench build fuzz $(addprefix demo-,$(DEMOS))

# The tour: tokenize, bpe, tinygpt, generate (about 5 minutes on 2 cores).
demo:
	@echo "backend: $(if $(TAGS),OpenBLAS,pure Go (transformer/gemm; libopenblas-dev gives the OpenBLAS build))"
	$(GO) run $(TAGS) ./demos/tokenize
	$(GO) run $(TAGS) ./demos/bpe
	$(GO) run $(TAGS) ./demos/tinygpt
	$(GO) run $(TAGS) ./demos/generate

$(addprefix demo-,$(DEMOS)): demo-%:
	$(GO) run $(TAGS) ./demos/$*

# generate and attention read the model tinygpt trains.
demo-generate demo-attention: out/tinygpt
out/tinygpt:
	$(GO) run $(TAGS) ./demos/tinygpt

# The whole suite with the pure-Go backend, the packages that run work on
# several goroutines again under the race detector (batch encoding, the
# model's workers, the generation cache), then the model code again on
# OpenBLAS where it is installed.
# Where qemu's arm64 emulator is installed (Debian: apt-get install
# qemu-user-static), the model and the NEON kernels' packages run again
# compiled for arm64 under it; the kernels' TestSameBitsOnArm64 compares
# NEON's bits with AVX2's.
RACE := ./tokenizer/ ./transformer/ ./transformer/generate/
ARM64 := ./transformer/ ./transformer/vec/ ./transformer/gemm/
HAVE_QEMU_ARM64 := $(shell command -v qemu-aarch64-static >/dev/null 2>&1 && echo yes)
test:
	$(GO) vet ./...
	GOARCH=arm64 $(GO) vet $(ARM64)
	$(GO) test -timeout 20m ./...
	$(GO) test -race -timeout 20m $(RACE)
ifeq ($(HAVE_OPENBLAS),yes)
	$(GO) test -timeout 20m -tags openblas ./transformer/... ./train/...
endif
ifeq ($(HAVE_QEMU_ARM64),yes)
	GOARCH=arm64 $(GO) test -timeout 20m -exec qemu-aarch64-static $(ARM64)
endif

# Benchmarks side by side with their references, reported as ratios.
bench: build
	./tick bench tokenizer --encoding cl100k_base
	./tick bench tokenizer --encoding cl100k_base --go-src 2
	./tick bench tokenizer --encoding o200k_base
	./tick bench tokenizer --encoding o200k_base --go-src 2
	./tick bench tokenizer --encoding cl100k_base --scripts all
	./tick bench tokenizer --encoding o200k_base --scripts all
	$(GO) test -run '^$$' -bench . -benchtime 1x ./tokenizer/bpe
	./tick bench train
	./tick bench generate

build:
	$(GO) build $(TAGS) -o tick ./cmd/tick
