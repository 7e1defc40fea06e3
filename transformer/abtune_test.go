package transformer

import (
	"os"
	"strconv"
)

func init() {
	if v, err := strconv.Atoi(os.Getenv("TX_SPLITMIN")); err == nil {
		gemmSplitMin = v
	}
	if v, err := strconv.Atoi(os.Getenv("TX_CHUNK")); err == nil {
		gemmChunk = v
	}
	if v, err := strconv.Atoi(os.Getenv("TX_PIECES")); err == nil {
		gemmPieces = v
	}
	if v, err := strconv.Atoi(os.Getenv("TX_BLAS")); err == nil {
		SetBLASThreads(v)
	}
}
