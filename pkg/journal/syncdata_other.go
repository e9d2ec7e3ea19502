//go:build !linux

package journal

import "os"

// syncData flushes a file's data; without fdatasync it is a full fsync.
func syncData(f *os.File) error { return f.Sync() }
