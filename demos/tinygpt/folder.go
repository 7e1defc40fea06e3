package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// clearEarlierRun empties dir for a new run when it holds an earlier one
// (a folder with metrics.jsonl, as train.Run writes), so the demo can be run
// again. It reports whether there was one. A folder that holds something
// else is not the demo's to delete: that is an error.
func clearEarlierRun(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) || (err == nil && len(entries) == 0) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("output folder: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "metrics.jsonl")); err != nil {
		return false, fmt.Errorf("%s exists and is not a training run; move it away or choose another -out", dir)
	}
	if err := os.RemoveAll(dir); err != nil {
		return false, fmt.Errorf("remove the earlier run in %s: %w", dir, err)
	}
	return true, nil
}
