//go:build unix

package sourcefile

import (
	"os"
	"syscall"
)

// deviceInode returns the device and inode numbers of the file info describes.
func deviceInode(info os.FileInfo) (device, inode uint64, ok bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return uint64(st.Dev), uint64(st.Ino), true
}
