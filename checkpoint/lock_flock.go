//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package checkpoint

import (
	"errors"
	"os"
	"syscall"
)

// lockFlags open the lock file without following a symbolic link, so that
// a link planted under its name cannot make tick write into another file.
const lockFlags = os.O_RDWR | os.O_CREATE | syscall.O_NOFOLLOW

// tryLock takes an exclusive flock on f without waiting, and reports
// whether it got it. The kernel releases the lock when the process ends,
// however it ends (kill -9 included), so a dead run never blocks a folder.
func tryLock(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		case errors.Is(err, syscall.EINTR):
			continue
		}
		return false, err
	}
}
